"""SIGTERM at any moment of a daemon's start: while it loads, while it
autostarts many domains, networks and pools, and after. The daemon stops
the autostart between objects, joins every thread it started before it
frees anything, and exits 0 promptly (no crash, no sanitizer report: the
Daemon helper checks the exit status and the log)."""
import os
import re
import sys
import time

import libvirt
import pytest

from armzd import domain_xml, new_uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'network'))
import netns  # noqa: E402

N_DOMAINS = 40
N_NETWORKS = 6
N_POOLS = 6
# SIGTERM this long after the daemon logs that its autostart began (None:
# as soon as it has its pid file, while it loads: before that it has no
# handler for the signal yet, as any program)
DELAYS = [None, 0.0, 0.002, 0.01, 0.03, 0.1, 0.3]
PROMPT = 10      # seconds from SIGTERM to exit


def net_xml(i):
    return (f"<network><name>auto{i}</name><bridge name='armzsd{i}' stp='off' delay='0'/>"
            f"<ip address='10.77.{i}.1' netmask='255.255.255.0'/></network>")


def pool_xml(i, path):
    return (f"<pool type='dir'><name>auto{i}</name>"
            f"<target><path>{path}</path></target></pool>")


def wait_for_log(d, pattern, timeout=20):
    """Waits until D's log (since its last start) matches PATTERN."""
    end = time.monotonic() + timeout
    rx = re.compile(pattern)
    while time.monotonic() < end:
        with open(d.logpath, 'rb') as f:
            f.seek(d.log_offset)
            if rx.search(f.read().decode(errors='replace')):
                return True
        if not d.alive():
            return False
        time.sleep(0.001)
    return False


def wait_for_pidfile(d, timeout=20):
    path = os.path.join(d.root, 'run', 'virtarmzd.pid')
    end = time.monotonic() + timeout
    while time.monotonic() < end and d.alive():
        try:
            with open(path) as f:
                if f.read().strip() == str(d.pid):
                    return True
        except OSError:
            pass
        time.sleep(0.001)
    return False


def log_since_start(d):
    with open(d.logpath, 'rb') as f:
        f.seek(d.log_offset)
        return f.read().decode(errors='replace')


@pytest.fixture
def host_ns():
    """A network namespace for the daemon when this machine can make one,
    so the autostarted networks' bridges never touch its interfaces; None
    (no networks in the test) otherwise."""
    if netns.usable() is not None:
        yield None
        return
    ns = netns.Netns('sd')
    try:
        yield ns
    finally:
        ns.close()


def test_sigterm_during_autostart(host_ns, daemons, tmp_path):
    kw = {'user_cmd': host_ns.prefix()} if host_ns else {}
    # armz-vmm starts and fails at once on a KVM device that is not one:
    # the domains' autostart runs, and every start fails, as on x86
    env = dict(os.environ, ARMZ_KVM_DEVICE='/dev/null')
    d = daemons.new(args=['--verbose'], env=env, **kw)
    c = libvirt.open(d.uri)
    try:
        for i in range(N_DOMAINS):
            c.defineXML(domain_xml(f'auto{i:02d}', new_uuid(), devices=False)).setAutostart(1)
        for i in range(N_POOLS):
            path = tmp_path / f'pool{i}'
            path.mkdir()
            c.storagePoolDefineXML(pool_xml(i, path), 0).setAutostart(1)
        if host_ns:
            for i in range(N_NETWORKS):
                c.networkDefineXML(net_xml(i)).setAutostart(1)
    finally:
        c.close()
    d.stop()

    stopped = 0
    for delay in DELAYS:
        d.start(wait=False)
        if delay is None:
            assert wait_for_pidfile(d), f'no pid file:\n{d.log_tail()}'
        else:
            assert wait_for_log(d, r'autostart: networks, pools, then domains'), \
                f'no autostart logged:\n{d.log_tail()}'
            time.sleep(delay)
        t0 = time.monotonic()
        # stop() fails on a crash, a non-zero exit or a sanitizer report
        assert d.stop(timeout=PROMPT) == 0
        assert time.monotonic() - t0 < PROMPT
        log = log_since_start(d)
        if 'autostart stopped' in log:
            stopped += 1
            # nothing was started after the stop was asked for
            tail = log.split('shutting down on signal', 1)[-1]
            assert len(re.findall(r'cannot autostart domain', tail)) <= 1, tail
    # the point of the test: at least once the signal came mid-autostart
    assert stopped > 0, 'SIGTERM never arrived during the autostart'

    # and the definitions are all intact for the next start
    d.start()
    c = libvirt.open(d.uri)
    try:
        def ours(objs):
            return len([o for o in objs if o.name().startswith('auto')])
        assert ours(c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_AUTOSTART)) == N_DOMAINS
        assert ours(c.listAllStoragePools(
            libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART)) == N_POOLS
        if host_ns:
            assert ours(c.listAllNetworks(
                libvirt.VIR_CONNECT_LIST_NETWORKS_AUTOSTART)) == N_NETWORKS
    finally:
        c.close()
    assert d.stop() == 0
