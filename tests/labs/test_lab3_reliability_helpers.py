"""tpmcourse.labs.lab3_reliability_helpers: percentiles, SLO arithmetic, DORA metrics and bands,
checked on small hand-made inputs, and the generators' (tpmcourse.datasets.lab3_reliability)
realism and consistency."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from tpmcourse.checks import row_of
from tpmcourse.datasets.lab3_reliability import (
    JUNE_INCIDENT,
    QUARTER_DAYS,
    QUARTER_START,
    WINDOW_DAYS,
    WINDOW_START,
    make_delivery_history,
    make_latency_log,
)
from tpmcourse.labs import lab3_reliability_helpers


def tiny_log() -> pd.DataFrame:
    # 10 requests: latencies 10..100 ms; two 5xx, one 4xx; one at exactly 300 ms added below
    return pd.DataFrame({
        "timestamp": [f"2025-06-01 00:00:{s:02d}" for s in range(10)],
        "endpoint": ["A"] * 6 + ["B"] * 4,
        "status": [200, 200, 500, 200, 404, 200, 503, 200, 200, 200],
        "latency_ms": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    })


def test_percentiles_use_linear_interpolation():
    p = lab3_reliability_helpers.latency_percentiles(pd.Series([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]))
    assert list(p.index) == ["p50", "p95", "p99"]
    assert p["p50"] == 55.0          # halfway between 50 and 60
    assert p["p95"] == pytest.approx(95.5)  # 90 + 0.55 * 10
    assert p["p99"] == pytest.approx(99.1)


def test_percentiles_reject_empty():
    with pytest.raises(TypeError):
        lab3_reliability_helpers.latency_percentiles(pd.Series(dtype=float))


def test_endpoint_latency_sorted_by_p99():
    table = lab3_reliability_helpers.endpoint_latency(tiny_log())
    assert list(table.columns) == ["endpoint", "requests", "p50", "p95", "p99"]
    assert list(table["endpoint"]) == ["B", "A"]
    assert list(table["requests"]) == [4, 6]
    assert table.loc[1, "p50"] == 35.0


def test_share_under_is_strict():
    log = pd.concat([tiny_log(), pd.DataFrame({"latency_ms": [300, 301]})], ignore_index=True)
    assert lab3_reliability_helpers.share_under(log, 300) == pytest.approx(10 / 12)


def test_availability_counts_only_5xx():
    assert lab3_reliability_helpers.availability(tiny_log()) == pytest.approx(0.8)
    assert list(lab3_reliability_helpers.is_server_error(pd.Series([499, 500, 599, 600]))) == [False, True, True, False]


def test_error_budget_requests():
    assert lab3_reliability_helpers.error_budget_requests(60_000_000) == pytest.approx(30_000)  # the chapter's example
    assert lab3_reliability_helpers.error_budget_requests(36_000) == pytest.approx(18)


def test_incident_burn_by_hand():
    log = tiny_log()
    burn = lab3_reliability_helpers.incident_burn(log, "2025-06-01 00:00:02", "2025-06-01 00:00:07", slo=0.9)
    # window: seconds 2..6 -> statuses 500, 200, 404, 200, 503 -> 2 bad of 5
    assert burn["requests"] == 5 and burn["bad_requests"] == 2
    assert burn["error_rate"] == pytest.approx(0.4)
    assert burn["budget_share"] == pytest.approx(2 / 1.0)  # budget = 0.1 * 10 requests
    assert burn["burn_rate"] == pytest.approx(4.0)


def test_incident_burn_empty_window():
    with pytest.raises(ValueError):
        lab3_reliability_helpers.incident_burn(tiny_log(), "2025-07-01", "2025-07-02")


def test_dora_metrics_by_hand():
    deps = pd.DataFrame({
        "service": ["a", "a", "b", "b"],
        "commit_time": ["2025-04-01 00:00", "2025-04-01 00:00", "2025-04-02 00:00", "2025-04-03 00:00"],
        "deploy_time": ["2025-04-01 10:00", "2025-04-02 00:00", "2025-04-02 06:00", "2025-04-04 00:00"],
        "caused_incident": [True, False, False, False],
    })
    incs = pd.DataFrame({"service": ["a", "b", "b"],
                         "start": ["2025-04-01 11:00", "2025-04-05 00:00", "2025-04-06 00:00"],
                         "resolved": ["2025-04-01 12:30", "2025-04-05 02:00", "2025-04-06 04:00"]})
    table = lab3_reliability_helpers.dora_metrics(deps, incs, days=14).set_index("service")
    assert table.loc["a", "deploys_per_week"] == 1.0
    assert table.loc["a", "lead_time_hours"] == 17.0    # median of 10 h and 24 h
    assert table.loc["b", "lead_time_hours"] == 15.0    # median of 6 h and 24 h
    assert table.loc["all", "lead_time_hours"] == 17.0  # median of 6, 10, 24, 24
    assert table.loc["all", "change_failure_rate"] == 0.25
    assert table.loc["b", "restore_hours"] == 3.0
    assert table.loc["all", "restore_hours"] == 2.0


@pytest.mark.parametrize("metric, value, band", [
    ("deploys_per_week", 7, "elite"), ("deploys_per_week", 6.9, "high"), ("deploys_per_week", 1, "high"),
    ("deploys_per_week", 0.5, "medium"), ("deploys_per_week", 0.2, "low"),
    ("lead_time_hours", 23.9, "elite"), ("lead_time_hours", 24, "high"), ("lead_time_hours", 200, "medium"),
    ("lead_time_hours", 720, "low"),
    ("change_failure_rate", 0.15, "elite"), ("change_failure_rate", 0.16, "medium"),
    ("change_failure_rate", 0.45, "medium"), ("change_failure_rate", 0.46, "low"),
    ("restore_hours", 0.5, "elite"), ("restore_hours", 1, "high"), ("restore_hours", 30, "medium"),
    ("restore_hours", 168, "low"),
])
def test_band_thresholds(metric, value, band):
    assert lab3_reliability_helpers.dora_band(metric, value) == band


def test_band_rejects_bad_input():
    bad: list[tuple[str, Any]] = [("nope", 1), ("lead_time_hours", -1), ("lead_time_hours", math.nan),
                                  ("change_failure_rate", 18), ("restore_hours", "2")]  # "2": wrong type on purpose
    for metric, value in bad:
        with pytest.raises((KeyError, ValueError, TypeError)):
            lab3_reliability_helpers.dora_band(metric, value)


def test_team_band_is_the_weakest():
    assert lab3_reliability_helpers.team_band({"a": "elite", "b": "medium", "c": "high"}) == "medium"
    with pytest.raises(ValueError):
        lab3_reliability_helpers.team_band({"a": "great"})


# --------------------------------------------------------------- the generators


@pytest.fixture(scope="module")
def log():
    return make_latency_log()


@pytest.fixture(scope="module")
def history():
    return make_delivery_history()


def test_latency_log_is_deterministic_and_realistic(log):
    assert log.equals(make_latency_log())
    assert len(log) == 36_000
    ts = pd.to_datetime(log["timestamp"])
    assert ts.is_monotonic_increasing and ts.min() >= WINDOW_START
    assert ts.max() < WINDOW_START + pd.Timedelta(days=WINDOW_DAYS)
    # long tail: p99 several times the median, mean above the median
    p = lab3_reliability_helpers.latency_percentiles(log["latency_ms"])
    assert p["p99"] > 4 * p["p50"] and log["latency_ms"].mean() > p["p50"]
    # daily seasonality: afternoon UTC busier than the small hours; weekends quieter
    by_hour = ts.dt.hour.value_counts()
    assert by_hour[15] > 4 * by_hour[3]
    weekday = ts.dt.day_of_week
    assert (weekday < 5).sum() / 5 > 1.4 * (weekday >= 5).sum() / 2


def test_incident_window_spikes_errors_and_latency(log, history):
    _, incidents = history
    june = incidents[(incidents["severity"] == "SEV1") & incidents["start"].str.startswith("2025-06-17")]
    assert len(june) == 1
    june = june.iloc[0]
    assert (pd.Timestamp(june["start"]), pd.Timestamp(june["resolved"])) == (
        JUNE_INCIDENT["start"], JUNE_INCIDENT["resolved"])
    during = lab3_reliability_helpers.window(log, june["start"], june["resolved"])
    outside = log.drop(during.index)
    errors = lab3_reliability_helpers.is_server_error
    assert errors(during["status"]).mean() > 50 * errors(outside["status"]).mean()
    assert during["latency_ms"].median() > 1.5 * outside["latency_ms"].median()


def test_delivery_history_is_consistent(history):
    deps, incs = history
    assert deps["deploy_id"].is_unique and incs["incident_id"].is_unique
    assert (pd.to_datetime(deps["commit_time"]) < pd.to_datetime(deps["deploy_time"])).all()
    assert (pd.to_datetime(incs["start"]) < pd.to_datetime(incs["resolved"])).all()
    linked = incs[incs["linked_deploy"] != ""]
    # every failing deployment has exactly one incident, which starts after it, on the same service
    assert sorted(linked["linked_deploy"]) == sorted(deps.loc[deps["caused_incident"], "deploy_id"])
    merged = linked.merge(deps, left_on="linked_deploy", right_on="deploy_id", suffixes=("", "_d"))
    assert (merged["service"] == merged["service_d"]).all()
    assert (pd.to_datetime(merged["start"]) > pd.to_datetime(merged["deploy_time"])).all()
    deploy_days = pd.to_datetime(deps["deploy_time"])
    assert deploy_days.min() >= QUARTER_START
    assert deploy_days.max() < QUARTER_START + pd.Timedelta(days=QUARTER_DAYS)


def test_delivery_story(history):
    table = lab3_reliability_helpers.dora_metrics(*history).set_index("service")
    # the monolith ships slowly and fails most often; the team is held back by failures
    assert table["lead_time_hours"].idxmax() == "ledger-core"
    assert table.drop("all")["change_failure_rate"].idxmax() == "ledger-core"
    bands = lab3_reliability_helpers.dora_bands(row_of(table, "all"))
    assert bands["change_failure_rate"] == lab3_reliability_helpers.team_band(bands)
