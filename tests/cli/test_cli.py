"""armz, the management CLI, against a real virtarmzd in a temporary root
(on this x86 machine guests cannot run: that part is in
tests/host/daemon/test_cli.py)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import time

import pytest

import armzd
from armzd import has_arm64_kvm
from conftest import ARMZ, CACHE, HOST_VALIDATE, SCHEMA, armz


# ------------------------------------------------------------------ basics

def test_help_for_every_command():
    p = armz('--help')
    assert p.returncode == 0, p.stderr
    for cmd in ('create', 'host-validate', 'image', 'top'):
        assert cmd in p.stdout
    for cmd, opt in (('create', '--print-xml'), ('host-validate', '--json'), ('top', '--delay'),
                     ('image build', '--pool')):
        p = armz(*cmd.split(), '--help')
        assert p.returncode == 0 and opt in p.stdout, (cmd, p.stdout, p.stderr)
    p = armz('help', 'create')
    assert p.returncode == 0 and '--disk' in p.stdout


def test_usage_errors_are_clear():
    p = armz('frobnicate')
    assert p.returncode == 2 and "unknown command 'frobnicate'" in p.stderr
    p = armz('create', '--print-xml')
    assert p.returncode == 2 and 'NAME' in p.stderr
    p = armz('create', 'x', '--kernel', '/k', '--memory', 'lots', '--print-xml')
    assert p.returncode == 2 and "'lots' is not a size" in p.stderr
    p = armz('create', 'x', '--print-xml')
    assert p.returncode == 2 and 'nothing to boot' in p.stderr
    p = armz('create', 'x', '--kernel', '/k', '--disk', 'path=/a,size=1G', '--print-xml')
    assert p.returncode == 2 and 'size= makes a new volume' in p.stderr
    p = armz('image', 'build', '--format', 'iso')
    assert p.returncode == 2 and "'iso'" in p.stderr


# ------------------------------------------------------------------ create

def test_print_xml_is_valid_and_defines_through_virsh(daemon, tmp_path):
    img = tmp_path / 'disk.img'
    img.write_bytes(b'\0' * 65536)
    p = armz('create', "o'neil & co", '--kernel', '/boot/Image', '--initrd', 'rel/initrd',
             '--cmdline', 'console=ttyAMA0 <quiet>', '--memory', '1G', '--vcpus', '2',
             # raw: define refuses a qcow2 disk, which armz-vmm cannot read
             '--disk', str(img), '--disk', 'default/data.qcow2,readonly=on',
             '--disk', 'size=2G', '--network', 'default', '--bridge', 'br0', '--print-xml')
    assert p.returncode == 0, p.stderr
    xml = tmp_path / 'dom.xml'
    xml.write_text(p.stdout)
    v = subprocess.run(['xmllint', '--noout', '--relaxng', SCHEMA, str(xml)],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stderr + p.stdout
    out = p.stdout
    assert '<name>o\'neil &amp; co</name>' in out
    assert '<memory unit="KiB">1048576</memory>' in out and '>2</vcpu>' in out
    assert f'<initrd>{os.getcwd()}/rel/initrd</initrd>' in out
    assert f'<source file="{img}"/>' in out
    assert '<source pool="default" volume="data.qcow2"/>' in out and '<readonly/>' in out
    assert '<source pool="default" volume="o\'neil &amp; co.img"/>' in out
    assert '<target dev="vdc" bus="virtio"/>' in out
    assert '<source network="default"/>' in out and '<source bridge="br0"/>' in out
    assert 'console=ttyAMA0 &lt;quiet&gt;' in out
    # --print-xml touches no daemon; the XML defines as it is
    daemon.virsh('define', str(xml))
    dump = daemon.virsh('dumpxml', "o'neil & co").out
    assert "<memory unit='KiB'>1048576</memory>" in dump
    assert "<source bridge='br0'/>" in dump


def test_create_defines_and_refuses_a_taken_name(daemon):
    p = armz('create', 'web', '--kernel', '/boot/Image', '--memory', '256', uri=daemon.uri)
    assert p.returncode == 0, p.stderr
    assert "Domain 'web' defined" in p.stdout
    info = armzd.parse_colon_table(daemon.virsh('dominfo', 'web').out)
    assert info['State'] == 'shut off' and info['Max memory'] == '262144 KiB'
    p = armz('create', 'web', '--kernel', '/boot/Image', uri=daemon.uri)
    assert p.returncode == 1 and "a domain named 'web' already exists" in p.stderr
    # the first definition is untouched
    assert '262144' in daemon.virsh('dumpxml', 'web').out


@pytest.mark.skipif(has_arm64_kvm(), reason='this host has arm64 KVM: the guest would start')
def test_create_start_without_kvm_says_why(daemon):
    p = armz('create', 'nokvm', '--kernel', '/boot/Image', '--start', uri=daemon.uri)
    assert p.returncode == 1
    assert "domain 'nokvm' is defined but did not start" in p.stderr
    assert '/dev/kvm-arm64' in p.stderr, p.stderr
    assert 'nokvm' in daemon.virsh('list', '--all', '--name').out


def default_pool(daemon, tmp_path):
    """The target directory of a started pool 'default' (defined here when
    the daemon has none). The daemon has storage: its absence is a failure."""
    r = daemon.virsh('pool-dumpxml', 'default', check=False)
    assert 'not supported' not in r.err, f'the daemon refuses storage pools: {r!r}'
    if r.rc != 0:
        target = tmp_path / 'pool'
        target.mkdir()
        daemon.virsh('pool-define-as', 'default', 'dir', '--target', str(target))
        r = daemon.virsh('pool-dumpxml', 'default')
    assert "<pool type='dir'>" in r.out, f'pool default is not a directory pool: {r!r}'
    if daemon.virsh('pool-info', 'default').out.find('running') < 0:
        daemon.virsh('pool-start', 'default')
    return pathlib.Path(re.search(r'<path>(.*?)</path>', r.out).group(1))


def test_create_disk_size_makes_a_volume(daemon, tmp_path):
    target = default_pool(daemon, tmp_path)
    p = armz('create', 'vm1', '--kernel', '/boot/Image', '--disk', 'size=16M', uri=daemon.uri)
    assert p.returncode == 0, p.stderr
    assert 'Volume default/vm1.img created (16 MiB)' in p.stdout
    assert os.path.getsize(target / 'vm1.img') == 16 << 20
    assert "volume='vm1.img'" in daemon.virsh('dumpxml', 'vm1').out
    # an existing volume by POOL/VOLUME; a missing one is an error
    p = armz('create', 'vm2', '--kernel', '/boot/Image', '--disk', 'default/vm1.img',
             uri=daemon.uri)
    assert p.returncode == 0, p.stderr
    p = armz('create', 'vm3', '--kernel', '/boot/Image', '--disk', 'default/nope.img',
             uri=daemon.uri)
    assert p.returncode == 1 and 'nope.img' in p.stderr, p.stderr
    # size= never reuses a volume; a failed define leaves no new volume behind
    p = armz('create', 'vm2b', '--kernel', '/boot/Image', '--disk', 'size=1M,vol=vm1.img',
             uri=daemon.uri)
    assert p.returncode == 1 and 'already exists' in p.stderr, p.stderr
    p = armz('create', 'vm4', '--kernel', '/boot/Image', '--disk', 'size=1M',
             '--virt-type', 'qemu', '--disk', 'size=1M,pool=nosuchpool', uri=daemon.uri)
    assert p.returncode == 1 and 'nosuchpool' in p.stderr
    assert not (target / 'vm4.img').exists()
    p = armz('create', 'bad name/x', '--kernel', '/k', uri=daemon.uri)
    assert p.returncode == 2


def test_create_network_is_checked(daemon):
    p = armz('create', 'n1', '--kernel', '/boot/Image', '--network', 'nosuchnet', uri=daemon.uri)
    # the daemon manages networks: armz must not fall back to "not checked"
    assert 'does not manage networks' not in p.stderr, p.stderr
    assert p.returncode == 1 and 'nosuchnet' in p.stderr, p.stderr
    assert "Domain 'n1'" not in p.stdout
    assert 'n1' not in daemon.virsh('list', '--all', '--name').out


# ------------------------------------------------------------------ connection errors

def test_daemon_not_running_names_the_command(tmp_path):
    sock = tmp_path / 'run' / 'libvirt' / 'virtarmzd-sock'
    p = armz('create', 'x', '--kernel', '/k', uri=f'armz+unix:///system?socket={sock}')
    assert p.returncode == 1
    assert 'the daemon virtarmzd is not running' in p.stderr
    assert f'virtarmzd --root {tmp_path}' in p.stderr, p.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which('setpriv'),
                    reason='needs root to act as another user')
def test_permission_denied_names_the_group(daemon, tmp_path):
    # another user must reach the socket: open the temporary directories
    d = os.path.dirname(daemon.sock)
    while d.startswith('/tmp/') and len(d) > len('/tmp/'):
        os.chmod(d, 0o755)
        d = os.path.dirname(d)
    user = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
    p = armz('create', 'x', '--kernel', '/k', uri=daemon.uri, user_cmd=user)
    assert p.returncode == 1
    assert 'permission denied on ' + daemon.sock in p.stderr, p.stderr
    assert 'unix_sock_group' in p.stderr
    # a socket a group may use: that group is named
    os.chown(daemon.sock, 0, 100)        # 'users'
    os.chmod(daemon.sock, 0o660)
    p = armz('create', 'x', '--kernel', '/k', uri=daemon.uri, user_cmd=user)
    assert "join the group 'users'" in p.stderr, p.stderr


# ------------------------------------------------------------------ host-validate

@pytest.mark.skipif(has_arm64_kvm(), reason='this host has arm64 KVM')
def test_host_validate_fails_without_arm64_kvm(daemon):
    p = armz('host-validate', '--json', uri=daemon.uri)
    assert p.returncode == 1, p.stderr
    res = json.loads(p.stdout)
    checks = {c['id']: c for c in res['checks']}
    assert res['result'] == 'FAIL'
    assert checks['kvm-device']['status'] == 'FAIL'
    assert '/dev/kvm-arm64' in checks['kvm-device']['detail']
    assert 'kvm-create-vm' not in checks        # nothing to probe
    assert checks['daemon']['status'] == 'PASS'
    for c in ('tun', 'cgroups', 'hugepages'):
        assert checks[c]['status'] in ('PASS', 'WARN')
    # the same in lines, as virt-host-validate prints them
    p = armz('host-validate', uri=daemon.uri)
    assert p.returncode == 1
    line = [l for l in p.stdout.splitlines() if 'arm64 KVM device' in l][0]
    assert line.startswith('ARMZ: Checking') and ': FAIL (' in line and '/dev/kvm-arm64' in line
    # the libvirt-free helper alone says the same
    h = subprocess.run([HOST_VALIDATE, '--json'], capture_output=True, text=True)
    assert h.returncode == 1 and json.loads(h.stdout)['checks'][0]['status'] == 'FAIL'


def test_host_validate_reports_a_missing_daemon(tmp_path):
    sock = tmp_path / 'run' / 'libvirt' / 'virtarmzd-sock'
    p = armz('host-validate', '-q', uri=f'armz+unix:///system?socket={sock}')
    assert p.returncode == 1
    line = [l for l in p.stdout.splitlines() if 'daemon answers' in l][0]
    assert 'FAIL' in line and 'virtarmzd --root' in line
    p = armz('host-validate', '--json', '--no-daemon', '--device', str(tmp_path / 'nodev'))
    checks = {c['id']: c for c in json.loads(p.stdout)['checks']}
    assert 'daemon' not in checks
    assert str(tmp_path / 'nodev') in checks['kvm-device']['detail']


# ------------------------------------------------------------------ top

@pytest.mark.skipif(not shutil.which('tmux'), reason='tmux is not installed')
def test_top_in_tmux_shows_guests_and_quits_on_q(daemon):
    armz('create', 'alpha', '--kernel', '/boot/Image', '--vcpus', '3', '--memory', '300',
         uri=daemon.uri, check=True)
    sess = f'armztop{os.getpid()}'
    sock = f'/tmp/armz-tmux-{os.getpid()}'
    tm = ['tmux', '-S', sock]
    subprocess.run(tm + ['new-session', '-d', '-s', sess, '-x', '120', '-y', '30',
                         f"LC_ALL=C {ARMZ} -c '{daemon.uri}' top -d 0.5; echo TOP-EXIT=$?; "
                         'sleep 30'], check=True)
    try:
        def screen():
            return subprocess.run(tm + ['capture-pane', '-p', '-t', sess], capture_output=True,
                                  text=True).stdout
        end = time.monotonic() + 15
        while 'alpha' not in screen() and time.monotonic() < end:
            time.sleep(0.2)
        s = screen()
        assert 'armz top' in s and 'NAME' in s, s
        row = [l for l in s.splitlines() if 'alpha' in l][0]
        assert 'shut off' in row and ' 3 ' in row and '300 MiB' in row, row
        # a new guest appears (lifecycle event DEFINED or the next refresh)
        armz('create', 'beta', '--kernel', '/boot/Image', uri=daemon.uri, check=True)
        end = time.monotonic() + 10
        while 'beta' not in screen() and time.monotonic() < end:
            time.sleep(0.2)
        assert 'beta' in screen()
        subprocess.run(tm + ['send-keys', '-t', sess, 'q'], check=True)
        end = time.monotonic() + 10
        while 'TOP-EXIT=' not in screen() and time.monotonic() < end:
            time.sleep(0.2)
        assert 'TOP-EXIT=0' in screen(), screen()
    finally:
        subprocess.run(tm + ['kill-server'], capture_output=True)
        if os.path.exists(sock):
            os.unlink(sock)


def test_top_batch_prints_tables(daemon):
    armz('create', 'gamma', '--kernel', '/boot/Image', uri=daemon.uri, check=True)
    p = armz('top', '--batch', '-n', '2', '-d', '0.2', uri=daemon.uri)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count('armz top - ') == 2 and 'gamma' in p.stdout


# ------------------------------------------------------------------ image build

def cache_parts():
    kroot = os.path.join(CACHE, 'arm64-kernel')
    bb = os.path.join(CACHE, 'busybox-arm64', 'bin', 'busybox')
    if not (os.path.isdir(kroot) and os.path.exists(bb)):
        pytest.skip(f'no unpacked arm64 kernel/busybox in {CACHE} (tests/deps/install)')
    return kroot, bb


def cpio_names(path):
    p = subprocess.run(['cpio', '-it', '--quiet'], stdin=open(path, 'rb'), capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def test_image_build_makes_kernel_initramfs_and_disk(tmp_path):
    kroot, bb = cache_parts()
    out = tmp_path / 'img'
    p = armz('image', 'build', '--output', str(out), '--name', 'g', '--format', 'disk',
             '--disk-size', '32M', '--kernel-root', kroot, '--busybox', bb, timeout=120)
    assert p.returncode == 0, p.stderr
    image = (out / 'g-Image').read_bytes()
    assert image[0x38:0x3c] == b'ARM\x64'
    names = cpio_names(out / 'g-initrd')
    for n in ('init', 'bin/busybox', 'dev/console', 'modules/order', 'modules/virtio_blk.ko',
              'modules/virtio_mmio.ko', 'modules/ext4.ko', 'modules/jbd2.ko'):
        assert n in names, n
    order = subprocess.run(['cpio', '-i', '--quiet', '--to-stdout', 'modules/order'],
                           stdin=open(out / 'g-initrd', 'rb'), capture_output=True,
                           text=True).stdout.split()
    # dependencies before their users
    assert order.index('failover.ko') < order.index('net_failover.ko') < order.index('virtio_net.ko')
    assert order.index('jbd2.ko') < order.index('ext4.ko')
    assert os.path.getsize(out / 'g-root.img') == 32 << 20
    if shutil.which('debugfs'):
        ls = subprocess.run(['debugfs', '-R', 'ls -l /sbin', str(out / 'g-root.img')],
                            capture_output=True, text=True).stdout
        assert 'init' in ls
    assert 'armz create g --kernel' in p.stdout
    # missing parts are named
    p = armz('image', 'build', '--output', str(out), '--kernel-root', str(tmp_path),
             '--busybox', bb)
    assert p.returncode == 1 and 'not an unpacked kernel package' in p.stderr


def test_image_build_makes_an_efi_disk(tmp_path):
    """--format efi: one GPT disk, the EFI system partition holding a unified
    kernel image at the removable-media path (kernel, initramfs and a
    command line naming the root partition), then the ext4 root; qcow2 on
    request."""
    kroot, bb = cache_parts()
    stub = os.path.join(CACHE, 'systemd-boot-efi-arm64', 'usr/lib/systemd/boot/efi',
                        'linuxaa64.efi.stub')
    if not os.path.exists(stub):
        pytest.skip(f'no {stub} (tests/deps/install)')
    out = tmp_path / 'img'
    p = armz('image', 'build', '--output', str(out), '--name', 'g', '--format', 'efi',
             '--disk-size', '16M', '--kernel-root', kroot, '--busybox', bb, '--efi-stub', stub,
             timeout=300)
    assert p.returncode == 0, p.stderr
    assert "firmware='efi'" in p.stdout, p.stdout
    disk = out / 'g-efi.img'
    assert sorted(os.listdir(out)) == ['g-efi.img'], os.listdir(out)
    parts = json.loads(subprocess.run(['sfdisk', '--json', str(disk)], capture_output=True,
                                      text=True, check=True).stdout)['partitiontable']
    assert parts['label'] == 'gpt'
    esp, root = parts['partitions']
    assert esp['type'] == 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', esp
    assert root['type'] == '0FC63DAF-8483-4772-8E79-3D69D8477DE4', root
    raw = disk.read_bytes()
    fat = tmp_path / 'esp.fat'
    fat.write_bytes(raw[esp['start'] * 512:(esp['start'] + esp['size']) * 512])
    uki = tmp_path / 'uki.efi'
    subprocess.run(['mcopy', '-i', str(fat), '::/EFI/BOOT/BOOTAA64.EFI', str(uki)], check=True)
    pe = uki.read_bytes()
    assert pe[:2] == b'MZ'
    for section in (b'.linux', b'.initrd', b'.cmdline', b'.osrel'):
        assert section in pe[:4096], section
    assert b'root=/dev/vda2' in pe
    # the root partition: the ext4 file system with /sbin/init
    rootfs = raw[root['start'] * 512:(root['start'] + root['size']) * 512]
    assert rootfs[1024 + 0x38:1024 + 0x3a] == b'\x53\xef'       # ext4 magic
    assert b'armz-root' in rootfs[1024:2048]
    if not shutil.which('qemu-img'):
        return
    p = armz('image', 'build', '--output', str(out), '--name', 'q', '--format', 'efi',
             '--disk-format', 'qcow2', '--disk-size', '16M', '--kernel-root', kroot,
             '--busybox', bb, '--efi-stub', stub, timeout=300)
    assert p.returncode == 0, p.stderr
    assert (out / 'q-efi.qcow2').read_bytes()[:4] == b'QFI\xfb'
    p = armz('image', 'build', '--format', 'disk', '--disk-format', 'qcow2')
    assert p.returncode == 2 and '--disk-format' in p.stderr, p.stderr


def test_image_build_uploads_into_a_pool(daemon, tmp_path):
    kroot, bb = cache_parts()
    target = default_pool(daemon, tmp_path)
    p = armz('image', 'build', '--output', str(tmp_path / 'img'), '--pool', 'default',
             '--kernel-root', kroot, '--busybox', bb, uri=daemon.uri, timeout=120)
    assert p.returncode == 0, p.stderr
    for f in ('armz-guest-Image', 'armz-guest-initrd'):
        assert (target / f).read_bytes() == (tmp_path / 'img' / f).read_bytes()
    assert '100%' in p.stderr
    assert f'--kernel {target}/armz-guest-Image' in p.stdout
    # a second upload does not overwrite
    p = armz('image', 'build', '--output', str(tmp_path / 'img'), '--pool', 'default',
             '--kernel-root', kroot, '--busybox', bb, uri=daemon.uri, timeout=120)
    assert p.returncode == 1 and 'already exists' in p.stderr


# ------------------------------------------------------------------ bash completion

def test_bash_completion_offers_commands_and_options():
    script = os.path.join(armzd.TOP, 'tools', 'bash-completion', 'armz')

    def complete(*words):
        prog = (f'source {script}; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
                f'COMP_CWORD={len(words) - 1}; _armz; printf "%s\\n" "${{COMPREPLY[@]}}"')
        p = subprocess.run(['bash', '-c', prog], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        return p.stdout.split()
    assert complete('armz', 'cr') == ['create']
    assert set(complete('armz', '')) >= {'create', 'host-validate', 'image', 'top'}
    assert '--print-xml' in complete('armz', 'create', 'x', '--')
    assert complete('armz', 'image', '') == ['build']
    assert complete('armz', 'image', 'build', '--format', '') == ['initramfs', 'disk', 'efi']
    assert '--json' in complete('armz', '-c', 'armz:///system', 'host-validate', '--')
