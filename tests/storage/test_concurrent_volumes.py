"""Volumes created and deleted by many clients at once in one dir pool: a
refresh scans the directory without the pool's lock and must merge what
it found with what changed meanwhile, not replace the volume list with
its older view (a volume just created would be "not found", and one just
deleted would come back and fail its next delete)."""
import threading

import libvirt

CLIENTS = 16
ROUNDS = 8
VOL_XML = ("<volume><name>{}</name><capacity unit='KiB'>64</capacity>"
           "<target><format type='raw'/></target></volume>")


def test_volumes_found_right_after_creation(daemon, tmp_path):
    path = str(tmp_path / 'cc')
    daemon.virsh('pool-define-as', 'cc', 'dir', '--target', path)
    daemon.virsh('pool-build', 'cc')
    daemon.virsh('pool-start', 'cc')
    failures = []
    lock = threading.Lock()
    done = threading.Event()

    def fail(what):
        with lock:
            failures.append(what)

    def client(n):
        c = libvirt.open(daemon.uri)
        try:
            pool = c.storagePoolLookupByName('cc')
            for r in range(ROUNDS):
                name = f'v{n}-{r}.img'
                try:
                    pool.createXML(VOL_XML.format(name), 0)
                except libvirt.libvirtError as e:
                    fail(f'create {name}: {e}')
                    continue
                try:
                    vol = pool.storageVolLookupByName(name)
                except libvirt.libvirtError as e:
                    fail(f'lookup {name} right after creation: {e}')
                    continue
                try:
                    vol.delete(0)
                except libvirt.libvirtError as e:
                    fail(f'delete {name}: {e}')
                    continue
                try:
                    pool.storageVolLookupByName(name)
                    fail(f'{name} still listed after its delete')
                except libvirt.libvirtError as e:
                    if e.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_VOL:
                        fail(f'lookup {name} after delete: {e}')
        finally:
            c.close()

    def refresher():
        # refreshes refused while volumes are being made are fine
        c = libvirt.open(daemon.uri)
        try:
            pool = c.storagePoolLookupByName('cc')
            while not done.is_set():
                try:
                    pool.refresh(0)
                except libvirt.libvirtError:
                    pass
        finally:
            c.close()

    ref = threading.Thread(target=refresher)
    ref.start()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    done.set()
    ref.join(30)
    assert not failures, f'{len(failures)} of {CLIENTS * ROUNDS}: ' + '; '.join(failures[:5])
    daemon.virsh('pool-refresh', 'cc')
    assert daemon.virsh('vol-list', 'cc').out.count('.img') == 0
