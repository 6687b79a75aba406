"""The state of one running stand-in that its WSGI hook and patched moto handlers share: executor, faults,
observations.

Why: moto's response classes are instantiated per request by moto itself, so the server binds its Runtime into
the hook and the handlers when it starts (``moto_patching``) and passes it to them as a parameter.
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
    # (``service:Operation``, the client's TCP port) in arrival order: which connection each call came over, so a
    # test can see a client reuse a kept-alive connection (server.py KeepAliveHandler) instead of opening another.
    connections: list[tuple[str, int]] = field(default_factory=list)
    objects_read: Counter[str] = field(default_factory=Counter)  # "bucket/key" -> GetObject calls
    # ("bucket/key", the Range header or "") of every GetObject in arrival order: a test can see which bytes a
    # reader asked for first (e.g. the first pages of every column chunk before the file in order).
    ranges_read: list[tuple[str, str]] = field(default_factory=list)
    query_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count_call(self, name: str, port: int) -> None:
        """One more call of ``service:Operation`` received, over the client's connection from ``port``."""
        with self.lock:
            self.calls[name] += 1
            self.connections.append((name, port))

    def count_object_read(self, path: str, range_header: str) -> None:
        """One more GetObject of ``bucket/key`` (ranged or whole: ``range_header`` is "" for a whole object)."""
        with self.lock:
            self.objects_read[path] += 1
            self.ranges_read.append((path, range_header))

    def record_query(self, query_id: str) -> None:
        """A StartQueryExecution accepted (kept in order for ``records``)."""
        with self.lock:
            self.query_ids.append(query_id)

    def reset(self) -> None:
        """Forget calls and queries seen so far."""
        with self.lock:
            self.calls.clear()
            self.connections.clear()
            self.objects_read.clear()
            self.ranges_read.clear()
            self.query_ids.clear()

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
