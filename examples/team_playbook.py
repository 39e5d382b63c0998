"""Write a team's playbook from its protocol: Markdown for the repository, HTML for the intranet.

The same values that compute the SLA clocks, escalations and follow-ups write
the page the agents read, in English and Spanish, so it cannot drift from what
runs. Pass a directory to keep the files (default: a temporary one).

Run: python examples/team_playbook.py [DIRECTORY]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from servicekit import BusinessCalendar
from servicekit.protocols import playbook, proactive_protocol

desk = BusinessCalendar("America/Bogota", "mon-fri 08:00-18:00")
protocol = proactive_protocol(desk)

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)
for language in ("en", "es"):
    for fmt in ("md", "html"):
        path = out / f"playbook.{language}.{fmt}"
        path.write_text(playbook(protocol, format=fmt, language=language), encoding="utf-8")
        print(f"wrote {path.name} ({len(path.read_text('utf-8').splitlines())} lines)")

spanish = (out / "playbook.es.md").read_text("utf-8")
print(spanish.split("## Quién es responsable")[0])
assert "(hora de Bogotá)" in spanish
