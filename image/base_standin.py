"""A local stand-in for `airbyte/python-connector-base`, built from Debian packages and cached as a tarball.

Why: Docker Hub cannot be reached here (only PyPI, Debian and npm), so the real base cannot be pulled. The stand-in
offers what this project's Dockerfile relies on from the real one (airbyte-ci's base image recipe,
airbytehq/airbyte airbyte-ci/connectors/base_images/base_images/python/bases.py: Debian bookworm, Python 3.11,
`python` and `pip` on PATH, user `airbyte` uid 1000, `/airbyte`): a debootstrap'd minimal bookworm with Debian's
python3 (3.11), a venv on PATH, that user and dir, and this machine's CA bundle, so `pip install` in
`docker build` reaches PyPI through the machine's TLS proxy. The tarball is kept between runs under
~/.cache/source-skoot-athena/, keyed by the recipe and the CA bundle.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from image.daemon import Docker, unmount_below

SUITE = "bookworm"
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
PACKAGES = ("python3", "python3-venv", "ca-certificates")
VENV = "/opt/python"
USER, UID = "airbyte", 1000
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
TAG = "source-skoot-athena/python-connector-base-standin:bookworm"

# Run in the new root: the venv that answers as `python`/`pip`, the user, the dir; apt's caches dropped.
SETUP = f"""set -eu
python3 -m venv {VENV}
useradd --uid {UID} --user-group --home-dir /airbyte --no-create-home --shell /usr/sbin/nologin {USER}
mkdir -p /airbyte
chown {USER}:{USER} /airbyte
printf '[global]\\ncert = {CA_BUNDLE}\\n' > /etc/pip.conf
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /usr/share/doc/* /usr/share/man/*
"""

# Image config `docker import` sets (a rootfs tarball carries none).
CHANGES = (
    f"ENV PATH={VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    "WORKDIR /airbyte",
)


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "source-skoot-athena"


def tarball_path() -> Path:
    """The cached rootfs, named by a hash of the recipe and the CA bundle (either changing means a new build)."""
    recipe = repr((SUITE, PACKAGES, VENV, USER, UID, SETUP)).encode()
    key = hashlib.sha256(recipe + CA_BUNDLE.read_bytes()).hexdigest()[:12]
    return cache_dir() / f"python-connector-base-standin-{SUITE}-{key}.tar"


def build_rootfs(target: Path) -> None:
    """debootstrap a minimal bookworm with python3 into `target`, then set it up (needs root)."""
    include = ",".join(PACKAGES)
    _run(["debootstrap", "--variant=minbase", f"--include={include}", SUITE, str(target), MIRROR], timeout=1800)
    shutil.copyfile(CA_BUNDLE, target / CA_BUNDLE.relative_to("/"))
    _run(["chroot", str(target), "/bin/sh", "-c", SETUP], timeout=600)


def ensure_tarball() -> Path:
    """The cached tarball, built first when missing (written under a temp name, then renamed: never half a file)."""
    tarball = tarball_path()
    if tarball.exists():
        return tarball
    tarball.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="base-standin-", dir=tarball.parent))
    try:
        rootfs = work / "rootfs"
        build_rootfs(rootfs)
        partial = work / "rootfs.tar"
        _run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial), "."], timeout=600)
        partial.replace(tarball)
    finally:
        unmount_below(work)  # debootstrap mounts /proc and /sys in the new root; a failed run may leave them
        shutil.rmtree(work, ignore_errors=True)
    return tarball


def import_into(docker: Docker, tarball: Path | None = None) -> str:
    """`docker import` the stand-in (building the tarball first if needed); returns its tag."""
    tarball = tarball or ensure_tarball()
    changes = [arg for change in CHANGES for arg in ("--change", change)]
    docker.run("import", *changes, str(tarball), TAG, timeout=600)
    return TAG


def _run(argv: list[str], timeout: float) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
