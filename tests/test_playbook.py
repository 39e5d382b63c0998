"""The playbook: the protocol as a page the team reads, generated from the values that run."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import attrs
import html5lib
import pytest
from conftest import _run_servicekit as _run

from servicekit import BusinessCalendar, helpdesk_lifecycle
from servicekit.cli import main
from servicekit.errors import InvalidLocaleError, NaiveDatetimeError, PlaybookError
from servicekit.protocols import (
    ServiceProtocol,
    TemplateSet,
    crisis_protocol,
    daily_requests_protocol,
    loads_protocol,
    playbook,
    pqrs_request_types,
    proactive_protocol,
    reactive_protocol,
)
from servicekit.sla import SlaPolicy, SlaTarget

H = dt.timedelta(hours=1)
DESK = BusinessCalendar("Europe/Madrid", "mon-fri 09:00-17:00")
READY = {
    "reactive": reactive_protocol(DESK),
    "proactive": proactive_protocol(DESK),
    "daily-requests": daily_requests_protocol(DESK),
    "crisis": crisis_protocol("America/Bogota"),
}


def _valid_html(text: str) -> None:
    # A strict HTML5 parser raises on any parse error (bad nesting, stray tags, bad entities).
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


@pytest.mark.parametrize("name", sorted(READY))
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_ready_made_protocol_has_a_valid_self_contained_page(
    name: str, language: str
) -> None:
    page = playbook(READY[name], format="html", language=language)
    _valid_html(page)
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in page
    # One file: nothing fetched from anywhere.
    for needle in ("<script", "<link", "src=", "http://", "https://", "@import", "url(http"):
        assert needle not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert page.count("<svg") >= 2 + len(READY[name].escalations)  # marker, lifecycle, chains
    assert page.count('class="message ') >= 4


@pytest.mark.parametrize("name", sorted(READY))
def test_markdown_playbook_sections(name: str) -> None:
    text = playbook(READY[name], language="en")
    for heading in (
        "# Service playbook: " + name,
        "## At a glance",
        "## What the customer is promised",
        "## Who owns the ticket, and when it moves up",
        "## When it goes wrong: management and crisis rules",
        "## Keeping the customer informed",
        "## How a ticket closes",
        "## Statuses and moves",
        "## What the customer (and the team) will read",
    ):
        assert heading in text
    assert "```mermaid\nstateDiagram-v2" in text
    assert "None" not in text


def test_the_reactive_playbook_says_what_runs() -> None:
    text = playbook(READY["reactive"], language="en")
    assert "| P1 | 1 hour | 2 hours | 8 hours |" in text
    # The functional chain starts on a manual escalation or at half the resolution target.
    assert "starts when someone escalates the ticket or when 50% of the resolution" in text
    assert "at 90% of the resolution target (P1: 7 hours and 12 minutes;" in text
    assert "tier L2 takes the ticket" in text
    assert "Channels, attempt by attempt: email → call (the last repeats). At most 3" in text
    assert "Customers are contacted only 08:00–21:00 their own time, every day" in text
    assert "**close**: from solved to closed automatically 4 days after entering it." in text
    assert "> **We have your request T-1042**" not in text  # reactive makes no first contact
    assert "> **Update on your request T-1042**" in text


def test_the_spanish_playbook_reads_in_spanish() -> None:
    text = playbook(READY["crisis"], language="es")
    assert text.startswith("# Protocolo de servicio: crisis")
    assert "las 24 horas, todos los días (America/Bogota)" in text
    assert "Después vuelve a empezar desde el paso 2 hasta que se detenga." in text
    assert "(hora de Bogotá)" in text
    assert "> Hola, Ana:" in text


def test_it_cannot_drift_from_the_protocol() -> None:
    protocol = READY["reactive"]
    assert protocol.sla is not None
    faster = attrs.evolve(
        protocol,
        sla=SlaPolicy(
            "faster",
            [attrs.evolve(t, target=t.target / 2) for t in protocol.sla.targets],
        ),
    )
    before, after = playbook(protocol), playbook(faster)
    assert "| P1 | 1 hour | 2 hours | 8 hours |" in before
    assert "| P1 | 30 minutes | 1 hour | 4 hours |" in after
    assert playbook(protocol) == before  # pure: the same protocol, the same page


def test_request_types_each_get_their_promise() -> None:
    types = pqrs_request_types(DESK)
    text = playbook(types)
    assert text.startswith("# Service playbook by request type")
    assert "| complaint | P1 | 1 hour | – | 4 hours |" in text
    for name in types.names:
        assert f"## Request type: {name}" in text
    assert "### What the customer is promised" in text
    _valid_html(playbook(types, format="html", language="es"))


def test_other_languages_fall_back_to_english_and_bad_ones_are_refused() -> None:
    assert playbook(READY["reactive"], language="fr-FR").startswith("# Service playbook")
    assert playbook(READY["reactive"], language="es-CO").startswith("# Protocolo de servicio")
    with pytest.raises(InvalidLocaleError):
        playbook(READY["reactive"], language="??")
    with pytest.raises(PlaybookError, match="'md' or 'html'"):
        playbook(READY["reactive"], format="pdf")  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        playbook(READY["reactive"], example_at=dt.datetime(2026, 3, 3, 10))
    at = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    assert "Monday, June 1, 2026" in playbook(READY["reactive"], example_at=at)


def test_a_bare_python_built_protocol_gets_a_playbook_too() -> None:
    bare = ServiceProtocol(
        name="bare <&> protocol",
        lifecycle=helpdesk_lifecycle(),
        sla=SlaPolicy("one", [SlaTarget(metric="resolution", priority="*", target=3 * H)]),
    )
    text = playbook(bare)
    assert "No escalation: the ticket stays with whoever has it." in text
    assert "No follow-up plan" in text
    assert "This protocol has no message templates." in text
    page = playbook(bare, format="html", language="es")
    _valid_html(page)
    assert "bare &lt;&amp;&gt; protocol" in page


BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)


@pytest.mark.skipif(BROWSER is None, reason="no headless browser installed")
def test_the_page_renders_in_a_headless_browser(tmp_path: Path) -> None:
    assert BROWSER is not None
    page = tmp_path / "playbook.html"
    page.write_text(playbook(READY["proactive"], format="html", language="es"), "utf-8")
    shot = tmp_path / "playbook.png"
    subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 50_000  # a page with text and diagrams, not a blank one


def test_protocol_render_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "render", "daily-requests", "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Protocolo de servicio: daily-requests")
    assert main(["protocol", "render", "pqrs"]) == 0
    assert capsys.readouterr().out.startswith("# Service playbook by request type")
    target = tmp_path / "playbook.html"
    args = ["protocol", "render", "crisis", "--format", "html", "--zone", "America/Bogota"]
    assert main([*args, "--out", str(target)]) == 0
    _valid_html(target.read_text("utf-8"))
    assert "(Bogota Time)" in target.read_text("utf-8")


def test_protocol_render_refusals_are_one_line_and_exit_2() -> None:
    for args in (
        ["protocol", "render", "nope"],
        ["protocol", "render", "reactive", "--lang", "!!"],
        ["protocol", "render", "reactive", "--zone", "Mars/Olympus"],
        ["protocol", "render", "reactive", "--format", "pdf"],
    ):
        done = _run(*args)
        assert done.returncode == 2, args
        assert done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_protocol_with_every_option_reads_out_each_one() -> None:
    text = (Path(__file__).parent / "data" / "every_option_protocol.toml").read_text("utf-8")
    protocol = attrs.evolve(loads_protocol(text), templates=TemplateSet())
    page = playbook(protocol, language="en")
    assert "| P1 | callback | 2 hours | mon-fri 09:00-17:00 (Europe/Madrid) | 80% |" in page
    assert "starts when the priority is raised or when 75% of the first response target" in page
    assert "| 1 | at once | lead and ana (by sms) |  |" in page
    assert "| 2 | 45 minutes of business time later | tier L3 |  |" in page
    assert "Then it goes round again from step 2, 2 more times." in page
    assert "| any other | after 1 hour, then each wait 3× the last (at most 1 day) |" in page
    assert "| any other | every day at 10:00, customer's time |" in page
    assert "**backoff**: After 3 unanswered attempts: **close**" in page
    assert "| solve | open, waiting | solved | needs a reason; reason: fixed, workaround |" in page
    assert "| start | new | open | only agent |" in page
    assert "This protocol has no message templates." in page
    spanish = playbook(protocol, language="es")
    assert "**backoff**: Tras 3 intentos sin respuesta: **close**" in spanish
