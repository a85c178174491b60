"""fs and logical pools on loop devices the tests make and remove. Where the
machine cannot make loop devices (or has no device mapper for logical
volumes) the tests are skipped with the reason."""
import os
import uuid
import xml.etree.ElementTree as ET

import pytest

import stolib


@pytest.fixture
def loop(tmp_path):
    why = stolib.loop_unavailable()
    if why:
        pytest.skip(why)
    made = []

    def make(size=64 << 20):
        lo = stolib.Loop(tmp_path, size)
        made.append(lo)
        return lo
    yield make
    for lo in made:
        lo.detach()


@pytest.fixture
def mounts():
    """Mount points to force off in teardown, should a test fail midway."""
    points = []
    yield points
    for p in points:
        stolib.umount_quietly(p)


def test_fs_pool(daemons, loop, mounts, tmp_path):
    lo = loop()
    target = str(tmp_path / 'mnt')
    mounts.append(target)
    d = daemons.new()
    d.virsh('pool-define-as', 'fsp', 'fs', '--source-dev', lo.dev, '--source-format', 'ext4',
            '--target', target)
    xml = d.virsh('pool-dumpxml', 'fsp').out
    stolib.validate(xml, 'storagepool.rng', tmp_path)

    # a plain build makes the mount point only; formatting takes a flag
    d.virsh('pool-build', 'fsp')
    assert os.path.isdir(target)
    r = d.virsh('pool-start', 'fsp', check=False)
    assert r.rc != 0 and 'mount' in r.err, r
    d.virsh('pool-build', 'fsp', '--no-overwrite')
    r = d.virsh('pool-build', 'fsp', '--no-overwrite', check=False)
    assert r.rc != 0 and 'ext4' in r.err and '--overwrite' in r.err, r
    d.virsh('pool-build', 'fsp', '--overwrite')

    d.virsh('pool-start', 'fsp')
    assert stolib.mounted_on(target)
    info = stolib.pool_info(d, 'fsp')
    x = ET.fromstring(d.virsh('pool-dumpxml', 'fsp').out)
    cap, avail = int(x.findtext('capacity')), int(x.findtext('available'))
    assert 40 << 20 < cap <= 64 << 20 and 0 < avail <= cap, (info, cap, avail)

    d.virsh('vol-create-as', 'fsp', 'disk.raw', '16M')
    d.virsh('vol-create-as', 'fsp', 'disk.qcow2', '16M', '--format', 'qcow2')
    data = tmp_path / 'pattern.bin'
    data.write_bytes(os.urandom(1 << 20))
    d.virsh('vol-upload', '--pool', 'fsp', 'disk.raw', str(data))
    back = tmp_path / 'back.bin'
    d.virsh('vol-download', '--pool', 'fsp', 'disk.raw', str(back), '--length', str(1 << 20))
    assert back.read_bytes() == data.read_bytes()

    # bigger than the filesystem: refused, nothing left behind
    r = d.virsh('vol-create-as', 'fsp', 'big.raw', '1G', check=False)
    assert r.rc != 0 and 'cannot fit' in r.err, r
    r = d.virsh('vol-create-as', 'fsp', 'fat.raw', '60M', '--allocation', '60M', check=False)
    assert r.rc != 0 and 'not enough space' in r.err, r
    assert sorted(f for f in os.listdir(target) if f != 'lost+found') == ['disk.qcow2',
                                                                          'disk.raw']

    # started pools survive a daemon restart: still mounted, still there
    d.stop()
    assert stolib.mounted_on(target)
    d.start()
    assert stolib.pool_info(d, 'fsp')['State'] == 'running'
    assert 'disk.qcow2' in stolib.vol_names(d, 'fsp')

    d.virsh('pool-destroy', 'fsp')
    assert not stolib.mounted_on(target)
    d.virsh('pool-delete', 'fsp')
    assert not os.path.exists(target)
    d.virsh('pool-undefine', 'fsp')


@pytest.fixture
def vg(loop):
    why = stolib.lvm_unavailable()
    if why:
        pytest.skip(why)
    lo = loop()
    name = 'armzt' + uuid.uuid4().hex[:8]
    yield name, lo
    stolib.remove_vg(name, lo.dev)


def test_logical_pool(daemons, vg, tmp_path):
    name, lo = vg
    d = daemons.new()
    d.virsh('pool-define-as', 'lvp', 'logical', '--source-dev', lo.dev, '--source-name', name,
            '--target', f'/dev/{name}')
    stolib.validate(d.virsh('pool-dumpxml', 'lvp').out, 'storagepool.rng', tmp_path)
    r = d.virsh('pool-start', 'lvp', check=False)
    assert r.rc != 0 and 'pool-build' in r.err, r
    d.virsh('pool-build', 'lvp')
    assert stolib.lvm('vgs', name).returncode == 0, 'no volume group made'
    # built once, a second plain build finds the signature and refuses
    r = d.virsh('pool-build', 'lvp', check=False)
    assert r.rc != 0 and 'LVM2_member' in r.err, r
    d.virsh('pool-start', 'lvp')
    x = ET.fromstring(d.virsh('pool-dumpxml', 'lvp').out)
    cap, avail = int(x.findtext('capacity')), int(x.findtext('available'))
    assert 56 << 20 <= cap <= 64 << 20 and avail == cap, (cap, avail)
    assert stolib.vol_names(d, 'lvp') == []
    r = d.virsh('vol-create-as', 'lvp', 'huge', '1G', check=False)
    assert r.rc != 0 and ('not enough space' in r.err or 'cannot fit' in r.err), r
    r = d.virsh('vol-create-as', 'lvp', '-bad', '4M', check=False)
    assert r.rc != 0, r
    d.stop()
    d.start()
    assert stolib.pool_info(d, 'lvp')['State'] == 'running'
    d.virsh('pool-destroy', 'lvp')
    d.virsh('pool-delete', 'lvp')
    assert stolib.lvm('vgs', name).returncode != 0, 'volume group left behind'
    d.virsh('pool-undefine', 'lvp')


def test_logical_volumes(daemons, vg, tmp_path):
    why = stolib.dm_unavailable()
    if why:
        pytest.skip(why)
    name, lo = vg
    d = daemons.new()
    d.virsh('pool-define-as', 'lvv', 'logical', '--source-dev', lo.dev, '--source-name', name,
            '--target', f'/dev/{name}')
    d.virsh('pool-start', 'lvv', '--build')
    d.virsh('vol-create-as', 'lvv', 'lv1', '8M')
    key = d.virsh('vol-key', '--pool', 'lvv', 'lv1').out.strip()
    assert len(key) > 30, key          # the LV's UUID
    data = tmp_path / 'd.bin'
    data.write_bytes(os.urandom(8 << 20))
    d.virsh('vol-upload', '--pool', 'lvv', 'lv1', str(data))
    back = tmp_path / 'back.bin'
    d.virsh('vol-download', '--pool', 'lvv', 'lv1', str(back))
    assert back.read_bytes() == data.read_bytes()
    d.virsh('vol-clone', '--pool', 'lvv', 'lv1', 'lv2')
    d.virsh('vol-resize', '--pool', 'lvv', 'lv2', '12M')
    d.virsh('vol-wipe', '--pool', 'lvv', 'lv2')
    d.virsh('vol-delete', '--pool', 'lvv', 'lv2')
    d.virsh('vol-delete', '--pool', 'lvv', 'lv1')
    d.virsh('pool-destroy', 'lvv')
    d.virsh('pool-delete', 'lvv')
