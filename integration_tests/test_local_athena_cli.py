"""``python -m local_athena`` as a subprocess: URL on the first line, clean SIGTERM exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]


def test_module_serves_demo_until_sigterm():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "local_athena"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        athena = boto3.client(
            "athena", endpoint_url=url, region_name="ap-south-1", aws_access_key_id="k", aws_secret_access_key="s"
        )
        assert athena.get_work_group(WorkGroup="skoot")["WorkGroup"]["State"] == "ENABLED"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
