#!/usr/bin/env python3
"""Interop (suite 'interop'): MSK Open Monitoring for real. A Kafka 3.7.2
broker (KRaft; PLAINTEXT and SSL listeners, scripts/interop/broker.sh) runs
the real Prometheus JMX exporter (io.prometheus.jmx:jmx_prometheus_javaagent
0.20.0 from Maven Central, default rules, on a loopback port) as MSK does
on 11001; real clients hold connections: kcat (Debian's librdkafka, KIP-511
name "librdkafka") on PLAINTEXT and on SSL, and kafka-python 2.0.2 (sends
no KIP-511 name: "unknown") on PLAINTEXT when its interop venv is there.
Then `mskprobe scan --open-monitoring=PORT --format json`:
  - the broker's open_monitoring status is ok, with bytes and samples
  - clients[] has librdkafka with the SSL listener as "tls" and the
    PLAINTEXT listener as "plaintext"; the unknown client is plaintext
  - a port nobody serves on a broker that answers is not_enabled
MSKPROBE_INTEROP_UPDATE_VECTORS=1 rewrites the trimmed real scrape in
tests/interop/openmon/ (the golden vector of tests/test-om.c).
Exit 77 (loud) when Java, the jars or Maven Central are missing, 1 then
when MSKPROBE_INTEROP_REQUIRED=1. TAP on stdout.

usage: openmon.py MSKPROBE SOURCE_ROOT
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

KAFKA = "3.7.2"
AGENT = "0.20.0"
CACHE = os.environ.get("MSKPROBE_INTEROP_CACHE", os.path.expanduser("~/.cache/mskprobe-interop"))
KPY = os.path.join(CACHE, "clients", "py-kafka-python-2.0.2", "bin", "python")
VECTOR = "kafka-3.7.2-jmx-exporter-0.20.0.prom"
N = 0
FAILED = 0


def ok(cond, desc, diag=None):
    global N, FAILED
    N += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", N, desc), flush=True)
    if not cond:
        FAILED += 1
        for d in str(diag or "").splitlines()[-40:]:
            print("#   " + d, flush=True)
    return cond


def loud_skip(reason):
    print("1..0 # SKIP " + reason, flush=True)
    print("INTEROP SKIP: " + reason, file=sys.stderr, flush=True)
    sys.exit(1 if os.environ.get("MSKPROBE_INTEROP_REQUIRED") == "1" else 77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        return r.read()


def trim(body):
    """The first 60 lines (JVM metrics, as served) and every line of the families read."""
    fams = ("kafka_server_socket_server_metrics_connections", "kafka_server_socket_server_metrics_connection_count",
            "kafka_network_RequestMetrics_Count", "kafka_network_RequestMetrics_MeanRate")
    keep = []
    for i, l in enumerate(body.split(b"\n")):
        if i < 60:
            keep.append(l)
            continue
        t = l.split(b" ")
        name = t[2] if l.startswith(b"#") and len(t) > 2 else l.split(b"{")[0].split(b" ")[0]
        if name.decode() in fams:
            if b"RequestMetrics" in name and not l.startswith(b"#") and b"Deprecated" not in l:
                continue
            keep.append(l)
    return b"\n".join(keep) + b"\n"


def main():
    mskprobe, src = sys.argv[1], sys.argv[2]
    broker_sh = os.path.join(src, "scripts/interop/broker.sh")
    f = subprocess.run([os.path.join(src, "scripts/interop/fetch-kafka.sh"), KAFKA],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
    if f.returncode != 0:
        loud_skip("Kafka %s jars not available: %s" % (KAFKA, f.stdout.strip().splitlines()[-1:]))
    j = subprocess.run([os.path.join(src, "scripts/interop/fetch-jmx-exporter.sh"), AGENT],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900)
    if j.returncode != 0:
        loud_skip("jmx_prometheus_javaagent %s not available: %s" % (AGENT, j.stderr.strip()))
    jar = j.stdout.strip()
    kcat = subprocess.run(["sh", "-c", "command -v kcat || command -v kafkacat"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    if not kcat:
        loud_skip("kcat is not installed (apt-get install kcat)")

    work = tempfile.mkdtemp(prefix="interop-openmon.")
    d = os.path.join(work, "broker")
    cfg = os.path.join(work, "jmx.yaml")
    with open(cfg, "w") as fh:
        fh.write("lowercaseOutputName: false\n")  # the default rules, as MSK serves them
    jport = free_port()
    env = dict(os.environ, BROKER_JAVAAGENT="%s=127.0.0.1:%d:%s" % (jar, jport, cfg))
    procs = []
    try:
        s = subprocess.run([broker_sh, "start", d, KAFKA, "kraft"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300, env=env)
        if s.returncode == 77:
            loud_skip("broker.sh: " + (s.stdout.strip().splitlines() or ["skipped"])[-1])
        if not ok(s.returncode == 0, "Kafka %s with jmx_prometheus_javaagent %s started" % (KAFKA, AGENT), s.stdout):
            return
        e = read_env(os.path.join(d, "broker.env"))
        pp, ps = e["BROKER_PLAINTEXT"], e["BROKER_SSL"]
        # clients that stay connected while the scan runs
        procs.append(subprocess.Popen("sleep 120 | exec %s -P -b %s -t om-plain" % (kcat, pp), shell=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen("sleep 120 | exec %s -P -b %s -X security.protocol=ssl "
                                      "-X ssl.ca.location=%s -t om-ssl" % (kcat, ps, e["CA"]), shell=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        have_kpy = os.access(KPY, os.X_OK)
        if have_kpy:
            code = ("import sys,time\nfrom kafka import KafkaConsumer\n"
                    "c=KafkaConsumer(bootstrap_servers=sys.argv[1])\nc.topics()\ntime.sleep(110)\n")
            procs.append(subprocess.Popen([KPY, "-c", code, pp], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        else:
            print("# kafka-python 2.0.2 venv not in %s: the unknown client is not checked" % KPY, flush=True)
        body, deadline = b"", time.time() + 60
        while time.time() < deadline:
            body = scrape(jport)
            lines = [l for l in body.split(b"\n") if l.startswith(b"kafka_server_socket_server_metrics_connections{")
                     and not l.endswith(b" 0.0")]
            rdk = [l for l in lines if b'clientSoftwareName="librdkafka"' in l]
            unk = [l for l in lines if b'clientSoftwareName="unknown"' in l and b'listener="PLAINTEXT"' in l]
            if len(rdk) >= 2 and (unk or not have_kpy):
                break
            time.sleep(1)
        ok(len(rdk) >= 2, "the exporter shows librdkafka's connections (kcat on PLAINTEXT and SSL)",
           b"\n".join(lines).decode(errors="replace"))
        if os.environ.get("MSKPROBE_INTEROP_UPDATE_VECTORS") == "1":
            with open(os.path.join(src, "tests/interop/openmon", VECTOR), "wb") as fh:
                fh.write(trim(body))
            print("# wrote tests/interop/openmon/" + VECTOR, flush=True)
        port = pp.rsplit(":", 1)[1]
        out = os.path.join(work, "scan.json")
        p = subprocess.run([mskprobe, "scan", "--bootstrap", "127.0.0.1:" + port, "--open-monitoring=%d" % jport,
                            "--format", "json", "--output", out, "--timeout-ms", "5000"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        try:
            rep = json.load(open(out))
        except (OSError, ValueError) as ex:
            ok(False, "mskprobe scan wrote a JSON report", "%s\n%s" % (ex, p.stderr))
            return
        c = rep["clusters"][0]
        om = c.get("open_monitoring")
        if not ok(isinstance(om, list) and len(om) == 1, "one open_monitoring status for the one broker",
                  "open_monitoring: %r (the JSON renderer must write the model's open_monitoring and clients)"
                  % (om,)):
            return
        ok(om[0]["status"] == "ok" and om[0]["bytes"] > 10000 and om[0]["samples"] > 1000,
           "the scrape is ok, with its bytes and samples", json.dumps(om[0]))
        clients = c.get("clients") or []
        diag = json.dumps(clients, indent=1)
        rdk = [x for x in clients if x["software_name"] == "librdkafka" and x["source"] == "open-monitoring"]
        ok(len(rdk) == 1, "librdkafka reported once, by its KIP-511 name", diag)
        if rdk:
            lis = {l["listener"]: l for l in rdk[0]["listeners"]}
            ok(lis.get("SSL", {}).get("security") == "tls", "its SSL listener: tls", diag)
            ok(lis.get("PLAINTEXT", {}).get("security") == "plaintext", "its PLAINTEXT listener: plaintext", diag)
            ok(rdk[0]["plaintext"] is True, "librdkafka uses plaintext (kcat on PLAINTEXT)", diag)
            ok("127.0.0.1:" + port in rdk[0]["servers"], "its server is the broker scraped", diag)
        if have_kpy:
            unk = [x for x in clients if x["software_name"] is None]
            ok(len(unk) == 1 and unk[0]["plaintext"] is True and
               any(l["listener"] == "PLAINTEXT" for l in unk[0]["listeners"]),
               "kafka-python 2.0.2 (no KIP-511 name): software null, on PLAINTEXT, plaintext", diag)
            ok(unk and any(r["api"] == "Metadata" and r["deprecated"] for r in unk[0]["requests"]),
               "its deprecated Metadata requests (DeprecatedRequestsPerSec, 3.7+)", diag)
        # a port nobody serves, on a broker that answers: not_enabled
        p = subprocess.run([mskprobe, "scan", "--bootstrap", "127.0.0.1:" + port,
                            "--open-monitoring-port", str(free_port()), "--no-discovery",
                            "--format", "json", "--output", out, "--timeout-ms", "3000"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        om = json.load(open(out))["clusters"][0].get("open_monitoring") or [{}]
        ok(om[0].get("status") == "not_enabled" and "127.0.0.1:" + port in (om[0].get("reason") or ""),
           "Open Monitoring off (refused, broker answers): not_enabled, reason names the broker", json.dumps(om))
    finally:
        for pr in procs:
            pr.kill()
            pr.wait()
        subprocess.run([broker_sh, "stop", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    print("1..%d" % N, flush=True)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
