"""The block plan of a ranged local copy: what is covered, which run of blocks comes next, urgent blocks first."""

from __future__ import annotations

import pytest

from source_skoot_athena.results.object_parts import PartPlan


def test_blocks_split_the_bytes_before_the_footer() -> None:
    plan = PartPlan(end=250, block_bytes=100, blocks_per_part=2)
    assert plan.count == 3
    assert plan.span((0, 2)) == (0, 200)
    assert plan.span((2, 1)) == (200, 250)
    assert PartPlan(end=0, block_bytes=100, blocks_per_part=2).count == 0
    with pytest.raises(ValueError, match="positive"):
        PartPlan(end=10, block_bytes=0, blocks_per_part=1)


def test_coverage_follows_the_bytes_written() -> None:
    plan = PartPlan(end=250, block_bytes=100, blocks_per_part=3)
    run = plan.take_next()
    assert run == (0, 3)
    assert not plan.covered(0, 1)
    assert plan.covered(250, 400), "bytes from the end of the plan on (the footer) are always there"
    plan.written(run, 40)
    assert plan.covered(0, 40) and not plan.covered(0, 41)
    plan.written(run, 130)
    assert plan.covered(0, 130) and not plan.covered(99, 131)
    plan.written(run, 250)
    assert plan.covered(0, 300)
    assert plan.covered(120, 120), "an empty range is covered"


def test_runs_are_taken_in_file_order_once_each() -> None:
    plan = PartPlan(end=500, block_bytes=100, blocks_per_part=2)
    assert [plan.take_next(), plan.take_next(), plan.take_next(), plan.take_next()] == [(0, 2), (2, 2), (4, 1), None]
    assert plan.all_claimed()


def test_urgent_blocks_jump_the_queue_and_runs_stop_at_claimed_blocks() -> None:
    plan = PartPlan(end=1000, block_bytes=100, blocks_per_part=4)
    assert plan.take_next() == (0, 4)
    assert plan.make_urgent(650, 720)  # blocks 6 and 7
    assert not plan.make_urgent(650, 720), "already queued"
    assert not plan.make_urgent(0, 50), "block 0 is being fetched already"
    assert plan.take_urgent() == (6, 4), "from the block the read needs, a part's worth"
    assert plan.take_urgent() is None, "block 7 went with block 6"
    assert plan.take_next() == (4, 2), "a run stops at a claimed block"
    assert plan.take_next() is None
    assert plan.all_claimed()


def test_read_ahead_comes_after_urgent_blocks_and_before_file_order() -> None:
    plan = PartPlan(end=1000, block_bytes=100, blocks_per_part=4, urgent_blocks=1)
    assert plan.read_ahead(500, 700)  # blocks 5 and 6
    assert not plan.read_ahead(550, 600), "already queued"
    assert plan.make_urgent(900, 950)
    assert plan.take_urgent() == (9, 1), "a waiting read first, one urgent block"
    assert plan.take_urgent() == (5, 4), "then the read-ahead, a part's worth (up to the claimed block 9)"
    assert plan.take_urgent() is None, "block 6 went with block 5"
    assert plan.take_next() == (0, 4)
    assert plan.take_next() == (4, 1), "a run stops at a claimed block"
    assert plan.take_next() is None
    assert plan.all_claimed()
