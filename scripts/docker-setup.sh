#!/usr/bin/env bash
# Docker for dcbox's docker runtime, docker-compose.yml and the testcontainers helper:
#   1. installs Debian's docker.io (and docker-compose v1) when missing (as root);
#   2. starts dockerd when no engine answers, with every address pool inside 198.18.0.0/15
#      and away from the netns runtime's bridge 198.18.0.0/24 (docs/design.md §Hosts and networks, §Dependencies);
#   3. builds the base image dcbox-base:local from this machine's own node and nats-server
#      (no registry can be reached here), with `docker import` of a small root filesystem.
# Safe to run again: a running engine with the right pools and an up-to-date base image are kept.
# The app image (dcbox:local, the Dockerfile) is built from dist/ by whoever needs it:
# `npm run docker:build`, `dcbox up --runtime docker` and the testcontainers helper.
set -euo pipefail
cd "$(dirname "$0")/.."

# The engine's pools: docker0 and every network Docker allocates by itself. Networks with an
# explicit subnet (dcbox's own, docker-compose.yml's) take 198.19.1.0/24 .. 198.19.63.0/24.
BIP=198.19.0.1/24
POOL=base=198.19.64.0/18,size=24
LOG=/tmp/dcbox-dockerd.log
BASE_IMAGE=dcbox-base:local

say() { echo "docker-setup: $*" >&2; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    say "missing ${need[*]}; install them (Debian: apt-get install ${need[*]})"
    exit 1
  fi
fi

# The Debian client (/usr/bin/docker) matches the Debian engine; another client earlier on the
# PATH may want a newer API or buildx.
DOCKER=docker
[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker

engine_up() { "$DOCKER" info >/dev/null 2>&1; }

if ! engine_up; then
  if [ "$(id -u)" -ne 0 ]; then
    say "no Docker engine answers and only root can start one here"
    exit 1
  fi
  say "starting dockerd (log: $LOG)"
  # Detached from this shell (setsid, no terminal), so it outlives the test run that started it,
  # and holding none of its other open files: a lock the caller held (flock LOCK .ci/run) would
  # otherwise stay held for as long as dockerd runs, and every later run wait for it.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid dockerd --bip "$BIP" --default-address-pool "$POOL" --log-level warn >"$LOG" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 150); do
    engine_up && break
    sleep 0.2
  done
  if ! engine_up; then
    say "dockerd did not answer within 30 s; its log:"
    tail -n 20 "$LOG" >&2
    exit 1
  fi
fi

# An engine we did not start must still keep its addresses inside 198.18.0.0/15: docker0 is the
# visible part of that promise (the default pools are not shown by the API).
bridge=$("$DOCKER" network inspect bridge --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' 2>/dev/null || true)
case "$bridge" in
  198.18.* | 198.19.*) ;;
  *)
    say "the running Docker engine's docker0 is $bridge, outside 198.18.0.0/15; restart dockerd with --bip $BIP --default-address-pool $POOL"
    exit 1
    ;;
esac

# The base image: node, nats-server and openssl of this machine (the management module makes its
# Redfish service's self-signed certificate with openssl at start), the shared libraries they
# load, and the few files glibc, Node.js and openssl read. No shell and no package manager: the containers run
# `node dist/orchestrator/containers/host.js`, which starts nats-server and the service.
node_bin=$(readlink -f "$(command -v node)")
nats_bin=$(readlink -f "$(command -v nats-server)")
openssl_bin=$(readlink -f "$(command -v openssl)")
stamp="node $(node -v) nats $(nats-server --version | awk '{print $2}') $(sha256sum "$node_bin" "$nats_bin" "$openssl_bin" | sha256sum | cut -c1-16)"
have=$("$DOCKER" image inspect "$BASE_IMAGE" --format '{{index .Config.Labels "dcbox.base"}}' 2>/dev/null || true)
if [ "$have" != "$stamp" ]; then
  say "building $BASE_IMAGE ($stamp)"
  root=$(mktemp -d /tmp/dcbox-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{usr/local/bin,etc,tmp,proc,sys,dev,run,var/lib/dcbox}
  chmod 1777 "$root/tmp"
  cp "$node_bin" "$root/usr/local/bin/node"
  cp "$nats_bin" "$root/usr/local/bin/nats-server"
  cp "$openssl_bin" "$root/usr/local/bin/openssl"
  mkdir -p "$root/usr/lib/ssl"
  cp -L /usr/lib/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"
  for lib in $( (ldd "$node_bin"; ldd "$nats_bin"; ldd "$openssl_bin") | grep -o '/[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  # Node.js carries its own CA store; the Debian bundle is there for anything that reads it.
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$root/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  fi
  tar -C "$root" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "LABEL dcbox.image=base dcbox.base=\"$stamp\"" \
    --change 'CMD ["node"]' \
    - "$BASE_IMAGE" >/dev/null
fi
say "engine ready (docker0 $bridge), base image $BASE_IMAGE"
