"""A guest on a virtual network, in the emulated arm64 test host: virtarmzd
creates the NAT network (bridge, dnsmasq and nftables rules inside the test
host: run-host packs Debian's arm64 dnsmasq, nft and ip), the guest's
<interface type='network'> gets a tap on its bridge, the guest takes a DHCP
lease from that dnsmasq and pings its gateway; net-dhcp-leases and
domifaddr report the lease; the tap goes with the guest."""
import re

import libvirt
import pytest

from hostlib import ROOT, URI, domain_xml, host_sh, serial_log, virsh, wait_for

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
    for name in ('netguest',):
        try:
            d = c.lookupByName(name)
            if d.isActive():
                d.destroy()
            d.undefine()
        except libvirt.libvirtError:
            pass
    try:
        n = c.networkLookupByName('guestnet')
        if n.isActive():
            n.destroy()
        n.undefine()
    except libvirt.libvirtError:
        pass
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

    log = wait_for(lambda: (lambda s: s if re.search(r'ARMZ-GUEST (PING-\w+|DHCP-FAIL)', s)
                            else None)(serial_log('netguest')),
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

    dom.destroy()
    rc, ports = host_sh('/usr/sbin/ip -o link show master armzbr7')
    assert 'vnet' not in ports, ports
    net.destroy()
    rc, links = host_sh('/usr/sbin/ip -o link show dev armzbr7')
    assert rc != 0, links
    rc, table = host_sh('/usr/sbin/nft list table inet armz')
    assert rc != 0, table
