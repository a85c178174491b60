"""The read-only socket (and read-only connections) refuse every change."""
import os

import libvirt
import pytest

import armzd
from armzd import domain_xml, expect_error, new_uuid

L = libvirt
DENIED = L.VIR_ERR_OPERATION_DENIED


def _snapshot(d):
    out = {}
    for dirpath, _, files in os.walk(d.confdir):
        for f in files:
            p = os.path.join(dirpath, f)
            out[p] = os.readlink(p) if os.path.islink(p) else open(p, 'rb').read()
    return out


@pytest.fixture
def seeded(daemon):
    c = libvirt.open(daemon.uri)
    dom = c.defineXML(domain_xml('seed', new_uuid()))
    dom.setAutostart(1)
    c.close()
    return daemon


def test_readonly_socket_refuses_define_allows_list(seeded):
    d = seeded
    before = _snapshot(d)
    ro = libvirt.openReadOnly(d.uri_ro)
    try:
        assert [x.name() for x in ro.listAllDomains(0)] == ['seed']
        dom = ro.lookupByName('seed')
        assert dom.XMLDesc(0)
        assert dom.autostart() == 1
        e = expect_error(DENIED, ro.defineXML, domain_xml('rw-attempt'))
        assert e.get_error_message()
        expect_error(DENIED, ro.defineXMLFlags, domain_xml('rw-attempt2'), 0)
        expect_error(DENIED, dom.undefine)
        expect_error(DENIED, dom.undefineFlags, 0)
        expect_error(DENIED, dom.setAutostart, 0)
        # a refused call leaves the connection usable
        assert ro.numOfDefinedDomains() == 1
    finally:
        ro.close()
    assert _snapshot(d) == before, 'a read-only connection changed the config dir'
    rw = libvirt.open(d.uri)
    try:
        expect_error(L.VIR_ERR_NO_DOMAIN, rw.lookupByName, 'rw-attempt')
        assert rw.lookupByName('seed').autostart() == 1
    finally:
        rw.close()


def test_readonly_socket_denied_even_without_ro_flag(seeded):
    # libvirt.open() (read-write request) on the -ro socket: the socket decides
    try:
        c = libvirt.open(seeded.uri_ro)
    except libvirt.libvirtError as e:
        assert e.get_error_code() == DENIED, armzd.errname(e.get_error_code())
        return
    try:
        assert [x.name() for x in c.listAllDomains(0)] == ['seed']
        expect_error(DENIED, c.defineXML, domain_xml('sneaky'))
        expect_error(DENIED, c.lookupByName('seed').undefine)
    finally:
        c.close()


def test_readonly_flag_on_rw_socket(seeded):
    # openReadOnly on the read-write socket asks for a read-only connection
    c = libvirt.openReadOnly(seeded.uri)
    try:
        assert c.numOfDefinedDomains() == 1
        expect_error(DENIED, c.defineXML, domain_xml('sneaky'))
    finally:
        c.close()


def test_virsh_r_on_ro_socket(seeded):
    d = seeded
    r = d.virsh('list', '--all', ro=True)
    assert [x[1] for x in armzd.parse_virsh_list(r.out)] == ['seed'], r
    r = d.virsh('dumpxml', 'seed', ro=True)
    assert '<name>seed</name>' in r.out
    p = os.path.join(d.root, 'ro.xml')
    with open(p, 'w') as f:
        f.write(domain_xml('rodef'))
    r = d.virsh('define', p, ro=True, check=False)
    assert r.rc != 0, r
    assert 'operation forbidden' in r.err or 'read only' in r.err or 'read-only' in r.err, r
    r = d.virsh('undefine', 'seed', ro=True, check=False)
    assert r.rc != 0, r
    assert os.path.exists(os.path.join(d.confdir, 'seed.xml'))


def test_virsh_r_with_rw_socket_path(seeded):
    """virsh -r with ?socket= naming the read-write socket: the connection is
    still read-only (the client sends VIR_CONNECT_RO)."""
    d = seeded
    r = d.virsh('list', '--all', ro=True, uri=d.uri)
    assert [x[1] for x in armzd.parse_virsh_list(r.out)] == ['seed'], r
    p = os.path.join(d.root, 'ro.xml')
    with open(p, 'w') as f:
        f.write(domain_xml('rodef'))
    r = d.virsh('define', p, ro=True, uri=d.uri, check=False)
    assert r.rc != 0, r
