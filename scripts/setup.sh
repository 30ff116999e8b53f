#!/usr/bin/env bash
# Installs what Fluxi needs and is missing on a Debian machine with Node 20:
# nats-server and redis-server (started by Fluxi itself on free ports), curl, jq and git, PostgreSQL for
# the test suite, then the npm dependencies. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# curl and jq: the README's "Try it" session uses them.
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
# git: executors check out the commit of a push for jobs with checkout (and the webhook tests use it).
command -v git >/dev/null 2>&1 || need+=(git)
if [ "${FLUXI_SETUP_POSTGRES:-1}" = 1 ] && ! command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The test suite uses the real PostgreSQL on 127.0.0.1:5432 (trust auth for local connections).
if [ "${FLUXI_SETUP_POSTGRES:-1}" = 1 ] && ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      sudo_if_needed sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    fi
    sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  # `npm ci`: exactly what package-lock.json pins, and an error (not a silent update) when
  # package.json and the lock disagree. The lock lists the other platforms' optional
  # binaries (@swc/core-darwin-arm64, …), so npm ci accepts it on macOS and arm64 too.
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ready"
