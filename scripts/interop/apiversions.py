#!/usr/bin/env python3
"""Ask one Kafka broker listener for its ApiVersions answer, independently of
mskprobe, and print it as JSON (the interop test vectors are made with it).

usage: apiversions.py HOST PORT [--tls] [--ca FILE] [--cert FILE --key FILE]
                      [--timeout S]

A first connection sends ApiVersions v0 (every broker since 0.10.0 answers
it); when the broker's own ApiVersions range reaches v3, a second connection
asks v3 too, for the KIP-584 features (a SASL listener answers one
ApiVersions per connection, hence two connections). Output fields:
  request_versions   versions asked, in order
  error_code         of the last answer
  api_keys           {"KEY": [min, max]} from the v3 answer when there is one
  api_keys_v0        the same from the v0 answer (must be equal)
  supported_features, finalized_features, finalized_features_epoch (v3 only)
Exit 0 with the JSON; 1 and one stderr line when the peer did not answer.
Every length read from the peer is bounded (MAX_FRAME) before it is used.
"""
import json
import re
import socket
import ssl
import struct
import sys

MAX_FRAME = 1 << 20
CLIENT_ID = b"mskprobe-interop"


class Short(Exception):
    pass


class Reader:
    def __init__(self, buf):
        self.b = buf
        self.o = 0

    def take(self, n):
        if n < 0 or self.o + n > len(self.b):
            raise Short("truncated answer")
        v = self.b[self.o:self.o + n]
        self.o += n
        return v

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def uvarint(self):
        v = 0
        for shift in range(0, 35, 7):
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
        raise Short("varint too long")

    def compact_str(self):
        n = self.uvarint()
        if n == 0:
            return None
        return self.take(n - 1).decode("utf-8", "replace")

    def tagged(self):
        """Skip a tagged-field section, returning {tag: raw bytes}."""
        out = {}
        for _ in range(self.uvarint()):
            tag = self.uvarint()
            size = self.uvarint()
            out[tag] = self.take(size)
        return out


def request(version, corr):
    hdr = struct.pack(">hhih", 18, version, corr, len(CLIENT_ID)) + CLIENT_ID
    if version >= 3:
        hdr += b"\x00"  # header v2 tagged fields
        name, ver = b"mskprobe-interop", b"1"
        body = bytes([len(name) + 1]) + name + bytes([len(ver) + 1]) + ver + b"\x00"
    else:
        body = b""
    msg = hdr + body
    return struct.pack(">i", len(msg)) + msg


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise Short("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def exchange(args, version):
    raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
    raw.settimeout(args.timeout)
    sock = raw
    try:
        if args.tls:
            ctx = ssl.create_default_context(cafile=args.ca) if args.ca else ssl.create_default_context()
            if not args.ca:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if args.cert:
                ctx.load_cert_chain(args.cert, args.key)
            sock = ctx.wrap_socket(raw, server_hostname=args.host)
        sock.sendall(request(version, version + 1))
        size = struct.unpack(">i", recv_exact(sock, 4))[0]
        if size < 4 or size > MAX_FRAME:
            raise Short("frame size %d out of bounds" % size)
        return Reader(recv_exact(sock, size))
    finally:
        sock.close()


def parse_v0_v2(r, version):
    r.i32()  # correlation id
    err = r.i16()
    n = r.i32()
    if n < 0 or n > 1000:
        raise Short("api key count %d out of bounds" % n)
    keys = {}
    for _ in range(n):
        k, lo, hi = r.i16(), r.i16(), r.i16()
        keys[str(k)] = [lo, hi]
    return err, keys


def parse_v3(r):
    r.i32()  # correlation id (response header v0 for ApiVersions)
    err = r.i16()
    n = r.uvarint() - 1
    if n < 0 or n > 1000:
        raise Short("api key count %d out of bounds" % n)
    keys = {}
    for _ in range(n):
        k, lo, hi = r.i16(), r.i16(), r.i16()
        r.tagged()
        keys[str(k)] = [lo, hi]
    r.i32()  # throttle
    extra = {}
    for tag, raw in r.tagged().items():
        t = Reader(raw)
        if tag == 0:
            sf = {}
            for _ in range(t.uvarint() - 1):
                name = t.compact_str()
                sf[name] = [t.i16(), t.i16()]
                t.tagged()
            extra["supported_features"] = sf
        elif tag == 1:
            extra["finalized_features_epoch"] = t.i64()
        elif tag == 2:
            ff = {}
            for _ in range(t.uvarint() - 1):
                name = t.compact_str()
                mx, mn = t.i16(), t.i16()
                ff[name] = [mn, mx]
                t.tagged()
            extra["finalized_features"] = ff
        elif tag == 3:
            extra["zk_migration_ready"] = bool(t.i8())
    return err, keys, extra


def sort_keys(d):
    return {k: d[k] for k in sorted(d, key=int)}


def main():
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--ca")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    out = {"request_versions": [0]}
    try:
        err, keys0 = parse_v0_v2(exchange(args, 0), 0)
        out["error_code"] = err
        out["api_keys_v0"] = sort_keys(keys0)
        out["api_keys"] = out["api_keys_v0"]
        if err == 0 and keys0.get("18", [0, 0])[1] >= 3:
            out["request_versions"].append(3)
            err3, keys3, extra = parse_v3(exchange(args, 3))
            out["error_code"] = err3
            out["api_keys"] = sort_keys(keys3)
            out.update(extra)
    except (OSError, Short, ssl.SSLError, struct.error) as e:
        print("apiversions: %s:%d: %s" % (args.host, args.port, e), file=sys.stderr)
        return 1
    text = json.dumps(out, indent=1)
    # one [min, max] pair per line
    text = re.sub(r"\[\s+(-?\d+),\s+(-?\d+)\s+\]", r"[\1, \2]", text)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
