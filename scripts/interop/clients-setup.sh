#!/usr/bin/env bash
# Install the real Kafka clients (and the anchor tools) that record-clients.sh
# and anchors.sh run, all under the interop cache:
#   ${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}/clients/
#     java-VERSION/lib/*.jar   org.apache.kafka:kafka-clients (Maven Central)
#     java-VERSION/classes/    tests/interop/clients-src/InteropClient.java built by javac
#     py-kafka-python-VERSION/ venv with kafka-python (PyPI)
#     py-confluent/            venv with confluent-kafka (PyPI; wheel with its own librdkafka)
#     py-tools/                venv with sslyze (PyPI)
#     node/                    kafkajs and kafka-node (npm)
#     go/, bin/franz-client    the franz-go client built from scripts/interop/clients/franz (Go module proxy)
#     bin/probe-version        kcl misc probe-version's logic (franz-go kversion; kcl itself is not served)
# librdkafka comes from Debian (`kcat`).
#
# Usage: scripts/interop/clients-setup.sh [PART...]
#   PART: java python node go kcl sslyze (default: all). Idempotent: a part whose
#   .complete marker exists is not installed again.
# Exit 0 all installed; 77 something could not be had (one line per missing
# part on stderr, "CLIENTS SKIP: ..."), or 1 with MSKPROBE_INTEROP_REQUIRED=1.
set -u
HERE=$(cd "$(dirname "$0")" && pwd -P)
SRC=$(cd "$HERE/../.." && pwd -P)
CACHE="${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}"
C=$CACHE/clients
T=${MSKPROBE_INTEROP_INSTALL_TIMEOUT:-900}
. "$HERE/clients/versions.env"
mkdir -p "$C/bin"
missing=0
miss() { echo "CLIENTS SKIP: $*" >&2; missing=1; }
done_mark() { [[ -f $1/.complete ]]; }

java_part() {
    local v d
    command -v mvn >/dev/null || { miss "mvn not installed: no Java client"; return; }
    command -v javac >/dev/null || { miss "javac not installed: no Java client"; return; }
    for v in $JAVA_CLIENTS; do
        d=$C/java-$v
        done_mark "$d" && continue
        rm -rf "$d" && mkdir -p "$d/classes"
        cat >"$d/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>mskprobe.interop</groupId><artifactId>clients-$v</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId><version>$v</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>1.7.36</version></dependency>
  </dependencies></project>
POM
        if ! timeout "$T" mvn -B -q -f "$d/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$d/lib" >"$d/mvn.log" 2>&1; then
            miss "kafka-clients $v not fetched from Maven Central (see $d/mvn.log)"
            continue
        fi
        javac -d "$d/classes" -cp "$d/lib/*" "$SRC/tests/interop/clients-src/InteropClient.java" >"$d/javac.log" 2>&1 ||
            { miss "javac failed for kafka-clients $v (see $d/javac.log)"; continue; }
        touch "$d/.complete"
    done
}

venv_part() { # dir packages...
    local d=$1
    shift
    done_mark "$d" && return 0
    rm -rf "$d"
    python3 -m venv "$d" >/dev/null 2>&1 || { miss "python3 -m venv failed"; return 1; }
    timeout "$T" "$d/bin/pip" install -q --disable-pip-version-check "$@" >"$d.log" 2>&1 ||
        { miss "pip install $* failed (see $d.log)"; return 1; }
    touch "$d/.complete"
}

python_part() {
    local v
    for v in $KAFKA_PYTHON; do venv_part "$C/py-kafka-python-$v" "kafka-python==$v"; done
    venv_part "$C/py-confluent" "confluent-kafka==$CONFLUENT_KAFKA"
}

sslyze_part() { venv_part "$C/py-tools" "sslyze==$SSLYZE"; }

node_part() {
    local d=$C/node
    command -v npm >/dev/null || { miss "npm not installed: no KafkaJS / kafka-node"; return; }
    done_mark "$d" && return
    mkdir -p "$d"
    [[ -f $d/package.json ]] || echo '{"name":"mskprobe-interop-clients","private":true}' >"$d/package.json"
    timeout "$T" npm install --prefix "$d" --no-audit --no-fund "kafkajs@$KAFKAJS" >"$d/npm.log" 2>&1 ||
        { miss "npm install kafkajs@$KAFKAJS failed (see $d/npm.log)"; return; }
    # kafka-node is legacy: its optional native snappy may not build; --no-optional keeps it pure JS.
    timeout "$T" npm install --prefix "$d" --no-audit --no-fund --omit=optional "kafka-node@$KAFKA_NODE" >>"$d/npm.log" 2>&1 ||
        miss "npm install kafka-node@$KAFKA_NODE failed (see $d/npm.log)"
    touch "$d/.complete"
}

go_env() {
    command -v go >/dev/null || return 1
    export GOPATH=$C/go GOMODCACHE=$C/go/pkg/mod GOBIN=$C/bin GOFLAGS=-mod=mod GOTOOLCHAIN=local
}

go_part() {
    go_env || { miss "go not installed: no franz-go client"; return; }
    [[ -x $C/bin/franz-client && -x $C/bin/probe-version ]] && return
    local b=$C/franz-src
    rm -rf "$b" && mkdir -p "$b/client" "$b/probeversion"
    cp "$HERE/clients/franz/main.go" "$b/client/"
    cp "$HERE/clients/probeversion/main.go" "$b/probeversion/"
    (cd "$b" && go mod init mskprobe.interop/franz >/dev/null 2>&1 &&
        timeout "$T" go get "github.com/twmb/franz-go@$FRANZ_GO" >"$b/go.log" 2>&1 &&
        timeout "$T" go build -o "$C/bin/franz-client" ./client >>"$b/go.log" 2>&1 &&
        timeout "$T" go build -o "$C/bin/probe-version" ./probeversion >>"$b/go.log" 2>&1) ||
        miss "franz-go $FRANZ_GO programs not built (see $b/go.log)"
}

kcl_part() {
    # github.com/twmb/kcl is refused by the Go module proxy here (403 for latest and for v0.16.0):
    # bin/probe-version (go_part) does what its `misc probe-version` does.
    go_part
}

parts=${*:-java python node go kcl sslyze}
for p in $parts; do
    case $p in
    java) java_part ;; python) python_part ;; node) node_part ;; go) go_part ;; kcl) kcl_part ;; sslyze) sslyze_part ;;
    *) echo "usage: $0 [java python node go kcl sslyze]..." >&2; exit 2 ;;
    esac
done
command -v kcat >/dev/null || miss "kcat not installed (apt-get install kcat): no librdkafka client"
if ((missing)); then
    [[ ${MSKPROBE_INTEROP_REQUIRED:-} == 1 ]] && exit 1
    exit 77
fi
exit 0
