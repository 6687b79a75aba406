"""LocalAthena: moto in server mode (S3, Glue, Athena, IAM, STS) on 127.0.0.1, patched to behave like Athena.

Why: the connector is plain boto3 pointed at ``AWS_ENDPOINT_URL``; everything it would see from AWS must come
over real HTTP from one process the tests (or ``python -m local_athena``) start and stop.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import threading
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config
from moto import settings
from moto.athena.models import athena_backends
from moto.glue.models import glue_backends
from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.s3.models import s3_backends
from werkzeug.serving import BaseWSGIServer, make_server

from . import (
    data_catalogs,
    encryption,
    iam,
    moto_state,
    patches_athena,
    patches_athena_catalog,
    patches_glue,
    s3_ranges,
    sts_model,
)
from .bucket_owner import BucketOwnerCondition
from .bucket_regions import BucketRegions
from .catalog_setup import CatalogSetup
from .compat import check_moto
from .engine import Engine
from .executions import Executor
from .faults import Faults
from .format_setup import FormatSetup
from .lake_formation import LakeFormation
from .requester_pays_header import RequesterPays
from .runtime import QueryRecord, Runtime
from .wsgi import FaultHook

REGION = "ap-south-1"
# moto's backends and response classes are process-global: one stand-in serves at a time.
_ONE_PER_PROCESS = threading.Lock()


class KeepAliveHandler(MotoRequestHandler):
    """HTTP/1.1 keep-alive, as AWS endpoints serve it: a client's next call reuses its connection (RFC 9112 §9.3;
    botocore keeps a pool of them, urllib3). werkzeug's server closes every connection ("Connection: close" on every
    response, werkzeug/serving.py run_wsgi) because it then drains the socket of whatever the application left
    unread, which on a kept-alive connection would swallow the next request. Here the body is read whole first (its
    Content-Length) and the application and that drain read it from memory, so the connection stays usable. A
    chunked request body keeps werkzeug's behaviour (close)."""

    protocol_version = "HTTP/1.1"
    # A response goes out as two writes (headers, then body); with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (≈ 40 ms on Linux) on a kept-alive connection (socketserver's option).
    disable_nagle_algorithm = True
    _keep_alive = False

    def run_wsgi(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._keep_alive = False
            super().run_wsgi()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        connection_rfile, self.rfile = self.rfile, io.BytesIO(body)
        self._keep_alive = True
        try:
            super().run_wsgi()
        finally:
            self.rfile = connection_rfile

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and self._keep_alive:
            return  # werkzeug's unconditional close (above); a client's own "Connection: close" is still honoured
        super().send_header(keyword, value)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: one line per request would drown test output."""


class LocalAthena(CatalogSetup, FormatSetup):
    """A started-on-demand local AWS Athena/Glue/S3 stand-in. One per process (moto's state is global)."""

    def __init__(
        self, port: int = 0, region: str = REGION, seed: int = 1234, max_active_queries: int | None = None
    ) -> None:
        self.region = region
        self._max_active_queries = max_active_queries
        self._port = port
        self.faults = Faults(seed)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None
        self._runtime: Runtime | None = None
        self._demo_loaded = False
        self._iam: iam.Iam | None = None
        self.sts = sts_model.StsModel()
        self.lake_formation = LakeFormation()
        self.bucket_owner: BucketOwnerCondition | None = None  # bound at start()
        self.bucket_regions: BucketRegions | None = None  # bound at start()
        self.requester_pays: RequesterPays | None = None  # bound at start()

    # --- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> LocalAthena:
        """Check the moto pin, install the patches, serve on a free port; returns self."""
        check_moto()
        if not _ONE_PER_PROCESS.acquire(blocking=False):
            raise RuntimeError("a LocalAthena is already running in this process (moto's state is global)")
        self._tmpdir = tempfile.mkdtemp(prefix="local-athena-")
        results_dir = os.path.join(self._tmpdir, "results")
        os.makedirs(results_dir)
        cache = moto_state.LocalFileCache(os.path.join(self._tmpdir, "cache"))
        engine = Engine(cache, self.region, temp_dir=os.path.join(self._tmpdir, "duckdb"))
        engine.lake_formation = self.lake_formation
        executor = Executor(results_dir, self.faults, {self.region: engine})
        executor.max_active = self._max_active_queries
        self._runtime = rt = Runtime(executor=executor, faults=self.faults)
        patches_athena.apply(rt)
        patches_athena_catalog.apply()
        patches_glue.apply()
        sts_model.apply(self.sts)
        iam.apply(lambda query_id: ex.workgroup if (ex := rt.executor.executions.get(query_id)) else None)
        encryption.apply()
        data_catalogs.apply()
        s3_ranges.apply()
        self.bucket_owner = BucketOwnerCondition(DomainDispatcherApplication(create_backend_app))
        self.requester_pays = RequesterPays(self.bucket_owner)
        self.bucket_regions = BucketRegions(self.requester_pays)
        app = FaultHook(self.bucket_regions, rt)
        self._server = make_server("127.0.0.1", self._port, app, threaded=True, request_handler=KeepAliveHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-athena", daemon=True)
        self._thread.start()
        for bucket in ("skoot-athena-results",):
            moto_state.ensure_bucket(bucket, self.region)
        return self

    def stop(self) -> None:
        """Cancel running queries (and wait for their workers: none may be inside DuckDB when the process exits),
        stop serving, drop moto's state and the temp dir."""
        if self._runtime is not None:
            executions = list(self._runtime.executor.executions.values())
            for ex in executions:
                self._runtime.executor.stop(ex)
            for ex in executions:
                ex.done.wait(timeout=30)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")  # a later stand-in in this process starts permissive
        for backends in (athena_backends, glue_backends, s3_backends, iam_backends):
            with contextlib.suppress(Exception):
                backends.reset()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        if self._runtime is not None:
            for remove in (
                patches_athena.remove,
                patches_athena_catalog.remove,
                patches_glue.remove,
                data_catalogs.remove,
                encryption.remove,
                iam.remove,
                sts_model.remove,
                s3_ranges.remove,
            ):
                remove()
            _ONE_PER_PROCESS.release()
        self._server = None
        self._runtime = None
        self._tmpdir = None
        self._demo_loaded = False
        self._iam = None

    def __enter__(self) -> LocalAthena:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- addresses ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None, "call start() first"
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"

    @property
    def tmpdir(self) -> str:
        """The temp dir this server owns (removed on stop)."""
        assert self._tmpdir is not None
        return self._tmpdir

    def env(self) -> dict[str, str]:
        """Environment for a subprocess running the connector against this server (no credentials)."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def client(self, service: str, config: Config | None = None, keys: iam.Keys | None = None) -> Any:
        """A boto3 client on this server: dummy keys for test set-up, or an IAM user's ``keys`` (what its policy
        allows, under ``iam.enforce``); ``config`` e.g. to limit retries."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id=keys.access_key_id if keys else "testing",
            aws_secret_access_key=keys.secret_access_key if keys else "testing",
            config=config,
        )

    @property
    def iam(self) -> iam.Iam:
        """IAM enforcement (``with athena.iam.enforce(policy) as keys: …``) and the setup guide's IAM user."""
        if self._iam is None:
            self._iam = iam.Iam(self)
        return self._iam

    # --- observations -----------------------------------------------------------------------------------
    @property
    def calls(self) -> Counter[str]:
        """Calls received per ``service:Operation`` (injected failures included)."""
        assert self._runtime is not None
        return self._runtime.calls

    @property
    def call_connections(self) -> list[tuple[str, int]]:
        """Every call as (``service:Operation``, the client's TCP port), in arrival order: the same port means the
        same kept-alive connection (on AWS, one TLS handshake fewer)."""
        assert self._runtime is not None
        with self._runtime.lock:
            return list(self._runtime.connections)

    @property
    def objects_read(self) -> Counter[str]:
        """GetObject calls received per ``bucket/key`` (a file read in ranged parts counts once per part)."""
        assert self._runtime is not None
        return self._runtime.objects_read

    def ranges_read(self) -> list[tuple[str, str]]:
        """Every GetObject as (``bucket/key``, its Range header or "" for the whole object), in arrival order."""
        assert self._runtime is not None
        with self._runtime.lock:
            return list(self._runtime.ranges_read)

    @property
    def queries(self) -> list[QueryRecord]:
        """Every StartQueryExecution received, in order, with its current state."""
        assert self._runtime is not None
        return self._runtime.records()

    @property
    def max_active_queries(self) -> int | None:
        """Athena's active-query quota as enforced here (None: unlimited, the default)."""
        return self._max_active_queries

    @max_active_queries.setter
    def max_active_queries(self, limit: int | None) -> None:
        self._max_active_queries = limit
        if self._runtime is not None:
            self._runtime.executor.max_active = limit

    @property
    def refused_queries(self) -> int:
        """StartQueryExecution calls refused so far for being over ``max_active_queries``."""
        assert self._runtime is not None
        return self._runtime.executor.refused

    def query_finished(self, query_id: str, timeout: float) -> bool:
        """Wait until the query's worker has finished all its work (True), or ``timeout`` seconds (False)."""
        assert self._runtime is not None
        ex = self._runtime.executor.executions.get(query_id)
        return ex is not None and ex.done.wait(timeout)

    def reset_observations(self) -> None:
        """Clear calls, queries and the refused-query count (faults are cleared with ``faults.clear()``)."""
        assert self._runtime is not None
        self._runtime.reset()
        self._runtime.executor.refused = 0
        for counters in (self.bucket_regions, self.requester_pays):
            if counters is not None:
                counters.reset()
