#!/usr/bin/env python3
"""Driver of scripts/interop/anchors.sh (see there). Starts each broker with
broker.sh, runs every tool MSKPROBE_ANCHORS_REPEAT times per listener kind,
judges what each named against the release, prints the markdown table.
Every broker is stopped on exit (finally, atexit, SIGINT/SIGTERM); every tool
run is bounded (TOOL_TIMEOUT)."""
import atexit
import collections
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.dirname(HERE)
CACHE = os.environ.get("MSKPROBE_INTEROP_CACHE", os.path.expanduser("~/.cache/mskprobe-interop"))
C = os.path.join(CACHE, "clients")
REPEAT = int(os.environ.get("MSKPROBE_ANCHORS_REPEAT", "3"))
TOOL_TIMEOUT = 30  # a tool that has not answered by then is recorded as timed out (and not run again)
STARTED = []
CHILD = []  # the broker.sh start in progress, ended first on a signal


def versions_env():
    v = {}
    with open(os.path.join(HERE, "versions.env")) as f:
        for line in f:
            m = re.match(r'^([A-Z_]+)="?([^"#]*)"?', line.strip())
            if m:
                v[m.group(1)] = m.group(2).strip()
    return v


VERS = versions_env()
KP = VERS["KAFKA_PYTHON"].split()

CHECK_VERSION = r'''
# kafka-python's own broker version check: KafkaClient.check_version() (1.x, 2.x); 3.x has no
# KafkaClient and detects the version when a client starts with api_version=None (the default).
import sys, kafka
args = dict(bootstrap_servers=sys.argv[1], security_protocol=sys.argv[2], request_timeout_ms=10000)
if sys.argv[3]:
    args["ssl_cafile"] = sys.argv[3]
try:
    from kafka.client_async import KafkaClient
except ImportError:
    KafkaClient = None
if KafkaClient is not None:
    c = KafkaClient(**args)
    try:
        v = c.check_version()
    finally:
        c.close()
else:
    a = kafka.KafkaAdminClient(api_version=None, **args)
    try:
        v = a._manager.broker_version
    finally:
        a.close()
print("version", ".".join(map(str, v)))
'''


def run(cmd, env=None):
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                           timeout=TOOL_TIMEOUT, env=env)
        rc, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        rc, out = -1, "timed out after %d s" % TOOL_TIMEOUT
    return rc, out, time.monotonic() - t0


def judge_release(named, rel):
    """named 'X.Y[.Z]' -> right/wrong against release X.Y.Z."""
    fr = ".".join(rel.split(".")[:2])
    return ("right" if named in (rel, fr) or named.startswith(fr + ".") else "wrong"), named


def fail_kind(kind):
    return {"sasl": "needs credentials", "mtls": "needs a certificate"}.get(kind, "nothing (error)")


# ---------------------------------------------------------------- the tools: (kind, listener env) -> (verdict, detail) | None (n/a)
def t_kcl(e, kind, port_key, rel, work):
    """kcl misc probe-version; kcl itself when on PATH, else bin/probe-version (its logic, franz-go kversion)."""
    if kind == "zk":
        return None
    kcl = shutil.which("kcl")
    if kcl:
        cmd = [kcl, "--no-config-file", "-X", "seed_brokers=" + e[port_key]]
        if kind != "plain":
            cmd += ["-X", "tls_ca_cert_path=" + e["CA"]]
        cmd += ["misc", "probe-version"]
    else:
        pv = os.path.join(C, "bin", "probe-version")
        if not os.access(pv, os.X_OK):
            return None
        cmd = [pv, e[port_key]] + ([] if kind == "plain" else [e["CA"]])

    def j(rc, out):
        m = re.search(r"v(\d+\.\d+(?:\.\d+)?)", out)
        if rc == 0 and m:
            v, _ = judge_release(m.group(1), rel)
            return v, out.strip().splitlines()[-1]
        return fail_kind(kind), last_line(out)
    return cmd, j


def t_kpy(ver):
    def f(e, kind, port_key, rel, work):
        py = os.path.join(C, "py-kafka-python-" + ver, "bin", "python")
        if not os.access(py, os.X_OK) or kind == "zk":
            return None
        proto = "PLAINTEXT" if kind == "plain" else "SSL"
        cmd = [py, "-c", CHECK_VERSION, e[port_key], proto, "" if kind == "plain" else e["CA"]]
        return cmd, lambda rc, out: (judge_release(m.group(1), rel) if rc == 0 and (m := re.search(r"^version (\S+)", out, re.M))
                                      else (fail_kind(kind), last_line(out)))
    return f


def t_kcat(e, kind, port_key, rel, work):
    if not shutil.which("kcat") or kind == "zk":
        return None
    cmd = ["kcat", "-L", "-b", e[port_key], "-m", "10"]
    if kind != "plain":
        cmd += ["-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + e["CA"]]

    def j(rc, out):
        if rc == 0 and "broker" in out:
            m = re.search(r"(\d+) brokers?:", out)
            return "nothing", "no version; lists %s broker(s) and the topics" % (m.group(1) if m else "?")
        return fail_kind(kind), last_line(out)
    return cmd, j


def t_sslyze(e, kind, port_key, rel, work):
    py = os.path.join(C, "py-tools", "bin", "python")
    if not os.access(py, os.X_OK) or kind == "plain":
        return None
    target = e[port_key].replace("localhost", "127.0.0.1") if kind == "zk" else e[port_key]
    cmd = [py, "-m", "sslyze", "--certinfo", "--tlsv1_2", "--tlsv1_3", "--certinfo_ca_file=" + e["CA"], target]

    def j(rc, out):
        tls = [v for v in ("TLS 1.2", "TLS 1.3") if re.search(r"\* %s Cipher Suites:\s*\n\s+Attempted.*\n\s+The server accepted" % v, out)]
        req = "REQUIRED" in out or "client certificate" in out.lower() and "required" in out.lower()
        if rc == 0 and ("SCAN COMPLETED" in out or tls):
            d = "TLS only: %s%s" % (", ".join(tls) or "no TLS version accepted", "; client cert required" if req else "")
            return "nothing", d
        return "nothing (error)", last_line(out)
    return cmd, j


def t_mskprobe(e, kind, port_key, rel, work):
    out = os.path.join(work, "scan.json")
    if kind == "zk":  # mskprobe needs a bootstrap too; the ZooKeeper ports are probed beside it
        args = ["--bootstrap", e["BROKER_PLAINTEXT"], "--tls", "off", "--ca-file", e["CA"],
                "--zookeeper", e["ZK_PLAIN"] + "," + e["ZK_TLS"]]
    else:
        args = ["--bootstrap", e[port_key], "--platform", "apache"]
        args += ["--tls", "off"] if kind == "plain" else ["--tls", "on", "--ca-file", e["CA"]]
    cmd = [MSKPROBE, "scan", "--format", "json", "--output", out, "--timeout-ms", "5000"] + args

    def j(rc, _out):
        try:
            with open(out) as f:
                rep = json.load(f)
        except (OSError, ValueError):
            return "nothing (error)", last_line(_out)
        c = (rep.get("clusters") or [{}])[0]
        if kind == "zk":
            tport = int(e["ZK_TLS"].rsplit(":", 1)[1])
            zs = c.get("zookeeper") or []
            zt = json.dumps([z for z in zs if z.get("port") == tport])
            # the version comes from `srvr` on the plaintext port; the TLS port is verified and spoken to
            m = re.search(r"Zookeeper version: (\d+\.\d+\.\d+)", json.dumps(zs))
            speaks = '"speaks_zookeeper": true' in zt
            if speaks and m:
                return "right", "ZooKeeper %s (srvr); TLS port verified, speaks ZooKeeper; verdict %s" % (
                    m.group(1), c.get("verdict"))
            return "nothing", "TLS port %s; verdict %s" % ("speaks ZooKeeper" if speaks else "not confirmed",
                                                          c.get("verdict"))
        k = c.get("kafka") or {}
        b = ((k.get("brokers") or [{}])[0])
        rels = k.get("releases") or (b.get("fingerprint") or {}).get("releases") or []
        if rels:
            v, d = judge_release(rels[0], rel) if len(rels) == 1 else ("right" if ".".join(rel.split(".")[:2]) in rels else "wrong", ",".join(rels))
            extra = [d]
            if k.get("candidates"):
                extra.append("candidates " + ",".join(k["candidates"][:3]))
            if k.get("mode"):
                extra.append(k["mode"])
            if kind == "sasl":
                extra.append("discovery " + str((k.get("discovery") or {}).get("status")))
            return v, "; ".join(extra)
        ti = b.get("tls_info") or {}
        why = "refused: %s" % (b.get("error") or "?")
        if ti.get("client_cert"):
            why += "; client_cert %s" % ti["client_cert"]
        return fail_kind(kind) if kind in ("sasl", "mtls") else "nothing (error)", why
    return cmd, j


def last_line(out):
    lines = [l.strip() for l in out.strip().splitlines() if l.strip()]
    return (lines[-1] if lines else "no output")[:160]


TOOLS = [
    ("kcl misc probe-version", t_kcl),
] + [("kafka-python %s check_version" % v, t_kpy(v)) for v in reversed(KP)] + [
    ("kcat -L", t_kcat),
    ("sslyze", t_sslyze),
    ("mskprobe scan", t_mskprobe),
]
KINDS = [("plaintext", "plain", "BROKER_PLAINTEXT"), ("TLS", "tls", "BROKER_SSL"),
         ("SASL_SSL, no credentials", "sasl", "BROKER_SASL_SSL"), ("mTLS, no certificate", "mtls", "BROKER_MTLS"),
         ("ZooKeeper TLS port", "zk", "ZK_TLS")]


def stop_all():
    while STARTED:
        d = STARTED.pop()
        try:  # each directory is stopped even when another one's stop failed
            subprocess.run([os.path.join(INTEROP, "broker.sh"), "stop", d], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as e:
            print("anchors: broker.sh stop %s: %s" % (d, e), file=sys.stderr)


def on_signal(sig, _f):
    for p in CHILD:
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    stop_all()
    sys.exit(128 + sig)


def env_of(d):
    e = {}
    with open(os.path.join(d, "broker.env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                e[k] = v
    return e


def main():
    global MSKPROBE
    args = sys.argv[1:]
    outfile = None
    if "-o" in args:
        i = args.index("-o")
        outfile = args[i + 1]
        del args[i:i + 2]
    if not args:
        print("usage: anchors.sh MSKPROBE [RELEASE:MODE...] [-o FILE.md]", file=sys.stderr)
        return 2
    MSKPROBE = os.path.abspath(args[0])
    specs = args[1:] or ["2.8.2:zk-tls", "4.1.2:kraft"]
    atexit.register(stop_all)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    work = tempfile.mkdtemp(prefix="mskprobe-anchors.")
    rows, missing = [], []
    try:
        for spec in specs:
            rel, mode = spec.split(":")
            subprocess.run([os.path.join(INTEROP, "fetch-kafka.sh"), rel], check=True, stdout=sys.stderr, timeout=1800)
            d = os.path.join(work, "broker-" + rel)
            STARTED.append(d)
            p = subprocess.Popen([os.path.join(INTEROP, "broker.sh"), "start", d, rel, mode], stdout=sys.stderr)
            CHILD.append(p)
            try:
                rc = p.wait(timeout=300)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = -1
            CHILD.remove(p)
            if rc != 0:
                raise SystemExit("anchors: Kafka %s (%s) did not start" % (rel, mode))
            e = env_of(d)
            only = os.environ.get("MSKPROBE_ANCHORS_KINDS", "").split(",")  # e.g. "zk" (plain,tls,sasl,mtls,zk)
            for label, kind, key in KINDS:
                if not e.get(key) or (only != [""] and kind not in only):
                    continue
                row = {"release": rel, "mode": mode, "listener": label, "cells": {}}
                for name, tool in TOOLS:
                    spec_ = tool(e, kind, key, rel, work)
                    if spec_ is None:
                        row["cells"][name] = None
                        continue
                    cmd, judge = spec_
                    times, verdicts = [], []
                    for _ in range(REPEAT):
                        if os.path.exists(os.path.join(work, "scan.json")):
                            os.unlink(os.path.join(work, "scan.json"))  # never judge a previous run's report
                        rc, out, secs = run(cmd)
                        times.append(secs)
                        verdicts.append(judge(rc, out) if rc != -1 else (fail_kind(kind), out))
                        if rc == -1:
                            break  # timed out: once is enough
                    # the most frequent verdict (with one of its runs' words); differing verdicts are shown
                    top = collections.Counter(x[0] for x in verdicts).most_common(1)[0][0]
                    v = next(x for x in verdicts if x[0] == top)
                    if len({x[0] for x in verdicts}) > 1:
                        v = (v[0] + " (runs differ: %s)" % ", ".join(x[0] for x in verdicts), v[1])
                    row["cells"][name] = (v[0], v[1], statistics.median(times))
                    print("anchors: %s %s %s: %s (%s) %.2f s" % (rel, label, name, v[0], v[1],
                                                                  statistics.median(times)), file=sys.stderr)
                rows.append(row)
            stop_all()
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    for name, tool in TOOLS:
        if all(r["cells"].get(name) is None for r in rows):
            missing.append(name)
    md = table(rows, missing)
    print(md)
    if outfile:
        with open(outfile, "w") as f:
            f.write(md + "\n")
    return 0


def table(rows, missing):
    names = [n for n, _ in TOOLS]
    lines = ["| release | listener | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for r in rows:
        cells = []
        for n in names:
            c = r["cells"].get(n)
            cells.append("n/a" if c is None else "**%s**: %s (%.2f s)" % (c[0], c[1].replace("|", "/"), c[2]))
        lines.append("| %s %s | %s | %s |" % (r["release"], r["mode"], r["listener"], " | ".join(cells)))
    lines.append("")
    lines.append("Wall time: median of %d runs per cell, on this machine (%s). Tool versions: kcl %s, kafka-python %s, "
                 "kcat/librdkafka %s, sslyze %s." % (REPEAT, time.strftime("%Y-%m-%d"), "(probe-version, franz-go " + VERS.get("FRANZ_GO") + ")",
                                                     " and ".join(KP), kcat_version(), VERS.get("SSLYZE")))
    for m in missing:
        lines.append("`%s` was not installed: its column is n/a (scripts/interop/clients-setup.sh)." % m)
    return "\n".join(lines)


def kcat_version():
    try:
        out = subprocess.run(["kcat", "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=10).stdout
        m = re.search(r"version (\S+).*?(librdkafka \S+)", out, re.S | re.I)
        return "%s (%s)" % (m.group(1), m.group(2)) if m else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())
