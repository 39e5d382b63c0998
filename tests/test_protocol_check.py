"""``check_protocol``: the ready-made protocols are clean, and each finding fires."""

from __future__ import annotations

import pytest

from servicekit.protocols import READY_MADE, load_protocol, loads_protocol, ready_made_path
from servicekit.protocols._check import FINDING_CODES, check_protocol

BASE = """
name = "ours"
[calendars.team]
timezone = "Europe/Madrid"
hours = "mon-fri 09:00-17:00"
[lifecycle]
ready = "helpdesk"
"""


@pytest.mark.parametrize("name", READY_MADE)
def test_ready_made_protocols_check_clean(name: str) -> None:
    assert check_protocol(load_protocol(ready_made_path(name))) == ()


CASES = {
    "SK101": """
[sla.metrics.first_response.targets]
P1 = "1h"
P2 = "4h"
[sla.metrics.resolution.targets]
P1 = "8h"
""",
    "SK102": """
[sla.metrics.first_response.targets]
"*" = "1h"
[[escalations]]
name = "tiers"
[[escalations.steps]]
notify = ["tier:L2"]
wait = "50% of resolution"
""",
    "SK103": """
[sla.metrics.resolution.targets]
"*" = "8h"
[[escalations]]
name = "tiers"
triggers = [{event = "ticket_opened"}]
[[escalations.steps]]
notify = ["tier:L2"]
wait = "10h"
""",
    "SK104": """
[sla.metrics.periodic_update.targets]
"*" = "2h"
[[follow_ups]]
name = "remind"
cadence = {every = "4h"}
""",
    "SK105": """
[calendars.never]
timezone = "UTC"
hours = ""
[sla.metrics.resolution]
calendar = "never"
targets = {"*" = "8h"}
""",
    "SK106": """
[calendars.rare]
timezone = "UTC"
hours = "mon 09:00-10:00"
[sla.metrics.resolution]
calendar = "rare"
targets = {"*" = "8h"}
""",
    "SK107": """
[[follow_ups]]
name = "late"
cadence = {daily = "22:30"}
quiet_action = "skip"
""",
    "SK108": """
[sla.metrics.resolution.targets]
"*" = "40h"
[[follow_ups]]
name = "bump"
cadence = {offsets = ["4h", "8h", "12h"]}
terminal = {action = "solve", after_attempts = 2}
""",
}


def test_every_code_has_a_case() -> None:
    assert sorted(CASES) == sorted(FINDING_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_finding_fires(code: str) -> None:
    findings = check_protocol(loads_protocol(BASE + CASES[code]))
    assert [f.code for f in findings] == [code]
    finding = findings[0]
    assert finding.path
    assert finding.message
    assert finding.fix
    assert str(finding).startswith(f"{code} {finding.path}: ")
