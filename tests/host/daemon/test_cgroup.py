"""A running guest's cgroup v2 in the emulated arm64 host: the VMM is in
machine.slice/machine-armz\\x2dID\\x2dNAME.scope from its start, the
<memtune> hard limit is in memory.max, virsh memtune/schedinfo --live
change the cgroup's files, and the cgroup is gone after destroy."""
import libvirt
import pytest

from hostlib import ROOT, domain_xml, host_sh, remove_domains, virsh, wait_for, wait_guest_marker

CG = '/sys/fs/cgroup'


@pytest.fixture
def conn():
    from hostlib import URI
    c = libvirt.open(URI)
    yield c
    remove_domains(c, 'cgrp')
    c.close()


def _cat(path):
    rc, out = host_sh(f"cat '{path}'")
    assert rc == 0, (path, out)
    return out.strip()


def test_guest_runs_in_its_cgroup(conn):
    rc, out = host_sh(f'grep -w memory {CG}/cgroup.controllers')
    if rc != 0:
        pytest.skip(f'the test host kernel has no cgroup2 memory controller: {out}')
    host_sh(f'rm -f {ROOT}/cgrp-serial.log')
    xml = domain_xml('cgrp').replace(
        '<os>', "<memtune><hard_limit unit='MiB'>768</hard_limit></memtune>\n"
                "  <cputune><shares>300</shares><vcpupin vcpu='0' cpuset='1'/></cputune>\n"
                "  <os>", 1)
    dom = conn.defineXML(xml)
    dom.create()
    wait_guest_marker('cgrp')
    scope = f'{CG}/machine.slice/machine-armz\\x2d{dom.ID()}\\x2dcgrp.scope'
    pids = _cat(f'{scope}/cgroup.procs').split()
    assert len(pids) == 1, pids
    pid = pids[0]
    assert _cat(f'/proc/{pid}/comm').startswith('armz-vmm'), pid
    cgline = _cat(f'/proc/{pid}/cgroup')
    assert cgline == f'0::/machine.slice/machine-armz\\x2d{dom.ID()}\\x2dcgrp.scope', cgline
    assert _cat(f'{scope}/memory.max') == str(768 << 20)
    assert _cat(f'{scope}/cpu.weight') == '300'
    # <vcpupin>: the thread "vcpu0" may run on host CPU 1 only
    rc, out = host_sh(f'for t in /proc/{pid}/task/*; do [ "$(cat $t/comm)" = vcpu0 ] && '
                      f'grep Cpus_allowed_list $t/status; done')
    assert out.split() == ['Cpus_allowed_list:', '1'], out

    virsh('memtune', 'cgrp', '--live', '--hard-limit', '1048576')
    assert _cat(f'{scope}/memory.max') == str(1048576 << 10)
    assert dom.memoryParameters(libvirt.VIR_DOMAIN_AFFECT_LIVE)['hard_limit'] == 1048576
    virsh('schedinfo', 'cgrp', '--live', '--set', 'cpu_shares=500',
          '--set', 'vcpu_quota=20000', '--set', 'vcpu_period=100000')
    assert _cat(f'{scope}/cpu.weight') == '500'
    assert _cat(f'{scope}/cpu.max') == '20000 100000'
    # the config did not change
    assert "<hard_limit unit='KiB'>786432</hard_limit>" in dom.XMLDesc(
        libvirt.VIR_DOMAIN_XML_INACTIVE)
    if host_sh(f"test -e '{scope}/io.weight' -o -e '{scope}/io.bfq.weight'")[0] == 0:
        virsh('blkiotune', 'cgrp', '--live', '--weight', '600')
        assert dom.blkioParameters(libvirt.VIR_DOMAIN_AFFECT_LIVE)['weight'] == 600
    stats = conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_CPU_TOTAL)[0][1]
    assert stats['cpu.time'] > 0, stats

    dom.destroy()
    wait_for(lambda: host_sh(f"test -e '{scope}'")[0] != 0, 30, 'the cgroup to go')
