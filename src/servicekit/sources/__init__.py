"""A team's own ticket history in: CSV, JSON Lines, Parquet, SQL, pandas and XES exports,
read through a mapping into tickets, streamed, strictly or leniently.

>>> from servicekit.sources import SourceMapping
>>> mapping = SourceMapping(
...     ticket="number", time="updated", timezone="America/Bogota", status="state",
...     priority="priority", categories={"New": "new", "In Progress": "open", "Resolved": "solved"},
... )
>>> mapping.build_lifecycle().initial
'New'

See the guide "Replay your own history" for mapping files and the command line.
"""

from __future__ import annotations

from servicekit.sources._mapping import (
    READY_LIFECYCLES,
    ROW_KINDS,
    SourceMapping,
    load_mapping,
)
from servicekit.sources._readers import (
    CsvSource,
    DataFrameSource,
    JsonLinesSource,
    ParquetSource,
    RowSource,
    SqlSource,
    XesSource,
    open_source,
)
from servicekit.sources._tickets import (
    ReadStats,
    Rejection,
    SourceScan,
    TicketReader,
    read_tickets,
)

__all__ = [
    "READY_LIFECYCLES",
    "ROW_KINDS",
    "CsvSource",
    "DataFrameSource",
    "JsonLinesSource",
    "ParquetSource",
    "ReadStats",
    "Rejection",
    "RowSource",
    "SourceMapping",
    "SourceScan",
    "SqlSource",
    "TicketReader",
    "XesSource",
    "load_mapping",
    "open_source",
    "read_tickets",
]
