"""LUKS disks (<encryption format='luks'>) through the real native
qemu-storage-daemon, with the fake VMM of test_qsd.py: a raw LUKS image
(passphrase by secret uuid) and a qcow2 with built-in LUKS (by the usage
of a 'volume' secret) open and are exported, the daemon reads the
plaintext, the passphrase is in no command line, log or status file and its
secret object is gone once the images are open; a raw LUKS image on a real
NBD server (qemu-nbd) reads as its plaintext too; a missing secret, one
without a value and a wrong passphrase fail the start naming the disk; an
encryption format other than luks is refused at define."""
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest

from armzd import expect_error, fake_domain_xml, new_uuid
from test_qsd import env, state_dir, status, domain_log, wait_for  # noqa: F401
import test_qsd

L = libvirt
PASS = 'correct horse battery staple'
MARK = b'ARMZ-LUKS-PLAINTEXT-MARKER'

pytestmark = test_qsd.pytestmark


def qemu_img(*args):
    """qemu-img ARGS, again when QEMU's PBKDF benchmark measured no CPU
    time at all ("Unable to get accurate CPU usage": a fast or busy host;
    CI once saw twelve in a row)."""
    for _ in range(50):
        r = subprocess.run(['qemu-img', *args], capture_output=True, text=True)
        if r.returncode == 0 or 'accurate CPU usage' not in r.stderr:
            break
        time.sleep(0.1)
    assert r.returncode == 0, r.stderr


def make_images(tmp):
    """A raw LUKS and a LUKS qcow2 image, each holding MARK at offset 0."""
    plain = tmp / 'plain.raw'
    plain.write_bytes(MARK + b'\0' * (1024 * 1024 - len(MARK)))
    sec = f'secret,id=s,data={PASS}'
    # sha512: its first benchmark round takes long enough to be measured,
    # where sha256's fails about one run in three on x86
    qemu_img('convert', '--object', sec, '-f', 'raw', '-O', 'luks',
             '-o', 'key-secret=s,iter-time=10,hash-alg=sha512', str(plain),
             str(tmp / 'disk.luks'))
    qemu_img('convert', '--object', sec, '-f', 'raw', '-O', 'qcow2',
             '-o', 'encrypt.format=luks,encrypt.key-secret=s,encrypt.iter-time=10,'
             'encrypt.hash-alg=sha512', str(plain), str(tmp / 'disk-enc.qcow2'))
    plain.unlink()


def secret(c, usage_id, value):
    s = c.secretDefineXML(f"<secret ephemeral='no' private='yes'><uuid>{new_uuid()}</uuid>"
                          f"<usage type='volume'><volume>{usage_id}</volume></usage></secret>")
    if value is not None:
        s.setValue(value)
    return s


def luks_xml(tmp, vmm, name, uuid, fmt='luks'):
    return fake_domain_xml(tmp, vmm, name, f"""<disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='{tmp}/disk.luks'>
        <encryption format='{fmt}'><secret type='passphrase' uuid='{uuid}'/></encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{tmp}/disk-enc.qcow2'/>
      <target dev='vdb' bus='virtio'/>
      <encryption format='luks'><secret type='passphrase' usage='{tmp}/disk-enc.qcow2'/>
      </encryption>
    </disk>""")


def qmp(path, *cmds):
    """Runs CMDS ((name, args)) on the QMP socket PATH; their replies."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile('rw')
    f.readline()
    out = []
    for name, args in (('qmp_capabilities', {}),) + cmds:
        f.write(json.dumps({'execute': name, 'arguments': args}) + '\n')
        f.flush()
        while True:
            r = json.loads(f.readline())
            if 'return' in r or 'error' in r:
                out.append(r)
                break
    s.close()
    return out[1:]


def read_export(tmp, qmp_path, node):
    """The first bytes of NODE as the storage daemon reads them (an NBD
    export of it, read with qemu-img)."""
    sock = str(tmp / f'{node}.nbd')
    r = qmp(qmp_path, ('nbd-server-start', {'addr': {'type': 'unix', 'data': {'path': sock}}}),
            ('block-export-add', {'type': 'nbd', 'id': f'n-{node}', 'node-name': node}))
    assert all('return' in x for x in r), r
    out = tmp / f'{node}.out'
    subprocess.run(['qemu-img', 'dd', '-f', 'raw', '-O', 'raw', 'bs=4096', 'count=1',
                    f'if=nbd+unix:///{node}?socket={sock}', f'of={out}'], check=True)
    qmp(qmp_path, ('block-export-del', {'id': f'n-{node}'}), ('nbd-server-stop', {}))
    return out.read_bytes()


def test_luks_raw_and_qcow2_open_with_their_secrets(env):
    d, c, tmp, vmm, _ = env
    make_images(tmp)
    for f in ('disk.luks', 'disk-enc.qcow2'):
        assert MARK not in (tmp / f).read_bytes(), f'{f} holds the plaintext'
    s1 = secret(c, str(tmp / 'disk.luks'), PASS.encode())
    secret(c, str(tmp / 'disk-enc.qcow2'), PASS.encode())
    dom = c.defineXML(luks_xml(tmp, vmm, 'enc', s1.UUIDString()))
    # libvirt's places: in <source> for vda, in <disk> for vdb
    cfg = ET.fromstring(dom.XMLDesc(0))
    disks = cfg.findall('devices/disk')
    assert disks[0].find('source/encryption').get('format') == 'luks', dom.XMLDesc(0)
    assert disks[0].find('source/encryption/secret').get('uuid') == s1.UUIDString()
    assert disks[1].find('encryption/secret').get('usage') == f'{tmp}/disk-enc.qcow2'
    dom.create()
    vu = os.path.join(state_dir(d), dom.UUIDString() + '.vu')
    for dev in ('vda', 'vdb'):
        assert os.path.exists(os.path.join(vu, dev + '.sock')), os.listdir(vu)
    for n in (0, 1):
        wait_for(lambda: re.search(rf'fake-vmm: vhost-user virtio-disk{n} features',
                                   domain_log(d, 'enc')),
                 what=f'the vhost-user connection of disk {n}', log=(d, 'enc'))
    pid = int(status(d, 'enc')['qsd-pid'])
    qmp_path = os.path.join(vu, 'qsd.qmp')
    # the daemon decrypts: the export reads the plaintext
    assert read_export(tmp, qmp_path, 'vda-0').startswith(MARK)
    assert read_export(tmp, qmp_path, 'vdb-0').startswith(MARK)
    # the passphrase went over QMP only, and its object is gone again
    b64 = base64.b64encode(PASS.encode())
    cmdline = open(f'/proc/{pid}/cmdline', 'rb').read()
    assert PASS.encode() not in cmdline and b64 not in cmdline, cmdline
    assert PASS not in domain_log(d, 'enc') and b64.decode() not in domain_log(d, 'enc')
    st = open(os.path.join(state_dir(d), 'enc.status')).read()
    assert PASS not in st and b64.decode() not in st, st
    objs = qmp(qmp_path, ('qom-list', {'path': '/objects'}))[0]['return']
    assert not [o for o in objs if 'secret' in o['name']], objs
    dom.destroy()
    assert not os.path.exists(vu)


def test_luks_secret_errors_name_the_disk(env):
    d, c, tmp, vmm, _ = env
    make_images(tmp)
    secret(c, str(tmp / 'disk-enc.qcow2'), PASS.encode())
    # no such secret
    missing = new_uuid()
    dom = c.defineXML(luks_xml(tmp, vmm, 'e1', missing))
    e = expect_error(L.VIR_ERR_NO_SECRET, dom.create)
    assert "disk 'vda'" in e.get_error_message() and missing in e.get_error_message(), \
        e.get_error_message()
    # a secret without a value
    s = secret(c, str(tmp / 'disk.luks'), None)
    dom.undefine()
    dom = c.defineXML(luks_xml(tmp, vmm, 'e1', s.UUIDString()))
    e = expect_error(L.VIR_ERR_NO_SECRET, dom.create)
    assert 'does not have a value' in e.get_error_message(), e.get_error_message()
    # the wrong passphrase: qemu-storage-daemon's words, naming the disk
    s.setValue(b'wrong passphrase')
    e = expect_error((L.VIR_ERR_OPERATION_FAILED, L.VIR_ERR_INTERNAL_ERROR), dom.create)
    msg = e.get_error_message()
    assert "disk 'vda'" in msg and 'password' in msg.lower(), msg
    assert dom.state()[0] == L.VIR_DOMAIN_SHUTOFF, dom.state()
    assert not [f for f in os.listdir(state_dir(d)) if f.endswith('.vu')]
    # encryption formats other than luks
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, c.defineXML,
                     luks_xml(tmp, vmm, 'e2', s.UUIDString(), fmt='qcow'))
    assert "unsupported disk encryption format 'qcow'" in e.get_error_message(), \
        e.get_error_message()


def vmm_connections(d, name, n):
    return len(re.findall(rf'fake-vmm: vhost-user virtio-disk{n} features 0x[0-9a-f]+ '
                          r'connection \d+', domain_log(d, name)))


def test_restarted_storage_daemon_gets_its_encrypted_disks_again(env):
    """A killed storage daemon, and one gone while virtarmzd was away, come
    back with their LUKS disks: the passphrase read again from the secret
    driver, the exports served again, the fake VMM reconnected."""
    d, c, tmp, vmm, _ = env
    make_images(tmp)
    s1 = secret(c, str(tmp / 'disk.luks'), PASS.encode())
    secret(c, str(tmp / 'disk-enc.qcow2'), PASS.encode())
    dom = c.defineXML(luks_xml(tmp, vmm, 'enc', s1.UUIDString()))
    dom.create()
    vu = os.path.join(state_dir(d), dom.UUIDString() + '.vu')
    for n in (0, 1):
        wait_for(lambda: vmm_connections(d, 'enc', n) == 1, what=f'disk {n} connected',
                 log=(d, 'enc'))
    pid = int(status(d, 'enc')['qsd-pid'])
    os.kill(pid, signal.SIGKILL)
    for n in (0, 1):
        wait_for(lambda: vmm_connections(d, 'enc', n) == 2, what=f'disk {n} reconnected',
                 log=(d, 'enc'))
    assert read_export(tmp, os.path.join(vu, 'qsd.qmp'), 'vdb-0').startswith(MARK)
    # virtarmzd away while the storage daemon dies
    pid = int(status(d, 'enc')['qsd-pid'])
    c.close()
    d.stop()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not test_qsd.alive(pid), 60, 'the old storage daemon to die')
    d.start()
    c2 = libvirt.open(d.uri)
    for n in (0, 1):
        wait_for(lambda: vmm_connections(d, 'enc', n) == 3, what=f'disk {n} reconnected again',
                 log=(d, 'enc'))
    assert read_export(tmp, os.path.join(vu, 'qsd.qmp'), 'vda-0').startswith(MARK)
    c2.lookupByName('enc').destroy()
    c2.close()


@pytest.mark.skipif(not shutil.which('qemu-nbd'), reason='no qemu-nbd')
def test_luks_over_nbd_reads_the_plaintext(env):
    """A raw LUKS image served by a real NBD server (qemu-nbd on a UNIX
    socket): the domain starts, the storage daemon unlocks it over NBD and
    its export reads the plaintext."""
    d, c, tmp, vmm, _ = env
    make_images(tmp)
    sock = tmp / 'luks-nbd.sock'
    srv = subprocess.Popen(['qemu-nbd', '-f', 'raw', '-k', str(sock), '-x', 'enc', '-t',
                            str(tmp / 'disk.luks')])
    try:
        wait_for(lambda: sock.exists(), 60, 'qemu-nbd')
        s = secret(c, 'luks-over-nbd', PASS.encode())
        dom = c.defineXML(fake_domain_xml(tmp, vmm, 'encnbd', f"""<disk type='network' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source protocol='nbd' name='enc'>
        <host transport='unix' socket='{sock}'/>
        <encryption format='luks'><secret type='passphrase' uuid='{s.UUIDString()}'/></encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>"""))
        dom.create()
        wait_for(lambda: vmm_connections(d, 'encnbd', 0) == 1, what='disk 0 connected',
                 log=(d, 'encnbd'))
        vu = os.path.join(state_dir(d), dom.UUIDString() + '.vu')
        assert read_export(tmp, os.path.join(vu, 'qsd.qmp'), 'vda-0').startswith(MARK)
        # the image on the NBD server holds no plaintext
        assert MARK not in (tmp / 'disk.luks').read_bytes()
        dom.destroy()
    finally:
        srv.terminate()
        srv.wait()
