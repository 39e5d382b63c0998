"""How deep the costly property tests go under each hypothesis profile.

A few property tests cost a tenth of a second or more per example (whole escalation runs over
days, reports of random tickets through the JSON schema, calendars walked over years, Erlang
references in arbitrary precision). The derandomized ``ci`` profile, and the ``min-deps`` one
of the lower-bounds run, run a quarter of their examples for them, so the test command stays
under five minutes; every other profile (``dev``, ``deep``, ``mutation``) runs them as deep as
any other test. They move to the ``deep`` profile, not out of the suite.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
"""The profile this run uses (tests/conftest.py loads it)."""


def costly() -> settings:
    """Settings for a costly property test under the loaded profile."""
    current = settings.default
    if PROFILE not in ("ci", "min-deps"):
        return current
    return settings(current, max_examples=max(1, current.max_examples // 4))
