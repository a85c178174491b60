"""Host APIs Nova's resource tracker and CPU checks call: node CPU and memory
statistics, CPU model names, the node-device list, the version Nova checks."""
import os
import re
import xml.etree.ElementTree as ET

import libvirt
import pytest

from armzd import expect_error


def proc_stat_cpu(prefix='cpu '):
    with open('/proc/stat') as f:
        for line in f:
            if line.startswith(prefix):
                return [int(x) for x in line.split()[1:9]]
    raise AssertionError(prefix)


def test_version_is_calendar_and_meets_nova(conn, daemon):
    ver = conn.getVersion()
    major, minor, micro = ver // 1000000, ver // 1000 % 1000, ver % 1000
    assert 26 <= major <= 99 and 1 <= minor <= 12, ver
    assert ver >= 6002000, "Nova's MIN_QEMU_VERSION is 6.2.0"
    out = daemon.virsh('version').out
    assert f'hypervisor: ARMZ {major}.{minor}.{micro}' in out, out


def test_node_cpu_stats_all_and_one(conn):
    hz = os.sysconf('SC_CLK_TCK')
    before = proc_stat_cpu()
    stats = conn.getCPUStats(libvirt.VIR_NODE_CPU_STATS_ALL_CPUS, 0)
    after = proc_stat_cpu()
    assert set(stats) == {'kernel', 'user', 'idle', 'iowait'}
    ns = 10**9 // hz
    # between the two reads of /proc/stat, field by field
    assert (before[0] + before[1]) * ns <= stats['user'] <= (after[0] + after[1]) * ns
    assert (before[3]) * ns <= stats['idle'] <= after[3] * ns
    assert (before[2] + before[5] + before[6]) * ns <= stats['kernel'] \
        <= (after[2] + after[5] + after[6]) * ns
    one = conn.getCPUStats(0, 0)
    assert one['idle'] <= stats['idle'] + 10 * ns
    assert one['idle'] <= proc_stat_cpu('cpu0 ')[3] * ns


def test_node_cpu_stats_bad_cpu(conn):
    e = expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getCPUStats, 100000, 0)
    assert '100000' in e.get_error_message()
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getCPUStats, 0, 1)


def test_node_memory_stats(conn):
    stats = conn.getMemoryStats(libvirt.VIR_NODE_MEMORY_STATS_ALL_CELLS, 0)
    assert set(stats) == {'total', 'free', 'buffers', 'cached'}
    with open('/proc/meminfo') as f:
        total = int(re.search(r'MemTotal:\s+(\d+)', f.read()).group(1))
    assert stats['total'] == total
    assert 0 < stats['free'] < total
    cell0 = conn.getMemoryStats(0, 0)
    assert 0 < cell0['total'] <= total
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getMemoryStats, 4096, 0)


def test_virsh_nodecpustats_nodememstats(daemon):
    r = daemon.virsh('nodecpustats')
    assert re.search(r'user:\s+\d+', r.out), r.out
    r = daemon.virsh('nodememstats')
    assert re.search(r'total\s*:\s+\d+ KiB', r.out), r.out


def host_midr_models():
    try:
        with open('/sys/devices/system/cpu/cpu0/regs/identification/midr_el1') as f:
            return int(f.read(), 16)
    except OSError:
        return None


def test_cpu_model_names(conn):
    names = conn.getCPUModelNames('aarch64', 0)
    if host_midr_models() is None:
        # not an arm64 host: armz-vmm gives the host's CPU, and no Arm model here
        assert names == []
    else:
        assert all(isinstance(n, str) for n in names)
    assert conn.getCPUModelNames('x86_64', 0) == []
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getCPUModelNames, 'nosucharch', 0)
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getCPUModelNames, 'aarch64', 1)


def test_list_all_node_devices_is_empty(conn):
    assert conn.listAllDevices(0) == []
    assert conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV) == []


def test_nodedev_list_by_virsh(daemon):
    r = daemon.virsh('nodedev-list', '--cap', 'pci')
    assert r.out.strip() == '', r.out


def host_flags():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith(('Features', 'flags')):
                return line.split(':', 1)[1].split()
    return []


def test_compare_cpu_with_the_host(conn):
    # the daemon's host (an s390x daemon under qemu-user in tier 22)
    arch = ET.fromstring(conn.getCapabilities()).findtext('host/cpu/arch')
    # what Nova sends on an aarch64 host: the host's own CPU description
    assert conn.compareCPU(f'<cpu><arch>{arch}</arch><topology sockets="1" cores="2" '
                           f'threads="1"/></cpu>', 0) == libvirt.VIR_CPU_COMPARE_IDENTICAL
    if arch == os.uname().machine:
        flag = host_flags()[0]
        assert conn.compareCPU(f"<cpu><arch>{arch}</arch><feature name='{flag}'/></cpu>", 0) \
            == libvirt.VIR_CPU_COMPARE_SUPERSET
    assert conn.compareCPU("<cpu><feature name='nosuchfeature'/></cpu>", 0) \
        == libvirt.VIR_CPU_COMPARE_INCOMPATIBLE
    other = 's390x' if arch != 's390x' else 'aarch64'
    assert conn.compareCPU(f'<cpu><arch>{other}</arch></cpu>', 0) \
        == libvirt.VIR_CPU_COMPARE_INCOMPATIBLE
    e = expect_error(libvirt.VIR_ERR_CPU_INCOMPATIBLE, conn.compareCPU,
                     f'<cpu><arch>{other}</arch></cpu>',
                     libvirt.VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE)
    assert other in e.get_error_message()
    expect_error(libvirt.VIR_ERR_XML_ERROR, conn.compareCPU, '<cpu', 0)
    expect_error(libvirt.VIR_ERR_XML_ERROR, conn.compareCPU, '<domain/>', 0)


def test_compare_hypervisor_cpu(conn):
    assert conn.compareHypervisorCPU(None, 'aarch64', 'virt', 'kvm',
                                     "<cpu mode='host-passthrough'/>", 0) \
        == libvirt.VIR_CPU_COMPARE_IDENTICAL
    # a named model is only compatible when the host's CPU is that model
    res = conn.compareHypervisorCPU(None, 'aarch64', None, 'kvm',
                                    "<cpu mode='custom'><model>cortex-a57</model></cpu>", 0)
    want = (libvirt.VIR_CPU_COMPARE_IDENTICAL
            if 'cortex-a57' in conn.getCPUModelNames('aarch64', 0)
            else libvirt.VIR_CPU_COMPARE_INCOMPATIBLE)
    assert res == want
    e = expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.compareHypervisorCPU,
                     None, 'x86_64', None, 'kvm', '<cpu/>', 0)
    assert 'x86_64' in e.get_error_message()
