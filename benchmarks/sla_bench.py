"""SLA evaluation: servicekit against a straightforward reference built on businesstimedelta.

First response, next response and resolution on Mon-Fri 09:00-17:00 America/New_York with
US holidays, in two cases: tickets resolved within days, and long-open tickets. In each, both
implementations evaluate the same --reference-tickets tickets (built beforehand), slice by
slice: each round runs both over the same --slice tickets, in an order that rotates from
round to round, so a round lasts a fraction of a second and the host's noise meets both
alike; --passes walks the tickets that many times. The run prints per-ticket CPU and wall
medians over the rounds with their ranges, the speed-up as the ratio of the medians and as
the median and range of the per-round ratios, and stops with an error if any ticket's
answers differ (elapsed seconds, breach).

Then servicekit alone streams --stream synthetic tickets (about 10 events each; generated,
evaluated and dropped) and prints its peak memory at a tenth of that and at that many (it
must not grow with the number of tickets). Building the tickets and tracing allocations make
this part slow (several milliseconds a ticket), so it is small by default; --stream 100000
is the memory check the docs quote, and --stream 0 skips it.

Run: python benchmarks/sla_bench.py [--reference-tickets 1000] [--slice 20] [--passes 2]
[--stream 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import tracemalloc
from collections.abc import Iterator

import businesstimedelta
import holidays
import pendulum
import pytz
from _interleave import interleave_slices, round_ratios, table

from servicekit import (
    AgentReplied,
    BusinessCalendar,
    CustomerReplied,
    StatusCategory,
    StatusChanged,
    Ticket,
    TicketOpened,
    helpdesk_lifecycle,
)
from servicekit._time import from_micros, to_micros
from servicekit.sla import SlaPolicy, SlaTarget, evaluate_many

ZONE = "America/New_York"
US_HOLIDAYS = holidays.country_holidays("US", years=range(2024, 2027))
CALENDAR = BusinessCalendar(ZONE, "mon-fri 09:00-17:00", US_HOLIDAYS)
H = dt.timedelta(hours=1)
TARGETS = {"first_response": 4 * H, "next_response": 8 * H, "resolution": 24 * H}
POLICY = SlaPolicy(
    "bench",
    [SlaTarget(metric=m, priority="*", target=t, calendar=CALENDAR) for m, t in TARGETS.items()],
)
NOW = pendulum.datetime(2026, 6, 1, tz=ZONE)


def synthetic_tickets(n: int, seed: int = 11, *, resolved: bool = False) -> Iterator[Ticket]:
    """Helpdesk tickets with replies, waits, solves and reopenings; about 10 events each.

    ``resolved``: every ticket ends solved a few hours after its last event (within days).
    """
    rng = random.Random(seed)
    lifecycle = helpdesk_lifecycle()
    tz = CALENDAR.tz
    start = to_micros(pendulum.datetime(2024, 1, 1, tz=ZONE))
    minute = 60 * 1_000_000
    for i in range(n):
        us = start + rng.randrange(2 * 365 * 24 * 60) * minute
        ticket = Ticket.open(lifecycle, ticket_id=f"B-{i}", at=from_micros(us, tz), priority="P2")
        for _ in range(9):
            us += rng.randrange(10, 3000) * minute
            at = from_micros(us, tz)
            status = ticket.status
            roll = rng.random()
            if status == "closed":
                break
            if roll < 0.3:
                ticket.record(AgentReplied(at=at, public=rng.random() < 0.85))
            elif roll < 0.5:
                # The lifecycle's reaction reopens a pending or solved ticket.
                ticket.record(CustomerReplied(at=at))
            elif roll < 0.65 and status in ("new", "open"):
                ticket.fire("pend", at=at)
            elif roll < 0.8 and status in ("new", "open", "pending", "on-hold"):
                ticket.fire("solve", at=at)
            elif status == "new":
                ticket.fire("open", at=at)
            else:
                ticket.record(AgentReplied(at=at))
        if resolved and ticket.status not in ("solved", "closed"):
            us += rng.randrange(10, 600) * minute
            ticket.fire("solve", at=from_micros(us, tz))
        yield ticket


class Reference:
    """The obvious implementation: walk the history, ask businesstimedelta for each stretch."""

    def __init__(self) -> None:
        ny = pytz.timezone(ZONE)
        self.zone = ny
        self.rules = businesstimedelta.Rules(
            [
                businesstimedelta.WorkDayRule(
                    start_time=dt.time(9), end_time=dt.time(17), working_days=[0, 1, 2, 3, 4], tz=ny
                ),
                businesstimedelta.HolidayRule(US_HOLIDAYS, tz=ny),
            ]
        )

    def business_seconds(self, a: dt.datetime, b: dt.datetime) -> float:
        if b <= a:
            return 0.0
        diff = self.rules.difference(
            dt.datetime.fromtimestamp(a.timestamp(), self.zone),
            dt.datetime.fromtimestamp(b.timestamp(), self.zone),
        )
        return float(diff.hours * 3600 + diff.seconds)

    def evaluate(self, ticket: Ticket) -> list[tuple[str, int, float, bool]]:
        """(metric, cycle, elapsed seconds, breached) for the three metrics."""
        category = ticket.lifecycle.category
        events = [e for e in ticket if e.at <= NOW]
        rows = []
        # First response: opened -> first public agent reply, cancelled when solved first.
        end = NOW
        for e in events:
            if isinstance(e, AgentReplied) and e.public:
                end = e.at
                break
            if isinstance(e, StatusChanged) and category(e.to_status) is StatusCategory.SOLVED:
                end = e.at
                break
        seconds = self.business_seconds(events[0].at, end)
        rows.append(
            ("first_response", 1, seconds, seconds > TARGETS["first_response"].total_seconds())
        )
        # Next response: each customer reply with no open cycle -> next public agent reply.
        cycle, started, status = 0, None, ticket.lifecycle.initial
        ordered = sorted(
            events,
            key=lambda e: (
                e.at,
                0 if isinstance(e, TicketOpened) else 1 if isinstance(e, StatusChanged) else 2,
            ),
        )
        for e in ordered:
            if isinstance(e, StatusChanged):
                status = e.to_status
                if started is not None and category(status) is StatusCategory.SOLVED:
                    s = self.business_seconds(started, e.at)
                    rows.append(
                        ("next_response", cycle, s, s > TARGETS["next_response"].total_seconds())
                    )
                    started = None
            elif isinstance(e, CustomerReplied) and started is None:
                cycle, started = cycle + 1, e.at
                if category(status) is StatusCategory.SOLVED:
                    rows.append(("next_response", cycle, 0.0, False))
                    started = None
            elif isinstance(e, AgentReplied) and e.public and started is not None:
                s = self.business_seconds(started, e.at)
                rows.append(
                    ("next_response", cycle, s, s > TARGETS["next_response"].total_seconds())
                )
                started = None
        if started is not None:
            s = self.business_seconds(started, NOW)
            rows.append(("next_response", cycle, s, s > TARGETS["next_response"].total_seconds()))
        # Resolution: time in new, open and on-hold, resumed on reopening.
        running = {StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.WAITING_ON_THIRD_PARTY}
        seconds = sum(
            self.business_seconds(i.start, i.end)
            for i in ticket.status_intervals(NOW)
            if i.category in running
        )
        rows.append(("resolution", 1, seconds, seconds > TARGETS["resolution"].total_seconds()))
        return sorted(rows)


def servicekit_rows(ticket: Ticket) -> list[tuple[str, int, float, bool]]:
    report = POLICY.evaluate(ticket, NOW)
    return sorted(
        (s.metric, s.cycle, s.elapsed.total_seconds(), s.breached) for s in report.statuses
    )


def same(a: list[tuple[str, int, float, bool]], b: list[tuple[str, int, float, bool]]) -> bool:
    return len(a) == len(b) and all(
        x[:2] == y[:2] and abs(x[2] - y[2]) < 1e-6 and x[3] == y[3]
        for x, y in zip(a, b, strict=True)
    )


def streaming_run(n: int) -> tuple[float, int, int, int]:
    """Seconds, events, rows and tracemalloc peak bytes for evaluating ``n`` generated tickets."""
    events = 0

    def counted() -> Iterator[Ticket]:
        nonlocal events
        for ticket in synthetic_tickets(n):
            events += len(ticket)
            yield ticket

    tracemalloc.start()
    began = time.perf_counter()
    rows = sum(1 for _ in evaluate_many(POLICY, counted(), NOW))
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, events, rows, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-tickets", type=int, default=1_000)
    parser.add_argument("--slice", type=int, default=20, help="tickets per round")
    parser.add_argument("--passes", type=int, default=2, help="walks over the tickets")
    parser.add_argument(
        "--stream", type=int, default=2_000, help="tickets for the memory check (0: skip)"
    )
    args = parser.parse_args()

    reference = Reference()
    for label, resolved in (("resolved within days", True), ("long-open tickets", False)):
        sample = list(synthetic_tickets(args.reference_tickets, resolved=resolved))
        samples = interleave_slices(
            {
                "servicekit": lambda chunk: [servicekit_rows(t) for t in chunk],
                "businesstimedelta reference": lambda chunk: [reference.evaluate(t) for t in chunk],
            },
            sample,
            args.slice,
            args.passes,
        )
        ours = samples["servicekit"].result
        expected = samples["businesstimedelta reference"].result
        disagree = sum(1 for a, b in zip(ours, expected, strict=True) if not same(a, b))  # type: ignore[call-overload]
        rounds = len(samples["servicekit"].cpu)
        print(
            f"{label}: the same {len(sample):,} tickets, {rounds} interleaved rounds of "
            f"{args.slice} ({args.passes} pass{'es' if args.passes != 1 else ''}; both over the "
            "same tickets each round; "
            "evaluation only, tickets built beforehand), per ticket"
        )
        table(samples, scale=1e6, unit="us")
        peer, ours_s = samples["businesstimedelta reference"], samples["servicekit"]
        ratio = peer.median() / ours_s.median()
        print(
            f"  speed-up (CPU) {round_ratios(peer, ours_s)}"
            f" (goal >= 20x: {'met' if ratio >= 20 else 'MISSED'}); "
            f"tickets whose answers differ: {disagree}\n"
        )
        if disagree:
            raise SystemExit(f"{label}: {disagree} tickets got different answers; see above")

    if args.stream <= 0:
        print("Streaming memory check skipped (--stream 0); --stream 100000 runs it in full.")
        return
    # servicekit alone (no peer streams): memory must not grow with the number of tickets.
    small = max(args.stream // 10, 1)
    seconds, events, rows, peak_small = streaming_run(small)
    print(
        f"\nStreaming {small:,} tickets ({events:,} events, {rows:,} rows): "
        f"{small / seconds:,.0f} tickets/s incl. building them; "
        f"peak memory {peak_small / 1e6:.1f} MB"
    )
    seconds, events, rows, peak = streaming_run(args.stream)
    print(
        f"Streaming {args.stream:,} tickets ({events:,} events, {rows:,} rows): "
        f"{args.stream / seconds:,.0f} tickets/s incl. building them; "
        f"peak memory {peak / 1e6:.1f} MB ({peak / peak_small:.2f}x the smaller run)"
    )


if __name__ == "__main__":
    main()
