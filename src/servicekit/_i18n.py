"""Languages and local time for people: locale fallback chains and Babel formatting.

Messages and playbooks state instants in the reader's zone and language
("martes, 3 de marzo de 2026, 10:00 (hora de Bogotá)") and durations as
people say them ("4 horas", "1 hour and 30 minutes"). A language servicekit
has no words for falls back along a declared chain (``es-CO -> es -> en``).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable

import babel
import babel.dates
import babel.lists
import babel.units

from servicekit._time import duration_micros, get_timezone
from servicekit.errors import InvalidLocaleError

__all__ = [
    "babel_locale",
    "format_duration",
    "format_instant",
    "locale_chain",
    "normalize_locale",
]

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def normalize_locale(tag: str) -> str:
    """A BCP 47 style tag with a hyphen and conventional case: ``es_co`` -> ``es-CO``.

    Raises:
        InvalidLocaleError: ``tag`` is not a language tag (``"es"``, ``"es-CO"``, ``"pt_BR"``).
    """
    if not isinstance(tag, str) or not _TAG.match(tag):
        raise InvalidLocaleError(
            f"{tag!r} is not a language tag; write a language, optionally with a region, "
            "e.g. 'es', 'es-CO' or 'en-GB'"
        )
    first, *rest = re.split(r"[-_]", tag)
    parts = [first.lower()]
    for part in rest:
        parts.append(part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part)
    return "-".join(parts)


def locale_chain(locale: str, fallbacks: Iterable[str] = ("en",)) -> tuple[str, ...]:
    """The languages to try for ``locale``, most specific first, then the declared fallbacks.

    >>> locale_chain("es-CO")
    ('es-CO', 'es', 'en')
    """
    chain: list[str] = []
    for tag in (locale, *fallbacks):
        parts = normalize_locale(tag).split("-")
        for end in range(len(parts), 0, -1):
            candidate = "-".join(parts[:end])
            if candidate not in chain:
                chain.append(candidate)
    return tuple(chain)


@functools.lru_cache(maxsize=256)
def _parse(tag: str) -> babel.Locale | None:
    try:
        return babel.Locale.parse(tag.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError):
        return None


def babel_locale(chain: Iterable[str]) -> babel.Locale:
    """The first locale of ``chain`` Babel has data for.

    Raises:
        InvalidLocaleError: Babel knows none of them.
    """
    tags = tuple(chain)
    for tag in tags:
        found = _parse(tag)
        if found is not None:
            return found
    raise InvalidLocaleError(f"no locale of {list(tags)} is known; add a fallback such as 'en'")


def _zone_label(zone: str, locale: babel.Locale) -> str:
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    city = babel.dates.get_timezone_location(get_timezone(zone), locale=locale, return_city=True)
    # The language's own pattern ("hora de %s", "%s Time"): regional variants of some
    # languages carry a summer-time wording in that slot.
    pattern = babel.Locale(locale.language).zone_formats["region"]
    return str(pattern) % city


def format_instant(
    at: _dt.datetime, zone: str, locale: babel.Locale, *, style: str = "full"
) -> str:
    """``at`` in ``zone`` as the locale writes it, with the zone named for people.

    ``style`` is ``"full"`` (weekday, date, time and zone), ``"date"`` or ``"time"``
    (time and zone).

    >>> import pendulum
    >>> at = pendulum.datetime(2026, 3, 3, 15, tz="UTC")
    >>> format_instant(at, "America/Bogota", babel_locale(["es"]))
    'martes, 3 de marzo de 2026, 10:00 (hora de Bogotá)'
    """
    local = at.astimezone(get_timezone(zone))
    if style == "date":
        return babel.dates.format_date(local, "full", locale=locale)
    time = babel.dates.format_time(local, "short", locale=locale)
    label = _zone_label(zone, locale)
    if style == "time":
        return f"{time} ({label})"
    date = babel.dates.format_date(local, "full", locale=locale)
    return f"{date}, {time} ({label})"


_UNITS = (
    ("duration-day", 86_400_000_000),
    ("duration-hour", 3_600_000_000),
    ("duration-minute", 60_000_000),
    ("duration-second", 1_000_000),
)


def format_duration(duration: _dt.timedelta, locale: babel.Locale, *, days: bool = False) -> str:
    """A duration as people say it, exactly: ``"40 horas"``, ``"1 hour and 30 minutes"``.

    Business time is counted in hours, never days (40 business hours are not two
    days); pass ``days=True`` for elapsed spans ("4 days").

    >>> format_duration(_dt.timedelta(minutes=90), babel_locale(["en"]))
    '1 hour and 30 minutes'
    """
    left = duration_micros(duration, name="duration")
    parts = []
    for unit, size in _UNITS if days else _UNITS[1:]:
        amount, left = divmod(left, size)
        if amount:
            parts.append(babel.units.format_unit(amount, unit, length="long", locale=locale))
    if not parts:
        return babel.units.format_unit(0, "duration-minute", length="long", locale=locale)
    return babel.lists.format_list(parts, locale=locale)
