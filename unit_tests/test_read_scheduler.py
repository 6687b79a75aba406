"""The read's scheduling without AWS: the run-ahead window, the work items of each stream, the read-path switch."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future

from airbyte_cdk.models import AirbyteStream, ConfiguredAirbyteStream, DestinationSyncMode, SyncMode

from source_skoot_athena.catalog import Column, TableInfo
from source_skoot_athena.errors import ConfigError
from source_skoot_athena.read.scheduler import Phase, StreamRun, SubmitWindow, WorkItem, work_items
from source_skoot_athena.read.slice_query import ReadPathSwitch, SliceQuery
from source_skoot_athena.state import StreamKey, StreamState
from source_skoot_athena.stream_plan import Slice, StreamPlan
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


def planned(plan: StreamPlan | Exception) -> Future[StreamPlan]:
    """A finished planning: its plan, or the error it raised."""
    future: Future[StreamPlan] = Future()
    if isinstance(plan, Exception):
        future.set_exception(plan)
    else:
        future.set_result(plan)
    return future


def described(items: list[WorkItem]) -> list[tuple[str, int | str]]:
    return [(i.stream.key.name, i.slice_.index if i.slice_ else "plan") for i in items]


def test_the_window_hands_out_items_ahead_but_yields_them_in_order() -> None:
    drawn: list[int] = []

    def items() -> Iterator[int]:
        for number in range(7):
            drawn.append(number)
            yield number

    seen = []
    for item in SubmitWindow(items(), 3):
        seen.append(item)
        # While item k is used, items up to k + 3 are already out (their queries running), never more.
        assert drawn[-1] == min(item + 3, 6)
    assert seen == list(range(7))


def test_the_window_draws_past_an_item_only_once_it_is_ready_or_used() -> None:
    drawn: list[int] = []
    ready = {0: True, 1: False, 2: True, 3: True, 4: True}

    def items() -> Iterator[int]:
        for number in range(5):
            drawn.append(number)
            yield number

    window = SubmitWindow(items(), 3, lambda n: ready[n])
    walk = iter(window)
    assert next(walk) == 0 and drawn == [0, 1], "item 1 is not ready: nothing after it is drawn"
    window.top_up()
    assert drawn == [0, 1], "topping up does not wait for it either"
    ready[1] = True
    window.top_up()  # what the writer does while it waits: item 1 is ready now
    assert drawn == [0, 1, 2, 3]
    assert list(walk) == [1, 2, 3, 4] and drawn == list(range(5))


def test_the_window_draws_past_an_item_that_was_used_even_if_never_ready() -> None:
    drawn: list[int] = []

    def items() -> Iterator[int]:
        for number in range(3):
            drawn.append(number)
            yield number

    walk = iter(SubmitWindow(items(), 2, lambda n: n != 0))
    assert next(walk) == 0 and drawn == [0]
    assert next(walk) == 1 and drawn == [0, 1, 2]


def test_each_stream_gives_its_planning_then_its_slices_and_no_slice_when_it_cannot_be_planned() -> None:
    first, broken, empty, last = run_of("first"), run_of("broken"), run_of("empty"), run_of("last")
    plans: dict[str, StreamPlan | Exception] = {
        "first": plan_with(2, "first"),
        "broken": ConfigError("Table db.broken no longer exists in Glue"),
        "empty": plan_with(0, "empty"),
        "last": plan_with(1, "last"),
    }
    submitted = Submitted()
    items = list(work_items([first, broken, empty, last], lambda run: planned(plans[run.key.name]), submitted))
    assert described(items) == [
        ("first", "plan"),
        ("first", 0),
        ("first", 1),
        ("broken", "plan"),
        ("empty", "plan"),
        ("last", "plan"),
        ("last", 0),
    ]
    assert submitted.order == [("first", 0), ("first", 1), ("last", 0)]
    assert all(r.error is None and r.phase == Phase.WAITING for r in (first, broken, empty, last))


def test_a_stream_still_being_planned_holds_back_its_slices_and_the_next_streams() -> None:
    first, second = run_of("first"), run_of("second")
    running: Future[StreamPlan] = Future()
    plans = {"first": running, "second": planned(plan_with(1, "second"))}
    submitted = Submitted()
    window = SubmitWindow(
        work_items([first, second], lambda run: plans[run.key.name], submitted), 4, lambda item: item.ready
    )
    walk = iter(window)
    assert described([next(walk)]) == [("first", "plan")] and submitted.order == []
    running.set_result(plan_with(2, "first"))
    window.top_up()
    assert submitted.order == [("first", 0), ("first", 1), ("second", 0)]
    assert described(list(walk)) == [("first", 0), ("first", 1), ("second", "plan"), ("second", 0)]


def test_a_cancelled_stream_submits_no_more_slices() -> None:
    run = run_of("first")
    submitted = Submitted()
    items = work_items([run], lambda _: planned(plan_with(3)), submitted)
    assert next(items).planned is not None
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


def test_items_that_do_not_count_take_no_place_in_the_window() -> None:
    drawn: list[str] = []

    def items() -> Iterator[str]:
        for name in ["plan-a", "a0", "plan-b", "b0", "plan-c", "c0", "c1"]:
            drawn.append(name)
            yield name

    walk = iter(SubmitWindow(items(), 2, counts=lambda name: not name.startswith("plan")))
    assert next(walk) == "plan-a"
    assert drawn == ["plan-a", "a0", "plan-b", "b0"], "two queries out, and the plannings between them not counted"
    assert list(walk) == ["a0", "plan-b", "b0", "plan-c", "c0", "c1"]


def test_a_planning_that_ends_draws_its_slices_from_its_own_thread() -> None:
    first, second = run_of("first"), run_of("second")
    running: Future[StreamPlan] = Future()
    plans = {"first": planned(plan_with(1, "first")), "second": running}
    submitted = Submitted()
    window = SubmitWindow(
        work_items([first, second], lambda run: plans[run.key.name], submitted),
        4,
        lambda item: item.ready,
        lambda item: item.planned is None,
    )
    running.add_done_callback(lambda _: window.top_up())
    walk = iter(window)
    assert described([next(walk)]) == [("first", "plan")]
    assert submitted.order == [("first", 0)], "the second stream is being planned: nothing of it yet"
    planner = threading.Thread(target=running.set_result, args=(plan_with(2, "second"),))
    planner.start()
    planner.join(30)
    assert submitted.order == [("first", 0), ("second", 0), ("second", 1)], "drawn when the planning ended"
    assert described(list(walk)) == [("first", 0), ("second", "plan"), ("second", 0), ("second", 1)]


def test_a_closed_window_draws_nothing_more() -> None:
    drawn: list[int] = []

    def items() -> Iterator[int]:
        for number in range(5):
            drawn.append(number)
            yield number

    window = SubmitWindow(items(), 2, lambda n: n != 1)
    walk = iter(window)
    assert next(walk) == 0 and drawn == [0, 1]
    window.close()
    window.top_up()
    assert drawn == [0, 1] and list(walk) == [1]
