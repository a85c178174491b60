"""virsh schedinfo, memtune and blkiotune on a defined domain (--config):
the values go through the typed-parameter procedures into the definition,
dumpxml shows them, a restarted daemon still has them, and out-of-range
values are refused with libvirt's errors. The live side (the cgroup of a
running guest) is checked in tests/host/daemon."""
import re

import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt


@pytest.fixture
def dom(conn):
    return conn.defineXML(armzd.domain_xml('tuned', devices=False))


def _field(out, name):
    m = re.search(rf'^{name}\s*:\s*(\S+)', out, re.M)
    assert m, out
    return m.group(1)


def test_schedinfo_config_roundtrip(daemon, conn, dom):
    r = daemon.virsh('schedinfo', 'tuned', '--config')
    assert _field(r.out, 'Scheduler') == 'posix', r
    assert _field(r.out, 'cpu_shares') == '0', r
    r = daemon.virsh('schedinfo', 'tuned', '--config', '--set', 'cpu_shares=2048',
                     '--set', 'vcpu_period=100000', '--set', 'vcpu_quota=50000')
    assert _field(r.out, 'cpu_shares') == '2048', r
    assert _field(r.out, 'vcpu_quota') == '50000', r
    xml = conn.lookupByName('tuned').XMLDesc(L.VIR_DOMAIN_XML_INACTIVE)
    assert '<shares>2048</shares>' in xml and '<period>100000</period>' in xml, xml
    assert '<quota>50000</quota>' in xml, xml
    # an inactive domain: current means config
    assert _field(daemon.virsh('schedinfo', 'tuned').out, 'vcpu_period') == '100000'


def test_memtune_config_roundtrip(daemon, conn, dom):
    daemon.virsh('memtune', 'tuned', '--config', '--hard-limit', '1048576',
                 '--soft-limit', '524288')
    xml = dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE)
    assert "<hard_limit unit='KiB'>1048576</hard_limit>" in xml, xml
    assert "<soft_limit unit='KiB'>524288</soft_limit>" in xml, xml
    params = dom.memoryParameters(L.VIR_DOMAIN_AFFECT_CONFIG)
    assert params['hard_limit'] == 1048576 and params['soft_limit'] == 524288, params
    assert params['swap_hard_limit'] == 9007199254740991  # VIR_DOMAIN_MEMORY_PARAM_UNLIMITED, params
    r = daemon.virsh('memtune', 'tuned', '--config')
    assert _field(r.out, 'hard_limit') == '1048576', r
    # unlimited drops the element
    daemon.virsh('memtune', 'tuned', '--config', '--hard-limit', '-1', '--soft-limit', '-1')
    assert '<memtune>' not in dom.XMLDesc(0)


def test_blkiotune_config_roundtrip(daemon, conn, dom):
    daemon.virsh('blkiotune', 'tuned', '--config', '--weight', '800')
    assert '<weight>800</weight>' in dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE)
    assert dom.blkioParameters(L.VIR_DOMAIN_AFFECT_CONFIG) == {'weight': 800}
    r = daemon.virsh('blkiotune', 'tuned', '--config', '--weight', '5000', check=False)
    assert r.rc != 0 and 'out of blkio weight range' in r.err, r


def test_tuning_survives_restart(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    c.defineXML(armzd.domain_xml('kept', devices=False))
    d.virsh('memtune', 'kept', '--config', '--hard-limit', '2097152')
    d.virsh('schedinfo', 'kept', '--config', '--set', 'cpu_shares=512')
    c.close()
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    try:
        dom = c.lookupByName('kept')
        assert dom.memoryParameters(0)['hard_limit'] == 2097152
        assert dom.schedulerParametersFlags(0)['cpu_shares'] == 512
    finally:
        c.close()


def test_tuning_refusals(conn, dom):
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.setMemoryParameters,
                     {'hard_limit': 1024}, L.VIR_DOMAIN_AFFECT_LIVE)
    assert 'domain is not running' in e.get_error_message()
    expect_error(L.VIR_ERR_INVALID_ARG, dom.setSchedulerParametersFlags,
                 {'vcpu_period': 10}, L.VIR_DOMAIN_AFFECT_CONFIG)
    expect_error(L.VIR_ERR_INVALID_ARG, dom.setMemoryParameters,
                 {'hard_limit': 2097152, 'swap_hard_limit': 1048576},
                 L.VIR_DOMAIN_AFFECT_CONFIG)
    expect_error(L.VIR_ERR_INVALID_ARG, dom.memoryParameters,
                 L.VIR_DOMAIN_AFFECT_LIVE | L.VIR_DOMAIN_AFFECT_CONFIG)
    # nothing was stored by the refused calls
    assert '<memtune>' not in dom.XMLDesc(0) and '<cputune>' not in dom.XMLDesc(0)


def test_tuning_in_defined_xml(conn):
    xml = armzd.domain_xml('fromxml', devices=False).replace(
        '</domain>', '<cputune><shares>300</shares><vcpupin vcpu="0" cpuset="0"/>'
                     '</cputune><blkiotune><weight>200</weight></blkiotune></domain>')
    dom = conn.defineXML(xml)
    assert dom.schedulerParameters()['cpu_shares'] == 300
    assert dom.blkioParameters(0)['weight'] == 200
    bad = xml.replace('vcpu="0"', 'vcpu="7"').replace('fromxml', 'badpin')
    e = expect_error(L.VIR_ERR_INVALID_ARG, conn.defineXML, bad)
    assert "vcpu '7' is not present" in e.get_error_message()


def test_schedinfo_readonly(daemon, dom):
    ro = libvirt.openReadOnly(daemon.uri_ro)
    try:
        d = ro.lookupByName('tuned')
        assert d.schedulerType()[0] == 'posix'
        expect_error(L.VIR_ERR_OPERATION_DENIED, d.setSchedulerParameters,
                     {'cpu_shares': 5})
    finally:
        ro.close()
