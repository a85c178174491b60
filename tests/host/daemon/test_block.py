"""Raw disks through virtarmzd in the emulated arm64 host: a block device
(a loop device) with cache='none' reaches armz-vmm with O_DIRECT (read with
io='native', the file disk with io='io_uring': the guest reads what the
host has), the
guest's reads show in virsh domblkstat and domstats --block, virsh
blockresize grows a file disk under the running guest, which sees it; with
error_policy='stop' a full file system pauses the guest (reason I/O error,
IO_ERROR_REASON 'enospc', domblkerror), and virsh resume continues it once
there is space. Run by tests/host/run-host --drive (tier 45)."""
import contextlib
import re
import threading

import libvirt
import pytest

from hostlib import ROOT, URI, Events, domain_xml, host_sh, serial_log, virsh, wait_for, \
    wait_guest_marker

E = libvirt
RUN = ROOT + '/run/libvirt/armz'
O_DIRECT = 0o200000          # arm64


def host(cmd):
    rc, out = host_sh(cmd)
    assert rc == 0, f'{cmd}: {out}'
    return out.strip()


@pytest.fixture
def conn():
    Events.start_loop()
    c = libvirt.open(URI)
    yield c
    with contextlib.suppress(libvirt.libvirtError):
        c.close()


def destroy(conn, name):
    with contextlib.suppress(libvirt.libvirtError):
        conn.lookupByName(name).destroy()


@pytest.fixture
def loopdev():
    host(f'dd if=/dev/urandom of={ROOT}/loop.img bs=1M count=4 2>/dev/null')
    dev = host('losetup -f')
    host(f'losetup {dev} {ROOT}/loop.img')
    yield dev
    host_sh(f'losetup -d {dev}; rm -f {ROOT}/loop.img')


def fd_flags(pid, path):
    out = host(f'for l in /proc/{pid}/fd/*; do [ "$(readlink $l)" = "{path}" ] && '
               f'sed -n "s/^flags:[[:space:]]*//p" /proc/{pid}/fdinfo/${{l##*/}}; done; true')
    assert out, f'armz-vmm {pid} has no fd on {path}'
    return int(out.split()[0], 8)


def test_stats_resize_and_cache_none(conn, loopdev):
    name = 'blkstat'
    host(f'rm -f {ROOT}/{name}-serial.log; dd if=/dev/urandom of={ROOT}/blk2.img bs=1M count=2 '
         '2>/dev/null')
    disks = (f"<disk type='block' device='disk'><driver name='qemu' type='raw' cache='none' "
             f"io='native'/>"
             f"<source dev='{loopdev}'/><target dev='vda' bus='virtio'/></disk>"
             f"<disk type='file' device='disk'><driver name='qemu' type='raw' "
             f"cache='writethrough' io='io_uring' discard='unmap'/>"
             f"<source file='{ROOT}/blk2.img'/><target dev='vdb' bus='virtio'/></disk>")
    dom = conn.createXML(domain_xml(name, mode='blksum', extra=disks), 0)
    try:
        wait_guest_marker(name, 'ARMZ-GUEST BLKSUM-END')
        pid = host(f'cat {RUN}/{name}.pid')
        assert fd_flags(pid, loopdev) & O_DIRECT, 'cache=none: no O_DIRECT'
        assert not fd_flags(pid, f'{ROOT}/blk2.img') & O_DIRECT
        # io='native' (Linux AIO) and io='io_uring' in the jailed, sandboxed VMM: the
        # guest read what the host has
        assert host(f"grep -c '/\\[aio\\]' /proc/{pid}/maps; true") not in ('', '0'), \
            'io=native: armz-vmm has no Linux AIO ring'
        assert 'io_uring' in host(f'ls -l /proc/{pid}/fd/'), 'io=io_uring: armz-vmm has no ring'
        sums = dict((dev, md5) for dev, _, md5 in re.findall(
            r'ARMZ-GUEST BLKSUM (vd[ab]) (\d+) ([0-9a-f]{32})', serial_log(name)))
        for dev, path in (('vda', loopdev), ('vdb', f'{ROOT}/blk2.img')):
            want = host(f'md5sum < {path}').split()[0]
            assert sums.get(dev) == want, f'{dev}: the guest read {sums.get(dev)}, the host has {want}'

        # the guest read both disks whole (md5sum)
        rd_req, rd_bytes, wr_req, wr_bytes, errs = dom.blockStats('vda')
        assert rd_req > 0 and rd_bytes >= 4 << 20, (rd_req, rd_bytes)
        assert errs == -1
        st = dom.blockStatsFlags('vdb', 0)
        assert st['rd_bytes'] >= 2 << 20 and 'flush_total_times' in st, st
        total = dom.blockStats('')
        assert total[1] >= 6 << 20, total
        out = virsh('domblkstat', name, 'vda').stdout
        assert f'vda rd_bytes {rd_bytes}' in out or 'rd_bytes' in out, out
        ds = virsh('domstats', '--block', name).stdout
        assert 'block.count=2' in ds and 'block.0.rd.bytes=' in ds and 'block.1.name=vdb' in ds, ds

        # blockresize: the file grows, the guest sees it; a block device keeps its size
        virsh('blockresize', name, 'vdb', '3M')
        assert host(f'stat -c %s {ROOT}/blk2.img') == str(3 << 20)
        wait_for(lambda: 'ARMZ-GUEST BLKSIZE vdb 3145728' in serial_log(name), 60,
                 'the guest to see vdb at 3 MiB')
        p = virsh('blockresize', name, 'vda', '8M', check=False)
        assert p.returncode != 0 and 'block device' in p.stderr, p.stderr
        assert dom.diskErrors() == {}
        assert 'No errors found' in virsh('domblkerror', name).stdout
    finally:
        destroy(conn, name)
        host_sh(f'rm -f {ROOT}/blk2.img')


def test_error_policy_stop_and_resume(conn):
    name = 'blkfull'
    full = f'{ROOT}/full'
    host(f'rm -f {ROOT}/{name}-serial.log; mkdir -p {full} && '
         f'mount -t tmpfs -o size=3m armzfull {full} && truncate -s 8M {full}/e.img && '
         f'dd if=/dev/zero of={full}/filler bs=1M count=2 2>/dev/null')
    seen, cond = [], threading.Condition()

    def on_io_error(c, d, src, alias, action, reason, opaque):
        with cond:
            seen.append((d.name(), src, alias, action, reason))
            cond.notify_all()

    ev = Events(conn)
    cb = conn.domainEventRegisterAny(None, E.VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
                                     on_io_error, None)
    disk = (f"<disk type='file' device='disk'><driver name='qemu' type='raw' "
            f"error_policy='stop'/><source file='{full}/e.img'/>"
            f"<target dev='vda' bus='virtio'/></disk>")
    try:
        dom = conn.createXML(domain_xml(name, mode='blkwrite', extra=disk), 0)
        wait_guest_marker(name, 'ARMZ-GUEST BLKWRITE ')
        wait_for(lambda: dom.state() == [E.VIR_DOMAIN_PAUSED, E.VIR_DOMAIN_PAUSED_IOERROR], 120,
                 'the guest paused on the I/O error')
        ev.wait(name, E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_IOERROR)
        with cond:
            cond.wait_for(lambda: seen, 30)
        assert seen[0] == (name, f'{full}/e.img', 'virtio-disk0',
                           E.VIR_DOMAIN_EVENT_IO_ERROR_PAUSE, 'enospc'), seen
        assert dom.diskErrors() == {'vda': E.VIR_DOMAIN_DISK_ERROR_NO_SPACE}
        assert 'vda: no space' in virsh('domblkerror', name).stdout
        assert 'BLKWRITE-END' not in serial_log(name)

        host(f'rm -f {full}/filler')
        dom.resume()
        wait_guest_marker(name, 'ARMZ-GUEST BLKWRITE-END')
        assert 'ARMZ-GUEST BLKWRITE-END ok' in serial_log(name), serial_log(name)
        assert dom.state()[0] == E.VIR_DOMAIN_RUNNING
        assert dom.diskErrors() == {}
        md5 = [line.split()[-1] for line in serial_log(name).splitlines()
               if line.startswith('ARMZ-GUEST BLKWRITE vda ')][0]
        assert host(f'dd if={full}/e.img bs=1M count=2 2>/dev/null | md5sum').split()[0] == md5
    finally:
        with contextlib.suppress(libvirt.libvirtError):
            conn.domainEventDeregisterAny(cb)
        ev.close()
        destroy(conn, name)
        host_sh(f'umount {full}')
