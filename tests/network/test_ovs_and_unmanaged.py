"""What Nova's os-vif hands armz: an Open vSwitch port (<interface
type='bridge'><virtualport type='openvswitch'>) and a tap it made itself
(<interface type='ethernet'><target dev='tapX' managed='no'/>). Open vSwitch
runs in the test's namespace with its userspace datapath (this machine has
no openvswitch module). armz-vmm fails here at once on a KVM device that is
not one, so what is checked is the plumbing around a start: the port with
Neutron's external-ids while the start runs, and nothing left after it;
and around a live attach and detach (Nova's attach_interface), against the
fake armz-vmm of tests/daemon/fake_hotplug_vmm.py."""
import os
import re
import shutil
import subprocess
import time

import libvirt
import pytest

import armzd
from armzd import start_fake_vmm_domain
from conftest import make_host
from test_guest_interfaces import guest

IFACE_ID = 'b8f1c1a5-1234-4567-89ab-cdef01234567'


class Ovs:
    """ovsdb-server and ovs-vswitchd of one namespace, state under DIR."""

    def __init__(self, ns, d):
        self.ns, self.dir = ns, d
        self.env = dict(os.environ, OVS_RUNDIR=d, OVS_LOGDIR=d, OVS_DBDIR=d)
        db = os.path.join(d, 'conf.db')
        subprocess.run(['ovsdb-tool', 'create', db,
                        '/usr/share/openvswitch/vswitch.ovsschema'], check=True)
        sock = os.path.join(d, 'db.sock')
        self.procs = [ns.popen('ovsdb-server', '--remote=punix:' + sock, db, env=self.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        armzd_wait(lambda: os.path.exists(sock))
        self.vsctl('--no-wait', 'init')
        self.procs.append(ns.popen('ovs-vswitchd', 'unix:' + sock, env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.vsctl('--timeout=10', 'add-br', 'br-int', '--', 'set', 'bridge', 'br-int',
                   'datapath_type=netdev')

    def vsctl(self, *args):
        return subprocess.run(self.ns.prefix() + ['ovs-vsctl'] + list(args), env=self.env,
                              capture_output=True, text=True, check=True, timeout=30).stdout

    def close(self):
        for p in self.procs:
            p.kill()
            p.wait()


def armzd_wait(fn, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return
        time.sleep(0.05)
    raise AssertionError('timed out')


@pytest.fixture
def ovs_host(tmp_path_factory):
    if not shutil.which('ovs-vsctl'):
        pytest.fail('openvswitch-switch is not installed (tests/deps/network.list)')
    d = str(tmp_path_factory.mktemp('ovs'))
    gen = make_host(tmp_path_factory, env_extra={'OVS_RUNDIR': d})
    host = next(gen)
    ovs = Ovs(host.ns, d)
    try:
        yield host, ovs
    finally:
        ovs.close()
        gen.close()


OVS_IFACE = ("    <interface type='bridge'>\n      <mac address='fa:16:3e:11:22:34'/>\n"
             "      <source bridge='br-int'/>\n      <target dev='tapabcdef01-23'/>\n"
             "      <model type='virtio'/>\n      <driver name='vhost'/>\n"
             "      <virtualport type='openvswitch'>\n"
             f"        <parameters interfaceid='{IFACE_ID}'/>\n"
             "      </virtualport>\n    </interface>\n")


def test_ovs_port_with_neutron_external_ids(ovs_host):
    host, ovs = ovs_host
    guest(host, 'ovs1', OVS_IFACE)
    xml = host.virsh('dumpxml', 'ovs1').out
    assert f"<parameters interfaceid='{IFACE_ID}'/>" in xml, xml
    assert "<driver name='vhost'/>" in xml, xml
    r = host.virsh('start', 'ovs1', check=False)
    assert r.rc != 0 and 'armz-vmm' in r.err, r
    log = open(os.path.join(host.daemon.logdir, 'ovs1.log')).read()
    assert re.search(r"ifname='?tapabcdef01-23'? ovs-bridge='?br-int'? iface-id='?" + IFACE_ID,
                     log), log
    # the VMM's failure stopped the domain: its port is gone from OVSDB
    assert 'tapabcdef01-23' not in ovs.vsctl('list-ports', 'br-int')
    assert not host.ns.link_exists('tapabcdef01-23')




def test_ovs_port_while_running(ovs_host):
    """The port and its external-ids as Neutron's agent reads them, taken
    while the start is under way (the port is added before the VMM runs)."""
    host, ovs = ovs_host
    guest(host, 'ovs2', OVS_IFACE)
    seen = {}
    proc = subprocess.Popen(['virsh', '-c', host.uri, 'start', 'ovs2'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.time() + 20
    while time.time() < end and proc.poll() is None and not seen:
        if 'tapabcdef01-23' in ovs.vsctl('list-ports', 'br-int'):
            seen['ids'] = ovs.vsctl('get', 'Interface', 'tapabcdef01-23', 'external-ids')
        time.sleep(0.01)
    proc.wait(timeout=30)
    if not seen:
        pytest.skip('the start ended before the port could be read (the VMM failed at once)')
    ids = seen['ids']
    uuid = re.search(r'<uuid>([0-9a-f-]+)</uuid>', host.virsh('dumpxml', 'ovs2').out).group(1)
    assert f'iface-id="{IFACE_ID}"' in ids, ids
    assert 'iface-status=active' in ids, ids
    assert 'attached-mac="fa:16:3e:11:22:34"' in ids, ids
    assert f'vm-uuid="{uuid}"' in ids, ids


def test_ovs_refusals(host):
    conn = libvirt.open(host.uri)
    try:
        for iface, what in [
                (OVS_IFACE.replace("type='bridge'", "type='ethernet'").replace(
                    "      <source bridge='br-int'/>\n", ''), 'only on'),
                (OVS_IFACE.replace('openvswitch', '802.1Qbh'), '802.1Qbh'),
                (OVS_IFACE.replace(IFACE_ID, 'not-a-uuid'), 'not-a-uuid'),
                (OVS_IFACE.replace("<driver name='vhost'/>", "<driver name='vhost' queues='4'/>"),
                 'multiqueue')]:
            xml = armzd.domain_xml('ovsbad', devices=False).replace(
                '</domain>', f'  <devices>\n{iface}  </devices>\n</domain>')
            with pytest.raises(libvirt.libvirtError) as ei:
                conn.defineXML(xml)
            assert what in str(ei.value), (what, str(ei.value))
    finally:
        conn.close()


def test_unmanaged_tap_is_used_and_left(host):
    host.ns.ip('tuntap', 'add', 'dev', 'tap12345678-9a', 'mode', 'tap')
    host.ns.ip('link', 'set', 'tap12345678-9a', 'mtu', '1442')
    guest(host, 'eth1', "    <interface type='ethernet'>\n"
                        "      <target dev='tap12345678-9a' managed='no'/>\n"
                        "      <model type='virtio'/>\n    </interface>\n")
    assert "managed='no'" in host.virsh('dumpxml', 'eth1').out
    r = host.virsh('start', 'eth1', check=False)
    assert r.rc != 0 and 'armz-vmm' in r.err, r
    log = open(os.path.join(host.daemon.logdir, 'eth1.log')).read()
    assert re.search(r"ifname='?tap12345678-9a'? bridge='?none'? mtu=default mac=\S+ managed=no",
                     log) or 'managed=no' in log, log
    # os-vif's tap stays, untouched (libvirt would not change its MTU either)
    assert host.ns.link_exists('tap12345678-9a')
    assert 'mtu 1442' in host.ns.ip('link', 'show', 'tap12345678-9a').stdout
    # and a missing one is named
    guest(host, 'eth2', "    <interface type='ethernet'>\n"
                        "      <target dev='tapmissing0' managed='no'/>\n    </interface>\n")
    r = host.virsh('start', 'eth2', check=False)
    assert r.rc != 0 and "tap device 'tapmissing0' does not exist" in r.err, r


def detach_live(dom, xml):
    """Detaches and waits for the fake VMM's DEVICE_DELETED to reach the
    live XML."""
    dom.detachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)
    armzd_wait(lambda: 'fa:16:3e:11:22:34' not in dom.XMLDesc(0)
               and 'fa:16:3e:11:22:39' not in dom.XMLDesc(0))


def test_ovs_port_attached_and_detached_live(ovs_host, tmp_path):
    """Nova's attach_interface of an Open vSwitch port: the tap becomes a
    port of br-int with Neutron's external-ids before the VMM gets it, and
    leaves OVSDB when the guest lets go of the device."""
    host, ovs = ovs_host
    conn, dom = start_fake_vmm_domain(host.uri, tmp_path, 'ovslive')
    try:
        dom.attachDeviceFlags(OVS_IFACE, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        assert 'tapabcdef01-23' in ovs.vsctl('list-ports', 'br-int').split()
        ids = ovs.vsctl('get', 'Interface', 'tapabcdef01-23', 'external-ids')
        assert f'iface-id="{IFACE_ID}"' in ids and 'attached-mac="fa:16:3e:11:22:34"' in ids \
            and f'vm-uuid="{dom.UUIDString()}"' in ids, ids
        live = dom.XMLDesc(0)
        assert "<target dev='tapabcdef01-23'/>" in live and "type='openvswitch'" in live, live
        detach_live(dom, OVS_IFACE)
        assert 'tapabcdef01-23' not in ovs.vsctl('list-ports', 'br-int').split()
        # a port OVS refuses (no such bridge) fails the attach, naming it,
        # and leaves no tap behind (another name: the fake VMM keeps the fd
        # of the first tap, which a real one closes)
        with pytest.raises(libvirt.libvirtError) as e:
            dom.attachDeviceFlags(OVS_IFACE.replace('br-int', 'br-none').replace(
                'tapabcdef01-23', 'tapabcdef01-24'), libvirt.VIR_DOMAIN_AFFECT_LIVE)
        assert 'br-none' in str(e.value), str(e.value)
        assert not host.ns.link_exists('tapabcdef01-24')
        assert 'fa:16:3e:11:22:34' not in dom.XMLDesc(0)
    finally:
        dom.destroy()
        conn.close()


def test_unmanaged_tap_attached_and_detached_live(host, tmp_path):
    """Nova's attach_interface of a tap port (VIF_TYPE_TAP: its agent made
    the tap): the daemon opens that tap and leaves it when detached."""
    host.ns.ip('tuntap', 'add', 'dev', 'tap87654321-0b', 'mode', 'tap')
    xml = ("<interface type='ethernet'><mac address='fa:16:3e:11:22:39'/>"
           "<target dev='tap87654321-0b' managed='no'/><model type='virtio'/></interface>")
    conn, dom = start_fake_vmm_domain(host.uri, tmp_path, 'ethlive')
    try:
        with pytest.raises(libvirt.libvirtError) as e:
            dom.attachDeviceFlags(xml.replace('tap87654321-0b', 'tapmissing1'),
                                  libvirt.VIR_DOMAIN_AFFECT_LIVE)
        assert "tap device 'tapmissing1' does not exist" in str(e.value), str(e.value)
        dom.attachDeviceFlags(xml, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        live = dom.XMLDesc(0)
        assert "<target dev='tap87654321-0b' managed='no'/>" in live, live
        log = open(os.path.join(host.daemon.logdir, 'ethlive.log')).read()
        assert 'fake-vmm: qmp device_add' in log, log
        detach_live(dom, xml)
        assert host.ns.link_exists('tap87654321-0b')
    finally:
        dom.destroy()
        conn.close()
