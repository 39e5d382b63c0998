"""Business-calendar speed and agreement: servicekit against businesstimedelta and pandas.

One process, one set of seeded random cases: Mon-Fri 09:00-17:00 in America/New_York with the
US federal holidays of 2023-2027. Measures ``add(start, 40h)`` and ``between(start, start + 365
days)``, and ``between`` over ten years against one day, then prints microseconds per call, the
ratios, and how many answers differ from each peer (and why).

Run: python benchmarks/calendar_bench.py [--cases 10000] [--btd-between-cases 300]
Needs the ``bench`` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import businesstimedelta
import holidays
import pandas as pd
import pendulum
import pytz
from _interleave import Samples, interleave, per_item, table

from servicekit import BusinessCalendar

ZONE = "America/New_York"
YEARS = range(2023, 2028)


def each(fn: Callable[[Any], object], inputs: Sequence[Any]) -> Callable[[], list[object]]:
    """A contender: ``fn`` over every input."""
    return lambda: [fn(x) for x in inputs]


def per_call_us(samples: Mapping[str, Samples], counts: Mapping[str, int]) -> dict[str, float]:
    """Median CPU microseconds per call of each contender."""
    return {name: s.median() / counts[name] * 1e6 for name, s in samples.items()}


def why(start: dt.datetime, us_holidays: holidays.HolidayBase) -> str:
    local = start.astimezone(pytz.timezone(ZONE))
    if local.date() in us_holidays:
        return "start on a holiday"
    if local.weekday() >= 5:
        return "start on a weekend"
    if not dt.time(9) <= local.time() < dt.time(17):
        return "start outside opening hours"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--btd-between-cases",
        type=int,
        default=300,
        help="businesstimedelta walks day by day (~40 ms per one-year call), so its between() "
        "runs on the first N cases only",
    )
    args = parser.parse_args()

    us_holidays = holidays.country_holidays("US", years=YEARS)
    cal = BusinessCalendar(ZONE, "mon-fri 09:00-17:00", us_holidays)
    ny = pytz.timezone(ZONE)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=dt.time(9), end_time=dt.time(17), working_days=[0, 1, 2, 3, 4], tz=ny
            ),
            businesstimedelta.HolidayRule(us_holidays, tz=ny),
        ]
    )
    cbh = pd.offsets.CustomBusinessHour(
        n=40, start="09:00", end="17:00", holidays=sorted(us_holidays)
    )

    rng = random.Random(20261124)
    first = pendulum.datetime(2023, 1, 1, tz=ZONE)
    # Whole seconds, starting in 2023-2025 so that a year later is still inside 2023-2027.
    starts = [first.add(seconds=rng.randrange(3 * 365 * 86400)) for _ in range(args.cases)]
    starts_pytz = [dt.datetime.fromtimestamp(s.timestamp(), ny) for s in starts]
    starts_pd = [pd.Timestamp(s.naive()) for s in starts]
    forty = dt.timedelta(hours=40)
    btd_forty = businesstimedelta.BusinessTimeDelta(rules, hours=40)

    cold_began = time.perf_counter()
    cal.add(starts[0], forty)
    cold_us = (time.perf_counter() - cold_began) * 1e6
    for s in starts:  # warm every year table, as a long-running service would be
        cal.add(s, forty)

    print(f"{args.cases:,} random starts, Mon-Fri 09:00-17:00 {ZONE}, US holidays 2023-2027")
    print(f"servicekit first call (builds the year tables it needs): {cold_us:,.0f} us\n")

    year = dt.timedelta(days=365)
    n_btd = min(args.btd_between_cases, args.cases)
    # End instants are computed up front so that only the calendar work is timed.
    pairs = [(s, s + year) for s in starts]
    pairs_pytz = [
        (dt.datetime.fromtimestamp(a.timestamp(), ny), dt.datetime.fromtimestamp(b.timestamp(), ny))
        for a, b in pairs[:n_btd]
    ]
    contenders = {
        "servicekit add": each(lambda s: cal.add(s, forty), starts),
        "businesstimedelta add": each(lambda s: s + btd_forty, starts_pytz),
        "pandas CBH add": each(lambda s: s + cbh, starts_pd),
        "servicekit between 1 year": each(lambda p: cal.between(*p), pairs),
        "businesstimedelta between 1 year": each(lambda p: rules.difference(*p), pairs_pytz),
    }
    counts = dict.fromkeys(contenders, args.cases)
    counts["businesstimedelta between 1 year"] = n_btd
    samples = interleave(contenders, args.rounds)
    print(f"{args.rounds} interleaved rounds; CPU per call")
    table({k: per_item(v, counts[k]) for k, v in samples.items()}, scale=1e6, unit="us")
    us = per_call_us(samples, counts)
    sk_add, btd_add, pd_add = (
        us["servicekit add"],
        us["businesstimedelta add"],
        us["pandas CBH add"],
    )
    sk_bet, btd_bet = us["servicekit between 1 year"], us["businesstimedelta between 1 year"]
    sk_add_out = samples["servicekit add"].result
    btd_add_out = samples["businesstimedelta add"].result
    pd_add_out = samples["pandas CBH add"].result
    sk_bet_out = samples["servicekit between 1 year"].result
    btd_bet_out = samples["businesstimedelta between 1 year"].result

    print(f"{'operation':34} {'servicekit':>12} {'peer':>12} {'speed-up':>9}  goal")
    rows = [
        ("add(start, 40h) vs businesstimedelta", sk_add, btd_add, 15),
        ("add(start, 40h) vs pandas CBH", sk_add, pd_add, 8),
        (f"between 1 year vs btd ({n_btd} cases)", sk_bet, btd_bet, 500),
    ]
    for label, ours, theirs, goal in rows:
        ratio = theirs / ours
        verdict = "met" if ratio >= goal else "MISSED"
        print(f"{label:34} {ours:10.2f}us {theirs:10.2f}us {ratio:8.0f}x  >={goal}x {verdict}")

    day, ten_years = dt.timedelta(days=1), dt.timedelta(days=3652)
    for s in starts:  # warm the year tables ten years ahead too, so no round builds them
        cal.between(s, s + ten_years)
    spans = interleave(
        {
            "servicekit between 1 day": each(
                lambda p: cal.between(*p), [(s, s + day) for s in starts]
            ),
            "servicekit between 10 years": each(
                lambda p: cal.between(*p), [(s, s + ten_years) for s in starts]
            ),
        },
        args.rounds,
    )
    sk_day = spans["servicekit between 1 day"].median() / args.cases * 1e6
    sk_ten = spans["servicekit between 10 years"].median() / args.cases * 1e6
    ratio = sk_ten / sk_day
    verdict = "met" if ratio <= 2 else "MISSED"
    print(
        f"{'between 10 years vs 1 day':34} {sk_ten:10.2f}us {sk_day:10.2f}us {ratio:8.2f}x  "
        f"<=2x {verdict}"
    )

    print("\nDisagreements (servicekit is checked against brute force in its test suite):")
    reasons: collections.Counter[str] = collections.Counter()
    for s, ours, theirs in zip(starts_pytz, sk_add_out, btd_add_out, strict=True):
        if ours != theirs:
            reasons[f"add vs businesstimedelta: {why(s, us_holidays)}"] += 1
    for s, ours, theirs in zip(starts, sk_add_out, pd_add_out, strict=True):
        if pd.Timestamp(ours.naive()) == theirs:  # type: ignore[attr-defined]
            continue
        theirs_aware = pendulum.instance(theirs.to_pydatetime(), tz=ZONE)
        if cal.between(ours, theirs_aware) == dt.timedelta(0):  # type: ignore[arg-type]
            reasons[
                "add vs pandas: same business instant; pandas gives the next opening, "
                "servicekit the closing time (the earliest instant, as add() promises)"
            ] += 1
        else:
            reasons[f"add vs pandas: {why(s, us_holidays)}"] += 1
    for s, ours, theirs in zip(starts_pytz, sk_bet_out, btd_bet_out, strict=False):
        theirs_td = dt.timedelta(hours=theirs.hours, seconds=theirs.seconds)
        if ours != theirs_td:
            reasons[f"between vs businesstimedelta: {why(s, us_holidays)}"] += 1
    if not reasons:
        print("  none: every answer agrees")
    for reason, count in sorted(reasons.items()):
        print(f"  {count:6,}  {reason}")


if __name__ == "__main__":
    main()
