"""SCSI disks and CD-ROMs with real guests in the emulated arm64 host: a
domain with a config drive (ISO 9660, label config-2, as Nova attaches
it: <disk device='cdrom'><target bus='scsi'/>) gets its virtio-scsi
controller and drive address as libvirt gives them; the guest (mode
'cdrom' of the guest /init) reads the drive; virsh change-media ejects it
and inserts another one, both seen by the guest and reported as tray
change events (alias scsi0-0-0-0, as libvirt names it); domblkstat and
domstats --block count the guest's reads of the drive; --config changes the
persistent definition only. The guest is PCIe (as Nova's), so its
controller sits on a root port. Run by tests/host/run-host --drive (tier 45)."""
import contextlib
import threading
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest

from hostlib import Events, GUEST, URI, domain_xml, host_sh, virsh, wait_guest_marker

NAME = 'scsi-cd'


@pytest.fixture
def conn():
    Events.start_loop()             # before the connection: it gets the events
    c = libvirt.open(URI)
    yield c
    with contextlib.suppress(libvirt.libvirtError):
        d = c.lookupByName(NAME)
        with contextlib.suppress(libvirt.libvirtError):
            d.destroy()
        d.undefine()
    c.close()


PCIE = "<controller type='pci' index='0' model='pcie-root'/>"


def cdrom_xml(source):
    src = f"<source file='{source}'/>" if source else ''
    return (f"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>{src}"
            "<target dev='sda' bus='scsi'/><readonly/></disk>")


class TrayEvents:
    """VIR_DOMAIN_EVENT_ID_TRAY_CHANGE of one connection: (alias, reason)."""

    def __init__(self, conn):
        self.items, self.cond = [], threading.Condition()
        self.id = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_TRAY_CHANGE,
                                              self._cb, None)

    def _cb(self, conn, dom, alias, reason, opaque):
        with self.cond:
            self.items.append((alias, reason))
            self.cond.notify_all()

    def wait(self, item, timeout=60):
        end = time.monotonic() + timeout
        with self.cond:
            while item not in self.items:
                left = end - time.monotonic()
                assert left > 0, f'no tray event {item}; got {self.items}'
                self.cond.wait(left)
            self.items.remove(item)


def cd_source(dom, flags=0):
    disk = ET.fromstring(dom.XMLDesc(flags)).find("./devices/disk[@device='cdrom']")
    src = disk.find('source')
    return None if src is None else src.get('file')


def test_config_drive_change_media(conn):
    rc, out = host_sh(f'ls {GUEST}/config-1.iso {GUEST}/config-2.iso')
    if rc != 0:
        pytest.skip(f'no config drive ISOs in the test host (xorriso missing): {out}')
    dom = conn.defineXML(domain_xml(NAME, mode='cdrom', extra=PCIE + cdrom_xml(
        f'{GUEST}/config-1.iso')))
    root = ET.fromstring(dom.XMLDesc(0))
    ctrl = root.findall("./devices/controller[@type='scsi']")
    assert [(c.get('index'), c.get('model')) for c in ctrl] == [('0', 'virtio-scsi')]
    assert ctrl[0].find('address').get('bus') == '0x01', ET.tostring(ctrl[0])
    addr = root.find("./devices/disk[@device='cdrom']/address")
    assert addr.attrib == {'type': 'drive', 'controller': '0', 'bus': '0', 'target': '0',
                           'unit': '0'}

    tray = TrayEvents(conn)
    dom.create()
    wait_guest_marker(NAME, 'ARMZ-GUEST CDROM armz-config-1')
    # domblkstat and domstats --block count the guest's reads of the drive
    rd_req, rd_bytes, wr_req, _, _ = dom.blockStats('sda')
    assert rd_req > 0 and rd_bytes >= 2048 and wr_req == 0, dom.blockStats('sda')
    st = conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_BLOCK)[0][1]
    n = [k for k, v in st.items() if k.endswith('.name') and v == 'sda']
    assert n and st[n[0].replace('.name', '.rd.reqs')] >= rd_req, st

    virsh('change-media', NAME, 'sda', '--eject', '--live', '--force')
    tray.wait(('scsi0-0-0-0', libvirt.VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN))
    wait_guest_marker(NAME, 'ARMZ-GUEST CDROM EMPTY')
    assert cd_source(dom) is None
    assert cd_source(dom, libvirt.VIR_DOMAIN_XML_INACTIVE) == f'{GUEST}/config-1.iso'

    virsh('change-media', NAME, 'sda', f'{GUEST}/config-2.iso', '--insert', '--live')
    tray.wait(('scsi0-0-0-0', libvirt.VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE))
    wait_guest_marker(NAME, 'ARMZ-GUEST CDROM armz-config-2')
    assert cd_source(dom) == f'{GUEST}/config-2.iso'
    assert dom.blockStats('sda')[0] > rd_req, dom.blockStats('sda')   # read the new one
    # (the guest's sr driver closes an open tray within a second, before the
    # insert: the live XML follows each DEVICE_TRAY_MOVED; closed is not shown)
    target = ET.fromstring(dom.XMLDesc(0)).find("./devices/disk[@device='cdrom']/target")
    assert target.get('tray') is None, ET.tostring(target)

    # --config: the next boot's medium; the running guest keeps its own
    virsh('change-media', NAME, 'sda', f'{GUEST}/config-1.iso', '--update', '--config')
    assert cd_source(dom) == f'{GUEST}/config-2.iso'
    assert cd_source(dom, libvirt.VIR_DOMAIN_XML_INACTIVE) == f'{GUEST}/config-1.iso'

    # a medium that does not exist: refused, nothing changes
    p = virsh('change-media', NAME, 'sda', f'{GUEST}/missing.iso', '--update', '--live',
              check=False)
    assert p.returncode != 0 and 'missing.iso' in p.stderr
    assert cd_source(dom) == f'{GUEST}/config-2.iso'
    dom.destroy()


def test_refused_buses(conn):
    xml = domain_xml(NAME, extra=cdrom_xml(f'{GUEST}/config-1.iso').replace("bus='scsi'",
                                                                           "bus='sata'"))
    with pytest.raises(libvirt.libvirtError) as e:
        conn.defineXML(xml)
    assert "bus='scsi'" in str(e.value)
