"""The same partition function under PySpark: ``groupBy(ticket).applyInPandas``.

Spark hands the function one ticket's events at a time as a pandas frame; it returns the
ticket's rows in the schema of ``servicekit.batch.ROW_SCHEMA``. Runs when PySpark (and a
Java runtime) is installed; otherwise it says so and stops.

Data: BPI Challenge 2013 incidents (Ward Steeman, Volvo IT Belgium; 4TU.ResearchData,
DOI 10.4121/500573e6-accc-4b0c-9576-aa5468b10cee).

Run: python examples/batch_pyspark.py
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pandas as pd
import pendulum

from servicekit import BusinessCalendar
from servicekit.batch import ROW_SCHEMA, SOURCE_LINE, SOURCE_ROW, evaluate_partition, source_frame
from servicekit.datasets import BPIC2013_MAPPING, bpic2013_lifecycle, bpic2013_sample_path
from servicekit.protocols import reactive_protocol
from servicekit.sources import open_source

ZONE = "Europe/Brussels"
SPARK_TYPES = {"int64": "long", "string": "string", "float64": "double", "bool": "boolean"}
PROTOCOL = reactive_protocol(
    BusinessCalendar(ZONE, "mon-fri 08:00-18:00"), list(BPIC2013_MAPPING.priority_order)
)
NOW = pendulum.datetime(2012, 6, 1, tz=ZONE)
LIFECYCLE = bpic2013_lifecycle()


def rows_of(part: pd.DataFrame) -> pd.DataFrame:
    """One ticket's events in, its rows out (a named function: Spark pickles it)."""
    rows = evaluate_partition(
        part, PROTOCOL, NOW, BPIC2013_MAPPING, lifecycle=LIFECYCLE, position=SOURCE_ROW
    )
    # Spark wants plain object columns for strings.
    return rows.astype({c: object for c, t in ROW_SCHEMA.items() if t == "string"})


def main() -> None:
    if importlib.util.find_spec("pyspark") is None:
        print("PySpark is not installed (pip install pyspark); nothing to run")
        return
    from pyspark.sql import SparkSession

    events = source_frame(open_source(bpic2013_sample_path()), npartitions=1).compute()
    events = events.drop(columns=[SOURCE_LINE]).astype(str)
    events[SOURCE_ROW] = events[SOURCE_ROW].astype("int64")
    spark: Any = SparkSession.builder.master("local[2]").appName("servicekit").getOrCreate()
    try:
        schema = ", ".join(f"`{c}` {SPARK_TYPES[t]}" for c, t in ROW_SCHEMA.items())
        frame = spark.createDataFrame(events)
        rows = frame.groupBy(BPIC2013_MAPPING.ticket).applyInPandas(rows_of, schema).toPandas()
    finally:
        spark.stop()
    one = rows_of(events)
    rows = rows.sort_values("row", kind="stable").reset_index(drop=True)
    assert rows[["ticket", "metric", "state"]].equals(one[["ticket", "metric", "state"]])
    print(f"{rows['ticket'].nunique()} tickets, {len(rows)} rows: the same under Spark")


if __name__ == "__main__":
    main()
