"""Least privilege for guests in the emulated arm64 host: the daemon (root,
configured with user/group "armz" by serve.sh) starts each armz-vmm as
that user, without capabilities, with no_new_privs, in its own mount, PID
and IPC namespaces; the kernel and initrd it opens by path are the armz
user's while it runs and root's again after it stops, across a daemon
restart too. Run by tests/host/run-host --drive (tier 45)."""
import contextlib

import libvirt
import pytest

from hostlib import (ROOT, GUEST, URI, domain_xml, host_sh, restart_daemon, wait_for,
                     wait_guest_marker)

JAIL = ROOT + '/jail-files'
RUN = ROOT + '/run/libvirt/armz'


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    yield c
    with contextlib.suppress(libvirt.libvirtError):   # a test restarts the daemon
        c.close()


@pytest.fixture
def private_kernel():
    """A kernel and initrd of their own, root's and mode 0600: the armz
    user can read them only when they are given to it."""
    rc, out = host_sh(f'mkdir -p {JAIL} && cp {GUEST}/Image {GUEST}/initrd {JAIL}/ && '
                      f'chown 0:0 {JAIL}/Image {JAIL}/initrd && '
                      f'chmod 0600 {JAIL}/Image {JAIL}/initrd')
    assert rc == 0, out
    yield
    host_sh(f'rm -rf {JAIL}')


def jail_xml(name, seclabel=''):
    xml = domain_xml(name).replace('</domain>', seclabel + '</domain>')
    return xml.replace(f'{GUEST}/Image', f'{JAIL}/Image').replace(f'{GUEST}/initrd',
                                                                  f'{JAIL}/initrd')


def host(cmd):
    rc, out = host_sh(cmd)
    assert rc == 0, f'{cmd}: {out}'
    return out.strip()


def owners():
    """uid:gid of the private kernel and initrd."""
    out = host(f'ls -ln {JAIL}/Image {JAIL}/initrd')
    return [':'.join(line.split()[2:4]) for line in out.splitlines()]


def armz_ids():
    line = host("grep '^armz:' /etc/passwd")
    f = line.split(':')
    return f[2], f[3]


def status_fields(pid):
    st = host(f'cat /proc/{pid}/status')
    return {k.strip(): v.strip() for k, _, v in
            (line.partition(':') for line in st.splitlines())}


def start(conn, name, seclabel=''):
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    dom = conn.createXML(jail_xml(name, seclabel), 0)
    wait_guest_marker(name)
    pid = host(f'cat {RUN}/{name}.pid')
    return dom, pid


def destroy(dom):
    try:
        dom.destroy()
    except libvirt.libvirtError:
        pass


def test_vmm_runs_unprivileged_in_its_jail(conn, private_kernel):
    uid, gid = armz_ids()
    dom, pid = start(conn, 'jailed')
    try:
        st = status_fields(pid)
        assert st['Uid'].split() == [uid] * 4, st['Uid']
        assert st['Gid'].split() == [gid] * 4, st['Gid']
        for cap in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'):
            assert int(st[cap], 16) == 0, f'{cap} {st[cap]}'
        assert st['NoNewPrivs'] == '1'
        # pid 1 of its own PID namespace, seen by the host as PID
        assert st['NSpid'].split() == [pid, '1'], st['NSpid']
        # ps names its user
        ps = host('ps | grep armz-vmm')     # busybox: PID USER TIME COMMAND
        assert any(line.split()[:2] == [pid, 'armz'] for line in ps.splitlines()), ps
        # the pty slave it holds is in its root, and its own
        assert host(f'ls /proc/{pid}/root/dev/pts/').split(), 'no pty in the jail'
        daemon = host(f'cat {ROOT}/run/virtarmzd.pid')
        for ns in ('mnt', 'pid', 'ipc'):
            mine = host(f'readlink /proc/{pid}/ns/{ns}')
            theirs = host(f'readlink /proc/{daemon}/ns/{ns}')
            assert mine != theirs, f'{ns} namespace shared with the daemon: {mine}'
        # its root holds what it needs, not the host's files
        assert 'usr' in host(f'ls /proc/{pid}/root/').split()
        rc, _ = host_sh(f'ls /proc/{pid}/root/etc/passwd')
        assert rc != 0, 'the host /etc/passwd is in the jail'
        rc, _ = host_sh(f'ls /proc/{pid}/root{RUN}/jailed.status')
        assert rc != 0, 'the daemon state directory is in the jail'
        assert host(f'ls /proc/{pid}/root/dev/').split() == ['kvm', 'null', 'pts', 'urandom']
        assert owners() == [f'{uid}:{gid}'] * 2
        status = host(f'cat {RUN}/jailed.status')
        assert f'0:0:{JAIL}/Image' in status, status
    finally:
        destroy(dom)
    wait_for(lambda: owners() == ['0:0', '0:0'], 30, 'the kernel and initrd given back')
    assert host(f'ls {RUN}/jail/ 2>/dev/null; true') == ''


def test_static_label(conn, private_kernel):
    seclabel = ("<seclabel type='static' model='dac' relabel='yes'>"
                "<label>+4321:+4322</label></seclabel>")
    dom, pid = start(conn, 'jailed-static', seclabel)
    try:
        st = status_fields(pid)
        assert st['Uid'].split()[0] == '4321' and st['Gid'].split()[0] == '4322'
        assert owners() == ['4321:4322'] * 2
    finally:
        destroy(dom)
    wait_for(lambda: owners() == ['0:0', '0:0'], 30, 'the kernel and initrd given back')


def test_no_relabel_means_no_access(conn, private_kernel):
    """relabel='no': the files stay root's 0600, and the jailed VMM cannot
    read its kernel: the start fails naming it (the jail is real)."""
    host_sh(f'rm -f {ROOT}/jailed-none-serial.log')
    with pytest.raises(libvirt.libvirtError) as e:
        conn.createXML(jail_xml('jailed-none', "<seclabel type='none' model='dac'/>"), 0)
    assert 'Image' in str(e.value), str(e.value)
    assert owners() == ['0:0', '0:0']


def test_restarted_daemon_gives_files_back(conn, private_kernel):
    uid, gid = armz_ids()
    dom, pid = start(conn, 'jailed-restart')
    assert owners() == [f'{uid}:{gid}'] * 2
    c2 = restart_daemon()
    try:
        d2 = c2.lookupByName('jailed-restart')
        assert host(f'cat {RUN}/jailed-restart.pid') == pid
        d2.destroy()
        wait_for(lambda: owners() == ['0:0', '0:0'], 30, 'the kernel and initrd given back')
    finally:
        c2.close()
