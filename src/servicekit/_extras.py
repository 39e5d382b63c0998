"""Optional dependencies, imported only when a feature that needs one is used."""

from __future__ import annotations

import importlib
from typing import Any

from servicekit.errors import MissingExtraError

__all__ = ["optional_import"]


def optional_import(module: str, *, needed_for: str, extra: str) -> Any:
    """Import ``module``, or say which extra installs it.

    Raises:
        MissingExtraError: the module is not installed; the message names the feature
            that needs it and the ``pip install 'servicekit[extra]'`` that brings it.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.partition(".")[0]
        raise MissingExtraError(
            f"{needed_for} needs {package}, which is not installed: "
            f"pip install 'servicekit[{extra}]'"
        ) from exc
