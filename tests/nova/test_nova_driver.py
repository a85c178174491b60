"""Nova's libvirt driver against virtarmzd: the compute node starts and
reports its resources (issue 19)."""
import os
import re
import uuid

import libvirt


def test_init_host_passes_nova_version_checks(driver, daemon):
    # init_host raised if the hypervisor version were below Nova's QEMU minimum
    conn = libvirt.open(daemon.uri)
    try:
        assert conn.getVersion() >= 6002000
        assert driver._host.get_connection().getURI() == conn.getURI()
    finally:
        conn.close()


def test_available_resource(driver):
    res = driver.get_available_resource('compute1')
    assert res['hypervisor_type'] == 'ARMZ'
    assert res['hypervisor_version'] >= 26012000
    assert ('aarch64', 'kvm', 'hvm') in res['supported_instances']
    assert res['vcpus'] == os.cpu_count()
    with open('/proc/meminfo') as f:
        total_mib = int(re.search(r'MemTotal:\s+(\d+)', f.read()).group(1)) // 1024
    assert abs(res['memory_mb'] - total_mib) <= 1
    assert res['vcpus_used'] == 0
    assert res['pci_passthrough_devices'] == '[]'


def test_update_provider_tree(driver):
    from nova.compute import provider_tree
    pt = provider_tree.ProviderTree()
    pt.new_root('compute1', str(uuid.uuid4()))
    driver.update_provider_tree(pt, 'compute1')
    inv = pt.data('compute1').inventory
    assert inv['VCPU']['total'] == os.cpu_count()
    assert inv['MEMORY_MB']['total'] > 0
    assert inv['DISK_GB']['total'] > 0
    traits = pt.data('compute1').traits
    # storage buses from our domain capabilities: what armz really offers
    assert 'COMPUTE_STORAGE_BUS_VIRTIO' in traits, sorted(traits)
    for bus in ('IDE', 'SATA', 'USB', 'FDC', 'XEN', 'LXC', 'UML'):
        assert f'COMPUTE_STORAGE_BUS_{bus}' not in traits, sorted(traits)
    assert 'COMPUTE_SECURITY_UEFI_SECURE_BOOT' not in traits


def test_baseline_cpu_features_for_cpu_traits(driver):
    """_get_cpu_feature_traits and _match_cpu_model_by_flags ask baselineCPU
    (EXPAND_FEATURES) for a model's features: Nova's own call and parser."""
    from nova.virt.libvirt import config as vconfig
    cpu = vconfig.LibvirtConfigCPU()
    cpu.arch = 'aarch64'
    cpu.model = 'cortex-a57'
    for name in ('fp', 'asimd', 'aes'):
        cpu.add_feature(vconfig.LibvirtConfigCPUFeature(name))
    xml = driver._get_guest_baseline_cpu_features(cpu.to_xml())
    assert xml, 'baselineCPU refused: Nova would report no CPU traits'
    got = vconfig.LibvirtConfigCPU()
    got.parse_str(xml)
    assert got.model == 'cortex-a57'
    assert {f.name for f in got.features} == {'fp', 'asimd', 'aes'}
