#!/usr/bin/env bash
# zk-harness.sh — start/stop real Apache ZooKeeper servers (Debian's 3.8) as test peers for mskprobe.
#
#   zk-harness.sh start DIR   generate a test PKI in DIR/pki, start every instance on 127.0.0.1 with
#                             ports chosen free at start time, wait until each answers, write DIR/zk.env
#   zk-harness.sh stop DIR    stop what `start DIR` started (recorded PIDs; TERM, then KILL); idempotent
#
# Debian 12 packages needed (as root: apt-get update && apt-get install -y --no-install-recommends ...):
#   zookeeper           Debian's ZooKeeper 3.8.0; pulls libzookeeper-java, default-jre(-headless)
#                       = openjdk-17-jre-headless, libnetty-java (netty-codec.jar, netty-resolver.jar)
#                       and libslf4j-java (slf4j-simple.jar)
#   libnetty-java       named explicitly: its netty-codec.jar is NOT on zookeeper.jar's manifest
#                       Class-Path; without it the TLS port accepts and drops every connection
#   libslf4j-java       named explicitly: slf4j-simple.jar is the logging backend (the package names none)
#   openssl             certificate generation and the TLS readiness check (s_client)
#   coreutils           timeout (Essential in Debian, listed for completeness)
# Nothing else: no nc, python or keytool (keystores and truststores are PEM files, which ZooKeeper 3.8
# reads with ssl.keyStore.type=PEM / ssl.trustStore.type=PEM). Needs no root privileges (ports > 1024).
#
# Instances (all bound to 127.0.0.1 only, -Xmx96m, admin server off, 4lw whitelist "srvr,ruok"):
#   main       plaintext clientPort + secureClientPort, ssl.clientAuth=none, TLSv1.2 + TLSv1.3
#   plainonly  plaintext only
#   want       TLS only, ssl.clientAuth=want
#   need       TLS only, ssl.clientAuth=need (client.pem/client.key are signed by the CA)
#   expired    TLS only, clientAuth none, server certificate valid 2020-01-01..2021-01-01 (openssl ca
#              -startdate/-enddate; OpenSSL 3.0's x509/req have no -not_before/-not_after)
#   wronghost  TLS only, clientAuth none, certificate for wrong.example.test only (no localhost/127.0.0.1)
#   legacy     TLS only, clientAuth none, TLSv1 + TLSv1.1 + TLSv1.2 + TLSv1.3. Java 17 disables TLSv1/1.1 in
#              jdk.tls.disabledAlgorithms; this JVM gets -Djava.security.properties=<file> that redefines
#              that property without them (security.overridePropertiesFile=true is Debian's default).
#              Clients on OpenSSL 3 need "-cipher DEFAULT@SECLEVEL=0" for TLS < 1.2 (SHA-1 MACs/sigs).
#              Readiness checks a TLSv1 handshake; if it fails, legacy is stopped, ZK_LEGACY_TLS is left
#              empty and start still succeeds (set ZK_HARNESS_REQUIRE_LEGACY=1 to make that fatal).
# ZooKeeper 3.8 accepts secureClientPort without clientPort, so TLS-only instances have no plain port.
#
# DIR/zk.env (shell-sourceable): ZK_MAIN_PLAIN ZK_MAIN_TLS ZK_PLAINONLY_PLAIN ZK_WANT_TLS ZK_NEED_TLS
#   ZK_EXPIRED_TLS ZK_WRONGHOST_TLS ZK_LEGACY_TLS (each 127.0.0.1:PORT, ZK_LEGACY_TLS may be empty)
#   ZK_CA ZK_CLIENT_CERT ZK_CLIENT_KEY ZK_CA_KEY, ZK_<NAME>_PID for each running instance, ZK_PIDS, ZK_DIR.
# Layout: DIR/pki/{ca.pem,ca.key,client.pem,client.key,server.key (shared by all server certs),
#   server.pem (= main.pem),<name>.pem,<name>.key,<name>-keystore.pem},
#   DIR/<name>/{conf/zoo.cfg,data/,log/zk.log,pid}.
#
# Environment knobs: ZK_HARNESS_TIMEOUT (hard bound on the whole start, PKI included, s; default 60),
#   JAVA (default: java on PATH), ZK_JAVA_DIR (default /usr/share/java).
#
# Observed on Debian 12 (zookeeper 3.8.0-11+deb12u2, OpenJDK 17.0.15, OpenSSL 3.0.22), recorded for the tests:
#   * `srvr` (raw ASCII, no length prefix) is answered on the plain port and, after the TLS handshake,
#     on the TLS port too (readiness uses both), then the server closes:
#       Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
#       Latency min/avg/max: 0/0.0/0
#       Received: 1
#       Sent: 0
#       Connections: 1
#       Outstanding: 0
#       Zxid: 0x0
#       Mode: standalone
#       Node count: 5
#     `ruok` answers "imok". A 4lw outside the whitelist (e.g. `stat`) answers "stat is not executed
#     because it is not in the whitelist." and closes.
#   * Plain port, wrong protocol: a TLS ClientHello (first int32 = 0x160301xx, far above jute.maxbuffer)
#     or an HTTP request gets an immediate silent close (EOF, no bytes; s_client reports "unexpected eof").
#     A partial frame with a sane length (e.g. 6 bytes of a 45-byte ConnectRequest) just waits (>15 s).
#   * TLS port, wrong protocol: 5+ bytes of plaintext (HTTP, a ZooKeeper ConnectRequest) get an immediate
#     silent close, no TLS alert; fewer than 5 bytes (e.g. a bare 4lw "srvr") hang ~10 s until the
#     handshake timeout, then a silent close.
#   * TLS versions: main/want/need/expired/wronghost answer a TLSv1 or TLSv1.1 ClientHello with alert 70
#     (protocol_version); TLSv1.2 and TLSv1.3 work (TLS_AES_128_GCM_SHA256 preferred). legacy completes
#     TLSv1 (ECDHE-RSA-AES128-SHA) and TLSv1.1 with -cipher DEFAULT@SECLEVEL=0; without it OpenSSL 3
#     itself refuses ("legacy sigalg disallowed").
#   * Client certificates: clientAuth=need without a client certificate fails with alert 42 (bad_certificate):
#     during the handshake with TLS 1.2; with TLS 1.3 the client sees the handshake complete and gets the
#     alert on its first read;
#     want accepts with or without a certificate; expired and wronghost complete the handshake (the
#     server does not check its own certificate) and only a verifying client rejects them.
set -euo pipefail

INSTANCES=(main plainonly want need expired wronghost legacy)
JAVA_DIR=${ZK_JAVA_DIR:-/usr/share/java}
JAVA=${JAVA:-java}
TIMEOUT=${ZK_HARNESS_TIMEOUT:-60}

die() { echo "zk-harness: $*" >&2; exit 1; }
log() { echo "zk-harness: $*" >&2; }

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }

# ---------------------------------------------------------------- ports
# A port is "free" when no socket of any state uses it locally in /proc/net/tcp{,6}. Chosen below the
# kernel's ephemeral range so outgoing connections cannot grab it between choice and bind; a bind that
# still loses a race is retried with new ports (see launch/readiness).
declare -A TAKEN=()
used_ports() {
    local _sl addr _rest
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r _sl addr _rest; do
        [[ $addr == *:* ]] || continue
        echo $((16#${addr##*:}))
    done
}
pick_port() { # sets PORT (no subshell, so TAKEN persists)
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
    local pki=$1 name
    mkdir -p "$pki"
    cat >"$pki/openssl.cnf" <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ srv_localhost ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[ srv_wrong ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.test
[ client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = $dir/ca-db/index.txt
new_certs_dir = $dir/ca-db
serial = $dir/ca-db/serial
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
EOF
    # RSA 2048, the usual choice for Kafka/ZooKeeper deployments. Keygen is the slow part, so the server
    # instances share one key; each still gets its own certificate and key/keystore files.
    for name in ca client server; do
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/$name.key" 2>/dev/null &
    done
    wait
    for name in ca client server; do [[ -s $pki/$name.key ]] || die "openssl genpkey failed for $name"; done
    for name in main want need expired wronghost legacy; do cp "$pki/server.key" "$pki/$name.key"; done
    chmod 600 "$pki"/*.key
    local cnf=$pki/openssl.cnf
    openssl req -config "$cnf" -new -x509 -key "$pki/ca.key" -subj "/CN=mskprobe test CA" \
        -days 3650 -sha256 -extensions v3_ca -set_serial 1 -out "$pki/ca.pem"
    sign() { # name subject extensions serial
        openssl req -config "$cnf" -new -key "$pki/$1.key" -subj "$2" -out "$pki/$1.csr"
        openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -set_serial "$4" \
            -days 3650 -sha256 -extfile "$cnf" -extensions "$3" -out "$pki/$1.pem" 2>/dev/null
    }
    sign client "/CN=mskprobe-test-client" client 2
    sign main "/CN=localhost" srv_localhost 3
    sign want "/CN=localhost" srv_localhost 4
    sign need "/CN=localhost" srv_localhost 5
    sign legacy "/CN=localhost" srv_localhost 6
    sign wronghost "/CN=wrong.example.test" srv_wrong 7
    # expired: openssl ca is the only OpenSSL 3.0 tool that takes explicit validity dates
    openssl req -config "$cnf" -new -key "$pki/expired.key" -subj "/CN=localhost" -out "$pki/expired.csr"
    mkdir -p "$pki/ca-db"
    : >"$pki/ca-db/index.txt"
    echo 08 >"$pki/ca-db/serial"
    (cd "$pki" && openssl ca -config openssl.cnf -batch -notext -in expired.csr -out expired.pem \
        -extensions srv_localhost -startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null) ||
        die "openssl ca failed to make the expired certificate"
    rm -f "$pki"/*.csr
    for name in main want need expired wronghost legacy; do
        # ZooKeeper's PEM key store: private key (PKCS#8) and certificate chain in one file
        cat "$pki/$name.key" "$pki/$name.pem" "$pki/ca.pem" >"$pki/$name-keystore.pem"
        chmod 600 "$pki/$name-keystore.pem"
    done
    cp "$pki/main.pem" "$pki/server.pem"
}

# ---------------------------------------------------------------- per-instance config
TLS13_SUITES=TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256
TLS12_SUITES=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384
LEGACY_SUITES=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_CBC_SHA

declare -A PLAIN=() TLS=()

write_cfg() { # name
    local n=$1 d=$DIR/$1 auth=none protos=TLSv1.3,TLSv1.2 suites=$TLS13_SUITES,$TLS12_SUITES
    mkdir -p "$d/conf" "$d/data" "$d/log"
    case $n in
    want) auth=want ;;
    need) auth=need ;;
    legacy) protos=TLSv1.3,TLSv1.2,TLSv1.1,TLSv1 suites=$suites,$LEGACY_SUITES ;;
    esac
    {
        echo "# generated by zk-harness.sh"
        echo "tickTime=2000"
        echo "dataDir=$d/data"
        echo "maxClientCnxns=0"
        echo "admin.enableServer=false"
        echo "4lw.commands.whitelist=srvr,ruok"
        echo "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory"
        echo "autopurge.purgeInterval=0"
        if [[ -n ${PLAIN[$n]:-} ]]; then
            echo "clientPortAddress=127.0.0.1"
            echo "clientPort=${PLAIN[$n]}"
        fi
        if [[ -n ${TLS[$n]:-} ]]; then
            echo "secureClientPortAddress=127.0.0.1"
            echo "secureClientPort=${TLS[$n]}"
            echo "ssl.keyStore.location=$PKI/$n-keystore.pem"
            echo "ssl.keyStore.type=PEM"
            echo "ssl.keyStore.password="
            echo "ssl.trustStore.location=$PKI/ca.pem"
            echo "ssl.trustStore.type=PEM"
            echo "ssl.trustStore.password="
            echo "ssl.clientAuth=$auth"
            # the server would otherwise check the client certificate's name against the peer address
            echo "ssl.hostnameVerification=false"
            echo "ssl.protocol=TLSv1.3"
            echo "ssl.enabledProtocols=$protos"
            echo "ssl.ciphersuites=$suites"
        fi
    } >"$d/conf/zoo.cfg"
}

legacy_security_file() { # prints the path of a java.security override re-enabling TLSv1/TLSv1.1
    local f=$DIR/legacy/conf/java.security jsec val="" jhome
    mkdir -p "$DIR/legacy/conf"
    jhome=$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")
    jsec=$jhome/conf/security/java.security
    if [[ -r $jsec ]]; then
        val=$(awk '/^jdk\.tls\.disabledAlgorithms[ \t]*=/ {on=1}
                   on { line=$0; cont = (line ~ /\\$/); sub(/\\$/, "", line); s = s line; if (!cont) exit }
                   END { sub(/^[^=]*=/, "", s); print s }' "$jsec")
    fi
    [[ -n $val ]] || val="SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH"
    val=$(echo "$val" | tr ',' '\n' | sed 's/^[ \t]*//;s/[ \t]*$//' |
        grep -vxE 'TLSv1|TLSv1\.1|' | paste -sd, - | sed 's/,/, /g')
    {
        echo "# generated by zk-harness.sh: Java's default minus TLSv1 and TLSv1.1"
        echo "jdk.tls.disabledAlgorithms=$val"
    } >"$f"
    echo "$f"
}

launch() { # name
    local n=$1 d=$DIR/$1 cp extra=()
    cp=$JAVA_DIR/zookeeper.jar:$JAVA_DIR/zookeeper-jute.jar:$JAVA_DIR/netty-codec.jar
    cp+=:$JAVA_DIR/netty-resolver.jar:$JAVA_DIR/slf4j-api.jar:$JAVA_DIR/slf4j-simple.jar
    [[ $n == legacy ]] && extra+=("-Djava.security.properties=$(legacy_security_file)")
    write_cfg "$n"
    # stdout/stderr to the log, stdin from /dev/null: the JVM must not hold the caller's pipes open
    "$JAVA" -Xmx96m -Xms16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k \
        -XX:-UsePerfData -Djava.net.preferIPv4Stack=true \
        -Dzkharness.dir="$DIR" -Dzkharness.instance="$n" \
        -Dzookeeper.admin.enableServer=false -Dzookeeper.jmx.log4j.disable=true \
        -Dorg.slf4j.simpleLogger.logFile=System.out -Dorg.slf4j.simpleLogger.showDateTime=true \
        -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
        "${extra[@]}" -cp "$cp" org.apache.zookeeper.server.ZooKeeperServerMain "$d/conf/zoo.cfg" \
        </dev/null >>"$d/log/zk.log" 2>&1 &
    echo $! >"$d/pid"
    disown $! 2>/dev/null || true # no "Killed" job notices; stop_all works by PID
}

# ---------------------------------------------------------------- probes
probe_timeout() { # seconds for one probe: 3, less when the deadline is nearer
    local left=$((DEADLINE - $(date +%s)))
    ((left > 3)) && left=3
    ((left < 1)) && left=1
    echo "$left"
}
srvr_ok() { # port
    local reply
    reply=$(timeout "$(probe_timeout)" bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 && printf srvr >&3 && cat <&3' _ "$1" 2>/dev/null) ||
        true
    [[ $reply == *"Zookeeper version"* ]]
}
tls_ok() { # port [extra s_client args...]: handshake completes, then `srvr` over TLS is answered
    local port=$1 out
    shift
    out=$(printf srvr | timeout "$(probe_timeout)" openssl s_client -connect "127.0.0.1:$port" -quiet -ign_eof "$@" 2>/dev/null) ||
        true
    [[ $out == *"Zookeeper version"* ]]
}
tls_ready() { # name
    case $1 in
    need) tls_ok "${TLS[$1]}" -cert "$PKI/client.pem" -key "$PKI/client.key" ;;
    *) tls_ok "${TLS[$1]}" ;;
    esac
}
alive() { # pid, and the process is one of ours
    local pid=$1
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -qF -- "-Dzkharness.dir=$DIR " || return 1
    # a zombie does not count
    [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]]
}

# ---------------------------------------------------------------- stop
stop_all() {
    local n pid pids=() i
    for n in "${INSTANCES[@]}"; do
        [[ -f $DIR/$n/pid ]] || continue
        pid=$(cat "$DIR/$n/pid")
        if alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    for ((i = 0; i < 50; i++)); do # 5 s for a clean shutdown
        local left=()
        for pid in "${pids[@]}"; do alive "$pid" && left+=("$pid"); done
        pids=("${left[@]}")
        ((${#pids[@]} == 0)) && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 50 && ${#pids[@]} > 0; i++)); do
        local left=()
        for pid in "${pids[@]}"; do alive "$pid" && left+=("$pid"); done
        pids=("${left[@]}")
        sleep 0.1
    done
    # reap if they are our children (start's failure path); harmless otherwise
    wait 2>/dev/null || true
    for n in "${INSTANCES[@]}"; do rm -f "$DIR/$n/pid"; done
    ((${#pids[@]} == 0)) || die "could not stop PIDs ${pids[*]}"
}

# ---------------------------------------------------------------- start
fail_start() { # name message
    log "instance '$1' not ready: $2"
    if [[ -f $DIR/$1/log/zk.log ]]; then
        echo "----- tail of $DIR/$1/log/zk.log -----" >&2
        tail -n 40 "$DIR/$1/log/zk.log" >&2 || true
        echo "-----" >&2
    fi
    log "stopping everything started"
    stop_all || true
    exit 1
}

start_all() {
    local t0 n now
    t0=$(date +%s.%N)
    DEADLINE=$(($(date +%s) + TIMEOUT))
    command -v "$JAVA" >/dev/null || die "java not found (apt-get install zookeeper)"
    command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
    for f in zookeeper.jar netty-codec.jar netty-resolver.jar slf4j-simple.jar; do
        [[ -r $JAVA_DIR/$f ]] || die "$JAVA_DIR/$f missing (apt-get install zookeeper libnetty-java libslf4j-java)"
    done
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd -P)
    # a previous run in the same DIR must not leave servers behind
    stop_all
    PKI=$DIR/pki
    rm -rf "$PKI" "$DIR/zk.env"
    for n in "${INSTANCES[@]}"; do rm -rf "${DIR:?}/$n"; done
    make_pki "$PKI"
    [[ -n ${ZK_HARNESS_DEBUG:-} ]] && log "pki done at +$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"

    pick_port; PLAIN[main]=$PORT
    pick_port; TLS[main]=$PORT
    pick_port; PLAIN[plainonly]=$PORT
    for n in want need expired wronghost legacy; do pick_port; TLS[$n]=$PORT; done
    for n in "${INSTANCES[@]}"; do launch "$n"; done

    declare -A ready=() retries=()
    local legacy_ok=0
    while :; do
        local pending=0
        for n in "${INSTANCES[@]}"; do
            [[ -n ${ready[$n]:-} ]] && continue
            local pid
            pid=$(cat "$DIR/$n/pid")
            if ! alive "$pid"; then
                if grep -q "Address already in use" "$DIR/$n/log/zk.log" 2>/dev/null &&
                    ((${retries[$n]:-0} < 3)); then
                    retries[$n]=$((${retries[$n]:-0} + 1))
                    log "$n: port taken meanwhile, retrying with new ports"
                    if [[ -n ${PLAIN[$n]:-} ]]; then pick_port; PLAIN[$n]=$PORT; fi
                    if [[ -n ${TLS[$n]:-} ]]; then pick_port; TLS[$n]=$PORT; fi
                    mv "$DIR/$n/log/zk.log" "$DIR/$n/log/zk.log.bind-failed.${retries[$n]}"
                    launch "$n"
                    pending=1
                    continue
                fi
                [[ $n == legacy && ${ZK_HARNESS_REQUIRE_LEGACY:-0} != 1 ]] && {
                    log "legacy: JVM exited; tail of its log:"
                    tail -n 20 "$DIR/$n/log/zk.log" >&2 || true
                    ready[$n]=gone
                    continue
                }
                fail_start "$n" "process $pid exited"
            fi
            local ok=1
            if [[ -n ${PLAIN[$n]:-} ]]; then srvr_ok "${PLAIN[$n]}" || ok=0; fi
            if ((ok)) && [[ -n ${TLS[$n]:-} ]]; then tls_ready "$n" || ok=0; fi
            if ((ok)); then
                ready[$n]=1
                [[ -n ${ZK_HARNESS_DEBUG:-} ]] && log "$n ready at +$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
                if [[ $n == legacy ]]; then
                    if tls_ok "${TLS[$n]}" -tls1 -cipher 'DEFAULT@SECLEVEL=0'; then
                        legacy_ok=1
                    elif [[ ${ZK_HARNESS_REQUIRE_LEGACY:-0} == 1 ]]; then
                        fail_start legacy "TLS 1.2 works but a TLSv1 handshake does not"
                    else
                        log "legacy: TLSv1 handshake refused; stopping it, ZK_LEGACY_TLS left empty"
                        kill -KILL "$pid" 2>/dev/null || true
                    fi
                fi
            else
                pending=1
            fi
        done
        ((pending)) || break
        now=$(date +%s)
        if ((now >= DEADLINE)); then
            for n in "${INSTANCES[@]}"; do
                [[ -n ${ready[$n]:-} ]] || fail_start "$n" "not answering after ${TIMEOUT}s"
            done
        fi
        sleep 0.2
    done

    local env=$DIR/zk.env pids=() up
    {
        echo "# written by tests/zk/zk-harness.sh start; stop with: zk-harness.sh stop $DIR"
        echo "ZK_DIR=$DIR"
        echo "ZK_MAIN_PLAIN=127.0.0.1:${PLAIN[main]}"
        echo "ZK_MAIN_TLS=127.0.0.1:${TLS[main]}"
        echo "ZK_PLAINONLY_PLAIN=127.0.0.1:${PLAIN[plainonly]}"
        for n in want need expired wronghost; do
            up=${n^^}
            echo "ZK_${up}_TLS=127.0.0.1:${TLS[$n]}"
        done
        if ((legacy_ok)); then echo "ZK_LEGACY_TLS=127.0.0.1:${TLS[legacy]}"; else echo "ZK_LEGACY_TLS="; fi
        echo "ZK_CA=$PKI/ca.pem"
        echo "ZK_CA_KEY=$PKI/ca.key"
        echo "ZK_CLIENT_CERT=$PKI/client.pem"
        echo "ZK_CLIENT_KEY=$PKI/client.key"
        for n in "${INSTANCES[@]}"; do
            local pid
            pid=$(cat "$DIR/$n/pid")
            if [[ $n == legacy ]] && ((!legacy_ok)); then
                echo "ZK_LEGACY_PID="
                continue
            fi
            up=${n^^}
            echo "ZK_${up}_PID=$pid"
            pids+=("$pid")
        done
        echo "ZK_PIDS=\"${pids[*]}\""
    } >"$env.tmp"
    mv "$env.tmp" "$env"
    log "ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; env in $env"
}

# ---------------------------------------------------------------- main
(($# == 2)) || usage
CMD=$1
DIR=$2
case $CMD in
start) start_all ;;
stop)
    [[ -d $DIR ]] || exit 0
    DIR=$(cd "$DIR" && pwd -P)
    stop_all
    rm -f "$DIR/zk.env"
    ;;
*) usage ;;
esac
