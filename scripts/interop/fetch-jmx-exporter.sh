#!/usr/bin/env bash
# Fetch the Prometheus JMX exporter agent (io.prometheus.jmx:jmx_prometheus_javaagent, the exporter MSK
# Open Monitoring runs on port 11001) from Maven Central into the interop cache:
#   ${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}/jmx-exporter/jmx_prometheus_javaagent-VERSION.jar
# Usage: scripts/interop/fetch-jmx-exporter.sh [VERSION]   (default 0.20.0)
# Prints the jar's path. Exit 0; 77 Maven or Maven Central missing (1 when MSKPROBE_INTEROP_REQUIRED=1).
set -u
V=${1:-0.20.0}
CACHE="${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}/jmx-exporter"
JAR=$CACHE/jmx_prometheus_javaagent-$V.jar
skip_or_fail() {
    echo "INTEROP SKIP: $*" >&2
    [ "${MSKPROBE_INTEROP_REQUIRED:-}" = "1" ] && exit 1
    exit 77
}
if [ ! -s "$JAR" ]; then
    command -v mvn >/dev/null 2>&1 || skip_or_fail "mvn (Maven) is not installed: cannot fetch jmx_prometheus_javaagent $V"
    mkdir -p "$CACHE"
    timeout "${MSKPROBE_INTEROP_MVN_TIMEOUT:-600}" mvn -q -B dependency:copy \
        "-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:$V" "-DoutputDirectory=$CACHE" >&2 ||
        skip_or_fail "Maven Central did not serve io.prometheus.jmx:jmx_prometheus_javaagent:$V"
    [ -s "$JAR" ] || skip_or_fail "jmx_prometheus_javaagent-$V.jar not found after mvn"
fi
echo "$JAR"
