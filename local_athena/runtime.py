"""The process-wide state the patched moto handlers reach: executor, faults, observations.

Why: moto's response classes are instantiated per request by moto itself; the patches need one place to find
the running stand-in. moto's backends are process-global too, so one stand-in runs per process.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from .executions import Executor
from .faults import Faults


@dataclass
class QueryRecord:
    """One StartQueryExecution as received (``sql`` is the exact text)."""

    query_execution_id: str
    sql: str
    workgroup: str
    catalog: str
    state: str
    output_location: str | None
    data_scanned_bytes: int
    kind: str
    error_type: str | None


@dataclass
class Runtime:
    """State shared by the WSGI hook and the patched handlers."""

    executor: Executor
    faults: Faults
    calls: Counter[str] = field(default_factory=Counter)
    query_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def records(self) -> list[QueryRecord]:
        """QueryRecords with the executions' current state."""
        out = []
        with self.lock:
            ids = list(self.query_ids)
        for qid in ids:
            ex = self.executor.executions.get(qid)
            if ex is None:
                continue
            out.append(
                QueryRecord(
                    query_execution_id=ex.id,
                    sql=ex.sql,
                    workgroup=ex.workgroup,
                    catalog=ex.catalog,
                    state=ex.state,
                    output_location=ex.output_location,
                    data_scanned_bytes=ex.scanned_bytes,
                    kind=ex.kind,
                    error_type=ex.error_type,
                )
            )
        return out


CURRENT: Runtime | None = None


def current() -> Runtime:
    """The running stand-in's runtime (raises if none is started)."""
    if CURRENT is None:
        raise RuntimeError("LocalAthena is not started")
    return CURRENT
