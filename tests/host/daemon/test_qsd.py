"""qcow2 disks and virtiofs shares through the vhost-user back-ends that
virtarmzd starts in the emulated arm64 test host, with the real armz-vmm's
vhost-user front-end: a guest boots with a qcow2 overlay on a raw backing file as its
vda, reads the backing file's content and writes into it; a second guest
on another overlay of the same backing file, running at the same time,
sees none of the first one's writes; virsh blockresize grows the first
one's overlay and its guest sees the new size; virsh domblkstat, BlockStatsFlags
and domstats --block count what the guest read and wrote through the
storage daemon (armz-vmm reads it off the vhost-user rings), O_DIRECT
reads and writes after the resize included; the backing file stays byte-identical,
the overlays pass `qemu-img check` and hold exactly what each guest wrote.
The storage daemon runs as the jail user, with no_new_privs, in the domain's
cgroup; a backing file that user cannot reach fails a start, naming it.
The second guest also has two LUKS disks (a raw LUKS image, its passphrase
a secret by uuid, and a qcow2 with built-in LUKS, by a 'volume' secret's
usage): it reads their plaintext, which the images on disk do not hold; a
wrong passphrase fails its start first, naming the disk.
Default cache mode: the test host's /tmp is tmpfs, which has no O_DIRECT.
Skipped when the test host has no arm64 qemu-storage-daemon/qemu-img
(tests/deps/vhost-user.post.sh; tests/host/run-host packs them)."""
import re

import libvirt
import pytest

from hostlib import ROOT, URI, domain_xml, host_sh, remove_domains, serial_log, virsh, wait_for, \
    wait_guest_marker

DIR = ROOT + '/qsdt'
SIZE = 8 << 20


def have(tool):
    return host_sh(f'command -v {tool}')[0] == 0


pytestmark = pytest.mark.skipif(not URI, reason='not driven by tests/host/run-host')


@pytest.fixture
def conn():
    if not (have('qemu-storage-daemon') and have('qemu-img')):
        pytest.skip('no arm64 qemu-storage-daemon/qemu-img in the test host')
    c = libvirt.open(URI)
    yield c
    for s in c.listAllSecrets(0):
        if s.usageID().startswith(DIR):
            s.undefine()
    remove_domains(c, 'qsda', 'qsdb')
    c.close()


def sh(cmd):
    rc, out = host_sh(cmd, timeout=120)
    assert rc == 0, f'{cmd}: {out}'
    return out


def disk(ov):
    return f"""<disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{DIR}/{ov}'/>
      <target dev='vda' bus='virtio'/>
    </disk>"""


def sums(name):
    return re.findall(r'ARMZ-GUEST BLKSUM vda (\d+) ([0-9a-f]{32})', serial_log(name))


LUKS_PASS = 'armz luks test passphrase'
MARK = 'ARMZ-LUKS-PLAINTEXT-MARKER'


def make_luks_images():
    """enc.luks (raw LUKS) and enc.qcow2 (qcow2 with LUKS), both holding
    plain.raw (MARK, then random bytes); the md5 of the plaintext."""
    sec = f"--object secret,id=s,data='{LUKS_PASS}'"
    # (again when QEMU's PBKDF benchmark measured no CPU time at all;
    # sha512's first round is long enough to be measured, sha256's often not)
    again = ('{{ i=0; while [ $i -lt 50 ]; do qemu-img convert {} && break; i=$((i+1)); '
             'done; [ $i -lt 50 ]; }}')
    sh(f'cd {DIR} && {{ printf %s {MARK}; head -c 2097126 /dev/urandom; }} > plain.raw && '
       + again.format(f'{sec} -f raw -O luks -o key-secret=s,iter-time=10,hash-alg=sha512 '
                      'plain.raw enc.luks')
       + ' && ' + again.format(f'{sec} -f raw -O qcow2 -o encrypt.format=luks,'
                               'encrypt.key-secret=s,encrypt.iter-time=10,encrypt.hash-alg=sha512 '
                               'plain.raw enc.qcow2'))
    for f in ('enc.luks', 'enc.qcow2'):
        rc, out = host_sh(f'grep -c {MARK} {DIR}/{f}')
        assert out.strip() == '0', f'{f} holds the plaintext: {out}'
    return sh(f'md5sum < {DIR}/plain.raw').split()[0]


def luks_disks(conn, value):
    """The two LUKS disks and their secrets (value VALUE)."""
    xml = "<secret ephemeral='no' private='yes'><usage type='volume'><volume>{}</volume>" \
          "</usage></secret>"
    s1 = conn.secretDefineXML(xml.format(f'{DIR}/enc.luks'))
    s2 = conn.secretDefineXML(xml.format(f'{DIR}/enc.qcow2'))
    for s in (s1, s2):
        s.setValue(value)
    return f"""<disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{DIR}/enc.luks'>
        <encryption format='luks'><secret type='passphrase' uuid='{s1.UUIDString()}'/></encryption>
      </source>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{DIR}/enc.qcow2'>
        <encryption format='luks'><secret type='passphrase' usage='{DIR}/enc.qcow2'/></encryption>
      </source>
      <target dev='vdc' bus='virtio'/>
    </disk>"""


def start(conn, name, ov, stamp, more=''):
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    xml = domain_xml(name, mode='blkstamp', extra=disk(ov) + more).replace(
        'armz.mode=blkstamp', f'armz.mode=blkstamp armz.stamp={stamp}')
    dom = conn.defineXML(xml)
    dom.create()
    return dom


def test_guests_on_one_backing_file_keep_their_writes_apart(conn):
    sh(f'rm -rf {DIR} && mkdir -p {DIR} && cd {DIR} && '
       f'dd if=/dev/urandom of=base.raw bs=1M count=8 2>/dev/null && '
       f'qemu-img create -q -f qcow2 -b {DIR}/base.raw -F raw a.qcow2 && '
       f'qemu-img create -q -f qcow2 -b {DIR}/base.raw -F raw b.qcow2')
    base = sh(f'md5sum < {DIR}/base.raw').split()[0]
    plain = make_luks_images()

    # the storage daemon runs as the jail user: a backing file in a directory
    # only root may enter fails the start, naming the file
    sh(f'mkdir -p {DIR}/private && chmod 700 {DIR}/private && '
       f'cp {DIR}/base.raw {DIR}/private/hidden.raw && cd {DIR} && '
       f'qemu-img create -q -f qcow2 -b {DIR}/private/hidden.raw -F raw c.qcow2')
    with pytest.raises(libvirt.libvirtError) as e:
        start(conn, 'qsdb', 'c.qcow2', 'CCCC')
    msg = e.value.get_error_message()
    assert f'{DIR}/private/hidden.raw' in msg and 'denied' in msg, msg
    conn.lookupByName('qsdb').undefine()

    a = start(conn, 'qsda', 'a.qcow2', 'AAAA')
    # its storage daemon: the jail user's, no_new_privs, in the domain's cgroup
    pid = sh('pidof qemu-storage-daemon').split()
    assert len(pid) == 1, pid
    st = sh(f'cat /proc/{pid[0]}/status /proc/{pid[0]}/cgroup')
    uid = sh("grep '^armz:' /etc/passwd").split(':')[2]
    assert re.search(rf'^Uid:\s+{uid}\s', st, re.M) and \
        re.search(r'^NoNewPrivs:\s+1$', st, re.M), st
    assert f'0::/machine.slice/machine-armz\\x2d{a.ID()}\\x2dqsda.scope' in st.splitlines(), st
    # the live XML shows the chain; domblklist the overlay
    live = a.XMLDesc(0)
    assert f"<source file='{DIR}/base.raw'/>" in live and "<format type='raw'/>" in live, live
    assert f'{DIR}/a.qcow2' in virsh('domblklist', 'qsda').stdout
    wait_guest_marker('qsda', 'ARMZ-GUEST BLKSTAMP-END')
    sa = sums('qsda')
    assert sa[0] == (str(SIZE), base), serial_log('qsda')     # reads the backing file
    assert sa[1][1] != base                                     # its write is there
    # the guest read vda twice (md5sum) and wrote its stamp (fsync); its
    # drop_caches between the reads may leave a few pages cached (CI once
    # counted 8 KiB less than twice the size), so: more than one whole read
    rd0, rdb0, wr0, wrb0, _ = a.blockStats('vda')
    assert rd0 > 0 and rdb0 >= SIZE + SIZE // 2 and wr0 > 0 and wrb0 >= 512, \
        a.blockStats('vda')

    # blockresize: the daemon grows the overlay, armz-vmm tells the guest
    a.blockResize('vda', 12 << 20, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
    wait_for(lambda: 'ARMZ-GUEST BLKSIZE vda 12582912' in serial_log('qsda'), 60,
             'the guest to see vda at 12 MiB')
    # then it read 4 MiB and wrote 1 MiB (into the new tail) with O_DIRECT
    wait_guest_marker('qsda', 'ARMZ-GUEST DIRECTIO vda')
    assert 'ARMZ-GUEST DIRECTIO vda ok' in serial_log('qsda'), serial_log('qsda')
    rd1, rdb1, wr1, wrb1, _ = a.blockStats('vda')
    assert rd1 > rd0 and rdb1 - rdb0 >= 4 << 20, ((rd0, rdb0), (rd1, rdb1))
    assert wr1 > wr0 and wrb1 - wrb0 >= 1 << 20, ((wr0, wrb0), (wr1, wrb1))
    st = a.blockStatsFlags('vda', 0)
    # (no flushes: the default cache mode exports a write-through disk)
    assert st['rd_bytes'] >= rdb1 and st['flush_operations'] == 0, st
    assert re.search(r'vda rd_bytes\s+\d+', virsh('domblkstat', 'qsda', 'vda').stdout)
    ds = virsh('domstats', '--block', 'qsda').stdout
    m = re.search(r'block\.0\.rd\.bytes=(\d+)', ds)
    assert 'block.0.name=vda' in ds and m and int(m.group(1)) >= rdb1, ds
    assert '"virtual-size": 12582912' in sh(f'qemu-img info -U --output=json {DIR}/a.qcow2')

    # a wrong passphrase: the start fails before the guest boots
    luks = luks_disks(conn, b'not the passphrase')
    with pytest.raises(libvirt.libvirtError) as e:
        start(conn, 'qsdb', 'b.qcow2', 'BBBB', luks)
    msg = e.value.get_error_message()
    assert "disk 'vdb'" in msg and 'password' in msg.lower(), msg
    conn.lookupByName('qsdb').undefine()
    for s in conn.listAllSecrets(0):
        if s.usageID().startswith(DIR):
            s.undefine()
    luks = luks_disks(conn, LUKS_PASS.encode())
    b = start(conn, 'qsdb', 'b.qcow2', 'BBBB', luks)         # a runs meanwhile
    wait_guest_marker('qsdb', 'ARMZ-GUEST BLKSTAMP-END')
    sb = sums('qsdb')
    assert sb[0] == (str(SIZE), base), serial_log('qsdb')     # none of a's writes
    assert sb[1][1] not in (base, sa[1][1])
    # the LUKS disks read as their plaintext, each counted under its name
    for dev in ('vdb', 'vdc'):
        assert f'ARMZ-GUEST BLKSUM {dev} 2097152 {plain}' in serial_log('qsdb'), \
            serial_log('qsdb')
        rd, rdb, wr, _, _ = b.blockStats(dev)
        assert rd > 0 and rdb >= 2 << 20 and wr == 0, (dev, b.blockStats(dev))

    a.destroy()
    b.destroy()
    assert sh(f'md5sum < {DIR}/base.raw').split()[0] == base  # byte-identical
    for ov, s in (('a', sa), ('b', sb)):
        # (a's grown tail reads as zeroes: the guest's sums cover 8 MiB)
        sh(f'cd {DIR} && qemu-img check -q {ov}.qcow2 && '
           f'qemu-img convert -O raw {ov}.qcow2 {ov}.out && truncate -s {SIZE} {ov}.out')
        assert sh(f'md5sum < {DIR}/{ov}.out').split()[0] == s[1][1]
    # the storage daemons went with their guests
    rc, out = host_sh('pidof qemu-storage-daemon')
    assert rc != 0, out


def test_virtiofs_share_through_the_daemon(conn):
    """A <filesystem> share: virtarmzd runs virtiofsd (chroot sandbox: the
    test host's root is an initramfs, where pivot_root is refused), the
    guest mounts it, reads a host file and writes one the host then sees."""
    if not have('/usr/bin/virtiofsd'):
        pytest.skip('no arm64 virtiofsd in the test host')
    share = DIR + '/share'
    sh(f'rm -rf {DIR} && mkdir -p {share} && '
       f'dd if=/dev/urandom of={share}/hostfile bs=1K count=100 2>/dev/null')
    want = sh(f'md5sum < {share}/hostfile').split()[0]
    host_sh(f'rm -f {ROOT}/qsda-serial.log')
    fs = f"""<filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/>
      <binary path='/usr/bin/virtiofsd'><sandbox mode='chroot'/></binary>
      <source dir='{share}'/>
      <target dir='armzshare'/>
    </filesystem>"""
    xml = domain_xml('qsda', mode='virtiofs', extra=fs).replace(
        'armz.mode=virtiofs', 'armz.mode=virtiofs armz.tag=armzshare')
    dom = conn.defineXML(xml)
    dom.create()
    live = dom.XMLDesc(0)
    assert "<source type='memfd'/>" in live and "<access mode='shared'/>" in live, live
    wait_guest_marker('qsda', 'ARMZ-GUEST VIRTIOFS-END')
    assert f'ARMZ-GUEST VIRTIOFS {want}' in serial_log('qsda'), serial_log('qsda')
    assert sh(f'cat {share}/from-guest').strip() == 'ARMZ-FROM-GUEST'
    dom.destroy()
    rc, out = host_sh('pidof virtiofsd')
    assert rc != 0, out
