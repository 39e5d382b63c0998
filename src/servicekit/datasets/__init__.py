"""Real ticket histories: a streaming XES (IEEE 1849) reader and the BPI Challenge 2013 log.

The BPI Challenge 2013 incident log (Ward Steeman, Volvo IT Belgium;
4TU.ResearchData, DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee) is the
real history servicekit's tests, docs and benchmarks replay. servicekit ships
a 90-incident extract (:func:`bpic2013_sample_path`); download the full log
from 4TU.ResearchData to replay all 7,554 incidents.
"""

from __future__ import annotations

from servicekit.datasets._bpic2013 import (
    BPIC2013_MAPPING,
    BPIC2013_ZONE,
    bpic2013_history,
    bpic2013_lifecycle,
    bpic2013_sample_path,
    bpic2013_tickets,
)
from servicekit.sources._xes import (
    MAX_TOKEN_BYTES,
    XesInstant,
    XesRawTrace,
    XesRawValue,
    XesTrace,
    XesValue,
    read_xes,
    read_xes_raw,
)

__all__ = [
    "BPIC2013_MAPPING",
    "BPIC2013_ZONE",
    "MAX_TOKEN_BYTES",
    "XesInstant",
    "XesRawTrace",
    "XesRawValue",
    "XesTrace",
    "XesValue",
    "bpic2013_history",
    "bpic2013_lifecycle",
    "bpic2013_sample_path",
    "bpic2013_tickets",
    "read_xes",
    "read_xes_raw",
]
