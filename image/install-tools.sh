#!/usr/bin/env bash
# Installs what the image tests need and a new machine lacks: Debian's docker.io (dockerd, containerd, runc, the
# docker CLI) and debootstrap (builds the base-image stand-in). Nothing to do when both are present.
set -euo pipefail
if command -v dockerd >/dev/null && command -v docker >/dev/null && command -v debootstrap >/dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq docker.io debootstrap
