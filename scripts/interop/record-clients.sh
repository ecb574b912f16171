#!/usr/bin/env bash
# Record real Kafka clients talking to real Apache Kafka brokers: the test
# vectors tests/interop/clients/<client>-<version>__kafka-<release>.pcap, each
# with a JSON sidecar (client, version, broker release, listener, what it did,
# what the broker saw: tests/interop/kafka_requests.py --summary).
#
# Usage: scripts/interop/record-clients.sh [RELEASE:MODE...]     (default: 2.8.2:zk 4.1.2:kraft)
#   MSKPROBE_INTEROP_CLIENTS="java-2.0.1 kcat ..."  only these clients (names as in the file names)
#   MSKPROBE_INTEROP_CLIENTS_OUT=DIR                write there instead of tests/interop/clients
#
# Not part of CI: CI replays the kept captures (tests/interop/clients.py).
# Needs root (tcpdump -i lo), the brokers (fetch-kafka.sh, broker.sh) and the
# clients (clients-setup.sh, run first). Loopback only: every client talks to
# the broker's PLAINTEXT listener on 127.0.0.1. Every process started here
# (brokers, tcpdump, clients) is stopped on exit (trap); every client run is
# bounded by `timeout`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd -P)
SRC=$(cd "$HERE/../.." && pwd -P)
CACHE="${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}"
C=$CACHE/clients
OUT=${MSKPROBE_INTEROP_CLIENTS_OUT:-$SRC/tests/interop/clients}
COUNT=3            # messages produced and consumed by each client
CLIENT_MS=20000    # each client's own deadline
SNAPLEN=512        # bytes kept of each packet: headers and the first request bytes
. "$HERE/clients/versions.env"

log() { echo "record-clients: $*" >&2; }
die() { log "$*"; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root for tcpdump -i lo"
command -v tcpdump >/dev/null || die "tcpdump not installed"
"$HERE/clients-setup.sh" || log "some clients are missing (above); recording the others"

WORK=$(mktemp -d /tmp/mskprobe-clients.XXXXXX)
BROKER_DIRS=()
TCPDUMP_PID=""
cleanup() {
    [[ -n $TCPDUMP_PID ]] && kill "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
    local d
    for d in "${BROKER_DIRS[@]}"; do "$HERE/broker.sh" stop "$d" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# client table: NAME VERSION (file name part) and how to run it: run_NAME BOOTSTRAP TOPIC GROUP
clients() {
    local v
    for v in $JAVA_CLIENTS; do [[ -f $C/java-$v/.complete ]] && echo "java $v"; done
    command -v kcat >/dev/null && echo "kcat $(kcat -V 2>&1 | sed -n 's/.*[Vv]ersion \([0-9.]*\).*/\1/p' | head -1)"
    for v in $KAFKA_PYTHON; do [[ -f $C/py-kafka-python-$v/.complete ]] && echo "kafka-python $v"; done
    [[ -f $C/py-confluent/.complete ]] && echo "confluent-kafka $CONFLUENT_KAFKA"
    [[ -d $C/node/node_modules/kafkajs ]] && echo "kafkajs $KAFKAJS"
    [[ -d $C/node/node_modules/kafka-node ]] && echo "kafka-node $KAFKA_NODE"
    [[ -x $C/bin/franz-client ]] && echo "franz-go ${FRANZ_GO#v}"
}

run_client() { # name version bootstrap topic group -> client output on stdout, exit code
    local name=$1 v=$2 b=$3 t=$4 g=$5 lim=$((CLIENT_MS / 1000 + 30))
    case $name in
    java) timeout -k 5 "$lim" java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$C/java-$v/classes:$C/java-$v/lib/*" InteropClient "$b" "$t" "$g" "$COUNT" "$CLIENT_MS" ;;
    kcat)
        local i
        for ((i = 0; i < COUNT; i++)); do echo "k$i:interop-message-$i"; done |
            timeout -k 5 "$lim" kcat -P -b "$b" -t "$t" -K: -X message.timeout.ms="$CLIENT_MS" && echo "produced $COUNT" || echo "produce failed"
        echo "consumed $(timeout -k 5 "$lim" kcat -C -b "$b" -G "$g" -X auto.offset.reset=earliest -c "$COUNT" -f '%o\n' "$t" 2>/dev/null | wc -l)" ;;
    kafka-python) timeout -k 5 "$lim" "$C/py-kafka-python-$v/bin/python" "$HERE/clients/pyclient.py" kafka-python "$b" "$t" "$g" "$COUNT" "$CLIENT_MS" ;;
    confluent-kafka) timeout -k 5 "$lim" "$C/py-confluent/bin/python" "$HERE/clients/pyclient.py" confluent-kafka "$b" "$t" "$g" "$COUNT" "$CLIENT_MS" ;;
    kafkajs | kafka-node) NODE_PATH=$C/node/node_modules timeout -k 5 "$lim" node "$HERE/clients/nodeclient.js" "$name" "$b" "$t" "$g" "$COUNT" "$CLIENT_MS" ;;
    franz-go) timeout -k 5 "$lim" "$C/bin/franz-client" "$b" "$t" "$g" "$COUNT" "$CLIENT_MS" ;;
    *) return 2 ;;
    esac
}

library_of() { # name version -> the library version underneath, if any
    case $1 in
    kcat) kcat -V 2>&1 | sed -n 's/.*\(librdkafka [0-9.]*\).*/\1/p' | head -1 ;;
    confluent-kafka) "$C/py-confluent/bin/python" -c 'import confluent_kafka as c; print("librdkafka", c.libversion()[0])' ;;
    *) echo "" ;;
    esac
}

record_one() { # release mode port name version
    local rel=$1 mode=$2 port=$3 name=$4 v=$5 base out rc pcap t0 secs
    base="$name-${v}__kafka-$rel"
    pcap=$WORK/$base.pcap
    [[ -n ${MSKPROBE_INTEROP_CLIENTS:-} && " $MSKPROBE_INTEROP_CLIENTS " != *" $name-$v "* && " $MSKPROBE_INTEROP_CLIENTS " != *" $name "* ]] && return 0
    tcpdump -i lo -s "$SNAPLEN" -U -n -w "$pcap" "tcp port $port" 2>"$WORK/tcpdump.err" &
    TCPDUMP_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do grep -q "listening on" "$WORK/tcpdump.err" && break; sleep 0.1; done
    t0=$(date +%s)
    out=$(run_client "$name" "$v" "localhost:$port" "topic-$name-${v//./-}" "group-$name-${v//./-}" 2>&1)
    rc=$?
    secs=$(($(date +%s) - t0))
    sleep 1
    kill "$TCPDUMP_PID" 2>/dev/null
    wait "$TCPDUMP_PID" 2>/dev/null
    TCPDUMP_PID=""
    python3 "$SRC/tests/interop/kafka_requests.py" "$pcap" "$port" --summary >"$WORK/summary.json" || die "could not decode $pcap"
    # the client's own words: only its step lines and errors (message values are never printed)
    printf '%s\n' "$out" | grep -E '^(produced|consumed|produce|consume|commit|fetch|client|timeout)' |
        grep -v 'interop-message' | head -n 12 >"$WORK/said.txt"
    mkdir -p "$OUT"
    cp "$pcap" "$OUT/$base.pcap"
    python3 - "$OUT/$base.json" "$name" "$v" "$(library_of "$name" "$v")" "$rel" "$mode" "$port" "$rc" "$secs" \
        "$SNAPLEN" "$COUNT" "$WORK/said.txt" "$WORK/summary.json" <<'PY'
import json, sys
f, name, v, lib, rel, mode, port, rc, secs, snap, count, said, summary = sys.argv[1:]
d = {
    "client": name, "client_version": v, "library": lib or None,
    "broker_release": rel, "broker_mode": mode, "listener": "PLAINTEXT", "broker_port": int(port),
    "bootstrap": "localhost:" + port, "snaplen": int(snap),
    "did": "produce %s messages to one topic, then consume them in a consumer group and commit" % count,
    "exit_code": int(rc), "seconds": int(secs),
    "client_said": [l.rstrip() for l in open(said, errors="replace") if l.strip()],
    "broker_saw": json.load(open(summary)),
    "recorded_by": "scripts/interop/record-clients.sh",
}
with open(f, "w") as o:
    json.dump(d, o, indent=1, sort_keys=True)
    o.write("\n")
PY
    log "$base: exit $rc in ${secs}s, $(stat -c %s "$OUT/$base.pcap") bytes"
}

releases=${*:-2.8.2:zk 4.1.2:kraft}
for rm in $releases; do
    rel=${rm%%:*} mode=${rm#*:}
    "$HERE/fetch-kafka.sh" "$rel" >&2 || die "Kafka $rel could not be fetched"
    d=$WORK/broker-$rel
    BROKER_DIRS+=("$d")
    "$HERE/broker.sh" start "$d" "$rel" "$mode" >&2 || die "Kafka $rel ($mode) did not start"
    # shellcheck disable=SC1091
    . "$d/broker.env"
    port=${BROKER_PLAINTEXT##*:}
    mapfile -t list < <(clients)
    topics=()
    for c in "${list[@]}"; do set -- $c; topics+=("topic-$1-${2//./-}"); done
    "$C/py-kafka-python-${KAFKA_PYTHON##* }/bin/python" "$HERE/clients/pyclient.py" create-topics "localhost:$port" "${topics[@]}" ||
        die "could not create the topics on Kafka $rel"
    # the controller's LeaderAndIsr/UpdateMetadata for the new topics use PLAINTEXT (the inter-broker listener):
    # let them pass before the first capture. The first consumer group still makes the broker create
    # __consumer_offsets, so in ZooKeeper mode the first capture also holds the controller's own connection
    # (client id "1", the broker id): real broker traffic, kept.
    sleep 3
    for c in "${list[@]}"; do
        set -- $c
        record_one "$rel" "$mode" "$port" "$1" "$2"
    done
    "$HERE/broker.sh" stop "$d" >&2
done
