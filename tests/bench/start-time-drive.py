#!/usr/bin/python3
"""x86 side of tests/bench/start-time (run by run-host --drive while
virtarmzd serves in the emulated arm64 host): how long a guest takes to
start through the daemon, for one guest and for several started together,
beside the plain armz-vmm boot.  Not pass/fail: prints figures.

Times in the host come from `markwait` (tests/host/markwait.c) watching the
domain log ("starting up": the daemon begins the start) and the guest's
serial log ("ARMZ-GUEST INIT"), on the host's one clock.  The API's return
is timed here, around the call."""
import os
import re
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ['ARMZ_TOP'], 'tests/host/daemon'))
import libvirt  # noqa: E402
from hostlib import GUEST, ROOT, URI, domain_xml, host_sh  # noqa: E402

RUNS = int(os.environ.get('ARMZ_BENCH_RUNS', '3'))
GUESTS = int(os.environ.get('ARMZ_BENCH_GUESTS', '3'))
CMDLINE = 'console=ttyAMA0 quiet panic=-1 armz.mode=wait'
MEMORY_MIB = 192


def plain_vmm_ms():
    """armz-vmm alone, as the daemon would run it: start -> guest /init."""
    rc, out = host_sh(f'runmark -t 120 -g {MEMORY_MIB} -r "ARMZ-GUEST INIT" /tmp/plain.out '
                      f'"ARMZ-GUEST INIT" -- armz-vmm --kernel {GUEST}/Image '
                      f'--initrd {GUEST}/initrd --memory {MEMORY_MIB} --serial stdio '
                      f'--cmdline "{CMDLINE}"', timeout=180)
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == 'mark' and f[2] == 'INIT':
            return int(f[3])
    raise RuntimeError(f'plain armz-vmm did not reach /init: {out[-500:]}')


def watch(name):
    # markwait's end is told through a fifo: the wait below blocks in the
    # host instead of asking it every second (a shell started in the host
    # each time took CPU from the guest being timed)
    log = f'{ROOT}/var/log/libvirt/armz/{name}.log'
    host_sh(f'rm -f /tmp/mw-{name}.end && mkfifo /tmp/mw-{name}.end && '
            f'(markwait -t 240 {log} "starting up" {ROOT}/{name}-serial.log "ARMZ-GUEST INIT" '
            f'> /tmp/mw-{name} 2>&1; echo end > /tmp/mw-{name}.end) < /dev/null > /dev/null 2>&1 &')


def watched_ms(name):
    rc, out = host_sh(f'cat /tmp/mw-{name}.end > /dev/null; cat /tmp/mw-{name}', timeout=300)
    marks = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == 'mark':
            marks[f[1]] = int(f[2])
        elif f and f[0] == 'missing':
            raise RuntimeError(f'{name}: marker {f[1]} never seen')
    if '1' in marks and '2' in marks:
        return marks['2'] - marks['1']
    raise RuntimeError(f'{name}: no /init marker: {out[-300:]}')


def start_steps():
    """The daemon's debug timestamps of its start path (src/driver/process.c
    start_step): {step: [ms, ...]} of the single-guest rounds."""
    rc, out = host_sh("grep -a \"domain 'st1r.* start: \" /tmp/virtarmzd.log")
    steps = {}
    for m in re.finditer(r"start: (.*) after ([0-9.]+) ms", out):
        steps.setdefault(m.group(1), []).append(float(m.group(2)))
    return steps


def round_of(conn, n, r):
    names = [f'st{n}r{r}g{i}' for i in range(n)]
    doms = [conn.defineXML(domain_xml(nm, memory_mib=MEMORY_MIB)) for nm in names]
    for nm in names:
        watch(nm)
    api = [None] * n

    def start(i):
        c = libvirt.open(URI)
        try:
            d = c.lookupByName(names[i])
            t0 = time.monotonic()
            d.create()
            api[i] = (time.monotonic() - t0) * 1000
        finally:
            c.close()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        if None in api:
            raise RuntimeError('a start call failed')
        init = [watched_ms(nm) for nm in names]
    finally:
        for d in doms:
            try:
                d.destroy()
            except libvirt.libvirtError:
                pass
            d.undefine()
    return api, init


def main():
    conn = libvirt.open(URI)
    plain = []
    one_api, one_init, many_api, many_init, many_max = [], [], [], [], []
    many_api_max = []
    for r in range(RUNS):
        # plain and through the daemon one after the other in each round:
        # a swing of the machine's load hits both columns alike
        plain.append(plain_vmm_ms())
        a, i = round_of(conn, 1, r)
        one_api += a
        one_init += i
        a, i = round_of(conn, GUESTS, r)
        many_api.append(statistics.median(a))
        many_api_max.append(max(a))
        many_init.append(statistics.median(i))
        many_max.append(max(i))
    conn.close()
    med = statistics.median
    p = med(plain)
    print(f'guest start time in the emulated arm64 test host (nested KVM under TCG; '
          f'median of {RUNS} runs, ms)')
    print(f'{"metric":<46} {"1 guest":>9} {f"{GUESTS} together":>12}')
    print(f'{"plain armz-vmm: start -> guest /init":<46} {p:>9.0f} {"":>12}')
    print(f'{"virtarmzd: start call -> API return":<46} {med(one_api):>9.0f} '
          f'{med(many_api):>12.0f}')
    print(f'{"virtarmzd: daemon start -> guest /init":<46} {med(one_init):>9.0f} '
          f'{med(many_init):>12.0f}')
    print(f'{"  slowest of the guests started together":<46} {"":>9} {med(many_max):>12.0f}')
    print(f'{"daemon overhead (through daemon - plain)":<46} {med(one_init) - p:>9.0f} '
          f'{med(many_init) - p:>12.0f}')
    # per round, through the daemon over the plain boot just before it
    print(f'{"through daemon / plain (median of the rounds)":<46} '
          f'{med([o / q for o, q in zip(one_init, plain)]):>9.2f}')
    # start rate: the guests started at once over the time the last of them
    # took (its start call to return; its guest to reach /init)
    print(f'{"start rate, guests/s (all calls returned)":<46} {"":>9} '
          f'{GUESTS * 1000 / med(many_api_max):>12.2f}')
    print(f'{"start rate, guests/s (all guests in /init)":<46} {"":>9} '
          f'{GUESTS * 1000 / med(many_max):>12.2f}')
    steps = start_steps()
    if steps:
        print('the daemon\'s start path, 1 guest (debug log, ms since the start call '
              'began; "starting up" is logged after the first step):')
        for step, v in sorted(steps.items(), key=lambda kv: med(kv[1])):
            print(f'  {step:<44} {med(v):>9.1f}')
    print(f'BENCH-OK')


if __name__ == '__main__':
    main()
