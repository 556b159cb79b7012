"""SQLite's single writer, shared by one process's threads: a sender waiting for its inbox
commit goes first, yet the applier and the timers are never starved by a stream of them."""

from __future__ import annotations

import threading
import time

from warroom.store.session import WriterTurns


def queued(turns: WriterTurns, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(turns._waiting) < count:
        assert time.monotonic() < deadline, "the writers never queued"
        time.sleep(0.001)


def writer(turns: WriterTurns, name: str, order: list[str], *, urgent: bool) -> threading.Thread:
    def take_turn() -> None:
        with turns.turn(urgent=urgent):
            order.append(name)

    thread = threading.Thread(target=take_turn)
    thread.start()
    return thread


def test_a_waiting_sender_goes_before_the_applier_but_never_twice_in_a_row() -> None:
    turns = WriterTurns()
    order: list[str] = []
    with turns.turn():
        applier = writer(turns, "applier", order, urgent=False)
        queued(turns, 1)
        first_sender = writer(turns, "sender 1", order, urgent=True)
        second_sender = writer(turns, "sender 2", order, urgent=True)
        queued(turns, 3)
    for thread in (applier, first_sender, second_sender):
        thread.join(timeout=5)
    assert order == ["sender 1", "applier", "sender 2"]


def test_a_thread_holding_the_turn_takes_it_again_inside() -> None:
    turns = WriterTurns()
    done = threading.Event()

    def nested() -> None:
        with turns.turn(), turns.turn(urgent=True):
            pass
        with turns.turn():  # given back in full
            done.set()

    threading.Thread(target=nested, daemon=True).start()
    assert done.wait(timeout=5), "the thread deadlocked on a turn it held"


def test_each_kind_of_thread_has_its_waits_and_holds_counted_once_per_outermost_turn() -> None:
    """Pool threads add up under one role; a nested turn is not counted again."""
    turns = WriterTurns()
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with turns.turn(), turns.turn():
            holding.set()
            release.wait(timeout=5)

    def wait_then_hold() -> None:
        with turns.turn(urgent=True):
            time.sleep(0.01)

    first = threading.Thread(target=hold, name="warroom-timers-0")
    first.start()
    assert holding.wait(timeout=5)
    second = threading.Thread(target=wait_then_hold, name="warroom-timers-1")
    second.start()
    queued(turns, 1)
    time.sleep(0.02)
    release.set()
    for thread in (first, second):
        thread.join(timeout=5)
    [(role, (waited, held))] = turns.time_by_role().items()
    assert role == "warroom-timers"
    assert waited >= 0.02 and held >= 0.03


def test_the_holder_is_told_to_give_way_once_it_has_held_the_writer_long_while_a_sender_waits():
    turns = WriterTurns()
    with turns.turn():
        assert not turns.urgent_waits_on(0.0), "nobody waits yet"
        applier = writer(turns, "applier", [], urgent=False)
        queued(turns, 1)
        assert not turns.urgent_waits_on(0.0), "the applier may wait its turn"
        sender = writer(turns, "sender", [], urgent=True)
        queued(turns, 2)
        assert not turns.urgent_waits_on(60.0), "held only a moment"
        assert turns.urgent_waits_on(0.0)
    for thread in (applier, sender):
        thread.join(timeout=5)


def test_with_senders_in_other_processes_every_long_turn_gives_way_and_counts_as_waited_for():
    """`serve --workers N` on SQLite: the serving processes' waits cannot be seen."""
    turns = WriterTurns()
    turns.senders_elsewhere = True
    with turns.turn():
        assert not turns.urgent_waits_on(60.0)
        assert turns.urgent_waits_on(0.0), "no sender seen here, yet one may wait"
    with turns.turn():
        pass
    assert turns.senders_waited() == 2
