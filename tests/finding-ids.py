#!/usr/bin/env python3
"""Every finding id the sources emit is in the catalogue, and every catalogue row is emitted (TAP).

usage: finding-ids.py SRCDIR

Reads the C files of base/ probe/ capture/ reports/ cmd/ lab/ and finds each call of a
finding constructor: mp_cluster_add_finding() (base/model.c) and the files' own
wrappers around it or around capture's finding_new(). The id argument must be
string literals (a ternary of two is fine): each must be a row of
base/data/findings.tsv. A call whose id is not a literal is allowed only where
it passes an id through (listed in PASS_THROUGH below) and fails otherwise, so a
new constructor is reviewed here. Tables of ids (capture's finding_ids[]) are
read too. Finally every catalogue row but the verdict check must be emitted
somewhere: a row nothing emits is stale.
"""
import os
import re
import sys

# constructor -> (the one file it is a constructor in, or None: all; 0-based
# position of the id among its arguments)
CONSTRUCTORS = {
    'mp_cluster_add_finding': (None, 1),             # base/model.h: (cluster, id, evidence)
    'ev_emit': ('probe/zk_policy.c', 2),             # (ev, cluster, id)
    'finding': ('reports/rep_policy.c', 2),          # (rc, cluster, id, evidence)
    'finding_new': ('capture/cap_json.c', 1),        # (jb, id, ret_evidence)
    'alleged_json': ('capture/cap_json.c', 1),       # (jb, id, alleged)
    'fb_emit': ('base/compat.c', 1),                 # (builder, id, target, add, ud)
}
# (file, constructor, argument text) that hand on an id checked elsewhere
PASS_THROUGH = {
    ('probe/zk_policy.c', 'mp_cluster_add_finding', 'id'),   # ev_emit's body
    ('reports/rep_policy.c', 'mp_cluster_add_finding', 'id'),  # finding()'s body
    ('capture/cap_json.c', 'finding_new', 'id'),             # alleged_json's body
    ('capture/cap_json.c', 'alleged_json', 'finding_ids[i]'),  # the table, read below
    ('cmd/scan_merge.c', 'mp_cluster_add_finding', 'id->valuestring'),  # capture's, from cap_json.c
}
TABLES = ('finding_ids',)
VERDICT_CHECK = 'CONTROL_PLANE_ENCRYPTION'
ID = re.compile(r'"([A-Z][A-Z0-9_]*)"')

n = 0
failed = 0


def result(ok, what):
    global n, failed
    n += 1
    failed += not ok
    print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))


def strip_comments(s):
    return re.sub(r'/\*.*?\*/', lambda m: ' ' * len(m.group(0)), s, flags=re.S)


def args_at(s, i):
    """The top-level arguments of the call whose '(' is at s[i]."""
    depth, start, out, j = 0, i + 1, [], i
    while j < len(s):
        c = s[j]
        if c in '"\'':  # skip a string or character literal
            k = j + 1
            while k < len(s) and s[k] != c:
                k += 2 if s[k] == '\\' else 1
            j = k + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                out.append(s[start:j].strip())
                return out
        elif c == ',' and depth == 1:
            out.append(s[start:j].strip())
            start = j + 1
        j += 1
    return out


def main():
    src = sys.argv[1]
    cat = {}
    for line in open(os.path.join(src, 'base/data/findings.tsv'), encoding='utf-8'):
        if line.strip() and not line.startswith('#'):
            cat[line.split('\t')[0]] = line
    emitted = {}
    calls = 0
    for top in ('base', 'probe', 'capture', 'reports', 'cmd', 'lab'):
        for root, _, files in os.walk(os.path.join(src, top)):
            for f in sorted(files):
                if not f.endswith('.c'):
                    continue
                rel = os.path.relpath(os.path.join(root, f), src)
                s = strip_comments(open(os.path.join(root, f), encoding='utf-8').read())
                for m in re.finditer(r'\b(%s)\s*\(' % '|'.join(CONSTRUCTORS), s):
                    name = m.group(1)
                    only, pos = CONSTRUCTORS[name]
                    if only not in (None, rel):
                        continue
                    a = args_at(s, m.end() - 1)
                    line = s.count('\n', 0, m.start()) + 1
                    where = '%s:%d %s()' % (rel, line, name)
                    if any(re.search(r'\b(struct|const|char|int)\b', x) for x in a):
                        continue  # a definition or declaration, not a call
                    if len(a) <= pos:
                        result(False, '%s: no id argument' % where)
                        continue
                    calls += 1
                    ids = ID.findall(a[pos])
                    if not ids:
                        result((rel, name, a[pos]) in PASS_THROUGH,
                               '%s passes id %s through (reviewed in PASS_THROUGH)' % (where, a[pos]))
                        continue
                    for i in ids:
                        emitted.setdefault(i, where)
                        result(i in cat and i != VERDICT_CHECK,
                               '%s emits %s, a catalogued finding id' % (where, i))
                for t in TABLES:
                    for m in re.finditer(r'\b%s\s*\[[^]]*\]\s*=\s*\{(.*?)\}' % t, s, flags=re.S):
                        line = s.count('\n', 0, m.start()) + 1
                        for i in ID.findall(m.group(1)):
                            emitted.setdefault(i, '%s:%d %s[]' % (rel, line, t))
                            result(i in cat, '%s:%d %s[] holds %s, a catalogued finding id'
                                   % (rel, line, t, i))
    result(calls >= 20, 'found %d constructor calls (the scan reads the sources)' % calls)
    for i in cat:
        if i != VERDICT_CHECK:
            result(i in emitted, 'catalogue row %s is emitted (%s)' % (i, emitted.get(i, 'nowhere')))
    print('1..%d' % n)
    return 1 if failed else 0


sys.exit(main())
