#!/usr/bin/env python3
"""The client inventory through the built binary (TAP): capture, scan --capture-file, report
--target-version and diff, on real client captures (tests/interop/clients), and the CLI's
handling of --target-version. usage: clients-cli.py MSKPROBE SRCDIR"""
import json
import os
import subprocess
import sys
import tempfile

mskprobe, src = sys.argv[1], sys.argv[2]
clients = os.path.join(src, "tests/interop/clients")
NODE = os.path.join(clients, "kafka-node-5.0.0__kafka-4.1.2.pcap")
JAVA = os.path.join(clients, "java-4.1.2__kafka-4.1.2.pcap")
n = failed = 0


def ok(cond, what, diag=""):
    global n, failed
    n += 1
    failed += not cond
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        for line in str(diag).splitlines()[:20]:
            print("#   " + line)


def run(*args):
    p = subprocess.run([mskprobe] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def port_of(pcap):
    with open(pcap[:-5] + ".json") as f:
        return json.load(f)["broker_port"]


def newest_default():
    """The newest feature release of the MSK catalogue, then its newest patch in kafka-accepted.tsv."""
    rels = [l.split("\t")[1] for l in open(os.path.join(src, "probe/data/msk-versions.tsv"))
            if l.strip() and not l.startswith("#")]
    key = lambda v: tuple(int(x) for x in v.split("."))
    top = max(rels, key=key)
    patches = [p for l in open(os.path.join(src, "base/data/kafka-accepted.tsv"))
               if l.strip() and not l.startswith("#") for p in l.split("\t")[0].split(",")
               if p.startswith(top + ".")]
    return max(patches, key=key)


with tempfile.TemporaryDirectory() as work:
    # capture: the default target, text and JSON
    rc, out, err = run("capture", "-r", NODE)
    cap = json.loads(out)
    want = newest_default()
    ok(cap["client_inventory"]["target_version"] == want,
       "capture: the default target is the newest MSK release's newest listed patch (%s)" % want,
       cap["client_inventory"])
    rc, out, err = run("capture", "-r", NODE, "--target-version", "4.0.0", "--format", "text")
    ok(rc == 1 and "incompatible with 4.0.0: Produce v2 (accepts v3+)" in out and "kafka-node-client" in out,
       "capture --format text: the client, what it used and why 4.0.0 rejects it", out[-1500:])
    for bad in ("5.0", "4.x", "4.1.1", "abc", ""):
        rc, out, err = run("capture", "-r", NODE, "--target-version", bad)
        ok(rc == 2 and "--target-version" in err and err.count("\n") == 1,
           "capture --target-version '%s': exit 2, one line naming the option" % bad, "%d %s" % (rc, err))
    rc, out, err = run("scan", "--bootstrap", "127.0.0.1:9", "--target-version", "9.9")
    ok(rc == 2 and "--target-version" in err, "scan --target-version 9.9: exit 2 before any probe", err)

    # scan: the capture's clients join the cluster whose endpoint they reached
    before, after = os.path.join(work, "before.json"), os.path.join(work, "after.json")
    common = ["--name", "orders", "--no-discovery", "--timeout-ms", "300", "--format", "json",
              "--target-version", "4.0"]
    rc, out, err = run("scan", "--bootstrap", "127.0.0.1:%d" % port_of(NODE), "--capture-file", NODE,
                       "--output", before, *common)
    r = json.load(open(before))
    c = r["clusters"][0]
    ids = [f["id"] for f in c["findings"]]
    ok(r["policy"]["target_version"] == "4.0.2", "scan: --target-version 4.0 means 4.0.2", r["policy"])
    ok([x["client_id"] for x in c["clients"]] == ["kafka-node-client"] and "clients" not in c["capture"],
       "scan: the cluster's inventory holds the capture's client (moved out of the capture section)",
       json.dumps(c["clients"])[:800])
    ok("CLIENT_INCOMPATIBLE_WITH_TARGET" in ids and "CLIENT_PLAINTEXT_IN_USE" in ids and
       ids.count("CLIENT_INCOMPATIBLE_WITH_TARGET") == 1,
       "scan: one CLIENT_INCOMPATIBLE_WITH_TARGET and CLIENT_PLAINTEXT_IN_USE", ids)
    rc, out, err = run("scan", "--bootstrap", "127.0.0.1:%d" % port_of(JAVA), "--capture-file", JAVA,
                       "--output", after, *common)
    a = json.load(open(after))["clusters"][0]
    ok(sorted(x["software_name"] + " " + x["software_version"] for x in a["clients"]) ==
       ["apache-kafka-java 4.1.2"] * 2 and "CLIENT_INCOMPATIBLE_WITH_TARGET" not in
       [f["id"] for f in a["findings"]], "scan: the Java 4.1.2 clients fit 4.0.2", json.dumps(a["clients"])[:800])
    # a scan without a capture or --target-version says nothing of clients
    rc, out, err = run("scan", "--bootstrap", "127.0.0.1:9", "--no-discovery", "--timeout-ms", "300",
                       "--format", "json")
    plain = json.loads(out)
    ok(plain["policy"]["target_version"] is None and plain["clusters"][0]["clients"] is None,
       "scan without a client source: no target, clients null", plain["policy"])

    # report: every format shows the inventory; --target-version judges it again
    rc, out, err = run("report", before, "--format", "md")
    ok("| 127.0.0.1 kafka-node-client | - |" in out and "Verdict for 4.0.2" in out,
       "report --format md: the clients table", out[-1200:])
    rc, out, err = run("report", before, "--format", "html")
    ok("<h3>Clients (1)</h3>" in out and "kafka-node-client" in out and "incompatible with 4.0.2" in out,
       "report --format html: the clients table", out[-600:])
    rc, out, err = run("report", before, "--format", "text")
    ok("clients (1; judged against Kafka 4.0.2)" in out, "report --format text: the clients block", out[-900:])
    rc, out, err = run("report", before, "--target-version", "3.9", "--format", "json")
    rj = json.loads(out)
    rc_ = rj["clusters"][0]
    ok(rj["policy"]["target_version"] == "3.9.0" and "3.9.0" in rj["provenance"]["rejudged"] and
       rc_["clients"][0]["target"]["compatible"] is True and
       "CLIENT_INCOMPATIBLE_WITH_TARGET" not in [f["id"] for f in rc_["findings"]] and
       rj["summary"]["findings"] == len(rc_["findings"]),
       "report --target-version 3.9: judged again, the incompatibility finding goes, the summary follows",
       json.dumps(rj["policy"]) + json.dumps(rc_["findings"])[:600])
    rc, out, err = run("report", before, "--target-version", "4.0.0", "--format", "json")
    rj = json.loads(out)
    rej = [(x["api"], x["version"]) for x in rj["clusters"][0]["clients"][0]["target"]["rejected"]]
    ok(("JoinGroup", 0) in rej, "report --target-version 4.0.0: JoinGroup v0 rejected too (4.0.0 only)", rej)

    # diff: the legacy client gone, the new ones there
    rc, out, err = run("diff", before, after, "--format", "json")
    d = json.loads(out)
    cd = d["clusters"][0].get("clients") or {}
    ok(cd.get("disappeared") == ["127.0.0.1 kafka-node-client [-] (capture)"] and len(cd.get("appeared", [])) == 2,
       "diff: kafka-node-client gone, two Java clients appeared", json.dumps(cd))
    rc, out, err = run("diff", before, after, "--format", "text")
    ok("client gone: 127.0.0.1 kafka-node-client" in out and "client appeared: " in out,
       "diff --format text: the client changes", out[-900:])
    rc, out, err = run("diff", after, before, "--format", "json")
    d = json.loads(out)
    regs = d["clusters"][0]["regressions"]
    ok(d["regressed"] is True and "a client no longer fits the target release" in regs,
       "diff after -> before: an incompatible client appearing is a regression", regs)
print("1..%d" % n)
sys.exit(1 if failed else 0)
