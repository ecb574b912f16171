#!/usr/bin/env bash
# Installs everything mskprobe needs to build, run its demo and pass its
# tests on a fresh Debian/Ubuntu machine. Idempotent; needs root (or sudo).
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config python3
  # the four libraries mskprobe links
  libssl-dev librdkafka-dev libpcap-dev libcjson-dev
  # test peers: a real ZooKeeper (Java 17) and the jars its TLS port needs,
  # openssl for test certificates, iproute2/tcpdump for capture tests
  zookeeper libnetty-java libslf4j-java default-jre-headless openssl iproute2 tcpdump
  # real Apache Kafka brokers from Maven Central (tests/interop, scripts/interop), and
  # kcat (Debian's librdkafka) as a real client of them (tests/interop/openmon.py)
  maven unzip kcat
  # the HTML report rendered in a real headless browser (tests/reports/html-chromium.sh)
  chromium
  # scripts/fuzz.sh: clang with libFuzzer and the sanitizers, llvm-symbolizer for stacks
  clang llvm
)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# clang's libFuzzer and sanitizer runtimes are a separate package on Debian 12
# (libclang-rt-14-dev); its name follows clang's major version
clang_major=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
if [ -n "$clang_major" ] && ! installed "libclang-rt-$clang_major-dev" &&
  apt-cache show "libclang-rt-$clang_major-dev" >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends "libclang-rt-$clang_major-dev"
fi
