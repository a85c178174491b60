"""The guest XML Nova's own code writes for an aarch64 image (Nova's
_get_guest_xml with its blockinfo disk mapping, a config drive on a SCSI
CD-ROM, an OVS port from os-vif, memballoon, serial console) is defined by
virtarmzd without an edit (issue 19)."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'


def make_instance(name='instance-00000001'):
    from nova import context, objects
    from nova.tests.unit import fake_instance
    ctx = context.get_admin_context()
    flavor = objects.Flavor(name='m1.small', memory_mb=512, vcpus=2, root_gb=1,
                            ephemeral_gb=0, swap=0, extra_specs={}, flavorid='1', id=1,
                            rxtx_factor=1.0, is_public=True, disabled=False, vcpu_weight=None,
                            description=None)
    inst = fake_instance.fake_instance_obj(ctx, flavor=flavor, memory_mb=512, vcpus=2,
                                           root_gb=1, image_ref=IMAGE_ID, config_drive='True')
    inst.system_metadata = {'image_hw_architecture': 'aarch64', 'image_disk_format': 'qcow2'}
    inst.ephemeral_gb = 0
    inst.flavor = flavor
    inst.numa_topology = None
    inst.pci_requests = objects.InstancePCIRequests(requests=[])
    inst.resources = None
    inst.device_metadata = None
    inst.trusted_certs = None
    inst.keypairs = objects.KeyPairList(objects=[])
    inst.vcpu_model = None
    inst.migration_context = None
    inst.tags = objects.TagList(objects=[])
    inst.pci_devices = objects.PciDeviceList(objects=[])
    return ctx, inst


def ovs_vif():
    from nova.network import model as network_model
    return network_model.VIF(
        id='b8f1c1a5-1234-4567-89ab-cdef01234567', address='fa:16:3e:11:22:34',
        network=network_model.Network(id='net1', bridge='br-int', label='private',
                                      subnets=[], meta={'mtu': 1442}),
        type=network_model.VIF_TYPE_OVS, devname='tapb8f1c1a5-12',
        ovs_interfaceid='b8f1c1a5-1234-4567-89ab-cdef01234567',
        details={network_model.VIF_DETAILS_PORT_FILTER: True,
                 network_model.VIF_DETAILS_OVS_HYBRID_PLUG: False},
        vnic_type=network_model.VNIC_TYPE_NORMAL, active=True)


@pytest.fixture(scope='module')
def guest_xml(driver):
    """As on an arm64 compute node: Nova Zed looks for UEFI only in the
    domain capabilities of the host's own arch (docs/nova.md), and this
    test machine is x86_64."""
    import os_vif
    from nova import objects
    os_vif.objects.register_all()
    driver._host.get_capabilities().host.cpu.arch = 'aarch64'
    driver._host._supports_uefi = None
    from nova.network import model as network_model
    from nova.virt.libvirt import blockinfo
    ctx, inst = make_instance()
    image_meta = objects.ImageMeta.from_dict(
        {'id': IMAGE_ID, 'disk_format': 'qcow2',
         'properties': {'hw_architecture': 'aarch64'}})
    disk_info = blockinfo.get_disk_info('kvm', inst, image_meta)
    network_info = network_model.NetworkInfo([ovs_vif()])
    return driver._get_guest_xml(ctx, inst, network_info, disk_info, image_meta)


def test_nova_writes_what_the_issue_lists(guest_xml):
    root = ET.fromstring(guest_xml)
    assert root.get('type') == 'kvm'
    assert root.find('os/type').get('arch') == 'aarch64'
    assert root.find('os/type').get('machine').startswith('virt')
    assert root.find("devices/memballoon[@model='virtio']") is not None
    assert root.find("devices/disk[@device='cdrom']/target").get('bus') == 'scsi'
    assert root.find("devices/interface/virtualport").get('type') == 'openvswitch'
    assert root.find('devices/serial').get('type') == 'tcp'
    assert root.find('os/loader').get('type') == 'pflash'
    assert root.find("devices/disk[@device='disk']/driver").get('type') == 'qcow2'


def test_nova_guest_xml_defines_unedited(guest_xml, daemon):
    conn = libvirt.open(daemon.uri)
    try:
        dom = conn.defineXML(guest_xml)
        live = ET.fromstring(dom.XMLDesc(0))
        sent = ET.fromstring(guest_xml)
        # nothing Nova wrote was dropped: every device kind is still there
        for kind in {c.tag for c in sent.find('devices')}:
            assert live.find('devices/' + kind) is not None, kind
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
    finally:
        conn.close()
