"""Helpers for the daemon integration tests: start virtarmzd in a private
root, run virsh against it, build domain XML, speak raw RPC."""
import os
import re
import select
import shlex
import shutil
import signal
import socket
import struct
import sys
import subprocess
import tempfile
import time
import uuid as uuidlib

TOP = os.environ.get('ARMZ_TOP') or os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.environ.get('ARMZ_BUILD') or os.path.join(TOP, 'build')
DAEMON = os.environ.get('ARMZ_DAEMON') or os.path.join(BUILD, 'src', 'daemon', 'virtarmzd')
# what runs DAEMON, e.g. "qemu-s390x-static -L /usr/s390x-linux-gnu" for the
# cross-built big-endian daemon (tier 22-daemon-s390x)
DAEMON_WRAPPER = shlex.split(os.environ.get('ARMZ_DAEMON_WRAPPER', ''))
VIRSH = shutil.which('virsh') or '/usr/bin/virsh'

# Wire constants (DESIGN.md section 4).
REMOTE_PROGRAM = 0x20008086
KEEPALIVE_PROGRAM = 0x6b656570
CALL, REPLY, MESSAGE, STREAM = 0, 1, 2, 3
OK, ERROR, CONTINUE = 0, 1, 2
MAX_MESSAGE = 32 * 1024 * 1024

SANITIZER_MARKERS = ('AddressSanitizer', 'LeakSanitizer', 'UndefinedBehaviorSanitizer',
                     'runtime error:', 'GLib-CRITICAL', 'GLib-ERROR', 'Segmentation fault',
                     'double free', 'malloc(): ', 'free(): ')


def daemon_conftest(name, short):
    """This directory's conftest.py as a module of its own, NAME, whose tier
    lines name a test SHORT(nodeid): for other test directories to reuse its
    fixtures and hooks."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'conftest.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod._short = short
    return mod


# Firmware descriptors (<os firmware='efi'>) for every test daemon: the
# test set shaped like Debian's, not whatever this host has installed.
os.environ.setdefault('ARMZ_FIRMWARE_DIRS', os.path.join(TOP, 'tests', 'data', 'firmware'))


class DaemonError(Exception):
    pass


class Daemon:
    """One virtarmzd process. Logs (stderr+stdout) go to ROOT/daemon.log."""

    def __init__(self, root=None, args=(), env=None, user_cmd=None, use_root=True,
                 sock_dir=None, binary=None, wrapper=None):
        self.binary = binary or DAEMON
        self.wrapper = DAEMON_WRAPPER if wrapper is None else list(wrapper)
        self.own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix='armzd-')
        self.args = list(args)
        self.env = env
        self.user_cmd = user_cmd or []
        self.use_root = use_root
        self.sock_dir = sock_dir or os.path.join(self.root, 'run', 'libvirt')
        self.proc = None
        self.logpath = os.path.join(self.root, 'daemon.log')
        self.logfile = None
        self.starts = 0

    # paths
    @property
    def sock(self):
        return os.path.join(self.sock_dir, 'virtarmzd-sock')

    @property
    def sock_ro(self):
        return os.path.join(self.sock_dir, 'virtarmzd-sock-ro')

    @property
    def confdir(self):
        return os.path.join(self.root, 'etc', 'libvirt', 'armz')

    @property
    def autostartdir(self):
        return os.path.join(self.confdir, 'autostart')

    @property
    def logdir(self):
        return os.path.join(self.root, 'var', 'log', 'libvirt', 'armz')

    @property
    def uri(self):
        return 'armz+unix:///system?socket=' + self.sock

    @property
    def uri_ro(self):
        return 'armz+unix:///system?socket=' + self.sock_ro

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def cmdline(self):
        cmd = list(self.user_cmd) + self.wrapper + [self.binary]
        if self.use_root:
            cmd += ['--root', self.root]
        # ARMZ_TEST_VERBOSE=1 keeps the daemons' debug log, to chase a failure
        if os.environ.get('ARMZ_TEST_VERBOSE') and '--verbose' not in self.args:
            cmd.append('--verbose')
        return cmd + self.args

    def start(self, wait=True, timeout=10):
        if not os.path.exists(self.binary):
            raise DaemonError(f'daemon binary missing: {self.binary} (build it: ninja -C {BUILD})')
        self.logfile = open(self.logpath, 'ab')
        self.logfile.write(f'==== start {self.starts}: {" ".join(self.cmdline())}\n'.encode())
        self.logfile.flush()
        self.log_offset = self.logfile.tell()
        self.proc = subprocess.Popen(self.cmdline(), stdin=subprocess.DEVNULL,
                                     stdout=self.logfile, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        self.starts += 1
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=10, path=None):
        path = path or self.sock
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise DaemonError(f'daemon exited with {self.proc.returncode} before it was '
                                  f'ready:\n{self.log_tail()}')
            if os.path.exists(path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(path)
                    return
                except OSError:
                    pass
                finally:
                    s.close()
            time.sleep(0.02)
        raise DaemonError(f'daemon socket {path} not ready after {timeout} s:\n{self.log_tail()}')

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.logpath, 'rb') as f:
                return f.read().decode(errors='replace')
        except OSError:
            return ''

    def log_tail(self, n=40):
        return '\n'.join(self.log().splitlines()[-n:])

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit status. Raises if it crashed or hung."""
        if self.proc is None:
            return None
        problems = []
        if self.proc.poll() is not None:
            problems.append(f'daemon had already exited with {self.proc.returncode}')
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                problems.append(f'daemon did not exit {timeout} s after SIGTERM')
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        if rc != 0 and not problems:
            problems.append(f'daemon exit status {rc} after SIGTERM (expected 0)')
        if self.logfile:
            self.logfile.close()
            self.logfile = None
        log = self.log()
        for m in SANITIZER_MARKERS:
            if m in log:
                problems.append(f'daemon log contains {m!r}')
        self.proc = None
        if problems:
            raise DaemonError('; '.join(problems) + '\n--- daemon log tail:\n' + self.log_tail())
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        if self.logfile:
            self.logfile.close()
            self.logfile = None

    def cleanup(self):
        self.kill()
        if self.own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def rss_hwm_kib(self):
        with open(f'/proc/{self.pid}/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
        return None

    def virsh(self, *args, ro=False, check=True, timeout=30, uri=None, extra=(), lc='C'):
        return virsh(uri or (self.uri_ro if ro else self.uri), *args, ro=ro, check=check,
                     timeout=timeout, extra=extra, lc=lc)


class VirshResult:
    def __init__(self, cmd, rc, out, err):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err

    def __repr__(self):
        return f'<virsh {self.cmd!r} rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}>'


def virsh(uri, *args, ro=False, check=True, timeout=30, extra=(), env=None, user_cmd=(),
          lc='C'):
    cmd = list(user_cmd) + [VIRSH]
    if ro:
        cmd.append('-r')
    if uri is not None:
        cmd += ['-c', uri]
    cmd += list(extra) + list(args)
    e = dict(os.environ if env is None else env)
    e['LC_ALL'] = lc
    e.pop('LIBVIRT_DEFAULT_URI', None)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e,
                       stdin=subprocess.DEVNULL)
    r = VirshResult(cmd, p.returncode, p.stdout, p.stderr)
    if check and p.returncode != 0:
        raise AssertionError(f'virsh failed: {r!r}')
    return r


def parse_virsh_list(out):
    """Rows of `virsh list` as (id, name, state); names may contain spaces."""
    rows = []
    lines = out.splitlines()
    for line in lines:
        if not line.strip() or line.lstrip().startswith('Id') or set(line.strip()) == {'-'}:
            continue
        m = re.match(r'^\s*(\S+)\s+(.*?)\s{2,}(\S.*?)\s*$', line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def parse_colon_table(out):
    d = {}
    for line in out.splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            d[k.strip()] = v.strip()
    return d


# ---------------------------------------------------------------- domain XML

def xml_escape(s):
    return (s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace("'", '&apos;').replace('"', '&quot;'))


def domain_xml(name, uuid=None, vtype='kvm', memory_kib=262144, vcpus=1, extra_devices='',
               extra='', arch='aarch64', machine='virt', title=None, description=None,
               devices=True):
    """A domain in the issue's XML subset."""
    u = f"  <uuid>{uuid}</uuid>\n" if uuid else ''
    t = f"  <title>{xml_escape(title)}</title>\n" if title is not None else ''
    d = f"  <description>{xml_escape(description)}</description>\n" if description is not None else ''
    dev = ''
    if devices:
        dev = f"""  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/{xml_escape(name).replace('/', '_')}.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
{extra_devices}  </devices>
"""
    return f"""<domain type='{vtype}'>
  <name>{xml_escape(name)}</name>
{u}{t}{d}  <memory unit='KiB'>{memory_kib}</memory>
  <currentMemory unit='KiB'>{memory_kib}</currentMemory>
  <vcpu placement='static'>{vcpus}</vcpu>
  <os>
    <type arch='{arch}' machine='{machine}'>hvm</type>
    <kernel>/var/lib/armz/boot/Image</kernel>
    <cmdline>console=ttyAMA0 root=/dev/vda</cmdline>
  </os>
  <cpu mode='host-passthrough'/>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
{extra}{dev}</domain>
"""


def new_uuid():
    return str(uuidlib.uuid4())


def has_arm64_kvm():
    """Whether the daemon would find arm64 KVM here, by its own rule
    (armz_process_kvm_device): then guests start instead of being refused."""
    rw = os.R_OK | os.W_OK
    dev = os.environ.get('ARMZ_KVM_DEVICE')
    if dev:
        return os.access(dev, rw)
    return os.access('/dev/kvm-arm64', rw) or (os.uname().machine == 'aarch64' and
                                               os.access('/dev/kvm', rw))


# ---------------------------------------------------------------- raw RPC

def pack_header(prog, vers, proc, mtype, serial, status):
    return struct.pack('>6I', prog, vers, proc, mtype, serial, status)


def packet(prog=REMOTE_PROGRAM, vers=1, proc=1, mtype=CALL, serial=1, status=OK, body=b''):
    payload = pack_header(prog, vers, proc, mtype, serial, status) + body
    return struct.pack('>I', len(payload) + 4) + payload


def xdr_string(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack('>I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)


def xdr_opt_string(s):
    return struct.pack('>I', 0) if s is None else struct.pack('>I', 1) + xdr_string(s)


def recv_exact(sock, n, deadline):
    buf = b''
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            raise TimeoutError
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv_packet(sock, timeout=5):
    """Returns (header tuple, body), skipping keepalive. Raises EOFError on close,
    TimeoutError on silence."""
    deadline = time.monotonic() + timeout
    while True:
        ln = struct.unpack('>I', recv_exact(sock, 4, deadline))[0]
        if ln < 28 or ln > MAX_MESSAGE:
            raise ValueError(f'daemon sent bad length {ln}')
        data = recv_exact(sock, ln - 4, deadline)
        hdr = struct.unpack('>6I', data[:24])
        if hdr[0] == KEEPALIVE_PROGRAM:
            continue
        return hdr, data[24:]


def raw_connect(path, timeout=5):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def wait_closed(sock, timeout=5):
    """True when the peer closes (EOF or reset) within TIMEOUT; replies read
    on the way are returned as the second element."""
    deadline = time.monotonic() + timeout
    got = []
    while time.monotonic() < deadline:
        try:
            r, _, _ = select.select([sock], [], [], max(0, deadline - time.monotonic()))
        except (OSError, ValueError):
            return True, got
        if not r:
            break
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return True, got
        except OSError:
            return True, got
        if not chunk:
            return True, got
        got.append(chunk)
    return False, got


def free_tcp_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---------------------------------------------------------------- errors

def errname(code):
    import libvirt
    for k in sorted(dir(libvirt)):
        if k.startswith('VIR_ERR_') and getattr(libvirt, k) == code and k not in (
                'VIR_ERR_NONE', 'VIR_ERR_WARNING', 'VIR_ERR_ERROR'):
            return k
    return str(code)


def finalise_libvirt_garbage():
    """Collects libvirt objects left in reference cycles by a test. A domain
    object keeps its connection open after close(); when the garbage collector
    frees it later, libvirt closes that connection then, and the failed CLOSE
    to a daemon already stopped replaces libvirt's per-thread last error. Run
    in the middle of another test's failing call (between the call and
    libvirtError reading the error), it turns e.g. NO_SUPPORT into "client
    socket is closed". Collecting after every test keeps that out of tests."""
    import gc
    gc.collect()


try:
    import pytest as _pytest
except ImportError:  # armzd is also used without pytest
    _pytest = None
if _pytest is not None:
    @_pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(item, nextitem):
        """For the conftest files: after the test's fixtures are torn down."""
        yield
        finalise_libvirt_garbage()


def fake_vmm(tmp_path, script):
    """TMP_PATH/fake-vmm: tests/daemon/SCRIPT (a stand-in for armz-vmm) run
    by a copy of this interpreter named armz-vmm-fake; its path."""
    py = tmp_path / 'armz-vmm-fake'
    shutil.copy(os.path.realpath(sys.executable), py)
    vmm = tmp_path / 'fake-vmm'
    here = os.path.dirname(os.path.abspath(__file__))
    src = open(os.path.join(here, script)).read().split('\n', 1)[1]
    vmm.write_text(f'#!{py}\n' + src)
    vmm.chmod(0o755)
    return vmm


def fake_domain_xml(tmp, vmm, name, devices):
    """A domain NAME whose emulator is the fake VMM VMM, its kernel
    TMP/Image, with DEVICES."""
    return f"""<domain type='kvm'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='aarch64' machine='virt'>hvm</type><kernel>{tmp}/Image</kernel></os>
  <devices>
    <emulator>{vmm}</emulator>
    {devices}
  </devices>
</domain>"""


def start_fake_vmm_domain(uri, tmp_path, name, devices=''):
    """A running domain NAME of the fake armz-vmm that speaks device_add,
    device_del and set_link (fake_hotplug_vmm.py) on PCI Express with three
    free root ports and DEVICES, on the daemon at URI; (connection, domain)."""
    import libvirt
    vmm = fake_vmm(tmp_path, 'fake_hotplug_vmm.py')
    os.chmod(tmp_path, 0o755)
    (tmp_path / 'Image').write_bytes(b'not a kernel')
    conn = libvirt.open(uri)
    dom = conn.defineXML(fake_domain_xml(tmp_path, vmm, name, """
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    """ + devices))
    dom.create()
    return conn, dom


def expect_error(codes, fn, *args, **kw):
    """Calls FN, which must raise libvirtError with one of CODES (an int or a
    tuple). Returns the exception."""
    import libvirt
    if isinstance(codes, int):
        codes = (codes,)
    try:
        r = fn(*args, **kw)
    except libvirt.libvirtError as e:
        code = e.get_error_code()
        assert code in codes, (
            f'expected {"/".join(errname(c) for c in codes)}, got {errname(code)} '
            f'({code}): {e.get_error_message()!r}')
        # Without its traceback: frame -> e -> traceback -> frame is a cycle
        # that keeps FN's arguments (domains, hence their connection) alive
        # until the garbage collector runs (see finalise_libvirt_garbage).
        return e.with_traceback(None)
    raise AssertionError(f'expected {"/".join(errname(c) for c in codes)}, but the call '
                         f'succeeded and returned {r!r}')


def tier_logreport(prefix):
    """A pytest_runtest_logreport hook printing the tier's PASS/FAIL/SKIP
    line per test (tests/run counts them), names as PREFIX + test name."""
    results = {}

    def hook(report):
        if not os.environ.get('ARMZ_TIER_LINES'):
            return
        st = results.setdefault(report.nodeid, ['PASS', ''])
        if report.failed:
            st[0] = 'FAIL'
            st[1] = st[1] or report.when
        elif report.skipped and st[0] != 'FAIL':
            st[0] = 'SKIP'
            lr = report.longrepr
            st[1] = (lr[2] if isinstance(lr, tuple) else str(lr)).replace('Skipped: ', '')
        if report.when == 'teardown':
            name = prefix + report.nodeid.rsplit('::', 1)[-1]
            line = f'{st[0]}: {name}' + (f' ({st[1]})' if st[0] != 'PASS' else '')
            print('\n' + line, flush=True)
    return hook
