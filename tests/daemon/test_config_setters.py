"""The definition setters clients use beside hotplug, on inactive domains:
virsh setmaxmem (virDomainSetMaxMemory), setvcpus --config (and
--maximum), desc (--title, --new-desc) and metadata (set, get, remove),
each saved (dumpxml --inactive, a daemon restart) and refused as libvirt
refuses (live changes of an inactive domain, a read-only connection)."""
import time
import xml.etree.ElementTree as ET

import libvirt

import armzd
from armzd import expect_error

L = libvirt
MIB = 1024
URI = 'http://example.org/app1/'


def inactive(dom):
    return ET.fromstring(dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE))


def test_setmaxmem_without_flags_is_config(daemon, conn):
    dom = conn.defineXML(armzd.domain_xml('maxmem0', memory_kib=512 * MIB))
    daemon.virsh('setmaxmem', 'maxmem0', '256M')
    root = inactive(dom)
    assert root.find('memory').text == str(256 * MIB), ET.tostring(root)
    assert root.find('currentMemory').text == str(256 * MIB)


def test_setvcpus_config(daemon, conn):
    dom = conn.defineXML(armzd.domain_xml('vcpus', vcpus=2))
    daemon.virsh('setvcpus', 'vcpus', '4', '--config', '--maximum')
    vcpu = inactive(dom).find('vcpu')
    # every vCPU is online at boot (no vCPU hotplug): no current='' below it
    assert (vcpu.text, vcpu.get('current')) == ('4', None), ET.tostring(vcpu)
    assert dom.vcpusFlags(L.VIR_DOMAIN_AFFECT_CONFIG | L.VIR_DOMAIN_VCPU_MAXIMUM) == 4
    daemon.virsh('setvcpus', 'vcpus', '4', '--config')
    e = expect_error(L.VIR_ERR_INVALID_ARG, dom.setVcpusFlags, 5, L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'greater than max allowable vcpus' in e.get_error_message(), e
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, dom.setVcpusFlags, 2,
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'vCPU hotplug' in e.get_error_message(), e
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setVcpusFlags, 2,
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message(), e
    expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setVcpus, 2)
    assert inactive(dom).find('vcpu').text == '4'


def test_desc_and_title(daemon, conn):
    dom = conn.defineXML(armzd.domain_xml('desc'))
    assert daemon.virsh('desc', 'desc').out.strip() in ('', 'No description for domain: desc')
    daemon.virsh('desc', 'desc', '--config', '--new-desc', 'a <b> & c')
    daemon.virsh('desc', 'desc', '--config', '--title', '--new-desc', 'The title')
    root = inactive(dom)
    assert root.find('description').text == 'a <b> & c'
    assert root.find('title').text == 'The title'
    assert daemon.virsh('desc', 'desc').out.strip() == 'a <b> & c'
    assert daemon.virsh('desc', 'desc', '--title').out.strip() == 'The title'
    assert dom.metadata(L.VIR_DOMAIN_METADATA_TITLE, None, 0) == 'The title'
    # an empty one removes it
    dom.setMetadata(L.VIR_DOMAIN_METADATA_TITLE, '', None, None, L.VIR_DOMAIN_AFFECT_CONFIG)
    assert inactive(dom).find('title') is None
    e = expect_error(L.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata, L.VIR_DOMAIN_METADATA_TITLE,
                     None, 0)
    assert 'not present' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setMetadata,
                     L.VIR_DOMAIN_METADATA_DESCRIPTION, 'x', None, None,
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()


def test_metadata_element(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    dom = c.defineXML(armzd.domain_xml('meta'))
    d.virsh('metadata', 'meta', URI, '--config', '--key', 'app1',
            '--set', "<foo bar='1'><baz>x</baz></foo>")
    d.virsh('metadata', 'meta', 'http://other.example/', '--config', '--key', 'o',
            '--set', '<other/>')
    got = d.virsh('metadata', 'meta', URI).out
    el = ET.fromstring(got)
    assert el.tag == '{%s}foo' % URI and el.get('bar') == '1', got
    assert el.find('baz').text == 'x', got
    # a second set replaces the element of that namespace
    dom.setMetadata(L.VIR_DOMAIN_METADATA_ELEMENT, '<new/>', 'app1', URI,
                    L.VIR_DOMAIN_AFFECT_CONFIG)
    md = inactive(dom).find('metadata')
    assert [ch.tag for ch in md] == ['{%s}new' % URI, '{http://other.example/}other'], \
        ET.tostring(md)
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    try:
        dom = c.lookupByName('meta')
        assert ET.fromstring(dom.metadata(L.VIR_DOMAIN_METADATA_ELEMENT, URI, 0)).tag == \
            '{%s}new' % URI
        d.virsh('metadata', 'meta', URI, '--config', '--remove')
        md = inactive(dom).find('metadata')
        assert [ch.tag for ch in md] == ['{http://other.example/}other']
        expect_error(L.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata,
                     L.VIR_DOMAIN_METADATA_ELEMENT, URI, 0)
        e = expect_error(L.VIR_ERR_XML_ERROR, dom.setMetadata, L.VIR_DOMAIN_METADATA_ELEMENT,
                         '<unclosed>', 'app1', URI, L.VIR_DOMAIN_AFFECT_CONFIG)
        e = expect_error(L.VIR_ERR_INVALID_ARG, dom.setMetadata, L.VIR_DOMAIN_METADATA_ELEMENT,
                         '<a/>', 'bad key', URI, L.VIR_DOMAIN_AFFECT_CONFIG)
        assert 'key' in e.get_error_message()
    finally:
        c.close()


def test_setters_read_only_refused(daemon, conn):
    conn.defineXML(armzd.domain_xml('ro-set'))
    ro = libvirt.openReadOnly(daemon.uri_ro)
    try:
        dom = ro.lookupByName('ro-set')
        expect_error(L.VIR_ERR_OPERATION_DENIED, dom.setVcpusFlags, 1,
                     L.VIR_DOMAIN_AFFECT_CONFIG)
        expect_error(L.VIR_ERR_OPERATION_DENIED, dom.setMaxMemory, 128 * MIB)
        expect_error(L.VIR_ERR_OPERATION_DENIED, dom.setMetadata,
                     L.VIR_DOMAIN_METADATA_DESCRIPTION, 'x', None, None, 0)
        # reading is allowed
        expect_error(L.VIR_ERR_NO_DOMAIN_METADATA, dom.metadata,
                     L.VIR_DOMAIN_METADATA_DESCRIPTION, None, 0)
    finally:
        ro.close()


def test_domrename(daemons, event_loop):
    d = daemons.new()
    c = libvirt.open(d.uri)
    got = []
    c.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                             lambda conn, dom, ev, detail, op: got.append(
                                 (dom.name(), ev, detail)), None)
    dom = c.defineXML(armzd.domain_xml('oldname', description='kept'))
    uuid = dom.UUIDString()
    dom.setAutostart(1)
    c.defineXML(armzd.domain_xml('taken'))
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.rename, 'taken', 0)
    assert "domain with name 'taken' already exists" in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.rename, 'oldname', 0)
    assert "Can't rename domain to itself" in e.get_error_message()
    d.virsh('domrename', 'oldname', 'newname')
    expect_error(L.VIR_ERR_NO_DOMAIN, c.lookupByName, 'oldname')
    new = c.lookupByName('newname')
    assert new.UUIDString() == uuid and new.autostart() == 1
    assert inactive(new).find('description').text == 'kept'
    end = time.monotonic() + 10
    while ('newname', L.VIR_DOMAIN_EVENT_DEFINED, L.VIR_DOMAIN_EVENT_DEFINED_RENAMED) not in got:
        assert time.monotonic() < end, got
        time.sleep(0.05)
    assert ('oldname', L.VIR_DOMAIN_EVENT_UNDEFINED, L.VIR_DOMAIN_EVENT_UNDEFINED_RENAMED) in got
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    try:
        names = sorted(x.name() for x in c.listAllDomains(0))
        assert names == ['newname', 'taken'], names
        assert c.lookupByName('newname').autostart() == 1
    finally:
        c.close()


def test_domrename_read_only_refused(daemon, conn):
    # (a running domain's refusal: tests/daemon/test_hotplug.py)
    conn.defineXML(armzd.domain_xml('rn-ro'))
    r = daemon.virsh('domrename', 'rn-ro', 'other', ro=True, check=False)
    assert r.rc != 0 and 'read only' in r.err.lower(), r
    assert conn.lookupByName('rn-ro')
