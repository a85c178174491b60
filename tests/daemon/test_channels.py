"""Guest agent channels in definitions: <channel type='unix'> with a virtio
target (what Nova and virt-manager write for org.qemu.guest_agent.0) is
accepted and kept, with or without a socket path; other channel kinds are
refused; the agent APIs on a domain that does not run say so. The agent
itself (a guest answering) is checked in tests/host/daemon."""
import xml.etree.ElementTree as ET

import libvirt

import armzd
from armzd import expect_error

L = libvirt
AGENT = ("    <channel type='unix'>\n"
         "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
         "    </channel>\n")


def test_agent_channel_kept(conn):
    dom = conn.defineXML(armzd.domain_xml('agent', extra_devices=AGENT))
    ch = ET.fromstring(dom.XMLDesc(0)).find('devices/channel')
    assert ch.get('type') == 'unix'
    t = ch.find('target')
    assert (t.get('type'), t.get('name')) == ('virtio', 'org.qemu.guest_agent.0')
    # no state outside a run
    assert t.get('state') is None


def test_channel_with_path_kept(conn):
    x = ("    <channel type='unix'>\n"
         "      <source mode='bind' path='/var/lib/armz/ch.sock'/>\n"
         "      <target type='virtio' name='org.example.x'/>\n"
         "    </channel>\n")
    dom = conn.defineXML(armzd.domain_xml('chpath', extra_devices=x))
    src = ET.fromstring(dom.XMLDesc(0)).find('devices/channel/source')
    assert src.get('path') == '/var/lib/armz/ch.sock'


def test_pty_channel_kept(conn):
    x = "    <channel type='pty'><target type='virtio' name='org.example.pty'/></channel>\n"
    dom = conn.defineXML(armzd.domain_xml('chpty', extra_devices=x))
    ch = ET.fromstring(dom.XMLDesc(0)).find('devices/channel')
    assert ch.get('type') == 'pty' and ch.find('target').get('name') == 'org.example.pty'


def test_channel_refusals(conn):
    for name, frag, code in [
        ('agent-pty', "<channel type='pty'><target type='virtio' "
         "name='org.qemu.guest_agent.0'/></channel>", L.VIR_ERR_CONFIG_UNSUPPORTED),
        ('file', "<channel type='file'><target type='virtio' name='a'/></channel>",
         L.VIR_ERR_CONFIG_UNSUPPORTED),
        ('relative', "<channel type='unix'><source mode='bind' path='a.sock'/>"
         "<target type='virtio' name='a'/></channel>", L.VIR_ERR_CONFIG_UNSUPPORTED),
        ('twice', "<channel type='unix'><target type='virtio' name='a'/></channel>"
         "<channel type='unix'><target type='virtio' name='a'/></channel>", L.VIR_ERR_XML_ERROR),
    ]:
        e = expect_error(code, conn.defineXML,
                         armzd.domain_xml('ch-' + name, extra_devices='    ' + frag + '\n'))
        assert 'channel' in e.get_error_message(), (name, e.get_error_message())


def test_agent_apis_need_a_running_domain(daemon, conn):
    dom = conn.defineXML(armzd.domain_xml('agent-off', extra_devices=AGENT))
    for call in (lambda: dom.getTime(0),
                 lambda: dom.setTime({'seconds': 1, 'nseconds': 0}, 0),
                 lambda: dom.setTime(None, L.VIR_DOMAIN_TIME_SYNC),
                 lambda: dom.shutdownFlags(L.VIR_DOMAIN_SHUTDOWN_GUEST_AGENT),
                 lambda: dom.interfaceAddresses(L.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT),
                 lambda: dom.reboot(L.VIR_DOMAIN_REBOOT_GUEST_AGENT),
                 lambda: dom.hostname(0),
                 lambda: dom.fsFreeze(None, 0),
                 lambda: dom.fsFreeze(['/'], 0),
                 lambda: dom.fsThaw(None, 0),
                 lambda: dom.setUserPassword('root', 'x', 0),
                 lambda: dom.guestInfo(0, 0),
                 lambda: dom.fsInfo(0)):
        e = expect_error(L.VIR_ERR_OPERATION_INVALID, call)
        assert 'not running' in e.get_error_message()
    # (libvirt-python's guestVcpus answers None on errors)
    for cmd in ('domtime', 'guestvcpus', 'domfsinfo'):
        r = daemon.virsh(cmd, 'agent-off', check=False)
        assert r.rc != 0 and 'not running' in r.err, r


def test_agent_api_arguments(daemon, conn):
    """What is refused before the agent is asked: libvirt's messages."""
    dom = conn.defineXML(armzd.domain_xml('agent-args', extra_devices=AGENT))
    e = expect_error(L.VIR_ERR_ARGUMENT_UNSUPPORTED, dom.fsThaw, ['/'], 0)
    assert 'mountpoints' in e.get_error_message()
    e = expect_error(L.VIR_ERR_ARGUMENT_UNSUPPORTED, dom.hostname,
                     L.VIR_DOMAIN_GET_HOSTNAME_LEASE)
    assert 'lease' in e.get_error_message().lower()
    expect_error(L.VIR_ERR_INVALID_ARG, dom.fsFreeze, None, 1 << 20)
    # a type libvirt 9.0 does not know
    expect_error(L.VIR_ERR_ARGUMENT_UNSUPPORTED, dom.guestInfo, 1 << 10, 0)
