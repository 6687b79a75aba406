"""RunAhead: same items, order and exception as the iterator it runs; a consumer that stops early stops the
producer and runs the iterator's own clean-up."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from source_skoot_athena.pipeline import RunAhead


def test_items_arrive_in_order() -> None:
    assert list(RunAhead(iter(range(1000)), depth=2)) == list(range(1000))


def test_producer_exception_is_raised_to_the_consumer_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("broken file")

    got: list[int] = []
    with pytest.raises(ValueError, match="broken file"):
        for item in RunAhead(items()):
            got.append(item)
    assert got == [1]


def test_stopping_early_closes_the_producers_generator_on_its_thread() -> None:
    closed_on: list[str] = []
    produced: list[int] = []

    def items() -> Iterator[int]:
        try:
            for n in range(10_000):
                produced.append(n)
                yield n
        finally:
            closed_on.append(threading.current_thread().name)

    consumer = iter(RunAhead(items(), depth=2))
    assert next(consumer) == 0
    consumer.close()  # type: ignore[attr-defined]
    assert closed_on == ["run-ahead"], "the generator's finally ran on the producer thread before close returned"
    assert len(produced) < 10, "the producer stopped within its bounded queue"
