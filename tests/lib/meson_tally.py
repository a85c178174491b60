"""Turn meson's testlog.json into PASS/FAIL lines, one per TAP case."""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b\s*\d*\s*-?\s*(.*?)(\s+#\s*(SKIP|TODO).*)?$')

for line in open(sys.argv[1]):
    t = json.loads(line)
    name = t['name']
    cases = []
    for out in (t.get('stdout') or '').splitlines():
        m = TAP.match(out)
        if m:
            status = 'SKIP' if m.group(4) == 'SKIP' else ('PASS' if m.group(1) == 'ok' else 'FAIL')
            cases.append((status, f"{name}: {m.group(2)}"))
    if not cases or (t['result'] not in ('OK', 'SKIP') and all(c[0] != 'FAIL' for c in cases)):
        status = {'OK': 'PASS', 'SKIP': 'SKIP'}.get(t['result'], 'FAIL')
        cases.append((status, f"{name} ({t['result']})" if status == 'FAIL' else name))
        if status == 'FAIL':
            sys.stdout.write((t.get('stdout') or '')[-3000:] + '\n')
    for status, n in cases:
        print(f"{status}: {n}")
