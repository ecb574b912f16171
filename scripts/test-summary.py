#!/usr/bin/env python3
"""Print 'N passed, N failed[, N skipped]' from meson's testlog.json.

Each test executable counts once: OK and EXPECTEDFAIL pass; FAIL, TIMEOUT,
ERROR and UNEXPECTEDPASS fail; SKIP is skipped.
"""
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        r = json.loads(line).get('result', '')
        if r in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif r == 'SKIP':
            skipped += 1
        else:
            failed += 1
out = '%d passed, %d failed' % (passed, failed)
if skipped:
    out += ', %d skipped' % skipped
print(out)
