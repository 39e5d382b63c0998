"""Batch evaluation past one machine, on Dask (``pip install 'servicekit[dask]'``).

:func:`evaluate_partition` turns a pandas DataFrame of events (the columns of a
:class:`~servicekit.sources.SourceMapping`) into compliance rows with a stable schema
(:data:`ROW_SCHEMA`); :func:`evaluate_dask` shuffles a Dask DataFrame by ticket and runs it
on every partition; :func:`report_from_rows` adds rows up into the report ``servicekit
replay`` prints. The same partition function runs under Spark's ``applyInPandas``.
"""

from __future__ import annotations

from servicekit.batch._dask import (
    CLUSTER_CONFIG,
    SOURCE_LINE,
    SOURCE_ROW,
    dask_client,
    evaluate_dask,
    evaluate_dask_result,
    source_frame,
)
from servicekit.batch._partition import (
    ROW_SCHEMA,
    PartitionResult,
    empty_rows,
    evaluate_partition,
    evaluate_partition_result,
    report_from_rows,
    rows_to_compliance,
)

__all__ = [
    "CLUSTER_CONFIG",
    "ROW_SCHEMA",
    "SOURCE_LINE",
    "SOURCE_ROW",
    "PartitionResult",
    "dask_client",
    "empty_rows",
    "evaluate_dask",
    "evaluate_dask_result",
    "evaluate_partition",
    "evaluate_partition_result",
    "report_from_rows",
    "rows_to_compliance",
    "source_frame",
]
