"""The daemon under test really is the big-endian one, and the native
clients' basic conversation with it works (define, list, dumpxml, events,
networks); the tier also runs most of tests/daemon against it."""
import os
import struct
import threading
import time
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd

L = libvirt


def test_daemon_is_s390x_under_qemu(daemon):
    """Guards the tier itself: a native daemon here would prove nothing."""
    with open(daemon.binary, 'rb') as f:
        ident = f.read(20)
    assert ident[:4] == b'\x7fELF'
    assert ident[5] == 2, 'EI_DATA is not ELFDATA2MSB: not a big-endian binary'
    assert struct.unpack('>H', ident[18:20])[0] == 22, 'e_machine is not EM_S390'
    exe = os.readlink(f'/proc/{daemon.pid}/exe')
    assert 'qemu-s390x' in os.path.basename(exe), exe


def test_define_list_dumpxml_undefine(daemon, conn, tmp_path):
    uuid = armzd.new_uuid()
    xml = armzd.domain_xml('be-guest', uuid=uuid, vcpus=2, memory_kib=524288,
                           description='big-endian \u00e9t\u00e9')
    p = tmp_path / 'd.xml'
    p.write_text(xml)
    daemon.virsh('define', str(p))
    rows = armzd.parse_virsh_list(daemon.virsh('list', '--all').out)
    assert ('-', 'be-guest', 'shut off') in rows, rows
    out = daemon.virsh('dumpxml', 'be-guest').out
    x = ET.fromstring(out)
    assert x.findtext('uuid') == uuid
    assert x.findtext('memory') == '524288' and x.findtext('vcpu') == '2'
    assert x.findtext('description') == 'big-endian \u00e9t\u00e9'
    # the daemon's own output, defined again, comes back unchanged
    p.write_text(out)
    daemon.virsh('define', str(p))
    assert daemon.virsh('dumpxml', 'be-guest').out == out
    dom = conn.lookupByUUIDString(uuid)
    assert dom.info()[1] == 524288 and dom.info()[3] == 2
    daemon.virsh('undefine', 'be-guest')
    assert armzd.parse_virsh_list(daemon.virsh('list', '--all').out) == []


def _collect_events(conn, register, unregister, action):
    seen = []
    done = threading.Event()

    def cb(*args):
        seen.append(args[-3:-1])
        done.set()

    cid = register(cb)
    try:
        action()
        end = time.monotonic() + 10
        while time.monotonic() < end and len(seen) < 2:
            done.wait(0.1)
            done.clear()
    finally:
        unregister(cid)
    return seen


def test_domain_lifecycle_events(daemon, conn, event_loop):
    def act():
        dom = conn.defineXML(armzd.domain_xml('ev'))
        dom.undefine()
    seen = _collect_events(
        conn,
        lambda cb: conn.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               lambda c, d, ev, det, o: cb(ev, det, o), None),
        conn.domainEventDeregisterAny, act)
    assert seen[:2] == [(L.VIR_DOMAIN_EVENT_DEFINED, L.VIR_DOMAIN_EVENT_DEFINED_ADDED),
                        (L.VIR_DOMAIN_EVENT_UNDEFINED, L.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED)], seen


NET_XML = """<network>
  <name>benet</name>
  <uuid>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</uuid>
  <forward mode='nat'/>
  <bridge name='armzbe0' stp='on' delay='0'/>
  <mac address='52:54:00:12:34:56'/>
  <ip address='10.250.1.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.250.1.10' end='10.250.1.99'/>
      <host mac='52:54:00:aa:bb:cc' name='h1' ip='10.250.1.20'/>
    </dhcp>
  </ip>
</network>
"""


def test_network_define_dumpxml_events(daemon, conn, event_loop, tmp_path):
    def act():
        p = tmp_path / 'n.xml'
        p.write_text(NET_XML)
        daemon.virsh('net-define', str(p))
        names = daemon.virsh('net-list', '--all', '--name').out.split()
        assert 'benet' in names, names
        out = daemon.virsh('net-dumpxml', 'benet').out
        x = ET.fromstring(out)
        assert x.findtext('uuid') == '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'
        assert x.find('mac').get('address') == '52:54:00:12:34:56'
        assert x.find('ip').get('address') == '10.250.1.1'
        assert x.find('ip/dhcp/host').get('ip') == '10.250.1.20'
        # round trip through the daemon's own output
        p.write_text(out)
        daemon.virsh('net-define', str(p))
        assert daemon.virsh('net-dumpxml', 'benet').out == out
        net = conn.networkLookupByUUIDString('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')
        assert net.name() == 'benet' and not net.isActive() and net.isPersistent()
        daemon.virsh('net-undefine', 'benet')
    seen = _collect_events(
        conn,
        lambda cb: conn.networkEventRegisterAny(None, L.VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                                lambda c, n, ev, det, o: cb(ev, det, o), None),
        conn.networkEventDeregisterAny, act)
    # the re-define is an update: DEFINED again
    assert seen[0][0] == L.VIR_NETWORK_EVENT_DEFINED, seen
    assert seen[-1][0] == L.VIR_NETWORK_EVENT_UNDEFINED, seen
    assert 'benet' not in daemon.virsh('net-list', '--all', '--name').out.split()


@pytest.mark.parametrize('size', [1, 4096 * 3 + 5, (1 << 20) + 7])
def test_volume_upload_download(daemon, conn, tmp_path, size):
    pool_dir = tmp_path / 'pool'
    pool_dir.mkdir()
    pool = conn.storagePoolDefineXML(
        f"<pool type='dir'><name>bep</name><target><path>{pool_dir}</path></target></pool>")
    pool.create()
    data = os.urandom(size)
    src = tmp_path / 'src.bin'
    src.write_bytes(data)
    daemon.virsh('vol-create-as', 'bep', 'v.raw', str(size))
    daemon.virsh('vol-upload', '--pool', 'bep', 'v.raw', str(src))
    assert (pool_dir / 'v.raw').read_bytes() == data
    dst = tmp_path / 'dst.bin'
    daemon.virsh('vol-download', '--pool', 'bep', 'v.raw', str(dst))
    assert dst.read_bytes() == data
    # the same through the python stream API, at an offset
    vol = pool.storageVolLookupByName('v.raw')
    st = conn.newStream(0)
    off = size // 3
    vol.download(st, off, size - off, 0)
    got = bytearray()
    while True:
        chunk = st.recv(65536)
        if not chunk:
            break
        got += chunk
    st.finish()
    assert bytes(got) == data[off:]
    vol.delete(0)
    pool.destroy()
    pool.undefine()
