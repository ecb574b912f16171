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
  # the HTML report rendered in a real headless browser (tests/reports/html-chromium.sh)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
