#!/usr/bin/env python3
"""gen-apiversions.py - regenerate the ApiVersions tables of probe/data/kafka-apiversions.tsv
from an apache/kafka git directory (bare or not), using only `git show TAG:path`.

Usage:
    gen-apiversions.py GIT_DIR [--tags T1,T2,...] [--add T=VER,...] [--per-tag] [--no-kraft]

    --tags  revisions to read instead of every final release tag >= 0.10.0.0
    --add   extra revisions, each as REV=VERSION (e.g. 3.9.0-rc3=3.9.0 when the final tag is
            missing from the clone); the VERSION is what goes into the patches column

The 0.10.0-3.9 rows of probe/data/kafka-apiversions.tsv were produced with
    gen-apiversions.py /path/to/kafka.git --add 0.11.0.3-rc0=0.11.0.3,3.8.1-rc1=3.8.1,3.9.0-rc3=3.9.0
KRaft rows are emitted from 3.3 (first production KRaft) on; 4.x rows need a clone with 4.x tags.

Output: one `<release>\t<mode>\t<patches>\t<apis>` line per distinct table (the format of
probe/data/kafka-apiversions.tsv, without its header).  --per-tag prints one line per tag instead
(release column = the tag) so individual tags can be diffed.

What the broker advertises, and how this script mirrors it (paths relative to the repository):

  1. The set of API keys a release knows is the `ApiKeys` enum in
     clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java.  Request JSON files that
     are not referenced from that enum (added ahead of their wiring) are ignored.
  2. The version range of each key comes from one of three places, depending on the era:
     a. 0.10.0 - 0.11.0: ApiKeys entries are `NAME(id, "Name"[, magic])`; the schemas are the
        `Schema[]` arrays that clients/.../protocol/Protocol.java assigns to
        `REQUESTS[ApiKeys.NAME.id]`.  min = index of the first non-null schema (ControlledShutdown
        starts with `null`, hence 7:1-1), max = array length - 1 (Protocol.MIN_VERSIONS /
        CURR_VERSION).
     b. 1.0 - 2.1 (and the keys of 2.2 - 2.7 still written in Java): the entry passes
        `XRequest.schemaVersions()`; the array is read from the `schemaVersions()` method of
        clients/.../requests/XRequest.java (same min/max rule).
     c. 2.2 - 2.7 for converted keys (`XRequestData.SCHEMAS`) and 2.8+ for every key
        (`ApiMessageType.X`): `validVersions` of the request JSON in
        clients/src/main/resources/common/message/*Request.json.
  3. Filters:
     - 2.7 only: the `isEnabled` constructor argument (`false` for the KIP-500 Raft keys 52-55,
       which 2.7 knew but did not advertise; ApiKeys.enabledApis()).
     - 2.8+: the JSON `listeners` array.  A ZooKeeper-mode broker advertises the keys whose
       listeners include "zkBroker" (ApiKeys.zkBrokerApis()); a KRaft broker those with "broker".
     - 3.5+: `"latestVersionUnstable": true` lowers max by one unless unstable.api.versions.enable
       is set (ApiKeys.toApiVersion(false)); a key left with max < min is not advertised at all.
     - Telemetry keys 71/72 (GetTelemetrySubscriptions, PushTelemetry) are only advertised when a
       client-telemetry receiver is configured (ApiVersionsResponse.filterApis): excluded here.
     - minRequiredInterBrokerMagic: keys needing message format v2 (transactions) are dropped when
       inter.broker.protocol.version / log.message.format.version is older; defaults assumed.
  4. KRaft brokers (ApiVersionsResponse.intersectForwardableApis): a key marked forwardable in
     ApiKeys (last boolean constructor argument in 2.8+) is intersected with the active
     controller's range (keys whose listeners include "controller", same unstable rule) and
     dropped when the controller lacks it.  A homogeneous cluster (controller of the same
     release) is assumed.

Only the Python standard library is used.  The numbers it prints were cross-checked against
tables captured from real brokers (kafka-python) and franz-go's kversion; see
docs/fingerprint-sources.md.
"""

import json
import re
import subprocess
import sys
from collections import OrderedDict

APIKEYS = "clients/src/main/java/org/apache/kafka/common/protocol/ApiKeys.java"
PROTOCOL = "clients/src/main/java/org/apache/kafka/common/protocol/Protocol.java"
REQUESTS_DIR = "clients/src/main/java/org/apache/kafka/common/requests/"
MESSAGE_DIR = "clients/src/main/resources/common/message/"
TELEMETRY_KEYS = {71, 72}

# Final release tags of each feature release (rc and odd tags excluded).
FINAL_TAG = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?$")


class Git:
    def __init__(self, git_dir):
        self.git_dir = git_dir
        self.cache = {}

    def run(self, *args):
        return subprocess.run(["git", "--git-dir", self.git_dir] + list(args),
                              check=True, capture_output=True).stdout.decode("utf-8", "replace")

    def show(self, tag, path):
        key = (tag, path)
        if key not in self.cache:
            try:
                self.cache[key] = self.run("show", "%s:%s" % (tag, path))
            except subprocess.CalledProcessError:
                self.cache[key] = None
        return self.cache[key]

    def ls(self, tag, path):
        try:
            out = self.run("ls-tree", "--name-only", tag, path)
        except subprocess.CalledProcessError:
            return []
        return [l for l in out.splitlines() if l]

    def tags(self):
        return [t for t in self.run("tag").splitlines() if FINAL_TAG.match(t)]


def strip_comments(src):
    """Remove // and /* */ comments outside string literals (Java and Kafka's JSON-with-comments)."""
    out = []
    i, n = 0, len(src)
    in_str = None
    while i < n:
        c = src[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(src[i + 1])
                i += 2
                continue
            if c == in_str:
                in_str = None
            i += 1
            continue
        if c in "\"'":
            in_str = c
            out.append(c)
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_top(s, sep=","):
    """Split s at sep characters not nested in (), [], {}."""
    parts, depth, cur = [], 0, []
    for c in s:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def enum_entries(java):
    """Return [(NAME, [args])] of the `public enum ApiKeys` constants."""
    src = strip_comments(java)
    start = src.index("{", src.index("public enum ApiKeys")) + 1
    entries, i, depth, cur = [], start, 0, []
    while i < len(src):
        c = src[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if depth == 0 and c in ",;":
            text = "".join(cur).strip()
            if text:
                entries.append(text)
            cur = []
            if c == ";":
                break
        else:
            cur.append(c)
        i += 1
    result = []
    for e in entries:
        m = re.match(r"([A-Z0-9_]+)\s*\((.*)$", e, re.S)
        if not m:
            raise ValueError("cannot parse ApiKeys entry: %r" % e[:80])
        name, rest = m.group(1), m.group(2)
        depth, j = 1, 0
        while depth:
            if rest[j] == "(":
                depth += 1
            elif rest[j] == ")":
                depth -= 1
            j += 1
        result.append((name, split_top(rest[:j - 1])))
    return result


def schema_array_range(body):
    """min/max of a `new Schema[] {A, null, ...}` initialiser text."""
    m = re.search(r"(?:new\s+Schema\s*\[\s*\]\s*|=\s*)\{(.*?)\}", body, re.S)
    if not m:
        return None
    elems = [e.strip() for e in split_top(m.group(1))]
    nonnull = [k for k, e in enumerate(elems) if e != "null"]
    return (nonnull[0], len(elems) - 1)


def parse_versions(v):
    v = v.strip()
    if v.endswith("+"):
        raise ValueError("open-ended validVersions %r" % v)
    if "-" in v:
        a, b = v.split("-")
        return int(a), int(b)
    return int(v), int(v)


class Release:
    """Everything needed from one tag."""

    def __init__(self, git, tag):
        self.git, self.tag = git, tag
        self.json_by_name = {}
        for path in git.ls(tag, MESSAGE_DIR):
            if not path.endswith("Request.json"):
                continue
            # raw_decode: like Kafka's Jackson reader, ignore trailing junk after the object
            # (2.8's DescribeProducersRequest.json has a stray "]").
            spec = json.JSONDecoder().raw_decode(strip_comments(git.show(tag, path)).strip())[0]
            if spec.get("type") == "request":
                self.json_by_name[spec["name"]] = spec
        self.entries = enum_entries(git.show(tag, APIKEYS))

    # -- helpers -------------------------------------------------------------------------------
    def json_for_amt(self, const):
        """ApiMessageType.CONST -> request JSON spec (CONST is the UPPER_SNAKE of the message name)."""
        want = const.replace("_", "").lower()
        for name, spec in self.json_by_name.items():
            if name[:-len("Request")].lower() == want:
                return spec
        raise KeyError("no request JSON for ApiMessageType.%s at %s" % (const, self.tag))

    def json_range(self, spec, stable_only=True):
        lo, hi = parse_versions(spec["validVersions"])
        if stable_only and spec.get("latestVersionUnstable"):
            hi -= 1
        return lo, hi

    def java_request_range(self, expr, protocol_arrays):
        expr = expr.strip()
        m = re.match(r"(\w+)Data\.SCHEMAS$", expr)
        if m:
            return self.json_range(self.json_by_name[m.group(1)]), "json"
        m = re.match(r"(\w+)\.schemaVersions\(\)$", expr)
        if m:
            src = self.git.show(self.tag, REQUESTS_DIR + m.group(1) + ".java")
            src = strip_comments(src)
            k = src.index("schemaVersions()")
            body = src[k:src.index("}", src.index("{", k)) + 1]
            r = schema_array_range(body)
            if r is None:
                m2 = re.search(r"return\s+(\w+)Data\.SCHEMAS", body)
                if m2:
                    return self.json_range(self.json_by_name[m2.group(1)]), "json"
                raise ValueError("%s: cannot read %s" % (self.tag, expr))
            return r, "java"
        if expr in protocol_arrays:
            return protocol_arrays[expr], "java"
        raise ValueError("%s: unknown schema expression %s" % (self.tag, expr))

    # -- the three eras ------------------------------------------------------------------------
    def keys(self):
        """[(key, min, max, listeners or None, forwardable, source)] of every enabled ApiKeys entry."""
        out = []
        first_args = self.entries[0][1]
        if first_args[0].startswith("ApiMessageType."):
            for name, args in self.entries:
                spec = self.json_for_amt(args[0].split(".", 1)[1])
                forwardable = len(args) >= 3 and args[-1] == "true"
                lo, hi = self.json_range(spec)
                out.append((spec["apiKey"], lo, hi, spec.get("listeners"), forwardable,
                            "json", self.json_range(spec, stable_only=False)))
            return out
        protocol_arrays = {}
        by_const = {}
        if "schemaVersions()" not in self.git.show(self.tag, APIKEYS) and \
                ".SCHEMAS" not in self.git.show(self.tag, APIKEYS):
            proto = strip_comments(self.git.show(self.tag, PROTOCOL))
            arrays = {}
            for m in re.finditer(r"Schema\[\]\s+(\w+)\s*(=\s*(?:new\s+Schema\s*\[\s*\]\s*)?\{.*?\})\s*;",
                                 proto, re.S):
                arrays[m.group(1)] = schema_array_range(m.group(2))
            for m in re.finditer(r"REQUESTS\[ApiKeys\.(\w+)\.id\]\s*=\s*(\w+)\s*;", proto):
                by_const[m.group(1)] = arrays[m.group(2)]
        for name, args in self.entries:
            key = int(args[0])
            if by_const:
                (lo, hi), src = by_const[name], "java"
                enabled = True
            else:
                (lo, hi), src = self.java_request_range(args[-2], protocol_arrays)
                middle = args[2:-2]
                enabled = True
                # 2.7: (clusterAction, isEnabled) or (clusterAction, magic, isEnabled)
                if len(middle) == 2 and middle[1] in ("true", "false"):
                    enabled = middle[1] == "true"
                elif len(middle) == 3 and middle[2] in ("true", "false"):
                    enabled = middle[2] == "true"
            if enabled:
                out.append((key, lo, hi, None, False, src, (lo, hi)))
        return out

    def table(self, mode):
        keys = self.keys()
        listener = {"zk": "zkBroker", "kraft": "broker"}[mode]
        table = {}
        controller = {}
        for key, lo, hi, listeners, fwd, _src, _raw in keys:
            if listeners is not None and "controller" in listeners and hi >= lo:
                controller[key] = (lo, hi)
        for key, lo, hi, listeners, fwd, _src, _raw in keys:
            if key in TELEMETRY_KEYS or hi < lo:
                continue
            if listeners is None:
                if mode != "zk":
                    continue
            elif listener not in listeners:
                continue
            if mode == "kraft" and fwd:
                if key not in controller:
                    continue
                clo, chi = controller[key]
                lo, hi = max(lo, clo), min(hi, chi)
                if hi < lo:
                    continue
            table[key] = (lo, hi)
        return table

    def has_listeners(self):
        return self.entries[0][1][0].startswith("ApiMessageType.")


def fmt(table):
    return " ".join("%d:%d-%d" % (k, lo, hi) for k, (lo, hi) in sorted(table.items()))


def feature_release(tag):
    m = FINAL_TAG.match(tag)
    a, b = int(m.group(1)), int(m.group(2))
    if a == 0:
        return "0.%d.%s" % (b, m.group(3))
    return "%d.%d" % (a, b)


def version_key(tag):
    return tuple(int(x) for x in re.findall(r"\d+", tag))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    git = Git(argv[1])
    tags, per_tag, kraft, extra = None, False, True, []
    i = 2
    while i < len(argv):
        if argv[i] == "--tags":
            tags = argv[i + 1].split(",")
            i += 2
        elif argv[i] == "--add":
            extra = argv[i + 1].split(",")
            i += 2
        elif argv[i] == "--per-tag":
            per_tag = True
            i += 1
        elif argv[i] == "--no-kraft":
            kraft = False
            i += 1
        else:
            raise SystemExit("unknown argument %s" % argv[i])
    if tags is None:
        tags = [t for t in git.tags() if version_key(t) >= (0, 10, 0)]
    tags = tags + extra

    def version_of(t):
        return t.split("=", 1)[1] if "=" in t else t.split("-")[0]

    tags.sort(key=lambda t: version_key(version_of(t)))
    rows = OrderedDict()  # (release, mode, apis) -> [patches]
    for spec in tags:
        tag = spec.split("=", 1)[0]
        rel = Release(git, tag)
        name = version_of(spec)
        release = feature_release(name) if FINAL_TAG.match(name) else name
        modes = ["zk"]
        if kraft and rel.has_listeners() and version_key(name) >= (3, 3):
            modes.append("kraft")
        if version_key(name) >= (4, 0):
            modes = ["kraft"]
        for mode in modes:
            apis = fmt(rel.table(mode))
            if per_tag:
                print("%s\t%s\t%s\t%s" % (tag, mode, name, apis))
            else:
                rows.setdefault((release, mode, apis), []).append(name)
    if not per_tag:
        order = sorted(rows.items(), key=lambda kv: (version_key(kv[1][0]), kv[0][1] != "zk"))
        for (release, mode, apis), patches in order:
            print("%s\t%s\t%s\t%s" % (release, mode, ",".join(patches), apis))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
