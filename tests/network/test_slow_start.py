"""A network whose start is slow holds only its own job: while its dnsmasq
stalls, net-list, another network's XML, other networks' start and stop and
domain calls answer at once; a second state change of the slow network
times out naming the job that holds it."""
import os
import re
import shutil
import threading
import time

import pytest

import armzd
import netns
from conftest import make_host
from test_networks import net_xml

STALL_S = 8          # how long the stand-in dnsmasq sits before starting
JOB_TIMEOUT_MS = 1500
QUICK_S = 3          # an answer that did not wait for the stalled start

FAKE_DNSMASQ = """#!/bin/sh
# dnsmasq stand-in: for the network on bridge armzslow0 it first stalls
# (and says so in a marker file), then runs the real dnsmasq
for a in "$@"; do
  case "$a" in --conf-file=*) conf="${a#--conf-file=}" ;; esac
done
if grep -q '^interface=armzslow0$' "$conf"; then
  touch "%(marker)s"
  sleep %(stall)d
fi
exec %(real)s "$@"
"""


@pytest.fixture
def slow_host(tmp_path_factory):
    real = shutil.which('dnsmasq') or '/usr/sbin/dnsmasq'
    d = str(tmp_path_factory.mktemp('fake'))
    fake = os.path.join(d, 'dnsmasq')
    marker = os.path.join(d, 'stalling')
    with open(fake, 'w') as f:
        f.write(FAKE_DNSMASQ % {'marker': marker, 'stall': STALL_S, 'real': real})
    os.chmod(fake, 0o755)
    for h in make_host(tmp_path_factory, {'ARMZ_DNSMASQ': fake,
                                          'ARMZ_JOB_TIMEOUT_MS': str(JOB_TIMEOUT_MS)}):
        h.stall_marker = marker
        yield h


def timed(host, *args, check=True):
    t0 = time.monotonic()
    r = host.virsh(*args, check=check)
    return r, time.monotonic() - t0


def test_slow_network_start_blocks_nothing_else(slow_host):
    host = slow_host
    host.define(net_xml('other', 'armzo0', '10.61.0'))
    host.define(net_xml('third', 'armzh0', '10.62.0'), start=False)
    host.define(net_xml('slow', 'armzslow0', '10.60.0'), start=False)
    dom_path = os.path.join(host.tmp, 'dom.xml')
    with open(dom_path, 'w') as f:
        f.write(armzd.domain_xml('bystander'))
    host.virsh('define', dom_path)

    result = {}

    def start_slow():
        result['r'] = host.virsh('net-start', 'slow', check=False, timeout=60)

    t = threading.Thread(target=start_slow)
    t0 = time.monotonic()
    t.start()
    try:
        assert netns.wait_for(lambda: os.path.exists(host.stall_marker)), \
            'the stand-in dnsmasq was not run'

        # the slow network is listed (inactive while starting), others work
        r, took = timed(host, 'net-list', '--all')
        assert took < QUICK_S, f'net-list waited {took:.1f} s'
        assert re.search(r'^\s*slow\s+inactive\s', r.out, re.M), r.out
        assert re.search(r'^\s*other\s+active\s', r.out, re.M), r.out
        r, took = timed(host, 'net-dumpxml', 'other')
        assert took < QUICK_S and "<bridge name='armzo0'" in r.out, (took, r.out)
        r, took = timed(host, 'net-dumpxml', 'slow')
        assert took < QUICK_S and "<bridge name='armzslow0'" in r.out, (took, r.out)
        _, took = timed(host, 'net-start', 'third')
        assert took < QUICK_S, f'another network\'s start waited {took:.1f} s'
        _, took = timed(host, 'net-destroy', 'other')
        assert took < QUICK_S, f'another network\'s stop waited {took:.1f} s'
        r, took = timed(host, 'list', '--all')
        assert took < QUICK_S and 'bystander' in r.out, (took, r.out)
        r, took = timed(host, 'dominfo', 'bystander')
        assert took < QUICK_S and 'shut off' in r.out, (took, r.out)

        # a state change of the slow network waits for its job, then gives up
        r, took = timed(host, 'net-destroy', 'slow', check=False)
        assert r.rc != 0
        assert ('Timed out during operation: cannot acquire state change lock '
                '(held by virNetworkCreate)') in r.err, r.err
        assert JOB_TIMEOUT_MS / 1000 - 0.2 <= took < STALL_S, took
    finally:
        t.join(60)

    # the slow start itself completes
    assert result['r'].rc == 0, result['r'].err
    assert time.monotonic() - t0 >= STALL_S
    r = host.virsh('net-list', '--all').out
    assert re.search(r'^\s*slow\s+active\s', r, re.M), r
    assert re.search(r'^\s*third\s+active\s', r, re.M), r
    assert host.dnsmasq_pid('slow')
    host.virsh('net-destroy', 'slow')
    host.virsh('net-destroy', 'third')
