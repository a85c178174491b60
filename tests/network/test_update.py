"""virsh net-update / virNetworkUpdate against real dnsmasq: static DHCP
hosts, DHCP ranges and DNS hosts, live (dnsmasq restarted on the new
configuration) and in the persistent definition."""
import os

import libvirt

from test_networks import net_xml, proc_alive


def host_xml(mac, ip, name=None):
    n = f" name='{name}'" if name else ''
    return f"<host mac='{mac}'{n} ip='{ip}'/>"


def test_live_dhcp_host_gets_its_address(host):
    """A reservation added --live --config is served at once (a client gets
    that address), kept across a daemon restart, and gone after delete."""
    host.define(net_xml('upd', 'armzu0', '10.60.0'))
    c = host.client('armzu0')
    entry = host_xml(c.mac, '10.60.0.7', 'fixed')
    old_pid = host.dnsmasq_pid('upd')
    r = host.virsh('net-update', 'upd', 'add-last', 'ip-dhcp-host', entry, '--live', '--config')
    assert 'Updated network upd' in r.out, r
    pid = host.dnsmasq_pid('upd')
    assert pid and pid != old_pid and proc_alive(pid) and not proc_alive(old_pid)
    assert c.dhcp() == ('10.60.0.7', '10.60.0.1')
    for args in ((), ('--inactive',)):
        xml = host.virsh('net-dumpxml', 'upd', *args).out
        assert entry in xml, (args, xml)

    host.daemon.stop()
    host.daemon.start()
    assert entry in host.virsh('net-dumpxml', 'upd').out
    assert host.dnsmasq_pid('upd') == pid and proc_alive(pid)

    host.virsh('net-update', 'upd', 'delete', 'ip-dhcp-host', f"<host mac='{c.mac}'/>",
               '--live', '--config')
    for args in ((), ('--inactive',)):
        assert c.mac not in host.virsh('net-dumpxml', 'upd', *args).out
    conf = open(os.path.join(host.statedir, 'upd.conf')).read()
    assert c.mac not in conf and 'dhcp-host' not in conf, conf


def test_live_dns_host_resolves(host):
    """A DNS host added to the running network answers through dnsmasq."""
    host.define(net_xml('dnsupd', 'armzu1', '10.61.0'))
    c = host.client('armzu1')
    assert c.dhcp()
    look = ('busybox', 'nslookup', 'mirror.lan', '10.61.0.1')
    assert '10.61.0.42' not in c.ns.exec(*look, check=False).stdout
    host.virsh('net-update', 'dnsupd', 'add', 'dns-host',
               "<host ip='10.61.0.42'><hostname>mirror.lan</hostname></host>", '--live')
    # (busybox also asks for AAAA, which dnsmasq refuses: exit status 1)
    assert 'Address: 10.61.0.42' in c.ns.exec(*look, check=False).stdout
    # --live only: the persistent definition did not change
    assert 'mirror.lan' not in host.virsh('net-dumpxml', 'dnsupd', '--inactive').out


def test_update_errors_leave_the_definition_alone(host):
    """Every refusal names the problem, and the stored definition stays
    byte for byte as it was."""
    host.define(net_xml('bad', 'armzu2', '10.62.0'), start=False)
    path = os.path.join(host.netdir, 'bad.xml')
    host.virsh('net-update', 'bad', 'add', 'ip-dhcp-host',
               host_xml('52:54:00:00:00:01', '10.62.0.5', 'one'))
    before = open(path).read()
    cases = [
        (('add', 'ip-dhcp-host', host_xml('52:54:00:00:00:01', '10.62.0.6')),
         'existing dhcp host entry'),
        (('add', 'ip-dhcp-host', host_xml('52:54:00:00:00:02', '10.62.0.5')),
         'existing dhcp host entry'),
        (('delete', 'ip-dhcp-host', "<host mac='52:54:00:00:00:09'/>"),
         "couldn't locate a matching dhcp host entry"),
        (('add', 'ip-dhcp-host', host_xml('52:54:00:00:00:03', '10.99.0.5')),
         'is not within network'),
        (('add', 'ip-dhcp-host', "<host mac='nonsense' ip='10.62.0.8'/>"),
         "invalid MAC address 'nonsense'"),
        (('add', 'ip-dhcp-host', "<range start='10.62.0.2' end='10.62.0.3'/>"),
         'expecting <host>'),
        (('add', 'ip-dhcp-host', '<host mac='), 'XML error'),
        (('add', 'ip-dhcp-range', "<range start='10.62.0.150' end='10.62.0.220'/>"),
         'overlaps range'),
        (('modify', 'ip-dhcp-range', "<range start='10.62.0.100' end='10.62.0.199'/>"),
         'cannot be modified'),
        (('add', 'bridge', "<bridge name='x'/>"), "can't update 'bridge' section"),
        (('add', 'ip-dhcp-host', host_xml('52:54:00:00:00:04', '10.62.0.9'), '--live'),
         'is not running'),
    ]
    for args, want in cases:
        r = host.virsh('net-update', 'bad', *args, check=False)
        assert r.rc != 0 and want in r.err, (args, r)
    assert open(path).read() == before
    assert host.virsh('net-dumpxml', 'bad', '--inactive').out.count('<host ') == 1

    # a transient network has no persistent definition to change
    xml = os.path.join(host.tmp, 'tr.xml')
    with open(xml, 'w') as f:
        f.write(net_xml('trans', 'armzu3', '10.63.0'))
    host.virsh('net-create', xml)
    r = host.virsh('net-update', 'trans', 'add', 'ip-dhcp-host',
                   host_xml('52:54:00:00:00:05', '10.63.0.5'), '--config', check=False)
    assert r.rc != 0 and 'transient network' in r.err, r


def test_python_update_order_and_sections(host):
    """libvirt-python's update(command, section, ...) reaches the daemon in
    the API's order (the daemon claims the corrected order), for ranges
    (first <ip>, by index) and DNS hosts; modify replaces a host by MAC."""
    host.define(net_xml('pyupd', 'armzu4', '10.64.0'), start=False)
    conn = libvirt.open(host.uri)
    try:
        net = conn.networkLookupByName('pyupd')
        L = libvirt
        net.update(L.VIR_NETWORK_UPDATE_COMMAND_ADD_FIRST, L.VIR_NETWORK_SECTION_IP_DHCP_RANGE,
                   0, "<range start='10.64.0.20' end='10.64.0.30'/>",
                   L.VIR_NETWORK_UPDATE_AFFECT_CONFIG)
        net.update(L.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, L.VIR_NETWORK_SECTION_DNS_HOST, -1,
                   "<host ip='10.64.0.9'><hostname>db</hostname></host>", 0)
        net.update(L.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, L.VIR_NETWORK_SECTION_IP_DHCP_HOST,
                   -1, host_xml('52:54:00:00:00:0a', '10.64.0.10', 'a'), 0)
        net.update(L.VIR_NETWORK_UPDATE_COMMAND_MODIFY, L.VIR_NETWORK_SECTION_IP_DHCP_HOST,
                   -1, host_xml('52:54:00:00:00:0a', '10.64.0.11', 'b'), 0)
        xml = net.XMLDesc(L.VIR_NETWORK_XML_INACTIVE)
        assert xml.index("start='10.64.0.20'") < xml.index("start='10.64.0.100'"), xml
        assert "<hostname>db</hostname>" in xml
        assert host_xml('52:54:00:00:00:0a', '10.64.0.11', 'b') in xml and "'10.64.0.10'" not in xml
        try:
            net.update(L.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, L.VIR_NETWORK_SECTION_PORTGROUP,
                       -1, "<portgroup name='x'/>", 0)
        except libvirt.libvirtError as e:
            assert e.get_error_code() == L.VIR_ERR_NO_SUPPORT, e
        else:
            raise AssertionError('portgroup update accepted')
        # after the restart the edits are still there
        host.daemon.stop()
        host.daemon.start()
        assert "<hostname>db</hostname>" in host.virsh('net-dumpxml', 'pyupd').out
    finally:
        conn.close()
