"""What an IBM Z host tells clients about the CPU its guests run on
(docs/nova.md, "An IBM Z compute node"): once an arm64 KVM device is found,
the capabilities' host CPU is the arm64 core kvm-arm64 gives guests (arch
aarch64), so that what Nova and virt-install derive from the host arch
(hardware assistance, host-passthrough, UEFI, PCIe ports) is true of the
guest; virNodeGetInfo still names the
machine (s390x), and the arm64 CPU's features, which the s390x
/proc/cpuinfo does not list, are never claimed."""
import os
import xml.etree.ElementTree as ET

import libvirt
import pytest

from armzd import expect_error


@pytest.fixture
def conn(daemons):
    """The s390x daemon with an arm64 KVM device to find: /dev/null stands
    in for /dev/kvm-arm64, which qemu-user cannot offer (nothing is
    started here)."""
    d = daemons.new(env=dict(os.environ, ARMZ_KVM_DEVICE='/dev/null'))
    c = libvirt.open(d.uri)
    yield c
    c.close()


def test_without_arm64_kvm_the_host_is_the_machine(daemons):
    """The arch comes from the probe, not from the machine: with no arm64
    KVM device the capabilities name s390x, on which armz runs nothing."""
    env = {k: v for k, v in os.environ.items() if k != 'ARMZ_KVM_DEVICE'}
    d = daemons.new(env=env)
    c = libvirt.open(d.uri)
    try:
        assert ET.fromstring(c.getCapabilities()).findtext('host/cpu/arch') == 's390x'
    finally:
        c.close()


def test_host_cpu_is_the_guests_arm64_core(conn):
    caps = ET.fromstring(conn.getCapabilities())
    assert caps.findtext('host/cpu/arch') == 'aarch64'
    # no s390x feature or model is passed off as the arm64 core's
    assert caps.find('host/cpu/model') is None and caps.findall('host/cpu/feature') == []
    assert conn.getInfo()[0] == 's390x'
    guests = [(g.find('arch').get('name'), sorted(d.get('type') for d in g.findall('arch/domain')))
              for g in caps.findall('guest')]
    assert guests == [('aarch64', ['kvm', 'qemu'])], guests


def test_compare_cpu_claims_no_unknown_feature(conn):
    # the host's own description (what Nova compares on a live migration)
    assert conn.compareCPU('<cpu><arch>aarch64</arch></cpu>', 0) == \
        libvirt.VIR_CPU_COMPARE_IDENTICAL
    assert conn.compareCPU("<cpu mode='host-passthrough'/>", 0) == \
        libvirt.VIR_CPU_COMPARE_IDENTICAL
    # an s390x feature of /proc/cpuinfo is no arm64 feature
    for feature in ('aes', 'zarch'):
        cpu = f"<cpu><arch>aarch64</arch><feature name='{feature}'/></cpu>"
        assert conn.compareCPU(cpu, 0) == libvirt.VIR_CPU_COMPARE_INCOMPATIBLE
        e = expect_error(libvirt.VIR_ERR_CPU_INCOMPATIBLE, conn.compareCPU, cpu,
                         libvirt.VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE)
        assert 'kvm-arm64' in e.get_error_message() and feature in e.get_error_message()
    e = expect_error(libvirt.VIR_ERR_CPU_INCOMPATIBLE, conn.compareCPU,
                     '<cpu><arch>s390x</arch></cpu>',
                     libvirt.VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE)
    assert 'host arch aarch64' in e.get_error_message()


def test_baseline_is_for_arm64_cpus_only(conn):
    e = expect_error(libvirt.VIR_ERR_NO_SUPPORT, conn.baselineCPU,
                     ['<cpu><arch>s390x</arch><model>z15</model></cpu>'], 0)
    assert 's390x' in e.get_error_message()
