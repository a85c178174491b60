"""Interface link state (<link state='up|down'/>, virsh domif-setlink and
domif-getlink, virDomainUpdateDeviceFlags with an <interface>) against a
fake armz-vmm that speaks set_link (tests/daemon/fake_hotplug_vmm.py): a NIC
starts with link=down, set_link names it by its alias, the live and the
persistent XML follow LIVE and CONFIG, and any other change is refused as
libvirt refuses it. The guest's side (carrier, ping) is checked in the
emulated host (tests/host/scenarios/virtio-net.sh)."""
import os
import re
import xml.etree.ElementTree as ET

import libvirt
import pytest

from armzd import expect_error
from armzd import start_fake_vmm_domain

L = libvirt
MAC0, MAC1, MAC2 = '52:54:00:aa:bb:10', '52:54:00:aa:bb:11', '52:54:00:aa:bb:12'


def iface(mac, extra=''):
    return (f"<interface type='ethernet'><mac address='{mac}'/><model type='virtio'/>"
            f"{extra}</interface>")


@pytest.fixture
def linked(host, tmp_path):
    """A running domain of the fake VMM with two NICs on PCIe, the first one
    down, and a free root port."""
    c, dom = start_fake_vmm_domain(host.uri, tmp_path, 'lk',
                                   iface(MAC0, "<link state='down'/>") + iface(MAC1))
    yield c, dom
    try:
        if dom.isActive():
            dom.destroy()
        c.close()
    except libvirt.libvirtError:
        pass            # the test restarted the daemon


def log_lines(host, prefix):
    log = open(os.path.join(host.daemon.logdir, 'lk.log')).read()
    return [line[len(prefix):] for line in log.splitlines() if line.startswith(prefix)]


def set_links(host):
    return log_lines(host, 'fake-vmm: qmp set_link ')


def states(dom, flags=0):
    out = {}
    for i in ET.fromstring(dom.XMLDesc(flags)).findall('devices/interface'):
        link = i.find('link')
        out[i.find('mac').get('address')] = None if link is None else link.get('state')
    return out


def test_domif_setlink_live_and_config(host, linked):
    c, dom = linked
    args = log_lines(host, 'fake-vmm: args ')
    assert len(args) == 1, args
    # every NIC by its alias, the first one down from the start
    assert re.search(f'--net fd=[0-9]+,mac={MAC0},pci=[0-9]+:0,id=net0,link=down ', args[0]), args
    assert re.search(f'--net fd=[0-9]+,mac={MAC1},pci=[0-9]+:0,id=net1 ', args[0] + ' '), args
    assert states(dom) == {MAC0: 'down', MAC1: None}
    assert host.virsh('domif-getlink', 'lk', MAC0).out.split()[-1] == 'down'
    assert host.virsh('domif-getlink', 'lk', MAC1).out.split()[-1] == 'up'

    host.virsh('domif-setlink', 'lk', MAC0, 'up')
    assert set_links(host) == ['{"name": "net0", "up": true}']
    assert host.virsh('domif-getlink', 'lk', MAC0).out.split()[-1] == 'up'
    assert states(dom) == {MAC0: 'up', MAC1: None}
    # live only: the definition keeps its down
    assert states(dom, L.VIR_DOMAIN_XML_INACTIVE) == {MAC0: 'down', MAC1: None}
    # the same state again asks the VMM nothing
    host.virsh('domif-setlink', 'lk', MAC0, 'up')
    assert len(set_links(host)) == 1

    host.virsh('domif-setlink', 'lk', MAC1, 'down')
    assert set_links(host)[-1] == '{"name": "net1", "up": false}'
    assert states(dom)[MAC1] == 'down'

    # --config: the persistent definition only, saved
    host.virsh('domif-setlink', 'lk', MAC0, 'up', '--config')
    assert states(dom, L.VIR_DOMAIN_XML_INACTIVE) == {MAC0: 'up', MAC1: None}
    assert len(set_links(host)) == 2
    # both at once
    dom.updateDeviceFlags(iface(MAC1, "<link state='down'/>"),
                          L.VIR_DOMAIN_AFFECT_LIVE | L.VIR_DOMAIN_AFFECT_CONFIG)
    assert states(dom, L.VIR_DOMAIN_XML_INACTIVE)[MAC1] == 'down'
    # the status survives a daemon restart
    host.daemon.stop()
    host.daemon.start()
    c2 = libvirt.open(host.uri)
    try:
        dom = c2.lookupByName('lk')
        assert states(dom) == {MAC0: 'up', MAC1: 'down'}
        dom.destroy()
        # a start takes the definition's states
        assert states(dom) == {MAC0: 'up', MAC1: 'down'}
    finally:
        c2.close()


def test_other_changes_refused(host, linked):
    c, dom = linked
    live = ET.fromstring(dom.XMLDesc(0)).find('devices/interface')
    changed = ET.tostring(live, encoding='unicode').replace(
        '<model type="virtio" />', '<model type="virtio" /><mtu size="1400" />')
    assert 'mtu' in changed, changed
    e = expect_error(L.VIR_ERR_OPERATION_UNSUPPORTED, dom.updateDeviceFlags, changed,
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'cannot modify network device MTU' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_UNSUPPORTED, dom.updateDeviceFlags,
                     iface(MAC0, "<boot order='3'/><link state='up'/>"),
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'cannot modify network device boot index setting' in e.get_error_message()
    # found by MAC, then by alias (libvirt's virDomainNetFindIdx)
    e = expect_error(L.VIR_ERR_DEVICE_MISSING, dom.updateDeviceFlags,
                     iface(MAC0, "<alias name='net1'/><link state='up'/>"),
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert f'no device matching MAC address {MAC0} found' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_FAILED, dom.updateDeviceFlags,
                     "<interface type='ethernet'><link state='up'/></interface>",
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'multiple devices matching MAC address' in e.get_error_message()
    e = expect_error(L.VIR_ERR_DEVICE_MISSING, dom.updateDeviceFlags,
                     iface('52:54:00:aa:bb:99', "<link state='up'/>"), L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'no device matching MAC address 52:54:00:aa:bb:99 found' in e.get_error_message()
    expect_error(L.VIR_ERR_XML_ERROR, dom.updateDeviceFlags,
                 iface(MAC0, "<link state='sideways'/>"), L.VIR_DOMAIN_AFFECT_LIVE)
    # without a MAC, the alias names it
    dom.updateDeviceFlags("<interface type='ethernet'><alias name='net1'/>"
                          "<link state='down'/></interface>", L.VIR_DOMAIN_AFFECT_LIVE)
    assert set_links(host) == ['{"name": "net1", "up": false}']
    dom.updateDeviceFlags("<interface type='ethernet'><alias name='net1'/>"
                          "<link state='up'/></interface>", L.VIR_DOMAIN_AFFECT_LIVE)
    assert set_links(host)[-1] == '{"name": "net1", "up": true}', set_links(host)
    # nothing else reached the VMM, nothing changed
    assert len(set_links(host)) == 2
    assert states(dom) == {MAC0: 'down', MAC1: 'up'}
    assert states(dom, L.VIR_DOMAIN_XML_INACTIVE) == {MAC0: 'down', MAC1: None}
    # an inactive domain: current is config, live is refused
    dom.destroy()
    dom.updateDeviceFlags(iface(MAC1, "<link state='down'/>"), L.VIR_DOMAIN_AFFECT_CURRENT)
    assert states(dom, L.VIR_DOMAIN_XML_INACTIVE)[MAC1] == 'down'
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.updateDeviceFlags,
                     iface(MAC1, "<link state='up'/>"), L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()


def test_attach_with_link_down(host, linked):
    c, dom = linked
    dom.attachDeviceFlags(iface(MAC2, "<link state='down'/>"), L.VIR_DOMAIN_AFFECT_LIVE)
    adds = log_lines(host, 'fake-vmm: qmp device_add ')
    assert len(adds) == 1 and '"id": "net2"' in adds[0], adds
    # after device_add, as libvirt does
    assert set_links(host) == ['{"name": "net2", "up": false}']
    assert states(dom)[MAC2] == 'down'
    host.virsh('domif-setlink', 'lk', MAC2, 'up')
    assert set_links(host)[-1] == '{"name": "net2", "up": true}'
