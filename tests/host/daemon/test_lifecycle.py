"""Domain lifecycle through virtarmzd in the emulated arm64 test host,
driven with real virsh and libvirt-python over the forwarded TCP port.
Run by tests/host/run-host --drive (see tests/tiers/45-daemon-host)."""
import subprocess
import time

import libvirt
import pytest

from hostlib import (ROOT, URI, Events, domain_xml, host_sh, restart_daemon, serial_log, virsh,
                     wait_for, wait_guest_marker, wait_powerkey_ready)

E = libvirt


@pytest.fixture
def conn():
    Events.start_loop()
    c = libvirt.open(URI)
    yield c
    try:
        c.close()
    except libvirt.libvirtError:
        pass


@pytest.fixture
def events(conn):
    ev = Events(conn)
    yield ev
    ev.close()


@pytest.fixture
def cleanup(conn):
    names = []
    yield names
    for n in names:
        try:
            d = libvirt.open(URI).lookupByName(n)
        except libvirt.libvirtError:
            continue
        try:
            if d.isActive():
                d.destroy()
            if d.isPersistent():
                d.undefine()
        except libvirt.libvirtError:
            pass


def define(conn, cleanup, name, **kw):
    cleanup.append(name)
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    return conn.defineXML(domain_xml(name, **kw))


def test_full_lifecycle(conn, events, cleanup):
    dom = define(conn, cleanup, 'life')
    assert dom.create() == 0
    first_id = dom.ID()
    assert first_id > 0
    events.wait('life', E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED)
    wait_guest_marker('life')
    # the live XML names the pty and the ID
    xml = dom.XMLDesc(0)
    assert f"id='{first_id}'" in xml and '/dev/pts/' in xml

    dom.suspend()
    assert dom.state() == [E.VIR_DOMAIN_PAUSED, E.VIR_DOMAIN_PAUSED_USER]
    events.wait('life', E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED)
    dom.resume()
    assert dom.state() == [E.VIR_DOMAIN_RUNNING, E.VIR_DOMAIN_RUNNING_UNPAUSED]
    events.wait('life', E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)
    info = dom.info()
    assert info[0] == E.VIR_DOMAIN_RUNNING and info[3] == 1 and info[4] > 0

    # graceful shutdown: the guest sees its power button and powers off
    wait_powerkey_ready('life')
    dom.shutdown()
    events.wait('life', E.VIR_DOMAIN_EVENT_SHUTDOWN)
    events.wait('life', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)
    assert dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_SHUTDOWN]
    assert 'ARMZ-GUEST POWERKEY' in serial_log('life')

    dom.create()
    assert dom.ID() > first_id, 'a fresh ID on every start'
    wait_guest_marker('life', count=2)

    dom.destroy()
    events.wait('life', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
    assert dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_DESTROYED]
    assert dom.ID() == -1
    # resources are gone: monitor socket, pid file, status
    rc, out = host_sh(f'ls {ROOT}/run/libvirt/armz/')
    assert 'life.' not in out, out
    # errors users can act on
    with pytest.raises(libvirt.libvirtError, match='not running'):
        dom.suspend()


def test_reboot_and_reset(conn, events, cleanup):
    dom = define(conn, cleanup, 'reboot')
    dom.create()
    wait_powerkey_ready('reboot')
    dom.reboot(0)
    events.wait('reboot', 'reboot')
    wait_guest_marker('reboot', count=2)
    wait_powerkey_ready('reboot', count=2)
    dom.reset(0)
    wait_guest_marker('reboot', count=3)
    assert dom.state()[0] == E.VIR_DOMAIN_RUNNING
    dom.destroy()


def test_virsh_event_loop_records_sequence(conn, cleanup):
    define(conn, cleanup, 'evt')
    p = subprocess.Popen(['virsh', '-c', URI, 'event', '--all', '--loop'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(2)
        virsh('start', 'evt')
        wait_guest_marker('evt')
        virsh('suspend', 'evt')
        virsh('resume', 'evt')
        virsh('destroy', 'evt')
        time.sleep(2)
    finally:
        p.terminate()
        out, _ = p.communicate(timeout=10)
    lines = [l for l in out.splitlines() if "'evt'" in l]
    want = ['Started Booted', 'Suspended Paused', 'Resumed Unpaused', 'Stopped Destroyed']
    got = [w for l in lines for w in want if w in l]
    assert got == want, out


def test_start_paused_then_resume(conn, events, cleanup):
    """OpenStack Nova's spawn path: start paused, then resume."""
    dom = define(conn, cleanup, 'paused')
    dom.createWithFlags(E.VIR_DOMAIN_START_PAUSED)
    assert dom.state() == [E.VIR_DOMAIN_PAUSED, E.VIR_DOMAIN_PAUSED_USER]
    events.wait('paused', E.VIR_DOMAIN_EVENT_SUSPENDED)
    time.sleep(3)
    assert 'ARMZ-GUEST INIT' not in serial_log('paused'), 'vCPUs ran while paused'
    dom.resume()
    wait_guest_marker('paused')
    dom.destroy()


def test_transient_create(conn, cleanup):
    cleanup.append('trans')
    host_sh(f'rm -f {ROOT}/trans-serial.log')
    p = subprocess.run(['virsh', '-c', URI, 'create', '/dev/stdin'],
                       input=domain_xml('trans'), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    dom = conn.lookupByName('trans')
    assert dom.isActive() and not dom.isPersistent()
    wait_guest_marker('trans')
    dom.destroy()
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByName('trans')


def test_daemon_restart_keeps_guest(conn, cleanup):
    dom = define(conn, cleanup, 'keep')
    dom.create()
    dom_id = dom.ID()
    wait_guest_marker('keep')
    rc, pid = host_sh(f'cat {ROOT}/run/libvirt/armz/keep.pid')
    assert rc == 0
    c2 = restart_daemon()
    ev = Events(c2)
    d2 = c2.lookupByName('keep')
    assert d2.isActive() and d2.ID() == dom_id
    assert d2.state()[0] == E.VIR_DOMAIN_RUNNING
    rc, pid2 = host_sh(f'cat {ROOT}/run/libvirt/armz/keep.pid')
    assert pid2 == pid, 'the guest was restarted'
    # still controllable, and its events still arrive
    d2.suspend()
    ev.wait('keep', E.VIR_DOMAIN_EVENT_SUSPENDED)
    d2.resume()
    wait_powerkey_ready('keep')
    d2.shutdown()
    ev.wait('keep', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)
    ev.close()
    c2.close()


def test_killed_vmm_is_crashed(conn, events, cleanup):
    dom = define(conn, cleanup, 'victim')
    dom.create()
    wait_guest_marker('victim')
    rc, out = host_sh(f'kill -9 $(cat {ROOT}/run/libvirt/armz/victim.pid)')
    assert rc == 0, out
    events.wait('victim', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_FAILED)
    assert dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_CRASHED]
    # and it starts again
    dom.create()
    dom.destroy()


def test_two_guests_at_once(conn, cleanup):
    a = define(conn, cleanup, 'twin-a')
    b = define(conn, cleanup, 'twin-b', vcpus=2)
    a.create()
    b.create()
    assert a.ID() != b.ID()
    wait_guest_marker('twin-a')
    wait_guest_marker('twin-b')
    assert 'ncpu=2' in serial_log('twin-b')
    a.destroy()
    assert b.isActive()
    b.destroy()


def test_vmm_failing_at_start_says_why(conn, cleanup):
    xml = domain_xml('broken').replace(f'{ROOT}/guest/Image', f'{ROOT}/guest/initrd')
    cleanup.append('broken')
    dom = conn.defineXML(xml)
    with pytest.raises(libvirt.libvirtError, match='armz-vmm'):
        dom.create()
    assert dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_FAILED]


def test_console_interactive(conn, cleanup):
    """virsh console and virDomainOpenConsole on the guest's shell: data
    both ways, busy without --force, takeover with it, end when it stops."""
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'daemon'))
    import test_console as tc
    dom = define(conn, cleanup, 'cons', mode='shell')
    dom.create()
    wait_guest_marker('cons', 'ARMZ-GUEST SHELL')
    tc.run_virsh_console_checks(URI, 'cons', timeout=90)
    tc.run_console_checks(URI, 'cons', timeout=90, stop=dom.destroy)


def test_ethernet_interface_gets_a_daemon_made_tap(conn, cleanup):
    """<interface type='ethernet'>: the daemon creates the tap (host-side
    MAC fe:..., up), the guest gets a virtio NIC, the tap vanishes with the
    guest. (Bridge attachment is not tested: the test host's busybox has no
    bridge support.)"""
    nics = """<interface type='ethernet'><target dev='armztap1'/>
      <mac address='52:54:00:aa:00:02'/><model type='virtio'/></interface>"""
    dom = define(conn, cleanup, 'nics', extra=nics)
    dom.create()
    wait_guest_marker('nics', 'ARMZ-GUEST VIRTIO-MODULES')
    rc, out = host_sh('ip link show armztap1')
    assert rc == 0, out
    assert 'fe:54:00:aa:00:02' in out and 'UP' in out, out
    rc, out = host_sh(f'cat {ROOT}/run/libvirt/armz/nics.status')
    assert 'armztap1' in out, out
    dom.destroy()
    rc, out = host_sh('ip link show armztap1')
    assert rc != 0, out


def test_autodestroy_when_the_client_goes(conn, events, cleanup):
    dom = define(conn, cleanup, 'autod')
    c2 = libvirt.open(URI)
    c2.lookupByName('autod').createWithFlags(E.VIR_DOMAIN_START_AUTODESTROY)
    assert dom.isActive()
    c2.close()
    events.wait('autod', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
    assert not dom.isActive()


def test_autostart_when_the_daemon_starts(conn, cleanup):
    dom = define(conn, cleanup, 'autos')
    dom.setAutostart(1)
    restart_daemon().close()

    def started():
        try:
            d = libvirt.open(URI).lookupByName('autos')
            return d if d.isActive() else None
        except libvirt.libvirtError:
            return None
    d = wait_for(started, 90, 'the restarted daemon to autostart the domain')
    d.setAutostart(0)
    d.destroy()


def test_graceful_destroy(conn, events, cleanup):
    dom = define(conn, cleanup, 'gentle')
    dom.create()
    dom.destroyFlags(E.VIR_DOMAIN_DESTROY_GRACEFUL)
    events.wait('gentle', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
