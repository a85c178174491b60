"""A guest on a virtual network, in the emulated arm64 test host: virtarmzd
creates the NAT network (bridge, dnsmasq and nftables rules inside the test
host: run-host packs Debian's arm64 dnsmasq, nft and ip), the guest's
<interface type='network'> gets a tap on its bridge, the guest takes a DHCP
lease from that dnsmasq and pings its gateway; net-dhcp-leases and
domifaddr report the lease; the tap goes with the guest."""
import re

import libvirt
import pytest

from hostlib import (ROOT, URI, domain_xml, host_sh, remove_domains, remove_network, serial_log,
                     virsh, wait_for)

NET = """<network>
  <name>guestnet</name>
  <forward mode='nat'/>
  <bridge name='armzbr7' stp='off' delay='0'/>
  <ip address='10.77.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.150'/>
    </dhcp>
  </ip>
</network>"""

IFACE = """<interface type='network'>
      <source network='guestnet'/>
      <model type='virtio'/>
    </interface>"""

LEASE_TIMEOUT = 240


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    yield c
    remove_domains(c, 'netguest')
    remove_network(c, 'guestnet')
    c.close()


def test_guest_gets_lease_and_pings_gateway(conn):
    # (the host's shell runs busybox's own ip first: look at the files)
    rc, out = host_sh('ls /usr/sbin/dnsmasq /usr/sbin/nft /usr/sbin/ip')
    if rc != 0:
        pytest.skip('no arm64 dnsmasq/nft/ip in the test host (tests/deps/network.post.sh): '
                    + ' '.join(out.split()))
    net = conn.networkDefineXML(NET)
    net.create()
    rc, links = host_sh('/usr/sbin/ip -o addr show dev armzbr7')
    assert rc == 0 and '10.77.0.1/24' in links, links
    rc, table = host_sh('/usr/sbin/nft list table inet armz')
    assert rc == 0 and 'masquerade' in table, table

    host_sh(f'rm -f {ROOT}/netguest-serial.log')
    dom = conn.defineXML(domain_xml('netguest', mode='dhcp', extra=IFACE))
    mac = re.search(r"<mac address='([0-9a-f:]+)'/>", dom.XMLDesc(0)).group(1)
    dom.create()
    rc, ports = host_sh('/usr/sbin/ip -o link show master armzbr7')
    assert 'vnet' in ports, ports

    # whole lines: the serial log may be read in the middle of one
    done = re.compile(r'ARMZ-GUEST (PING-\w+ \S+|DHCP-FAIL)\r?\n')
    log = wait_for(lambda: (lambda s: s if done.search(s) else None)(serial_log('netguest')),
                   LEASE_TIMEOUT, 'the guest\'s DHCP lease and ping')
    m = re.search(r'ARMZ-GUEST DHCP ip=(\S+) router=(\S+)', log)
    assert m, f'the guest got no lease:\n{log}'
    ip, router = m.groups()
    assert ip.startswith('10.77.0.') and router == '10.77.0.1', log
    assert 'ARMZ-GUEST PING-OK 10.77.0.1' in log, log

    leases = virsh('net-dhcp-leases', 'guestnet').stdout
    assert mac in leases and f'{ip}/24' in leases, leases
    ifaddr = virsh('domifaddr', 'netguest').stdout
    assert re.search(rf'vnet\d+\s+{mac}\s+ipv4\s+{re.escape(ip)}/24', ifaddr), ifaddr
    check_statistics(dom, mac)

    dom.destroy()
    rc, ports = host_sh('/usr/sbin/ip -o link show master armzbr7')
    assert 'vnet' not in ports, ports
    net.destroy()
    rc, links = host_sh('/usr/sbin/ip -o link show dev armzbr7')
    assert rc != 0, links
    rc, table = host_sh('/usr/sbin/nft list table inet armz')
    assert rc != 0, table


def stat_table(text):
    """virsh domifstat/dommemstat output: "[dev] name value" lines -> dict."""
    return {p[-2]: int(p[-1]) for p in (line.split() for line in text.splitlines()) if len(p) >= 2}


def check_statistics(dom, mac):
    """The running guest's statistics: its tap (named in the live XML) has
    carried the DHCP exchange and the pings, the VMM's memory and vCPU
    time are there, through virsh and libvirt-python alike."""
    tap = re.search(r"<target dev='(vnet\d+)'/>", dom.XMLDesc(0))
    assert tap, dom.XMLDesc(0)
    tap = tap.group(1)
    st = stat_table(virsh('domifstat', 'netguest', tap).stdout)
    # the guest sent DHCP requests and pings, and got the answers
    assert st['rx_bytes'] > 300 and st['tx_bytes'] > 300, st
    assert st['rx_packets'] >= 2 and st['tx_packets'] >= 2, st
    by_mac = dom.interfaceStats(mac)
    assert by_mac[0] >= st['rx_bytes'] and by_mac[4] >= st['tx_bytes'], (by_mac, st)
    r = virsh('domifstat', 'netguest', 'eth9', check=False)
    assert r.returncode != 0 and "'eth9' is not a known interface" in r.stderr, r

    mem = stat_table(virsh('dommemstat', 'netguest').stdout)
    kib = dom.info()[2]
    assert mem['actual'] == kib, (mem, kib)
    assert 1024 < mem['rss'] < kib + 262144, mem
    assert dom.memoryStats()['actual'] == kib

    out = virsh('vcpuinfo', 'netguest').stdout
    assert re.search(r'^VCPU:\s+0$', out, re.M) and re.search(r'^State:\s+running$', out, re.M), out
    assert re.search(r'^CPU Affinity:\s+[y-]+$', out, re.M), out
    infos, maps = dom.vcpus()
    assert [i[0] for i in infos] == list(range(dom.info()[3])), infos
    assert all(i[1] == libvirt.VIR_VCPU_RUNNING and i[2] > 0 for i in infos), infos
    # the vCPU threads' time is part of the VMM's
    assert sum(i[2] for i in infos) <= dom.info()[4], (infos, dom.info())
    assert all(any(m) for m in maps), maps

    # all of it at once: virsh domstats (virConnectGetAllDomainStats)
    out = virsh('domstats', 'netguest').stdout
    ds = dict(line.strip().split('=', 1) for line in out.splitlines() if '=' in line)
    assert ds['state.state'] == str(libvirt.VIR_DOMAIN_RUNNING), ds
    assert int(ds['cpu.time']) > 0 and int(ds['balloon.rss']) > 1024, ds
    assert ds['net.count'] == '1' and ds['net.0.name'] == tap, ds
    assert int(ds['net.0.rx.bytes']) >= st['rx_bytes'], (ds, st)
    assert int(ds['vcpu.0.time']) > 0 and ds['vcpu.0.state'] == '1', ds
