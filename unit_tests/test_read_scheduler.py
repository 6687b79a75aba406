"""The read's scheduling without AWS: the run-ahead window, the work items of each stream, the read-path switch."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future

from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.read.scheduler import Phase, StreamRun, WorkItem, window_ahead, work_items
from source_skoot_athena.read.slice_query import ReadPathSwitch, SliceQuery
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream import Slice, StreamPlan
from source_skoot_athena.types import ReadPath, parse_type

LOGGER = logging.getLogger("test_read_scheduler")
TABLE = TableInfo("db", "t", (Column("id", parse_type("bigint")),))


def run_of(name: str) -> StreamRun:
    configured = ConfiguredAirbyteStream(
        stream=AirbyteStream(
            name=name, namespace="db", json_schema={"type": "object"}, supported_sync_modes=[SyncMode.full_refresh]
        ),
        sync_mode=SyncMode.full_refresh,
        destination_sync_mode=DestinationSyncMode.append,
    )
    return StreamRun(configured, StreamState())


def plan_with(slices: int, name: str = "t") -> StreamPlan:
    return StreamPlan(
        key=StreamKey("db", name),
        table=TABLE,
        columns=list(TABLE.columns),
        slices=[Slice(i, None, None, StreamState()) for i in range(slices)],
        final_state=StreamState(),
        cursor=None,
    )


class Submitted:
    """Records each submitted (stream, slice index); the futures never run."""

    def __init__(self) -> None:
        self.order: list[tuple[str, int]] = []

    def __call__(self, plan: StreamPlan, slice_: Slice, cancel: threading.Event) -> Future[SliceQuery]:
        self.order.append((plan.key.name, slice_.index))
        return Future()


def test_the_window_hands_out_items_ahead_but_yields_them_in_order() -> None:
    drawn: list[int] = []

    def items() -> Iterator[int]:
        for number in range(7):
            drawn.append(number)
            yield number

    seen = []
    for item in window_ahead(items(), 3):
        seen.append(item)
        # While item k is used, items up to k + 3 are already out (their queries running), never more.
        assert drawn[-1] == min(item + 3, 6)
    assert seen == list(range(7))


def test_each_stream_gives_its_slices_in_order_and_one_item_when_it_cannot_be_planned() -> None:
    first, broken, empty, last = run_of("first"), run_of("broken"), run_of("empty"), run_of("last")
    plans = {"first": plan_with(2, "first"), "empty": plan_with(0, "empty"), "last": plan_with(1, "last")}

    def plan(run: StreamRun) -> StreamPlan:
        if run.key.name == "broken":
            raise ConfigError("Table db.broken no longer exists in Glue")
        return plans[run.key.name]

    submitted = Submitted()
    items = list(work_items([first, broken, empty, last], plan, submitted, LOGGER))
    assert [(i.stream.key.name, i.slice_.index if i.slice_ else None) for i in items] == [
        ("first", 0),
        ("first", 1),
        ("broken", None),
        ("empty", None),
        ("last", 0),
    ]
    assert submitted.order == [("first", 0), ("first", 1), ("last", 0)]
    assert broken.error is not None and "no longer exists" in str(broken.error)
    assert empty.error is None and all(r.phase == Phase.WAITING for r in (first, broken, empty, last))


def test_a_cancelled_stream_submits_no_more_slices() -> None:
    run = run_of("first")
    submitted = Submitted()
    items = work_items([run], lambda _: plan_with(3), submitted, LOGGER)
    first: WorkItem = next(items)
    run.fail(RuntimeError("boom"), LOGGER)
    assert list(items) == [] and submitted.order == [("t", 0)] and first.slice_ is not None
    assert run.cancel.is_set() and run.error is not None and "failed unexpectedly: RuntimeError: boom" in str(run.error)


def test_the_read_path_switches_to_csv_once_whichever_thread_gets_there_first() -> None:
    switch = ReadPathSwitch(ReadPath.PARQUET)
    ready = threading.Barrier(8)
    results: list[bool] = []
    lock = threading.Lock()

    def fall_back() -> None:
        ready.wait()
        switched = switch.fall_back_to_csv()
        with lock:
            results.append(switched)

    threads = [threading.Thread(target=fall_back) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True], "exactly one thread announces the switch"
    assert switch.path == ReadPath.CSV
