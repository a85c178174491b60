"""What libvirt users rely on beyond the basics: XML normalisation, flags that
virt-manager / Nova / virsh pass, races, daemon process handling."""
import os
import queue
import re
import signal
import struct
import threading
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import (ERROR, REPLY, domain_xml, expect_error, new_uuid, packet, raw_connect,
                   recv_packet, xdr_opt_string)

L = libvirt


# ------------------------------------------------------------ XML normalisation

def test_uuid_formats_normalised(conn):
    u = uuidlib.uuid4()
    dom = conn.defineXML(domain_xml('nodash', u.hex))                 # 32 hex digits
    assert dom.UUIDString() == str(u)
    u2 = uuidlib.uuid4()
    dom = conn.defineXML(domain_xml('upper', str(u2).upper()))
    assert dom.UUIDString() == str(u2)
    assert ET.fromstring(dom.XMLDesc(0)).findtext('uuid') == str(u2)
    assert conn.lookupByUUIDString(str(u2).upper()).name() == 'upper'


def test_memory_units_normalised(conn):
    x = domain_xml('units').replace("<memory unit='KiB'>262144</memory>",
                                    "<memory unit='MiB'>512</memory>")
    x = x.replace("<currentMemory unit='KiB'>262144</currentMemory>",
                  "<currentMemory unit='MiB'>512</currentMemory>")
    dom = conn.defineXML(x)
    assert dom.maxMemory() == 512 * 1024
    root = ET.fromstring(dom.XMLDesc(0))
    mem = root.find('memory')
    assert int(mem.text) * {'KiB': 1, 'MiB': 1024, 'GiB': 1024 * 1024}[mem.get('unit', 'KiB')] \
        == 524288
    # no unit means KiB, as in libvirt
    x = domain_xml('nounit').replace("<memory unit='KiB'>262144</memory>",
                                     "<memory>393216</memory>")
    x = x.replace("<currentMemory unit='KiB'>262144</currentMemory>",
                  "<currentMemory>393216</currentMemory>")
    assert conn.defineXML(x).maxMemory() == 393216


def test_large_description_round_trip(conn):
    text = ('lorem ipsum <&> ' * 70000)[:1024 * 1024]
    dom = conn.defineXML(domain_xml('bigdesc', description=text))
    assert ET.fromstring(dom.XMLDesc(0)).findtext('description') == text


def test_unicode_name_and_title(daemon, conn):
    name = 'dömäin-ünïcode-日本'
    conn.defineXML(domain_xml(name, title='Tïtle ✓'))
    assert conn.lookupByName(name).name() == name
    r = daemon.virsh('list', '--all', '--title', lc='C.UTF-8')
    assert name in r.out and 'Tïtle ✓' in r.out, r
    r = daemon.virsh('dumpxml', name, lc='C.UTF-8')
    assert f'<name>{name}</name>' in r.out


@pytest.mark.parametrize('flags', [
    'SECURE', 'INACTIVE', 'SECURE|INACTIVE', 'MIGRATABLE', 'UPDATE_CPU'])
def test_xmldesc_flags_clients_pass(conn, flags):
    """virt-manager asks for SECURE|INACTIVE, virsh dumpxml --migratable etc."""
    dom = conn.defineXML(domain_xml('flags'))
    f = 0
    for k in flags.split('|'):
        f |= getattr(L, 'VIR_DOMAIN_XML_' + k)
    x = dom.XMLDesc(f)
    assert ET.fromstring(x).findtext('name') == 'flags'


def test_undefine_flags_nova_passes(daemon, conn):
    dom = conn.defineXML(domain_xml('novaundef'))
    dom.undefineFlags(L.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | L.VIR_DOMAIN_UNDEFINE_NVRAM |
                      L.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                      L.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'novaundef')
    assert not os.path.exists(os.path.join(daemon.confdir, 'novaundef.xml'))


def test_unknown_flag_bits_refused(conn):
    bogus = 1 << 30
    expect_error(L.VIR_ERR_INVALID_ARG, conn.defineXMLFlags, domain_xml('fl'), bogus)
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'fl')
    dom = conn.defineXML(domain_xml('fl2'))
    expect_error(L.VIR_ERR_INVALID_ARG, dom.undefineFlags, bogus)
    assert conn.lookupByName('fl2')
    expect_error(L.VIR_ERR_INVALID_ARG, conn.listAllDomains, bogus)


def test_max_vcpus_per_type(conn):
    assert conn.getMaxVcpus('qemu') >= 1
    assert conn.getMaxVcpus('kvm') >= 1
    with pytest.raises(libvirt.libvirtError):
        conn.getMaxVcpus('xen')


# ------------------------------------------------------------ races

def test_concurrent_define_same_name(daemon):
    """8 clients define the same name with different UUIDs at once: exactly one
    definition wins, the stored file agrees with the daemon."""
    barrier = threading.Barrier(8)
    results = []

    def worker(i):
        c = libvirt.open(daemon.uri)
        u = new_uuid()
        barrier.wait()
        try:
            c.defineXML(domain_xml('contested', u))
            results.append(('ok', u))
        except libvirt.libvirtError as e:
            results.append(('err', e.get_error_code()))
        c.close()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    oks = [u for s, u in results if s == 'ok']
    assert len(results) == 8
    assert len(oks) == 1, results
    c = libvirt.open(daemon.uri)
    assert c.lookupByName('contested').UUIDString() == oks[0]
    assert c.numOfDefinedDomains() == 1
    c.close()
    stored = ET.parse(os.path.join(daemon.confdir, 'contested.xml')).getroot()
    assert stored.findtext('uuid') == oks[0]


def test_concurrent_define_undefine_same_domain(daemon):
    u = new_uuid()
    x = domain_xml('flap', u)
    errors = []
    stop = time.monotonic() + 2

    def definer():
        c = libvirt.open(daemon.uri)
        while time.monotonic() < stop:
            try:
                c.defineXML(x)
            except libvirt.libvirtError as e:
                errors.append(('define', e.get_error_message()))
        c.close()

    def undefiner():
        c = libvirt.open(daemon.uri)
        while time.monotonic() < stop:
            try:
                c.lookupByUUIDString(u).undefine()
            except libvirt.libvirtError as e:
                if e.get_error_code() != L.VIR_ERR_NO_DOMAIN:
                    errors.append(('undefine', e.get_error_message()))
        c.close()

    ts = [threading.Thread(target=f) for f in (definer, definer, undefiner, undefiner)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    assert not errors, errors[:5]
    c = libvirt.open(daemon.uri)
    n = c.numOfDefinedDomains()
    on_disk = os.path.exists(os.path.join(daemon.confdir, 'flap.xml'))
    c.close()
    assert n in (0, 1)
    assert on_disk == (n == 1), 'the daemon and the config dir disagree'


# ------------------------------------------------------------ events, more

def test_readonly_connection_gets_events(daemon, event_loop):
    ro = libvirt.openReadOnly(daemon.uri_ro)
    q = queue.Queue()
    cid = ro.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                    lambda c, d, e, det, o: q.put((d.name(), e)), None)
    rw = libvirt.open(daemon.uri)
    rw.defineXML(domain_xml('seen-by-ro'))
    try:
        got = q.get(timeout=5)
    except queue.Empty:
        got = None
    assert got == ('seen-by-ro', L.VIR_DOMAIN_EVENT_DEFINED)
    ro.domainEventDeregisterAny(cid)
    ro.close()
    rw.close()


def test_two_callbacks_same_connection(daemon, event_loop):
    """A global and a per-domain lifecycle callback on one connection (the
    client library refuses two identical registrations itself)."""
    c = libvirt.open(daemon.uri)
    dom = c.defineXML(domain_xml('twice'))
    q1, q2 = queue.Queue(), queue.Queue()
    c1 = c.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                  lambda *a: q1.put(a[1].name()), None)
    c2 = c.domainEventRegisterAny(dom, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                  lambda *a: q2.put(a[1].name()), None)
    assert c1 != c2
    c.defineXML(dom.XMLDesc(0))
    assert q1.get(timeout=5) == 'twice'
    assert q2.get(timeout=5) == 'twice'
    c.domainEventDeregisterAny(c1)
    c.defineXML(dom.XMLDesc(0))
    assert q2.get(timeout=5) == 'twice'
    time.sleep(0.3)
    assert q1.empty(), 'the deregistered callback still gets events'
    c.domainEventDeregisterAny(c2)
    c.close()


# ------------------------------------------------------------ raw protocol

def test_second_open_on_same_connection(daemon):
    s = raw_connect(daemon.sock)
    body = xdr_opt_string('armz:///system') + struct.pack('>I', 0)
    s.sendall(packet(proc=1, serial=1, body=body))
    hdr, _ = recv_packet(s)
    assert hdr[5] == 0
    s.sendall(packet(proc=1, serial=2, body=body))
    try:
        hdr, _ = recv_packet(s)
        assert hdr[4] == 2 and hdr[3] == REPLY and hdr[5] == ERROR, \
            'a second CONNECT_OPEN on one connection succeeded'
    except EOFError:
        return
    s.sendall(packet(proc=157, serial=3))          # still usable
    hdr, _ = recv_packet(s)
    assert hdr[4] == 3 and hdr[5] == 0
    s.close()


def test_calls_after_close_fail(daemon):
    s = raw_connect(daemon.sock)
    s.sendall(packet(proc=1, serial=1,
                     body=xdr_opt_string('armz:///system') + struct.pack('>I', 0)))
    assert recv_packet(s)[0][5] == 0
    s.sendall(packet(proc=2, serial=2))             # CONNECT_CLOSE
    assert recv_packet(s)[0][5] == 0
    s.sendall(packet(proc=3, serial=3))             # GET_TYPE on a closed connection
    try:
        hdr, _ = recv_packet(s)
        assert hdr[5] == ERROR, 'GET_TYPE after CONNECT_CLOSE answered OK'
    except (EOFError, ConnectionResetError):
        pass
    s.close()


# ------------------------------------------------------------ process handling

def test_second_daemon_on_same_root_refused(daemons):
    d1 = daemons.new()
    d2 = daemons.new(root=d1.root, start=False)
    d2.logpath = os.path.join(d1.root, 'daemon2.log')
    d2.start(wait=False)
    try:
        d2.proc.wait(5)
    except Exception:  # noqa: BLE001
        pytest.fail('a second daemon on the same root keeps running (it took over the '
                    'sockets and the config dir of the first one)')
    assert d2.proc.returncode not in (0, None) and d2.proc.returncode > 0, \
        f'second daemon exit status {d2.proc.returncode}'
    d2.proc = None
    # the first one still owns its sockets
    c = libvirt.open(d1.uri)
    assert c.getLibVersion() > 0
    c.close()
    ro = libvirt.openReadOnly(d1.uri_ro)
    ro.close()


def test_restart_after_sigkill(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    for i in range(30):
        dom = c.defineXML(domain_xml(f'k{i}'))
        if i % 5 == 0:
            dom.setAutostart(1)
    c.close()
    d.proc.kill()
    d.proc.wait()
    d.proc = None
    assert os.path.exists(d.sock), 'expected a stale socket after SIGKILL'
    d.start()                       # must cope with the stale socket files
    c = libvirt.open(d.uri)
    try:
        assert c.numOfDefinedDomains() == 30
        assert len(c.listAllDomains(L.VIR_CONNECT_LIST_DOMAINS_AUTOSTART)) == 6
    finally:
        c.close()
    libvirt.openReadOnly(d.uri_ro).close()


def test_dangling_autostart_link_not_fatal(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    c.defineXML(domain_xml('stays'))
    c.defineXML(domain_xml('vanishes')).setAutostart(1)
    c.close()
    d.stop()
    os.unlink(os.path.join(d.confdir, 'vanishes.xml'))
    d.start()
    c = libvirt.open(d.uri)
    try:
        assert [x.name() for x in c.listAllDomains(0)] == ['stays']
        # defining it again must not find it autostarted by a stale link
        dom = c.defineXML(domain_xml('vanishes'))
        assert dom.autostart() in (0, 1)
    finally:
        c.close()


def test_sighup_does_not_stop_daemon(daemon, conn):
    daemon.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    assert daemon.alive()
    assert conn.getLibVersion() > 0


# ------------------------------------------------------------ never silently dropped

NOVA_AARCH64 = """<domain type="qemu">
  <uuid>5e4b3c2a-1d0e-4f9a-8b7c-6d5e4f3a2b1c</uuid>
  <name>instance-00000001</name>
  <memory>524288</memory>
  <vcpu>1</vcpu>
  <metadata>
    <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
      <nova:package version="27.0.0"/>
      <nova:name>vm1</nova:name>
      <nova:flavor name="m1.tiny"><nova:memory>512</nova:memory></nova:flavor>
    </nova:instance>
  </metadata>
  <os>
    <type machine="virt" arch="aarch64">hvm</type>
    <kernel>/var/lib/nova/instances/x/kernel</kernel>
    <initrd>/var/lib/nova/instances/x/ramdisk</initrd>
    <cmdline>root=/dev/vda console=ttyAMA0</cmdline>
    <boot dev="hd"/>
  </os>
  <features>
    <acpi/>
    <gic version="3"/>
  </features>
  <clock offset="utc"/>
  <cpu mode="custom" match="exact">
    <model fallback="forbid">cortex-a57</model>
    <topology sockets="1" cores="1" threads="1"/>
  </cpu>
  <devices>
    <disk type="file" device="disk">
      <driver name="qemu" type="qcow2" cache="none"/>
      <source file="/var/lib/nova/instances/x/disk"/>
      <target dev="vda" bus="virtio"/>
    </disk>
    <interface type="bridge">
      <mac address="fa:16:3e:11:22:33"/>
      <model type="virtio"/>
      <source bridge="br-int"/>
      <mtu size="1450"/>
      <target dev="tap1234"/>
    </interface>
    <serial type="pty">
      <log file="/var/lib/nova/instances/x/console.log" append="off"/>
    </serial>
    <rng model="virtio">
      <backend model="random">/dev/urandom</backend>
    </rng>
    <controller type="usb" index="0" model="none"/>
    <memballoon model="none"/>
  </devices>
</domain>"""


def test_nova_style_aarch64_xml(conn):
    """What Nova writes for a cross-arch guest (DESIGN section 3): type qemu,
    cortex-a57, serial pty with a log file, its metadata namespace. armz-vmm
    cannot give the guest a CPU model, so define refuses it, as start did
    (conf keeps all of it: tests/data/domain-xml/nova-aarch64.xml)."""
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML, NOVA_AARCH64)
    assert "CPU mode 'custom'" in e.get_error_message(), e.get_error_message()
    # what armz runs of it: the host's CPU, the host's GIC, no ACPI, raw disks
    x = (NOVA_AARCH64.replace('<acpi/>', '').replace('"3"', '"host"')
         .replace(' type="qcow2" cache="none"', ' type="raw"'))
    x = re.sub(r'<cpu mode="custom".*?</cpu>', '<cpu mode="host-passthrough"/>', x, flags=re.S)
    dom = conn.defineXML(x)
    a = dom.XMLDesc(0)
    r = ET.fromstring(a)
    assert r.get('type') == 'qemu'
    assert r.find('cpu').get('mode') == 'host-passthrough'
    assert r.find('devices/serial/log').get('file') == '/var/lib/nova/instances/x/console.log'
    assert r.find('devices/interface/mac').get('address') == 'fa:16:3e:11:22:33'
    assert r.find('devices/interface/mtu').get('size') == '1450'
    ns = '{http://openstack.org/xmlns/libvirt/nova/1.1}'
    assert r.find(f'metadata/{ns}instance/{ns}name').text == 'vm1'
    assert conn.defineXML(a).XMLDesc(0) == a


def _tags(e, pre=''):
    out = set()
    for ch in e:
        out.add(pre + ch.tag)
        out |= _tags(ch, pre + ch.tag + '/')
    return out


DROP_CASES = {
    # top-level elements: (xml to add, path that must survive when accepted)
    'features-pmu': ('extra', "  <features>\n    <pmu state='off'/>\n  </features>\n"),
    'features-hyperv': ('extra', "  <features>\n    <hyperv mode='custom'>"
                                 "<relaxed state='on'/></hyperv>\n  </features>\n"),
    'pm': ('extra', "  <pm><suspend-to-mem enabled='no'/></pm>\n"),
    'memtune': ('extra', "  <memtune><hard_limit unit='KiB'>1048576</hard_limit></memtune>\n"),
    'numatune': ('extra', "  <numatune><memory mode='strict' nodeset='0'/></numatune>\n"),
    'iothreads': ('extra', "  <iothreads>2</iothreads>\n"),
    'seclabel': ('extra', "  <seclabel type='dynamic' model='selinux'/>\n"),
    'sysinfo': ('extra', "  <sysinfo type='smbios'><system><entry name='manufacturer'>X"
                         "</entry></system></sysinfo>\n"),
    'memoryBacking': ('extra', "  <memoryBacking><hugepages/></memoryBacking>\n"),
    'cputune': ('extra', "  <cputune><shares>1024</shares></cputune>\n"),
    # devices
    'panic': ('dev', "<panic model='pvpanic'/>"),
    'vsock': ('dev', "<vsock model='virtio'><cid auto='yes'/></vsock>"),
    'filesystem': ('dev', "<filesystem type='mount'><source dir='/x'/><target dir='t'/>"
                          "</filesystem>"),
    'channel': ('dev', "<channel type='pty'><target type='virtio' name='x'/></channel>"),
    'memballoon-virtio': ('dev', "<memballoon model='virtio' autodeflate='on'>"
                                 "<stats period='10'/></memballoon>"),
    'watchdog': ('dev', "<watchdog model='i6300esb'/>"),
    'input': ('dev', "<input type='tablet' bus='usb'/>"),
    'tpm': ('dev', "<tpm model='tpm-tis'/>"),
    'disk-cdrom': ('dev', "<disk type='file' device='cdrom'><source file='/x.iso'/>"
                          "<target dev='vdb' bus='virtio'/><readonly/></disk>"),
    'disk-iotune': ('dev', "<disk type='file' device='disk'><source file='/y.img'/>"
                           "<target dev='vdc' bus='virtio'/><iotune><total_bytes_sec>1000"
                           "</total_bytes_sec></iotune></disk>"),
    'disk-serial-boot': ('dev', "<disk type='file' device='disk'><source file='/z.img'/>"
                                "<target dev='vdd' bus='virtio'/><serial>ABC</serial>"
                                "<boot order='1'/></disk>"),
    'interface-vlan': ('dev', "<interface type='bridge'><source bridge='br0'/>"
                              "<model type='virtio'/><vlan><tag id='42'/></vlan></interface>"),
    'interface-e1000': ('dev', "<interface type='bridge'><source bridge='br0'/>"
                               "<model type='e1000'/></interface>"),
    'rng-rate': ('dev', "<rng model='virtio'><rate bytes='1024' period='1000'/>"
                        "<backend model='random'>/dev/urandom</backend></rng>"),
    'console-virtio': ('dev', "<console type='pty'><target type='virtio' port='1'/></console>"),
    'controller-pci': ('dev', "<controller type='pci' index='0' model='pcie-root'/>"),
}


@pytest.fixture(scope='module')
def shared(tmp_path_factory):
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    d = armzd.Daemon(root=str(tmp_path_factory.mktemp('shared')))
    d.start()
    c = libvirt.open(d.uri)
    yield d, c
    c.close()
    try:
        d.stop()
    except armzd.DaemonError as e:
        d.kill()
        pytest.fail(f'daemon shutdown: {e}', pytrace=False)


@pytest.mark.parametrize('case', sorted(DROP_CASES))
def test_refused_or_kept_never_dropped(shared, case):
    """Each element is either refused (CONFIG_UNSUPPORTED naming it) or kept in
    the dumped XML: never accepted and silently dropped."""
    d, c = shared
    kind, frag = DROP_CASES[case]
    name = 'drop-' + case
    if kind == 'extra':
        x = domain_xml(name, extra=frag)
        want = _tags(ET.fromstring('<domain>' + frag + '</domain>'))
        where = lambda r: _tags(r)  # noqa: E731
    else:
        x = domain_xml(name, extra_devices='    ' + frag + '\n')
        want = _tags(ET.fromstring('<devices>' + frag + '</devices>'))
        where = lambda r: _tags(r.find('devices'))  # noqa: E731
    try:
        dom = c.defineXML(x)
    except libvirt.libvirtError as e:
        assert e.get_error_code() == L.VIR_ERR_CONFIG_UNSUPPORTED, \
            f'{armzd.errname(e.get_error_code())}: {e.get_error_message()}'
        top = ET.fromstring(frag).tag
        msg = e.get_error_message()
        assert any(t.split('/')[-1] in msg for t in want) or top in msg, \
            f'refusal does not name the element: {msg}'
        return
    try:
        r = ET.fromstring(dom.XMLDesc(0))
        missing = sorted(t for t in want if t not in where(r))
        assert not missing, f'accepted but dropped from the XML: {missing}'
    finally:
        dom.undefine()
