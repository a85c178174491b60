"""The guest agent channel through virtarmzd in the emulated arm64 test
host. The test guest has no qemu-guest-agent (it needs glib in the
initramfs): its /init's 'agent' mode is a stand-in answering on
org.qemu.guest_agent.0 (guest-sync-delimited, guest-get-time,
guest-set-time, guest-network-get-interfaces, guest-shutdown), which is
what virtarmzd's client is checked against here: the channel's state in
the live XML, domtime and domtime --sync, domifaddr --source agent and
shutdown --mode agent. Run by tests/host/run-host --drive."""
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest

from hostlib import (ROOT, URI, Events, domain_xml, host_sh, virsh, wait_for, wait_guest_marker,
                     wait_state)

E = libvirt
AGENT = ("<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
         "</channel>")


@pytest.fixture
def dom():
    Events.start_loop()
    c = libvirt.open(URI)
    host_sh(f'rm -f {ROOT}/agent-serial.log')
    d = c.defineXML(domain_xml('agent', mode='agent', extra=AGENT))
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
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT /dev/vport')
    wait_for(lambda: target(dom).get('state') == 'connected', 60, "state='connected'")
    # the AGENT_LIFECYCLE event when the agent opened its port
    wait_for(lambda: (E.VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED,
                      E.VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL) in seen,
             30, 'agent lifecycle event')
    dom.connect().domainEventDeregisterAny(cid)

    t = dom.getTime(0)
    assert abs(t['seconds'] - time.time()) < 86400, t
    r = virsh('domtime', 'agent')
    assert 'Time:' in r.stdout, r
    virsh('domtime', 'agent', '--sync')
    wait_guest_marker('agent', 'ARMZ-GUEST AGENT SET-TIME')

    ifaces = dom.interfaceAddresses(E.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
    assert ifaces['eth0']['hwaddr'] == '52:54:00:aa:bb:cc'
    assert {a['addr'] for a in ifaces['eth0']['addrs']} == {'192.0.2.7', 'fe80::1'}
    r = virsh('domifaddr', 'agent', '--source', 'agent')
    assert '192.0.2.7/24' in r.stdout, r

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
