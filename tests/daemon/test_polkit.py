"""The read-write socket for a group, with polkit deciding
(unix_sock_group, unix_sock_rw_perms, auth_unix_rw = "polkit")."""
import grp
import os
import pwd
import shutil
import struct
import tempfile

import pytest

import armzd
from authenv import PolkitBus, daemon_with_conf, polkit_unavailable

GROUP = 'users'
ACTION = 'org.libvirt-armz.unix.manage'
# polkit says yes to 'daemon' and no to 'nobody'; both are in no group of
# ours: the clients get GROUP as a supplementary group from setpriv.
RULES = f"""
polkit.addRule(function(action, subject) {{
    if (action.id == "{ACTION}" && subject.user == "daemon")
        return polkit.Result.YES;
    if (action.id == "{ACTION}" && subject.user == "nobody")
        return polkit.Result.NO;
}});
"""

needs_root = pytest.mark.skipif(os.getuid() != 0, reason="needs root to run clients as others")

AUTH_LIST, AUTH_POLKIT, CONNECT_OPEN = 66, 70, 1


def as_user(name, in_group=True):
    pw = pwd.getpwnam(name)
    groups = ['--groups', str(grp.getgrnam(GROUP).gr_gid)] if in_group else ['--clear-groups']
    return ['setpriv', f'--reuid={pw.pw_uid}', f'--regid={pw.pw_gid}', *groups, '--']


def virsh_as(d, user, *args, in_group=True, env=None):
    e = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'HOME': '/tmp', 'LC_ALL': 'C'}
    return armzd.virsh(d.uri, *args, check=False, env=e, user_cmd=as_user(user, in_group))


@pytest.fixture
def open_root():
    """A --root every user can traverse to the sockets."""
    root = tempfile.mkdtemp(prefix='armz-polkit-root-', dir='/tmp')
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def group_daemon(daemons, root, conf, env=None):
    d = daemon_with_conf(daemons, f'unix_sock_group = "{GROUP}"\nunix_sock_rw_perms = "0770"\n'
                         + conf, root=root, env=env, args=['--verbose'])
    for p in (os.path.join(root, 'run'), d.sock_dir):
        os.chmod(p, 0o755)
    return d


@pytest.fixture(scope='module')
def polkit():
    why = polkit_unavailable()
    if why:
        pytest.skip(why)
    bus = PolkitBus(RULES)
    yield bus
    bus.close()


@needs_root
def test_non_member_cannot_open_the_socket(daemons, open_root):
    d = group_daemon(daemons, open_root, '')
    st = os.stat(d.sock)
    assert st.st_gid == grp.getgrnam(GROUP).gr_gid and st.st_mode & 0o777 == 0o770
    r = virsh_as(d, 'nobody', 'list', in_group=False)
    assert r.rc != 0 and 'Permission denied' in r.err, r
    # a member gets in (auth_unix_rw = "none": the socket's mode decides)
    r = virsh_as(d, 'nobody', 'list')
    assert r.rc == 0, r


@needs_root
def test_polkit_decides_for_members(daemons, open_root, polkit):
    d = group_daemon(daemons, open_root, 'auth_unix_rw = "polkit"\n',
                     env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=polkit.address))
    r = virsh_as(d, 'nobody', 'list')
    assert r.rc != 0, r
    assert 'authentication failed: access denied by policy' in r.err, r
    r = virsh_as(d, 'daemon', 'list', '--all')
    assert r.rc == 0, (r, polkit.log_text())
    r = virsh_as(d, 'daemon', 'hostname')
    assert r.rc == 0 and r.out.strip(), r
    # the group still keeps non-members out before polkit is asked
    r = virsh_as(d, 'daemon', 'list', in_group=False)
    assert r.rc != 0 and 'Permission denied' in r.err, r
    # root is never asked
    d.virsh('list')
    log = d.log()
    assert 'polkit refused org.libvirt-armz.unix.manage' in log, log
    assert 'polkit allowed org.libvirt-armz.unix.manage' in log, log


@needs_root
def test_root_passes_without_polkit(daemons, open_root):
    """No polkit on the bus (no bus at all): root still gets in."""
    d = group_daemon(daemons, open_root, 'auth_unix_rw = "polkit"\n',
                     env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS='unix:path=/nonexistent'))
    d.virsh('list')
    assert 'bypasses polkit' in d.log()
    r = virsh_as(d, 'daemon', 'list')
    assert r.rc != 0 and 'authentication' in r.err, r


def _call(s, proc, serial, body=b''):
    s.sendall(armzd.packet(proc=proc, serial=serial, body=body))
    return armzd.recv_packet(s, 10)


@needs_root
def test_open_needs_authentication_first(daemons, open_root):
    """A raw client that skips AUTH_LIST is refused CONNECT_OPEN, as libvirt
    refuses it ("authentication required"); AUTH_POLKIT when no auth is
    pending fails."""
    d = group_daemon(daemons, open_root, 'auth_unix_rw = "polkit"\n',
                     env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS='unix:path=/nonexistent'))
    open_body = armzd.xdr_opt_string('armz:///system') + struct.pack('>I', 0)
    s = armzd.raw_connect(d.sock)
    try:
        hdr, body = _call(s, CONNECT_OPEN, 1, open_body)
        assert hdr[5] == armzd.ERROR and b'authentication required' in body, (hdr, body)
        hdr, body = _call(s, AUTH_LIST, 2)
        assert hdr[5] == armzd.OK and body == struct.pack('>II', 1, 0), (hdr, body)  # NONE
        hdr, body = _call(s, AUTH_POLKIT, 3)
        assert hdr[5] == armzd.ERROR and b'authentication failed' in body, (hdr, body)
        hdr, body = _call(s, CONNECT_OPEN, 4, open_body)
        assert hdr[5] == armzd.OK, (hdr, body)
    finally:
        s.close()
    # the read-only socket asks nothing (auth_unix_ro = "none")
    s = armzd.raw_connect(d.sock_ro)
    try:
        hdr, body = _call(s, AUTH_LIST, 1)
        assert body == struct.pack('>II', 1, 0), body
    finally:
        s.close()


@pytest.mark.parametrize('line', ['auth_unix_rw = "sasl"', 'auth_unix_ro = 1',
                                  'tls_allowed_dn_list = ["a", ',
                                  'tls_allowed_dn_list = "a"', 'tls_port = 0'])
def test_bad_auth_settings_stop_the_daemon(daemons, line):
    d = daemon_with_conf(daemons, line + '\n', start=False)
    d.start(wait=False)
    assert d.proc.wait(10) == 1
    key = line.split()[0]
    assert f"armz.conf:1: unknown setting or bad value for '{key}'" in d.log(), d.log()
    d.proc = None
