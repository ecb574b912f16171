#!/usr/bin/env bash
# broker.sh - start/stop one real Apache Kafka broker (jars fetched by
# fetch-kafka.sh) on loopback, with listeners as AWS MSK has them.
#
#   broker.sh start DIR VERSION MODE   MODE: zk (broker->ZooKeeper plaintext),
#                                            zk-tls (broker->ZooKeeper TLS, 2.5+),
#                                            kraft (combined broker+controller, 3.3+)
#   broker.sh stop DIR                 stop what `start DIR` (or the cluster commands) started in DIR
#                                      (brokers first, then ZooKeeper; TERM, then KILL); idempotent
#
# A cluster of N ZooKeeper-mode brokers sharing one ZooKeeper (a rolling upgrade, docs/interop.md "Upgrade"):
#   broker.sh zk-start DIR             the test CA, certificates, SCRAM password and ZooKeeper (plain + TLS
#                                      port); writes DIR/cluster.env (ZK_PLAIN ZK_TLS CA ... ZK_PID)
#   broker.sh start-broker DIR ID VERSION zk|zk-tls [IBP]
#                                      start broker ID (1..99) of that release in DIR/broker-ID; its ports are
#                                      picked on the first start and kept, and so are its log dirs
#                                      (DIR/broker-ID/data) and broker id: a restart on another release is a
#                                      rolling upgrade step. IBP (like 2.2) pins inter.broker.protocol.version
#                                      and log.message.format.version, as Kafka's upgrade notes ask during a
#                                      roll. The first start creates the SCRAM user through ZooKeeper.
#                                      Writes DIR/broker-ID/broker.env (the keys below, plus BROKER_ID,
#                                      BROKER_DATA, BROKER_IBP).
#   broker.sh stop-broker DIR ID       stop broker ID (controlled shutdown: TERM, KILL after 60 s); keeps
#                                      its data; idempotent
#
# Listeners (all bound to 127.0.0.1, advertised as localhost, ports free at start time):
#   PLAINTEXT  plaintext (MSK 9092)
#   SSL        TLS, no client certificate (MSK 9094)
#   SASL_SSL   TLS + SASL/SCRAM-SHA-512 (MSK 9096); one user, created as the release allows:
#              `kafka-configs --zookeeper` (ZooKeeper mode) or `kafka-storage format --add-scram` (KRaft 3.5+)
#   MTLS       TLS with ssl.client.auth=required (MSK 9094 with mTLS on)
#   CONTROLLER (KRaft only) plaintext controller listener, not advertised
# ZooKeeper mode runs its own ZooKeeper (Debian's zookeeper 3.8 package, the jars and approach of
# tests/zk/zk-harness.sh) with a plaintext and a TLS client port; zk-tls points the broker at the TLS port
# (zookeeper.ssl.client.enable=true, zookeeper.clientCnxnSocket=ClientCnxnSocketNetty).
#
# DIR/broker.env (shell-sourceable) holds KAFKA_VERSION KAFKA_MODE BROKER_PLAINTEXT BROKER_SSL
#   BROKER_SASL_SSL BROKER_MTLS (each localhost:PORT), BROKER_CONTROLLER, ZK_PLAIN ZK_TLS (127.0.0.1:PORT,
#   empty in KRaft), BROKER_ZK_CONNECT (what the broker uses), CA CLIENT_CERT CLIENT_KEY (PEM),
#   TRUSTSTORE TRUSTSTORE_PASSWORD (PKCS12, for Java clients), KAFKA_LIB (the release's jars), JAVA,
#   SCRAM_MECHANISM SCRAM_USER SCRAM_PASSWORD_FILE, BROKER_PID ZK_PID, BROKER_LOG.
#
# Environment: MSKPROBE_INTEROP_CACHE (where fetch-kafka.sh put the jars), JAVA (default: Java 17),
#   BROKER_TIMEOUT (bound on the whole start, seconds; default 180),
#   BROKER_JAVAAGENT (optional: JAR=ARGS given to the broker's JVM as -javaagent:JAR=ARGS, e.g. the
#   Prometheus JMX exporter as MSK Open Monitoring runs it: jmx_prometheus_javaagent.jar=127.0.0.1:PORT:CONFIG).
# Exit: 0 started; 1 failed (everything started is stopped again, log tails on stderr); 2 usage;
#   77 the release is not fetched or Java/ZooKeeper is missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="${MSKPROBE_INTEROP_CACHE:-$HOME/.cache/mskprobe-interop}"
JAVA17=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
JAVA=${JAVA:-$([ -x $JAVA17 ] && echo $JAVA17 || command -v java || echo java)}
KEYTOOL=$(dirname "$(readlink -f "$(command -v "$JAVA" || echo "$JAVA")")")/keytool
ZK_JAVA_DIR=${ZK_JAVA_DIR:-/usr/share/java}
TIMEOUT=${BROKER_TIMEOUT:-180}
STOREPASS=interop-store # test keystores made for this run only
SCRAM_USER=interop
BDIR="" # the broker's own directory: DIR for `start`, DIR/broker-ID for `start-broker`
BROKER_ID=1
IBP=""
CLUSTER=0 # 1 for the cluster commands: a failed start stops only that broker

die() { echo "broker.sh: $*" >&2; exit 1; }
skip() { echo "broker.sh: SKIP: $*" >&2; exit 77; }
log() { echo "broker.sh: $*" >&2; }
usage() {
    echo "usage: $0 start DIR VERSION zk|zk-tls|kraft | stop DIR | zk-start DIR |" >&2
    echo "       start-broker DIR ID VERSION zk|zk-tls [IBP] | stop-broker DIR ID" >&2
    exit 2
}
ver_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

# ---------------------------------------------------------------- ports (as zk-harness.sh)
declare -A TAKEN=()
used_ports() {
    local _sl addr _rest
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r _sl addr _rest; do
        [[ $addr == *:* ]] || continue
        echo $((16#${addr##*:}))
    done
}
pick_port() { # sets PORT
    local lo=20000 hi range used p i
    hi=$(awk '{print $1-1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32767)
    ((hi > lo + 1000)) || hi=32767
    range=$((hi - lo))
    used=" $(used_ports | tr '\n' ' ') "
    for ((i = 0; i < 500; i++)); do
        p=$((lo + (RANDOM * 32768 + RANDOM) % range))
        [[ $used == *" $p "* ]] && continue
        [[ -n ${TAKEN[$p]:-} ]] && continue
        TAKEN[$p]=1
        PORT=$p
        return 0
    done
    die "no free port found"
}

# ---------------------------------------------------------------- PKI
make_pki() {
    local pki=$1
    mkdir -p "$pki"
    cat >"$pki/openssl.cnf" <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[ client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
CNF
    local n
    for n in ca server client; do
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/$n.key" 2>/dev/null &
    done
    wait
    for n in ca server client; do [[ -s $pki/$n.key ]] || die "openssl genpkey failed for $n"; done
    chmod 600 "$pki"/*.key
    openssl req -config "$pki/openssl.cnf" -new -x509 -key "$pki/ca.key" -subj "/CN=mskprobe interop CA" \
        -days 3650 -sha256 -extensions v3_ca -set_serial 1 -out "$pki/ca.pem"
    local serial=2
    for n in server client; do
        openssl req -config "$pki/openssl.cnf" -new -key "$pki/$n.key" -subj "/CN=${n/server/localhost}" \
            -out "$pki/$n.csr"
        openssl x509 -req -in "$pki/$n.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -set_serial $serial \
            -days 3650 -sha256 -extfile "$pki/openssl.cnf" -extensions "$n" -out "$pki/$n.pem" 2>/dev/null
        serial=$((serial + 1))
    done
    rm -f "$pki"/*.csr
    # Java stores (PKCS12, readable by every release here): the broker's key store, a trust store with the CA.
    openssl pkcs12 -export -in "$pki/server.pem" -inkey "$pki/server.key" -certfile "$pki/ca.pem" \
        -name broker -out "$pki/server.p12" -passout "pass:$STOREPASS"
    "$KEYTOOL" -importcert -noprompt -alias ca -file "$pki/ca.pem" -keystore "$pki/truststore.p12" \
        -storetype PKCS12 -storepass "$STOREPASS" >/dev/null 2>&1 || die "keytool could not make the trust store"
    # ZooKeeper 3.8 (server) reads PEM: key and chain in one file.
    cat "$pki/server.key" "$pki/server.pem" "$pki/ca.pem" >"$pki/zk-keystore.pem"
    chmod 600 "$pki/zk-keystore.pem" "$pki/server.p12"
}

# ---------------------------------------------------------------- processes
alive() { # pid, and the process is one of ours
    local pid=$1
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -qF -- "-Dmskprobe.interop.dir=$DIR " || return 1
    [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]]
}
stop_pid() { # pidfile grace_seconds
    local f=$1 grace=$2 pid i
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < grace * 10; i++)); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
        fi
    fi
    alive "$pid" && die "could not stop PID $pid"
    rm -f "$f"
}
stop_all() {
    # the brokers first (their controlled shutdown needs ZooKeeper), then ZooKeeper
    # (a cluster's brokers get TERM together: stopping the whole cluster needs no leader hand-over)
    local f
    for f in "$DIR"/broker-*/broker.pid; do
        [[ -f $f ]] && alive "$(cat "$f")" && kill -TERM "$(cat "$f")" 2>/dev/null
    done
    for f in "$DIR"/broker-*/broker.pid; do
        [[ -f $f ]] && stop_pid "$f" 60
    done
    stop_pid "$DIR/broker.pid" 20
    stop_pid "$DIR/zk.pid" 5
    wait 2>/dev/null || true
}

wait_exec() { # pidfile: the forked shell becomes the JVM (exec) a moment after `&`; wait for it, bounded
    local pid i
    pid=$(cat "$1")
    for ((i = 0; i < 100; i++)); do alive "$pid" && return 0; sleep 0.05; done
    fail_start "process $pid did not start"
}

fail_start() {
    log "not ready: $*"
    local f
    for f in "$DIR/zk/zk.log" "$DIR/tool.log" "${BDIR:-$DIR}/broker.log"; do
        [[ -s $f ]] || continue
        echo "----- tail of $f -----" >&2
        tail -n 40 "$f" >&2 || true
    done
    echo "-----" >&2
    if ((CLUSTER)); then
        if [[ -n $BDIR ]]; then stop_pid "$BDIR/broker.pid" 20 || true; else stop_pid "$DIR/zk.pid" 5 || true; fi
    else
        stop_all || true
    fi
    exit 1
}

left() { echo $((DEADLINE - $(date +%s))); }

# ---------------------------------------------------------------- ZooKeeper (Debian's 3.8, as zk-harness.sh)
start_zk() {
    # a port picked free can be taken by another process before ZooKeeper binds it: try again on new ports
    local try
    for try in 1 2 3; do
        start_zk_once && return 0
        log "ZooKeeper could not bind port $ZKP or $ZKT (attempt $try): picking others"
        rm -f "$DIR/zk.pid"
    done
    fail_start "ZooKeeper could not bind its ports"
}
start_zk_once() { # returns 1 when ZooKeeper exited on a port taken meanwhile
    local d=$DIR/zk cp
    rm -rf "$d"
    mkdir -p "$d/data"
    pick_port; ZKP=$PORT
    pick_port; ZKT=$PORT
    cat >"$d/zoo.cfg" <<CFG
tickTime=2000
dataDir=$d/data
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok
serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
clientPortAddress=127.0.0.1
clientPort=$ZKP
secureClientPortAddress=127.0.0.1
secureClientPort=$ZKT
ssl.keyStore.location=$PKI/zk-keystore.pem
ssl.keyStore.type=PEM
ssl.keyStore.password=
ssl.trustStore.location=$PKI/ca.pem
ssl.trustStore.type=PEM
ssl.trustStore.password=
ssl.clientAuth=none
ssl.hostnameVerification=false
CFG
    cp=$ZK_JAVA_DIR/zookeeper.jar:$ZK_JAVA_DIR/zookeeper-jute.jar:$ZK_JAVA_DIR/netty-codec.jar
    cp+=:$ZK_JAVA_DIR/netty-resolver.jar:$ZK_JAVA_DIR/slf4j-api.jar:$ZK_JAVA_DIR/slf4j-simple.jar
    "$JAVA" -Xmx96m -Xms16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
        -Djava.net.preferIPv4Stack=true -Dmskprobe.interop.dir="$DIR" \
        -Dzookeeper.admin.enableServer=false -Dzookeeper.jmx.log4j.disable=true \
        -Dorg.slf4j.simpleLogger.logFile=System.out -Dorg.slf4j.simpleLogger.showDateTime=true \
        -cp "$cp" org.apache.zookeeper.server.ZooKeeperServerMain "$d/zoo.cfg" \
        </dev/null >"$d/zk.log" 2>&1 &
    echo $! >"$DIR/zk.pid"
    disown $! 2>/dev/null || true
    wait_exec "$DIR/zk.pid"
    local reply out
    while :; do
        if ! alive "$(cat "$DIR/zk.pid")"; then
            grep -q 'java.net.BindException' "$d/zk.log" && return 1
            fail_start "ZooKeeper exited"
        fi
        reply=$(timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 && printf srvr >&3 && cat <&3' _ "$ZKP" 2>/dev/null) || true
        if [[ $reply == *"Zookeeper version"* ]]; then
            out=$(printf srvr | timeout 3 openssl s_client -connect "127.0.0.1:$ZKT" -quiet -ign_eof 2>/dev/null) || true
            [[ $out == *"Zookeeper version"* ]] && break
        fi
        (($(left) > 0)) || fail_start "ZooKeeper not answering after ${TIMEOUT}s"
        sleep 0.3
    done
}

# ---------------------------------------------------------------- Kafka
jvm_opts() { # common JVM flags for broker and tools
    echo -Xmx256m -Xms64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
        -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true -Dmskprobe.interop.dir="$DIR" \
        -Dlog4j.configuration="file:$DIR/log4j.properties" \
        -Dlog4j2.configurationFile="$DIR/log4j2.properties"
}

write_log_config() {
    cat >"$DIR/log4j.properties" <<'L4J'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.org.apache.zookeeper=WARN
L4J
    cat >"$DIR/log4j2.properties" <<'L4J2'
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = STDOUT
L4J2
}

run_tool() { # main-class args...: a Kafka CLI tool on the release's class path, bounded
    local t
    t=$(left)
    ((t > 5)) || t=5
    # shellcheck disable=SC2046
    timeout -k 5 "$t" "$JAVA" $(jvm_opts) -cp "$LIB/*" "$@" </dev/null >>"$DIR/tool.log" 2>&1
}

has_class() { # class name -> true when some jar of the release has it
    local f=${1//.//}.class j
    for j in "$LIB"/kafka*.jar; do
        unzip -l "$j" "$f" >/dev/null 2>&1 && return 0
    done
    return 1
}

write_server_properties() {
    local p=$BDIR/server.properties
    {
        echo "# generated by scripts/interop/broker.sh for Kafka $VERSION ($MODE)"
        echo "log.dirs=$BDIR/data"
        echo "num.partitions=1"
        echo "offsets.topic.replication.factor=1"
        echo "transaction.state.log.replication.factor=1"
        echo "transaction.state.log.min.isr=1"
        echo "group.initial.rebalance.delay.ms=0"
        echo "auto.create.topics.enable=false"
        local map="PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,MTLS:SSL"
        local listeners="PLAINTEXT://127.0.0.1:$PP,SSL://127.0.0.1:$PS,SASL_SSL://127.0.0.1:$PSASL,MTLS://127.0.0.1:$PM"
        echo "advertised.listeners=PLAINTEXT://localhost:$PP,SSL://localhost:$PS,SASL_SSL://localhost:$PSASL,MTLS://localhost:$PM"
        if [[ $MODE == kraft ]]; then
            echo "process.roles=broker,controller"
            echo "node.id=1"
            echo "controller.quorum.voters=1@127.0.0.1:$PC"
            echo "controller.listener.names=CONTROLLER"
            map="$map,CONTROLLER:PLAINTEXT"
            listeners="$listeners,CONTROLLER://127.0.0.1:$PC"
        else
            echo "broker.id=$BROKER_ID"
            if [[ -n $IBP ]]; then
                # a rolling upgrade: the brokers speak the old protocol and write the old message format
                # until every broker runs the new release (Kafka's upgrade notes)
                echo "inter.broker.protocol.version=$IBP"
                echo "log.message.format.version=$IBP"
            fi
            echo "zookeeper.connection.timeout.ms=30000"
            if [[ $MODE == zk-tls ]]; then
                echo "zookeeper.connect=localhost:$ZKT"
                echo "zookeeper.ssl.client.enable=true"
                echo "zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty"
                echo "zookeeper.ssl.truststore.location=$PKI/truststore.p12"
                echo "zookeeper.ssl.truststore.password=$STOREPASS"
                echo "zookeeper.ssl.truststore.type=PKCS12"
            else
                echo "zookeeper.connect=127.0.0.1:$ZKP"
            fi
        fi
        echo "listeners=$listeners"
        echo "listener.security.protocol.map=$map"
        echo "inter.broker.listener.name=PLAINTEXT"
        echo "ssl.keystore.location=$PKI/server.p12"
        echo "ssl.keystore.type=PKCS12"
        echo "ssl.keystore.password=$STOREPASS"
        echo "ssl.key.password=$STOREPASS"
        echo "ssl.truststore.location=$PKI/truststore.p12"
        echo "ssl.truststore.type=PKCS12"
        echo "ssl.truststore.password=$STOREPASS"
        echo "ssl.client.auth=none"
        echo "listener.name.mtls.ssl.client.auth=required"
        echo "sasl.enabled.mechanisms=SCRAM-SHA-512"
        echo "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512"
        echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
    } >"$p"
}

scram_zk() { # create the SCRAM user through ZooKeeper (ZooKeeper mode, every release)
    run_tool kafka.admin.ConfigCommand --zookeeper "127.0.0.1:$ZKP" --alter \
        --add-config "SCRAM-SHA-512=[iterations=4096,password=$(cat "$DIR/scram.password")]" \
        --entity-type users --entity-name "$SCRAM_USER" || fail_start "kafka-configs --zookeeper could not add the SCRAM user"
}

format_kraft() {
    local id cls scram=()
    id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    if has_class kafka.tools.StorageTool; then
        cls=kafka.tools.StorageTool
    elif has_class org.apache.kafka.tools.StorageTool; then
        cls=org.apache.kafka.tools.StorageTool
    else
        fail_start "no storage format tool in Kafka $VERSION"
    fi
    if ver_ge "$VERSION" 3.5.0; then
        scram=(--add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,iterations=4096,password=$(cat "$DIR/scram.password")]")
    else
        log "Kafka $VERSION KRaft cannot store SCRAM users (KIP-900 is 3.5+): SASL_SSL has no user"
    fi
    run_tool "$cls" format -t "$id" -c "$BDIR/server.properties" "${scram[@]}" ||
        fail_start "kafka-storage format failed"
}

start_broker() {
    # shellcheck disable=SC2046
    # a restarted broker (a rolling upgrade step) keeps the log of its earlier life
    [[ -s $BDIR/broker.log ]] && cat "$BDIR/broker.log" >>"$BDIR/broker.log.old"
    local agent=()
    [[ -n ${BROKER_JAVAAGENT:-} ]] && agent=("-javaagent:$BROKER_JAVAAGENT")
    "$JAVA" $(jvm_opts) "${agent[@]}" -cp "$LIB/*" kafka.Kafka "$BDIR/server.properties" \
        </dev/null >"$BDIR/broker.log" 2>&1 &
    echo $! >"$BDIR/broker.pid"
    disown $! 2>/dev/null || true
    wait_exec "$BDIR/broker.pid"
    local pid
    pid=$(cat "$BDIR/broker.pid")
    while :; do
        alive "$pid" || fail_start "the broker exited"
        if grep -qE 'started \(kafka\.server\.Kafka(Raft)?Server\)|Kafka Server started' "$BDIR/broker.log" &&
            python3 "$HERE/apiversions.py" 127.0.0.1 "$PP" --timeout 3 >/dev/null 2>&1; then
            break
        fi
        (($(left) > 0)) || fail_start "the broker not ready after ${TIMEOUT}s"
        sleep 0.5
    done
}

check_release() { # VERSION MODE: the jars are there, the tools are, the mode fits the release
    LIB=$CACHE/kafka-$VERSION/lib
    [[ -f $CACHE/kafka-$VERSION/.complete ]] || skip "Kafka $VERSION is not fetched (scripts/interop/fetch-kafka.sh $VERSION)"
    check_tools
    case $MODE in
    zk | zk-tls)
        check_zk
        if [[ $MODE == zk-tls ]] && ! ver_ge "$VERSION" 2.5.0; then
            die "Kafka $VERSION cannot speak TLS to ZooKeeper (KIP-515 is 2.5+)"
        fi
        if ver_ge "$VERSION" 4.0.0; then die "Kafka $VERSION has no ZooKeeper mode"; fi
        ;;
    kraft)
        ((CLUSTER == 0)) || die "the cluster commands run ZooKeeper-mode brokers only"
        ver_ge "$VERSION" 3.3.0 || die "Kafka $VERSION has no production KRaft mode (3.3+)"
        ;;
    *) usage ;;
    esac
}
check_tools() {
    [[ -x $JAVA ]] || command -v "$JAVA" >/dev/null || skip "java not found"
    [[ -x $KEYTOOL ]] || skip "keytool not found beside $JAVA"
    command -v openssl >/dev/null || skip "openssl not found"
}
check_zk() {
    [[ -r $ZK_JAVA_DIR/zookeeper.jar ]] || skip "ZooKeeper not installed (apt-get install zookeeper libnetty-java libslf4j-java)"
}

new_secrets() { # the test CA and certificates, the SCRAM password, the log configuration
    PKI=$DIR/pki
    make_pki "$PKI"
    head -c 18 /dev/urandom | base64 | tr '+/' 'AB' >"$DIR/scram.password"
    chmod 600 "$DIR/scram.password"
    write_log_config
}

write_broker_env() { # BDIR/broker.env, written atomically
    {
        echo "# written by scripts/interop/broker.sh $CMD; stop with: broker.sh ${STOPCMD:-stop $DIR}"
        echo "KAFKA_VERSION=$VERSION"
        echo "KAFKA_MODE=$MODE"
        echo "BROKER_ID=$BROKER_ID"
        echo "BROKER_PLAINTEXT=localhost:$PP"
        echo "BROKER_SSL=localhost:$PS"
        echo "BROKER_SASL_SSL=localhost:$PSASL"
        echo "BROKER_MTLS=localhost:$PM"
        echo "BROKER_CONTROLLER=${PC:+127.0.0.1:$PC}"
        echo "BROKER_DATA=$BDIR/data"
        echo "BROKER_IBP=$IBP"
        echo "ZK_PLAIN=${ZKP:+127.0.0.1:$ZKP}"
        echo "ZK_TLS=${ZKT:+127.0.0.1:$ZKT}"
        if [[ $MODE == zk-tls ]]; then echo "BROKER_ZK_CONNECT=localhost:$ZKT"; elif [[ $MODE == zk ]]; then echo "BROKER_ZK_CONNECT=127.0.0.1:$ZKP"; else echo "BROKER_ZK_CONNECT="; fi
        echo "CA=$PKI/ca.pem"
        echo "CLIENT_CERT=$PKI/client.pem"
        echo "CLIENT_KEY=$PKI/client.key"
        echo "TRUSTSTORE=$PKI/truststore.p12"
        echo "TRUSTSTORE_PASSWORD=$STOREPASS"
        echo "KAFKA_LIB=$LIB"
        echo "JAVA=$JAVA"
        echo "SCRAM_MECHANISM=SCRAM-SHA-512"
        if [[ $MODE == kraft ]] && ! ver_ge "$VERSION" 3.5.0; then echo "SCRAM_USER="; else echo "SCRAM_USER=$SCRAM_USER"; fi
        echo "SCRAM_PASSWORD_FILE=$DIR/scram.password"
        echo "BROKER_PID=$(cat "$BDIR/broker.pid")"
        echo "ZK_PID=$(cat "$DIR/zk.pid" 2>/dev/null || true)"
        echo "BROKER_LOG=$BDIR/broker.log"
    } >"$BDIR/broker.env.tmp"
    mv "$BDIR/broker.env.tmp" "$BDIR/broker.env"
}

start_all() {
    local t0
    t0=$(date +%s)
    DEADLINE=$((t0 + TIMEOUT))
    check_release
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd -P)
    BDIR=$DIR
    stop_all
    rm -rf "$DIR/data" "$DIR/zk" "$DIR/pki" "$DIR/broker.env" "$DIR"/*.log
    new_secrets
    pick_port; PP=$PORT
    pick_port; PS=$PORT
    pick_port; PSASL=$PORT
    pick_port; PM=$PORT
    PC="" ZKP="" ZKT=""
    if [[ $MODE == kraft ]]; then
        pick_port; PC=$PORT
        write_server_properties
        format_kraft
    else
        start_zk
        write_server_properties
        scram_zk
    fi
    start_broker
    write_broker_env
    log "Kafka $VERSION ($MODE) ready in $(($(date +%s) - t0)) s; env in $DIR/broker.env"
}

# ---------------------------------------------------------------- a cluster sharing one ZooKeeper
env_get() { # file key -> value
    sed -n "s/^$2=//p" "$1" | tail -n 1
}

zk_start_cmd() {
    local t0
    t0=$(date +%s)
    DEADLINE=$((t0 + TIMEOUT))
    check_tools
    check_zk
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd -P)
    stop_all
    rm -rf "$DIR"/broker-* "$DIR/zk" "$DIR/pki" "$DIR/cluster.env" "$DIR/scram.done" "$DIR"/*.log
    new_secrets
    start_zk
    {
        echo "# written by scripts/interop/broker.sh zk-start; stop everything with: broker.sh stop $DIR"
        echo "ZK_PLAIN=127.0.0.1:$ZKP"
        echo "ZK_TLS=127.0.0.1:$ZKT"
        echo "CA=$PKI/ca.pem"
        echo "CLIENT_CERT=$PKI/client.pem"
        echo "CLIENT_KEY=$PKI/client.key"
        echo "TRUSTSTORE=$PKI/truststore.p12"
        echo "TRUSTSTORE_PASSWORD=$STOREPASS"
        echo "JAVA=$JAVA"
        echo "SCRAM_USER=$SCRAM_USER"
        echo "SCRAM_PASSWORD_FILE=$DIR/scram.password"
        echo "ZK_PID=$(cat "$DIR/zk.pid")"
        echo "ZK_LOG=$DIR/zk/zk.log"
    } >"$DIR/cluster.env.tmp"
    mv "$DIR/cluster.env.tmp" "$DIR/cluster.env"
    log "ZooKeeper ready in $(($(date +%s) - t0)) s (plain $ZKP, TLS $ZKT); env in $DIR/cluster.env"
}

cluster_dir() { # DIR must hold a running zk-start
    [[ -f $DIR/cluster.env ]] || die "$DIR has no cluster.env (run broker.sh zk-start $DIR first)"
    DIR=$(cd "$DIR" && pwd -P)
    [[ $BROKER_ID =~ ^[1-9][0-9]?$ ]] || die "broker id must be 1..99, not '$BROKER_ID'"
    BDIR=$DIR/broker-$BROKER_ID
    PKI=$DIR/pki
}

start_broker_cmd() {
    local t0 zp zt
    t0=$(date +%s)
    DEADLINE=$((t0 + TIMEOUT))
    check_release
    cluster_dir
    [[ -z $IBP || $IBP =~ ^[0-9]+\.[0-9]+(-IV[0-9]+)?$ ]] || die "IBP must look like 2.2, not '$IBP'"
    alive "$(cat "$DIR/zk.pid" 2>/dev/null)" || die "the ZooKeeper of $DIR is not running"
    if [[ -f $BDIR/broker.pid ]] && alive "$(cat "$BDIR/broker.pid")"; then
        die "broker $BROKER_ID is running (broker.sh stop-broker $DIR $BROKER_ID first)"
    fi
    zp=$(env_get "$DIR/cluster.env" ZK_PLAIN)
    zt=$(env_get "$DIR/cluster.env" ZK_TLS)
    ZKP=${zp##*:} ZKT=${zt##*:} PC=""
    mkdir -p "$BDIR"
    if [[ -f $BDIR/ports ]]; then
        # the same listeners as before the restart, as a rolled broker keeps its advertised endpoints
        read -r PP PS PSASL PM <"$BDIR/ports"
    else
        local f p
        for f in "$DIR"/broker-*/ports; do # ports the other brokers keep, even while stopped
            [[ -f $f ]] || continue
            for p in $(cat "$f"); do TAKEN[$p]=1; done
        done
        TAKEN[$ZKP]=1 TAKEN[$ZKT]=1
        pick_port; PP=$PORT
        pick_port; PS=$PORT
        pick_port; PSASL=$PORT
        pick_port; PM=$PORT
        echo "$PP $PS $PSASL $PM" >"$BDIR/ports"
    fi
    write_server_properties
    if [[ ! -f $DIR/scram.done ]]; then
        scram_zk
        touch "$DIR/scram.done"
    fi
    start_broker
    STOPCMD="stop-broker $DIR $BROKER_ID"
    write_broker_env
    log "broker $BROKER_ID: Kafka $VERSION ($MODE${IBP:+, inter.broker.protocol.version=$IBP}) ready in" \
        "$(($(date +%s) - t0)) s; env in $BDIR/broker.env"
}

stop_broker_cmd() {
    [[ -d $DIR ]] || exit 0
    DIR=$(cd "$DIR" && pwd -P)
    [[ $BROKER_ID =~ ^[1-9][0-9]?$ ]] || die "broker id must be 1..99, not '$BROKER_ID'"
    BDIR=$DIR/broker-$BROKER_ID
    stop_pid "$BDIR/broker.pid" 60
    rm -f "$BDIR/broker.env"
}

(($# >= 2)) || usage
CMD=$1
DIR=$2
case $CMD in
start)
    (($# == 4)) || usage
    VERSION=$3
    MODE=$4
    start_all
    ;;
stop)
    [[ -d $DIR ]] || exit 0
    DIR=$(cd "$DIR" && pwd -P)
    stop_all
    rm -f "$DIR/broker.env" "$DIR"/broker-*/broker.env
    ;;
zk-start)
    (($# == 2)) || usage
    CLUSTER=1
    zk_start_cmd
    ;;
start-broker)
    (($# == 5 || $# == 6)) || usage
    CLUSTER=1
    BROKER_ID=$3
    VERSION=$4
    MODE=$5
    IBP=${6:-}
    start_broker_cmd
    ;;
stop-broker)
    (($# == 3)) || usage
    CLUSTER=1
    BROKER_ID=$3
    stop_broker_cmd
    ;;
*) usage ;;
esac
