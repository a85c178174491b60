"""Storage volumes as guest disks, in the emulated arm64 test host: a dir
pool under the daemon's root, a pattern uploaded with virsh vol-upload over
the forwarded TCP port, and a guest whose data disk is that volume
(<disk type='volume'>) reading it back (its /init in mode blksum prints
the md5 of every virtio disk). Run by tests/host/run-host --drive."""
import hashlib
import os
import subprocess
import tempfile

import libvirt
import pytest

from hostlib import (ROOT, URI, domain_xml, host_sh, remove_domains, serial_log, virsh,
                     wait_guest_marker)

POOL = 'guestpool'
POOL_DIR = ROOT + '/guestpool'
SIZE = 4 << 20


def disk_xml(volume, pool=POOL):
    return f"""<disk type='volume' device='disk'>
      <driver name='qemu' type='raw'/>
      <source pool='{pool}' volume='{volume}'/>
      <target dev='vda' bus='virtio'/>
    </disk>"""


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    yield c
    try:
        c.close()
    except libvirt.libvirtError:
        pass


@pytest.fixture
def pool(conn):
    """A started dir pool; its volumes and the pool go afterwards."""
    remove_domains(conn, 'voldisk', 'qcowdisk', 'novol')
    virsh('pool-define-as', POOL, 'dir', '--target', POOL_DIR)
    virsh('pool-build', POOL)
    virsh('pool-start', POOL)
    p = conn.storagePoolLookupByName(POOL)
    yield p
    remove_domains(conn, 'voldisk', 'qcowdisk', 'novol')
    try:
        for v in p.listAllVolumes():
            v.delete(0)
        p.destroy()
        p.delete(0)
        p.undefine()
    except libvirt.libvirtError:
        pass


def blksums(name):
    """{dev: (size, md5)} from the guest's BLKSUM lines."""
    out = {}
    for line in serial_log(name).splitlines():
        if line.startswith('ARMZ-GUEST BLKSUM '):
            parts = line.split()
            if len(parts) == 5:
                out[parts[2]] = (int(parts[3]), parts[4])
    return out


def test_guest_reads_uploaded_volume(conn, pool):
    pattern = os.urandom(SIZE)
    with tempfile.NamedTemporaryFile() as f:
        f.write(pattern)
        f.flush()
        virsh('vol-create-as', POOL, 'data.img', str(SIZE))
        virsh('vol-upload', '--pool', POOL, 'data.img', f.name)
    host_sh(f'rm -f {ROOT}/voldisk-serial.log')
    dom = conn.defineXML(domain_xml('voldisk', mode='blksum', extra=disk_xml('data.img')))
    dom.create()
    # the live XML keeps the volume disk as it was given
    live = dom.XMLDesc(0)
    assert "<disk type='volume' device='disk'>" in live
    assert f"<source pool='{POOL}' volume='data.img'/>" in live
    wait_guest_marker('voldisk', 'ARMZ-GUEST BLKSUM-END')
    sums = blksums('voldisk')
    assert sums.get('vda') == (SIZE, hashlib.md5(pattern).hexdigest()), serial_log('voldisk')
    # a started guest's volume can still be read back by path
    rc, out = host_sh(f'md5sum {POOL_DIR}/data.img')
    assert out.split()[0] == hashlib.md5(pattern).hexdigest(), out
    dom.destroy()


def test_volume_start_errors(conn, pool):
    # qcow2: the image header makes it one (there is no qemu-img in the host)
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, 'q.qcow2')
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', img, '4M'], check=True)
        virsh('vol-create-as', POOL, 'q.qcow2', str(os.path.getsize(img)))
        virsh('vol-upload', '--pool', POOL, 'q.qcow2', img)
    assert "<format type='qcow2'/>" in virsh('vol-dumpxml', '--pool', POOL, 'q.qcow2').stdout
    dom = conn.defineXML(domain_xml('qcowdisk', extra=disk_xml('q.qcow2')))
    with pytest.raises(libvirt.libvirtError,
                       match=f"armz-vmm reads raw volumes only: volume 'q.qcow2' in pool "
                             f"'{POOL}' is qcow2"):
        dom.create()
    dom.undefine()

    dom = conn.defineXML(domain_xml('novol', extra=disk_xml('missing.img')))
    with pytest.raises(libvirt.libvirtError, match="no storage vol with matching name "
                                                   "'missing.img'") as e:
        dom.create()
    assert e.value.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_VOL
    dom.undefine()
    dom = conn.defineXML(domain_xml('novol', extra=disk_xml('x.img', pool='nopool')))
    with pytest.raises(libvirt.libvirtError, match="no storage pool with matching name "
                                                   "'nopool'") as e:
        dom.create()
    assert e.value.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL
    dom.undefine()
