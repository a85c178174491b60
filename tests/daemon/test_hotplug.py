"""Device attach and detach (virsh attach-device, detach-device, attach-disk,
detach-disk, attach-interface, detach-interface): --config on a defined
domain (addresses and root ports as at define, saved, libvirt's refusals),
and --live on a running one against a fake armz-vmm that speaks the QMP
hotplug contract (fake_hotplug_vmm.py): the device_add arguments, aliases in
the live XML, DEVICE_ADDED / DEVICE_REMOVED / DEVICE_REMOVAL_FAILED events.
The guest's side is checked in tests/host/daemon/test_hotplug.py."""
import os
import shutil
import threading
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import expect_error
from test_events import VirshEvent, wait_registered

L = libvirt
PCIE = "    <controller type='pci' index='0' model='pcie-root'/>\n"
DISK2 = ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
         "<source file='{path}'/><target dev='vdb' bus='virtio'/></disk>")
NET = ("<interface type='bridge'><mac address='52:54:00:aa:bb:01'/>"
       "<source bridge='br0'/><model type='virtio'/></interface>")


def devs(dom, flags=L.VIR_DOMAIN_XML_INACTIVE):
    return ET.fromstring(dom.XMLDesc(flags)).find('devices')


def targets(dom, flags=L.VIR_DOMAIN_XML_INACTIVE):
    return [d.find('target').get('dev') for d in devs(dom, flags).findall('disk')]


def root_ports(dom):
    return [c.get('index') for c in devs(dom).findall("controller[@model='pcie-root-port']")]


def test_attach_detach_config(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    dom = c.defineXML(armzd.domain_xml('hpcfg', extra_devices=PCIE))
    before = root_ports(dom)
    dom.attachDeviceFlags(DISK2.format(path='/var/lib/libvirt/images/b.img'),
                          L.VIR_DOMAIN_AFFECT_CONFIG)
    d.virsh('attach-interface', 'hpcfg', 'bridge', 'br0', '--mac', '52:54:00:aa:bb:01',
            '--model', 'virtio', '--config')
    assert targets(dom) == ['vda', 'vdb']
    # each on a root port of its own, added as define adds them
    after = root_ports(dom)
    assert len(after) == len(before) + 2, (before, after)
    disk = devs(dom).find("disk/target[@dev='vdb']/..")
    addr = disk.find('address')
    assert addr.get('type') == 'pci' and int(addr.get('bus'), 16) in map(int, after), \
        ET.tostring(disk)
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.attachDeviceFlags,
                     DISK2.format(path='/x.img'), L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'target vdb already exists' in e.get_error_message()
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    try:
        dom = c.lookupByName('hpcfg')
        assert targets(dom) == ['vda', 'vdb']
        assert addr.attrib == devs(dom).find("disk/target[@dev='vdb']/../address").attrib
        d.virsh('detach-disk', 'hpcfg', 'vdb', '--config')
        d.virsh('detach-interface', 'hpcfg', 'bridge', '--mac', '52:54:00:aa:bb:01', '--config')
        assert targets(dom) == ['vda'] and devs(dom).find('interface') is None
        e = expect_error(L.VIR_ERR_DEVICE_MISSING, dom.detachDeviceFlags,
                         "<disk type='file' device='disk'><source file='/z.img'/><target dev='vdz'/></disk>",
                         L.VIR_DOMAIN_AFFECT_CONFIG)
        assert 'no target device vdz' in e.get_error_message()
        e = expect_error(L.VIR_ERR_DEVICE_MISSING, dom.detachDeviceFlags, NET,
                         L.VIR_DOMAIN_AFFECT_CONFIG)
        assert 'no device matching MAC address 52:54:00:aa:bb:01 found' in e.get_error_message()
    finally:
        c.close()


def test_attach_refusals(daemon, conn):
    dom = conn.defineXML(armzd.domain_xml('hpref', extra_devices=PCIE))
    # current on an inactive domain is config; live is refused
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.attachDeviceFlags,
                     DISK2.format(path='/x.img'), L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.attachDevice, DISK2.format(path='/x.img'))
    e = expect_error(L.VIR_ERR_OPERATION_UNSUPPORTED, dom.attachDeviceFlags,
                     "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>",
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert "persistent attach of device 'rng' is not supported" in e.get_error_message()
    # what define refuses, attach refuses, and the definition is unchanged
    expect_error((L.VIR_ERR_CONFIG_UNSUPPORTED, L.VIR_ERR_XML_ERROR), dom.attachDeviceFlags,
                 "<disk type='file' device='floppy'><source file='/f.img'/>"
                 "<target dev='fda'/></disk>", L.VIR_DOMAIN_AFFECT_CONFIG)
    assert targets(dom) == ['vda']
    e = expect_error(L.VIR_ERR_DEVICE_MISSING, dom.detachDeviceAlias, 'virtio-disk7',
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'no device found with alias virtio-disk7' in e.get_error_message()
    dom.detachDeviceAlias('virtio-disk0', L.VIR_DOMAIN_AFFECT_CONFIG)
    assert targets(dom) == []
    r = daemon.virsh('attach-disk', 'hpref', '/x.img', 'vdc', '--config', ro=True, check=False)
    assert r.rc != 0 and 'read only' in r.err.lower(), r


# ---------------------------------------------------------------- live


def hotplug_domain(daemons, tmp_path, memory=''):
    """A daemon whose VMM is the fake hotplug VMM (KVM faked by /dev/null),
    a connection to it, and domain 'hp' defined on it, with a pcie-root,
    four root ports and one without hotplug (the disk and the memballoon
    have a port each, two are free), and images to attach."""
    vmm = armzd.fake_vmm(tmp_path, 'fake_hotplug_vmm.py')
    (tmp_path / 'Image').write_bytes(b'not a kernel')
    (tmp_path / 'a.raw').write_bytes(b'\0' * 1048576)
    (tmp_path / 'b.raw').write_bytes(b'\0' * 1048576)
    d = daemons.new(env=dict(os.environ, ARMZ_KVM_DEVICE='/dev/null', PYTHONHOME='/usr'))
    c = libvirt.open(d.uri)
    return d, c, c.defineXML(f"""<domain type='kvm'>
  <name>hp</name>
  <memory unit='MiB'>64</memory>{memory}
  <vcpu>1</vcpu>
  <os><type arch='aarch64' machine='virt'>hvm</type><kernel>{tmp_path}/Image</kernel></os>
  <devices>
    <emulator>{vmm}</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='{tmp_path}/a.raw'/><target dev='vda' bus='virtio'/></disk>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <controller type='pci' index='3' model='pcie-root-port'/>
    <controller type='pci' index='4' model='pcie-root-port'><model name='pcie-root-port'/>
      <target chassis='4' port='0xb' hotplug='off'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x3'/></controller>
    <controller type='pci' index='5' model='pcie-root-port'/>
    <memballoon model='virtio'/>
  </devices>
</domain>""")


@pytest.fixture
def live(event_loop, daemons, tmp_path):
    """A running domain of the fake hotplug VMM."""
    d, c, dom = hotplug_domain(daemons, tmp_path)
    dom.create()
    yield d, c, dom, tmp_path
    if dom.isActive():
        dom.destroy()
    c.close()


def qmp_lines(d, cmd):
    log = open(os.path.join(d.logdir, 'hp.log')).read()
    return [line.split(' ', 3)[3] for line in log.splitlines()
            if line.startswith(f'fake-vmm: qmp {cmd} ')]


class Events:
    """DEVICE_ADDED / REMOVED / REMOVAL_FAILED of a connection, as (name, alias)."""

    def __init__(self, conn):
        self.got, self.cond = [], threading.Condition()
        self.ids = [conn.domainEventRegisterAny(None, ev, self.cb(name), None) for ev, name in (
            (L.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, 'added'),
            (L.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, 'removed'),
            (L.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, 'failed'))]

    def cb(self, name):
        def f(conn, dom, alias, opaque):
            with self.cond:
                self.got.append((name, alias))
                self.cond.notify_all()
        return f

    def wait(self, item, timeout=30):
        with self.cond:
            assert self.cond.wait_for(lambda: item in self.got, timeout), (item, self.got)


def test_live_disk_attach_detach(live):
    d, c, dom, tmp = live
    ev = Events(c)
    ve = VirshEvent(d, ['--all'])
    assert wait_registered(d, ve, c), ve.text()
    live_devs = lambda: devs(dom, 0)
    assert live_devs().find("disk/alias").get('name') == 'virtio-disk0'
    dom.attachDeviceFlags(DISK2.format(path=f'{tmp}/b.raw'), L.VIR_DOMAIN_AFFECT_LIVE)
    ev.wait(('added', 'virtio-disk1'))
    disk = live_devs().find("disk/target[@dev='vdb']/..")
    assert disk.find('alias').get('name') == 'virtio-disk1', ET.tostring(disk)
    bus = int(disk.find('address').get('bus'), 16)
    # not the memballoon's port (the lowest without a disk): the next one
    assert live_devs().find('memballoon/address').get('bus') == '0x02'
    assert bus == 3, ET.tostring(disk)
    adds = qmp_lines(d, 'device_add')
    assert len(adds) == 1 and f'"bus": "pci.{bus}"' in adds[0], adds
    assert '"driver": "virtio-blk-pci"' in adds[0] and '"fdname": "virtio-disk1"' in adds[0]
    assert qmp_lines(d, 'getfd') == ['{"fdname": "virtio-disk1"}']
    # live only: the definition is unchanged
    assert targets(dom) == ['vda']
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.attachDeviceFlags,
                     DISK2.format(path=f'{tmp}/b.raw'), L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'target vdb already exists' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_UNSUPPORTED, dom.attachDeviceFlags,
                     f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                     f"<source file='{tmp}/b.raw'/><target dev='vdc' bus='virtio'/></disk>",
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'qemu-storage-daemon' in e.get_error_message()
    # its guest RAM is private: no back-end could map it
    assert "<source type='memfd'/><access mode='shared'/>" in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.rename, 'other', 0)
    assert 'cannot rename active domain' in e.get_error_message()
    d.virsh('detach-disk', 'hp', 'vdb', '--live')
    ev.wait(('removed', 'virtio-disk1'))
    try:
        assert ve.wait_for(r"event 'device-added' for domain 'hp': virtio-disk1$"), ve.text()
        assert ve.wait_for(r"event 'device-removed' for domain 'hp': virtio-disk1$"), ve.text()
    finally:
        ve.stop()
    assert qmp_lines(d, 'device_del') == ['{"id": "virtio-disk1"}']
    assert targets(dom, 0) == ['vda']


def test_live_and_config_together_and_ports_run_out(live):
    d, c, dom, tmp = live
    ev = Events(c)
    both = L.VIR_DOMAIN_AFFECT_LIVE | L.VIR_DOMAIN_AFFECT_CONFIG
    dom.attachDeviceFlags(DISK2.format(path=f'{tmp}/b.raw'), both)
    assert targets(dom) == ['vda', 'vdb'] and targets(dom, 0) == ['vda', 'vdb']
    dom.attachDeviceFlags(DISK2.format(path=f'{tmp}/b.raw').replace('vdb', 'vdc'),
                          L.VIR_DOMAIN_AFFECT_LIVE)
    e = expect_error(L.VIR_ERR_INTERNAL_ERROR, dom.attachDeviceFlags,
                     DISK2.format(path=f'{tmp}/b.raw').replace('vdb', 'vdd'),
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'No more available PCI slots' in e.get_error_message()
    ev.wait(('added', 'virtio-disk2'))
    dom.detachDeviceAlias('virtio-disk2', L.VIR_DOMAIN_AFFECT_LIVE)
    ev.wait(('removed', 'virtio-disk2'))
    assert targets(dom, 0) == ['vda', 'vdb']


def test_guest_that_does_not_let_go(live):
    d, c, dom, tmp = live
    ev = Events(c)
    dom.attachDeviceFlags(DISK2.format(path=f'{tmp}/b.raw').replace(
        "<target", "<alias name='ua-stuck'/><target"), L.VIR_DOMAIN_AFFECT_LIVE)
    ev.wait(('added', 'ua-stuck'))
    dom.detachDeviceFlags(DISK2.format(path=f'{tmp}/b.raw'), L.VIR_DOMAIN_AFFECT_LIVE)
    ev.wait(('failed', 'ua-stuck'))
    # still there
    assert targets(dom, 0) == ['vda', 'vdb']


def test_domcapabilities_pci_and_hotplug(conn):
    caps = ET.fromstring(conn.getDomainCapabilities(None, 'aarch64', 'virt', 'kvm'))
    ctrl = caps.find('devices/controller')
    assert ctrl is not None and ctrl.get('supported') == 'yes', ET.tostring(caps)
    vals = lambda name: [v.text for v in ctrl.findall(f"enum[@name='{name}']/value")]
    assert vals('pciModel') == ['pcie-root', 'pcie-root-port']
    assert vals('hotplug') == ['disk', 'interface']


def test_domif_setlink_config(daemon, conn):
    """The link state of a defined domain's interface (the running guest's
    is in tests/network/test_link_state.py: it needs a tap)."""
    dom = conn.defineXML(armzd.domain_xml('lkcfg', extra_devices='    ' + NET + '\n'))
    daemon.virsh('domif-setlink', 'lkcfg', '52:54:00:aa:bb:01', 'down', '--config')
    link = devs(dom).find('interface/link')
    assert link is not None and link.get('state') == 'down', ET.tostring(devs(dom))
    assert daemon.virsh('domif-getlink', 'lkcfg', '52:54:00:aa:bb:01',
                        '--config').out.split()[-1] == 'down'
    # current on an inactive domain is config; live is refused
    dom.updateDeviceFlags(NET.replace('</interface>', "<link state='up'/></interface>"), 0)
    assert devs(dom).find('interface/link').get('state') == 'up'
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.updateDeviceFlags,
                     NET.replace('</interface>', "<link state='down'/></interface>"),
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'not running' in e.get_error_message()
    e = expect_error(L.VIR_ERR_OPERATION_UNSUPPORTED, dom.updateDeviceFlags,
                     NET.replace('br0', 'br1'), L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'cannot modify network device source' in e.get_error_message()
    assert devs(dom).find('interface/source').get('bridge') == 'br0'


def test_live_attach_at_an_address(live):
    d, c, dom, tmp = live
    log = open(os.path.join(d.logdir, 'hp.log')).read()
    # <target hotplug='off'/> reaches armz-vmm
    assert ',hotplug=off' in [line for line in log.splitlines()
                              if line.startswith('fake-vmm: args ')][0], log
    at = "<address type='pci' domain='0x0000' bus='{bus}' slot='0x00' function='0x0'/></disk>"
    e = expect_error(L.VIR_ERR_XML_ERROR, dom.attachDeviceFlags,
                     DISK2.format(path=f'{tmp}/b.raw').replace('</disk>', at.format(bus='0x04')),
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert "index='4' doesn't support hotplug" in e.get_error_message()
    vda_bus = devs(dom, 0).find("disk/target[@dev='vda']/../address").get('bus')
    e = expect_error(L.VIR_ERR_XML_ERROR, dom.attachDeviceFlags,
                     DISK2.format(path=f'{tmp}/b.raw').replace('</disk>', at.format(bus=vda_bus)),
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'Attempted double use of PCI Address' in e.get_error_message()
    assert qmp_lines(d, 'device_add') == []
    # a port no device holds (vda, the memballoon, ...): the lowest free one
    used = {a.get('bus') for a in devs(dom, 0).iter('address') if a.get('type') == 'pci'}
    free = sorted({'0x01', '0x02', '0x03'} - used)[0]
    dom.attachDeviceFlags(DISK2.format(path=f'{tmp}/b.raw').replace('</disk>',
                                                                   at.format(bus=free)),
                          L.VIR_DOMAIN_AFFECT_LIVE)
    assert f'"bus": "pci.{int(free, 16)}"' in qmp_lines(d, 'device_add')[0]
    disk = devs(dom, 0).find("disk/target[@dev='vdb']/..")
    assert disk.find('address').get('bus') == free, ET.tostring(disk)


QSD = '/usr/bin/qemu-storage-daemon'


def qsd_qmp(path, cmd):
    """One command to the storage daemon's QMP socket at PATH."""
    import json
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    f = s.makefile('rwb')
    f.readline()
    for c in ('qmp_capabilities', cmd):
        f.write(json.dumps({'execute': c}).encode() + b'\n')
        f.flush()
        while True:
            rep = json.loads(f.readline())
            if 'event' not in rep:
                break
    s.close()
    return rep['return']


def runs(pid):
    """PID is a process, not a zombie (one a restarted daemon left to init)."""
    try:
        return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


@pytest.mark.skipif(not (os.path.exists(QSD) and shutil.which('qemu-img')),
                    reason='qemu-storage-daemon or qemu-img missing')
def test_live_qcow2_attach_detach_through_the_storage_daemon(event_loop, daemons, tmp_path):
    """A qcow2 overlay attached live to a domain with shared memfd RAM: the
    domain's storage daemon is started for it, a second one is added to the
    running daemon by QMP, each becomes a vhost-user-blk-pci on its export
    (the fake VMM asks the export for its features); detach takes the nodes
    and the export out of the daemon again, and the daemon itself once it
    served the last one; the next such attach starts it again."""
    import subprocess
    import time
    d, c, dom = hotplug_domain(daemons, tmp_path, "<memoryBacking><source type='memfd'/>"
                               "<access mode='shared'/></memoryBacking>")
    tmp = tmp_path
    dom.create()
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', str(tmp / 'base.raw'), '4M'],
                   check=True)
    for n in ('o1', 'o2'):
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw',
                        str(tmp / f'{n}.qcow2')], check=True)
    q = lambda dev, n: (f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                        f"<source file='{tmp}/{n}.qcow2'/><target dev='{dev}' bus='virtio'/>"
                        "</disk>")
    ev = Events(c)
    dom.attachDeviceFlags(q('vdb', 'o1'), L.VIR_DOMAIN_AFFECT_LIVE)
    ev.wait(('added', 'virtio-disk1'))
    dom.attachDeviceFlags(q('vdc', 'o2'), L.VIR_DOMAIN_AFFECT_LIVE)
    ev.wait(('added', 'virtio-disk2'))
    adds = qmp_lines(d, 'device_add')
    assert len(adds) == 2 and all('"driver": "vhost-user-blk-pci"' in a for a in adds), adds
    assert '"fdname": "virtio-disk1"' in adds[0] and 'vdb.sock"' in adds[0], adds
    log = open(os.path.join(d.logdir, 'hp.log')).read()
    for alias in ('virtio-disk1', 'virtio-disk2'):
        assert f'fake-vmm: vhost-user {alias} features 0x' in log, log
    # the chain, as for disks there at start
    disk = devs(dom, 0).find("disk/target[@dev='vdc']/..")
    bs = disk.find('backingStore')
    assert bs is not None and bs.find('source').get('file') == f'{tmp}/base.raw', \
        ET.tostring(disk)
    assert bs.find('format').get('type') == 'raw'
    sdir = os.path.join(d.root, 'run', 'libvirt', 'armz')
    qmp = [p for p in (os.path.join(r, f) for r, _, fs in os.walk(sdir) for f in fs)
           if p.endswith('qsd.qmp')]
    assert len(qmp) == 1, qmp
    nodes = lambda: sorted(n['node-name'] for n in qsd_qmp(qmp[0], 'query-named-block-nodes'))
    assert nodes() == ['vdb-0', 'vdb-1', 'vdb-f0', 'vdb-f1', 'vdc-0', 'vdc-1', 'vdc-f0',
                       'vdc-f1'], nodes()
    # a restarted storage daemon (or virtarmzd) has both: on its command line
    qsd_argv = lambda: [line for line in open(os.path.join(sdir, 'hp.status'))
                        if line.startswith('qsd-argv=')][0]
    assert '"vdb"' in qsd_argv() and '"vdc"' in qsd_argv(), qsd_argv()
    d.virsh('detach-disk', 'hp', 'vdb', '--live')
    ev.wait(('removed', 'virtio-disk1'))
    deadline = time.monotonic() + 30
    while any(n.startswith('vdb') for n in nodes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert nodes() == ['vdc-0', 'vdc-1', 'vdc-f0', 'vdc-f1'], nodes()
    exports = [e['id'] for e in qsd_qmp(qmp[0], 'query-block-exports')]
    assert exports == ['vdc'], exports
    assert targets(dom, 0) == ['vda', 'vdc']
    assert '"vdb"' not in qsd_argv() and '"vdc"' in qsd_argv(), qsd_argv()

    # a failing device_add (the fake refuses ua-fail*) takes back what the
    # storage daemon got
    e = expect_error(L.VIR_ERR_OPERATION_FAILED, dom.attachDeviceFlags,
                     q('vdb', 'o1').replace('<target', "<alias name='ua-fail'/><target"),
                     L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'refused' in e.get_error_message(), e.get_error_message()
    deadline = time.monotonic() + 30
    while any(n.startswith('vdb') for n in nodes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert nodes() == ['vdc-0', 'vdc-1', 'vdc-f0', 'vdc-f1'], nodes()
    assert '"vdb"' not in qsd_argv(), qsd_argv()
    assert targets(dom, 0) == ['vda', 'vdc']

    # a restarted virtarmzd knows the hot-added disk and can detach it
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    try:
        dom = c.lookupByName('hp')
        disk = devs(dom, 0).find("disk/target[@dev='vdc']/..")
        assert disk is not None and disk.find('backingStore/source') is not None, \
            dom.XMLDesc(0)
        ev = Events(c)
        pid = int([line for line in open(os.path.join(sdir, 'hp.status'))
                   if line.startswith('qsd-pid=')][0].split('=')[1])
        dom.detachDeviceAlias('virtio-disk2', L.VIR_DOMAIN_AFFECT_LIVE)
        ev.wait(('removed', 'virtio-disk2'))
        # the last disk it served: the storage daemon quits, its sockets and
        # its status entry go, the directory stays
        vu = os.path.dirname(qmp[0])
        deadline = time.monotonic() + 30
        while (runs(pid) or os.listdir(vu)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not runs(pid), f'storage daemon {pid} still runs'
        assert os.listdir(vu) == [], os.listdir(vu)
        assert 'qsd-pid=' not in open(os.path.join(sdir, 'hp.status')).read()
        log = open(os.path.join(d.logdir, 'hp.log')).read()
        assert 'qemu-storage-daemon restarted' not in log, log
        # the next such disk starts one again
        dom.attachDeviceFlags(q('vdb', 'o1'), L.VIR_DOMAIN_AFFECT_LIVE)
        ev.wait(('added', 'virtio-disk1'))
        pid2 = int([line for line in open(os.path.join(sdir, 'hp.status'))
                    if line.startswith('qsd-pid=')][0].split('=')[1])
        assert pid2 != pid and runs(pid2)
        assert nodes() == ['vdb-0', 'vdb-1', 'vdb-f0', 'vdb-f1'], nodes()
        dom.destroy()
        assert not runs(pid2) and not os.path.exists(vu)
    finally:
        c.close()


def test_nova_volume_serial_is_the_volume_id(daemons):
    """Nova writes Cinder's volume id (36 characters) as the serial of every
    volume it attaches; libvirt takes any length and the guest sees the
    first 20 characters virtio-blk reports."""
    d = daemons.new()
    c = libvirt.open(d.uri)
    dom = c.defineXML(armzd.domain_xml('novavol', extra_devices=PCIE))
    vol_id = '5b0f3c2e-1234-4567-89ab-cdef0123a5e1'
    dom.attachDeviceFlags(
        "<disk type='block' device='disk'><driver name='qemu' type='raw' cache='none' "
        "io='native'/><source dev='/dev/loop7'/><target dev='vdb' bus='virtio'/>"
        f"<serial>{vol_id}</serial></disk>", L.VIR_DOMAIN_AFFECT_CONFIG)
    disk = devs(dom).find("disk/target[@dev='vdb']/..")
    assert disk.findtext('serial') == vol_id, ET.tostring(disk)
    e = expect_error(L.VIR_ERR_INVALID_ARG, dom.attachDeviceFlags,
                     "<disk type='file' device='disk'><source file='/x.img'/>"
                     "<target dev='vdc' bus='virtio'/><serial>a/b</serial></disk>",
                     L.VIR_DOMAIN_AFFECT_CONFIG)
    assert 'invalid characters' in e.get_error_message()
    c.close()
