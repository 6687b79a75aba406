"""The start-up pause of the cyclic garbage collector (gc_pause.py): off once, back on once, never turned on if
something else had turned it off."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from source_skoot_athena.entrypoint import command_for
from source_skoot_athena.errors import UserError
from source_skoot_athena.gc_pause import STARTUP, CollectorPause


@pytest.fixture(autouse=True)
def collector_on_afterwards() -> Iterator[None]:
    yield
    STARTUP.resume()
    gc.enable()


def test_pause_turns_the_collector_off_and_resume_turns_it_back_on_once() -> None:
    pause = CollectorPause()
    pause.pause()
    assert not gc.isenabled() and pause.paused
    pause.resume()
    assert gc.isenabled() and not pause.paused
    gc.disable()  # someone else's choice after the resume: a second resume leaves it alone
    pause.resume()
    assert not gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    pause = CollectorPause()
    pause.pause()
    pause.resume()
    assert not gc.isenabled() and not pause.paused


def test_the_entrypoint_pauses_it_for_read_only() -> None:
    command_for(["spec"])
    assert gc.isenabled()
    command_for(["read", "--config", "c.json", "--catalog", "k.json"])
    assert not gc.isenabled() and STARTUP.paused


def test_a_read_that_fails_before_any_query_resumes_it() -> None:
    """read_command resumes it whatever happens (here: the config file does not exist)."""
    command = command_for(["read", "--config", "/nonexistent/config.json", "--catalog", "/nonexistent/catalog.json"])
    with pytest.raises(UserError):
        list(command.output())
    assert gc.isenabled() and not STARTUP.paused
