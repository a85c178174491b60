"""Hotplug through the daemon, in the emulated arm64 test host, on one
running guest (mode hotplug of tests/host/init/guest-init.sh): virsh
attach-disk --live puts a disk on a free pcie-root-port, the guest finds it,
writes 1 MiB to it and reads it back (the host sees the same bytes);
detach-disk --live takes it out once the guest lets go, with
DEVICE_REMOVED seen by `virsh event --loop --all`; a qcow2 overlay
attached live goes through qemu-storage-daemon (vhost-user-blk-pci on guest
RAM from a memfd): the storage daemon started for it runs as the jail user
with no_new_privs in the domain's cgroup, is killed before the guest's first
request and restarted (the jailed VMM reconnects: the guest's I/O is
served), the guest writes to it, and once detached the storage daemon quits,
the overlay passes `qemu-img check`, holds the guest's bytes, and its
backing file is unchanged; attach-interface --live
to a virtual network gives the guest a DHCP lease on the new NIC; a disk
attached with --config is there when the guest starts again."""
import os
import re
import subprocess
import threading
import time
import uuid

import libvirt
import pytest

from hostlib import (ROOT, URI, domain_xml, host_sh, let_pciehp_settle, remove_domains,
                     remove_network, serial_log, virsh, wait_for, wait_guest_marker)

NET = """<network>
  <name>hpnet</name>
  <forward mode='nat'/>
  <bridge name='armzbr8' stp='off' delay='0'/>
  <ip address='10.78.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.78.0.100' end='10.78.0.150'/></dhcp>
  </ip>
</network>"""
PORTS = "<controller type='pci' index='0' model='pcie-root'/>\n" + "".join(
    f"    <controller type='pci' index='{i}' model='pcie-root-port'/>\n" for i in (1, 2, 3))
LEASE_TIMEOUT = 240


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    yield c
    remove_domains(c, 'hotplug', 'hpprobe')
    remove_network(c, 'hpnet')
    host_sh(f'rm -f {ROOT}/hp-b.img {ROOT}/hp-c.img {ROOT}/hp-base.raw {ROOT}/hp-ov.qcow2 '
            f'{ROOT}/hp-ov.out {ROOT}/hotplug-serial.log')
    c.close()


class VirshEvents:
    """`virsh event --loop --all` on the domain, on a pty (so that its
    stdout is line-buffered), its output collected."""

    def __init__(self, conn):
        master, slave = os.openpty()
        self.p = subprocess.Popen(['virsh', '-c', URI, 'event', '--loop', '--all'],
                                  stdin=subprocess.DEVNULL, stdout=slave,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(slave)
        self.master, self.buf = master, b''
        threading.Thread(target=self._read, daemon=True).start()
        # virsh prints nothing once it has registered: a probe domain's
        # definitions until it reports one
        xml = domain_xml('hpprobe').replace(
            '<name>hpprobe</name>', '<name>hpprobe</name><uuid>%s</uuid>' % uuid.uuid4())
        end = time.monotonic() + 60
        while not re.search(r"event 'lifecycle' for domain 'hpprobe'", self.text()):
            assert time.monotonic() < end and self.p.poll() is None, self.text()
            conn.defineXML(xml)
            time.sleep(0.5)
        conn.lookupByName('hpprobe').undefine()

    def text(self):
        return self.buf.decode(errors='replace')

    def _read(self):
        while True:
            try:
                b = os.read(self.master, 4096)
            except OSError:
                return
            if not b:
                return
            self.buf += b

    def wait(self, pattern, timeout):
        rx = re.compile(pattern)
        return wait_for(lambda: rx.search(self.text()), timeout,
                        f'{pattern!r} from virsh event (got {self.buf!r})')

    def close(self):
        self.p.terminate()
        self.p.wait(10)
        os.close(self.master)


def guest_line(pattern, timeout=120):
    # whole lines only: a line still being written would match a prefix
    # of its last field (a partial md5)
    rx = re.compile(pattern + r'[^\n]*\n')
    try:
        return wait_for(lambda: rx.search(serial_log('hotplug')), timeout,
                        f'{pattern!r} on the guest console')
    except AssertionError as e:
        raise AssertionError(f'{e}; the guest console:\n{serial_log("hotplug")}') from None


def qsd_pid():
    """The domain's storage daemon's pid from its status ('' when none)."""
    return host_sh(f"sed -n 's/^qsd-pid=//p' {ROOT}/run/libvirt/armz/hotplug.status")[1].strip()


def qcow2_attach_detach(dom, events):
    """A qcow2 overlay live, through the domain's qemu-storage-daemon."""
    rc, out = host_sh(f'cd {ROOT} && dd if=/dev/urandom of=hp-base.raw bs=1M count=2 '
                      '2>/dev/null && qemu-img create -q -f qcow2 -b hp-base.raw -F raw '
                      'hp-ov.qcow2 && md5sum < hp-base.raw', timeout=120)
    assert rc == 0, out
    base_sum = out.split()[0]
    # write-through: a write the guest saw complete survives the kill below
    # (with the daemon's write-back cache the qcow2 metadata of an unflushed
    # write dies with it, as a disk's cache with its power)
    dom.attachDeviceFlags(f"""<disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='writethrough'/><source file='{ROOT}/hp-ov.qcow2'/>
      <target dev='vdd' bus='virtio'/></disk>""", libvirt.VIR_DOMAIN_AFFECT_LIVE)
    events.wait(r"event 'device-added' for domain 'hotplug': virtio-disk3", 60)
    assert "<backingStore type='file'>" in dom.XMLDesc(0), dom.XMLDesc(0)
    # the storage daemon started for it: the jail user's, in the domain's cgroup
    pid = qsd_pid()
    st = host_sh(f'cat /proc/{pid}/status /proc/{pid}/cgroup')[1]
    uid = host_sh("grep '^armz:' /etc/passwd")[1].split(':')[2]
    assert re.search(rf'^Uid:\s+{uid}\s+{uid}\s+{uid}\s+{uid}$', st, re.M), st
    assert re.search(r'^NoNewPrivs:\s+1$', st, re.M), st
    scope = f'0::/machine.slice/machine-armz\\x2d{dom.ID()}\\x2dhotplug.scope'
    assert scope in st.splitlines(), (scope, st)
    # killed before the guest's first request: virtarmzd restarts it and
    # armz-vmm (jailed, with no vhost-user device at start) reconnects, so
    # the guest's I/O below is served
    host_sh(f'kill -9 {pid}')
    wait_for(lambda: qsd_pid() not in ('', pid), 60, 'the storage daemon to restart')
    rx = re.compile(r'ARMZ-GUEST HOTDISK(-FAIL)? (vd\w+) ?(\w*)[^\n]*\n')
    wait_for(lambda: len(rx.findall(serial_log('hotplug'))) >= 2, 120,
             f'a second HOTDISK line on the guest console:\n{serial_log("hotplug")}')
    fail, gdev, wrote = rx.findall(serial_log('hotplug'))[1]
    assert not fail, serial_log('hotplug')
    virsh('detach-disk', 'hotplug', 'vdd', '--live')
    events.wait(r"event 'device-removed' for domain 'hotplug': virtio-disk3", 120)
    assert 'vdd' not in dom.XMLDesc(0)
    # it served no other disk: it goes
    wait_for(lambda: host_sh('pidof qemu-storage-daemon')[0] != 0, 60,
             'the storage daemon to quit')
    assert qsd_pid() == ''
    log = host_sh(f'cat {ROOT}/var/log/libvirt/armz/hotplug.log')[1]
    assert 'reconnected to the vhost-user back-end' in log, log
    rc, out = host_sh(f'cd {ROOT} && qemu-img check -q hp-ov.qcow2 && '
                      'qemu-img convert -O raw hp-ov.qcow2 hp-ov.out && '
                      'dd if=hp-ov.out bs=1M count=1 2>/dev/null | md5sum && '
                      'md5sum < hp-base.raw', timeout=120)
    assert rc == 0, out
    assert out.split()[0] == wrote and out.split()[2] == base_sum, (out, wrote, base_sum)


def test_attach_detach_live_and_config(conn):
    have_net = host_sh('ls /usr/sbin/dnsmasq /usr/sbin/nft /usr/sbin/ip')[0] == 0
    rc, out = host_sh(f'dd if=/dev/zero of={ROOT}/hp-b.img bs=1M count=2 2>/dev/null && '
                      f'dd if=/dev/zero of={ROOT}/hp-c.img bs=1M count=2 2>/dev/null && '
                      f'chmod 666 {ROOT}/hp-b.img {ROOT}/hp-c.img')
    assert rc == 0, out
    host_sh(f'rm -f {ROOT}/hotplug-serial.log')
    have_qsd = host_sh('command -v qemu-storage-daemon && command -v qemu-img')[0] == 0
    # guest RAM from a memfd, so that qemu-storage-daemon can serve a disk
    dom = conn.defineXML(domain_xml('hotplug', mode='hotplug', extra=PORTS).replace(
        '<vcpu>', "<memoryBacking><source type='memfd'/><access mode='shared'/>"
        "</memoryBacking><vcpu>", 1))
    dom.create()
    wait_guest_marker('hotplug', 'ARMZ-GUEST HOTPLUG-READY')
    events = VirshEvents(conn)
    try:
        # a disk, live: the guest writes to it and the host sees the bytes
        virsh('attach-disk', 'hotplug', f'{ROOT}/hp-b.img', 'vdb', '--live',
              '--targetbus', 'virtio')
        events.wait(r"event 'device-added' for domain 'hotplug': virtio-disk1", 60)
        # (the guest names its disks in the order it finds them: this first
        # one is its vda, whatever the target says)
        m = guest_line(r'ARMZ-GUEST HOTDISK(-FAIL)? (vd\w+) ?(\w*)')
        assert not m.group(1), serial_log('hotplug')
        gdev = m.group(2)
        rc, out = host_sh(f'dd if={ROOT}/hp-b.img bs=1M count=1 2>/dev/null | md5sum')
        assert rc == 0 and out.split()[0] == m.group(3), (out, m.group(0))
        xml = dom.XMLDesc(0)
        assert "<alias name='virtio-disk1'/>" in xml, xml

        # and out again once the guest let go (pciehp: ~5 s after the button)
        virsh('detach-disk', 'hotplug', 'vdb', '--live')
        events.wait(r"event 'device-removed' for domain 'hotplug': virtio-disk1", 120)
        guest_line(rf'ARMZ-GUEST HOTDISK-GONE {gdev}')
        assert "vdb" not in dom.XMLDesc(0)

        if have_qsd:
            let_pciehp_settle()
            qcow2_attach_detach(dom, events)

        if have_net:
            let_pciehp_settle()
            net = conn.networkDefineXML(NET)
            net.create()
            virsh('attach-interface', 'hotplug', 'network', 'hpnet', '--model', 'virtio',
                  '--live')
            events.wait(r"event 'device-added' for domain 'hotplug': net0", 60)
            m = guest_line(r'ARMZ-GUEST DHCP(-FAIL)? eth0 ?(ip=\S+)?', LEASE_TIMEOUT)
            assert not m.group(1) and m.group(2).startswith('ip=10.78.0.'), \
                serial_log('hotplug')
    finally:
        events.close()

    # a disk for the next start only
    virsh('attach-disk', 'hotplug', f'{ROOT}/hp-c.img', 'vdc', '--config',
          '--targetbus', 'virtio')
    assert 'vdc' not in dom.XMLDesc(0)
    assert 'vdc' in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    dom.destroy()
    host_sh(f'rm -f {ROOT}/hotplug-serial.log')
    dom.create()
    m = guest_line(r'ARMZ-GUEST HOTPLUG-READY ([\w ]*)')
    assert len(m.group(1).split()) == 1, serial_log('hotplug')
    dom.destroy()
    if not have_net:
        pytest.skip('the live interface part needs arm64 dnsmasq/nft/ip in the test host')
    if not have_qsd:
        pytest.skip('the qcow2 part needs arm64 qemu-storage-daemon/qemu-img in the test host')
