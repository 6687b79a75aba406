"""What a read does before and around its first query, overlapped where the work is independent (issue 17: start-up
until the first query plus query done until the first record ≤ 0.5 s).

- GetWorkGroup runs on a thread of its own while the Glue and S3 clients are made (mostly Python: botocore parses
  their service models) and the first stream's GetTable runs. On AWS each call is a round trip, and the first one
  to an endpoint also a TLS handshake, so in sequence they add up. The planning's S3 calls still wait for the
  workgroup: it decides their parameters (RequestPayer, ExpectedBucketOwner: AwsClients' S3 hooks).
- Once Athena has accepted the first query: the garbage collector is back (gc_pause.py), the result side loads
  (result_path.py) and the results bucket's Region is asked (GetBucketLocation, which reading the first result
  needs) while the query runs instead of after it.
- GetWorkGroup goes through the client that starts queries (workgroup.py), so the first StartQueryExecution reuses
  its kept-alive connection.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from source_skoot_athena.aws import AwsClients
from source_skoot_athena.config import Config
from source_skoot_athena.errors import UserError
from source_skoot_athena.gc_pause import STARTUP
from source_skoot_athena.read.result_path import ResultPath
from source_skoot_athena.results import split_s3_uri
from source_skoot_athena.workgroup import Workgroup, usable_workgroup


def look_up_workgroup(clients: AwsClients, config: Config, logger: logging.Logger) -> Future[Workgroup]:
    """`usable_workgroup` on a thread of its own; its result (or its error, unchanged) comes from the future."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workgroup")
    try:
        return executor.submit(usable_workgroup, clients, config, logger)
    finally:
        executor.shutdown(wait=False)  # the lookup still runs; the thread ends with it


def results_bucket(workgroup: Workgroup) -> str | None:
    """The bucket of the workgroup's result location: every query's results (UNLOAD files or CSV) are read there."""
    return split_s3_uri(workgroup.result_location)[0] if workgroup.result_location else None


class FirstQueryStarted:
    """A botocore `after-call.athena.StartQueryExecution` handler (botocore docs, "Events"): the once-only work of
    the first query Athena accepted (module docstring). Later calls do nothing."""

    def __init__(self, clients: AwsClients, result_path: ResultPath, bucket: str | None) -> None:
        self._clients = clients
        self.result_path = result_path
        self._bucket = bucket
        self._lock = threading.Lock()
        self._done = False

    def __call__(self, **_event: Any) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        STARTUP.resume()
        self.result_path.start()
        if self._bucket is not None:
            threading.Thread(target=self._ask_bucket_region, name="bucket-region", daemon=True).start()

    def _ask_bucket_region(self) -> None:
        """The S3 client for the results bucket, ready before the first result is read. An error is left for
        the reader, which asks again and reports it as before."""
        assert self._bucket is not None
        with contextlib.suppress(UserError):
            self._clients.s3_for(self._bucket)
