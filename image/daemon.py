"""A Docker daemon of the tests' own, on loopback-only networking, and the docker CLI bound to it.

Why: the image must be built and run for real on a machine where another daemon may already run and where no
container may get a bridge or a private-range address. This dockerd has its own socket, pidfile, data root and exec
root in a temp dir, no default bridge (`--bridge=none`), touches no iptables rules (`--iptables=false
--ip-masq=false`; flags: https://docs.docker.com/reference/cli/dockerd/), and every container runs with
`--network host`, so the connector reaches the local Athena stand-in on 127.0.0.1 as it does from a venv.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LOOPBACK_ONLY = ("--bridge=none", "--iptables=false", "--ip-masq=false")


@dataclass(frozen=True)
class Docker:
    """The docker CLI talking to one daemon (DOCKER_HOST); the legacy builder, as the Debian daemon has no buildx."""

    host: str
    cli: str = "docker"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host, "DOCKER_BUILDKIT": "0"}

    def run(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`docker <args>`, output captured as text; a failure raises with the command's stderr."""
        done = subprocess.run([self.cli, *args], env=self.env(), capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:3])} … failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return done

    def ready(self) -> bool:
        return self.run("version", "--format", "{{.Server.Version}}", timeout=10, check=False).returncode == 0


class LocalDockerd:
    """Starts `dockerd` in a temp dir and stops it by its pid (also when start fails half-way)."""

    def __init__(self, root: Path | None = None) -> None:
        # Short paths: the daemon's and containerd's unix sockets must stay under the 108-byte sun_path limit.
        self.root = root or Path(tempfile.mkdtemp(prefix="skoot-dockerd-", dir="/tmp"))
        self.socket = self.root / "docker.sock"
        self.pidfile = self.root / "dockerd.pid"
        self.log = self.root / "dockerd.log"
        self._process: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        return [
            shutil.which("dockerd") or "dockerd",
            f"--host=unix://{self.socket}",
            f"--pidfile={self.pidfile}",
            f"--data-root={self.root / 'data'}",
            f"--exec-root={self.root / 'exec'}",
            *LOOPBACK_ONLY,
        ]

    def start(self, timeout: float = 90) -> Docker:
        """Start the daemon and wait until its API answers; returns the CLI bound to it."""
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(self.argv(), stdout=log, stderr=log, start_new_session=True)
        docker = Docker(f"unix://{self.socket}", cli=docker_cli())
        deadline = time.monotonic() + timeout
        while not (self.socket.exists() and docker.ready()):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dockerd did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.2)  # polling for readiness, not synchronising a test
        return docker

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self, timeout: float = 60, *, remove_in_background: bool = False) -> None:
        """SIGTERM by pid (dockerd stops its containers and its containerd), SIGKILL if it hangs; remove the dir.

        With a built image the data root holds tens of thousands of files (botocore's models, pyarrow, pandas):
        deleting them took 30-75 s on this shared disk, so the session's daemon leaves that to a detached `rm -rf`
        once the daemon is gone and nothing is mounted there any more.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        unmount_below(self.root)
        if remove_in_background:
            # sh returns at once; its `rm` carries on, re-parented to init (no child left for this process to reap).
            subprocess.run(["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(self.root)], check=True)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def docker_cli() -> str:
    """The CLI installed with the daemon (Debian's docker.io) when there is one, else the first on PATH."""
    packaged = Path("/usr/bin/docker")
    return str(packaged) if packaged.exists() else shutil.which("docker") or "docker"


def unmount_below(root: Path) -> None:
    """Mounts a killed daemon left under its dir (overlay layers, shm), deepest first, so the dir can go."""
    prefix = str(root.resolve()) + "/"
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], capture_output=True, check=False)
