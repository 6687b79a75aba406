"""AdaptiveLimit on its own: lowered once per congestion event to what was running, raised again by starts that fill
it, always between 1 and the configured maximum; a refused start gives its slot back while it waits."""

from __future__ import annotations

import threading

from source_skoot_athena.concurrency_limit import AdaptiveLimit


def accepted(limit: AdaptiveLimit, starts: int) -> list[int | None]:
    """`starts` starts accepted in a row, each query ending right after (so each fills the limit only at 1)."""
    raised = []
    for _ in range(starts):
        raised.append(limit.started())
        limit.ended()
    return raised


def filled(limit: AdaptiveLimit, starts: int) -> list[int | None]:
    """`starts` starts accepted while `limit.limit - 1` other queries run: each one fills the limit."""
    raised = []
    for _ in range(starts):
        others = limit.limit - 1
        for _ in range(others):
            limit.started()
        raised.append(limit.started())
        for _ in range(others + 1):
            limit.ended()
    return raised


def test_a_refusal_lowers_to_what_was_running_and_the_same_events_other_refusals_do_not_lower_again() -> None:
    limit = AdaptiveLimit(16)
    tickets = [limit.ticket() for _ in range(16)]  # 16 starts sent at once
    for _ in range(4):
        limit.started()  # Athena accepted 4 of them
    assert limit.refused(tickets[4]) == 4
    assert [limit.refused(t) for t in tickets[5:]] == [None] * 11, "one congestion event lowers the limit once"
    assert limit.limit == 4


def test_a_refusal_of_a_start_sent_after_the_lowering_is_a_new_event() -> None:
    limit = AdaptiveLimit(8)
    first = limit.ticket()
    for _ in range(5):
        limit.started()
    assert limit.refused(first) == 5
    limit.ended()  # 4 running now, and another user took the slot it freed
    assert limit.refused(limit.ticket()) == 4
    for _ in range(4):
        limit.ended()
    assert limit.refused(limit.ticket()) == 1, "nothing of ours runs (others hold the quota): 1, never below"
    assert limit.refused(limit.ticket()) == 1


def test_running_more_than_the_limit_when_refused_still_lowers_by_one() -> None:
    limit = AdaptiveLimit(6)
    first = limit.ticket()
    for _ in range(4):
        limit.started()
    assert limit.refused(first) == 4
    assert [limit.started() for _ in range(2)] == [None, None]  # sent before the lowering, accepted after it
    assert limit.running == 6
    assert limit.refused(limit.ticket()) == 3


def test_starts_that_fill_the_limit_raise_it_by_one_after_as_many_as_the_limit_up_to_the_maximum() -> None:
    limit = AdaptiveLimit(5)
    for _ in range(2):
        limit.started()
    limit.refused(limit.ticket())
    for _ in range(2):
        limit.ended()
    assert limit.limit == 2
    assert filled(limit, 2) == [None, 3], "2 starts filling a limit of 2 raise it to 3"
    assert filled(limit, 3) == [None, None, 4]
    assert filled(limit, 4) == [None, None, None, 5]
    assert filled(limit, 10) == [None] * 10 and limit.limit == 5, "never above the configured maximum"


def test_starts_that_do_not_fill_the_limit_do_not_raise_it() -> None:
    limit = AdaptiveLimit(8)
    for _ in range(3):
        limit.started()
    limit.refused(limit.ticket())
    for _ in range(3):
        limit.ended()
    assert limit.limit == 3
    assert accepted(limit, 20) == [None] * 20 and limit.limit == 3, "one query at a time shows nothing about 3"


def test_a_lowering_restarts_the_count_of_starts_that_filled_the_limit() -> None:
    limit = AdaptiveLimit(8)
    for _ in range(3):
        limit.started()
    limit.refused(limit.ticket())
    for _ in range(3):
        limit.ended()
    assert filled(limit, 2) == [None, None]  # one more would raise it to 4
    for _ in range(2):
        limit.started()
    assert limit.refused(limit.ticket()) == 2
    for _ in range(2):
        limit.ended()
    assert filled(limit, 1) == [None] and filled(limit, 1) == [3], "counted afresh from the lowering"


def test_bounds_a_maximum_below_one_is_one() -> None:
    limit = AdaptiveLimit(0)
    assert (limit.maximum, limit.limit) == (1, 1)
    assert filled(limit, 3) == [None] * 3 and limit.limit == 1


def test_a_refused_start_gives_its_slot_back_while_it_waits_and_takes_one_again_after() -> None:
    limit = AdaptiveLimit(1)
    got_in = threading.Event()

    def other_start() -> None:
        with limit:
            got_in.set()

    with limit, limit.released():
        other = threading.Thread(target=other_start)
        other.start()
        other.join(30)  # it gets the only slot: ours is given back
        assert got_in.is_set() and not other.is_alive()
        # ours is taken again: the slot count is back to one taken (a second taker would wait)
    with limit:
        pass


def test_a_stop_ends_the_wait_for_a_slot() -> None:
    stop = threading.Event()
    limit = AdaptiveLimit(1, stop)
    entered = threading.Event()

    def waiting_start() -> None:
        with limit:
            entered.set()

    with limit:
        waiter = threading.Thread(target=waiting_start)
        waiter.start()
        stop.set()
        limit.wake()
        waiter.join(30)
        assert entered.is_set(), "the waiter was let through by the stop while the slot was still taken"
