"""matplotlib, loaded only when a chart is asked for (the optional ``plot`` extra)."""

from __future__ import annotations

from typing import Any

from servicekit.errors import MissingExtraError

__all__ = ["pyplot"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the file-only Agg backend (never opens a window).

    Raises:
        MissingExtraError: matplotlib is not installed; the message names the extra.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError("charts need matplotlib: pip install 'servicekit[plot]'") from exc
    return plt
