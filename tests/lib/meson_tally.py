"""Turn meson's testlog.json into PASS/FAIL lines, one per TAP case.

    meson_tally.py TESTLOG [--status RC] [--output LOG]

RC is `meson test`'s exit status: when it is not 0 and no case failed (meson
could not build or run a test, a test timed out, or it exited badly after
its last TAP line), one FAIL line says so, with the tail of LOG (meson's own
output). Exits 1 when any line is a FAIL, so a tier that ends with this
script fails with it."""
import argparse
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b\s*\d*\s*-?\s*(.*?)(\s+#\s*(SKIP|TODO).*)?$')


def tail(path, n=40):
    """The last N lines of PATH, indented so none reads as a tier line."""
    try:
        with open(path, errors='replace') as f:
            return ''.join('  | ' + line for line in f.readlines()[-n:])
    except OSError:
        return ''


def tally(testlog):
    """(status, name) per case; meson's output of failing tests goes to stdout."""
    lines = []
    for line in open(testlog):
        t = json.loads(line)
        name = t['name']
        cases = []
        for out in (t.get('stdout') or '').splitlines():
            m = TAP.match(out)
            if m:
                status = 'SKIP' if m.group(4) == 'SKIP' else (
                    'PASS' if m.group(1) == 'ok' else 'FAIL')
                cases.append((status, f"{name}: {m.group(2)}"))
        if not cases or (t['result'] not in ('OK', 'SKIP') and
                         all(c[0] != 'FAIL' for c in cases)):
            status = {'OK': 'PASS', 'SKIP': 'SKIP'}.get(t['result'], 'FAIL')
            cases.append((status, f"{name} ({t['result']})" if status == 'FAIL' else name))
            if status == 'FAIL':
                sys.stdout.write((t.get('stdout') or '')[-3000:] + '\n')
        lines += cases
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('testlog')
    ap.add_argument('--status', type=int, default=0, help="meson test's exit status")
    ap.add_argument('--output', help="meson test's output, shown when it failed")
    a = ap.parse_args()
    try:
        lines = tally(a.testlog)
    except OSError as e:
        # meson stopped before running anything (a test that does not build)
        lines = [('FAIL', f'meson test (no results: {e.strerror}: {a.testlog})')]
    failed = any(s == 'FAIL' for s, _ in lines)
    if a.status != 0 and not failed:
        lines.append(('FAIL', f'meson test (exit status {a.status} with no failing case)'))
    if a.status != 0 and a.output:
        sys.stdout.write(tail(a.output))
    for status, n in lines:
        print(f"{status}: {n}")
    return 1 if a.status != 0 or any(s == 'FAIL' for s, _ in lines) else 0


if __name__ == '__main__':
    sys.exit(main())
