"""Helpers for the storage tests: virsh shortcuts, schema checks, loop
devices and LVM with cleanup."""
import hashlib
import os
import shutil
import subprocess
import uuid

import armzd

TOP = armzd.TOP
SCHEMAS = os.path.join(TOP, 'schemas')
LVM_CONFIG = 'devices { use_devicesfile = 0 obtain_device_list_from_udev = 0 }'


def md5_file(path, offset=0, length=None):
    h = hashlib.md5()
    with open(path, 'rb') as f:
        f.seek(offset)
        left = length
        while True:
            chunk = f.read(1 << 20 if left is None else min(1 << 20, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
                if not left:
                    break
    return h.hexdigest()


def random_file(path, size):
    with open(path, 'wb') as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n


def validate(xml_text, schema, tmp_path):
    p = os.path.join(str(tmp_path), 'check.xml')
    with open(p, 'w') as f:
        f.write(xml_text)
    r = subprocess.run(['xmllint', '--noout', '--relaxng', os.path.join(SCHEMAS, schema), p],
                       capture_output=True, text=True)
    assert r.returncode == 0, f'{schema} rejects:\n{xml_text}\n{r.stderr}'


def pool_info(daemon, name):
    return armzd.parse_colon_table(daemon.virsh('pool-info', name).out)


def vol_info(daemon, pool, name):
    return armzd.parse_colon_table(daemon.virsh('vol-info', '--pool', pool, name).out)


def vol_names(daemon, pool):
    out = daemon.virsh('vol-list', pool).out
    names = []
    for line in out.splitlines()[2:]:
        if line.strip():
            names.append(line.split()[0])
    return sorted(names)


def pool_names(daemon, *flags):
    out = daemon.virsh('pool-list', '--name', *flags).out
    return sorted(n for n in out.split() if n)


# ------------------------------------------------------------- loop devices

def loop_unavailable():
    """Why loop devices cannot be used here, or None."""
    if os.geteuid() != 0:
        return 'loop devices need root'
    if not shutil.which('losetup'):
        return 'losetup is not installed'
    r = subprocess.run(['losetup', '-f'], capture_output=True, text=True)
    if r.returncode != 0:
        return f'losetup -f fails: {r.stderr.strip()}'
    return None


class Loop:
    """A loop device on a sparse file of SIZE bytes; detach() in teardown."""

    def __init__(self, directory, size):
        self.file = os.path.join(str(directory), f'loop-{uuid.uuid4().hex[:8]}.img')
        with open(self.file, 'wb') as f:
            f.truncate(size)
        r = subprocess.run(['losetup', '-f', '--show', self.file], capture_output=True,
                           text=True)
        if r.returncode != 0:
            os.unlink(self.file)
            raise RuntimeError(f'losetup failed: {r.stderr.strip()}')
        self.dev = r.stdout.strip()

    def detach(self):
        if self.dev:
            subprocess.run(['losetup', '-d', self.dev], capture_output=True)
            self.dev = None
        if os.path.exists(self.file):
            os.unlink(self.file)


def mounted_on(path):
    with open('/proc/self/mounts') as f:
        return any(line.split()[1] == path for line in f)


def umount_quietly(path):
    if mounted_on(path):
        subprocess.run(['umount', '-l', path], capture_output=True)


def lvm_unavailable():
    if not shutil.which('lvm') or not shutil.which('vgcreate'):
        return 'lvm2 is not installed'
    return None


def dm_unavailable():
    """Logical volumes need the kernel's device mapper."""
    try:
        with open('/proc/misc') as f:
            if any(line.split()[-1:] == ['device-mapper'] for line in f):
                return None
    except OSError:
        pass
    return 'the kernel has no device-mapper here (not in /proc/misc): logical volumes ' \
           'cannot be made'



def lvm(*args):
    return subprocess.run([args[0], '--config', LVM_CONFIG] + list(args[1:]),
                          capture_output=True, text=True,
                          env=dict(os.environ, LVM_SUPPRESS_FD_WARNINGS='1'))


def remove_vg(vg, dev):
    lvm('vgremove', '-f', vg)
    if dev:
        lvm('pvremove', '-ff', '-y', dev)
