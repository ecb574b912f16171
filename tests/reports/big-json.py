#!/usr/bin/env python3
# A JSON file under the 64 MiB read cap but with far too many values (a 60 MB
# flat array of 30 million numbers: 2.4 GB as a cJSON tree) is refused by
# every command that reads JSON, with exit 2, one line naming the file and
# the cap, and in bounded memory: the pre-scan counts before cJSON builds
# anything. Peak RSS of each run comes from wait4() of that child alone.
# Before the pre-scan each run peaked at 2.3-2.6 GB (more under ASan).
# Also: verify --manifest hashes a listed artefact (up to 4 GiB, a pcap) as
# it reads it instead of holding it; trend refuses more than
# MP_TREND_REPORTS_MAX reports before reading any; a report with more
# findings in one cluster than MP_REP_FINDINGS_MAX is bad input.
# usage: big-json.py MSKPROBE SRCDIR   (TAP)
import json
import os
import subprocess
import sys
import tempfile

PEAK_MAX_KIB = 256 * 1024  # the 60 MB file itself, ASan's shadow, the binary

mskprobe = sys.argv[1]
srcdir = sys.argv[2]
n = 0
failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + f" {n} - {what}")
    for line in (detail if not cond else "").splitlines()[:5]:
        print("# " + line)


def run(args):
    """exit code, stderr and peak RSS (KiB) of one child."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return p.returncode, err.read().decode("utf-8", "replace"), ru.ru_maxrss


with tempfile.TemporaryDirectory() as t:
    big = os.path.join(t, "big.json")
    with open(big, "wb") as f:
        f.write(b"[")
        chunk = b"0," * (1 << 20)
        for _ in range(30):  # 30 Mi values, 60 MiB
            f.write(chunk)
        f.write(b"0]\n")
    size = os.path.getsize(big)
    ok(50 << 20 < size < 64 << 20, f"test file is {size >> 20} MiB, under the 64 MiB read cap")

    # verify parses the manifest only after its signature checks out: sign it
    key, pub = os.path.join(t, "ed.pem"), os.path.join(t, "ed.pub")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True,
                   stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True)
    subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", big,
                    "-out", big + ".sig"], check=True)

    cases = [
        ("report", [mskprobe, "report", big, "--format", "json"]),
        ("diff", [mskprobe, "diff", big, big]),
        ("trend", [mskprobe, "trend", big]),
        ("verify --manifest", [mskprobe, "verify", big, "--pubkey", pub, "--manifest"]),
        ("scan --inventory", [mskprobe, "scan", "--inventory", big]),
    ]
    for name, args in cases:
        rc, err, peak = run(args)
        lines = [l for l in err.splitlines() if l.strip()]
        ok(rc == 2, f"{name}: exit {rc}, want 2", err)
        ok(len(lines) == 1 and big in lines[0] and "1000000 JSON values" in lines[0]
           and "MP_JSON_VALUES_MAX" in lines[0],
           f"{name}: one line naming the file and the values cap", err)
        ok(peak < PEAK_MAX_KIB, f"{name}: peak RSS {peak >> 10} MiB, under {PEAK_MAX_KIB >> 10} MiB")

    # a manifest listing a 1 GiB artefact (sparse): hashed in 64 KiB pieces
    man = os.path.join(t, "manifest.json")
    with open(man, "w") as f:
        json.dump({"schema": "mskprobe.manifest/1",
                   "files": [{"file": "capture.pcap", "sha256": "0" * 64}]}, f)
    with open(os.path.join(t, "capture.pcap"), "wb") as f:
        f.truncate(1 << 30)
    subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", man,
                    "-out", man + ".sig"], check=True)
    rc, err, peak = run([mskprobe, "verify", man, "--pubkey", pub, "--manifest"])
    ok(rc == 1 and "capture.pcap: SHA-256" in err, f"verify --manifest: 1 GiB artefact checked, exit {rc}", err)
    ok(peak < PEAK_MAX_KIB, f"verify --manifest: peak RSS {peak >> 10} MiB, under {PEAK_MAX_KIB >> 10} MiB")

    # trend: the count is refused before any file is read (these do not exist)
    rc, err, _ = run([mskprobe, "trend"] + [os.path.join(t, f"r{i}.json") for i in range(1001)])
    ok(rc == 2 and "1001 reports, more than the 1000 allowed (MP_TREND_REPORTS_MAX)" in err,
       f"trend over 1001 reports refused before reading: exit {rc}", err)

    # findings of one cluster
    with open(os.path.join(srcdir, "tests/reports/data/fleet.json")) as f:
        rep = json.load(f)
    one = rep["clusters"][0]["findings"][0]
    rep["clusters"][0]["findings"] = [one] * 4097
    many = os.path.join(t, "many-findings.json")
    with open(many, "w") as f:
        json.dump(rep, f)
    rc, err, _ = run([mskprobe, "report", many, "--format", "json"])
    ok(rc == 2 and "clusters[0]: findings: more than 4096 (MP_REP_FINDINGS_MAX)" in err,
       f"4097 findings in one cluster refused: exit {rc}", err)
    rep["clusters"][0]["findings"] = [one] * 4096
    with open(many, "w") as f:
        json.dump(rep, f)
    rc, err, _ = run([mskprobe, "report", many, "--format", "json"])
    ok(rc == 1, f"4096 findings in one cluster read: exit {rc}", err)

print(f"1..{n}")
sys.exit(1 if failed else 0)
