"""An instance as Nova's own code describes it (Debian's python3-nova):
Nova configured as its unit tests configure it (no database, no message
bus), the driver started on a connection URI, the instance and image
objects, its VIFs, the guest XML from _get_guest_xml and the config drive
from Nova's metadata and ConfigDriveBuilder. Used by tier 39 (tests/nova)
and by the tier-45 Nova guest (tests/host/daemon/nova-instance).
The caller imports nova.monkey_patch first, as nova-compute does."""
from unittest import mock

IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
INSTANCE_UUID = '8e1c5a46-9a0f-4b35-a0c4-61726d7a6e6f'


def configure(uri, instances_path, state_path):
    """nova.conf for an armz compute node (docs/nova.md); returns the
    overrides to clear."""
    import nova.conf
    from nova import objects
    objects.register_all()
    conf = nova.conf.CONF
    conf([], project='nova', default_config_files=[])
    overrides = [
        ('connection_uri', uri, 'libvirt'),
        ('virt_type', 'kvm', 'libvirt'),
        # PCIe root ports for hotplug (docs/nova.md)
        ('num_pcie_ports', 8, 'libvirt'),
        ('instances_path', instances_path, None),
        ('state_path', state_path, None),
        ('host', 'compute1', None),
        # docs/nova.md: no VNC until graphics land; Nova's serial console
        ('enabled', False, 'vnc'),
        ('enabled', True, 'serial_console'),
        # Debian ships xorriso's mkisofs; genisoimage takes the same options
        ('mkisofs_cmd', 'xorrisofs', None),
    ]
    for name, value, group in overrides:
        conf.set_override(name, value, group)
    return conf, overrides


def start_driver():
    """LibvirtDriver.init_host with the two object queries it makes answered
    empty; returns the driver and the patches to stop."""
    from nova import objects
    from nova.virt.libvirt import driver as libvirt_driver
    patches = [mock.patch.object(objects.InstanceList, 'get_by_host', return_value=[]),
               mock.patch.object(objects.Service, 'get_by_compute_host')]
    for p in patches:
        p.start()
    drv = libvirt_driver.LibvirtDriver(mock.Mock(), False)
    drv.init_host('compute1')
    return drv, patches


def make_instance():
    from nova import context, objects
    from nova.tests.unit import fake_instance
    ctx = context.get_admin_context()
    flavor = objects.Flavor(name='m1.small', memory_mb=512, vcpus=2, root_gb=1,
                            ephemeral_gb=0, swap=0, extra_specs={}, flavorid='1', id=1,
                            rxtx_factor=1.0, is_public=True, disabled=False, vcpu_weight=None,
                            description=None)
    inst = fake_instance.fake_instance_obj(ctx, flavor=flavor, memory_mb=512, vcpus=2,
                                           root_gb=1, image_ref=IMAGE_ID, config_drive='True',
                                           uuid=INSTANCE_UUID)
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
    inst.metadata = {}
    inst.hostname = 'armz-instance'
    inst.ec2_ids = objects.EC2Ids(instance_id='i-00000001', ami_id='ami-00000001',
                                  kernel_id=None, ramdisk_id=None)
    return ctx, inst


def image_meta():
    from nova import objects
    return objects.ImageMeta.from_dict(
        {'id': IMAGE_ID, 'disk_format': 'qcow2', 'properties': {'hw_architecture': 'aarch64'}})


def _network(bridge, mtu):
    from nova.network import model as network_model
    return network_model.Network(id='net1', bridge=bridge, label='private', subnets=[],
                                 meta={'mtu': mtu})


def ovs_vif():
    """A port os-vif plugged into Open vSwitch's br-int."""
    from nova.network import model as network_model
    return network_model.VIF(
        id='b8f1c1a5-1234-4567-89ab-cdef01234567', address='fa:16:3e:11:22:34',
        network=_network('br-int', 1442), type=network_model.VIF_TYPE_OVS,
        devname='tapb8f1c1a5-12', ovs_interfaceid='b8f1c1a5-1234-4567-89ab-cdef01234567',
        details={network_model.VIF_DETAILS_PORT_FILTER: True,
                 network_model.VIF_DETAILS_OVS_HYBRID_PLUG: False},
        vnic_type=network_model.VNIC_TYPE_NORMAL, active=True)


def bridge_vif(bridge, second=False):
    """A port on a Linux bridge (Neutron's linuxbridge agent): Nova writes
    <interface type='bridge'> with the bridge as source. SECOND: another
    port (an interface attach)."""
    from nova.network import model as network_model
    port = 'd4b0f3c8-1234-4567-89ab-cdef01234567' if second else \
        'c3a9e2b7-1234-4567-89ab-cdef01234567'
    return network_model.VIF(
        id=port, address='fa:16:3e:11:22:36' if second else 'fa:16:3e:11:22:35',
        network=_network(bridge, 1500), type=network_model.VIF_TYPE_BRIDGE,
        devname=f'tap{port[:11]}', details={network_model.VIF_DETAILS_PORT_FILTER: True},
        vnic_type=network_model.VNIC_TYPE_NORMAL, active=True)


def tap_vif(second=False):
    """A port whose tap its network agent made (VIF_TYPE_TAP, as Calico's):
    Nova writes <interface type='ethernet'><target dev='tapX' managed='no'/>.
    Nova 2026.2 refuses Linux-bridge ports ("Linux bridge VIF type is no
    longer supported"). SECOND: another port."""
    from nova.network import model as network_model
    port = 'e5c1a4d9-1234-4567-89ab-cdef01234567' if second else \
        'f6d2b5ea-1234-4567-89ab-cdef01234567'
    return network_model.VIF(
        id=port, address='fa:16:3e:11:22:38' if second else 'fa:16:3e:11:22:37',
        network=_network('', 1500), type=network_model.VIF_TYPE_TAP,
        devname=f'tap{port[:11]}', details={},
        vnic_type=network_model.VNIC_TYPE_NORMAL, active=True)


def guest_xml(driver, ctx, inst, vifs):
    """The XML Nova's spawn path writes: blockinfo's disk mapping, then
    _get_guest_xml."""
    import os_vif
    from nova.network import model as network_model
    from nova.virt.libvirt import blockinfo
    os_vif.objects.register_all()
    meta = image_meta()
    disk_info = blockinfo.get_disk_info('kvm', inst, meta)
    return driver._get_guest_xml(ctx, inst, network_model.NetworkInfo(vifs), disk_info, meta)


def config_drive(inst, vifs, path):
    """The config drive Nova's _create_configdrive makes: the instance's
    metadata (InstanceMetadata) written by ConfigDriveBuilder into an
    ISO 9660 image at PATH (CONF.mkisofs_cmd). Security groups come from
    Neutron and block device mappings from the database, neither here: none."""
    from nova import objects
    from nova.api.metadata import base as instance_metadata
    from nova.network import model as network_model
    from nova.network import security_group_api
    from nova.virt import configdrive
    no_bdms = objects.BlockDeviceMappingList(objects=[])
    with mock.patch.object(security_group_api, 'get_instance_security_groups',
                           return_value=[]), \
            mock.patch.object(objects.BlockDeviceMappingList, 'get_by_instance_uuid',
                              return_value=no_bdms):
        md = instance_metadata.InstanceMetadata(
            inst, content=[], extra_md={}, network_info=network_model.NetworkInfo(vifs))
    with configdrive.ConfigDriveBuilder(instance_md=md) as cdb:
        cdb.make_drive(path)
