"""Converters shared by the value classes: strings to enums, refused with the choices listed.

A bare ``Enum("typo")`` raises a ``ValueError`` that names neither the field nor the
values it accepts; these converters raise the caller's :mod:`servicekit.errors` class
with both, and never coerce a value of another kind (``True`` is not ``1``). mypy's attrs
plugin only understands named converters, so each field gets a small module-level function
calling :func:`to_enum`.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from servicekit.errors import ServiceKitError

__all__ = ["to_enum"]

E = TypeVar("E", bound=enum.Enum)


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
