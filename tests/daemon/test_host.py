"""Connection and host APIs, through virsh and libvirt-python."""
import os
import re
import socket
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import expect_error


def meminfo_kib():
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemTotal:'):
                return int(line.split()[1])


def test_daemon_starts_and_stops_cleanly(daemons):
    d = daemons.new()
    assert os.path.exists(d.sock), 'read-write socket missing'
    assert os.path.exists(d.sock_ro), 'read-only socket missing'
    assert d.alive()
    d.stop()  # raises when the exit status is not 0 or SIGTERM did not stop it
    assert not os.path.exists(d.sock) or not _accepts(d.sock), \
        'socket still accepts connections after the daemon stopped'


def _accepts(path):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_virsh_version_daemon(daemon):
    r = daemon.virsh('version', '--daemon')
    t = armzd.parse_colon_table(r.out)
    assert 'Running hypervisor' in t, r
    assert 'Running against daemon' in t, r
    assert re.match(r'^\S+ \d+\.\d+\.\d+$', t['Running hypervisor']), r
    m = re.match(r'^(\d+)\.(\d+)\.(\d+)$', t['Running against daemon'])
    assert m, r
    assert tuple(map(int, m.groups())) >= (8, 0, 0), 'Nova wants libvirt >= 8.0.0'
    api = t['Using API'].split()[0]
    c = libvirt.open(daemon.uri)
    try:
        assert c.getType() == api
        assert t['Running hypervisor'].startswith(c.getType() + ' ')
    finally:
        c.close()


def test_virsh_uri(daemon):
    # virConnectGetURI formats the client's own URI (no RPC)
    r = daemon.virsh('uri')
    assert r.out.strip() == daemon.uri, r


def test_virsh_hostname(daemon):
    r = daemon.virsh('hostname')
    h = r.out.strip()
    assert h, r
    assert h.split('.')[0] == socket.gethostname().split('.')[0], r


def test_virsh_nodeinfo(daemon):
    r = daemon.virsh('nodeinfo')
    t = armzd.parse_colon_table(r.out)
    cpus = int(t['CPU(s)'])
    assert cpus == os.cpu_count(), r
    mem = int(t['Memory size'].split()[0])
    assert abs(mem - meminfo_kib()) <= meminfo_kib() // 100, r
    topo = (int(t['CPU socket(s)']) * int(t['Core(s) per socket']) *
            int(t['Thread(s) per core']) * int(t['NUMA cell(s)']))
    assert topo == cpus, f'sockets*cores*threads*cells != CPUs: {r}'
    assert int(t['CPU frequency'].split()[0]) >= 0


def test_virsh_capabilities(daemon):
    r = daemon.virsh('capabilities')
    caps = ET.fromstring(r.out)
    assert caps.tag == 'capabilities'
    assert caps.find('host/cpu/arch') is not None and caps.find('host/cpu/arch').text, r.out
    guests = caps.findall('guest')
    assert guests, 'no <guest> in capabilities'
    found = False
    for g in guests:
        arch = g.find('arch')
        if g.findtext('os_type') == 'hvm' and arch is not None and arch.get('name') == 'aarch64':
            found = True
            machines = [m.text for m in arch.findall('machine')]
            assert 'virt' in machines, machines
            assert arch.findtext('wordsize') == '64'
            emu = arch.findtext('emulator')
            assert emu and emu.startswith('/'), f'emulator path: {emu!r}'
            types = {d.get('type') for d in arch.findall('domain')}
            types |= {d.get('type') for d in g.findall('arch/domain')}
            assert {'kvm', 'qemu'} <= types, f'domain types {types}'
    assert found, 'no hvm/aarch64 guest in capabilities'


def test_python_capabilities_match_virsh(daemon, conn):
    assert conn.getCapabilities().strip() == daemon.virsh('capabilities').out.strip()


def test_virsh_domcapabilities(daemon):
    r = daemon.virsh('domcapabilities')
    dc = ET.fromstring(r.out)
    assert dc.tag == 'domainCapabilities'
    assert dc.findtext('arch') == 'aarch64', r.out
    assert dc.findtext('machine') == 'virt', r.out
    assert dc.findtext('domain') in ('kvm', 'qemu'), r.out
    assert dc.findtext('path'), 'no <path> (emulator)'
    for vt in ('kvm', 'qemu'):
        r = daemon.virsh('domcapabilities', '--virttype', vt, '--arch', 'aarch64',
                         '--machine', 'virt')
        dc = ET.fromstring(r.out)
        assert dc.findtext('domain') == vt, r.out
        assert dc.findtext('arch') == 'aarch64'


def test_domcapabilities_refuses_other_arch(conn):
    e = expect_error((libvirt.VIR_ERR_CONFIG_UNSUPPORTED, libvirt.VIR_ERR_INVALID_ARG,
                      libvirt.VIR_ERR_OPERATION_UNSUPPORTED),
                     conn.getDomainCapabilities, None, 'x86_64', None, 'kvm', 0)
    assert 'x86_64' in e.get_error_message()


def test_python_host_apis(conn):
    assert conn.getLibVersion() >= 8000000, 'Nova wants libvirt >= 8.0.0'
    # calendar version YY.MM.PATCH, encoded as libvirt encodes versions
    assert conn.getVersion() >= 26012000, 'Nova wants the hypervisor at >= 6.2.0'
    assert conn.getType()
    assert conn.getHostname().split('.')[0] == socket.gethostname().split('.')[0]
    info = conn.getInfo()
    assert len(info) == 8
    model, mem_mib, cpus, mhz, nodes, sockets, cores, threads = info
    assert model
    assert cpus == os.cpu_count()
    assert abs(mem_mib - meminfo_kib() // 1024) <= meminfo_kib() // 1024 // 100 + 1
    assert nodes * sockets * cores * threads == cpus
    assert conn.getMaxVcpus(None) >= 1
    assert conn.getMaxVcpus('kvm') >= 1
    assert conn.getURI().startswith('armz+unix:///system')
    assert conn.getFreeMemory() > 0
    assert conn.isSecure() == 1
    assert conn.isEncrypted() == 0
    assert conn.isAlive() == 1


def test_python_readonly_host_apis(daemon):
    c = libvirt.openReadOnly(daemon.uri_ro)
    try:
        assert c.getLibVersion() >= 8000000
        assert c.getHostname()
        assert ET.fromstring(c.getCapabilities()).tag == 'capabilities'
    finally:
        c.close()


def test_unimplemented_api_is_no_support(conn):
    e = expect_error(libvirt.VIR_ERR_NO_SUPPORT, conn.getSysinfo, 0)
    assert 'not supported' in e.get_error_message()
    expect_error(libvirt.VIR_ERR_NO_SUPPORT, conn.suspendForDuration, 0, 60, 0)
    # the connection is still usable afterwards
    assert conn.getLibVersion() > 0


def test_unimplemented_domain_api_is_no_support(conn):
    dom = conn.defineXML(armzd.domain_xml('nosupport'))
    expect_error(libvirt.VIR_ERR_NO_SUPPORT, dom.snapshotNum, 0)
    assert dom.name() == 'nosupport'


def test_virsh_sysinfo_not_supported(daemon):
    r = daemon.virsh('sysinfo', check=False)
    assert r.rc != 0, r
    assert 'this function is not supported by the connection driver' in r.err, r


def test_open_refuses_other_uri(daemon):
    for path in ('/bogus', '/sessionx'):
        uri = f'armz+unix://{path}?socket={daemon.sock}'
        with pytest.raises(libvirt.libvirtError) as ei:
            libvirt.open(uri)
        assert ei.value.get_error_message(), 'refusal without a message'
    # and the daemon still serves proper URIs
    c = libvirt.open(daemon.uri)
    assert c.getLibVersion() > 0
    c.close()
