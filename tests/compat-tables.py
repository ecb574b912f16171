#!/usr/bin/env python3
"""base/data/kafka-accepted.tsv against probe/data/kafka-apiversions.tsv: every 4.x
release's accepted table is the table a real broker of it advertises (KRaft rows),
except the one documented exception (Produce v0-2 advertised, rejected: KAFKA-18659),
and every 4.x release the fingerprint table knows is listed. TAP output."""
import sys

root = sys.argv[1]

def rows(path, cols):
    for line in open(path, encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        f = line.rstrip('\n').split('\t')
        if len(f) != cols:
            raise SystemExit('%s: bad line %r' % (path, line[:60]))
        yield f

def table(s):
    return {int(k): tuple(map(int, r.split('-'))) for k, r in (x.split(':') for x in s.split())}

adv = {}
for rel, mode, patches, apis in rows(root + '/probe/data/kafka-apiversions.tsv', 4):
    if mode == 'kraft' and rel.startswith('4.'):
        for p in patches.split(','):
            adv[p] = table(apis)
acc = {}
for patches, apis in rows(root + '/base/data/kafka-accepted.tsv', 2):
    for p in patches.split(','):
        acc[p] = table(apis)

n = 0
def ok(cond, what):
    global n
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))
    return cond

ok(set(acc) == set(adv), 'the same 4.x releases in both tables (%s)' % ' '.join(sorted(acc)))
for p in sorted(set(acc) & set(adv)):
    want = dict(adv[p])
    ok(want.get(0, (0, 0))[0] == 0, '%s advertises Produce v0 (the exception applies)' % p)
    want[0] = (3, want[0][1])
    diff = {k: (acc[p].get(k), want.get(k)) for k in set(acc[p]) | set(want) if acc[p].get(k) != want.get(k)}
    ok(not diff, '%s: accepted = advertised with Produce from v3 %s' % (p, diff or ''))
print('1..%d' % n)
