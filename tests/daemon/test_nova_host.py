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


A57 = ("<cpu><arch>aarch64</arch><model>cortex-a57</model><vendor>ARM</vendor>"
       "<feature name='fp'/><feature name='asimd'/>{}</cpu>")


def baseline_parts(xml):
    root = ET.fromstring(xml)
    assert root.tag == 'cpu' and root.get('mode') == 'custom', xml
    return (root.findtext('model'), root.findtext('vendor'),
            [(f.get('name'), f.get('policy')) for f in root.findall('feature')])


def test_baseline_cpu_common_features(conn):
    a = A57.format("<feature name='aes'/><feature name='crc32'/>")
    b = A57.format("<feature name='crc32'/>")
    for flags in (0, libvirt.VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES,
                  libvirt.VIR_CONNECT_BASELINE_CPU_MIGRATABLE):
        model, vendor, feats = baseline_parts(conn.baselineCPU([a, b], flags))
        assert (model, vendor) == ('cortex-a57', 'ARM')
        assert feats == [('fp', 'require'), ('asimd', 'require'), ('crc32', 'require')], feats
    # one CPU is its own baseline; a capabilities document's host CPU counts
    _, _, feats = baseline_parts(conn.baselineCPU([f'<capabilities><host>{a}</host>'
                                                   '</capabilities>'], 0))
    assert ('aes', 'require') in feats


def test_baseline_cpu_refusals(conn):
    a = A57.format('')
    e = expect_error(libvirt.VIR_ERR_OPERATION_FAILED, conn.baselineCPU,
                     [a, a.replace('cortex-a57', 'cortex-a72')], 0)
    assert 'cortex-a72' in e.get_error_message()
    expect_error(libvirt.VIR_ERR_OPERATION_FAILED, conn.baselineCPU,
                 [a, a.replace('ARM', 'HiSilicon')], 0)
    e = expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.baselineCPU,
                     [a, '<cpu><arch>aarch64</arch></cpu>'], 0)
    assert 'index 1' in e.get_error_message()
    e = expect_error(libvirt.VIR_ERR_NO_SUPPORT, conn.baselineCPU,
                     ['<cpu><arch>ppc64le</arch><model>POWER9</model></cpu>'], 0)
    assert 'ppc64le' in e.get_error_message()
    expect_error(libvirt.VIR_ERR_XML_ERROR, conn.baselineCPU, ['<cpu'], 0)
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.baselineCPU, [a], 4)


def test_baseline_hypervisor_cpu(conn):
    a = A57.format("<feature name='aes'/>")
    b = A57.format('')
    flags = libvirt.VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES
    for arch, machine, virttype in (('aarch64', 'virt', 'kvm'), (None, None, 'qemu'),
                                    (None, None, None)):
        model, _, feats = baseline_parts(conn.baselineHypervisorCPU(
            None, arch, machine, virttype, [a, b], flags))
        assert model == 'cortex-a57' and feats == [('fp', 'require'), ('asimd', 'require')]
    # what getDomainCapabilities refuses, with its messages
    e = expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.baselineHypervisorCPU,
                     None, 'x86_64', None, 'kvm', [a], 0)
    assert "unable to find any emulator to serve 'x86_64' architecture" \
        in e.get_error_message()
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.baselineHypervisorCPU,
                 None, 'aarch64', 'pc', 'kvm', [a], 0)
    expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.baselineHypervisorCPU,
                 None, 'aarch64', None, 'xen', [a], 0)
    e = expect_error(libvirt.VIR_ERR_CPU_INCOMPATIBLE, conn.baselineHypervisorCPU,
                     None, 'aarch64', None, 'kvm',
                     ['<cpu><arch>s390x</arch><model>z15</model></cpu>'], 0)
    assert 's390x' in e.get_error_message()


def test_domain_capabilities_per_listed_guest(conn):
    caps = ET.fromstring(conn.getCapabilities())
    listed = [(g.find('arch').get('name'), d.get('type'))
              for g in caps.findall('guest') for d in g.findall('arch/domain')]
    assert listed, 'no guest in the capabilities'
    for arch, virttype in listed:
        dom = ET.fromstring(conn.getDomainCapabilities(None, arch, None, virttype, 0))
        assert (dom.findtext('arch'), dom.findtext('domain')) == (arch, virttype)
    e = expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getDomainCapabilities,
                     None, 's390x', None, 'kvm', 0)
    assert e.get_error_message().endswith("unable to find any emulator to serve 's390x' "
                                          "architecture"), e.get_error_message()
    e = expect_error(libvirt.VIR_ERR_INVALID_ARG, conn.getDomainCapabilities,
                     None, 'nosucharch', None, None, 0)
    assert e.get_error_message().endswith('unknown architecture: nosucharch')


def test_virsh_cpu_baseline(daemon, tmp_path):
    f = tmp_path / 'cpus.xml'
    f.write_text(A57.format("<feature name='aes'/>") + '\n' + A57.format(''))
    out = daemon.virsh('cpu-baseline', str(f)).out
    assert '<model fallback=' in out and 'cortex-a57' in out and "name='aes'" not in out, out
    out = daemon.virsh('hypervisor-cpu-baseline', '--arch', 'aarch64', '--virttype', 'kvm',
                       '--features', str(f)).out
    assert "<feature policy='require' name='asimd'/>" in out and "name='aes'" not in out, out
    r = daemon.virsh('hypervisor-cpu-baseline', '--arch', 'x86_64', str(f), check=False)
    assert r.rc != 0 and "unable to find any emulator to serve 'x86_64'" in r.err, r
