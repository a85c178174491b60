"""Virtual networks end to end: real virsh and python3-libvirt drive a
virtarmzd in a network namespace; bridges, dnsmasq, nftables rules and
DHCP clients (busybox udhcpc) are real, in namespaces of their own."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

import armzd
import netns

import libvirt


def net_xml(name, bridge=None, subnet='10.50.0', forward='nat', dhcp=True, stp='off',
            extra='', ranges=None):
    fwd = f"  <forward mode='{forward}'/>\n" if forward else ''
    br = f"  <bridge name='{bridge}' stp='{stp}' delay='0'/>\n" if bridge else \
        f"  <bridge stp='{stp}' delay='0'/>\n"
    if ranges is None:
        ranges = [(f'{subnet}.100', f'{subnet}.199')] if dhcp else []
    rng = ''.join(f"      <range start='{s}' end='{e}'/>\n" for s, e in ranges)
    d = f"    <dhcp>\n{rng}    </dhcp>\n" if ranges else ''
    return (f"<network>\n  <name>{name}</name>\n{fwd}{br}{extra}"
            f"  <ip address='{subnet}.1' netmask='255.255.255.0'>\n{d}  </ip>\n</network>\n")


def our_table(host):
    p = host.ns.nft('list', 'table', 'inet', 'armz', check=False)
    return p.stdout if p.returncode == 0 else None


def proc_alive(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return b'dnsmasq' in f.read()
    except OSError:
        return False


def addr_of(host, dev):
    out = host.ns.ip('-j', 'addr', 'show', 'dev', dev).stdout
    return [f"{a['local']}/{a['prefixlen']}" for a in json.loads(out)[0]['addr_info']]


# ------------------------------------------------------------------ the default network

def test_default_network_defined(host):
    """The shipped NAT network is defined on first start, off libvirt's subnet,
    and (under --root) not started: the host is left alone."""
    r = host.virsh('net-list', '--all')
    assert re.search(r'^\s*default\s+inactive\s+no\s+yes\s*$', r.out, re.M), r.out
    xml = host.virsh('net-dumpxml', 'default').out
    assert "<forward mode='nat'/>" in xml
    assert "192.168.150.1" in xml and '192.168.122.' not in xml
    assert re.search(r"<bridge name='armzbr\d+'", xml)
    assert re.search(r"<mac address='52:54:00(:[0-9a-f]{2}){3}'/>", xml)
    assert os.path.exists(os.path.join(host.netdir, 'default.xml'))


# ------------------------------------------------------------------ start, lease, NAT, destroy

def test_nat_network_lifecycle(host):
    """define + start: bridge, dnsmasq, our nft table; a client gets a lease
    that net-dhcp-leases lists and reaches a server behind NAT; destroy
    removes all of it and leaves a foreign bridge and table alone."""
    host.ns.ip('link', 'add', 'foreignbr0', 'type', 'bridge')
    host.ns.exec('nft', '-f', '-', input='table inet other {\n chain c {\n'
                 '  type filter hook forward priority 10; policy accept;\n'
                 '  counter\n }\n}\n')
    server = host.start_server()
    host.define(net_xml('natnet', 'armzt0', '10.50.0'))

    # bridge with its address and MAC
    assert host.ns.link_exists('armzt0')
    assert '10.50.0.1/24' in addr_of(host, 'armzt0')
    info = armzd.parse_colon_table(host.virsh('net-info', 'natnet').out)
    assert info['Active'] == 'yes' and info['Bridge'] == 'armzt0'
    # dnsmasq with our generated configuration
    pid = host.dnsmasq_pid('natnet')
    assert pid and proc_alive(pid)
    conf = open(os.path.join(host.statedir, 'natnet.conf')).read()
    assert 'interface=armzt0' in conf and 'except-interface=lo' in conf
    # our table with the NAT rule
    table = our_table(host)
    assert table and 'masquerade' in table and '10.50.0.0/24' in table
    assert host.ns.exec('cat', '/proc/sys/net/ipv4/ip_forward').stdout.strip() == '1'

    # a client gets a lease with a route out, and the lease is listed
    c = host.client('armzt0')
    lease = c.dhcp(hostname='natclient')
    assert lease, 'no DHCP lease from dnsmasq'
    ip, router = lease
    assert ip.startswith('10.50.0.') and router == '10.50.0.1'
    leases = host.virsh('net-dhcp-leases', 'natnet').out
    assert c.mac in leases and f'{ip}/24' in leases and 'natclient' in leases, leases
    only = host.virsh('net-dhcp-leases', 'natnet', '--mac', c.mac).out
    assert ip in only
    # through the NAT: the server sees the host's uplink address
    assert c.tcp_peer(server.addr, server.port) == '198.51.100.1'

    host.virsh('net-destroy', 'natnet')
    assert not host.ns.link_exists('armzt0')
    assert netns.wait_for(lambda: not proc_alive(pid)), 'dnsmasq still runs'
    assert our_table(host) is None
    assert not os.path.exists(os.path.join(host.statedir, 'natnet.xml'))
    # nothing else touched
    assert host.ns.link_exists('foreignbr0')
    assert 'counter' in host.ns.nft('list', 'table', 'inet', 'other').stdout
    assert 'uplink0' in host.ns.ip('link').stdout
    r = host.virsh('net-list', '--all').out
    assert re.search(r'^\s*natnet\s+inactive\s+no\s+yes\s*$', r, re.M), r


def test_isolated_network(host):
    """An isolated network gives a lease but no route out."""
    server = host.start_server()
    host.define(net_xml('iso', 'armzi0', '10.51.0', forward=None))
    c = host.client('armzi0')
    lease = c.dhcp()
    assert lease and lease[0].startswith('10.51.0.')
    assert lease[1] is None, 'an isolated network must not offer a router'
    assert 'default' not in c.routes()
    assert c.tcp_peer(server.addr, server.port) is None
    # even with a route forced through the bridge, the host does not forward
    c.ns.ip('route', 'add', 'default', 'via', '10.51.0.1')
    assert c.tcp_peer(server.addr, server.port, timeout=2) is None
    table = our_table(host)
    assert 'iifname "armzi0" reject' in table and 'masquerade' not in table


def test_routed_network_no_nat(host):
    """mode='route': forwarded both ways without masquerading."""
    server = host.start_server()
    host.define(net_xml('rt', 'armzr0', '10.52.0', forward='route'))
    c = host.client('armzr0')
    assert c.dhcp()
    # the server has no route back: without NAT the connection cannot complete
    assert c.tcp_peer(server.addr, server.port, timeout=2) is None
    server.ns.ip('route', 'add', '10.52.0.0/24', 'via', '198.51.100.1')
    peer = c.tcp_peer(server.addr, server.port)
    assert peer and peer.startswith('10.52.0.'), peer
    assert 'masquerade' not in our_table(host)


def test_bridge_mode_uses_host_bridge(host):
    """mode='bridge' uses an existing bridge as it is and never removes it."""
    host.ns.ip('link', 'add', 'hostbr0', 'type', 'bridge')
    host.define("<network><name>hb</name><forward mode='bridge'/>"
                "<bridge name='hostbr0'/></network>")
    assert host.virsh('net-info', 'hb').out.count('hostbr0') == 1
    assert host.dnsmasq_pid('hb') is None
    host.virsh('net-destroy', 'hb')
    assert host.ns.link_exists('hostbr0')
    # a missing host bridge is a clear error
    host.define("<network><name>hb2</name><forward mode='bridge'/>"
                "<bridge name='nosuchbr0'/></network>", start=False)
    r = host.virsh('net-start', 'hb2', check=False)
    assert r.rc != 0 and "host bridge 'nosuchbr0'" in r.err


# ------------------------------------------------------------------ restart

def test_restart_keeps_running_network(host):
    """A restarted daemon finds the bridge, dnsmasq and rules and keeps them;
    rules flushed meanwhile are put back; a network marked autostart but
    stopped is started; a corrupt config is skipped and left in place."""
    host.define(net_xml('keep', 'armzk0', '10.53.0'))
    host.define(net_xml('auto', 'armza0', '10.54.0'), start=False)
    host.virsh('net-autostart', 'auto')
    c = host.client('armzk0')
    lease = c.dhcp()
    assert lease
    ifindex = host.ns.ip('-j', 'link', 'show', 'armzk0').stdout
    pid = host.dnsmasq_pid('keep')
    bad = os.path.join(host.netdir, 'broken.xml')
    with open(bad, 'w') as f:
        f.write('<network><name>broken</name><ip address="10.9.9.9" prefix="24"><dhcp>'
                '<range start="10.9.9.10" end="10.8.0.1"/></dhcp></ip></network>')

    host.daemon.stop()
    host.ns.nft('delete', 'table', 'inet', 'armz')
    host.daemon.start()

    # autostart runs in a thread of its own, and net-list does not wait for
    # a network that is starting: wait for it
    def listed():
        return host.virsh('net-list', '--all').out
    assert netns.wait_for(lambda: re.search(r'^\s*auto\s+active\s+yes\s+yes\s*$',
                                            listed(), re.M)), listed()
    r = listed()
    assert re.search(r'^\s*keep\s+active\s+no\s+yes\s*$', r, re.M), r
    assert 'broken' not in r
    assert "skipping network config" in host.daemon.log() and os.path.exists(bad)
    assert host.ns.ip('-j', 'link', 'show', 'armzk0').stdout == ifindex
    assert host.dnsmasq_pid('keep') == pid and proc_alive(pid)
    table = our_table(host)
    assert table and '10.53.0.0/24' in table and '10.54.0.0/24' in table
    # the lease survives, and the network still serves
    assert lease[0] in host.virsh('net-dhcp-leases', 'keep').out
    assert c.dhcp()
    # a dead dnsmasq is restarted by the next daemon
    os.kill(pid, signal.SIGKILL)
    netns.wait_for(lambda: not proc_alive(pid))
    host.daemon.stop()
    host.daemon.start()
    pid2 = host.dnsmasq_pid('keep')
    assert pid2 and pid2 != pid and proc_alive(pid2)
    # a network whose bridge vanished is stopped cleanly
    host.daemon.stop()
    host.ns.ip('link', 'del', 'armzk0')
    host.daemon.start()
    r = host.virsh('net-list', '--all').out
    assert re.search(r'^\s*keep\s+inactive', r, re.M), r
    assert netns.wait_for(lambda: not proc_alive(pid2)), 'dnsmasq still runs'
    assert '10.53.0.0/24' not in (our_table(host) or '')


# ------------------------------------------------------------------ events

def test_events_seen_by_virsh(host):
    ev = subprocess.Popen([armzd.VIRSH, '-c', host.uri, 'net-event', '--loop', '--event', 'lifecycle'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=dict(os.environ, LC_ALL='C'))
    try:
        time.sleep(0.5)
        host.define(net_xml('evnet', 'armze0', '10.55.0'))
        host.virsh('net-destroy', 'evnet')
        host.virsh('net-undefine', 'evnet')
        path = os.path.join(host.tmp, 't.xml')
        with open(path, 'w') as f:
            f.write(net_xml('evtrans', 'armze1', '10.56.0'))
        host.virsh('net-create', path)
        host.virsh('net-destroy', 'evtrans')
        time.sleep(0.5)
    finally:
        ev.send_signal(signal.SIGINT)
        try:
            out, _ = ev.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            ev.kill()
            out, _ = ev.communicate()
    got = re.findall(r"event 'lifecycle' for network (\S+): (\w+)", out)
    assert got == [('evnet', 'Defined'), ('evnet', 'Started'), ('evnet', 'Stopped'),
                   ('evnet', 'Undefined'), ('evtrans', 'Started'), ('evtrans', 'Stopped')], out


# ------------------------------------------------------------------ refused definitions

@pytest.mark.parametrize('case', ['overlap', 'outside', 'bridge-of-network', 'bridge-of-host'])
def test_bad_definitions_refused(host, case):
    host.define(net_xml('first', 'armzb0', '10.57.0'), start=False)
    host.ns.ip('link', 'add', 'busybr0', 'type', 'bridge')
    xml, want = {
        'overlap': (net_xml('bad', None, '10.58.0', ranges=[('10.58.0.10', '10.58.0.50'),
                                                             ('10.58.0.40', '10.58.0.60')]),
                    'DHCP range 10.58.0.40 - 10.58.0.60 overlaps range 10.58.0.10 - 10.58.0.50'),
        'outside': (net_xml('bad', None, '10.58.0', ranges=[('10.58.0.10', '10.59.0.20')]),
                    'is not entirely within network 10.58.0.1/24'),
        'bridge-of-network': (net_xml('bad', 'armzb0', '10.58.0'),
                              "bridge name 'armzb0' is already in use by network 'first'"),
        'bridge-of-host': (net_xml('bad', 'busybr0', '10.58.0'),
                           "bridge name 'busybr0' is already in use by a host interface"),
    }[case]
    path = os.path.join(host.tmp, 'bad.xml')
    with open(path, 'w') as f:
        f.write(xml)
    r = host.virsh('net-define', path, check=False)
    assert r.rc != 0 and want in r.err, r
    assert not os.path.exists(os.path.join(host.netdir, 'bad.xml'))
    r = host.virsh('net-create', path, check=False)
    assert r.rc != 0 and want in r.err, r
    assert 'bad' not in host.virsh('net-list', '--all').out
    assert host.daemon.alive()


def test_schema_validation_flag(host):
    path = os.path.join(host.tmp, 'v.xml')
    with open(path, 'w') as f:
        f.write("<network><name>v</name><bridge name='armzv0' bogus='1'/></network>")
    r = host.virsh('net-define', '--validate', path, check=False)
    assert r.rc != 0 and 'Unable to validate doc' in r.err, r


# ------------------------------------------------------------------ the API from python

def test_python_api(host):
    conn = libvirt.open(host.uri)
    try:
        xml = net_xml('py', 'armzp0', '10.60.0')
        net = conn.networkDefineXML(xml)
        assert net.name() == 'py' and not net.isActive() and net.isPersistent()
        assert net.bridgeName() == 'armzp0'
        net.create()
        assert net.isActive() and net.autostart() == 0
        net.setAutostart(1)
        assert net.autostart() == 1
        assert conn.networkLookupByUUIDString(net.UUIDString()).name() == 'py'
        assert sorted(conn.listNetworks()) == ['py'] and conn.numOfNetworks() == 1
        assert sorted(conn.listDefinedNetworks()) == ['default']
        assert conn.numOfDefinedNetworks() == 1
        names = lambda flags: sorted(n.name() for n in conn.listAllNetworks(flags))  # noqa: E731
        assert names(0) == ['default', 'py']
        assert names(libvirt.VIR_CONNECT_LIST_NETWORKS_ACTIVE) == ['py']
        assert names(libvirt.VIR_CONNECT_LIST_NETWORKS_INACTIVE) == ['default']
        assert names(libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART) == ['py']
        assert names(libvirt.VIR_CONNECT_LIST_NETWORKS_TRANSIENT) == []
        assert net.DHCPLeases() == []
        # a new definition while running applies at the next start
        cfg = net.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)
        net2 = conn.networkDefineXML(cfg.replace('10.60.0.199', '10.60.0.150'))
        assert '10.60.0.199' in net2.XMLDesc(0)
        assert '10.60.0.150' in net2.XMLDesc(libvirt.VIR_NETWORK_XML_INACTIVE)
        net.destroy()
        assert '10.60.0.150' in net.XMLDesc(0)
        # errors: a redefinition without the UUID is another network (as in libvirt)
        with pytest.raises(libvirt.libvirtError) as e:
            conn.networkDefineXML(xml)
        assert 'already exists with uuid' in str(e.value)
        with pytest.raises(libvirt.libvirtError) as e:
            conn.networkLookupByName('nope')
        assert e.value.get_error_code() == libvirt.VIR_ERR_NO_NETWORK
        with pytest.raises(libvirt.libvirtError) as e:
            net.destroy()
        assert e.value.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID
        with pytest.raises(libvirt.libvirtError) as e:
            net.DHCPLeases(flags=1)
        assert e.value.get_error_code() == libvirt.VIR_ERR_INVALID_ARG
        # transient networks
        t = conn.networkCreateXML(net_xml('tr', 'armzp1', '10.61.0'))
        assert t.isActive() and not t.isPersistent()
        with pytest.raises(libvirt.libvirtError):
            t.setAutostart(1)
        t.destroy()
        with pytest.raises(libvirt.libvirtError) as e:
            conn.networkLookupByName('tr')
        assert e.value.get_error_code() == libvirt.VIR_ERR_NO_NETWORK
        net.undefine()
        assert not os.path.exists(os.path.join(host.netdir, 'py.xml'))
        assert not os.path.exists(os.path.join(host.netdir, 'autostart', 'py.xml'))
    finally:
        conn.close()


def test_readonly_refused(host):
    r = host.virsh('net-list', '--all', check=False)
    assert r.rc == 0
    r = armzd.virsh(host.daemon.uri_ro, 'net-start', 'default', ro=True, check=False)
    assert r.rc != 0 and 'read' in r.err.lower(), r
