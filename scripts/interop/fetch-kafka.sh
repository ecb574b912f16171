#!/usr/bin/env bash
# Fetch Apache Kafka broker releases (and their runtime dependencies) from
# Maven Central into a cache, one directory of jars per release:
#   ${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}/kafka-VERSION/lib/*.jar
#
# Usage: scripts/interop/fetch-kafka.sh VERSION...
#
# Idempotent: a release whose directory holds a .complete marker is not
# fetched again. Each release gets a throw-away pom naming the broker
# artifact (org.apache.kafka:kafka_2.12 for 2.x, kafka_2.13 for 3.x/4.x),
# the tools module where the release has one (3.5+: ConfigCommand and the
# storage tool moved there over time) and a logging back end, then
# `mvn dependency:copy-dependencies -DincludeScope=runtime` copies the jars.
#
# Kafka 2.2/2.4 ship a ZooKeeper 3.4 / early 3.5 client that cannot resolve
# addresses on Java 17; their pom pins ZooKeeper 3.5.9 (with the netty jars
# its TLS socket needs) instead.
#
# Exit: 0 all fetched; 77 Maven Central could not be reached (skip), or 1
# when MSKPROBE_INTEROP_REQUIRED=1; 2 bad usage.
set -u

CACHE="${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}"
MVN_TIMEOUT="${MSKPROBE_INTEROP_MVN_TIMEOUT:-900}"

if [ $# -eq 0 ]; then
    echo "usage: $0 VERSION..." >&2
    exit 2
fi

skip_or_fail() {
    # One loud line naming what could not be had, then skip (77) or fail (1).
    echo "INTEROP SKIP: $*" >&2
    if [ "${MSKPROBE_INTEROP_REQUIRED:-}" = "1" ]; then
        exit 1
    fi
    exit 77
}

command -v mvn >/dev/null 2>&1 || skip_or_fail "mvn (Maven) is not installed: cannot fetch Kafka $*"

# scala_for VERSION -> scala binary version of the broker artifact.
scala_for() {
    case "$1" in
    2.*) echo 2.12 ;;
    *) echo 2.13 ;;
    esac
}

# ver_ge A B: true when dotted version A >= B.
ver_ge() {
    [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

write_pom() {
    local v="$1" pom="$2" scala extra=""
    scala="$(scala_for "$v")"
    if ver_ge "$v" 3.5.0; then
        # kafka-tools: ConfigCommand (4.x) and the storage/SCRAM helpers.
        extra="$extra
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$v</version></dependency>"
    fi
    local zkpin=""
    case "$v" in
    2.2.* | 2.3.* | 2.4.*)
        zkpin="
      <dependency><groupId>org.apache.zookeeper</groupId><artifactId>zookeeper</artifactId><version>3.5.9</version></dependency>"
        extra="$extra
    <dependency><groupId>org.apache.zookeeper</groupId><artifactId>zookeeper</artifactId><version>3.5.9</version></dependency>
    <dependency><groupId>io.netty</groupId><artifactId>netty-handler</artifactId><version>4.1.50.Final</version></dependency>
    <dependency><groupId>io.netty</groupId><artifactId>netty-transport-native-epoll</artifactId><version>4.1.50.Final</version></dependency>"
        ;;
    esac
    # Logging: 2.x/3.x log through log4j 1 (reload4j in late 3.x);
    # slf4j-simple gives a readable log on stderr for every release without
    # a config file. It binds slf4j 1.7; a release on slf4j 2 only warns.
    if ver_ge "$v" 4.0.0; then
        extra="$extra
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>"
    else
        extra="$extra
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-log4j12</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>"
    fi
    cat >"$pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>mskprobe.interop</groupId>
  <artifactId>kafka-$v</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>$zkpin
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$scala</artifactId><version>$v</version></dependency>$extra
  </dependencies>
</project>
POM
}

fetch_one() {
    local v="$1" dir="$CACHE/kafka-$1"
    if [ -f "$dir/.complete" ]; then
        echo "kafka $v: cached in $dir"
        return 0
    fi
    mkdir -p "$dir"
    rm -rf "$dir/lib" "$dir/lib.tmp"
    write_pom "$v" "$dir/pom.xml"
    echo "kafka $v: fetching from Maven Central into $dir" >&2
    if ! timeout "$MVN_TIMEOUT" mvn -B -q -Dstyle.color=never -f "$dir/pom.xml" \
        org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$dir/lib.tmp" >"$dir/mvn.log" 2>&1; then
        tail -n 5 "$dir/mvn.log" >&2
        return 1
    fi
    if ! ls "$dir/lib.tmp"/kafka_*.jar >/dev/null 2>&1; then
        echo "kafka $v: no broker jar after the fetch" >&2
        return 1
    fi
    # log4j 1.2.17 and reload4j (its drop-in fork, which the logging back end
    # above brings) hold the same classes: keep one.
    if ls "$dir/lib.tmp"/reload4j-*.jar >/dev/null 2>&1; then
        rm -f "$dir/lib.tmp"/log4j-1.2.*.jar
    fi
    mv "$dir/lib.tmp" "$dir/lib"
    # Where each jar came from, for docs/interop.md.
    ls "$dir/lib" >"$dir/jars.txt"
    touch "$dir/.complete"
    echo "kafka $v: $(wc -l <"$dir/jars.txt") jars in $dir/lib"
}

failed=""
for v in "$@"; do
    case "$v" in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *)
        echo "$0: not a release version: $v" >&2
        exit 2
        ;;
    esac
    fetch_one "$v" || failed="$failed $v"
done
if [ -n "$failed" ]; then
    skip_or_fail "could not fetch Apache Kafka from Maven Central:$failed (mvn.log in $CACHE/kafka-VERSION/)"
fi
exit 0
