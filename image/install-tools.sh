#!/usr/bin/env bash
# Installs what the image tests need and a new machine lacks: Debian's docker.io (dockerd, containerd, runc, the
# docker CLI) and debootstrap (builds the base-image stand-in). Nothing to do when both are present.
# The package's own docker service is not started by the install (a policy-rc.d that denies it, only while apt
# runs and only if the machine has none): it would create the default bridge (docker0, a private-range address);
# the tests start their own loopback-only daemon instead (image/daemon.py).
set -euo pipefail
if command -v dockerd >/dev/null && command -v docker >/dev/null && command -v debootstrap >/dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker.io debootstrap
