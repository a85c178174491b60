"""The guest agent channel through virtarmzd in the emulated arm64 test
host, against Debian's arm64 qemu-guest-agent in the test guest (its
/init's 'agent' mode; tests/host/run-host adds qemu-ga and its libraries):
the channel's state in the live XML and the AGENT_LIFECYCLE event, domtime
and domtime --sync, domifaddr --source agent, domhostname, guestvcpus,
guestinfo, domfsfreeze and
domfsthaw, set-user-password (the guest checks the new password), reboot
--mode agent and shutdown --mode agent. Run by tests/host/run-host --drive."""
import re
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest

from hostlib import (ROOT, URI, Events, domain_xml, host_sh, virsh, wait_for, wait_guest_marker,
                     wait_state)

E = libvirt
AGENT = ("<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
         "</channel>")
# a pty channel beside it: the guest greets on it and echoes to its console
PTY = "<channel type='pty'><target type='virtio' name='org.armz.pty'/></channel>"
# a disk the guest puts ext4 on and mounts on /mnt/data
DATA = (f"<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        f"<source file='{ROOT}/agent-data.img'/><target dev='vda' bus='virtio'/></disk>")
NIC = ("<interface type='ethernet'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/>"
       "</interface>")


@pytest.fixture
def dom():
    Events.start_loop()
    c = libvirt.open(URI)
    host_sh(f'rm -f {ROOT}/agent-serial.log; rm -f {ROOT}/agent-data.img; '
            f'dd if=/dev/zero of={ROOT}/agent-data.img bs=1M count=0 seek=32')
    d = c.defineXML(domain_xml('agent', mode='agent', extra=AGENT + PTY + NIC + DATA))
    yield d
    try:
        if d.isActive():
            d.destroy()
        d.undefine()
    finally:
        c.close()


def target(d):
    return ET.fromstring(d.XMLDesc(0)).find('devices/channel/target')


def test_agent_commands(dom):
    seen = []
    cid = dom.connect().domainEventRegisterAny(
        dom, E.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
        lambda c, d, state, reason, opaque: seen.append((state, reason)), None)
    dom.create()
    src = ET.fromstring(dom.XMLDesc(0)).find('devices/channel/source')
    assert src is not None and src.get('path', '').endswith('/org.qemu.guest_agent.0')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT FS /mnt/data')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT /dev/vport')
    wait_for(lambda: target(dom).get('state') == 'connected', 60, "state='connected'")
    # the AGENT_LIFECYCLE event when the agent opened its port
    wait_for(lambda: (E.VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED,
                      E.VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL) in seen,
             30, 'agent lifecycle event')
    dom.connect().domainEventDeregisterAny(cid)
    # the pty channel: its /dev/pts path in the live XML, the guest's
    # greeting read there, a line written there reaching the guest
    pty = [ch for ch in ET.fromstring(dom.XMLDesc(0)).findall('devices/channel')
           if ch.get('type') == 'pty'][0]
    path = pty.find('source').get('path', '')
    assert path.startswith('/dev/pts/'), ET.tostring(pty)
    rc, out = host_sh(f'timeout 30 head -n 1 {path}')
    assert rc == 0 and 'ARMZ-PTY-HELLO' in out, (rc, out)
    host_sh(f'echo armz-pty-ping > {path}')
    wait_guest_marker('agent', 'ARMZ-GUEST PTY GOT armz-pty-ping')

    t = dom.getTime(0)
    assert abs(t['seconds'] - time.time()) < 86400, t
    r = virsh('domtime', 'agent')
    assert 'Time:' in r.stdout, r
    virsh('domtime', 'agent', '--sync')
    # guest-set-time without a time: qemu-ga sets the clock from the RTC
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT HWCLOCK -s')

    ifaces = dom.interfaceAddresses(E.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
    assert ifaces['eth0']['hwaddr'] == '52:54:00:aa:bb:cc', ifaces
    assert '192.0.2.7' in {a['addr'] for a in ifaces['eth0']['addrs']}, ifaces
    assert '127.0.0.1' in {a['addr'] for a in ifaces['lo']['addrs']}, ifaces
    r = virsh('domifaddr', 'agent', '--source', 'agent')
    assert '192.0.2.7/24' in r.stdout, r

    assert dom.hostname(0) == 'armz-guest'
    r = virsh('domhostname', 'agent', '--source', 'agent')
    assert 'armz-guest' in r.stdout, r

    # one vCPU, online; guestinfo from the agent's own view of the guest
    assert dom.guestVcpus(0) == {'vcpus': '0', 'online': '0', 'offlinable': ''}
    info = dom.guestInfo(0, 0)
    assert info['hostname'] == 'armz-guest', info
    assert info['os.id'] == 'armz-test' and info['os.machine'] == 'aarch64', info
    assert 'user.count' in info and 'timezone.offset' in info, info
    assert info['fs.count'] == 1 and info['fs.0.mountpoint'] == '/mnt/data', info
    assert info['fs.0.disk.count'] == 1 and info['fs.0.disk.0.alias'] == 'vda', info
    # the guest's disks, vda mapped to the domain's; its interfaces
    assert info['disk.count'] >= 1, info
    vda = [k[:-len('.name')] for k, v in info.items()
           if k.startswith('disk.') and k.endswith('.name') and v == '/dev/vda']
    assert vda and info[vda[0] + '.alias'] == 'vda' and info[vda[0] + '.partition'] is False, info
    n = [k for k, v in info.items() if k.startswith('if.') and k.endswith('.name') and v == 'eth0']
    assert n, info
    i = n[0][:-len('.name')]
    assert info[i + '.hwaddr'] == '52:54:00:aa:bb:cc', info
    assert any(info[f'{i}.addr.{j}.addr'] == '192.0.2.7' and info[f'{i}.addr.{j}.prefix'] == 24
               for j in range(info[i + '.addr.count'])), info
    r = virsh('guestinfo', 'agent', '--disk', '--interface')
    assert re.search(r'^disk\.\d+\.alias +: vda$', r.stdout, re.M), r
    r = virsh('guestinfo', 'agent', '--hostname')
    assert re.search(r'^hostname +: armz-guest$', r.stdout, re.M), r

    # the guest's root is an initramfs; its one real file system is the
    # ext4 on vda, mounted on /mnt/data
    assert dom.fsInfo(0) == [('/mnt/data', 'vda', 'ext4', ['vda'])], dom.fsInfo(0)
    r = virsh('domfsinfo', 'agent')
    assert re.search(r'^ */mnt/data +vda +ext4 +vda *$', r.stdout, re.M), r
    assert dom.fsFreeze(None, 0) == 1
    assert dom.fsThaw(None, 0) == 1
    assert dom.fsFreeze(['/mnt/data'], 0) == 1
    assert dom.fsThaw(None, 0) == 1     # (libvirt: thaw takes no mountpoints)
    assert 'Froze 1 filesystem' in virsh('domfsfreeze', 'agent').stdout
    assert 'Thawed 1 filesystem' in virsh('domfsthaw', 'agent').stdout

    virsh('set-user-password', 'agent', 'armz', 'armz-Pass-1')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT PASSWORD-OK')
    dom.setUserPassword('armz', 'another-one', 0)
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT PASSWORD-OTHER')

    virsh('reboot', 'agent', '--mode', 'agent')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT REBOOT')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT /dev/vport', count=2)
    wait_for(lambda: target(dom).get('state') == 'connected', 60, "state='connected' again")

    virsh('shutdown', 'agent', '--mode', 'agent')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT SHUTDOWN')
    wait_state(dom, E.VIR_DOMAIN_SHUTOFF)


def test_agent_absent():
    """A guest whose agent never opens the port: libvirt's refusal."""
    c = libvirt.open(URI)
    try:
        x = domain_xml('agent-none', mode='wait', extra=AGENT)
        d = c.defineXML(x)
        d.create()
        try:
            wait_guest_marker('agent-none')
            assert target(d).get('state') == 'disconnected'
            with pytest.raises(libvirt.libvirtError) as e:
                d.getTime(0)
            assert e.value.get_error_code() == E.VIR_ERR_AGENT_UNRESPONSIVE
        finally:
            d.destroy()
            d.undefine()
    finally:
        c.close()
