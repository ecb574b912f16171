#!/usr/bin/env python3
"""Interop suite, client captures: replays the kept captures of real Kafka
clients talking to real Apache Kafka brokers (tests/interop/clients/*.pcap,
recorded by scripts/interop/record-clients.sh, described by their JSON
sidecars) through `mskprobe capture -r`, and checks today's behaviour. TAP on
stdout.

usage: clients.py MSKPROBE SOURCE_ROOT

Per capture:
  - the sidecar names the client, its version, the broker release and the
    PLAINTEXT listener, and the capture is small (snap length, few messages);
  - an independent decoder (kafka_requests.py) finds the same request kinds,
    client ids and KIP-511 software name/version as the sidecar recorded, and
    the message values really are in the capture (so the payload check below
    can fail);
  - mskprobe capture -r (JSON and text) exits 1 with
    KAFKA_PLAINTEXT_TRAFFIC_OBSERVED, every flow to the broker port that
    carried a request is kafka-plaintext, the finding names the client host
    and the broker endpoint, and no message value, topic or group name from
    the payload appears in either output.
The client inventory (request headers, KIP-511 names) is not a product feature
yet; when it lands, its assertions go here.

Exit 77 with one loud line when there are no kept captures; with
MSKPROBE_INTEROP_REQUIRED=1 that is a failure. No network: files only.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kafka_requests  # noqa: E402

# What each client said about itself in ApiVersions v3+ (KIP-511), as seen in the
# recorded captures; clients before KIP-511 send ApiVersions v0-v2 and say nothing.
KIP511 = {
    "java-2.0.1": [],
    "java-3.9.2": [{"name": "apache-kafka-java", "version": "3.9.2"}],
    "java-4.1.2": [{"name": "apache-kafka-java", "version": "4.1.2"}],
    "kcat-1.7.1": [{"name": "librdkafka", "version": "2.0.2"}],
    "kafka-python-2.0.2": [],
    "kafka-python-3.0.12": [{"name": "kafka-python", "version": "3.0.12"}],
    "confluent-kafka-2.16.1": [{"name": "confluent-kafka-python", "version": "2.16.1-rdkafka-2.16.0"}],
    "kafkajs-2.2.4": [],
    "kafka-node-5.0.0": [],
    "franz-go-1.22.3": [{"name": "kgo", "version": "v1.22.3"}],
}
# Requests that Kafka 4.x no longer serves (KIP-896): the broker closes the connection.
UNANSWERED = {
    "kafka-node-5.0.0__kafka-4.1.2": ["ListOffsets v0 (connection closed by the broker)",
                                      "Produce v2 (connection closed by the broker)"],
}
MAX_PCAP = 256 * 1024  # a kept vector stays small
RUN_TIMEOUT = 60
ENV = dict(os.environ)
ENV.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc), flush=True)
        if not cond:
            self.failed += 1
            for d in str(diag or "").splitlines()[:40]:
                print("#   " + d, flush=True)
        return cond


    def skip_(self, desc, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why), flush=True)


T = Tap()


def capture(mskprobe, pcap, fmt, work, extra=()):
    out = os.path.join(work, "cap." + fmt)
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([mskprobe, "capture", "-r", pcap, "--format", fmt, "-o", out] + list(extra),
                       stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=RUN_TIMEOUT, env=ENV)
    text = ""
    if os.path.exists(out):
        with open(out, errors="replace") as f:
            text = f.read()
    return p.returncode, text + p.stdout, p.stderr


def check(mskprobe, pcap, work):
    name = os.path.basename(pcap)[:-5]
    side = pcap[:-5] + ".json"
    try:
        with open(side) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        T.ok(False, "%s: sidecar readable" % name, e)
        return
    port = meta.get("broker_port")
    T.ok(meta.get("client") and meta.get("client_version") and meta.get("broker_release") and
         meta.get("listener") == "PLAINTEXT" and isinstance(port, int) and
         name == "%s-%s__kafka-%s" % (meta["client"], meta["client_version"], meta["broker_release"]),
         "%s: sidecar names client, version, broker release and the PLAINTEXT listener" % name, json.dumps(meta)[:300])
    size = os.path.getsize(pcap)
    T.ok(0 < size <= MAX_PCAP, "%s: capture is small (%d bytes)" % (name, size))

    # the independent decoder agrees with what was recorded
    conns = kafka_requests.decode(pcap, port)
    s = kafka_requests.summary(conns)
    saw = meta.get("broker_saw") or {}
    T.ok(s["requests"] == saw.get("requests") and s["client_ids"] == saw.get("client_ids") and
         s["kip511"] == saw.get("kip511") and s["unanswered"] == saw.get("unanswered"),
         "%s: decoded requests, client ids, KIP-511 names and unanswered requests equal the sidecar" % name,
         "decoded %s\nsidecar %s" % (json.dumps(s), json.dumps(saw)))
    key = "%s-%s" % (meta["client"], meta["client_version"])
    if key in KIP511:
        T.ok(s["kip511"] == KIP511[key], "%s: KIP-511 software name/version %s" % (name, KIP511[key] or "none"),
             "decoded %s" % s["kip511"])
    else:
        T.skip_("%s: KIP-511 name" % name, "no expectation for %s in clients.py yet" % key)
    T.ok(s["unanswered"] == UNANSWERED.get(name, []),
         "%s: requests the broker did not answer: %s" % (name, UNANSWERED.get(name) or "none"),
         "decoded %s" % s["unanswered"])
    T.ok(s["connections"] > 0 and any(k.startswith(("ApiVersions", "Metadata")) for k in s["requests"]),
         "%s: the client spoke Kafka to the broker (%d connections, %d request kinds)" %
         (name, s["connections"], len(s["requests"])), json.dumps(s))
    with open(pcap, "rb") as f:
        raw = f.read()
    secret = [b"interop-message-"]
    topic = "topic-%s-%s" % (meta["client"], meta["client_version"].replace(".", "-"))
    group = "group-%s-%s" % (meta["client"], meta["client_version"].replace(".", "-"))
    words = [w for w in (topic, group) if w.encode() in raw]
    produced = "Produce" in " ".join(s["requests"])
    if produced:
        T.ok(secret[0] in raw, "%s: message values are in the capture (the payload check can fail)" % name)
    T.ok(topic.encode() in raw, "%s: the topic name is in the capture" % name)

    # mskprobe capture -r, JSON
    rc, out, err = capture(mskprobe, pcap, "json", work)
    try:
        rep = json.loads(out[:out.rindex("}") + 1]) if out else {}
    except ValueError:
        rep = {}
    T.ok(rc == 1 and rep, "%s: mskprobe capture -r exits 1 (plaintext found) with a JSON report" % name,
         "exit %s, stderr %s" % (rc, err[-400:]))
    server = "127.0.0.1:%d" % port
    flows = rep.get("flows") or []
    broker_flows = [f for f in flows if f.get("server") == server]
    req_conns = [c for c in conns if c["requests"]]
    classified = [f for f in broker_flows if f.get("class") == "kafka-plaintext"]
    T.ok(req_conns and len(classified) == len(req_conns) and
         {f["client"] for f in classified} == {c["client"] for c in req_conns},
         "%s: each of the %d connections that carried requests is one kafka-plaintext flow" % (name, len(req_conns)),
         json.dumps(broker_flows)[:1500])
    fnd = [f for f in rep.get("findings") or [] if f.get("id") == "KAFKA_PLAINTEXT_TRAFFIC_OBSERVED"]
    ev = (fnd[0].get("evidence") or {}) if fnd else {}
    pairs = [(p.get("client"), p.get("server")) for p in ev.get("pairs") or []]
    T.ok(pairs == [("127.0.0.1", server)] and ev.get("flows") == len(classified),
         "%s: KAFKA_PLAINTEXT_TRAFFIC_OBSERVED names the pair 127.0.0.1 -> %s (%d flows)" % (name, server, len(classified)),
         json.dumps(fnd)[:1500])
    # text too
    rc2, out2, err2 = capture(mskprobe, pcap, "text", work)
    T.ok(rc2 == 1 and "KAFKA_PLAINTEXT_TRAFFIC_OBSERVED" in out2, "%s: text report names the finding" % name,
         "exit %s %s" % (rc2, err2[-300:]))
    # A client id is the client's own label from the request header, and the inventory reports it; the Java
    # consumer builds its default one from the group ("consumer-<group>-1"). Only there may a group name appear.
    def scrub(t):
        for cid in sorted(s["client_ids"], key=len, reverse=True):
            t = t.replace(json.dumps(cid)[1:-1], "").replace(cid, "")
        return t
    leaked = [w for w in ["interop-message-"] + words
              if any(w in scrub(t) for t in (out, out2, err, err2))]
    T.ok(not leaked, "%s: no payload bytes (message values, topic, group) in mskprobe's output" % name,
         "found %s" % leaked)
    inventory(mskprobe, pcap, name, s, work)
    # the same traffic through AWS VPC Traffic Mirroring: every frame wrapped in VXLAN (UDP 4789)
    wrapped = os.path.join(work, "vxlan.pcap")
    vxlan_wrap(pcap, wrapped, vni=4242)
    inventory(mskprobe, wrapped, name + " (VXLAN)", s, work)


def vxlan_wrap(src, dst, vni):
    """Each Ethernet frame of src inside outer Ethernet/IPv4/UDP 4789/VXLAN (RFC 7348), as a mirror sends it."""
    import struct
    with open(src, "rb") as f:
        data = f.read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4 and struct.unpack("<I", data[20:24])[0] == 1
    out = [data[:16] + struct.pack("<I", 65535) + data[20:24]]
    off = 24
    while off + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        vx = struct.pack(">BBHI", 0x08, 0, 0, vni << 8)
        udp_len = 8 + len(vx) + wirelen
        udp = struct.pack(">HHHH", 49152, 4789, udp_len, 0)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0,
                         bytes([127, 0, 0, 10]), bytes([127, 0, 0, 11]))
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
        outer = eth + ip + udp + vx
        out.append(struct.pack("<IIII", sec, usec, len(outer) + len(frame), len(outer) + wirelen) + outer + frame)
    with open(dst, "wb") as f:
        f.write(b"".join(out))


# clients a Kafka 4.0.0 broker rejects (docs/interop.md: kafka-node fails on 4.1.2 already)
INCOMPATIBLE_4_0_0 = {"kafka-node-client"}


def inventory(mskprobe, pcap, name, s, work):
    """The client inventory of one capture against the independent decoder's reading (issue 11)."""
    rc, out, err = capture(mskprobe, pcap, "json", work, ["--target-version", "4.0.0"])
    try:
        rep = json.loads(out[:out.rindex("}") + 1]) if out else {}
    except ValueError:
        rep = {}
    clients = rep.get("clients") or []
    T.ok(rc == 1 and clients, "%s: inventory: a JSON report with clients" % name, "exit %s %s" % (rc, err[-300:]))
    T.ok(sorted({c.get("client_id") for c in clients}) == sorted(s["client_ids"]),
         "%s: inventory: every client id the decoder found, no other (%s)" % (name, ", ".join(s["client_ids"])),
         json.dumps([c.get("client_id") for c in clients]))
    names = sorted({(c["software_name"], c["software_version"]) for c in clients if c.get("software_name")})
    T.ok(names == sorted({(k["name"], k["version"]) for k in s["kip511"]}),
         "%s: inventory: KIP-511 libraries %s" % (name, names or "none"), json.dumps(s["kip511"]))
    ours = {}
    total = 0
    for c in clients:
        for r in c.get("requests") or []:
            for v in r.get("versions") or []:
                ours.setdefault((r["api_key"], r.get("api")), set()).add(v)
            total += r.get("count", 0)
    want = set()
    for k in s["requests"]:
        api, _, v = k.rpartition(" v")
        want.add((api, int(v)))
    got = {(api if ("key%d" % key) != api and api else "key%d" % key, v)
           for (key, api), vs in ours.items() for v in vs}
    # the decoder names keys it knows, "keyN" the others
    got = {(a if a in {w[0] for w in want} else "key%d" % [k for (k, n) in ours if n == a][0], v) for a, v in got}
    T.ok(got == want, "%s: inventory: the request kinds and versions used (%d kinds)" % (name, len(want)),
         "ours %s\ndecoder %s" % (sorted(got), sorted(want)))
    T.ok(total == sum(s["requests"].values()), "%s: inventory: %d requests counted" % (name, total),
         "ours %d, decoder %d" % (total, sum(s["requests"].values())))
    verdicts = {c.get("client_id"): (c.get("target") or {}).get("compatible") for c in clients}
    want_v = {cid: (False if cid in INCOMPATIBLE_4_0_0 else None if any(
        (c.get("role") == "broker") for c in clients if c.get("client_id") == cid) else True)
              for cid in verdicts}
    T.ok(verdicts == want_v, "%s: inventory: 4.0.0 verdicts %s" % (name, verdicts), json.dumps(clients)[:1500])
    inc = [f for f in rep.get("findings") or [] if f.get("id") == "CLIENT_INCOMPATIBLE_WITH_TARGET"]
    named = sorted(c.get("client_id") for f in inc for c in (f.get("evidence") or {}).get("clients") or [])
    T.ok(named == sorted(INCOMPATIBLE_4_0_0 & set(verdicts)),
         "%s: inventory: CLIENT_INCOMPATIBLE_WITH_TARGET names exactly %s" % (name, named or "nobody"),
         json.dumps(inc)[:800])
    if "kafka-node-client" in verdicts:
        rej = [(r["api"], r["version"], r["min_accepted"]) for c in clients
               for r in (c.get("target") or {}).get("rejected") or []]
        T.ok(("Produce", 2, 3) in rej and ("ListOffsets", 0, 1) in rej and ("JoinGroup", 0, 2) in rej,
             "%s: inventory: kafka-node's Produce v2, ListOffsets v0 and JoinGroup v0 are what 4.0.0 rejects" % name,
             json.dumps(rej))


def main():
    if len(sys.argv) != 3:
        print("usage: clients.py MSKPROBE SOURCE_ROOT", file=sys.stderr)
        return 2
    mskprobe, src = sys.argv[1], sys.argv[2]
    pcaps = sorted(glob.glob(os.path.join(src, "tests/interop/clients/*.pcap")))
    if not pcaps:
        print("INTEROP SKIP: no client captures in tests/interop/clients (scripts/interop/record-clients.sh)",
              file=sys.stderr)
        print("1..0 # SKIP no client captures")
        return 1 if os.environ.get("MSKPROBE_INTEROP_REQUIRED") == "1" else 77
    with tempfile.TemporaryDirectory(prefix="interop-clients.") as work:
        for p in pcaps:
            check(mskprobe, p, work)
    print("1..%d" % T.n)
    print("# %d passed, %d failed" % (T.n - T.failed, T.failed))
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
