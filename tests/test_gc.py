"""The collector's pause around bulk loading and rendering (``helpdesk._gc``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from helpdesk._gc import paused_gc


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    # Commands run in-process before (``helpdesk search`` turns the collector off for its
    # short life) may have left it off; each test starts with it on, as a process does.
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()  # what a test froze goes back to the collector
    if not was_enabled:
        gc.disable()


class Node:
    def __init__(self) -> None:
        self.children: list[Node] = []


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_restart_to_the_outer_one() -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_without_freezing_what_the_block_made_is_left_for_the_collector() -> None:
    frozen = gc.get_freeze_count()
    with paused_gc():
        made = [Node() for _ in range(1000)]
    assert gc.get_freeze_count() == frozen
    assert gc.is_tracked(made[0])


def test_freezing_takes_what_the_block_made_out_of_the_collectors_scans() -> None:
    frozen = gc.get_freeze_count()
    with paused_gc(freeze=True):
        made = [Node() for _ in range(1000)]
    assert gc.get_freeze_count() >= frozen + len(made)
    assert gc.get_count()[0] < len(made)  # the youngest generation is not left holding them
    assert gc.isenabled()


def test_a_nested_freeze_is_left_to_the_outermost_pause() -> None:
    frozen = gc.get_freeze_count()
    with paused_gc(freeze=True):
        with paused_gc(freeze=True):
            made = [Node() for _ in range(1000)]
        assert gc.get_freeze_count() == frozen  # not yet: the outer block is still running
    assert gc.get_freeze_count() >= frozen + len(made)
