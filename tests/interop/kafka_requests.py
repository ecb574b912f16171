#!/usr/bin/env python3
"""Decode the Kafka requests in a plaintext capture, independently of
mskprobe: per TCP connection, each request header (API key, version,
correlation id, client id), the KIP-511 software name and version of an
ApiVersions v3+ request, whether the broker answered each request, the
ApiVersions error code, and which side closed the connection. The interop
client captures (tests/interop/clients/*.pcap) are checked with it, and
record-clients.sh writes its result into each capture's JSON sidecar.

usage: kafka_requests.py FILE.pcap BROKER_PORT      (prints JSON)

Classic pcap only (what tcpdump -w writes), link types Ethernet (Linux lo),
Linux SLL/SLL2 and raw IPv4/IPv6. Captures may be cut by a snap length: the
TCP streams are rebuilt from sequence numbers as sparse byte maps, and a
request whose header bytes were not captured is skipped by its length
prefix (it is counted in "unreadable"). Every length read from the file is
bounded before it is used; a damaged file is an error (exit 2, one line).
"""
import json
import struct
import sys

MAX_FILE = 256 << 20
MAX_FRAME = 100 << 20
MAX_REQUESTS = 10000
API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
    10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
    15: "DescribeGroups", 16: "ListGroups", 17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics",
    22: "InitProducerId", 32: "DescribeConfigs", 36: "SaslAuthenticate", 42: "DeleteGroups",
    60: "DescribeCluster", 68: "ConsumerGroupHeartbeat", 69: "ConsumerGroupDescribe",
    71: "GetTelemetrySubscriptions", 72: "PushTelemetry",
}


class Bad(Exception):
    pass


def packets(data):
    if len(data) < 24:
        raise Bad("shorter than a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise Bad("not a classic pcap file (magic %s)" % magic.hex())
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    o = 24
    while o < len(data):
        if o + 16 > len(data):
            raise Bad("record header cut short at byte %d" % o)
        incl, orig = struct.unpack(e + "II", data[o + 8:o + 16])
        if incl > 262144 or o + 16 + incl > len(data):
            raise Bad("record at byte %d has a bad length %d" % (o, incl))
        yield linktype, data[o + 16:o + 16 + incl]
        o += 16 + incl


def l3(linktype, p):
    if linktype == 1:  # Ethernet
        o, et = 14, struct.unpack(">H", p[12:14])[0] if len(p) >= 14 else 0
        while et in (0x8100, 0x88A8) and len(p) >= o + 4:
            et, o = struct.unpack(">H", p[o + 2:o + 4])[0], o + 4
    elif linktype == 113:  # Linux SLL
        o, et = 16, struct.unpack(">H", p[14:16])[0] if len(p) >= 16 else 0
    elif linktype == 276:  # Linux SLL2
        o, et = 20, struct.unpack(">H", p[0:2])[0] if len(p) >= 20 else 0
    elif linktype in (101, 12, 14):  # raw IP
        o, et = 0, 0x0800 if p and p[0] >> 4 == 4 else 0x86DD
    else:
        raise Bad("link type %d not handled" % linktype)
    return et, p[o:]


def tcp_segment(linktype, p):
    """-> (src, sport, dst, dport, seq, flags, payload_captured, payload_len) or None."""
    et, ip = l3(linktype, p)
    if et == 0x0800 and len(ip) >= 20 and ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if ip[9] != 6 or ihl < 20 or total < ihl:
            return None
        src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
        t, tlen = ip[ihl:], total - ihl
    elif et == 0x86DD and len(ip) >= 40:
        if ip[6] != 6:
            return None  # extension headers: not on loopback captures here
        src, dst = ip[8:24].hex(), ip[24:40].hex()
        t, tlen = ip[40:], struct.unpack(">H", ip[4:6])[0]
    else:
        return None
    if len(t) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", t[:8])
    doff = (t[12] >> 4) * 4
    if doff < 20 or doff > tlen:
        return None
    flags = t[13]
    return src, sport, dst, dport, seq, flags, t[doff:], tlen - doff


class Stream:
    """One direction of a TCP connection: captured bytes by relative offset."""

    def __init__(self):
        self.isn = None
        self.chunks = {}  # offset -> bytes captured from that offset
        self.end = 0  # highest offset seen (captured or not)
        self.fin = False
        self.rst = False

    def add(self, seq, flags, data, plen):
        if flags & 0x02:  # SYN
            self.isn = (seq + 1) & 0xFFFFFFFF
            return
        if self.isn is None:
            self.isn = seq
        off = (seq - self.isn) & 0xFFFFFFFF
        if off > 0x7FFFFFFF:
            return  # before the start we know of
        if data and (off not in self.chunks or len(self.chunks[off]) < len(data)):
            self.chunks[off] = data
        self.end = max(self.end, off + plen)
        if flags & 0x01:
            self.fin = True
        if flags & 0x04:
            self.rst = True

    def read(self, off, n):
        """n bytes at off when a captured chunk holds them, else None."""
        for start, b in self.chunks.items():
            if start <= off and off + n <= start + len(b):
                return b[off - start:off - start + n]
        return None

    def frames(self):
        """Yield (offset, size, first captured bytes of the frame or None)."""
        off, k = 0, 0
        while off + 4 <= self.end and k < MAX_REQUESTS:
            h = self.read(off, 4)
            if h is None:
                return
            size = struct.unpack(">i", h)[0]
            if size < 0 or size > MAX_FRAME:
                return
            body = None
            for start, b in self.chunks.items():
                if start <= off + 4 < start + len(b):
                    body = b[off + 4 - start:off + 4 - start + min(size, 1024)]
                    break
            if off + 4 + size > self.end:
                return  # the frame did not complete
            yield off, size, body
            off += 4 + size
            k += 1


def uvarint(b, o):
    v = s = 0
    while True:
        if o >= len(b) or s > 28:
            raise IndexError
        c = b[o]
        o += 1
        v |= (c & 0x7F) << s
        if not c & 0x80:
            return v, o
        s += 7


def text(b):
    return b.decode("utf-8", "replace")


def request(body):
    """-> dict with the request header (and KIP-511 fields), or None."""
    if body is None or len(body) < 10:
        return None
    key, ver, corr, clen = struct.unpack(">hhih", body[:10])
    r = {"api_key": key, "api": API_NAMES.get(key, "key%d" % key), "version": ver, "correlation_id": corr}
    o = 10
    if clen >= 0:
        if o + clen > len(body):
            return r
        r["client_id"] = text(body[o:o + clen])
        o += clen
    else:
        r["client_id"] = None
    if key == 18 and ver >= 3:
        try:
            ntag, o = uvarint(body, o)  # header v2 tagged fields
            for _ in range(ntag):
                _, o = uvarint(body, o)
                ln, o = uvarint(body, o)
                o += ln
            n, o = uvarint(body, o)
            r["software_name"] = text(body[o:o + n - 1]) if n else None
            o += max(n - 1, 0)
            n, o = uvarint(body, o)
            r["software_version"] = text(body[o:o + n - 1]) if n else None
        except IndexError:
            r["software_name"] = r.get("software_name")
    return r


def decode(path, port):
    with open(path, "rb") as f:
        data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Bad("larger than %d bytes" % MAX_FILE)
    conns = {}
    order = []
    for lt, p in packets(data):
        s = tcp_segment(lt, p)
        if s is None:
            continue
        src, sport, dst, dport, seq, flags, payload, plen = s
        if dport == port:
            key, d = (src, sport, dst, dport), "c2s"
        elif sport == port:
            key, d = (dst, dport, src, sport), "s2c"
        else:
            continue
        if key not in conns:
            conns[key] = {"c2s": Stream(), "s2c": Stream(), "closed_by": None}
            order.append(key)
        c = conns[key]
        c[d].add(seq, flags, payload, plen)
        if flags & 0x05 and c["closed_by"] is None:
            c["closed_by"] = ("client" if d == "c2s" else "broker") + (" (RST)" if flags & 0x04 else "")
    out = []
    for key in order:
        c = conns[key]
        reqs, unreadable = [], 0
        for _, _, body in c["c2s"].frames():
            r = request(body)
            if r is None:
                unreadable += 1
            else:
                reqs.append(r)
        resp = {}
        for _, size, body in c["s2c"].frames():
            if body is not None and len(body) >= 4:
                corr = struct.unpack(">i", body[:4])[0]
                resp[corr] = body
        for r in reqs:
            b = resp.get(r["correlation_id"])
            r["answered"] = b is not None
            if b is not None and r["api_key"] == 18 and len(b) >= 6:
                r["error_code"] = struct.unpack(">h", b[4:6])[0]
        conn = {"client": "%s:%d" % key[:2], "server": "%s:%d" % key[2:], "closed_by": c["closed_by"],
                "requests": reqs}
        if unreadable:
            conn["unreadable"] = unreadable
        out.append(conn)
    return out


def summary(conns):
    """What the sidecar keeps: client ids, KIP-511 names, request kinds, failures."""
    ids, sw, kinds, unanswered, apiv_err = set(), set(), {}, [], []
    for c in conns:
        reqs = c["requests"]
        for i, r in enumerate(reqs):
            if r.get("client_id") is not None:
                ids.add(r["client_id"])
            if r.get("software_name") is not None:
                sw.add((r["software_name"], r.get("software_version")))
            k = "%s v%d" % (r["api"], r["version"])
            kinds[k] = kinds.get(k, 0) + 1
            if r.get("error_code"):
                apiv_err.append("ApiVersions v%d error %d" % (r["version"], r["error_code"]))
            if not r["answered"] and c["closed_by"] and c["closed_by"].startswith("broker"):
                unanswered.append("%s v%d (connection closed by the broker)" % (r["api"], r["version"]))
    return {
        "connections": len(conns),
        "client_ids": sorted(ids),
        "kip511": [{"name": n, "version": v} for n, v in sorted(sw, key=lambda x: (x[0], x[1] or ""))],
        "requests": dict(sorted(kinds.items())),
        "unanswered": sorted(set(unanswered)),
        "apiversions_errors": sorted(set(apiv_err)),
    }


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--summary"):
        print("usage: kafka_requests.py FILE.pcap BROKER_PORT [--summary]", file=sys.stderr)
        return 2
    try:
        port = int(sys.argv[2])
        conns = decode(sys.argv[1], port)
    except (OSError, ValueError, Bad) as e:
        print("kafka_requests.py: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 2
    print(json.dumps(summary(conns) if len(sys.argv) == 4 else conns, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
