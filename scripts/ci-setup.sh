#!/usr/bin/env bash
# What CI needs beyond scripts/setup.sh: Docker tests start a private dockerd of their own
# (packages/testkit/src/docker.ts) and build their images from Debian's static busybox, so
# CI installs docker.io and busybox-static when missing. No daemon is configured or started
# here: each test file starts and removes its own. The metrics test checks every service's
# /metrics with the Prometheus project's own checker, promtool (Debian package prometheus).
# test/deploy checks docker-compose.yml with a compose implementation's own `config`: Debian's
# docker-compose (1.29; Docker's compose plugin is not in Debian).
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
PATH="$PATH:/usr/sbin:/sbin" command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# Debian's busybox (not -static) is dynamically linked: the test images need the static one.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-setup: ${need[*]} missing and no apt-get to install them; Docker tests cannot run" >&2
    exit 1
  fi
  echo "ci-setup: installing ${need[*]} from Debian"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "ci-setup: ready"
