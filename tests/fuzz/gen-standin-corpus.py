#!/usr/bin/env python3
"""Write the seed corpus of fuzz-standin (tests/fuzz/fuzz-standin.c).

Usage: tests/fuzz/gen-standin-corpus.py tests/fuzz/corpus/standin
Each seed is byte 0 (the listener, see the harness) and what a client sends
on one connection: Kafka ApiVersions v0-v4 and SaslHandshake, ZooKeeper
four-letter words, ConnectRequest, ping, getChildren and closeSession.
"""
import os
import struct
import sys


def frame(body):
    return struct.pack('>i', len(body)) + body


def kafka(key, ver, corr, body=b'', client=b'fuzz'):
    hdr = struct.pack('>hhih', key, ver, corr, len(client)) + client
    if ver >= 3 and key == 18:
        hdr += b'\x00'  # request header v2 tags
    return frame(hdr + body)


def apiv(ver, corr=1, name=b'mskprobe', version=b'0.1.0'):
    body = b''
    if ver >= 3:
        body = bytes([len(name) + 1]) + name + bytes([len(version) + 1]) + version + b'\x00'
    return kafka(18, ver, corr, body)


def sasl(mech, ver=1, corr=2):
    return kafka(17, ver, corr, struct.pack('>h', len(mech)) + mech)


def zk_connect(session=0, zxid=0, read_only=True):
    body = struct.pack('>iqiqi', 0, zxid, 6000, session, 16) + bytes(16)
    return frame(body + (b'\x00' if read_only else b''))


def zk_req(xid, op, path=None):
    body = struct.pack('>ii', xid, op)
    if path is not None:
        body += struct.pack('>i', len(path)) + path + b'\x00'
    return frame(body)


seeds = {
    'kraft-apiv-v0': (0, apiv(0)),
    'kraft-apiv-v3': (0, apiv(3)),
    'kraft-apiv-v4-twice': (0, apiv(4) + apiv(4, 2)),
    'kraft-apiv-v3-bad-name': (0, apiv(3, name=b'-bad name')),
    'kraft-apiv-v9': (0, apiv(9)),
    'kraft-metadata': (0, kafka(3, 12, 5)),
    'sasl-apiv-handshake': (1, apiv(3) + sasl(b'PLAIN')),
    'sasl-handshake-unknown': (1, sasl(b'GSSAPI', 0)),
    'sasl-handshake-token': (1, sasl(b'SCRAM-SHA-512') + kafka(36, 2, 3, b'\x00\x00\x00\x00')),
    'zk22-apiv-v2': (2, apiv(2)),
    'zk22-apiv-v3': (2, apiv(3)),
    'closemid-apiv-v1': (3, apiv(1)),
    'huge-apiv-v2': (4, apiv(2)),
    'zk-srvr': (5, b'srvr'),
    'zk-ruok': (6, b'ruok'),
    'zk-srvr-refused': (6, b'srvr'),
    'zk-session': (5, zk_connect() + zk_req(-2, 11) + zk_req(2, 8, b'/brokers') +
                   zk_req(3, 8, b'/nope') + zk_req(4, -11)),
    'zk-session-noauth': (6, zk_connect(read_only=False) + zk_req(2, 8, b'/')),
    'zk-resume': (5, zk_connect(session=0x1234)),
    'zk-future-zxid': (5, zk_connect(zxid=1 << 40)),
    'zk-tls-hello': (5, bytes.fromhex('16030100a5010000a10303') + bytes(32)),
    'silent-apiv-v3': (7, apiv(3)),
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, (listener, data) in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(bytes([listener]) + data)
