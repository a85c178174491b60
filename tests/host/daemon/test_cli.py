"""The armz CLI with real guests: armz (built for this machine) drives
virtarmzd in the emulated arm64 test host over the forwarded TCP URI;
armz-host-validate runs inside the host (/extra, put there by
tests/cli/host-extra through ARMZ_HOST_EXTRA)."""
import json
import os
import queue
import shutil
import subprocess
import threading
import time

import libvirt
import pytest

from hostlib import BOOT_TIMEOUT, GUEST, URI, host_sh, wait_for

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
BUILD = os.environ.get('ARMZ_BUILD') or os.path.join(TOP, 'build')
ARMZ = os.path.join(BUILD, 'tools', 'armz', 'armz')
WAIT_CMDLINE = 'console=ttyAMA0 quiet panic=-1 armz.mode=wait'


def need_armz():
    if not os.path.exists(ARMZ):
        pytest.skip(f'armz is not built ({ARMZ})')


@pytest.fixture
def cleanup():
    names = []
    yield names
    c = libvirt.open(URI)
    for n in names:
        try:
            d = c.lookupByName(n)
        except libvirt.libvirtError:
            continue
        try:
            if d.isActive():
                d.destroy()
            d.undefine()
        except libvirt.libvirtError:
            pass
    c.close()


def armz(*args, timeout=120):
    return subprocess.run([ARMZ, '-c', URI, *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, LC_ALL='C'))


class Console:
    """armz create ... --console, its output read as it comes."""

    def __init__(self, *args):
        self.p = subprocess.Popen([ARMZ, '-c', URI, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=dict(os.environ, LC_ALL='C'))
        self.out = b''
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.p.stdout.read1(4096)
            self.q.put(b)
            if not b:
                return

    def expect(self, text, timeout=BOOT_TIMEOUT):
        end = time.monotonic() + timeout
        while text.encode() not in self.out:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f'{text!r} not seen in {timeout}s; console:\n'
                                     f'{self.out.decode(errors="replace")[-3000:]}\n'
                                     f'stderr: {self.p.stderr.read1(4096) if self.p.poll() is not None else ""}')
            try:
                b = self.q.get(timeout=left)
            except queue.Empty:
                continue
            if not b:
                raise AssertionError(f'armz ended (status {self.p.wait()}) before {text!r}:\n'
                                     f'{self.out.decode(errors="replace")[-3000:]}\n'
                                     f'{self.p.stderr.read().decode(errors="replace")}')
            self.out += b

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def detach(self):
        """^] ends armz's console with status 0; the guest keeps running."""
        self.send('\x1d')
        rc = self.p.wait(timeout=30)
        assert rc == 0, self.p.stderr.read().decode(errors='replace')


def test_cli_host_validate_passes_the_kvm_checks():
    rc, out = host_sh('test -x /extra/armz-host-validate || echo NO-HELPER; '
                      '/extra/armz-host-validate --json')
    if 'NO-HELPER' in out:
        pytest.fail('no /extra/armz-host-validate in the test host (see '
                    'tests/host/out/cli-extra.log)', pytrace=False)
    res = json.loads(out[out.index('{'):])
    checks = {c['id']: c for c in res['checks']}
    for c in ('kvm-device', 'kvm-access', 'kvm-ipa-size', 'kvm-create-vm', 'kvm-create-vcpu'):
        assert checks[c]['status'] == 'PASS', (c, checks[c])
    assert checks['kvm-device']['detail'].startswith('/dev/kvm')
    assert checks['kvm-irqchip']['status'] in ('PASS', 'WARN'), checks['kvm-irqchip']
    for c in ('kvm-user-irq', 'kvm-ioeventfd', 'kvm-psci'):
        assert c in checks
    # /dev/kvm: arm64 KVM, whatever profile the daemon gives armz-vmm
    assert checks['kvm-profile']['detail'].startswith('native'), checks['kvm-profile']
    assert res['result'] != 'FAIL' and rc == 0, out
    # the lines, as an administrator reads them
    rc, out = host_sh('/extra/armz-host-validate')
    assert 'ARMZ: Checking for the arm64 KVM device' in out and ': PASS' in out, out


def test_cli_create_start_boots_the_guest(cleanup):
    need_armz()
    cleanup.append('clistart')
    p = armz('create', 'clistart', '--kernel', f'{GUEST}/Image', '--initrd', f'{GUEST}/initrd',
             '--cmdline', WAIT_CMDLINE, '--memory', '192', '--vcpus', '2', '--start')
    assert p.returncode == 0, p.stderr
    assert "Domain 'clistart' started" in p.stdout
    dom = libvirt.open(URI).lookupByName('clistart')
    assert dom.isActive() and dom.info()[3] == 2
    # the guest boots: its console (armz create --console on a new guest shows
    # it from the start; here the running one is reached through virsh)
    c = Console('create', 'clicons', '--kernel', f'{GUEST}/Image', '--initrd',
                f'{GUEST}/initrd', '--cmdline', 'console=ttyAMA0 quiet panic=-1 armz.mode=shell',
                '--memory', '192', '--console')
    cleanup.append('clicons')
    c.expect("Connected to domain 'clicons'", 60)
    c.expect('ARMZ-GUEST SHELL')
    c.send('echo armz-$((6 * 7))\n')
    c.expect('armz-42', 60)
    c.detach()
    assert libvirt.open(URI).lookupByName('clicons').isActive()


def test_cli_image_build_guest_boots(cleanup):
    need_armz()
    rc, out = host_sh('ls /extra/image/')
    if 'armz-guest-initrd' not in out:
        pytest.fail('no /extra/image/armz-guest-initrd in the test host (see '
                    'tests/host/out/cli-extra.log)', pytrace=False)
    # the initramfs guest: a shell on the console
    cleanup.append('cliimg')
    c = Console('create', 'cliimg', '--kernel', f'{GUEST}/Image', '--initrd',
                '/extra/image/armz-guest-initrd', '--cmdline', 'console=ttyAMA0 quiet',
                '--memory', '192', '--console')
    c.expect('ARMZ-IMAGE READY')
    c.send('\necho image-$((6 * 7))\n')
    c.expect('image-42', 60)
    c.detach()
    # the power key powers it off (virsh shutdown)
    conn = libvirt.open(URI)
    dom = conn.lookupByName('cliimg')
    time.sleep(2)       # the init's power key watcher starts after READY
    dom.shutdown()
    wait_for(lambda: not dom.isActive(), 90, 'cliimg to power off on the power key')

    # the disk guest: the initramfs mounts /dev/vda (ext4) and continues there
    cleanup.append('clidisk')
    c = Console('create', 'clidisk', '--kernel', f'{GUEST}/Image', '--initrd',
                '/extra/image/armz-guest-initrd', '--disk', '/extra/image/armz-guest-root.img',
                '--cmdline', 'console=ttyAMA0 quiet root=/dev/vda rw', '--memory', '192',
                '--console')
    c.expect('ARMZ-IMAGE READY')
    c.send('\ngrep " / " /proc/mounts\n')
    c.expect('/dev/vda / ext4', 60)
    c.detach()


@pytest.mark.skipif(not shutil.which('tmux'), reason='tmux is not installed')
def test_cli_top_shows_the_running_guest(cleanup):
    need_armz()
    cleanup.append('clitop')
    p = armz('create', 'clitop', '--kernel', f'{GUEST}/Image', '--initrd', f'{GUEST}/initrd',
             '--cmdline', WAIT_CMDLINE, '--memory', '160', '--start')
    assert p.returncode == 0, p.stderr
    sess = f'armzhosttop{os.getpid()}'
    sock = f'/tmp/armz-tmux-host-{os.getpid()}'
    tm = ['tmux', '-S', sock]
    subprocess.run(tm + ['new-session', '-d', '-s', sess, '-x', '120', '-y', '30',
                         f"LC_ALL=C {ARMZ} -c '{URI}' top -d 1; echo TOP-EXIT=$?; sleep 30"],
                   check=True)

    def screen():
        return subprocess.run(tm + ['capture-pane', '-p', '-t', sess], capture_output=True,
                              text=True).stdout
    try:
        def row():
            rows = [l for l in screen().splitlines() if 'clitop' in l and 'running' in l]
            return rows[0] if rows else None
        r = wait_for(row, 30, 'clitop running in armz top', step=0.3)
        assert '160 MiB' in r and ':' in r.split()[-1], r     # uptime h:mm:ss
        subprocess.run(tm + ['send-keys', '-t', sess, 'q'], check=True)
        wait_for(lambda: 'TOP-EXIT=0' in screen(), 15, 'armz top to quit on q', step=0.3)
    finally:
        subprocess.run(tm + ['kill-server'], capture_output=True)
        if os.path.exists(sock):
            os.unlink(sock)
