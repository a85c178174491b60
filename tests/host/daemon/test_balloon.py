"""The virtio balloon through virtarmzd in the emulated arm64 test host:
dommemstat shows the guest's own figures (the balloon on a PCIe root
port: the guest's XML has pcie-root), setmem --live makes the guest
give memory back (its MemTotal, printed every second by the guest's
memwatch mode, drops) and returns it, dommemstat --period sets the polling,
domstats --balloon carries the figures, which follow what the guest
allocates. Run by tests/host/run-host --drive."""
import re

import libvirt
import pytest

from hostlib import URI, domain_xml, host_sh, ROOT, serial_log, virsh, wait_for, wait_guest_marker

E = libvirt
MIB = 1024
BALLOON = "<memballoon model='virtio'><stats period='1'/></memballoon>"
# virt-install's and Nova's guests are PCIe: the balloon gets a root port
PCIE = "<controller type='pci' index='0' model='pcie-root'/>"
BALLOON_FPR = ("<memballoon model='virtio' freePageReporting='on'><stats period='1'/>"
               "</memballoon>")


@pytest.fixture
def dom():
    c = libvirt.open(URI)
    name = 'balloon'
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    d = c.defineXML(domain_xml(name, mode='memwatch', memory_mib=256,
                               extra=PCIE + BALLOON))
    yield d
    try:
        if d.isActive():
            d.destroy()
        d.undefine()
    finally:
        c.close()


def memtotal(name):
    found = re.findall(r'ARMZ-GUEST MEMTOTAL (\d+)', serial_log(name))
    return int(found[-1]) if found else 0


def test_dommemstat_and_setmem_live(dom):
    dom.create()
    wait_guest_marker('balloon', 'ARMZ-GUEST MEMTOTAL')
    t0 = memtotal('balloon')
    # the guest's own figures arrive (polled every second)
    wait_for(lambda: 'unused' in dom.memoryStats() and 'available' in dom.memoryStats(),
             120, 'guest statistics in dommemstat')
    st = dom.memoryStats()
    assert st['actual'] == 256 * MIB and st['last_update'] > 0 and st['rss'] > 0, st
    assert 0 < st['unused'] <= st['available'] <= 256 * MIB, st
    r = virsh('dommemstat', 'balloon')
    for key in ('actual', 'unused', 'available', 'last_update', 'rss'):
        assert re.search(rf'^{key} \d+', r.stdout, re.M), r

    # shrink: the guest gives 96 MiB back
    virsh('setmem', 'balloon', '160M', '--live')
    wait_for(lambda: 0 < memtotal('balloon') < t0 - 90 * MIB, 180, 'MemTotal shrinking')
    wait_for(lambda: dom.memoryStats()['actual'] <= 164 * MIB, 180, 'actual following')
    assert f"<currentMemory unit='KiB'>{160 * MIB}" in dom.XMLDesc(0) or \
        dom.info()[2] <= 164 * MIB
    # and back
    dom.setMemoryFlags(256 * MIB, E.VIR_DOMAIN_AFFECT_LIVE)
    wait_for(lambda: memtotal('balloon') > t0 - 8 * MIB, 180, 'MemTotal growing back')

    # the polling period, live
    virsh('dommemstat', 'balloon', '--period', '2', '--live')
    assert "<stats period='2'/>" in dom.XMLDesc(0)
    r = virsh('domstats', '--balloon', 'balloon')
    for key in ('balloon.current', 'balloon.maximum', 'balloon.unused', 'balloon.available',
                'balloon.last-update', 'balloon.rss'):
        assert f'{key}=' in r.stdout, r


def test_setmem_above_max_refused(dom):
    dom.create()
    wait_guest_marker('balloon', 'ARMZ-GUEST MEMTOTAL')
    with pytest.raises(libvirt.libvirtError) as e:
        dom.setMemoryFlags(512 * MIB, E.VIR_DOMAIN_AFFECT_LIVE)
    assert e.value.get_error_code() == E.VIR_ERR_INVALID_ARG


def vmm_pid(name):
    rc, out = host_sh("for p in /proc/[0-9]*; do grep -q '^armz-vmm' $p/comm 2>/dev/null && "
                      f"tr '\\0' ' ' < $p/cmdline | grep -q -- '--name {name} ' && "
                      "echo ${p#/proc/}; done")
    pids = out.split()
    assert len(pids) == 1, f'armz-vmm of {name}: {out!r}'
    return pids[0]


def vmm_rss_kib(pid):
    rc, out = host_sh(f"awk '/^VmRSS/ {{print $2}}' /proc/{pid}/status")
    assert rc == 0 and out.strip().isdigit(), (rc, out)
    return int(out)


def test_guest_figures_follow_allocation():
    """dommemstat is the guest's own view: its free memory drops by what
    the guest takes (64 MiB, once the balloon took 8 MiB: the signal)."""
    c = libvirt.open(URI)
    name = 'memfill'
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    d = c.defineXML(domain_xml(name, mode='memfill', memory_mib=256, extra=BALLOON_FPR))
    try:
        d.create()
        wait_guest_marker(name)
        wait_for(lambda: 'unused' in d.memoryStats(), 120, 'guest statistics in dommemstat')
        # the guest has read its MemTotal: the balloon's move is its signal
        wait_guest_marker(name, 'ARMZ-GUEST MEMFILL-READY')
        before = d.memoryStats()
        d.setMemoryFlags(248 * MIB, E.VIR_DOMAIN_AFFECT_LIVE)
        wait_guest_marker(name, 'ARMZ-GUEST MEMFILLED')
        # 8 MiB of it is the balloon's
        seen = {}

        def dropped():
            seen.update(d.memoryStats())
            return seen['unused'] < before['unused'] - 48 * MIB
        try:
            wait_for(dropped, 120, f"unused below {before['unused'] - 48 * MIB} KiB")
        except AssertionError as e:
            raise AssertionError(f'{e}: before {before}, last {seen}') from None
        assert seen['last_update'] > before['last_update'], (before, seen)
        # freePageReporting: what the guest frees comes back to the host
        # (armz-vmm's resident memory drops)
        pid = vmm_pid(name)
        rss = vmm_rss_kib(pid)
        d.setMemoryFlags(256 * MIB, E.VIR_DOMAIN_AFFECT_LIVE)
        wait_guest_marker(name, 'ARMZ-GUEST MEMFREED')
        wait_for(lambda: vmm_rss_kib(pid) < rss - 32 * MIB, 60,
                 f'armz-vmm resident memory below {rss - 32 * MIB} KiB (was {rss} KiB)')
    finally:
        if d.isActive():
            d.destroy()
        d.undefine()
        c.close()


def test_autodeflate_under_memory_pressure():
    """autodeflate='on': a guest that needs more memory than the balloon
    left it gets it back from the balloon (deflate on OOM), and the host
    sees the balloon shrink (dommemstat's actual grows again)."""
    c = libvirt.open(URI)
    name = 'oomfill'
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    x = "<memballoon model='virtio' autodeflate='on'><stats period='1'/></memballoon>"
    d = c.defineXML(domain_xml(name, mode='oomfill', memory_mib=256, extra=x))
    try:
        d.create()
        wait_guest_marker(name)
        assert "autodeflate='on'" in d.XMLDesc(0)
        wait_guest_marker(name, 'ARMZ-GUEST OOMFILL-READY')
        # the balloon takes 160 MiB: less than 96 MiB is left to the guest
        d.setMemoryFlags(96 * MIB, E.VIR_DOMAIN_AFFECT_LIVE)
        wait_guest_marker(name, 'ARMZ-GUEST BALLOONED')
        wait_guest_marker(name, 'ARMZ-GUEST OOMFILLED rc=0', timeout=300)
        wait_for(lambda: d.memoryStats()['actual'] > 120 * MIB, 60,
                 f"the balloon deflated (actual above {120 * MIB} KiB)")
        assert d.isActive()
    finally:
        if d.isActive():
            d.destroy()
        d.undefine()
        c.close()
