"""Virtio on PCI Express through the daemon, in the emulated arm64 test
host: a domain with <controller type='pci' model='pcie-root'/> (as
virt-install and Nova write it) is defined; its disk and rng get addresses
on pcie-root-ports added as libvirt adds them, kept in the persistent XML;
the jailed armz-vmm it starts (--pci) gives the guest the disk, whose md5
the guest prints. Run by tests/host/run-host --drive."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

from hostlib import ROOT, URI, domain_xml, host_sh, serial_log, wait_guest_marker

SIZE = 1 << 20


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    yield c
    try:
        d = c.lookupByName('pcidisk')
        if d.isActive():
            d.destroy()
        d.undefine()
    except libvirt.libvirtError:
        pass
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
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"""
    host_sh(f'rm -f {ROOT}/pcidisk-serial.log')
    dom = conn.defineXML(domain_xml('pcidisk', mode='blksum', extra=extra))
    # define wrote the addresses and the added root ports
    r = ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    ports = [c for c in r.iter('controller') if c.get('model') == 'pcie-root-port']
    assert [p.get('index') for p in ports] == ['1', '2'], ET.tostring(r).decode()
    addr = r.find('devices/disk/address')
    assert addr is not None and addr.get('type') == 'pci' and addr.get('bus') == '0x01', \
        ET.tostring(r).decode()
    assert r.find('devices/rng/address').get('bus') == '0x02'
    dom.create()
    wait_guest_marker('pcidisk', 'ARMZ-GUEST BLKSUM-END')
    sums = {}
    for line in serial_log('pcidisk').splitlines():
        if line.startswith('ARMZ-GUEST BLKSUM '):
            p = line.split()
            sums[p[2]] = (int(p[3]), p[4])
    assert sums.get('vda') == (SIZE, md5), serial_log('pcidisk')
    # the guest found them on PCI: the disk below the first root port
    rc, out = host_sh(f'grep -rl -- "--pcie-root-port" {ROOT} 2>/dev/null | head -3')
    assert out.strip(), 'no domain log with the --pci command line under ' + ROOT
    dom.destroy()
