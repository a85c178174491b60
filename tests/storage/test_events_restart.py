"""Pool events seen by virsh and libvirt-python, definitions and started
pools across daemon restarts, corrupt files, the libvirt-python API."""
import os
import signal
import subprocess
import threading
import time

import libvirt
import pytest

import armzd
import stolib


def test_pool_events_virsh(daemon, tmp_path):
    path = str(tmp_path / 'ev')
    cmd = [armzd.VIRSH, '-c', daemon.uri, 'pool-event', '--loop', '--event', 'lifecycle']
    watcher = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=dict(os.environ, LC_ALL='C'))
    try:
        # virsh registers before it waits: a pool defined once it listens
        # must be seen; give it a moment to connect
        deadline = time.monotonic() + 10
        seen = False
        while time.monotonic() < deadline and not seen:
            time.sleep(0.2)
            daemon.virsh('pool-define-as', 'probe', 'dir', '--target', str(tmp_path / 'probe'))
            daemon.virsh('pool-undefine', 'probe')
            seen = True
        daemon.virsh('pool-define-as', 'ev', 'dir', '--target', path)
        daemon.virsh('pool-build', 'ev')
        daemon.virsh('pool-start', 'ev')
        daemon.virsh('pool-destroy', 'ev')
        daemon.virsh('pool-delete', 'ev')
        daemon.virsh('pool-undefine', 'ev')
        want = ['Defined', 'Created', 'Started', 'Stopped', 'Deleted', 'Undefined']
        lines = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = watcher.stdout.readline()
            if not line:
                break
            if 'storage pool ev:' in line:
                lines.append(line.strip().rsplit(' ', 1)[-1])
            if lines == want:
                break
        assert lines == want, lines
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.wait(5)
        except subprocess.TimeoutExpired:
            watcher.kill()
            watcher.wait()


def test_pool_events_python(daemon, event_loop, tmp_path):
    c = libvirt.open(daemon.uri)
    got = []
    cond = threading.Condition()

    def lifecycle(conn, pool, event, detail, opaque):
        with cond:
            got.append(('life', pool.name(), event))
            cond.notify_all()

    def refresh(conn, pool, opaque):
        with cond:
            got.append(('refresh', pool.name()))
            cond.notify_all()

    try:
        pool = c.storagePoolDefineXML(
            f"<pool type='dir'><name>pyev</name><target><path>{tmp_path}/pyev</path></target>"
            "</pool>")
        # a callback for this pool only, and one for every pool
        id1 = c.storagePoolEventRegisterAny(pool, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                            lifecycle, None)
        id2 = c.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                            refresh, None)
        pool.build()
        pool.create()
        pool.refresh()
        with cond:
            cond.wait_for(lambda: ('refresh', 'pyev') in got, timeout=10)
        c.storagePoolEventDeregisterAny(id1)
        pool.destroy()
        time.sleep(0.3)
        c.storagePoolEventDeregisterAny(id2)
        with pytest.raises(libvirt.libvirtError):
            c.storagePoolEventDeregisterAny(id2)
        assert got == [('life', 'pyev', libvirt.VIR_STORAGE_POOL_EVENT_CREATED),
                       ('life', 'pyev', libvirt.VIR_STORAGE_POOL_EVENT_STARTED),
                       ('refresh', 'pyev')], got
    finally:
        c.close()


def test_restart_keeps_pools_and_volumes(daemons, tmp_path):
    d = daemons.new()
    keep = str(tmp_path / 'keep')
    stop = str(tmp_path / 'stopped')
    trans = str(tmp_path / 'trans')
    os.mkdir(trans)
    d.virsh('pool-define-as', 'keep', 'dir', '--target', keep)
    d.virsh('pool-build', 'keep')
    d.virsh('pool-start', 'keep')
    d.virsh('pool-define-as', 'stopped', 'dir', '--target', stop)
    d.virsh('pool-autostart', 'stopped')
    d.virsh('pool-create-as', 'trans', 'dir', '--target', trans)
    d.virsh('vol-create-as', 'keep', 'a.img', '4M')
    d.virsh('vol-create-as', 'keep', 'b.qcow2', '8M', '--format', 'qcow2')
    uuid = d.virsh('pool-uuid', 'keep').out.strip()
    # a redefinition of a started pool waits for its next start
    redef = tmp_path / 'keep2.xml'
    redef.write_text(d.virsh('pool-dumpxml', '--inactive', 'keep').out
                     .replace(f'<path>{keep}</path>', f'<path>{keep}2</path>'))
    d.virsh('pool-define', str(redef))
    r = d.virsh('pool-define-as', 'keep', 'dir', '--target', keep + '3', check=False)
    assert r.rc != 0 and 'already defined with uuid' in r.err, r
    d.stop()
    # a corrupt definition is reported and left alone, the others load
    bad = os.path.join(d.confdir, 'storage', 'broken.xml')
    with open(bad, 'w') as f:
        f.write('<pool type="dir"><name>broken</name')
    d.start()
    assert stolib.pool_info(d, 'keep')['State'] == 'running'
    assert d.virsh('pool-uuid', 'keep').out.strip() == uuid
    assert stolib.vol_names(d, 'keep') == ['a.img', 'b.qcow2']
    assert stolib.vol_info(d, 'keep', 'b.qcow2')['Capacity'] == '8.00 MiB'
    assert stolib.pool_info(d, 'trans')['Persistent'] == 'no'
    live = d.virsh('pool-dumpxml', 'keep').out
    inactive = d.virsh('pool-dumpxml', '--inactive', 'keep').out
    assert f'<path>{keep}</path>' in live and f'<path>{keep}2</path>' in inactive
    # 'stopped' autostarts, but its directory was never built: it stays
    # stopped and says why in the log
    assert stolib.pool_info(d, 'stopped')['State'] == 'inactive'
    assert "autostart of storage pool 'stopped' failed" in d.log()
    assert 'broken.xml' in d.log() and os.path.exists(bad)
    assert 'broken' not in stolib.pool_names(d, '--all')
    # a pool whose directory went away while the daemon was down is stopped
    d.virsh('pool-destroy', 'trans')
    d.virsh('pool-create-as', 'trans', 'dir', '--target', trans)
    d.stop()
    os.rmdir(trans)
    d.start()
    assert 'trans' not in stolib.pool_names(d, '--all')


def test_python_api(conn, daemon, tmp_path):
    path = str(tmp_path / 'py')
    pool = conn.storagePoolDefineXML(
        f"<pool type='dir'><name>py</name><target><path>{path}</path></target></pool>")
    pool.build(0)
    pool.create(0)
    assert pool.isActive() == 1 and pool.isPersistent() == 1
    assert conn.storagePoolLookupByUUIDString(pool.UUIDString()).name() == 'py'
    assert conn.storagePoolLookupByTargetPath(path).name() == 'py'
    names = {p.name() for p in conn.listAllStoragePools(
        libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE | libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_DIR)}
    assert names == {'py', 'default'}
    assert conn.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_LOGICAL) == []
    assert conn.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE) == []
    assert conn.numOfStoragePools() == 2 and sorted(conn.listStoragePools()) == ['default', 'py']
    assert conn.numOfDefinedStoragePools() == 0 and conn.listDefinedStoragePools() == []

    vol = pool.createXML("<volume><name>v1</name><capacity unit='M'>2</capacity></volume>", 0)
    assert vol.path() == os.path.join(path, 'v1')
    assert conn.storageVolLookupByKey(vol.key()).name() == 'v1'
    assert conn.storageVolLookupByPath(os.path.join(path, '.', 'v1')).name() == 'v1'
    assert vol.storagePoolLookupByVolume().name() == 'py'
    t, cap, alloc = vol.info()
    assert (t, cap) == (libvirt.VIR_STORAGE_VOL_FILE, 2 << 20)
    assert vol.infoFlags(libvirt.VIR_STORAGE_VOL_GET_PHYSICAL)[2] == 2 << 20
    assert pool.numOfVolumes() == 1 and pool.listVolumes() == ['v1']
    assert [v.name() for v in pool.listAllVolumes()] == ['v1']
    state, cap, alloc, avail = pool.info()
    assert state == libvirt.VIR_STORAGE_POOL_RUNNING and cap >= alloc and avail > 0
    caps = conn.getStoragePoolCapabilities()
    assert "<pool type='logical' supported='yes'>" in caps
    # a stream the API way: upload, then download, 1 MiB
    data = os.urandom(1 << 20)
    st = conn.newStream()
    vol.upload(st, 0, len(data))
    st.send(data)
    st.finish()
    st = conn.newStream()
    vol.download(st, 0, len(data))
    got = bytearray()
    while True:
        chunk = st.recv(256 * 1024)
        if not chunk:
            break
        got += chunk
    st.finish()
    assert bytes(got) == data
    vol.wipePattern(libvirt.VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0)
    vol.resize(4 << 20, 0)
    assert vol.info()[1] == 4 << 20
    vol.delete(0)
    with pytest.raises(libvirt.libvirtError) as e:
        pool.storageVolLookupByName('v1')
    assert e.value.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_VOL
    pool.destroy()
    with pytest.raises(libvirt.libvirtError) as e:
        pool.listAllVolumes()
    assert e.value.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID
    pool.delete(0)
    pool.undefine()
    with pytest.raises(libvirt.libvirtError) as e:
        conn.storagePoolLookupByName('py')
    assert e.value.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL
