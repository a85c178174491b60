"""SCSI disks and CD-ROMs in definitions, and virsh change-media on a
defined (inactive) domain: the controller and drive addresses libvirt
would add, --config changes of a CD-ROM's medium, and libvirt's refusals
(live on an inactive domain, a disk that is not a CD-ROM, an unknown
target, a read-only connection). The live side is checked with a real
guest in tests/host/daemon/test_scsi.py."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt
ISO1 = '/var/lib/libvirt/images/config-1.iso'
ISO2 = '/var/lib/libvirt/images/config-2.iso'
CDROM = (f"    <disk type='file' device='cdrom'><source file='{ISO1}'/>"
         "<target dev='sda' bus='scsi'/><readonly/></disk>\n"
         "    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/d.img'/>"
         "<target dev='sdb' bus='scsi'/></disk>\n")


@pytest.fixture
def dom(conn):
    return conn.defineXML(armzd.domain_xml('media', extra_devices=CDROM))


def cd_source(dom, flags=L.VIR_DOMAIN_XML_INACTIVE):
    disk = ET.fromstring(dom.XMLDesc(flags)).find("./devices/disk[@device='cdrom']")
    src = disk.find('source')
    return None if src is None else src.get('file')


def test_controller_and_addresses(daemon, conn, dom):
    root = ET.fromstring(dom.XMLDesc(0))
    assert [(c.get('type'), c.get('index'), c.get('model'))
            for c in root.findall('./devices/controller')] == [('scsi', '0', 'virtio-scsi')]
    units = [d.find('address').get('unit') for d in root.findall('./devices/disk')
             if d.find('target').get('bus') == 'scsi']
    assert units == ['0', '1']
    caps = conn.getDomainCapabilities(None, 'aarch64', 'virt', 'kvm')
    assert '<value>cdrom</value>' in caps and '<value>scsi</value>' in caps


def test_change_media_config(daemon, conn, dom):
    daemon.virsh('change-media', 'media', 'sda', ISO2, '--update', '--config')
    assert cd_source(dom) == ISO2
    daemon.virsh('change-media', 'media', 'sda', '--eject', '--config')
    assert cd_source(dom) is None
    daemon.virsh('change-media', 'media', 'sda', ISO1, '--insert', '--config')
    assert cd_source(dom) == ISO1
    # current on an inactive domain is config
    daemon.virsh('change-media', 'media', 'sda', ISO2, '--update')
    assert cd_source(dom) == ISO2


def test_change_media_refused(daemon, conn, dom):
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.updateDeviceFlags,
                     f"<disk type='file' device='cdrom'><source file='{ISO2}'/>"
                     "<target dev='sda' bus='scsi'/></disk>", L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_UNSUPPORTED, dom.updateDeviceFlags,
                     "<disk type='file' device='disk'><source file='/x.img'/>"
                     "<target dev='sdb' bus='scsi'/></disk>", L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'CD-ROM' in e.get_error_message()
    e = expect_error(L.VIR_ERR_INVALID_ARG, dom.updateDeviceFlags,
                     "<disk type='file' device='cdrom'><target dev='sdz' bus='scsi'/></disk>",
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert "target sdz doesn't exist." in e.get_error_message()
    expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, dom.updateDeviceFlags,
                 "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>",
                 L.VIR_DOMAIN_AFFECT_CONFIG)
    # an interface is its link state's business (test_hotplug.py), found as libvirt finds it
    e = expect_error(L.VIR_ERR_DEVICE_MISSING, dom.updateDeviceFlags,
                     "<interface type='bridge'><source bridge='br0'/></interface>",
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'no matching device found' in e.get_error_message()
    r = daemon.virsh('change-media', 'media', 'sda', ISO2, '--update', '--config', ro=True,
                     check=False)
    assert r.rc != 0 and 'read only' in r.err.lower(), r
    assert cd_source(dom) == ISO1


def test_scsi_definitions_refused(daemon, conn):
    for extra, words in [
        ("<disk type='file' device='cdrom'><source file='/x.iso'/>"
         "<target dev='vdb' bus='virtio'/></disk>", "use <target bus='scsi'/>"),
        ("<disk type='file' device='disk'><source file='/x.img'/>"
         "<target dev='sdh' bus='scsi'/></disk>", 'SCSI controller 1'),
        ("<disk type='file' device='disk'><source file='/x.img'/>"
         "<target dev='sda' bus='sata'/></disk>", "bus='scsi'"),
        ("<controller type='scsi' model='lsilogic'/>", "model='virtio-scsi'"),
    ]:
        e = expect_error((L.VIR_ERR_CONFIG_UNSUPPORTED, L.VIR_ERR_XML_ERROR), conn.defineXML,
                         armzd.domain_xml('bad-scsi', extra_devices=f'    {extra}\n'))
        assert words in e.get_error_message(), e.get_error_message()


def test_tray_attribute(daemon, conn):
    """<target tray='open'/> (what the live XML shows after an eject) round
    trips; 'closed' is the default and not shown; anything else is an XML
    error."""
    def tray_xml(tray):
        return armzd.domain_xml('tray-' + tray, extra_devices=(
            "<disk type='file' device='cdrom'>"
            f"<target dev='sda' bus='scsi' tray='{tray}'/><readonly/></disk>"))
    xml = conn.defineXML(tray_xml('open')).XMLDesc(0)
    assert "<target dev='sda' bus='scsi' tray='open'/>" in xml, xml
    xml = conn.defineXML(tray_xml('closed')).XMLDesc(0)
    assert "<target dev='sda' bus='scsi'/>" in xml, xml
    e = expect_error(L.VIR_ERR_XML_ERROR, conn.defineXML, tray_xml('ajar'))
    assert 'tray' in e.get_error_message(), e.get_error_message()
