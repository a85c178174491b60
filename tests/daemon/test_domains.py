"""Domain configuration: define, list, look up, dump, autostart, undefine."""
import os
import re
import threading
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import domain_xml, expect_error, new_uuid

N = 200
AUTOSTART_EVERY = 10   # dom000, dom010, ... get autostart: 20 domains

L = libvirt
LIST_FLAGS = {
    'ACTIVE': L.VIR_CONNECT_LIST_DOMAINS_ACTIVE,
    'INACTIVE': L.VIR_CONNECT_LIST_DOMAINS_INACTIVE,
    'PERSISTENT': L.VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
    'TRANSIENT': L.VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
    'AUTOSTART': L.VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
    'NO_AUTOSTART': L.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
    'SHUTOFF': L.VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
    'RUNNING': L.VIR_CONNECT_LIST_DOMAINS_RUNNING,
    'HAS_SNAPSHOT': L.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
    'NO_SNAPSHOT': L.VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT,
    'MANAGEDSAVE': L.VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
    'NO_MANAGEDSAVE': L.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
}


# ----------------------------------------------------------- 200 domains

class Many:
    pass


@pytest.fixture(scope='module')
def many(tmp_path_factory):
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    d = armzd.Daemon(root=str(tmp_path_factory.mktemp('many')))
    d.start()
    m = Many()
    m.daemon = d
    m.conn = libvirt.open(d.uri)
    m.names = [f'dom{i:03d}' for i in range(N)]
    m.uuids = {n: new_uuid() for n in m.names}
    m.autostart = set(m.names[::AUTOSTART_EVERY])
    m.error = None
    t0 = time.monotonic()
    try:
        for i, n in enumerate(m.names):
            dom = m.conn.defineXML(domain_xml(n, m.uuids[n], vtype='kvm' if i % 2 else 'qemu',
                                              memory_kib=131072 + 1024 * i, vcpus=1 + i % 4))
            if n in m.autostart:
                dom.setAutostart(1)
    except libvirt.libvirtError as e:
        m.error = e
    m.define_seconds = time.monotonic() - t0
    yield m
    try:
        m.conn.close()
    except libvirt.libvirtError:
        pass
    try:
        d.stop()
    except armzd.DaemonError as e:
        d.kill()
        pytest.fail(f'daemon shutdown: {e}', pytrace=False)


@pytest.fixture
def m(many):
    if many.error is not None:
        pytest.fail(f'defining {N} domains failed: {many.error}', pytrace=False)
    assert many.daemon.alive(), 'daemon died:\n' + many.daemon.log_tail()
    return many


def test_define_200_domains(m):
    files = sorted(f for f in os.listdir(m.daemon.confdir) if f.endswith('.xml'))
    assert files == sorted(n + '.xml' for n in m.names)
    assert m.conn.numOfDefinedDomains() == N
    assert m.define_seconds < 30, f'defining {N} domains took {m.define_seconds:.1f} s'
    # a stored file is a domain definition for that name and UUID
    x = ET.parse(os.path.join(m.daemon.confdir, 'dom007.xml')).getroot()
    assert x.findtext('name') == 'dom007'
    assert x.findtext('uuid') == m.uuids['dom007']


def test_virsh_list_all(m):
    rows = armzd.parse_virsh_list(m.daemon.virsh('list', '--all').out)
    assert sorted(r[1] for r in rows) == m.names
    assert all(r[0] == '-' and r[2] == 'shut off' for r in rows), rows[:5]
    assert armzd.parse_virsh_list(m.daemon.virsh('list').out) == []
    rows = armzd.parse_virsh_list(m.daemon.virsh('list', '--inactive').out)
    assert len(rows) == N
    r = m.daemon.virsh('list', '--all', '--name')
    assert sorted(x for x in r.out.splitlines() if x) == m.names
    r = m.daemon.virsh('list', '--all', '--uuid')
    assert sorted(x for x in r.out.splitlines() if x) == sorted(m.uuids.values())


def test_virsh_list_autostart_filters(m):
    r = m.daemon.virsh('list', '--all', '--autostart', '--name')
    assert sorted(x for x in r.out.splitlines() if x) == sorted(m.autostart)
    r = m.daemon.virsh('list', '--all', '--no-autostart', '--name')
    assert sorted(x for x in r.out.splitlines() if x) == sorted(set(m.names) - m.autostart)
    r = m.daemon.virsh('list', '--persistent', '--all', '--name')
    assert len([x for x in r.out.splitlines() if x]) == N
    r = m.daemon.virsh('list', '--transient', '--all', '--name')
    assert [x for x in r.out.splitlines() if x] == []


@pytest.mark.parametrize('flags,expect', [
    ((), 'all'),
    (('ACTIVE',), 'none'),
    (('INACTIVE',), 'all'),
    (('PERSISTENT',), 'all'),
    (('TRANSIENT',), 'none'),
    (('AUTOSTART',), 'autostart'),
    (('NO_AUTOSTART',), 'noautostart'),
    (('INACTIVE', 'AUTOSTART'), 'autostart'),
    (('PERSISTENT', 'NO_AUTOSTART'), 'noautostart'),
    (('ACTIVE', 'INACTIVE'), 'all'),
    (('AUTOSTART', 'NO_AUTOSTART'), 'all'),
    (('SHUTOFF',), 'all'),
    (('RUNNING',), 'none'),
    (('NO_MANAGEDSAVE',), 'all'),
    (('MANAGEDSAVE',), 'none'),
], ids=lambda v: ('+'.join(v) or 'noflags') if isinstance(v, tuple) else v)
def test_list_all_domains_flags(m, flags, expect):
    f = 0
    for k in flags:
        f |= LIST_FLAGS[k]
    got = sorted(d.name() for d in m.conn.listAllDomains(f))
    want = {'all': m.names, 'none': [], 'autostart': sorted(m.autostart),
            'noautostart': sorted(set(m.names) - m.autostart)}[expect]
    assert got == want, f'flags {flags}: got {len(got)} domains, expected {len(want)}'


def test_list_all_domains_objects(m):
    doms = m.conn.listAllDomains(0)
    by = {d.name(): d for d in doms}
    assert by['dom042'].UUIDString() == m.uuids['dom042']
    assert by['dom042'].ID() == -1


def test_legacy_list_calls(m):
    assert m.conn.numOfDomains() == 0
    assert m.conn.listDomainsID() == []
    assert m.conn.numOfDefinedDomains() == N
    assert sorted(m.conn.listDefinedDomains()) == m.names


def test_lookup_by_uuid_string(m):
    for n in m.names[::7]:
        dom = m.conn.lookupByUUIDString(m.uuids[n])
        assert dom.name() == n
        assert dom.UUIDString() == m.uuids[n]
        dom2 = m.conn.lookupByUUID(uuidlib.UUID(m.uuids[n]).bytes)
        assert dom2.name() == n
    r = m.daemon.virsh('domname', m.uuids['dom123'])
    assert r.out.strip() == 'dom123'
    r = m.daemon.virsh('domuuid', 'dom123')
    assert r.out.strip() == m.uuids['dom123']


def test_lookup_missing_is_no_domain(m):
    e = expect_error(L.VIR_ERR_NO_DOMAIN, m.conn.lookupByName, 'no-such-domain')
    assert 'no-such-domain' in e.get_error_message()
    expect_error(L.VIR_ERR_NO_DOMAIN, m.conn.lookupByUUIDString, new_uuid())
    expect_error(L.VIR_ERR_NO_DOMAIN, m.conn.lookupByID, 1)
    r = m.daemon.virsh('dominfo', 'no-such-domain', check=False)
    assert r.rc != 0
    assert 'failed to get domain' in r.err, r


def test_domain_getters(m):
    dom = m.conn.lookupByName('dom005')   # i=5: kvm, 131072+5*1024 KiB, 2 vCPUs
    state, maxmem, mem, nvcpu, cputime = dom.info()
    assert state == L.VIR_DOMAIN_SHUTOFF
    assert maxmem == 131072 + 5 * 1024
    assert nvcpu == 2
    st, reason = dom.state()
    assert st == L.VIR_DOMAIN_SHUTOFF
    assert reason in (L.VIR_DOMAIN_SHUTOFF_UNKNOWN, L.VIR_DOMAIN_SHUTOFF_SHUTDOWN,
                      L.VIR_DOMAIN_SHUTOFF_DESTROYED)
    assert dom.OSType() == 'hvm'
    assert dom.isActive() == 0
    assert dom.isPersistent() == 1
    assert dom.isUpdated() == 0
    assert dom.hasManagedSaveImage(0) == 0
    assert dom.ID() == -1
    assert dom.autostart() == 0
    assert m.conn.lookupByName('dom010').autostart() == 1
    assert dom.maxMemory() == 131072 + 5 * 1024


def test_virsh_dominfo(m):
    r = m.daemon.virsh('dominfo', 'dom010')
    t = armzd.parse_colon_table(r.out)
    assert t['Name'] == 'dom010'
    assert t['UUID'] == m.uuids['dom010']
    assert t['State'] == 'shut off'
    assert t['Persistent'] == 'yes'
    assert t['Autostart'] == 'enable'
    assert t['OS Type'] == 'hvm'
    assert t['Max memory'] == f'{131072 + 10 * 1024} KiB'
    assert t['Managed save'] == 'no'


def test_virsh_domstate(m):
    r = m.daemon.virsh('domstate', '--reason', 'dom001')
    assert r.out.strip().startswith('shut off'), r


# ----------------------------------------------------------- one daemon each

def test_dumpxml_round_trip(daemon, conn):
    x0 = domain_xml('roundtrip', new_uuid(), title='A title', description='Some <text> & more',
                    extra="  <features>\n    <gic version='host'/>\n    <pmu state='off'/>\n  </features>\n"
                          "  <metadata>\n    <app:info xmlns:app='http://example.org/app'>"
                          "v1</app:info>\n  </metadata>\n")
    dom = conn.defineXML(x0)
    a = dom.XMLDesc(0)
    root = ET.fromstring(a)
    assert root.findtext('name') == 'roundtrip'
    assert root.findtext('title') == 'A title'
    assert root.findtext('description') == 'Some <text> & more'
    assert root.find('os/type').get('arch') == 'aarch64'
    assert root.find('os/type').get('machine') == 'virt'
    assert root.findtext('os/kernel') == '/var/lib/armz/boot/Image'
    assert root.find('devices/disk/target').get('dev') == 'vda'
    assert root.find('metadata') is not None and len(root.find('metadata')) == 1
    # define the dumped XML again: identical output
    dom2 = conn.defineXML(a)
    b = dom2.XMLDesc(0)
    assert a == b, 'dumpxml -> define -> dumpxml changed the XML'
    assert conn.numOfDefinedDomains() == 1
    # virsh agrees with python, and --inactive is the same for a shut-off domain
    assert daemon.virsh('dumpxml', 'roundtrip').out.strip() == a.strip()
    assert daemon.virsh('dumpxml', '--inactive', 'roundtrip').out.strip() == a.strip()
    assert dom2.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE) == a
    # and through virsh define of the dumped file
    p = os.path.join(daemon.root, 'rt.xml')
    with open(p, 'w') as f:
        f.write(a)
    r = daemon.virsh('define', p)
    assert "Domain 'roundtrip' defined" in r.out, r
    assert conn.lookupByName('roundtrip').XMLDesc(0) == a


def test_uuid_generated_when_absent(conn):
    dom = conn.defineXML(domain_xml('nouuid'))
    u = dom.UUIDString()
    assert str(uuidlib.UUID(u)) == u
    assert ET.fromstring(dom.XMLDesc(0)).findtext('uuid') == u
    assert conn.lookupByUUIDString(u).name() == 'nouuid'


def test_duplicate_name_other_uuid_refused(daemon, conn):
    u1 = new_uuid()
    conn.defineXML(domain_xml('dup', u1, memory_kib=131072))
    e = expect_error((L.VIR_ERR_OPERATION_FAILED, L.VIR_ERR_DOM_EXIST),
                     conn.defineXML, domain_xml('dup', new_uuid(), memory_kib=262144))
    assert 'dup' in e.get_error_message()
    dom = conn.lookupByName('dup')
    assert dom.UUIDString() == u1
    assert dom.maxMemory() == 131072
    assert conn.numOfDefinedDomains() == 1
    assert ET.parse(os.path.join(daemon.confdir, 'dup.xml')).getroot().findtext('uuid') == u1


def test_same_uuid_redefine_updates(daemon, conn):
    u = new_uuid()
    conn.defineXML(domain_xml('upd', u, memory_kib=131072, vcpus=1))
    dom = conn.defineXML(domain_xml('upd', u, memory_kib=524288, vcpus=3))
    assert dom.UUIDString() == u
    assert conn.numOfDefinedDomains() == 1
    dom = conn.lookupByName('upd')
    assert dom.maxMemory() == 524288
    assert dom.info()[3] == 3
    x = ET.parse(os.path.join(daemon.confdir, 'upd.xml')).getroot()
    assert x.findtext('memory') == '524288'


def test_same_uuid_other_name_refused(conn):
    u = new_uuid()
    conn.defineXML(domain_xml('first', u))
    expect_error((L.VIR_ERR_OPERATION_FAILED, L.VIR_ERR_DOM_EXIST),
                 conn.defineXML, domain_xml('second', u))
    assert conn.lookupByUUIDString(u).name() == 'first'
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'second')


def test_autostart_set_get_and_link(daemon, conn):
    dom = conn.defineXML(domain_xml('auto', new_uuid()))
    link = os.path.join(daemon.autostartdir, 'auto.xml')
    assert dom.autostart() == 0
    assert not os.path.lexists(link)
    dom.setAutostart(1)
    assert dom.autostart() == 1
    assert os.path.islink(link), f'{link} is not a symlink'
    assert os.path.realpath(link) == os.path.realpath(os.path.join(daemon.confdir, 'auto.xml'))
    dom.setAutostart(1)  # idempotent
    assert dom.autostart() == 1
    dom.setAutostart(0)
    assert dom.autostart() == 0
    assert not os.path.lexists(link)
    # through virsh
    r = daemon.virsh('autostart', 'auto')
    assert 'marked as autostarted' in r.out, r
    assert os.path.islink(link)
    assert armzd.parse_colon_table(daemon.virsh('dominfo', 'auto').out)['Autostart'] == 'enable'
    r = daemon.virsh('autostart', '--disable', 'auto')
    assert 'unmarked as autostarted' in r.out, r
    assert not os.path.lexists(link)


def test_undefine_removes_file(daemon, conn):
    u = new_uuid()
    dom = conn.defineXML(domain_xml('gone', u))
    cfg = os.path.join(daemon.confdir, 'gone.xml')
    link = os.path.join(daemon.autostartdir, 'gone.xml')
    dom.setAutostart(1)
    assert os.path.exists(cfg) and os.path.islink(link)
    dom.undefine()
    assert not os.path.exists(cfg), 'config file left after undefine'
    assert not os.path.lexists(link), 'autostart link left after undefine'
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'gone')
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByUUIDString, u)
    assert conn.listAllDomains(0) == []
    # undefineFlags and virsh undefine
    dom = conn.defineXML(domain_xml('gone2'))
    dom.undefineFlags(L.VIR_DOMAIN_UNDEFINE_NVRAM)
    assert not os.path.exists(os.path.join(daemon.confdir, 'gone2.xml'))
    conn.defineXML(domain_xml('gone3'))
    r = daemon.virsh('undefine', 'gone3')
    assert "Domain 'gone3' has been undefined" in r.out, r
    assert not os.path.exists(os.path.join(daemon.confdir, 'gone3.xml'))
    # undefining twice: the stale handle gets NO_DOMAIN
    expect_error(L.VIR_ERR_NO_DOMAIN, dom.undefine)


def test_name_checks(daemon, conn):
    for bad in ('a/b', '', '../escape'):
        with pytest.raises(libvirt.libvirtError) as ei:
            conn.defineXML(domain_xml(bad))
        assert ei.value.get_error_code() != L.VIR_ERR_NO_SUPPORT
    assert conn.numOfDefinedDomains() == 0
    if os.path.isdir(daemon.confdir):
        assert [f for f in os.listdir(daemon.confdir) if f.endswith('.xml')] == []
    assert not os.path.exists(os.path.join(daemon.root, 'etc', 'libvirt', 'escape.xml'))


def test_special_characters_in_name(daemon, conn):
    name = "debian <&> 'quoted'"
    u = new_uuid()
    conn.defineXML(domain_xml(name, u))
    assert conn.lookupByName(name).UUIDString() == u
    rows = armzd.parse_virsh_list(daemon.virsh('list', '--all').out)
    assert [r[1] for r in rows] == [name]
    x = conn.lookupByName(name).XMLDesc(0)
    assert ET.fromstring(x).findtext('name') == name


@pytest.mark.parametrize('element', [
    "<graphics type='vnc' port='-1'/>",
    "<video><model type='virtio'/></video>",
    "<sound model='ich9'/>",
    "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' slot='1' "
    "function='0'/></source></hostdev>",
], ids=['graphics', 'video', 'sound', 'hostdev'])
def test_unsupported_hardware_refused(conn, element):
    tag = re.match(r'<([a-z]+)', element).group(1)
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML,
                     domain_xml('hw', extra_devices='    ' + element + '\n'))
    assert tag in e.get_error_message(), f'message does not name <{tag}>: {e}'
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'hw')


def test_malformed_xml_error(daemon, conn):
    e = expect_error(L.VIR_ERR_XML_ERROR, conn.defineXML,
                     "<domain type='kvm'><name>broken</name><memory>1</memory")
    assert e.get_error_message().strip()
    expect_error(L.VIR_ERR_XML_ERROR, conn.defineXML, 'not xml at all')
    expect_error(L.VIR_ERR_XML_ERROR, conn.defineXML, '')
    expect_error((L.VIR_ERR_XML_ERROR, L.VIR_ERR_CONFIG_UNSUPPORTED), conn.defineXML,
                 "<network><name>x</name></network>")
    assert conn.numOfDefinedDomains() == 0
    p = os.path.join(daemon.root, 'bad.xml')
    with open(p, 'w') as f:
        f.write("<domain type='kvm'><name>broken</name")
    r = daemon.virsh('define', p, check=False)
    assert r.rc != 0
    assert 'XML' in r.err or 'xml' in r.err, r


@pytest.mark.parametrize('case,xml,words', [
    ('no-name', domain_xml('x').replace('  <name>x</name>\n', ''), ('name',)),
    ('bad-memory', domain_xml('x').replace("<memory unit='KiB'>262144</memory>",
                                           "<memory unit='KiB'>lots</memory>"), ('memory',)),
    ('bad-vcpu', domain_xml('x').replace(">1</vcpu>", ">0</vcpu>"), ('vcpu',)),
    ('bad-uuid', domain_xml('x', uuid='not-a-uuid'), ('uuid',)),
    ('bad-type', domain_xml('x', vtype='xen'), ('xen', 'type')),
    ('bad-arch', domain_xml('x', arch='x86_64'), ('x86_64',)),
    ('bad-machine', domain_xml('x', machine='pc-q35'), ('pc-q35',)),
])
def test_bad_xml_message_names_problem(conn, case, xml, words):
    with pytest.raises(libvirt.libvirtError) as ei:
        conn.defineXML(xml)
    code = ei.value.get_error_code()
    msg = ei.value.get_error_message()
    assert code in (L.VIR_ERR_XML_ERROR, L.VIR_ERR_CONFIG_UNSUPPORTED, L.VIR_ERR_XML_DETAIL,
                    L.VIR_ERR_INVALID_ARG, L.VIR_ERR_INTERNAL_ERROR) and \
        code != L.VIR_ERR_NO_SUPPORT, f'{case}: {armzd.errname(code)} {msg!r}'
    assert any(w.lower() in msg.lower() for w in words), f'{case}: message does not name {words}: {msg!r}'
    assert conn.numOfDefinedDomains() == 0


def test_define_validate_flag(conn):
    good = domain_xml('valid')
    conn.defineXMLFlags(good, L.VIR_DOMAIN_DEFINE_VALIDATE)
    bad = domain_xml('invalid', extra='  <bogus-element/>\n')
    e = expect_error(L.VIR_ERR_XML_INVALID_SCHEMA, conn.defineXMLFlags, bad,
                     L.VIR_DOMAIN_DEFINE_VALIDATE)
    assert e.get_error_message().strip()
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'invalid')


def test_no_external_entities(daemon, conn):
    secret = os.path.join(daemon.root, 'secret.txt')
    with open(secret, 'w') as f:
        f.write('TOPSECRET-MARKER-4711')
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM "file://{secret}">]>\n'
           + domain_xml('xxe', description='PLACEHOLDER').replace('PLACEHOLDER', '&x;'))
    try:
        dom = conn.defineXML(xml)
    except libvirt.libvirtError as e:
        assert e.get_error_code() != L.VIR_ERR_NO_SUPPORT
        return
    assert 'TOPSECRET' not in dom.XMLDesc(0), 'external entity was loaded'


def test_concurrent_clients(daemon):
    errors = []
    nthreads, per = 8, 25

    def worker(t):
        try:
            c = libvirt.open(daemon.uri)
            for i in range(per):
                c.defineXML(domain_xml(f't{t}-{i}'))
                c.listAllDomains(0)
                c.lookupByName(f't{t}-{i}').XMLDesc(0)
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(f'thread {t}: {e}')

    ths = [threading.Thread(target=worker, args=(t,)) for t in range(nthreads)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(60)
    assert not errors, errors
    c = libvirt.open(daemon.uri)
    assert c.numOfDefinedDomains() == nthreads * per
    c.close()


def test_virsh_define_undefine(daemon):
    p = os.path.join(daemon.root, 'v.xml')
    with open(p, 'w') as f:
        f.write(domain_xml('viavirsh', new_uuid()))
    r = daemon.virsh('define', p)
    assert "Domain 'viavirsh' defined from" in r.out, r
    assert os.path.exists(os.path.join(daemon.confdir, 'viavirsh.xml'))
    r = daemon.virsh('undefine', 'viavirsh')
    assert 'has been undefined' in r.out, r
    assert not os.path.exists(os.path.join(daemon.confdir, 'viavirsh.xml'))


def test_no_temporary_files_left(daemon, conn):
    for i in range(20):
        conn.defineXML(domain_xml(f'atomic{i}'))
    conn.lookupByName('atomic3').undefine()
    conn.defineXML(domain_xml('atomic4', conn.lookupByName('atomic4').UUIDString(),
                              memory_kib=524288))
    left = sorted(os.listdir(daemon.confdir))
    want = sorted([f'atomic{i}.xml' for i in range(20) if i != 3])
    extra = [f for f in left if f not in want and f not in ('autostart', 'networks', 'storage')]
    assert not extra, f'unexpected files in the config dir: {extra}'
