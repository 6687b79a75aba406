"""StartQueryExecution under the account's concurrent query limit: the connector's own retry loop for it.

The starts client (aws.py `athena_starts`) leaves TooManyRequestsException to this loop, so the first refusal
lowers the concurrency (concurrency_limit.AdaptiveLimit) instead of being retried blindly by botocore; every
attempt of one start sends the same ClientRequestToken, so a retry never runs the query twice.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import threading
from collections.abc import Callable
from typing import Any

import botocore.exceptions

from source_skoot_athena.aws import describe_error, error_code
from source_skoot_athena.concurrency_limit import AdaptiveLimit, StartTicket
from source_skoot_athena.errors import QueryError
from source_skoot_athena.query_failures import start_error
from source_skoot_athena.retry import RetryPolicy


class QueryStarts:
    """Starts queries through `client` within `limit`; `backing_off` marks a start waiting out the account's limit
    (the heartbeat's RATE_LIMITED); every wait is on `stop`, with jitter drawn from `rng`."""

    def __init__(
        self,
        client: Any,
        limit: AdaptiveLimit,
        *,
        workgroup: str,
        logger: logging.Logger,
        stop: threading.Event,
        rng: random.Random,
        policy: RetryPolicy,
        backing_off: Callable[[], contextlib.AbstractContextManager[None]],
    ) -> None:
        self._client = client
        self._limit = limit
        self._workgroup = workgroup
        self._logger = logger
        self._stop = stop
        self._rng = rng
        self._policy = policy
        self._backing_off = backing_off

    def start(self, params: dict[str, Any]) -> str:
        """StartQueryExecution's QueryExecutionId; while the account's concurrent query limit refuses the start, run
        fewer at once and retry it. The limit is told of the accepted start (and says if that raised it)."""
        response = self._start_within_limit(params)
        if (raised := self._limit.started()) is not None:
            self._logger.info(
                f"Athena accepted {raised - 1} queries at once {raised - 1} times in a row; running up to {raised} "
                "queries at once."
            )
        return str(response["QueryExecutionId"])

    def _start_within_limit(self, params: dict[str, Any]) -> dict[str, Any]:
        for attempt in itertools.count(1):
            ticket = self._limit.ticket()
            try:
                return dict(self._client.start_query_execution(**params))
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) != "TooManyRequestsException" or self._policy.gives_up_after(attempt):
                    raise start_error(exc, self._workgroup) from None
                self._back_off(ticket, attempt)
            except botocore.exceptions.BotoCoreError as exc:
                raise describe_error(exc, "athena:StartQueryExecution") from None
        raise AssertionError("unreachable")

    def _back_off(self, ticket: StartTicket, attempt: int) -> None:
        """After a refusal for the account's concurrent query limit: lower the limit (once per congestion event,
        logged once), wait without holding a slot, then take one again under the limit as it is then."""
        lowered = self._limit.refused(ticket)
        delay = self._policy.delay(attempt, self._rng)
        if lowered is not None:
            self._logger.warning(
                f"Athena's concurrent query limit was reached; running at most {lowered} queries at once (what was "
                f"running when refused; raised again as Athena accepts more) and retrying in {delay:.1f}s."
            )
        else:
            self._logger.debug(f"A start refused under an earlier concurrency limit; retrying in {delay:.1f}s.")
        with self._backing_off(), self._limit.released():
            interrupted = self._stop.wait(delay)
        if interrupted or self._stop.is_set():
            raise QueryError("The sync was interrupted before the query could start.", kind="interrupted") from None
