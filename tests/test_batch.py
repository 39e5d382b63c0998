"""Batch evaluation: the partition function, pickling, and a real Dask cluster against one
process."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cloudpickle
import dask
import dask.dataframe as dd
import distributed
import pandas as pd
import pendulum
import pytest
from distributed import Client

from servicekit import BusinessCalendar
from servicekit.batch import (
    CLUSTER_CONFIG,
    ROW_SCHEMA,
    SOURCE_LINE,
    SOURCE_ROW,
    PartitionResult,
    dask_client,
    empty_rows,
    evaluate_dask,
    evaluate_dask_result,
    evaluate_partition,
    evaluate_partition_result,
    report_from_rows,
    rows_to_compliance,
    source_frame,
)
from servicekit.batch._partition import _fixed_utc
from servicekit.cli._replay import build_report
from servicekit.datasets import BPIC2013_MAPPING, bpic2013_lifecycle, bpic2013_sample_path
from servicekit.errors import ServiceKitError, SourceRowError
from servicekit.protocols import (
    ServiceProtocol,
    crisis_protocol,
    reactive_protocol,
    unmeasurable_metrics,
)
from servicekit.sources import SourceMapping, open_source, read_tickets

MAPPING = BPIC2013_MAPPING
LIFECYCLE = bpic2013_lifecycle()
assert MAPPING.timezone is not None
CALENDAR = BusinessCalendar(MAPPING.timezone, "mon-fri 08:00-18:00")
PRIORITIES = list(MAPPING.priority_order)
PROTOCOL = reactive_protocol(CALENDAR, PRIORITIES)


def frame_of(path: Path | str) -> pd.DataFrame:
    """The log's rows as a pandas frame, in file order, with their line numbers."""
    return source_frame(open_source(path), npartitions=1).compute()


def single_process(path: Path | str, protocol: ServiceProtocol) -> tuple[Any, list[Any]]:
    """The rows and report ``servicekit replay`` computes in one process."""
    reader = read_tickets(open_source(path), MAPPING, lifecycle=LIFECYCLE)
    now = reader.scan().last_at
    assert now is not None
    rows: list[Any] = []
    report, _ = build_report(
        reader,
        protocol,
        now,
        priorities=PRIORITIES,
        on_ticket=lambda _ticket, ticket_rows: rows.extend(r.as_dict() for r in ticket_rows),
    )
    return now, [rows, report, reader]


def test_partition_rows_are_the_single_process_rows() -> None:
    now, (rows, _, _) = single_process(bpic2013_sample_path(), PROTOCOL)
    frame = evaluate_partition(
        frame_of(bpic2013_sample_path()), PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE
    )
    assert [r.as_dict() for r in rows_to_compliance(frame)] == rows
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in ROW_SCHEMA.items()
    }
    assert list(frame.columns) == list(ROW_SCHEMA)
    assert frame["row"].is_monotonic_increasing


def test_rows_do_not_depend_on_the_order_of_tickets_in_a_partition() -> None:
    events = frame_of(bpic2013_sample_path())
    now = pendulum.datetime(2012, 6, 1, tz="UTC")
    straight = evaluate_partition(
        events, PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE, position=SOURCE_ROW
    )
    shuffled = events.sample(frac=1.0, random_state=3)
    assert evaluate_partition(
        shuffled, PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE, position=SOURCE_ROW
    ).equals(straight)


def test_an_empty_partition_gives_typed_empty_rows() -> None:
    events = frame_of(bpic2013_sample_path()).iloc[:0]
    rows = evaluate_partition(
        events, PROTOCOL, pendulum.datetime(2012, 6, 1, tz="UTC"), MAPPING, lifecycle=LIFECYCLE
    )
    assert rows.empty
    assert rows.dtypes.equals(empty_rows().dtypes)


def test_tickets_opened_after_now_are_left_out_and_counted() -> None:
    events = frame_of(bpic2013_sample_path())
    early = pendulum.datetime(2012, 5, 1, tz="UTC")
    result = evaluate_partition_result(events, PROTOCOL, early, MAPPING, lifecycle=LIFECYCLE)
    assert result.after_now > 0
    assert result.rows["ticket"].nunique() + result.after_now == result.stats.tickets_accepted


def test_a_lenient_read_reports_rejections_at_input_positions() -> None:
    events = frame_of(bpic2013_sample_path())
    broken = events.copy()
    broken["time:timestamp"] = broken["time:timestamp"].astype(object)
    victim = broken.index[10]
    broken.loc[victim, "time:timestamp"] = "not a time"
    now = pendulum.datetime(2012, 6, 1, tz="UTC")
    result = evaluate_partition_result(
        broken,
        PROTOCOL,
        now,
        MAPPING,
        lifecycle=LIFECYCLE,
        lenient=True,
        position=SOURCE_ROW,
        line=SOURCE_LINE,
    )
    assert [r.line for r in result.rejections] == [int(broken.loc[victim, SOURCE_LINE])]
    with pytest.raises(SourceRowError):
        evaluate_partition(broken, PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE)


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps], ids=["pickle", "cloudpickle"])
@pytest.mark.parametrize(
    "protocol", [PROTOCOL, crisis_protocol("Europe/Brussels")], ids=["reactive", "crisis"]
)
def test_what_travels_to_workers_pickles(dumps: Any, protocol: ServiceProtocol) -> None:
    for value in (protocol, MAPPING, LIFECYCLE, CALENDAR):
        assert pickle.loads(dumps(value)) == value
    events = frame_of(bpic2013_sample_path())
    now = pendulum.datetime(2012, 6, 1, tz="UTC")
    result = evaluate_partition_result(events, protocol, now, MAPPING, lifecycle=LIFECYCLE)
    back = pickle.loads(dumps(result))
    assert isinstance(back, PartitionResult)
    assert back.rows.equals(result.rows)
    again = pickle.loads(dumps((protocol, MAPPING, LIFECYCLE)))
    assert evaluate_partition(events, *again[:1], now, again[1], lifecycle=again[2]).equals(
        result.rows
    )


def split_tickets(events: pd.DataFrame, npartitions: int) -> Any:
    """A Dask frame whose partitions cut through tickets (the file order, chunked)."""
    frame = dd.from_pandas(
        events.drop(columns=[SOURCE_LINE, SOURCE_ROW]), npartitions=npartitions, sort=False
    )
    parts = frame.map_partitions(lambda p: p[MAPPING.ticket].drop_duplicates()).compute()
    assert parts.duplicated().any(), "no ticket is split over partitions; the test proves nothing"
    return frame


def test_dask_rows_and_report_equal_one_process_on_the_extract(client: Client) -> None:
    now, (rows, report, reader) = single_process(bpic2013_sample_path(), PROTOCOL)
    events = split_tickets(frame_of(bpic2013_sample_path()), 7)
    lazy = evaluate_dask(events, PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE)
    assert list(lazy.columns) == list(ROW_SCHEMA)
    computed = lazy.compute().sort_values("row", kind="stable").reset_index(drop=True)
    assert [r.as_dict() for r in rows_to_compliance(computed)] == rows
    single = evaluate_partition(
        frame_of(bpic2013_sample_path()).drop(columns=[SOURCE_LINE, SOURCE_ROW]),
        PROTOCOL,
        now,
        MAPPING,
        lifecycle=LIFECYCLE,
    )
    pd.testing.assert_frame_equal(computed, single)
    unmeasurable = unmeasurable_metrics(PROTOCOL, reader.event_kinds)
    assert report_from_rows(lazy, unmeasurable=unmeasurable, priorities=PRIORITIES) == report


def test_dask_result_adds_up_what_the_reads_saw(client: Client) -> None:
    now, (rows, report, reader) = single_process(bpic2013_sample_path(), PROTOCOL)
    events = source_frame(open_source(bpic2013_sample_path()), npartitions=5)
    result = evaluate_dask_result(
        events, PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE, position=SOURCE_ROW
    )
    assert result.stats == reader.stats
    assert dict(result.event_kinds) == dict(reader.event_kinds)
    assert result.after_now == 0
    assert [r.as_dict() for r in rows_to_compliance(result.rows)] == rows
    unmeasurable = unmeasurable_metrics(PROTOCOL, result.event_kinds)
    assert report_from_rows(result.rows, unmeasurable=unmeasurable, priorities=PRIORITIES) == report


# The whole log goes into the graph from this process; real jobs read it with Dask.
@pytest.mark.filterwarnings("ignore:Sending large graph:UserWarning")
def test_the_full_bpi_2013_log_on_dask_equals_one_process(
    client: Client, bpic2013_path: Path
) -> None:
    events = frame_of(bpic2013_path)
    now = pendulum.datetime(2012, 6, 1, tz="Europe/Brussels")
    # The SLA policy alone: the rows are the point here, not the cost of the chains.
    sla_only = ServiceProtocol(name="sla-only", lifecycle=LIFECYCLE, sla=PROTOCOL.sla)
    single = evaluate_partition(
        events, sla_only, now, MAPPING, lifecycle=LIFECYCLE, position=SOURCE_ROW
    )
    assert single["ticket"].nunique() > 7000
    split = split_tickets(events, 8)
    computed = evaluate_dask(split, sla_only, now, MAPPING, lifecycle=LIFECYCLE).compute()
    pd.testing.assert_frame_equal(
        computed.sort_values("row", kind="stable").reset_index(drop=True), single
    )


def test_a_missing_ticket_column_is_refused(client: Client) -> None:
    events = dd.from_pandas(pd.DataFrame({"x": [1, 2]}), npartitions=1)
    with pytest.raises(ServiceKitError, match="no column 'case:concept:name'"):
        evaluate_dask(events, PROTOCOL, pendulum.datetime(2012, 6, 1, tz="UTC"), MAPPING)


def test_dask_client_needs_an_address_or_workers() -> None:
    with pytest.raises(ServiceKitError, match="either"), dask_client():
        pass
    with pytest.raises(ServiceKitError, match="at least 1"), dask_client(workers=0):
        pass
    with (
        pytest.raises(ServiceKitError, match="no Dask scheduler answers"),
        dask_client("tcp://127.0.0.1:9", timeout=0.5),
    ):
        pass
    with (
        pytest.raises(ServiceKitError, match="positive number of seconds, got -1"),
        dask_client("tcp://127.0.0.1:9", timeout=-1),
    ):
        pass


def test_the_mapping_attributes_used_here_exist() -> None:
    # The tests lean on the shipped mapping's ticket column and priority order.
    assert isinstance(MAPPING, SourceMapping)
    assert MAPPING.ticket in frame_of(bpic2013_sample_path()).columns
    assert attrs.has(type(MAPPING))


def _worker_state(dask_worker: Any) -> tuple[object, ...]:
    return (
        *(dask.config.get(k) for k in CLUSTER_CONFIG),
        len(dask_worker.profile_history),
        dask_worker.periodic_callbacks["tick"].callback_time,
    )


def test_a_local_cluster_runs_its_processes_with_the_cluster_config(client: Client) -> None:
    events = source_frame(open_source(bpic2013_sample_path()), npartitions=3)
    now = pendulum.datetime(2012, 6, 1, tz="UTC")
    evaluate_dask(events, PROTOCOL, now, MAPPING, lifecycle=LIFECYCLE).compute()
    # The profiler off: no call trees kept (they grew a worker's memory with the job's length).
    expected = (*CLUSTER_CONFIG.values(), 0, 1000)
    assert set(client.run(_worker_state).values()) == {expected}
    assert client.run_on_scheduler(_scheduler_tick) == 1000
    # Only the cluster's processes: this process's configuration is left as it was.
    assert dask.config.get("distributed.worker.profile.enabled") is True
    assert dask.config.get("distributed.admin.tick.interval") == "20ms"


def _scheduler_tick(dask_scheduler: Any) -> object:
    return dask_scheduler.periodic_callbacks["tick"].callback_time


def _utc_events() -> pd.DataFrame:
    at = pd.to_datetime(
        ["2025-03-03T08:00Z", "2025-03-03T16:30Z", "2025-03-31T23:30Z", "2025-04-02T10:00Z"]
    )
    return pd.DataFrame(
        {
            "id": ["A", "A", "B", "B"],
            "at": at,
            "status": ["new", "solved", "new", "solved"],
            "priority": ["Major", "Major", "Low", "Low"],
        }
    )


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "Zulu"])
def test_a_time_column_in_a_zone_named_utc_gives_the_same_rows(zone: str) -> None:
    # Parquet stores UTC by name: read back, the column holds ZoneInfo("UTC"), which the
    # partition function reads as datetime.UTC (the reader's fast path), same instants.
    mapping = SourceMapping(
        ticket="id", time="at", status="status", priority="priority", lifecycle="helpdesk"
    )
    now = pendulum.datetime(2025, 5, 1, tz="UTC")
    plain = _utc_events()
    named = plain.assign(at=plain["at"].dt.tz_convert(ZoneInfo(zone)))
    fixed = _fixed_utc(named, "at")
    assert fixed["at"].dtype.tz is datetime.UTC
    assert fixed["at"].equals(plain["at"])
    assert named["at"].dtype.tz == ZoneInfo(zone), "the caller's frame is left as it was"
    assert evaluate_partition(named, PROTOCOL, now, mapping).equals(
        evaluate_partition(plain, PROTOCOL, now, mapping)
    )


def test_other_time_columns_are_read_as_they_are() -> None:
    plain = _utc_events()
    madrid = plain.assign(at=plain["at"].dt.tz_convert(ZoneInfo("Europe/Madrid")))
    assert _fixed_utc(madrid, "at") is madrid
    assert _fixed_utc(plain, "at") is plain
    text = plain.assign(at=plain["at"].astype(str))
    assert _fixed_utc(text, "at") is text
    assert _fixed_utc(plain, "no such column") is plain


def test_dask_result_without_a_distributed_client_is_the_same(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a client, each partition's result is fetched as it is done; without one, Dask's
    # local scheduler computes them all: the same result either way.
    events = source_frame(open_source(bpic2013_sample_path()), npartitions=4)
    now = pendulum.datetime(2012, 6, 1, tz="UTC")
    kwargs: dict[str, Any] = {"lifecycle": LIFECYCLE, "position": SOURCE_ROW, "line": SOURCE_LINE}
    streamed = evaluate_dask_result(events, PROTOCOL, now, MAPPING, **kwargs)

    def no_client() -> Client:
        raise ValueError("No clients found")

    monkeypatch.setattr(distributed, "default_client", no_client)
    with dask.config.set(scheduler="synchronous"):
        local = evaluate_dask_result(events, PROTOCOL, now, MAPPING, **kwargs)
    assert streamed.rows.equals(local.rows)
    assert (streamed.stats, streamed.event_kinds, streamed.after_now) == (
        local.stats,
        local.event_kinds,
        local.after_now,
    )
