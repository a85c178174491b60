"""TCP listener, --timeout, session mode as an unprivileged user."""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import libvirt
import pytest

import armzd
from armzd import domain_xml, new_uuid


# ------------------------------------------------------------------ TCP

def test_virsh_over_tcp(daemons):
    port = armzd.free_tcp_port()
    d = daemons.new(args=['--listen-tcp', f'127.0.0.1:{port}'])
    d.wait_ready()
    uri = f'armz+tcp://127.0.0.1:{port}/system'
    end = time.monotonic() + 5
    r = None
    while time.monotonic() < end:
        r = armzd.virsh(uri, 'uri', check=False)
        if r.rc == 0:
            break
        time.sleep(0.1)
    assert r.rc == 0, r
    assert r.out.strip() == uri, r
    c = libvirt.open(uri)
    try:
        c.defineXML(domain_xml('overtcp', new_uuid()))
        assert c.isEncrypted() == 0
    finally:
        c.close()
    r = armzd.virsh(uri, 'list', '--all', '--name')
    assert r.out.split() == ['overtcp'], r
    r = armzd.virsh(uri, 'version', '--daemon')
    assert 'Running against daemon' in r.out
    # the unix socket serves the same daemon at the same time
    assert d.virsh('list', '--all', '--name').out.split() == ['overtcp']


def _host_addresses():
    addrs = set()
    try:
        out = subprocess.run(['hostname', '-I'], capture_output=True, text=True).stdout
        addrs |= {a for a in out.split() if ':' not in a}
    except OSError:
        pass
    return sorted(a for a in addrs if not a.startswith('127.'))


def test_tcp_listener_binds_only_where_told(daemons):
    port = armzd.free_tcp_port()
    daemons.new(args=['--listen-tcp', f'127.0.0.1:{port}'])
    addrs = _host_addresses()
    if not addrs:
        pytest.skip('no non-loopback IPv4 address to probe')
    for a in addrs:
        s = socket.socket()
        s.settimeout(1)
        try:
            with pytest.raises(OSError):
                s.connect((a, port))
        finally:
            s.close()
    s = socket.create_connection(('127.0.0.1', port), timeout=2)
    s.close()


def test_bad_listen_tcp_is_refused(daemons):
    for bad in ('127.0.0.1', '127.0.0.1:0', '127.0.0.1:99999', 'nohost.invalid:5000'):
        d = daemons.new(args=['--listen-tcp', bad], start=False)
        d.start(wait=False)
        try:
            d.proc.wait(10)
        except subprocess.TimeoutExpired:
            pytest.fail(f'--listen-tcp {bad}: the daemon runs anyway')
        assert d.proc.returncode != 0, f'--listen-tcp {bad}: exit status 0'
        assert d.proc.returncode > 0, f'--listen-tcp {bad}: killed by signal ' \
                                      f'{-d.proc.returncode}\n{d.log_tail()}'
        d.proc = None


def test_no_tcp_without_option(daemon):
    out = subprocess.run(['ss', '-ltnp'], capture_output=True, text=True).stdout \
        if shutil.which('ss') else ''
    for line in out.splitlines():
        assert f'pid={daemon.pid},' not in line, f'daemon listens on TCP by default: {line}'


# ------------------------------------------------------------------ --timeout

def test_timeout_idle_daemon_exits(daemons):
    d = daemons.new(args=['--timeout', '2'])
    t0 = time.monotonic()
    time.sleep(1.0)
    assert d.alive(), 'exited before its 2 s timeout'
    try:
        d.proc.wait(8)
    except subprocess.TimeoutExpired:
        pytest.fail('--timeout 2: the idle daemon still runs after 9 s')
    took = time.monotonic() - t0
    assert d.proc.returncode == 0, f'exit status {d.proc.returncode}\n{d.log_tail()}'
    assert 1.5 <= took <= 9, took
    d.proc = None


def test_timeout_waits_for_connected_client(daemons):
    d = daemons.new(args=['--timeout=2'])
    c = libvirt.open(d.uri)
    time.sleep(3.5)
    assert d.alive(), 'daemon timed out while a client was connected'
    assert c.getLibVersion() > 0
    c.close()
    try:
        d.proc.wait(8)
    except subprocess.TimeoutExpired:
        pytest.fail('daemon did not exit after the last client left')
    assert d.proc.returncode == 0
    d.proc = None


# ------------------------------------------------------------------ session

def _user():
    if os.getuid() != 0:
        return None   # already unprivileged: run as ourselves
    return pwd.getpwnam('nobody')


class Session:
    def __init__(self):
        self.user = _user()
        self.base = tempfile.mkdtemp(prefix='armz-session-', dir='/tmp')
        for sub in ('home', 'run', 'config', 'cache'):
            os.makedirs(os.path.join(self.base, sub), mode=0o700)
        if self.user:
            for dirpath, dirs, _ in os.walk(self.base):
                os.chown(dirpath, self.user.pw_uid, self.user.pw_gid)
        self.run = os.path.join(self.base, 'run')
        self.env = {
            'PATH': '/usr/sbin:/usr/bin:/sbin:/bin',
            'HOME': os.path.join(self.base, 'home'),
            'XDG_RUNTIME_DIR': self.run,
            'XDG_CONFIG_HOME': os.path.join(self.base, 'config'),
            'XDG_CACHE_HOME': os.path.join(self.base, 'cache'),
            'LC_ALL': 'C',
        }
        if self.user:
            self.env['USER'] = self.env['LOGNAME'] = self.user.pw_name
        self.sock = os.path.join(self.run, 'libvirt', 'virtarmzd-sock')

    @property
    def as_user(self):
        if not self.user:
            return []
        return ['setpriv', f'--reuid={self.user.pw_uid}', f'--regid={self.user.pw_gid}',
                '--clear-groups', '--']

    def virsh(self, uri, *args, check=True, extra_env=None):
        env = dict(self.env, **(extra_env or {}))
        return armzd.virsh(uri, *args, check=check, env=env, user_cmd=self.as_user)

    def spawned_daemons(self):
        """virtarmzd processes that carry our XDG_RUNTIME_DIR (the client spawned them)."""
        pids = []
        key = f'XDG_RUNTIME_DIR={self.run}'.encode()
        for p in os.listdir('/proc'):
            if not p.isdigit():
                continue
            try:
                if os.path.basename(os.readlink(f'/proc/{p}/exe')) != 'virtarmzd':
                    continue
                if key in open(f'/proc/{p}/environ', 'rb').read().split(b'\0'):
                    pids.append(int(p))
            except OSError:
                continue
        return pids

    def cleanup(self):
        for pid in self.spawned_daemons():
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        time.sleep(0.2)
        for pid in self.spawned_daemons():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def session():
    s = Session()
    yield s
    s.cleanup()


@pytest.fixture
def session_daemon(session, daemons):
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    d = daemons.new(root=session.base, use_root=False, env=session.env,
                    user_cmd=session.as_user, sock_dir=os.path.join(session.run, 'libvirt'),
                    start=False)
    d.start()
    return d


def test_session_daemon_as_user(session, session_daemon):
    st = os.stat(session.sock)
    if session.user:
        assert st.st_uid == session.user.pw_uid, 'session socket not owned by the user'
    assert st.st_mode & 0o077 == 0 or os.stat(os.path.dirname(session.sock)).st_mode & 0o077 == 0, \
        'session socket reachable by other users'
    uri = f'armz+unix:///session?socket={session.sock}'
    r = session.virsh(uri, 'hostname')
    assert r.out.strip(), r
    p = os.path.join(session.base, 'home', 'sess.xml')
    with open(p, 'w') as f:
        f.write(domain_xml('sessdom', new_uuid()))
    if session.user:
        os.chown(p, session.user.pw_uid, session.user.pw_gid)
    r = session.virsh(uri, 'define', p)
    assert "Domain 'sessdom' defined" in r.out, r
    r = session.virsh(uri, 'list', '--all', '--name')
    assert r.out.split() == ['sessdom'], r
    found = []
    for dirpath, _, files in os.walk(session.base):
        if 'sessdom.xml' in files and dirpath != os.path.dirname(p):
            found.append(os.path.join(dirpath, 'sessdom.xml'))
    assert found, 'the session daemon stored the definition nowhere under the user dirs'
    assert all(f.startswith(session.env['XDG_CONFIG_HOME']) or f.startswith(session.env['HOME'])
               for f in found), found
    if session.user:
        assert os.stat(found[0]).st_uid == session.user.pw_uid
    assert not os.path.exists('/etc/libvirt/armz/sessdom.xml')


def test_session_plain_uri(session, session_daemon):
    r = session.virsh('armz:///session', 'hostname')
    assert r.out.strip(), r
    p = os.path.join(session.base, 'home', 'plain.xml')
    with open(p, 'w') as f:
        f.write(domain_xml('plain', new_uuid()))
    if session.user:
        os.chown(p, session.user.pw_uid, session.user.pw_gid)
    session.virsh('armz:///session', 'define', p)
    r = session.virsh(f'armz+unix:///session?socket={session.sock}', 'list', '--all', '--name')
    assert r.out.split() == ['plain'], r


def test_session_client_spawns_daemon(session):
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    assert not os.path.exists(session.sock)
    # VIRTD_PATH names the directory holding the daemon binary
    r = session.virsh('armz:///session?mode=direct', 'hostname', check=False,
                      extra_env={'VIRTD_PATH': os.path.dirname(armzd.DAEMON)})
    assert r.rc == 0, f'the client could not spawn virtarmzd: {r}'
    assert r.out.strip()
    pids = session.spawned_daemons()
    assert len(pids) == 1, pids
    cmdline = open(f'/proc/{pids[0]}/cmdline', 'rb').read().split(b'\0')
    assert b'--timeout=120' in cmdline, cmdline
    # a second client reuses it
    r = session.virsh('armz:///session', 'list', '--all')
    assert r.rc == 0
    assert session.spawned_daemons() == pids


# ------------------------------------------------------------------ systemd

def test_systemd_socket_activation(daemons, tmp_path):
    """LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES as systemd passes them: fd 3 the
    read-write socket, fd 4 the read-only one."""
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    rw_path, ro_path = str(tmp_path / 'act-sock'), str(tmp_path / 'act-sock-ro')
    rw, ro = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX)
    rw.bind(rw_path)
    ro.bind(ro_path)
    rw.listen(16)
    ro.listen(16)
    root = str(tmp_path / 'root')
    d = daemons.new(root=root, start=False)
    d.sock_dir = str(tmp_path)   # not used for readiness below

    def fds():
        os.dup2(rw.fileno(), 3)
        os.dup2(ro.fileno(), 4)

    log = open(os.path.join(str(tmp_path), 'act.log'), 'wb')
    d.proc = subprocess.Popen(
        ['sh', '-c', 'LISTEN_PID=$$ LISTEN_FDS=2 '
         'LISTEN_FDNAMES=virtarmzd.socket:virtarmzd-ro.socket exec "$@"', 'sh',
         armzd.DAEMON, '--root', root],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        close_fds=False, preexec_fn=fds, start_new_session=True)
    d.logpath = log.name
    rw.close()
    ro.close()
    try:
        uri = f'armz+unix:///system?socket={rw_path}'
        end = time.monotonic() + 10
        while True:
            try:
                c = libvirt.open(uri)
                break
            except libvirt.libvirtError:
                if time.monotonic() > end or d.proc.poll() is not None:
                    raise
                time.sleep(0.1)
        c.defineXML(domain_xml('activated'))
        c.close()
        r = armzd.virsh(f'armz+unix:///system?socket={ro_path}', 'list', '--all', '--name',
                        ro=True)
        assert r.out.split() == ['activated'], r
        c = libvirt.openReadOnly(f'armz+unix:///system?socket={ro_path}')
        expect = libvirt.VIR_ERR_OPERATION_DENIED
        armzd.expect_error(expect, c.defineXML, domain_xml('nope'))
        c.close()
        c = libvirt.open(f'armz+unix:///system?socket={ro_path}')
        armzd.expect_error(expect, c.defineXML, domain_xml('nope'))
        c.close()
        assert not os.path.exists(os.path.join(root, 'run', 'libvirt', 'virtarmzd-sock')), \
            'the daemon made its own socket although systemd passed one'
    finally:
        log.close()
