"""The memory balloon in definitions: <memballoon model='virtio'> with its
stats period, autodeflate and freePageReporting is accepted and kept (what
Nova writes into every guest), currentMemory below memory needs it, and
setmem / setmaxmem / dommemstat --period change the persistent definition
of an inactive domain with libvirt's refusals. The live balloon (a guest
giving memory back, its statistics) is checked in tests/host/daemon."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt
MIB = 1024
NOVA_BALLOON = "    <memballoon model='virtio'>\n      <stats period='10'/>\n    </memballoon>\n"


def balloon_xml(name, extra_devices=NOVA_BALLOON, memory_kib=512 * MIB):
    return armzd.domain_xml(name, memory_kib=memory_kib, extra_devices=extra_devices)


def memballoon(dom, flags=0):
    root = ET.fromstring(dom.XMLDesc(flags))
    return root, root.find('devices/memballoon')


def test_nova_balloon_kept(conn):
    dom = conn.defineXML(balloon_xml('nova-balloon'))
    _, mb = memballoon(dom)
    assert mb is not None and mb.get('model') == 'virtio'
    assert mb.find('stats').get('period') == '10'


def test_balloon_attributes_kept(conn):
    dom = conn.defineXML(balloon_xml(
        'ballopts', "    <memballoon model='virtio' autodeflate='on' freePageReporting='on'/>\n"))
    _, mb = memballoon(dom)
    assert (mb.get('autodeflate'), mb.get('freePageReporting')) == ('on', 'on')
    assert mb.find('stats') is None


def test_current_memory_below_max_needs_virtio_balloon(conn):
    x = balloon_xml('shrunk', "    <memballoon model='none'/>\n").replace(
        f"<currentMemory unit='KiB'>{512 * MIB}<", f"<currentMemory unit='KiB'>{256 * MIB}<")
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML, x)
    assert "memballoon model='virtio'" in e.get_error_message()
    dom = conn.defineXML(x.replace("<memballoon model='none'/>", "<memballoon model='virtio'/>"))
    root, _ = memballoon(dom)
    assert root.find('currentMemory').text == str(256 * MIB)


def test_setmem_config(daemon, conn):
    """setmem on an inactive domain changes currentMemory of the definition
    (kept over a daemon restart is the store's job: it is written)."""
    dom = conn.defineXML(balloon_xml('setmem'))
    dom.setMemoryFlags(384 * MIB, L.VIR_DOMAIN_AFFECT_CONFIG)
    root, _ = memballoon(dom, L.VIR_DOMAIN_XML_INACTIVE)
    assert root.find('currentMemory').text == str(384 * MIB)
    daemon.virsh('setmem', 'setmem', '300M', '--config')
    root, _ = memballoon(dom, L.VIR_DOMAIN_XML_INACTIVE)
    assert root.find('currentMemory').text == str(300 * MIB)
    # more than the maximum: libvirt's refusal
    e = expect_error(L.VIR_ERR_INVALID_ARG, dom.setMemoryFlags, 1024 * MIB,
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'higher than max memory' in e.get_error_message()
    # the live balloon of a domain that does not run
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setMemoryFlags, 256 * MIB,
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()
    expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setMemory, 256 * MIB)


def test_setmem_config_without_balloon(conn):
    dom = conn.defineXML(balloon_xml('noballoon', ''))
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, dom.setMemoryFlags, 256 * MIB,
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert "memballoon model='virtio'" in e.get_error_message()
    # the whole memory needs none
    dom.setMemoryFlags(512 * MIB, L.VIR_DOMAIN_AFFECT_CONFIG)


def test_setmaxmem_config(conn):
    dom = conn.defineXML(balloon_xml('maxmem'))
    dom.setMemoryFlags(256 * MIB, L.VIR_DOMAIN_AFFECT_CONFIG | L.VIR_DOMAIN_MEM_MAXIMUM)
    root, _ = memballoon(dom, L.VIR_DOMAIN_XML_INACTIVE)
    assert root.find('memory').text == str(256 * MIB)
    # the current size follows it down
    assert root.find('currentMemory').text == str(256 * MIB)


def test_stats_period_config(daemon, conn):
    dom = conn.defineXML(balloon_xml('period'))
    dom.setMemoryStatsPeriod(5, L.VIR_DOMAIN_AFFECT_CONFIG)
    _, mb = memballoon(dom, L.VIR_DOMAIN_XML_INACTIVE)
    assert mb.find('stats').get('period') == '5'
    daemon.virsh('dommemstat', 'period', '--period', '7', '--config')
    _, mb = memballoon(dom, L.VIR_DOMAIN_XML_INACTIVE)
    assert mb.find('stats').get('period') == '7'
    e = expect_error(L.VIR_ERR_INVALID_ARG, dom.setMemoryStatsPeriod, -1,
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'period' in e.get_error_message()  # libvirt's client checks it first
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setMemoryStatsPeriod, 5,
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()
    nob = conn.defineXML(balloon_xml('period-none', "    <memballoon model='none'/>\n"))
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, nob.setMemoryStatsPeriod, 5,
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'no memory balloon' in e.get_error_message()


@pytest.mark.parametrize('call,args', [
    ('setMemoryFlags', (256 * MIB, L.VIR_DOMAIN_AFFECT_CONFIG)),
    ('setMemoryStatsPeriod', (5, L.VIR_DOMAIN_AFFECT_CONFIG)),
], ids=['setmem', 'period'])
def test_read_only_refused(daemon, conn, call, args):
    conn.defineXML(balloon_xml('ro-balloon'))
    ro = libvirt.openReadOnly(daemon.uri_ro)
    try:
        dom = ro.lookupByName('ro-balloon')
        expect_error(L.VIR_ERR_OPERATION_DENIED, getattr(dom, call), *args)
    finally:
        ro.close()
