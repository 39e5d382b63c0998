"""``servicekit replay --dask/--workers``: the same report from a cluster."""

from __future__ import annotations

import json

import pytest
from distributed import Client

from servicekit.cli import main


def test_replay_on_a_dask_cluster_prints_the_same_report(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = []
    for extra in ([], ["--dask", client.scheduler.address, "--partitions", "5"]):
        assert main(["replay", "--format", "json", "--quiet", *extra]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0] == reports[1]
    assert reports[0]["tickets"] == 90


def test_replay_refuses_bad_cluster_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--quiet", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert main(["replay", "--quiet", "--workers", "1", "--partitions", "0"]) == 2
    assert "--partitions must be at least 1" in capsys.readouterr().err
