"""Nova's libvirt driver, unmodified, on an IBM Z compute node (issue 19,
docs/nova.md "An IBM Z compute node"): the s390x virtarmzd (tier 39's
nova-ibmz run: the big-endian daemon under qemu-s390x) gives aarch64 as its
host CPU's arch, the arm64 core kvm-arm64 gives guests, so Nova's own
choices for an aarch64 image are true of the guest: hardware assistance
(type kvm), host-passthrough, PCIe root ports and UEFI (test_nova_guest_xml
checks that XML and defines it). Where kvm-arm64 cannot map the firmware's
flash (IBM Z today, KVM profile s390), Nova refuses the instance at once."""
import json
import os

import libvirt
import pytest

import armzd
import novainst


def test_the_node_is_ibm_z_running_aarch64_with_kvm(driver, daemon):
    conn = libvirt.open(daemon.uri)
    try:
        assert conn.getInfo()[0] == 's390x'   # the daemon really runs as s390x
    finally:
        conn.close()
    res = driver.get_available_resource('compute1')
    assert json.loads(res['cpu_info'])['arch'] == 'aarch64'
    assert ('aarch64', 'kvm', 'hvm') in res['supported_instances']
    assert driver._host.supports_uefi


@pytest.fixture(scope='module')
def today(tmp_path_factory):
    """A second s390x daemon as IBM Z's kvm-arm64 is today: the s390 KVM
    profile, no read-only memory slots. Inside a root of the newest Nova
    (tests/nova/in-root) it was started outside and is reached by URI."""
    uri = os.environ.get('ARMZ_NOVA_DAEMON_URI_S390_TODAY')
    if uri:
        yield uri
        return
    if os.environ.get('ARMZ_NOVA_DAEMON_URI'):
        pytest.skip('in-root without a second daemon')
    d = armzd.Daemon(root=str(tmp_path_factory.mktemp('armzd-today')),
                     env=dict(os.environ, ARMZ_KVM_PROFILE='s390'))
    d.start()
    yield d.uri
    d.stop()


def test_without_read_only_slots_nova_refuses_uefi_at_once(today, tmp_path):
    """Nova boots aarch64 only through UEFI: with no loader in the domain
    capabilities it raises UEFINotSupported before it writes a guest."""
    from nova import exception
    conf, overrides = novainst.configure(today, str(tmp_path / 'instances'),
                                         str(tmp_path / 'state'))
    try:
        drv, patches = novainst.start_driver()
        try:
            assert drv._host.get_capabilities().host.cpu.arch == 'aarch64'
            assert not drv._host.supports_uefi
            ctx, inst = novainst.make_instance()
            with pytest.raises(exception.UEFINotSupported):
                novainst.guest_xml(drv, ctx, inst, [novainst.ovs_vif()])
        finally:
            for p in patches:
                p.stop()
    finally:
        for name, _, group in overrides:
            conf.clear_override(name, group)
