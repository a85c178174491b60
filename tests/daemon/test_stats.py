"""Statistics of domains that do not run: refused with libvirt's errors
(the figures of running guests are checked in tests/host/daemon, where
guests run)."""
import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt


@pytest.mark.parametrize('call,args', [
    ('vcpus', ()),
    ('memoryStats', ()),
    ('interfaceStats', ('vnet0',)),
], ids=['vcpus', 'memory', 'interface'])
def test_stats_of_inactive_domain(conn, call, args):
    dom = conn.defineXML(armzd.domain_xml('still', devices=False))
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, getattr(dom, call), *args)
    assert 'domain is not running' in e.get_error_message()


def test_virsh_stats_of_inactive_domain(daemon, conn):
    conn.defineXML(armzd.domain_xml('still', devices=False))
    for cmd in (('dommemstat', 'still'), ('domifstat', 'still', 'vnet0')):
        r = daemon.virsh(*cmd, check=False)
        assert r.rc != 0 and 'domain is not running' in r.err, r


def test_stats_need_no_write_access(daemon, conn):
    """Read-only clients may ask (as in libvirt): the refusal is about the
    state, not the access."""
    conn.defineXML(armzd.domain_xml('still', devices=False))
    ro = libvirt.openReadOnly(daemon.uri_ro)
    try:
        dom = ro.lookupByName('still')
        e = expect_error(L.VIR_ERR_OPERATION_INVALID, dom.memoryStats)
        assert 'not running' in e.get_error_message()
    finally:
        ro.close()



def test_node_cpu_map(conn):
    """virNodeGetCPUMap: the host's CPUs and those online, as sysfs says."""
    n, cpumap, online = conn.getCPUMap()
    with open('/sys/devices/system/cpu/online') as f:
        want = set()
        for part in f.read().strip().split(','):
            lo, _, hi = part.partition('-')
            want |= set(range(int(lo), int(hi or lo) + 1))
    assert n >= max(want) + 1 and len(cpumap) == n, (n, cpumap)
    assert {i for i, on in enumerate(cpumap) if on} == want
    assert online == len(want)
    r = armzd.virsh(conn.getURI(), 'nodecpumap')
    assert f'CPUs online:    {len(want)}' in r.out, r
