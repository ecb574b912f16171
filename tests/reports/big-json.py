#!/usr/bin/env python3
# A JSON file under the 64 MiB read cap but with far too many values (a 60 MB
# flat array of 30 million numbers: 2.4 GB as a cJSON tree) is refused by
# every command that reads JSON, with exit 2, one line naming the file and
# the cap, and in bounded memory: the pre-scan counts before cJSON builds
# anything. Peak RSS of each run comes from wait4() of that child alone.
# Before the pre-scan each run peaked at 2.3-2.6 GB (more under ASan).
# usage: big-json.py MSKPROBE   (TAP)
import os
import subprocess
import sys
import tempfile

PEAK_MAX_KIB = 256 * 1024  # the 60 MB file itself, ASan's shadow, the binary

mskprobe = sys.argv[1]
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

print(f"1..{n}")
sys.exit(1 if failed else 0)
