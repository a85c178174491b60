"""The read-only socket (and read-only connections) refuse every change, and
exactly what libvirt refuses there (the rule column of the procedure list)."""
import os
import struct

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


# ------------------------------------------------ the rule for every procedure

TSV = os.path.join(armzd.TOP, 'src', 'rpc', 'remote-procedures.tsv')


def _procedure_rules():
    """{number: (name, api, rule)} from the procedure list, whose read-only
    column says what libvirt's public API refuses."""
    rules = {}
    with open(TSV) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            num, name, api, rule = line.rstrip('\n').split('\t')
            rules[int(num)] = (name, api, rule)
    return rules


def _ro_handshake(d):
    # a client that does not ask for read-only: the socket must decide
    s = armzd.raw_connect(d.sock_ro)
    s.sendall(armzd.packet(proc=1, serial=1, body=armzd.xdr_opt_string('armz:///system')
                           + struct.pack('>I', 0)))
    hdr, body = armzd.recv_packet(s, 5)
    assert hdr[5] == armzd.OK, f'CONNECT_OPEN on the read-only socket: {hdr} {body[:200]!r}'
    return s


def _error_of(body):
    code, = struct.unpack('>i', body[:4])
    msg = ''
    if struct.unpack('>I', body[8:12])[0]:
        n, = struct.unpack('>I', body[12:16])
        msg = body[16:16 + n].decode()
    return code, msg


def test_every_procedure_refused_exactly_as_libvirt(daemon):
    """Each procedure number called with no arguments on the read-only socket:
    the ones libvirt refuses there come back OPERATION_DENIED (before their
    arguments are even decoded), the others never do; unserved ones are
    NO_SUPPORT."""
    rules = _procedure_rules()
    assert len(rules) >= 443 and rules[209][2] == 'no', 'procedure list lost its rules'
    served, problems = set(), []
    s = _ro_handshake(daemon)
    for num in sorted(rules) + [max(rules) + 1]:
        name, api, rule = rules.get(num, ('-', '-', '-'))
        if num in (1, 2):       # OPEN and CLOSE: the handshake itself
            served.add(num)
            continue
        try:
            s.sendall(armzd.packet(proc=num, serial=num))
            hdr, body = armzd.recv_packet(s, 5)
        except (EOFError, BrokenPipeError, ConnectionResetError):
            hdr = None
        if hdr is None:
            # a served procedure whose arguments did not decode: allowed so far
            served.add(num)
            if rule == 'no':
                problems.append(f'{num} {name}: closed instead of refused')
            s.close()
            s = _ro_handshake(daemon)
            continue
        assert hdr[2] == num and hdr[4] == num and hdr[3] == armzd.REPLY, (num, hdr)
        code = msg = None
        if hdr[5] == armzd.ERROR:
            code, msg = _error_of(body)
        if code == L.VIR_ERR_NO_SUPPORT:
            continue
        served.add(num)
        if code not in (DENIED, None):
            # undecodable arguments: the daemon closes the client after this
            s.close()
            s = _ro_handshake(daemon)
        if rule == 'no':
            if code != DENIED:
                problems.append(f'{num} {api}: allowed read-only ({armzd.errname(code)}: {msg})')
            elif f'read only access prevents {api}' not in msg:
                problems.append(f'{num} {api}: refused as {msg!r}')
        elif code == DENIED:
            problems.append(f'{num} {api} ({rule}): refused read-only: {msg}')
        if rule == '-':
            problems.append(f'{num} {name}: a message the daemon sends, served as a call')
    s.close()
    assert not problems, '\n'.join(problems)
    assert {209, 208, 11, 14, 342, 201} <= served and len(served) > 100, sorted(served)


@pytest.fixture
def volume(seeded, tmp_path):
    c = libvirt.open(seeded.uri)
    pool = c.storagePoolCreateXML(
        f"<pool type='dir'><name>ro</name><target><path>{tmp_path / 'ro-pool'}</path>"
        "</target></pool>", L.VIR_STORAGE_POOL_CREATE_WITH_BUILD)
    vol = pool.createXML("<volume><name>secret.img</name><capacity>65536</capacity>"
                         "<target><format type='raw'/></target></volume>", 0)
    with open(vol.path(), 'r+b') as f:
        f.write(b'private key material')
    c.close()
    return seeded


def test_readonly_socket_refuses_volume_transfers(volume):
    """Any local user reaches the read-only socket: it must not read (or
    write) volume contents, whatever the client claims."""
    c = libvirt.open(volume.uri_ro)
    try:
        vol = c.storagePoolLookupByName('ro').storageVolLookupByName('secret.img')
        assert vol.info()[1] == 65536
        st = c.newStream(0)
        e = expect_error(DENIED, vol.download, st, 0, 0, 0)
        assert 'read only access prevents virStorageVolDownload' in e.get_error_message()
        st = c.newStream(0)
        expect_error(DENIED, vol.upload, st, 0, 0, 0)
        assert c.getLibVersion() > 0, 'the refused stream broke the connection'
    finally:
        c.close()


def test_readonly_socket_refuses_secure_and_agent_queries(seeded):
    c = libvirt.open(seeded.uri_ro)
    try:
        dom = c.lookupByName('seed')
        assert '<name>seed</name>' in dom.XMLDesc(0)
        assert '<name>seed</name>' in dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE)
        for flag in (L.VIR_DOMAIN_XML_SECURE, L.VIR_DOMAIN_XML_MIGRATABLE,
                     L.VIR_DOMAIN_XML_SECURE | L.VIR_DOMAIN_XML_INACTIVE):
            e = expect_error(DENIED, dom.XMLDesc, flag)
            assert 'virDomainGetXMLDesc with secure flag' in e.get_error_message()
        e = expect_error(DENIED, dom.vcpusFlags, L.VIR_DOMAIN_VCPU_GUEST)
        assert 'virDomainGetVcpusFlags' in e.get_error_message()
        assert dom.vcpusFlags(L.VIR_DOMAIN_AFFECT_CONFIG) == 1
        expect_error(DENIED, dom.interfaceAddresses,
                     L.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0)
        try:
            dom.interfaceAddresses(L.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
        except libvirt.libvirtError as e:   # the domain is not running
            assert e.get_error_code() != DENIED, e.get_error_message()
        e = expect_error(DENIED, c.getDomainCapabilities, None, None, None, None, 0)
        assert 'virConnectGetDomainCapabilities' in e.get_error_message()
    finally:
        c.close()
