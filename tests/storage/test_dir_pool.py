"""dir pools and their volumes with real virsh: the pool life cycle, raw
and qcow2 volumes, uploads and downloads, clone, resize, wipe, delete."""
import hashlib
import os
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

import armzd
import stolib


def define_dir_pool(daemon, name, path):
    daemon.virsh('pool-define-as', name, 'dir', '--target', path)


def started_pool(daemon, tmp_path, name='p'):
    path = str(tmp_path / f'{name}-dir')
    define_dir_pool(daemon, name, path)
    daemon.virsh('pool-build', name)
    daemon.virsh('pool-start', name)
    return path


def test_dir_pool_life_cycle(daemon, tmp_path):
    path = str(tmp_path / 'imgs')
    define_dir_pool(daemon, 'lc', path)
    cfg = os.path.join(daemon.confdir, 'storage', 'lc.xml')
    assert os.path.exists(cfg), 'definition not stored'
    assert stolib.pool_info(daemon, 'lc')['State'] == 'inactive'
    assert not os.path.exists(path)

    r = daemon.virsh('pool-start', 'lc', check=False)
    assert r.rc != 0 and 'pool-build' in r.err, r

    daemon.virsh('pool-build', 'lc')
    assert os.path.isdir(path)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o711)
    daemon.virsh('pool-start', 'lc')
    daemon.virsh('pool-autostart', 'lc')
    link = os.path.join(daemon.confdir, 'storage', 'autostart', 'lc.xml')
    assert os.path.realpath(link) == os.path.realpath(cfg)

    # a file dropped in the directory shows up after a refresh
    with open(os.path.join(path, 'dropped.img'), 'wb') as f:
        f.truncate(1 << 20)
    daemon.virsh('pool-refresh', 'lc')
    assert stolib.vol_names(daemon, 'lc') == ['dropped.img']

    info = stolib.pool_info(daemon, 'lc')
    assert info['State'] == 'running'
    assert info['Persistent'] == 'yes' and info['Autostart'] == 'yes'
    st = os.statvfs(path)
    xml = daemon.virsh('pool-dumpxml', 'lc').out
    stolib.validate(xml, 'storagepool.rng', tmp_path)
    x = ET.fromstring(xml)
    assert x.get('type') == 'dir'
    assert x.findtext('target/path') == path
    cap = int(x.findtext('capacity'))
    assert cap == st.f_frsize * st.f_blocks
    assert 0 < int(x.findtext('available')) <= cap

    r = daemon.virsh('pool-undefine', 'lc', check=False)
    assert r.rc != 0 and 'still active' in r.err, r
    daemon.virsh('pool-destroy', 'lc')
    assert stolib.pool_info(daemon, 'lc')['State'] == 'inactive'
    r = daemon.virsh('pool-delete', 'lc', check=False)
    assert r.rc != 0 and 'not empty' in r.err.lower(), r
    os.unlink(os.path.join(path, 'dropped.img'))
    daemon.virsh('pool-delete', 'lc')
    assert not os.path.exists(path)
    daemon.virsh('pool-undefine', 'lc')
    assert not os.path.exists(cfg) and not os.path.lexists(link)
    assert 'lc' not in stolib.pool_names(daemon, '--all')


def test_default_pool_shipped(daemon):
    info = stolib.pool_info(daemon, 'default')
    assert info['State'] == 'running' and info['Autostart'] == 'yes', info
    x = ET.fromstring(daemon.virsh('pool-dumpxml', 'default').out)
    assert x.findtext('target/path') == os.path.join(daemon.root, 'var', 'lib', 'libvirt',
                                                     'armz', 'images')


def test_default_pool_not_redefined(daemons):
    """Once undefined, 'default' stays gone: it is made on the first start only."""
    d = daemons.new()
    d.virsh('pool-destroy', 'default')
    d.virsh('pool-undefine', 'default')
    d.stop()
    d.start()
    assert 'default' not in stolib.pool_names(d, '--all')


def test_raw_and_qcow2_volumes(daemon, tmp_path):
    path = started_pool(daemon, tmp_path)
    daemon.virsh('vol-create-as', 'p', 'disk.raw', '1G')
    daemon.virsh('vol-create-as', 'p', 'disk.qcow2', '2G', '--format', 'qcow2')
    daemon.virsh('vol-create-as', 'p', 'full.raw', '4M', '--allocation', '4M')

    raw = os.path.join(path, 'disk.raw')
    st = os.stat(raw)
    assert st.st_size == 1 << 30
    assert st.st_blocks * 512 < 1 << 20, 'a raw volume should be sparse'
    assert os.stat(os.path.join(path, 'full.raw')).st_blocks * 512 >= 4 << 20
    assert oct(st.st_mode & 0o777) == oct(0o600)

    img = subprocess.run(['qemu-img', 'info', '--output=json', os.path.join(path, 'disk.qcow2')],
                         capture_output=True, text=True, check=True).stdout
    assert '"format": "qcow2"' in img and '"virtual-size": 2147483648' in img

    info = stolib.vol_info(daemon, 'p', 'disk.qcow2')
    assert info['Type'] == 'file' and info['Capacity'] == '2.00 GiB', info
    for name, fmt in (('disk.raw', 'raw'), ('disk.qcow2', 'qcow2')):
        xml = daemon.virsh('vol-dumpxml', '--pool', 'p', name).out
        stolib.validate(xml, 'storagevol.rng', tmp_path)
        x = ET.fromstring(xml)
        assert x.find('target/format').get('type') == fmt
        assert x.findtext('key') == os.path.join(path, name)
    assert daemon.virsh('vol-path', '--pool', 'p', 'disk.raw').out.strip() == raw
    assert daemon.virsh('vol-key', '--pool', 'p', 'disk.raw').out.strip() == raw
    assert daemon.virsh('vol-name', raw).out.strip() == 'disk.raw'
    assert daemon.virsh('vol-pool', raw).out.strip() == 'p'
    assert stolib.vol_names(daemon, 'p') == ['disk.qcow2', 'disk.raw', 'full.raw']

    # a name in use, and an XML volume with units
    r = daemon.virsh('vol-create-as', 'p', 'disk.raw', '1M', check=False)
    assert r.rc != 0 and 'already in use' in r.err, r
    vx = tmp_path / 'v.xml'
    vx.write_text("<volume><name>units.img</name><capacity unit='MiB'>3</capacity>"
                  "<target><format type='raw'/></target></volume>")
    daemon.virsh('vol-create', 'p', str(vx), '--validate')
    assert os.path.getsize(os.path.join(path, 'units.img')) == 3 << 20


def test_upload_download_64m(daemon, tmp_path):
    path = started_pool(daemon, tmp_path)
    src = str(tmp_path / 'random.bin')
    back = str(tmp_path / 'back.bin')
    size = 64 << 20
    stolib.random_file(src, size)
    daemon.virsh('vol-create-as', 'p', 'data.img', str(size))
    daemon.virsh('vol-upload', '--pool', 'p', 'data.img', src, timeout=120)
    daemon.virsh('vol-download', '--pool', 'p', 'data.img', back, timeout=120)
    want = stolib.md5_file(src)
    assert stolib.md5_file(os.path.join(path, 'data.img')) == want
    assert stolib.md5_file(back) == want

    # a range, both ways
    part = str(tmp_path / 'part.bin')
    daemon.virsh('vol-download', '--pool', 'p', 'data.img', part,
                 '--offset', str(1 << 20), '--length', str(3 << 20))
    assert os.path.getsize(part) == 3 << 20
    assert stolib.md5_file(part) == stolib.md5_file(src, 1 << 20, 3 << 20)
    small = tmp_path / 'small.bin'
    small.write_bytes(b'\xa5' * 4096)
    daemon.virsh('vol-upload', '--pool', 'p', 'data.img', str(small), '--offset', '8192')
    with open(os.path.join(path, 'data.img'), 'rb') as f:
        f.seek(8192)
        assert f.read(4096) == b'\xa5' * 4096
        assert len(f.read()) == size - 8192 - 4096

    # more data than the length asked for fails the upload
    r = daemon.virsh('vol-upload', '--pool', 'p', 'data.img', src, '--length', '1000',
                     check=False)
    assert r.rc != 0 and 'past the 1000 bytes' in r.err, r
    # sparse streams are not offered
    r = daemon.virsh('vol-download', '--pool', 'p', 'data.img', back, '--sparse', check=False)
    assert r.rc != 0 and 'unsupported flags' in r.err, r
    # the volume is free again: it can be deleted
    daemon.virsh('vol-delete', '--pool', 'p', 'data.img')


def test_clone_resize_wipe_delete(daemon, tmp_path):
    path = started_pool(daemon, tmp_path)
    src = tmp_path / 'pattern.bin'
    src.write_bytes(bytes(range(256)) * 4096)          # 1 MiB
    daemon.virsh('vol-create-as', 'p', 'orig.img', '8M')
    daemon.virsh('vol-upload', '--pool', 'p', 'orig.img', str(src))
    daemon.virsh('vol-clone', '--pool', 'p', 'orig.img', 'copy.img')
    orig, copy = os.path.join(path, 'orig.img'), os.path.join(path, 'copy.img')
    assert stolib.md5_file(copy) == stolib.md5_file(orig)
    assert os.stat(copy).st_blocks * 512 < 4 << 20, 'the clone should keep the holes'

    # qcow2 from raw, through qemu-img
    daemon.virsh('vol-create-as', 'p', 'q.qcow2', '8M', '--format', 'qcow2')
    vx = tmp_path / 'conv.xml'
    vx.write_text("<volume><name>conv.qcow2</name><capacity>0</capacity>"
                  "<target><format type='qcow2'/></target></volume>")
    daemon.virsh('vol-create-from', 'p', str(vx), '--inputpool', 'p', 'orig.img')
    out = str(tmp_path / 'conv.raw')
    subprocess.run(['qemu-img', 'convert', '-O', 'raw', os.path.join(path, 'conv.qcow2'), out],
                   check=True)
    assert stolib.md5_file(out) == stolib.md5_file(orig)

    daemon.virsh('vol-resize', '--pool', 'p', 'copy.img', '16M')
    assert os.path.getsize(copy) == 16 << 20
    r = daemon.virsh('vol-resize', '--pool', 'p', 'copy.img', '4M', check=False)
    assert r.rc != 0 and 'shrink' in r.err, r
    assert os.path.getsize(copy) == 16 << 20
    daemon.virsh('vol-resize', '--pool', 'p', 'copy.img', '4M', '--shrink')
    assert os.path.getsize(copy) == 4 << 20
    daemon.virsh('vol-resize', '--pool', 'p', 'q.qcow2', '32M')
    assert stolib.vol_info(daemon, 'p', 'q.qcow2')['Capacity'] == '32.00 MiB'

    daemon.virsh('vol-wipe', '--pool', 'p', 'copy.img')
    with open(copy, 'rb') as f:
        assert f.read() == b'\0' * (4 << 20)
    daemon.virsh('vol-wipe', '--pool', 'p', 'q.qcow2')
    img = subprocess.run(['qemu-img', 'info', os.path.join(path, 'q.qcow2')],
                         capture_output=True, text=True, check=True).stdout
    assert 'qcow2' in img, 'a wiped qcow2 volume is still a qcow2 image'
    r = daemon.virsh('vol-wipe', '--pool', 'p', 'copy.img', '--algorithm', 'nnsa', check=False)
    assert r.rc != 0 and 'not supported' in r.err, r

    for name in ('copy.img', 'q.qcow2', 'conv.qcow2', 'orig.img'):
        daemon.virsh('vol-delete', '--pool', 'p', name)
    assert os.listdir(path) == []
    r = daemon.virsh('vol-delete', '--pool', 'p', 'orig.img', check=False)
    assert r.rc != 0 and 'orig.img' in r.err, r


def test_bad_names_and_oversize_leave_nothing(daemon, tmp_path):
    path = started_pool(daemon, tmp_path)
    outside = os.listdir(str(tmp_path))
    for bad in ('../escape', 'a/b', '..', '.', '/abs'):
        r = daemon.virsh('vol-create-as', 'p', bad, '1M', check=False)
        assert r.rc != 0, bad
        assert 'cannot contain' in r.err or 'not allowed' in r.err, r
    r = daemon.virsh('vol-create-as', 'p', 'huge.img', '1E', check=False)
    assert r.rc != 0 and 'cannot fit' in r.err, r
    avail = int(ET.fromstring(daemon.virsh('pool-dumpxml', 'p').out).findtext('available'))
    r = daemon.virsh('vol-create-as', 'p', 'fat.img', str(avail + (1 << 30)), '--allocation',
                     str(avail + (1 << 30)), check=False)
    assert r.rc != 0 and 'not enough space' in r.err, r
    r = daemon.virsh('vol-create-as', 'p', 'bad.vmdk', '1M', '--format', 'vmdk', check=False)
    assert r.rc != 0 and 'not supported' in r.err, r
    assert os.listdir(path) == []
    assert os.listdir(str(tmp_path)) == outside
    assert stolib.vol_names(daemon, 'p') == []

    # a symlink planted under a volume's name is not followed
    os.symlink('/etc/hostname', os.path.join(path, 'link.img'))
    daemon.virsh('pool-refresh', 'p')
    assert stolib.vol_names(daemon, 'p') == []
    r = daemon.virsh('vol-create-as', 'p', 'link.img', '1M', check=False)
    assert r.rc != 0 and 'exists' in r.err, r
    assert os.path.islink(os.path.join(path, 'link.img'))


def test_pool_errors(daemon, tmp_path):
    r = daemon.virsh('pool-info', 'nosuch', check=False)
    assert r.rc != 0 and "no storage pool with matching name 'nosuch'" in r.err, r
    r = daemon.virsh('pool-define-as', 'n', 'netfs', '--source-host', 'h', '--source-path', '/x',
                     '--target', '/mnt/x', check=False)
    assert r.rc != 0 and "'netfs' is not supported" in r.err, r
    px = tmp_path / 'bad.xml'
    px.write_text("<pool type='dir'><name>bad</name><target><path>rel/path</path></target></pool>")
    r = daemon.virsh('pool-define', str(px), check=False)
    assert r.rc != 0 and 'absolute' in r.err, r
    px.write_text("<pool type='dir'><name>bad</name><target><path>/x</path></target><bogus/>"
                  "</pool>")
    r = daemon.virsh('pool-define', '--validate', str(px), check=False)
    assert r.rc != 0 and 'validate' in r.err, r
    started_pool(daemon, tmp_path, 'one')
    r = daemon.virsh('pool-define-as', 'two', 'dir', '--target', str(tmp_path / 'one-dir'),
                     check=False)
    assert r.rc != 0 and "conflict with pool: 'one'" in r.err, r
    r = daemon.virsh('vol-info', '--pool', 'one', 'nosuch', check=False)
    assert r.rc != 0 and 'no storage vol with matching' in r.err, r
    daemon.virsh('pool-destroy', 'one')
    r = daemon.virsh('vol-list', 'one', check=False)
    assert r.rc != 0 and 'not active' in r.err, r
    # read-only connections look but do not touch
    r = daemon.virsh('pool-start', 'one', ro=True, check=False)
    assert r.rc != 0 and 'read only' in r.err, r
    assert 'one' in daemon.virsh('pool-list', '--all', ro=True).out


def test_transient_pool(daemon, tmp_path):
    path = str(tmp_path / 't')
    os.mkdir(path)
    daemon.virsh('pool-create-as', 't', 'dir', '--target', path)
    info = stolib.pool_info(daemon, 't')
    assert info['State'] == 'running' and info['Persistent'] == 'no'
    assert not os.path.exists(os.path.join(daemon.confdir, 'storage', 't.xml'))
    r = daemon.virsh('pool-autostart', 't', check=False)
    assert r.rc != 0 and 'transient' in r.err, r
    daemon.virsh('pool-destroy', 't')
    assert 't' not in stolib.pool_names(daemon, '--all')


def rss_kib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def test_download_flow_control(daemon, tmp_path):
    """A client that does not read holds the daemon back: the daemon stops
    reading the volume instead of queueing it all in memory."""
    import libvirt
    path = started_pool(daemon, tmp_path)
    size = 64 << 20
    src = os.path.join(path, 'big.img')
    stolib.random_file(src, size)
    daemon.virsh('pool-refresh', 'p')
    # no event loop in this process: the socket is read only inside calls
    c = libvirt.open(daemon.uri)
    try:
        vol = c.storagePoolLookupByName('p').storageVolLookupByName('big.img')
        before = rss_kib(daemon.pid)
        st = c.newStream()
        vol.download(st, 0, 0)
        time.sleep(1.5)
        grown = rss_kib(daemon.pid) - before
        assert grown < 16 * 1024, f'the daemon queued {grown} KiB for a client that does not read'
        h = hashlib.md5()
        while True:
            chunk = st.recv(1 << 20)
            if not chunk:
                break
            h.update(chunk)
        st.finish()
        assert h.hexdigest() == stolib.md5_file(src)
    finally:
        c.close()


def test_luks_volumes(daemon, tmp_path):
    """vol-create with <encryption format='luks'> makes a raw LUKS and a
    qcow2 LUKS volume with qemu-img, the passphrase from a secret (passed
    in a memfd, in no argument); vol-dumpxml shows the encryption; the
    secret's passphrase opens them; a missing secret and other formats are
    refused."""
    import libvirt
    path = started_pool(daemon, tmp_path, 'lp')
    c = libvirt.open(daemon.uri)
    sec = c.secretDefineXML("<secret ephemeral='no' private='yes'><usage type='volume'>"
                            f"<volume>{path}/enc.raw</volume></usage></secret>")
    sec.setValue(b'vol passphrase')
    p = c.storagePoolLookupByName('lp')
    for name, fmt, secret in (('enc.raw', 'raw', f"uuid='{sec.UUIDString()}'"),
                              ('enc.qcow2', 'qcow2', f"usage='{path}/enc.raw'")):
        v = p.createXML(f"""<volume><name>{name}</name><capacity unit='MiB'>4</capacity>
          <target><format type='{fmt}'/><encryption format='luks'>
          <secret type='passphrase' {secret}/></encryption></target></volume>""", 0)
        xml = v.XMLDesc(0)
        stolib.validate(xml, 'storagevol.rng', tmp_path)
        x = ET.fromstring(xml)
        assert x.find('target/format').get('type') == fmt, xml
        assert x.find('target/encryption').get('format') == 'luks', xml
        # the secret's passphrase opens it: qemu-io reads through the LUKS
        # layer (each open costs LUKS's 2 s of key derivation: one per volume)
        drv = 'luks' if fmt == 'raw' else 'qcow2'
        opts = 'key-secret=s' if fmt == 'raw' else 'encrypt.key-secret=s'
        r = subprocess.run(['qemu-io', '-r', '--object', 'secret,id=s,data=vol passphrase',
                            '--image-opts', f'driver={drv},{opts},file.filename={path}/{name}',
                            '-c', 'read 0 512'], capture_output=True, text=True)
        assert r.returncode == 0 and 'read 512/512' in r.stdout, r.stdout + r.stderr
    # a refresh finds them encrypted again (probed from their headers)
    p.refresh(0)
    for name in ('enc.raw', 'enc.qcow2'):
        xml = p.storageVolLookupByName(name).XMLDesc(0)
        assert ET.fromstring(xml).find('target/encryption').get('format') == 'luks', xml
    with pytest.raises(libvirt.libvirtError) as e:
        p.createXML("""<volume><name>x.raw</name><capacity>1048576</capacity><target>
          <encryption format='luks'><secret type='passphrase' uuid='"""
                    + armzd.new_uuid() + "'/></encryption></target></volume>", 0)
    assert e.value.get_error_code() == libvirt.VIR_ERR_NO_SECRET, e.value.get_error_message()
    with pytest.raises(libvirt.libvirtError) as e:
        p.createXML("""<volume><name>x.raw</name><capacity>1048576</capacity><target>
          <encryption format='qcow'/></target></volume>""", 0)
    assert e.value.get_error_code() == libvirt.VIR_ERR_CONFIG_UNSUPPORTED
    assert "encryption format 'qcow'" in e.value.get_error_message()
    assert not os.path.exists(f'{path}/x.raw')
    c.close()
