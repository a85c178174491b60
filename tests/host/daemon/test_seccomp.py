"""armz-vmm's seccomp sandbox under virtarmzd in the emulated arm64 host:
the daemon's guests run filtered (Seccomp: 2 in every thread of their VMM),
and a VMM killed by its filter ends its domain shut off with reason crashed,
event STOPPED_FAILED, and a line naming the seccomp violation in the
domain log. The forbidden syscall is the one of x-armz-debug-syscall, set
off by SIGUSR2 (the daemon holds the QMP socket): a wrapper <emulator> puts
ARMZ_VMM_DEBUG_SYSCALL_ON_SIGUSR2 in armz-vmm's environment."""
import libvirt
import pytest

from hostlib import ROOT, domain_xml, host_sh, wait_for, wait_guest_marker
from test_lifecycle import conn, events  # noqa: F401 (fixtures)

E = libvirt
WRAPPER = ROOT + '/armz-vmm-debug-syscall'


@pytest.fixture
def dom(conn):
    name = 'sandboxed'
    rc, out = host_sh(f"printf '#!/bin/sh\\nARMZ_VMM_DEBUG_SYSCALL_ON_SIGUSR2=1 exec "
                      f"/usr/bin/armz-vmm \"$@\"\\n' > {WRAPPER} && chmod 755 {WRAPPER} && "
                      f"rm -f {ROOT}/{name}-serial.log")
    assert rc == 0, out
    # the wrapper is a shell script, which the VMM's jail (no /bin) cannot
    # run: this guest's VMM runs as root, unjailed; the filter is armz-vmm's
    # own either way
    xml = domain_xml(name, extra=f'<emulator>{WRAPPER}</emulator>').replace(
        '</domain>', "  <seclabel type='static' model='dac' relabel='no'>"
        "<label>+0:+0</label></seclabel>\n</domain>")
    d = conn.defineXML(xml)
    yield d
    try:
        if d.isActive():
            d.destroy()
        d.undefine()
    except libvirt.libvirtError:
        pass


def vmm_pid(name):
    rc, out = host_sh(f'cat {ROOT}/run/libvirt/armz/{name}.pid')
    assert rc == 0, out
    return int(out.strip())


def test_seccomp_violation_ends_domain_crashed(conn, events, dom):
    assert dom.create() == 0
    wait_guest_marker('sandboxed')
    pid = vmm_pid('sandboxed')
    rc, out = host_sh(f'grep -H Seccomp: /proc/{pid}/task/*/status')
    assert rc == 0, out
    lines = [l for l in out.splitlines() if 'Seccomp:' in l]
    # main loop, vCPU, GLib's signal thread at least
    assert len(lines) >= 3, out
    assert all(l.split()[-1] == '2' for l in lines), out

    rc, out = host_sh(f'kill -USR2 {pid}')
    assert rc == 0, out
    events.wait('sandboxed', E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_FAILED)
    wait_for(lambda: dom.state() == [E.VIR_DOMAIN_SHUTOFF, E.VIR_DOMAIN_SHUTOFF_CRASHED], 30,
             'sandboxed shut off (crashed)')
    rc, log = host_sh(f'cat {ROOT}/var/log/libvirt/armz/sandboxed.log')
    assert 'seccomp violation' in log, log
    # the call never ran: the VMM did not get to log its result
    assert 'the forbidden system call' not in log, log
