#!/usr/bin/env bash
# Installs what dcbox needs when it is missing: Debian packages (as root) and npm packages.
# Safe to run again: it does nothing when everything is there.
# In a checkout (package-lock.json is there) it installs what the tests and benchmarks use too;
# in dcbox installed from npm into another project, only what running it needs, and no npm
# packages (the project's own npm install brought them).
# With --bench (`npm run bench`), also the Pacemaker cluster the benchmark runs beside dcbox's:
# only then, as on a machine with systemd its packages start corosync and pacemaker.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=0
[ -f package-lock.json ] && checkout=1
bench=0
[ "${1:-}" = "--bench" ] && bench=1

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v tc >/dev/null 2>&1 || need+=(iproute2)
# openssl makes the MM's self-signed Redfish certificate.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ "$checkout" -eq 1 ]; then
  # redfishtool (DMTF) drives Redfish in tests.
  command -v redfishtool >/dev/null 2>&1 || need+=(redfishtool)
  # iperf3 and fio are the baselines of `npm run bench` (raw TCP between namespaces, durable disk writes).
  command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
  command -v fio >/dev/null 2>&1 || need+=(fio)
  # prometheus scrapes every service's /metrics in test/prometheus.test.ts.
  command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
  # ClusterLabs' fence agents (fence_bladecenter over the real telnet client) drive the MM in
  # test/fence-agents.test.ts.
  [ -x /usr/sbin/fence_bladecenter ] || need+=(fence-agents)
  command -v telnet >/dev/null 2>&1 || need+=(telnet)
  # Debian's chromium, driven by playwright-core, is the real browser of the dashboard's test.
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # node-gyp builds the native helper of large writes' shared memory (native/dma.c), which the
  # tests require; elsewhere it is optional (scripts/build-native.mjs warns and goes on).
  command -v make >/dev/null 2>&1 || need+=(make)
  command -v g++ >/dev/null 2>&1 || need+=(g++)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
fi
if [ "$bench" -eq 1 ]; then
  # A two-node Pacemaker + corosync cluster beside dcbox (bench/pacemaker.ts), crmsh to drive it
  # and ocf:pacemaker:Dummy (pacemaker-resource-agents) as its resource.
  command -v corosync >/dev/null 2>&1 || need+=(corosync)
  command -v pacemakerd >/dev/null 2>&1 || need+=(pacemaker)
  command -v crm >/dev/null 2>&1 || need+=(crmsh)
  [ -e /usr/lib/ocf/resource.d/pacemaker/Dummy ] || need+=(pacemaker-resource-agents)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

if [ "$checkout" -eq 1 ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
