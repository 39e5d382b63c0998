"""Calendars, lifecycles and protocols are safe to share between threads.

Each test computes answers on one thread, then hammers a *fresh* value (so every lazily
built table is built under contention) from several threads at once and compares.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import pendulum
import pytest

from servicekit import AgentReplied, BusinessCalendar, helpdesk_lifecycle
from servicekit.protocols import reactive_protocol

T = TypeVar("T")
THREADS = 4
H = dt.timedelta(hours=1)
ZONE = "Europe/Brussels"


@contextmanager
def _switch_often() -> Iterator[None]:
    """Make the interpreter switch threads every 10 microseconds, so races show up."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _hammer(work: Callable[[int], T]) -> list[T]:
    with _switch_often(), ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(work, range(THREADS)))


def _calendar() -> BusinessCalendar:
    return BusinessCalendar(ZONE, "mon-fri 08:00-12:00,13:00-17:30; sat 09:00-12:00")


def _spans() -> list[tuple[pendulum.DateTime, pendulum.DateTime]]:
    years = range(2000, 2041, 8)
    return [
        (pendulum.datetime(a, 3, 1, 10, tz=ZONE), pendulum.datetime(b, 11, 1, 15, tz=ZONE))
        for a in years
        for b in years
        if a <= b
    ]


@pytest.mark.parametrize("trial", range(2))
def test_a_fresh_calendar_shared_by_threads_gives_the_single_threaded_answers(trial: int) -> None:
    spans = _spans()
    expected = [_calendar().between(a, b) for a, b in spans]
    shared = _calendar()

    def work(i: int) -> list[pendulum.Duration]:
        # Each thread starts at a different place, so they extend the tables from both ends.
        order = spans[i * len(spans) // THREADS :] + spans[: i * len(spans) // THREADS]
        answers = {span: shared.between(*span) for span in order}
        return [answers[span] for span in spans]

    for answers in _hammer(work):
        assert answers == expected


def test_adds_and_subtracts_on_a_shared_calendar_agree_with_one_thread() -> None:
    starts = [pendulum.datetime(y, 6, 2, 9, tz=ZONE) for y in range(1995, 2055, 6)]
    durations = [k * 37 * H for k in range(1, 40, 6)]
    one = _calendar()
    expected = [(one.add(s, d), one.subtract(s, d)) for s in starts for d in durations]
    shared = _calendar()

    def work(i: int) -> list[tuple[pendulum.DateTime, pendulum.DateTime]]:
        ordered = starts[::-1] if i % 2 else starts
        found = {
            (s, d): (shared.add(s, d), shared.subtract(s, d)) for s in ordered for d in durations
        }
        return [found[(s, d)] for s in starts for d in durations]

    for answers in _hammer(work):
        assert answers == expected


def test_a_shared_lifecycle_and_protocol_give_the_single_threaded_reports() -> None:
    t0 = pendulum.datetime(2025, 3, 3, 9, tz=ZONE)

    def reports(protocol_calendar: BusinessCalendar, i: int) -> list[object]:
        protocol = reactive_protocol(protocol_calendar)
        out: list[object] = []
        for k in range(12):
            ticket = protocol.open(ticket_id=f"T-{i}-{k}", at=t0 + k * H, priority="P2")
            ticket.record(AgentReplied(at=t0 + (k + 1) * H))
            report = protocol.evaluate(ticket, t0 + (k + 30) * H)
            out.append(([a.at for a in report.actions], report.next_wakeup))
        return out

    expected = reports(_calendar(), 0)
    shared = _calendar()
    # each read of `.machine` is a fresh copy of the one the lifecycle's tickets run on
    lifecycle = helpdesk_lifecycle()
    dests = _hammer(lambda _: lifecycle.machine.get_transitions("solve", source="open")[0].dest)
    assert set(dests) == {"solved"}
    for answers in _hammer(lambda i: reports(shared, i)):
        assert answers == expected
