"""What the big-endian daemon writes and answers is byte for byte what the
native one does: the same calls are made to the native virtarmzd and to the
s390x one, one after the other in the same --root path, and their trees
(definitions, autostart links, status files, volumes) and their answers
(XML, typed parameters, stream data) compared. Only what the daemon makes up
at random is normalised (the UUID and MAC of the 'default' network and pool
it defines on its first start), process ids, timestamps, and the pool sizes
that are the file system's."""
import os
import re
import shutil
import stat
import sys

import libvirt
import pytest

import armzd
from test_s390x_daemon import NET_XML

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'network'))
import netns  # noqa: E402

L = libvirt
NATIVE = os.environ.get('ARMZ_NATIVE_DAEMON') or os.path.join(
    armzd.BUILD, 'src', 'daemon', 'virtarmzd')

DOMAINS = [
    armzd.domain_xml('plain', uuid='11111111-2222-3333-4444-555555555555'),
    armzd.domain_xml('rich', uuid='aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', vcpus=4,
                     memory_kib=2097152, title='T\u00eftle', description='d\u00e9sc <&>',
                     extra_devices="""    <interface type='network'>
      <mac address='52:54:00:01:02:03'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
"""),
    armzd.domain_xml('odd name \u00e4', uuid='01234567-89ab-cdef-0123-456789abcdef'),
]


PAYLOAD = bytes(range(256)) * 1000 + b'\x12\x34\x56\x78\xde\xad\xbe\xef'


def exercise(d, pool_dir):
    """The calls, made to daemon D; returns the answers that must agree."""
    c = libvirt.open(d.uri)
    out = {}
    try:
        for x in DOMAINS:
            c.defineXML(x)
        rich = c.lookupByName('rich')
        rich.setAutostart(1)
        c.defineXML(armzd.domain_xml('gone', uuid='22222222-3333-4444-5555-666666666666'))
        c.lookupByName('gone').undefine()
        # no autostart: the restart below would start it, on the host's
        # network (bridge, dnsmasq, nftables)
        net = c.networkDefineXML(NET_XML)
        pool = c.storagePoolDefineXML(
            "<pool type='dir'><name>idpool</name>"
            "<uuid>33333333-4444-5555-6666-777777777777</uuid>"
            f"<target><path>{pool_dir}</path><permissions><mode>0750</mode></permissions>"
            "</target></pool>")
        pool.build(0)
        pool.create(0)
        pool.setAutostart(1)
        pool.createXML("<volume><name>a.raw</name><capacity unit='KiB'>300</capacity>"
                       "<target><format type='raw'/></target></volume>", 0)
        pool.createXML("<volume><name>b.qcow2</name><capacity unit='MiB'>64</capacity>"
                       "<target><format type='qcow2'/></target></volume>", 0)
        vol = pool.storageVolLookupByName('a.raw')
        st = c.newStream(0)
        vol.upload(st, 4096, len(PAYLOAD), 0)
        sent = 0
        while sent < len(PAYLOAD):
            sent += st.send(PAYLOAD[sent:sent + (1 << 16)])
        st.finish()
        st = c.newStream(0)
        vol.download(st, 0, 0, 0)
        got = bytearray()
        while True:
            chunk = st.recv(1 << 16)
            if not chunk:
                break
            got += chunk
        st.finish()
        out['download'] = bytes(got)

        for dom in c.listAllDomains(0):
            name = dom.name()
            out[f'dom {name} xml'] = dom.XMLDesc(0)
            out[f'dom {name} xml inactive secure'] = dom.XMLDesc(
                L.VIR_DOMAIN_XML_INACTIVE | L.VIR_DOMAIN_XML_SECURE)
            out[f'dom {name} info'] = dom.info()
            out[f'dom {name} state'] = dom.state()
            out[f'dom {name} autostart'] = dom.autostart()
            out[f'dom {name} uuid'] = dom.UUID()
        # typed parameters, as the RPC carries them
        out['all stats'] = sorted((s[0].name(), sorted(s[1].items()))
                                  for s in c.getAllDomainStats(0, 0))
        out['net xml'] = net.XMLDesc(0)
        out['net autostart'] = net.autostart()
        out['pool xml'] = fs_figures(pool.XMLDesc(0).encode())
        for v in pool.listAllVolumes(0):
            out[f'vol {v.name()} xml'] = re.sub(r'<([acmb]time)>[\d.]+<', r'<\1>T<',
                                                v.XMLDesc(0))
            out[f'vol {v.name()} info'] = v.info()
    finally:
        c.close()
    return out


GENERATED = re.compile(rb'(<uuid>)[0-9a-f-]{36}(</uuid>)|(<mac address=.)[0-9a-f:]{17}(.)')
FS_FIGURES = re.compile(rb'<(capacity|allocation|available) unit=.bytes.>\d+<')


def fs_figures(xml):
    """A dir pool's sizes are the file system's, which other processes change."""
    return FS_FIGURES.sub(rb'<\1>N<', xml)


def snapshot(root, dest):
    """ROOT's files as {relative path: (kind, mode, content)}; a copy goes
    to DEST for inspection when the test fails."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if rel == 'daemon.log':  # the test harness's, with times and pids
                continue
            if rel.endswith('.pid'):  # dnsmasq's pid
                files[rel] = ('pid', None, None)
                continue
            st = os.lstat(p)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                files[rel] = ('link', mode, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                files[rel] = ('dir', mode, None)
            elif stat.S_ISREG(st.st_mode):
                with open(p, 'rb') as f:
                    data = f.read()
                parts = rel.split(os.sep)
                if parts[-1] == 'default.xml' and ('networks' in parts or 'storage' in parts):
                    data = GENERATED.sub(lambda m: (m.group(1) or m.group(3)) + b'GENERATED' +
                                         (m.group(2) or m.group(4)), data)
                if parts[:4] == ['run', 'libvirt', 'armz', 'storage']:
                    data = fs_figures(data)
                if parts[:4] == ['run', 'libvirt', 'armz', 'networks']:
                    data = re.sub(rb"dnsmasq-pid='\d+'", b"dnsmasq-pid='PID'", data)
                files[rel] = ('file', mode, data)
            else:
                files[rel] = ('other', mode, None)
    shutil.copytree(root, dest, symlinks=True, ignore=lambda d, names: [
        n for n in names if stat.S_ISSOCK(os.lstat(os.path.join(d, n)).st_mode)])
    return files


def run_network(d, answers, keep):
    """Starts the network (in the daemon's own network namespace), and
    returns the files of the running state; stops it again."""
    c = libvirt.open(d.uri)
    try:
        net = c.networkLookupByName('benet')
        net.create()
        answers['net xml live'] = net.XMLDesc(0)
        answers['net active'] = net.isActive()
        files = snapshot(d.root, keep)
        net.destroy()
    finally:
        c.close()
    return files


def run_one(root, pool_dir, wrapper, binary, keep):
    os.makedirs(root)
    ns = netns.Netns('id') if netns.usable() is None else None
    d = armzd.Daemon(root=root, binary=binary, wrapper=wrapper,
                     user_cmd=ns.prefix() if ns else None)
    try:
        d.start(timeout=30)
        answers = exercise(d, pool_dir)
        answers['live files'] = run_network(d, answers, keep + '-live') if ns else None
        d.stop()
        # and what a restart reads back, then writes again
        d.start(timeout=30)
        c = libvirt.open(d.uri)
        answers['after restart'] = sorted((x.name(), x.XMLDesc(0), x.autostart())
                                          for x in c.listAllDomains(0))
        c.close()
        d.stop()
    finally:
        d.kill()
        if ns:
            ns.close()
    os.remove(d.logpath)
    files = snapshot(root, keep)
    shutil.rmtree(root)
    return answers, files


@pytest.fixture(scope='module')
def both(tmp_path_factory):
    """The two runs, once for the tests below."""
    if not os.path.exists(NATIVE):
        pytest.fail(f'native daemon missing: {NATIVE}', pytrace=False)
    tmp = tmp_path_factory.mktemp('identical')
    root = str(tmp / 'root')
    pool_dir = os.path.join(root, 'pool')
    native = run_one(root, pool_dir, [], NATIVE, str(tmp / 'native'))
    be = run_one(root, pool_dir, None, armzd.DAEMON, str(tmp / 's390x'))
    return native, be


def test_answers_identical(both):
    (na, _), (ba, _) = both
    assert na['download'][4096:4096 + len(PAYLOAD)] == PAYLOAD
    assert na['download'][:4096] == b'\0' * 4096
    assert len(na['download']) == 300 * 1024
    assert sorted(na) == sorted(ba)
    for k in sorted(na):
        if k != 'live files':
            assert ba[k] == na[k], f'{k}: the s390x daemon answers otherwise'


def same_files(nf, bf, must):
    assert sorted(bf) == sorted(nf), 'the s390x daemon wrote other files'
    # what must be there for the comparison to mean something
    for rel in must:
        assert rel in nf, f'{rel} missing: {sorted(nf)}'
    for rel in sorted(nf):
        assert bf[rel][:2] == nf[rel][:2], f'{rel}: kind or mode differs'
        assert bf[rel][2] == nf[rel][2], f'{rel}: the s390x daemon wrote other bytes'


def test_files_identical(both):
    (_, nf), (_, bf) = both
    same_files(nf, bf, (
        'etc/libvirt/armz/rich.xml', 'etc/libvirt/armz/autostart/rich.xml',
        'etc/libvirt/armz/networks/benet.xml', 'etc/libvirt/armz/storage/idpool.xml',
        'etc/libvirt/armz/storage/autostart/idpool.xml',
        'run/libvirt/armz/storage/idpool.xml', 'pool/a.raw', 'pool/b.qcow2'))


def test_running_network_files_identical(both):
    """The status files of a started network (the daemon in a network
    namespace of its own): its live definition, dnsmasq's configuration."""
    (na, _), (ba, _) = both
    if na['live files'] is None:
        pytest.skip(f'no network namespace here: {netns.usable()}')
    nf, bf = na['live files'], ba['live files']
    same_files(nf, bf, ('run/libvirt/armz/networks/benet.xml',))
    assert ba['net active'] == na['net active'] == 1
