"""matplotlib, loaded only when a chart is asked for (the optional ``plot`` extra)."""

from __future__ import annotations

from typing import Any

from servicekit._extras import optional_import

__all__ = ["pyplot"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the file-only Agg backend (never opens a window).

    Raises:
        MissingExtraError: matplotlib is not installed; the message names the extra.
    """
    matplotlib = optional_import("matplotlib", needed_for="charts", extra="plot")
    matplotlib.use("Agg")
    return optional_import("matplotlib.pyplot", needed_for="charts", extra="plot")
