"""Regenerate the small BPI Challenge 2013 extract that ships with servicekit.

The built-in demo (``servicekit demo``) must run on a fresh install without the full log, so the
package carries a small, cited extract: every incident of the BPI Challenge 2013 Volvo IT log whose
first event falls on Thursday 2012-05-03 between 14:00 and 14:40 Central European Summer Time.
Trace and event elements are copied byte for byte; only the log-level statistics are left out.

Source: BPI Challenge 2013, Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee.

Usage: python scripts/make_bpic2013_sample.py [path/to/07_bpic2013_incidents.xes.gz]
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOG = ROOT.parent / "shared" / "data" / "bpic2013" / "07_bpic2013_incidents.xes.gz"
OUTPUT = ROOT / "src" / "servicekit" / "_data" / "bpic2013_sample.xes.gz"
# Timestamps carry their own +02:00 offset, so comparing the text compares local time.
WINDOW = ("2012-05-03T14:00", "2012-05-03T14:40")

TRACE = re.compile(r"\t<trace>.*?</trace>\n", re.S)
TIMESTAMP = re.compile(r'key="time:timestamp" value="([^"]+)"')
# The log-level header up to the last classifier; the per-resource statistics after it are large
# and describe the whole log, not the extract.
HEADER_END = re.compile(r'\t<classifier name="Resource classifier"[^\n]*\n')


def main(argv: list[str]) -> int:
    log = Path(argv[1]) if len(argv) > 1 else DEFAULT_LOG
    text = gzip.decompress(log.read_bytes()).decode("utf-8")
    header_end = HEADER_END.search(text)
    if header_end is None:
        raise SystemExit(f"{log}: no classifier element; is this the BPI Challenge 2013 log?")
    selected = [
        trace
        for trace in TRACE.findall(text)
        if WINDOW[0] <= min(TIMESTAMP.findall(trace)) < WINDOW[1]
    ]
    body = text[: header_end.end()] + "".join(selected) + "</log>\n"
    # mtime=0 keeps the gzip bytes reproducible.
    OUTPUT.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(selected)} incidents written to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
