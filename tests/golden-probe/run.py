#!/usr/bin/env python3
"""Probe golden test: recorded answers in, normalised scan JSON out.

Usage: run.py MSKPROBE GOLDEN-PEER CASEDIR [CASE...]
For each case of CASEDIR/cases.txt (NAME | LISTENERS | SCAN ARGUMENTS):
golden-peer serves the recorded answers of CASEDIR/NAME/<listener>/ on
127.0.0.1, `mskprobe scan ARGUMENTS --format json` runs against them, the
report is normalised (times, durations, ports, temporary paths, the
certificates made for the run, the tool's build) and compared with
CASEDIR/NAME/expected.json together with the exit code.
UPDATE_GOLDEN=1 rewrites expected.json instead. TAP output.
"""
import difflib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile

PEER_READY_S = 30
# The scan date MSK's end of support is judged on (probe/policy.c), fixed so
# the expected reports do not change with the calendar: on it 2.2.1 is past
# its end of support and 3.7.x within 90 days of it.
SCAN_DATE = '2026-08-01'
SCAN_TIMEOUT_S = 120

# Values that differ on every run whatever was recorded.
VOLATILE_KEYS = {
    'generated_at', 'duration_ms', 'elapsed_ms', 'time_utc', 'command_line', 'probe_host',
    'tool',  # version and build of the binary under test
    # certificates generated for the run (TLS cases)
    'not_before', 'not_after', 'days_left', 'serial', 'pem', 'sha256',
}


def parse_cases(path):
    cases = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = [p.strip() for p in line.split('|')]
            if len(parts) != 3 or not parts[0] or not parts[1]:
                sys.exit(f'{path}:{n}: want NAME | LISTENERS | SCAN ARGUMENTS')
            cases.append((parts[0], parts[1].split(), parts[2].split()))
    return cases


def start_peer(peer, casedir, tmp, listeners):
    p = subprocess.Popen([peer, 'serve', casedir, tmp] + listeners, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ports, ca, buf = {}, None, b''
    fd = p.stdout.fileno()
    while True:
        while b'\n' not in buf:
            r, _, _ = select.select([fd], [], [], PEER_READY_S)
            chunk = os.read(fd, 4096) if r else b''
            if not chunk:
                p.kill()
                err = p.stderr.read().decode(errors='replace').strip()
                raise RuntimeError(f'golden-peer did not get ready: {err}')
            buf += chunk
        line, buf = buf.split(b'\n', 1)
        word, _, rest = line.decode().strip().partition(' ')
        if word == 'ready':
            return p, ports, ca
        if word == 'ca':
            ca = rest if rest != '-' else None
        else:
            ports[word] = rest


def normalise(v, subst, key=None):
    if key in VOLATILE_KEYS:
        return '<volatile>'
    if isinstance(v, dict):
        return {k: normalise(x, subst, k) for k, x in v.items()}
    if isinstance(v, list):
        return [normalise(x, subst) for x in v]
    if isinstance(v, str):
        for old, new in subst:
            v = v.replace(old, new)
        return v
    if key == 'port' and isinstance(v, int):
        for old, new in subst:
            if old == f':{v}':
                return new[1:]
    return v


def run_case(mskprobe, peer, root, name, listeners, args, tmp):
    casedir = os.path.join(root, name)
    p, ports, ca = start_peer(peer, casedir, tmp, listeners)
    try:
        argv = []
        for a in args:
            a = a.replace('{ca}', ca or '{ca}')
            for lname, port in ports.items():
                a = a.replace('{' + lname + '}', port)
            argv.append(a)
        out = os.path.join(tmp, 'report.json')
        r = subprocess.run([mskprobe, 'scan'] + argv + ['--format', 'json', '--output', out],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=SCAN_TIMEOUT_S,
                           env=dict(os.environ, MSKPROBE_SCAN_DATE=SCAN_DATE))
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    if r.returncode == 2 or not os.path.exists(out):
        raise RuntimeError(f'scan exit {r.returncode}: {r.stderr.strip()}')
    with open(out, encoding='utf-8') as f:
        report = json.load(f)
    subst = [(f':{port}', f':<{lname}>') for lname, port in ports.items()]
    subst.append((tmp, '<tmp>'))
    got = {'exit': r.returncode, 'report': normalise(report, subst)}
    text = json.dumps(got, indent=2, sort_keys=False, ensure_ascii=True)
    # number lists ([min, max] ranges) on one line: shorter goldens, readable diffs
    text = re.sub(r'\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]',
                  lambda m: '[' + ', '.join(x.strip() for x in m.group(1).split(',')) + ']', text)
    return text + '\n'


def main():
    if len(sys.argv) < 4:
        sys.exit('usage: run.py MSKPROBE GOLDEN-PEER CASEDIR [CASE...]')
    mskprobe, peer, root = sys.argv[1:4]
    only = set(sys.argv[4:])
    update = os.environ.get('UPDATE_GOLDEN') == '1'
    cases = [c for c in parse_cases(os.path.join(root, 'cases.txt')) if not only or c[0] in only]
    print(f'1..{len(cases)}')
    failed = 0
    for i, (name, listeners, args) in enumerate(cases, 1):
        tmp = tempfile.mkdtemp(prefix='golden-probe-')
        try:
            got = run_case(mskprobe, peer, root, name, listeners, args, tmp)
            path = os.path.join(root, name, 'expected.json')
            if update:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(got)
                print(f'ok {i} - {name} # expected.json rewritten')
                continue
            want = open(path, encoding='utf-8').read() if os.path.exists(path) else ''
            if got == want:
                print(f'ok {i} - {name}')
            else:
                failed += 1
                print(f'not ok {i} - {name}: the report differs from expected.json')
                diff = difflib.unified_diff(want.splitlines(), got.splitlines(), 'expected',
                                            'got', lineterm='', n=2)
                for line in list(diff)[:60]:
                    print(f'#   {line}')
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as e:
            failed += 1
            print(f'not ok {i} - {name}: {e}')
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
