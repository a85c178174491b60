"""qcow2 disks through qemu-storage-daemon (src/driver/qsd_*.c), with the
real native qemu-storage-daemon and a fake armz-vmm (fake_vhost_vmm.py,
named armz-vmm-* so that a restarted daemon recognises it) that connects to
every vhost-user-blk export and reconnects when the backend goes away:
the export sockets appear, the live XML shows the backing chain, killing
the storage daemon restarts it with the same exports, a restarted
virtarmzd takes it back, destroy ends it and cleans up. Chains the daemon
must refuse are refused at start, naming the file."""
import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import expect_error, fake_domain_xml

L = libvirt
QSD = '/usr/bin/qemu-storage-daemon'

pytestmark = pytest.mark.skipif(not (os.path.exists(QSD) and shutil.which('qemu-img')),
                                reason='qemu-storage-daemon or qemu-img missing')


@pytest.fixture
def env(daemons, tmp_path):
    """A daemon whose guests' VMM is the fake (KVM faked by /dev/null), and
    a tmp dir with a raw base image and a qcow2 overlay on it."""
    vmm = armzd.fake_vmm(tmp_path, 'fake_vhost_vmm.py')
    (tmp_path / 'Image').write_bytes(b'not a kernel')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', str(tmp_path / 'base.raw'), '16M'],
                   check=True)
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw',
                    str(tmp_path / 'overlay.qcow2')], check=True)
    e = dict(os.environ, ARMZ_KVM_DEVICE='/dev/null', PYTHONHOME='/usr')
    d = daemons.new(env=e)
    c = libvirt.open(d.uri)
    yield d, c, tmp_path, str(vmm), e
    if d.proc is not None:      # guests outlive the daemon: end them
        c2 = libvirt.open(d.uri)
        for dom in c2.listAllDomains(0):
            if dom.isActive():
                dom.destroy()
        c2.close()


def qcow2_xml(tmp, vmm, name='q', disk='overlay.qcow2', extra=''):
    return fake_domain_xml(tmp, vmm, name, f"""<disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none'/>
      <source file='{tmp}/{disk}'/>
      <target dev='vda' bus='virtio'/>
      {extra}
    </disk>""")


def state_dir(d):
    return os.path.join(d.root, 'run', 'libvirt', 'armz')


def status(d, name):
    kv = {}
    for line in open(os.path.join(state_dir(d), name + '.status')):
        if '=' in line:
            k, v = line.rstrip('\n').split('=', 1)
            kv[k] = v
    return kv


def qsd_pid(d, name):
    return int(status(d, name)['qsd-pid'])


def alive(pid):
    try:
        exe = os.readlink(f'/proc/{pid}/exe')
    except OSError:
        return False
    state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]
    return exe.endswith('qemu-storage-daemon') and state != 'Z'


def wait_for(cond, timeout=60, what='condition', log=None):
    """LOG: (daemon, domain name) whose domain log ends the failure message."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.05)
    tail = ''
    if log:
        try:
            tail = '\n' + ''.join(domain_log(*log).splitlines(True)[-15:])
        except OSError as e:
            tail = f' (no domain log: {e})'
    pytest.fail(f'timed out waiting for {what}{tail}', pytrace=False)


def domain_log(d, name):
    return open(os.path.join(d.logdir, name + '.log')).read()


def connections(d, name):
    return re.findall(r'fake-vmm: vhost-user virtio-disk0 features (0x[0-9a-f]+) connection (\d+)',
                      domain_log(d, name))


def test_qcow2_overlay_runs_on_the_storage_daemon(env):
    d, c, tmp, vmm, _ = env
    dom = c.defineXML(qcow2_xml(tmp, vmm, extra="<iotune><total_iops_sec>500</total_iops_sec>"
                                               "</iotune>"))
    dom.create()
    uuid = dom.UUIDString()
    sock = os.path.join(state_dir(d), uuid + '.vu', 'vda.sock')
    assert os.path.exists(sock), f'no export socket {sock}: {os.listdir(state_dir(d))}'
    pid = qsd_pid(d, 'q')
    assert alive(pid), f'qemu-storage-daemon {pid} is not running'
    # its command line went to the domain log, the exports are explicit
    log = domain_log(d, 'q')
    assert '--export' in log and '"backing":"vda-1"' in log and 'throttle-group' in log, log
    # the fake VMM got an answer from the real backend on that socket
    wait_for(lambda: connections(d, 'q'), what='the vhost-user connection', log=(d, 'q'))
    feats = int(connections(d, 'q')[0][0], 16)
    assert feats & (1 << 32), hex(feats)       # VHOST_USER_F_PROTOCOL_FEATURES
    # the live XML has the chain, as libvirt shows it; the config does not
    live = ET.fromstring(dom.XMLDesc(0))
    bs = live.find('devices/disk/backingStore')
    assert bs is not None and bs.get('type') == 'file', dom.XMLDesc(0)
    assert bs.find('format').get('type') == 'raw', dom.XMLDesc(0)
    assert bs.find('source').get('file') == f'{tmp}/base.raw', dom.XMLDesc(0)
    assert bs.find('backingStore') is not None and len(bs.find('backingStore')) == 0, \
        dom.XMLDesc(0)
    assert ET.fromstring(dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE)).find(
        'devices/disk/backingStore') is None, 'the inactive XML shows a <backingStore>'
    out = d.virsh('domblklist', 'q').out
    assert re.search(rf'vda\s+{re.escape(str(tmp))}/overlay.qcow2', out), out
    cap, alloc, phys = dom.blockInfo('vda')
    assert cap == 16 << 20 and phys < cap, (cap, alloc, phys)
    # destroy ends the storage daemon and leaves nothing behind
    dom.destroy()
    wait_for(lambda: not alive(pid), 60, 'qemu-storage-daemon to end')
    assert not os.path.exists(os.path.dirname(sock)), f'{os.path.dirname(sock)} is left'
    left = [f for f in os.listdir(state_dir(d)) if f.startswith(uuid) or f.startswith('q.')]
    assert not left, f'left in the state dir: {left}'


def test_block_apis_of_a_storage_daemon_disk(env):
    """blockresize grows the image in the storage daemon (block_resize of its
    node) and tells armz-vmm (block_resize of the vhost-user-blk device);
    domblkstat, BlockStatsFlags and domstats --block give armz-vmm's counters
    of its vhost-user-blk device (the fake's: fake_vhost_vmm.blockstats)."""
    d, c, tmp, vmm, _ = env
    dom = c.defineXML(qcow2_xml(tmp, vmm, name='rs'))
    dom.create()
    wait_for(lambda: connections(d, 'rs'), what='the vhost-user connection')
    dom.blockResize('vda', 32 << 20, L.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
    info = subprocess.run(['qemu-img', 'info', '-U', '--output=json', str(tmp / 'overlay.qcow2')],
                          check=True, capture_output=True, text=True).stdout
    assert '"virtual-size": 33554432' in info, info
    log = domain_log(d, 'rs')
    assert 'fake-vmm: qmp block_resize {"device": "virtio-disk0", "size": 33554432}' in log, log
    cap, _, _ = dom.blockInfo('vda')
    assert cap == 32 << 20, cap
    e = expect_error(L.VIR_ERR_INVALID_ARG, dom.blockResize, 'vda', 0,
                     L.VIR_DOMAIN_BLOCK_RESIZE_CAPACITY if hasattr(
                         L, 'VIR_DOMAIN_BLOCK_RESIZE_CAPACITY') else 2)
    assert 'full capacity' in e.get_error_message(), e.get_error_message()
    assert dom.blockStats('vda') == (16, 1 << 20, 1, 4096, -1), dom.blockStats('vda')
    assert dom.blockStats(str(tmp / 'overlay.qcow2'))[1] == 1 << 20   # by source too
    assert dom.blockStats('')[1] == 1 << 20, dom.blockStats('')
    st = dom.blockStatsFlags('vda', 0)
    assert st['rd_total_times'] == 7000 and st['flush_operations'] == 2 and \
        st['wr_total_times'] == 3000, st
    out = d.virsh('domblkstat', 'rs', 'vda').out
    assert re.search(r'vda rd_bytes\s+1048576', out), out
    st = c.domainListGetStats([dom], L.VIR_DOMAIN_STATS_BLOCK)[0][1]
    assert st['block.count'] == 1 and st['block.0.name'] == 'vda', st
    assert st['block.0.rd.bytes'] == 1 << 20 and st['block.0.wr.reqs'] == 1, st
    dom.destroy()


def test_killed_storage_daemon_is_restarted_with_the_same_exports(env):
    d, c, tmp, vmm, _ = env
    dom = c.defineXML(qcow2_xml(tmp, vmm))
    dom.create()
    wait_for(lambda: len(connections(d, 'q')) == 1, what='the first connection', log=(d, 'q'))
    pid = qsd_pid(d, 'q')
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: qsd_pid(d, 'q') != pid and alive(qsd_pid(d, 'q')), what='a new daemon')
    # the frontend reconnects to the same socket, served again
    wait_for(lambda: len(connections(d, 'q')) == 2, what='the reconnection', log=(d, 'q'))
    log = domain_log(d, 'q')
    assert f'qemu-storage-daemon (pid {pid}) was killed by signal 9' in log, log
    assert 'qemu-storage-daemon restarted' in log, log
    assert dom.state()[0] == L.VIR_DOMAIN_RUNNING, dom.state()


def test_restarted_virtarmzd_takes_the_storage_daemon_back(env, daemons):
    d, c, tmp, vmm, e = env
    dom = c.defineXML(qcow2_xml(tmp, vmm))
    dom.create()
    pid = qsd_pid(d, 'q')
    c.close()
    d.stop()
    # guests and their backends outlive the daemon
    assert alive(pid), f'qemu-storage-daemon {pid} ended with virtarmzd'
    d.start()
    c2 = libvirt.open(d.uri)
    dom = c2.lookupByName('q')
    assert dom.state()[0] == L.VIR_DOMAIN_RUNNING, dom.state()
    assert qsd_pid(d, 'q') == pid, f"storage daemon {qsd_pid(d, 'q')}, not {pid}"
    assert ET.fromstring(dom.XMLDesc(0)).find('devices/disk/backingStore/source') is not None, \
        dom.XMLDesc(0)
    # the new daemon watches it too
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: qsd_pid(d, 'q') != pid and alive(qsd_pid(d, 'q')), what='a new daemon')
    new = qsd_pid(d, 'q')
    dom.destroy()
    wait_for(lambda: not alive(new), 60, 'qemu-storage-daemon to end')
    c2.close()


def test_daemon_restart_with_the_storage_daemon_gone_restarts_it(env):
    d, c, tmp, vmm, _ = env
    dom = c.defineXML(qcow2_xml(tmp, vmm))
    dom.create()
    pid = qsd_pid(d, 'q')
    c.close()
    d.stop()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid), 60, 'the old daemon to die')
    d.start()
    c2 = libvirt.open(d.uri)
    wait_for(lambda: qsd_pid(d, 'q') != pid and alive(qsd_pid(d, 'q')), what='a new daemon')
    wait_for(lambda: len(connections(d, 'q')) == 2, what='the reconnection', log=(d, 'q'))
    c2.lookupByName('q').destroy()
    c2.close()


def test_refused_chains_name_the_file(env):
    d, c, tmp, vmm, _ = env
    # a raw backing file whose format the image does not record
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw',
                    str(tmp / 'noformat.qcow2')], check=True)
    data = bytearray((tmp / 'noformat.qcow2').read_bytes())
    i = data.find(bytes.fromhex('e2792aca'))
    data[i:i + 4] = b'\0\0\0\0'          # the extension becomes the end marker
    (tmp / 'noformat.qcow2').write_bytes(bytes(data))
    dom = c.defineXML(qcow2_xml(tmp, vmm, 'nf', 'noformat.qcow2'))
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, dom.create)
    assert 'was not specified in the image metadata' in e.get_error_message(), \
        e.get_error_message()
    # a missing backing file
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'gone.raw', '-F', 'raw',
                    '-u', str(tmp / 'orphan.qcow2'), '16M'], check=True)
    dom = c.defineXML(qcow2_xml(tmp, vmm, 'orphan', 'orphan.qcow2'))
    e = expect_error(L.VIR_ERR_SYSTEM_ERROR, dom.create)
    assert f"'{tmp}/gone.raw'" in e.get_error_message(), e.get_error_message()
    assert dom.state()[0] == L.VIR_DOMAIN_SHUTOFF, dom.state()
    left = [f for f in os.listdir(state_dir(d)) if f.endswith('.vu')]
    assert not left, f'left in the state dir: {left}'


def test_storage_daemon_that_fails_stops_the_start(env):
    d, c, tmp, vmm, _ = env
    # qemu-storage-daemon refuses a qcow2 whose header is garbage after the magic
    (tmp / 'bad.qcow2').write_bytes(b'QFI\xfb' + b'\0\0\0\3' + b'\0' * 12 + b'\0\0\0\x10' +
                                    b'\xff' * 500)
    dom = c.defineXML(qcow2_xml(tmp, vmm, 'bad', 'bad.qcow2'))
    e = expect_error((L.VIR_ERR_INTERNAL_ERROR, L.VIR_ERR_CONFIG_UNSUPPORTED), dom.create)
    assert 'qemu-storage-daemon' in e.get_error_message() or 'qcow2' in e.get_error_message(), \
        e.get_error_message()
    assert dom.state()[0] == L.VIR_DOMAIN_SHUTOFF, dom.state()
    left = [f for f in os.listdir(state_dir(d)) if f.endswith('.vu')]
    assert not left, f'left in the state dir: {left}'


VIRTIOFSD = '/usr/lib/qemu/virtiofsd'


@pytest.mark.skipif(not os.path.exists(VIRTIOFSD), reason='no virtiofsd')
def test_virtiofs_share_runs_virtiofsd(env):
    d, c, tmp, vmm, _ = env
    share = tmp / 'share'
    share.mkdir()
    dom = c.defineXML(fake_domain_xml(tmp, vmm, 'fs', f"""<filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/>
      <source dir='{share}'/>
      <target dir='hostshare'/>
    </filesystem>"""))
    # the config says nothing of memory; the live XML shows what it implies
    assert ET.fromstring(dom.XMLDesc(0)).find('memoryBacking') is None, dom.XMLDesc(0)
    dom.create()
    pids = [int(p) for p in status(d, 'fs')['virtiofsd-pids'].strip(';').split(';')]
    assert len(pids) == 1, pids
    assert 'virtiofsd' in os.readlink(f'/proc/{pids[0]}/exe'), os.readlink(f'/proc/{pids[0]}/exe')
    log = domain_log(d, 'fs')
    assert f'--vhost-user-fs socket={state_dir(d)}/{dom.UUIDString()}.vu/fs0.sock,tag=hostshare' \
        in log, log
    assert '--memfd' in log, log
    wait_for(lambda: re.search(r'fake-vmm: vhost-user fs0 features 0x[0-9a-f]+ connection 1',
                               domain_log(d, 'fs')), what='the virtiofsd connection', log=(d, 'fs'))
    live = ET.fromstring(dom.XMLDesc(0))
    xml = ET.tostring(live, encoding='unicode')
    assert live.find('memoryBacking/source').get('type') == 'memfd', xml
    assert live.find('memoryBacking/access').get('mode') == 'shared', xml
    assert live.find('devices/filesystem/target').get('dir') == 'hostshare', xml
    dom.destroy()
    wait_for(lambda: not os.path.exists(f'/proc/{pids[0]}'), 60, 'virtiofsd to end')
    assert not os.path.exists(os.path.join(state_dir(d), dom.UUIDString() + '.vu')), \
        'the .vu directory is left'


@pytest.mark.skipif(not shutil.which('qemu-nbd'), reason='no qemu-nbd')
def test_nbd_network_disk(env):
    d, c, tmp, vmm, _ = env
    sock = tmp / 'nbd.sock'
    srv = subprocess.Popen(['qemu-nbd', '-f', 'raw', '-k', str(sock), '-x', 'exp', '-t',
                            str(tmp / 'base.raw')])
    try:
        wait_for(lambda: sock.exists(), 60, 'qemu-nbd')
        dom = c.defineXML(fake_domain_xml(tmp, vmm, 'nbd', f"""<disk type='network' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source protocol='nbd' name='exp'><host transport='unix' socket='{sock}'/></source>
      <target dev='vda' bus='virtio'/>
    </disk>"""))
        dom.create()
        wait_for(lambda: connections(d, 'nbd'), what='the vhost-user connection', log=(d, 'nbd'))
        src = ET.fromstring(dom.XMLDesc(0)).find('devices/disk/source')
        assert src.get('protocol') == 'nbd' and src.find('host').get('socket') == str(sock), \
            dom.XMLDesc(0)
        dom.destroy()
    finally:
        srv.terminate()
        srv.wait()
