#!/usr/bin/env python3
"""One finding, one severity, in every format (TAP).

usage: severity-agree.py MSKPROBE SRCDIR

Renders one report in json, text, html, md, asff, ocsf and junit through the
real binary and checks that each finding shows the severity the JSON report
holds, in every format: text "[SEV] ID", HTML and Markdown rows, the HTML
summary counts, ASFF Severity.Label and Original (for a check that passed or
was not evaluated, the policy's override of it), OCSF severity_id, JUnit's
failure text. The report is tests/reports/data/fleet.json plus a cluster that
holds every catalogue id once, two of them overridden by policy (so a renderer
that looked the severity up in the catalogue would show the other one).
It also checks the report against base/data/findings.tsv: a finding's severity
is the catalogue's unless severity_source says "policy", and then
severity_default is the catalogue's.
"""
import copy
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.dom.minidom

RANK = ['info', 'low', 'medium', 'high', 'critical']
ASFF = {'info': 'INFORMATIONAL', 'low': 'LOW', 'medium': 'MEDIUM', 'high': 'HIGH', 'critical': 'CRITICAL'}
OVERRIDES = {'KAFKA_PLAINTEXT_LISTENER': 'low', 'TAG_OWNER_MISSING': 'critical'}
VERDICT_CHECK = 'CONTROL_PLANE_ENCRYPTION'

n = 0
failed = 0


def result(ok, what, detail=''):
    global n, failed
    n += 1
    failed += not ok
    print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
    if not ok and detail:
        for line in str(detail).splitlines()[:20]:
            print('#   ' + line)


def catalogue(src):
    cat = {}
    for line in open(os.path.join(src, 'base/data/findings.tsv'), encoding='utf-8'):
        if line.strip() and not line.startswith('#'):
            f = line.rstrip('\n').split('\t')
            cat[f[0]] = {'severity': f[1], 'requires': f[2], 'title': f[3]}
    return cat


def build_report(src, cat):
    r = json.load(open(os.path.join(src, 'tests/reports/data/fleet.json'), encoding='utf-8'))
    c = copy.deepcopy(r['clusters'][0])  # capture and inventory: every check evaluated
    c['name'] = 'every-finding'
    c['inventory']['arn'] = c['inventory']['arn'].replace('/orders/', '/every-finding/')
    c['findings'] = []
    for i, row in cat.items():
        if i == VERDICT_CHECK:
            continue
        f = {'id': i, 'severity': row['severity'], 'title': row['title'], 'evidence': {}}
        if i in OVERRIDES:
            f.update(severity=OVERRIDES[i], severity_default=row['severity'], severity_source='policy')
        c['findings'].append(f)
    r['clusters'].append(c)
    r['policy']['severity_overrides'].update(OVERRIDES)
    r['summary']['clusters'] += 1
    r['summary']['non_compliant'] += 1
    r['summary']['findings'] += len(c['findings'])
    return r


def render(mskprobe, report, fmt, out):
    p = subprocess.run([mskprobe, 'report', report, '--format', fmt, '--output', out,
                        '--aws-account', '123456789012', '--aws-region', 'eu-west-1'],
                       capture_output=True, text=True, env=dict(os.environ, NO_COLOR='1'))
    result(p.returncode == 1, 'report --format %s renders (exit %d, findings)' % (fmt, p.returncode),
           p.stderr)
    return open(out, encoding='utf-8').read() if os.path.exists(out) else ''


def compare(fmt, want, got):
    """want/got: {(cluster, id): severity}; got may lack what fmt does not show."""
    diff = ['%s %s: report %s, %s %s' % (k[0], k[1], want[k], fmt, got.get(k, 'missing'))
            for k in sorted(want) if got.get(k) != want[k]]
    extra = ['%s %s: %s shows %s, not in the report' % (k[0], k[1], fmt, got[k])
             for k in sorted(got) if k not in want]
    result(not diff and not extra and got,
           '%s shows every finding with the report\'s severity (%d)' % (fmt, len(got)),
           '\n'.join(diff + extra))


def main():
    mskprobe, src = sys.argv[1], sys.argv[2]
    cat = catalogue(src)
    observation = {i for i, row in cat.items() if row['requires'] == 'observation'}
    with tempfile.TemporaryDirectory() as t:
        report = os.path.join(t, 'report.json')
        json.dump(build_report(src, cat), open(report, 'w', encoding='utf-8'), indent=1)
        out = {f: render(mskprobe, report, f, os.path.join(t, 'out.' + f))
               for f in ('json', 'text', 'html', 'md', 'asff', 'ocsf', 'junit')}

        # the JSON as rendered: one severity per (cluster, id), the catalogue's unless overridden
        j = json.loads(out['json'] or '{}')
        want, bad, one = {}, [], []
        for c in j.get('clusters', []):
            for f in c['findings']:
                k = (c['name'], f['id'])
                if k in want and want[k] != f['severity']:
                    one.append('%s %s: %s and %s' % (k[0], k[1], want[k], f['severity']))
                want[k] = f['severity']
                row = cat.get(f['id'])
                if not row:
                    bad.append('%s: not in the catalogue' % f['id'])
                elif f.get('severity_source') == 'policy':
                    if f.get('severity_default') != row['severity']:
                        bad.append('%s: severity_default %s, catalogue %s'
                                   % (f['id'], f.get('severity_default'), row['severity']))
                elif f['severity'] != row['severity'] or 'severity_default' in f:
                    bad.append('%s: severity %s without an override, catalogue %s'
                               % (f['id'], f['severity'], row['severity']))
                if row and f['title'] != row['title']:
                    bad.append('%s: title %r, catalogue %r' % (f['id'], f['title'], row['title']))
        result(len(want) > 25, 'the report holds %d (cluster, finding) pairs' % len(want))
        result(not one, 'one severity per finding id and cluster', '\n'.join(one))
        result(not bad, 'the report\'s severities and titles are the catalogue\'s, but for '
               'overrides, which name the catalogue\'s', '\n'.join(bad))
        ov = {(c['name'], f['id']) for c in j.get('clusters', []) for f in c['findings']
              if f.get('severity_source') == 'policy'}
        result(len(ov) >= 4 and all(want[k] != cat[k[1]]['severity'] for k in ov),
               'overrides differ from the catalogue (%d): a renderer reading it would fail' % len(ov))
        names = [c['name'] for c in j.get('clusters', [])]

        # text: a cluster line at column 0, then "    [SEV] ID: title"
        got, cur = {}, None
        for line in out['text'].splitlines():
            m = re.match(r'^(\S+): ', line)
            if m and m.group(1) in names:
                cur = m.group(1)
            m = re.match(r'^    \[([A-Z]+)\] ([A-Z0-9_]+): ', line)
            if m and cur:
                got[(cur, m.group(2))] = m.group(1).lower()
        compare('text', want, got)

        # Markdown: "### NAME: verdict", then "- **sev** `ID`: title"
        got, cur = {}, None
        for line in out['md'].splitlines():
            m = re.match(r'^### (.+): \S+$', line)
            if m:
                cur = m.group(1).replace('\\', '')
            m = re.match(r'^- \*\*([a-z]+)\*\* `([A-Z0-9_]+)`', line)
            if m and cur in names:
                got[(cur, m.group(2))] = m.group(1)
        compare('md', want, got)

        # HTML: <section class="cluster"><h2>NAME ..., then each finding's class, badge and id
        got, cur, badge = {}, None, []
        for line in out['html'].splitlines():
            m = re.match(r'^<h2>(.+?) <span class="v v-', line)
            if m:
                cur = html.unescape(m.group(1))
            m = re.match(r'^<div class="finding f-([a-z]+)">', line)
            if m:
                cls = m.group(1)
            m = re.match(r'^<p><span class="v sev-([a-z]+)">([a-z]+)</span> <code>([A-Z0-9_]+)</code>', line)
            if m and cur in names:
                got[(cur, m.group(3))] = m.group(2)
                if not (m.group(1) == m.group(2) == cls):
                    badge.append('%s %s: class f-%s, badge sev-%s, text %s'
                                 % (cur, m.group(3), cls, m.group(1), m.group(2)))
        compare('html', want, got)
        result(not badge, 'HTML: each finding\'s box, badge class and text agree', '\n'.join(badge))
        counts = [0] * 5
        for c in j.get('clusters', []):
            for f in c['findings']:
                counts[RANK.index(f['severity'])] += 1
        m1 = re.search(r'<b>(\d+)</b><span>high/critical findings', out['html'])
        m2 = re.search(r'<b>(\d+)</b><span>medium/low findings', out['html'])
        result(m1 and m2 and int(m1.group(1)) == counts[3] + counts[4]
               and int(m2.group(1)) == counts[1] + counts[2],
               'HTML summary counts the report\'s severities (%d high/critical, %d medium/low)'
               % (counts[3] + counts[4], counts[1] + counts[2]))

        # the compliance formats: a check per (cluster, id), observations left out
        checks = {k: v for k, v in want.items() if k[1] not in observation}
        got, orig = {}, []
        for o in json.loads(out['asff'] or '[]'):
            k = (o['ProductFields']['mskprobe/cluster'], o['ProductFields']['mskprobe/check'])
            if o['Compliance']['Status'] in ('FAILED', 'WARNING') and k[1] != VERDICT_CHECK:
                got[k] = {v: s for s, v in ASFF.items()}[o['Severity']['Label']]
                if o['Severity'].get('Original') != want.get(k):
                    orig.append('%s %s: Original %s' % (k[0], k[1], o['Severity'].get('Original')))
            if k[1] in observation:
                orig.append('%s %s: an observation is not a check' % k)
        compare('asff', checks, got)
        result(not orig, 'ASFF Severity.Original is the report\'s severity; no observation',
               '\n'.join(orig))

        # a check that passed or was not evaluated: Original is the policy's override, when any
        passed, wrong = 0, []
        for o in json.loads(out['asff'] or '[]'):
            k = (o['ProductFields']['mskprobe/cluster'], o['ProductFields']['mskprobe/check'])
            if o['Compliance']['Status'] in ('PASSED', 'NOT_AVAILABLE') and k[1] in OVERRIDES:
                passed += 1
                if o['Severity'].get('Original') != OVERRIDES[k[1]]:
                    wrong.append('%s %s (%s): Original %s, policy says %s'
                                 % (k[0], k[1], o['Compliance']['Status'],
                                    o['Severity'].get('Original'), OVERRIDES[k[1]]))
        result(passed and not wrong, 'ASFF: an overridden check that did not fail (%d) has the '
               'policy\'s severity as Original' % passed, '\n'.join(wrong))

        got, obs = {}, []
        for line in out['ocsf'].splitlines():
            o = json.loads(line)
            k = (o['resources'][0]['name'], o['compliance']['control'])
            if o['compliance']['status'] in ('Fail', 'Warning') and k[1] != VERDICT_CHECK:
                got[k] = RANK[o['severity_id'] - 1]
            if k[1] in observation:
                obs.append('%s %s' % k)
        compare('ocsf', checks, got)
        result(not obs, 'OCSF has no observation as a check', '\n'.join(obs))

        got, obs = {}, []
        doc = xml.dom.minidom.parseString(out['junit'] or '<x/>')
        for tc in doc.getElementsByTagName('testcase'):
            k = (tc.getAttribute('classname')[len('mskprobe.'):], tc.getAttribute('name'))
            for fl in tc.getElementsByTagName('failure'):
                text = ''.join(x.data for x in fl.childNodes if x.nodeType == x.TEXT_NODE)
                if k[1] != VERDICT_CHECK:
                    got[k] = text.split(':', 1)[0]
            if k[1] in observation:
                obs.append('%s %s' % k)
        compare('junit', checks, got)
        result(not obs, 'JUnit has no observation as a test case', '\n'.join(obs))

        # the verdict check has no finding: ASFF and OCSF give it one severity too
        va = {(o['ProductFields']['mskprobe/cluster']): o['Severity']['Label']
              for o in json.loads(out['asff'] or '[]')
              if o['ProductFields']['mskprobe/check'] == VERDICT_CHECK}
        vo = {}
        for line in out['ocsf'].splitlines():
            o = json.loads(line)
            if o['compliance']['control'] == VERDICT_CHECK:
                vo[o['resources'][0]['name']] = ASFF[RANK[o['severity_id'] - 1]]
        result(va and va == vo, 'ASFF and OCSF agree on the verdict check\'s severity',
               '%r\n%r' % (va, vo))
    print('1..%d' % n)
    return 1 if failed else 0


sys.exit(main())
