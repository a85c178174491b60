"""Statistics of domains that do not run: refused with libvirt's errors,
or what there is without a guest (state, sizes, counts, disk sizes); the
figures of running guests are checked in tests/host/daemon, where guests
run."""
import os

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


def domstats(text):
    """virsh domstats output -> {domain: {field: value}}."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith('Domain: '):
            cur = out.setdefault(line.split("'")[1], {})
        elif '=' in line and cur is not None:
            k, v = line.strip().split('=', 1)
            cur[k] = v
    return out


def test_domstats_of_inactive_domains(daemon, conn):
    """An inactive domain has its state, memory and vCPU counts; nothing
    that needs a running guest."""
    conn.defineXML(armzd.domain_xml('still', devices=False, memory_kib=262144))
    st = domstats(daemon.virsh('domstats').out)
    assert st['still'] == {
        'state.state': str(L.VIR_DOMAIN_SHUTOFF), 'state.reason': '0',
        'balloon.current': '262144', 'balloon.maximum': '262144',
        'vcpu.current': '1', 'vcpu.maximum': '1', 'block.count': '0'}, st
    only = domstats(daemon.virsh('domstats', '--state', 'still').out)
    assert list(only['still']) == ['state.state', 'state.reason'], only
    # the filters: nothing runs
    assert daemon.virsh('domstats', '--list-active').out.strip() == ''


def test_all_domain_stats_python(conn):
    conn.defineXML(armzd.domain_xml('a1', devices=False))
    conn.defineXML(armzd.domain_xml('a2', devices=False))
    recs = conn.getAllDomainStats(L.VIR_DOMAIN_STATS_VCPU,
                                  L.VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE)
    assert sorted(d.name() for d, _ in recs) == ['a1', 'a2']
    assert all(p == {'vcpu.current': 1, 'vcpu.maximum': 1} for _, p in recs), recs
    dom = conn.lookupByName('a2')
    recs = conn.domainListGetStats([dom], L.VIR_DOMAIN_STATS_STATE)
    assert [(d.name(), p['state.state']) for d, p in recs] == [('a2', L.VIR_DOMAIN_SHUTOFF)]
    # a domain without disks has none to count (as libvirt's QEMU driver)
    recs = conn.domainListGetStats([dom], L.VIR_DOMAIN_STATS_BLOCK)
    assert recs[0][1] == {'block.count': 0}, recs
    # perf statistics do not exist here: skipped, or refused when enforced
    recs = conn.domainListGetStats([dom], L.VIR_DOMAIN_STATS_PERF)
    assert recs[0][1] == {}, recs
    e = expect_error(L.VIR_ERR_ARGUMENT_UNSUPPORTED, conn.domainListGetStats, [dom],
                     L.VIR_DOMAIN_STATS_PERF | L.VIR_DOMAIN_STATS_STATE,
                     L.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)
    assert 'bits 0x40' in e.get_error_message()
    # list filters are for the host's domains, not a given list
    expect_error(L.VIR_ERR_INVALID_ARG, conn.domainListGetStats, [dom], 0,
                 L.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE)
    dom.undefine()
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.domainListGetStats, [dom], 0)


def disk(dev, src, fmt='raw', kind='file'):
    attr = {'file': f"file='{src}'", 'block': f"dev='{src}'"}.get(kind, src)
    return (f"<disk type='{kind}' device='disk'><driver name='qemu' type='{fmt}'/>"
            f"<source {attr}/><target dev='{dev}' bus='virtio'/></disk>")


def test_block_info(conn, daemon, tmp_path):
    """virsh domblkinfo / virDomainGetBlockInfo: a sparse raw file and a pool
    volume, by target and by path (a qcow2 disk is refused at define)."""
    raw = tmp_path / 'raw.img'
    with open(raw, 'wb') as f:
        f.truncate(64 << 20)
        f.seek(8 << 20)
        f.write(b'\xa5' * (1 << 20))
    pool = conn.storagePoolLookupByName('default')
    vol = pool.createXML("<volume><name>blk.img</name><capacity unit='M'>16</capacity>"
                         "<allocation>0</allocation></volume>", 0)
    devs = (disk('vdx', raw) +
            disk('vdz', "pool='default' volume='blk.img'", kind='volume'))
    dom = conn.defineXML(armzd.domain_xml('disks', extra_devices=devs))

    cap, alloc, phys = dom.blockInfo('vdx')
    assert cap == phys == 64 << 20, (cap, phys)
    assert (1 << 20) <= alloc < (4 << 20), alloc          # sparse: only what was written
    assert dom.blockInfo(str(raw)) == [cap, alloc, phys]
    cap, alloc, phys = dom.blockInfo(vol.path())
    assert cap == phys == 16 << 20 and alloc < (1 << 20), (cap, alloc, phys)

    info = armzd.parse_colon_table(daemon.virsh('domblkinfo', 'disks', 'vdx').out)
    assert info['Capacity'] == str(64 << 20) and info['Physical'] == str(64 << 20), info
    r = daemon.virsh('domblkinfo', 'disks', 'vdq', check=False)
    assert r.rc != 0 and 'invalid path vdq not assigned to domain' in r.err, r
    os.unlink(raw)
    e = expect_error(L.VIR_ERR_SYSTEM_ERROR, dom.blockInfo, 'vdx')
    assert str(raw) in e.get_error_message() and 'No such file' in e.get_error_message()
    expect_error(L.VIR_ERR_INVALID_ARG, dom.blockInfo, 'vdz', 1)
