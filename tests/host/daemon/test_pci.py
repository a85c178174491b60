"""Virtio on PCI Express through the daemon, in the emulated arm64 test
host: a domain with <controller type='pci' model='pcie-root'/> (as
virt-install and Nova write it) is defined; its disk and rng get addresses
on pcie-root-ports added as libvirt adds them, kept in the persistent XML;
the jailed armz-vmm it starts (--pci) gives the guest the disk, whose md5
the guest prints. The memballoon, vsock, virtio-scsi controller (with an
empty CD-ROM) and virtio console (its virtio-serial controller) each get a
root port of their own too: the guest finds every virtio function below a
root port, and its driver bound. Run by tests/host/run-host --drive."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

from hostlib import ROOT, URI, domain_xml, host_sh, remove_domains, serial_log, wait_guest_marker

SIZE = 1 << 20


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    yield c
    remove_domains(c, 'pcidisk')
    host_sh(f'rm -f {ROOT}/pcidisk.img')
    c.close()


def test_disk_on_pcie_root_port(conn):
    rc, out = host_sh(f'dd if=/dev/urandom of={ROOT}/pcidisk.img bs=1M count=1 2>/dev/null && '
                      f'md5sum {ROOT}/pcidisk.img')
    assert rc == 0, out
    md5 = out.split()[0]
    extra = f"""<controller type='pci' index='0' model='pcie-root'/>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{ROOT}/pcidisk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='sda' bus='scsi'/>
      <readonly/>
    </disk>
    <console type='pty'><target type='virtio'/></console>
    <memballoon model='virtio'/>
    <vsock model='virtio'><cid auto='yes'/></vsock>"""
    host_sh(f'rm -f {ROOT}/pcidisk-serial.log')
    dom = conn.defineXML(domain_xml('pcidisk', mode='blksum', extra=extra))
    # define wrote the addresses and the added root ports
    r = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    ports = [c for c in r.iter('controller') if c.get('model') == 'pcie-root-port']
    assert [p.get('index') for p in ports] == ['1', '2', '3', '4', '5', '6'], \
        ET.tostring(r).decode()
    # libvirt's order: controllers (SCSI, then the virtio-serial one it
    # adds for the console), disks, memballoon, rng, vsock
    buses = []
    for path in ("devices/controller[@type='scsi']", "devices/controller[@type='virtio-serial']",
                 "devices/disk[@device='disk']", 'devices/memballoon', 'devices/rng',
                 'devices/vsock'):
        addr = r.find(path + '/address')
        assert addr is not None and addr.get('type') == 'pci', (path, ET.tostring(r).decode())
        buses.append((path, addr.get('bus')))
    assert [b for _, b in buses] == ['0x01', '0x02', '0x03', '0x04', '0x05', '0x06'], buses
    dom.create()
    wait_guest_marker('pcidisk', 'ARMZ-GUEST BLKSUM-END')
    sums = {}
    for line in serial_log('pcidisk').splitlines():
        if line.startswith('ARMZ-GUEST BLKSUM '):
            p = line.split()
            sums[p[2]] = (int(p[3]), p[4])
    assert sums.get('vda') == (SIZE, md5), serial_log('pcidisk')
    # every virtio function (blk, console, rng, balloon, scsi, vsock) sits
    # below a root port (1b36:000c) of the root bus, its guest driver bound
    funcs, drivers = {}, {}
    for line in serial_log('pcidisk').splitlines():
        if line.startswith('ARMZ-GUEST PCIDEV '):
            _, _, bdf, ids, parent, drv = line.split()
            funcs[bdf] = (ids, parent)
            drivers[ids] = drv
    virtio = {ids: parent for ids, parent in funcs.values() if ids.startswith('0x1af4:')}
    want = {'0x1af4:0x1042': 'virtio_blk', '0x1af4:0x1043': 'virtio_console',
            '0x1af4:0x1044': 'virtio_rng', '0x1af4:0x1045': 'virtio_balloon',
            '0x1af4:0x1048': 'virtio_scsi', '0x1af4:0x1053': 'vmw_vsock_virtio_transport'}
    assert set(virtio) == set(want), funcs
    assert {ids: drivers[ids] for ids in want} == want, drivers
    for ids, parent in virtio.items():
        assert funcs.get(parent, ('', ''))[0] == '0x1b36:0x000c', (ids, parent, funcs)
        assert funcs[parent][1] == 'pci0000:00', (ids, parent, funcs)
    assert len(set(virtio.values())) == len(want), funcs
    # the guest found them on PCI: the disk below the first root port
    rc, out = host_sh(f'grep -rl -- "--pcie-root-port" {ROOT} 2>/dev/null | head -3')
    assert out.strip(), 'no domain log with the --pci command line under ' + ROOT
    dom.destroy()
