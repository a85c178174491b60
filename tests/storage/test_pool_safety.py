"""What a hostile local user can plant in a pool's directory, and the names
a hostile client can give: a volume swapped for a symbolic link to a file
outside the pool is never read or written through it (vol-clone included),
and names that would escape, inject or overflow a file name are refused at
define with a clear message."""
import hashlib
import os
import subprocess

import pytest


def started_pool(daemon, tmp_path, name='p'):
    path = str(tmp_path / f'{name}-dir')
    daemon.virsh('pool-define-as', name, 'dir', '--target', path)
    daemon.virsh('pool-build', name)
    daemon.virsh('pool-start', name)
    return path


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def outside_file(tmp_path, fmt='raw'):
    secret = tmp_path / 'secret'
    if fmt == 'qcow2':
        # an image qemu-img would convert, were it given the link's path
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(secret), '1M'],
                       check=True)
    else:
        secret.write_bytes(b'root:outside-the-pool:\n' * 1000)
    os.chmod(secret, 0o600)
    st = os.stat(secret)
    return str(secret), digest(secret), st.st_mtime_ns


def swap_for_symlink(pool_dir, name, target):
    path = os.path.join(pool_dir, name)
    os.unlink(path)
    os.symlink(target, path)


@pytest.mark.parametrize('fmt', ['raw', 'qcow2'])
def test_clone_source_swapped_for_symlink_refused(daemon, tmp_path, fmt):
    pool_dir = started_pool(daemon, tmp_path)
    secret, before, mtime = outside_file(tmp_path, fmt)
    daemon.virsh('vol-create-as', 'p', 'src.img', '1M', '--format', fmt)
    # the daemon knows src.img as a volume; a local user swaps the file
    swap_for_symlink(pool_dir, 'src.img', secret)
    r = daemon.virsh('vol-clone', '--pool', 'p', 'src.img', 'copy.img', check=False)
    assert r.rc != 0 and 'symbolic link' in r.err, r
    assert not os.path.exists(os.path.join(pool_dir, 'copy.img'))
    assert digest(secret) == before and os.stat(secret).st_mtime_ns == mtime


def test_every_volume_operation_refuses_a_symlink(daemon, tmp_path):
    pool_dir = started_pool(daemon, tmp_path)
    secret, before, mtime = outside_file(tmp_path)
    daemon.virsh('vol-create-as', 'p', 'v.img', '1M')
    swap_for_symlink(pool_dir, 'v.img', secret)
    out = str(tmp_path / 'down')
    up = tmp_path / 'up'
    up.write_bytes(b'x' * 4096)
    for args in (('vol-download', '--pool', 'p', 'v.img', out),
                 ('vol-upload', '--pool', 'p', 'v.img', str(up)),
                 ('vol-wipe', '--pool', 'p', 'v.img'),
                 ('vol-resize', '--pool', 'p', 'v.img', '2M')):
        r = daemon.virsh(*args, check=False)
        assert r.rc != 0 and 'symbolic link' in r.err, (args, r)
    assert not os.path.exists(out) or os.path.getsize(out) == 0
    assert digest(secret) == before and os.stat(secret).st_mtime_ns == mtime
    # and a refresh does not list it as a volume any more
    daemon.virsh('pool-refresh', 'p')
    assert 'v.img' not in daemon.virsh('vol-list', 'p').out


def test_fifo_in_a_volume_place_does_not_hang(daemon, tmp_path):
    pool_dir = started_pool(daemon, tmp_path)
    daemon.virsh('vol-create-as', 'p', 'f.img', '1M')
    os.unlink(os.path.join(pool_dir, 'f.img'))
    os.mkfifo(os.path.join(pool_dir, 'f.img'))
    r = daemon.virsh('vol-clone', '--pool', 'p', 'f.img', 'g.img', check=False, timeout=20)
    assert r.rc != 0 and 'not a regular file' in r.err, r


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_pool_names_refused_at_define(daemon, tmp_path):
    target = str(tmp_path / 'x')
    store = os.path.join(daemon.confdir, 'storage')
    stored = sorted(os.listdir(store))
    for name, want in (('..', "pool name '..' is not allowed"),
                       ('.', "pool name '.' is not allowed"),
                       ('-x', "pool name '-x' cannot start with '-'"),
                       ('a' * 245, 'pool name is too long: 245 bytes, at most 240')):
        xml = (f"<pool type='dir'><name>{name}</name>"
               f"<target><path>{target}</path></target></pool>")
        r = daemon.virsh('pool-define', write(tmp_path, 'p.xml', xml), check=False)
        assert r.rc != 0 and want in r.err, (name, r)
        assert name not in daemon.virsh('pool-list', '--all').out.split()
    xml = ("<pool type='dir'><name>a\nflush</name>"
           f"<target><path>{target}</path></target></pool>")
    r = daemon.virsh('pool-define', write(tmp_path, 'p.xml', xml), check=False)
    assert r.rc != 0 and "invalid char in name: '\\n'" in r.err, r
    assert sorted(os.listdir(store)) == stored
    # the longest name that fits its files works all the way
    longest = 'b' * 240
    xml = (f"<pool type='dir'><name>{longest}</name>"
           f"<target><path>{target}</path></target></pool>")
    daemon.virsh('pool-define', write(tmp_path, 'p.xml', xml))
    daemon.virsh('pool-build', longest)
    daemon.virsh('pool-start', longest)
    daemon.virsh('pool-destroy', longest)
    daemon.virsh('pool-undefine', longest)


def test_volume_names_refused(daemon, tmp_path):
    started_pool(daemon, tmp_path)
    for name, want in (('-x', "volume name '-x' cannot start with '-'"),
                       ('v' * 256, 'volume name is too long: 256 bytes, at most 255'),
                       ('a\nb', "invalid char in name: '\\n'")):
        xml = f"<volume><name>{name}</name><capacity>1048576</capacity></volume>"
        r = daemon.virsh('vol-create', 'p', write(tmp_path, 'v.xml', xml), check=False)
        assert r.rc != 0 and want in r.err, (name, r)
    daemon.virsh('vol-create-as', 'p', 'w' * 255, '1M')
