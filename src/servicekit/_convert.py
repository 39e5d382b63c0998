"""Converters shared by the value classes: strings to enums, refused with the choices listed.

A bare ``Enum("typo")`` raises a ``ValueError`` that names neither the field nor the
values it accepts; these converters raise the caller's :mod:`servicekit.errors` class
with both, and never coerce a value of another kind (``True`` is not ``1``). mypy's attrs
plugin only understands named converters, so each field gets a small module-level function
calling :func:`to_enum`.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import TypeVar

from servicekit.errors import ServiceKitError

__all__ = ["instance", "to_enum", "wall_time"]

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


def to_enum(cls: type[E], value: object, *, name: str, error: type[ServiceKitError]) -> E:
    """``value`` as a member of ``cls``: a member itself or one of the members' values.

    Raises:
        error: ``value`` is neither, with the accepted values in the message.
    """
    if isinstance(value, cls):
        return value
    for member in cls:
        if type(member.value) is type(value) and member.value == value:
            return member
    choices = ", ".join(repr(m.value) for m in cls)
    raise error(f"{name} must be one of {choices} (or a {cls.__name__} member), got {value!r}")


def wall_time(value: object, *, name: str, error: type[ServiceKitError]) -> _dt.time:
    """``value`` if it is a plain ``datetime.time`` (a wall-clock time with no zone).

    Raises:
        error: not a ``datetime.time``, or one carrying a zone (it would be dropped: the
            zone that counts is the calendar's, the customer's or the window's).
    """
    if not isinstance(value, _dt.time):
        raise error(f"{name} must be a datetime.time, got {type(value).__name__} {value!r}")
    if value.tzinfo is not None:
        raise error(
            f"{name} {value!r} has a time zone; give a plain wall-clock time (the zone it is "
            "read in is set elsewhere, and a second one would be silently dropped)"
        )
    return value


def instance(
    value: object,
    cls: type[T],
    *,
    name: str,
    error: type[ServiceKitError],
    what: str | None = None,
) -> T:
    """``value`` if it is an instance of ``cls`` (``bool`` is not taken for a number).

    Raises:
        error: it is not, naming the field and the type expected.
    """
    if isinstance(value, cls) and not (isinstance(value, bool) and cls is not bool):
        return value
    expected = what or f"a {getattr(cls, '__name__', cls)}"
    raise error(f"{name} must be {expected}, got {type(value).__name__} {value!r}")
