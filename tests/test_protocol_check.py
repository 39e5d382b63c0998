"""``check_protocol``: the ready-made protocols are clean, and each finding fires."""

from __future__ import annotations

import pytest

from servicekit.protocols import (
    FINDING_CODES,
    READY_MADE,
    check_protocol,
    load_protocol,
    loads_protocol,
    ready_made_path,
)

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
    # the promise messages a follow-up schedule can send exist in no language at all
    "SK109": """
[[follow_ups]]
name = "remind"
cadence = {every = "4h"}
[messages]
[[messages.templates]]
name = "follow_up"
language = "en"
body = "We are on it."
""",
    "SK110": """
[[follow_ups]]
name = "remind"
cadence = {every = "4h"}
channels = ["sms"]
[messages]
[[messages.templates]]
name = "follow_up"
language = "en"
body = "We are on it."
[[messages.templates]]
name = "follow_up"
language = "en"
channel = "sms"
body = "On it."
[[messages.templates]]
name = "follow_up"
language = "es"
body = "Seguimos en ello."
[[messages.templates]]
name = "promise_reminder"
language = "en"
body = "Due."
[[messages.templates]]
name = "promise_broken"
language = "en"
body = "Late."
[[messages.templates]]
name = "transition"
language = "en"
body = "Closed."
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


def test_messages_missing_everywhere_are_named_per_language() -> None:
    toml = BASE + CASES["SK109"].replace("[messages]", '[messages]\nfallback = ["es", "en"]')
    found = check_protocol(loads_protocol(toml))
    assert [(f.code, f.path) for f in found] == [("SK109", "messages")] * 2 + [
        ("SK110", "messages")
    ]
    # the helpdesk lifecycle's timed close asks for a "transition" message too
    assert [f.message for f in found[:2]] == [
        f"no message for promise_broken, promise_reminder, transition in {chain}: "
        f"rendering them for {reader!r} readers fails"
        for chain, reader in (("en -> es", "en"), ("es -> en", "es"))
    ]
    assert found[2].message == "'es' readers get follow_up (email) in 'en'"


def test_a_fallback_and_a_channel_stand_in_are_named() -> None:
    (finding,) = check_protocol(loads_protocol(BASE + CASES["SK110"]))
    # es readers get the English promise messages, and the any-channel Spanish follow-up
    # where English has an SMS one.
    assert finding.message == (
        "'es' readers get follow_up (sms) by the any-channel 'es' message, "
        "promise_broken in 'en', promise_reminder in 'en', transition in 'en'"
    )


def test_languages_customers_read_are_checked_too() -> None:
    protocol = load_protocol(ready_made_path("reactive"))
    assert check_protocol(protocol, ["es-CO", "en-GB"]) == ()  # regions read their language
    (finding,) = check_protocol(protocol, ["pt-BR"])
    assert finding.code == "SK110"
    assert finding.message.startswith("'pt-BR' readers get ")


def test_a_protocol_without_messages_is_not_asked_for_them() -> None:
    protocol = loads_protocol(BASE + CASES["SK104"])
    assert [f.code for f in check_protocol(protocol)] == ["SK104"]
    assert [f.code for f in check_protocol(protocol, ["es"])] == ["SK104", "SK109"]
