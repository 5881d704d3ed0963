"""Reliability and delivery metrics for Lab 3: latency percentiles, SLO
compliance, error-budget burn and the four DORA metrics.

The error-budget arithmetic itself (allowed downtime, burn rate) lives in
:mod:`tpmcourse.metrics`; this module applies it to request logs and adds the
delivery side (deployments and incidents). The lab's logs are generated in
:mod:`tpmcourse.datasets.lab3_reliability`.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tpmcourse.checks import MEMO_WORD
from tpmcourse.datasets.lab3_reliability import QUARTER_DAYS
from tpmcourse.metrics import burn_rate
from tpmcourse.validate import InputError, require_frame, require_number, require_series

#: The payments API's objectives (see course/running-example.md).
AVAILABILITY_SLO = 0.9995
LATENCY_THRESHOLD_MS = 300
LATENCY_TARGET = 0.95  # p95 under 300 ms <=> at least 95% of requests under 300 ms

# ---------------------------------------------------------------- bands (DORA)

#: Performance bands used in the lab, adapted from the 2019 Accelerate State of
#: DevOps report (DORA; Forsgren, Smith, Humble and Frazelle), with its gaps
#: closed so that every value falls in exactly one band. Each metric lists
#: (band, comparison, limit) from best to worst; the first band whose test the
#: value meets wins, and a value that meets none is "low".
BANDS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "deploys_per_week": (("elite", ">=", 7), ("high", ">=", 1), ("medium", ">=", 12 / 52)),
    "lead_time_hours": (("elite", "<", 24), ("high", "<", 168), ("medium", "<", 720)),
    "change_failure_rate": (("elite", "<=", 0.15), ("medium", "<=", 0.45)),
    "restore_hours": (("elite", "<", 1), ("high", "<", 24), ("medium", "<", 168)),
}
BAND_ORDER = ("elite", "high", "medium", "low")
DORA_COLUMNS = ("deploys_per_week", "lead_time_hours", "change_failure_rate", "restore_hours")
_COMPARE = {">=": operator.ge, "<": operator.lt, "<=": operator.le}


def dora_band(metric: str, value: float) -> str:
    """The performance band (elite, high, medium, low) of one DORA metric value."""
    if metric not in BANDS:
        raise KeyError(f"unknown DORA metric {metric!r}; use one of {', '.join(BANDS)}.")
    share = metric == "change_failure_rate"  # a fraction of deployments, so at most 1
    v = require_number(value, metric, minimum=0, maximum=1 if share else None)
    return next((band for band, compare, limit in BANDS[metric] if _COMPARE[compare](v, limit)), "low")


def dora_bands(values: Mapping[str, float] | pd.Series) -> dict[str, str]:
    """The band of each of the four DORA metrics, e.g. from a row of :func:`dora_metrics`."""
    return {metric: dora_band(metric, values[metric]) for metric in DORA_COLUMNS}


def team_band(bands: Mapping[str, str]) -> str:
    """A team's overall band under the lab's conservative rule: its weakest metric."""
    if not bands:
        raise InputError("no bands given.")
    unknown = [b for b in bands.values() if b not in BAND_ORDER]
    if unknown:
        raise InputError(f"unknown band(s) {unknown}; use {', '.join(BAND_ORDER)}.")
    return max(bands.values(), key=BAND_ORDER.index)


# ------------------------------------------------------------- latency and SLOs


def latency_percentiles(latency_ms: pd.Series, quantiles=(0.50, 0.95, 0.99)) -> pd.Series:
    """p50/p95/p99 (by default) of a latency column, with pandas' default
    (linear) interpolation, indexed ``p50``, ``p95``, ``p99``."""
    latency_ms = require_series(latency_ms, "latency_ms", numeric=True)
    values = latency_ms.quantile(list(quantiles))
    values.index = [f"p{round(q * 100):g}" for q in quantiles]
    return values.astype(float)


def endpoint_latency(log: pd.DataFrame) -> pd.DataFrame:
    """Requests and p50/p95/p99 latency per endpoint, slowest p99 first."""
    log = require_frame(log, "log", ("endpoint", "latency_ms"))
    grouped = log.groupby("endpoint")["latency_ms"]
    table = grouped.quantile(np.array([0.50, 0.95, 0.99])).unstack()
    table.columns = ["p50", "p95", "p99"]
    table.insert(0, "requests", grouped.size())
    return table.sort_values("p99", ascending=False).reset_index()


def share_under(log: pd.DataFrame, threshold_ms: float = LATENCY_THRESHOLD_MS) -> float:
    """Share of requests answered in strictly less than ``threshold_ms``."""
    log = require_frame(log, "log", ("latency_ms",))
    return float((log["latency_ms"] < threshold_ms).mean())


def is_server_error(status: pd.Series) -> pd.Series:
    """5xx responses: the server's fault. 4xx (declined card, bad request) are not."""
    return (status >= 500) & (status <= 599)


def availability(log: pd.DataFrame) -> float:
    """Share of requests not answered with a 5xx status."""
    log = require_frame(log, "log", ("status",))
    return float(1 - is_server_error(log["status"]).mean())


def error_budget_requests(n_requests: int, slo: float = AVAILABILITY_SLO) -> float:
    """Failed requests an availability SLO allows among ``n_requests``."""
    return round((1 - slo) * n_requests, 6)


def window(log: pd.DataFrame, start, end) -> pd.DataFrame:
    """Requests with ``start <= timestamp < end``."""
    log = require_frame(log, "log", ("timestamp",))
    ts = pd.to_datetime(log["timestamp"])
    return log[(ts >= pd.Timestamp(start)) & (ts < pd.Timestamp(end))]


def incident_burn(log: pd.DataFrame, start, end, slo: float = AVAILABILITY_SLO) -> dict[str, float]:
    """How much of the window's error budget an incident spent, and how fast.

    ``budget_share`` is the incident's 5xx responses divided by the budget of
    the whole log (the 30-day window); ``burn_rate`` is the incident's error
    rate divided by the allowed error rate (1 - SLO)."""
    log = require_frame(log, "log", ("timestamp", "status"))
    during = window(log, start, end)
    if during.empty:
        raise InputError("no requests between start and end.")
    bad = int(is_server_error(during["status"]).sum())
    budget = error_budget_requests(len(log), slo)
    return {
        "requests": len(during),
        "bad_requests": bad,
        "error_rate": bad / len(during),
        "budget_share": bad / budget,
        "burn_rate": burn_rate(bad / len(during), slo),
    }


# ------------------------------------------------------------------ DORA metrics


def dora_metrics(deployments: pd.DataFrame, incidents: pd.DataFrame,
                 days: float = QUARTER_DAYS) -> pd.DataFrame:
    """The four DORA metrics per service and for all services together (row
    ``all``): deployments per week, median lead time (commit to deploy) in
    hours, change failure rate (share of deployments that caused an incident)
    and median time to restore (incident start to resolved) in hours."""
    deployments = require_frame(deployments, "deployments",
                                ("service", "commit_time", "deploy_time", "caused_incident"), allow_empty=True)
    incidents = require_frame(incidents, "incidents", ("service", "start", "resolved"), allow_empty=True)
    days = require_number(days, "days", above=0)
    deps = deployments.assign(
        lead_h=(pd.to_datetime(deployments["deploy_time"]) - pd.to_datetime(deployments["commit_time"]))
        .dt.total_seconds() / 3600)
    incs = incidents.assign(
        restore_h=(pd.to_datetime(incidents["resolved"]) - pd.to_datetime(incidents["start"]))
        .dt.total_seconds() / 3600)
    rows = []
    services = sorted(set(deps["service"]) | set(incs["service"]))
    for service in [*services, "all"]:
        d = deps if service == "all" else deps[deps["service"] == service]
        i = incs if service == "all" else incs[incs["service"] == service]
        rows.append({
            "service": service,
            "deployments": len(d),
            "deploys_per_week": len(d) / (days / 7),
            "lead_time_hours": float(d["lead_h"].median()) if len(d) else float("nan"),
            "change_failure_rate": float(d["caused_incident"].astype(bool).mean()) if len(d) else float("nan"),
            "restore_hours": float(i["restore_h"].median()) if len(i) else float("nan"),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the memo (Task 9)

def memo_word_count(text: str) -> int:
    """Words in a memo, counted as the Task 9 check counts them: runs of
    letters (with apostrophes and hyphens); numbers such as "99.925%" are
    figures, not words. The notebook prints this count and the check reports
    it, so the two always agree."""
    if not isinstance(text, str):
        raise InputError(f"a memo should be a string, not {type(text).__name__}")
    return len(MEMO_WORD.findall(text))
