"""The connector's own retry loops, under one named policy; botocore retries each single API call by itself.

Two loops are ours (athena.py): a start refused because the account's concurrent query limit is reached, and a
query that FAILED with an error Athena marks retryable. Both wait exponentially longer between attempts, capped
and jittered down so that parallel workers do not retry in step, and a stop (SIGTERM, a failed stream) ends the
wait at once because every wait is on the stop Event.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

# botocore's per-call retries (throttling, 5xx; "standard" mode, except StartQueryExecution's "legacy" mode, which
# leaves TooManyRequestsException to the connector's loop below): aws.py. Attempts per call, the first included (botocore's `total_max_attempts`); AWS_MAX_ATTEMPTS, botocore's own variable with the
# same meaning, overrides it as botocore would if the client config did not set it.
API_CALL_ATTEMPTS = int(os.environ.get("AWS_MAX_ATTEMPTS") or 8)


@dataclass(frozen=True)
class RetryPolicy:
    """How often to try, and how long to wait after failed attempt n: min(cap, base * 2**n) * uniform(jitter)."""

    attempts: int
    base_s: float
    cap_s: float
    jitter: tuple[float, float] = (0.5, 1.0)

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed attempt `attempt` (1-based)."""
        low, high = self.jitter
        return min(self.cap_s, self.base_s * 2**attempt) * rng.uniform(low, high)

    def gives_up_after(self, attempt: int) -> bool:
        """True once `attempt` (1-based) was the last one allowed."""
        return attempt >= self.attempts


# StartQueryExecution refused with TooManyRequestsException (not retried by botocore): the account's concurrent
# query limit. The first refusal of a congestion event also lowers how many queries run at once
# (concurrency_limit.AdaptiveLimit).
CONCURRENCY_RETRY = RetryPolicy(attempts=6, base_s=2.0, cap_s=30.0)
# A query FAILED with AthenaError.Retryable (a transient engine or S3 error): run it again, as a new execution.
FAILED_QUERY_RETRY = RetryPolicy(attempts=3, base_s=0.5, cap_s=8.0)
