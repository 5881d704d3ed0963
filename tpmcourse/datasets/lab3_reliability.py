"""Lab 3's data: a month of sampled Larkspur Pay API requests
(``data/lab_latency.csv``) and a quarter of the Payments Platform's
deployments and incidents (``data/lab_deployments.csv``,
``data/lab_incidents.csv``), consistent with each other: the incidents that
hit the API in June show up in the request log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset, redraw, stream, variant_seed

#: The 30-day window of the latency log and the quarter of the delivery history.
WINDOW_START = pd.Timestamp("2025-06-01")
WINDOW_DAYS = 30
QUARTER_START = pd.Timestamp("2025-04-01")
QUARTER_DAYS = 91  # April to June 2025: 13 weeks

#: The June incident that the latency log shows (also a row of the incidents table).
JUNE_INCIDENT = {
    "start": pd.Timestamp("2025-06-17 12:06"),
    "resolved": pd.Timestamp("2025-06-17 13:51"),
}
JUNE_DEPLOY_TIME = pd.Timestamp("2025-06-17 11:58")

# How an incident shows in the API log, by severity: (5xx rate, latency x from, to).
INCIDENT_EFFECT = {"SEV1": (0.15, 2.5, 5.0), "SEV2": (0.04, 1.3, 2.0), "SEV3": (0.01, 1.0, 1.3)}

SERVICES = ("payments-api", "ledger-core", "risk-scoring")

# endpoint: (share of traffic, median latency ms, sigma of the lognormal body,
#            chance of a slow-tail request, reads the ledger?)
ENDPOINTS: dict[str, tuple[float, float, float, float, bool]] = {
    "GET /v1/payments/{id}": (0.30, 48.0, 0.45, 0.015, False),
    "POST /v1/payments": (0.25, 175.0, 0.35, 0.040, True),
    "GET /v1/invoices": (0.15, 70.0, 0.50, 0.020, False),
    "POST /v1/invoices": (0.12, 120.0, 0.40, 0.030, True),
    "GET /v1/balance": (0.12, 95.0, 0.55, 0.090, True),
    "POST /v1/refunds": (0.06, 160.0, 0.40, 0.040, True),
}


LOG_SIZE = 36_000


def make_latency_log(n: int = LOG_SIZE, seed: int = 3, delivery_seed: int = 11,
                     as_variant: bool = False) -> pd.DataFrame:
    """A sample of about one in 1,700 of the Larkspur Pay API's requests over 30 days of
    June 2025: timestamp, endpoint, status, latency_ms.

    Traffic follows a daily cycle (quiet at night UTC, busiest when the US and
    EU overlap) and is lower at weekends. Latency is lognormal per endpoint,
    a little slower at peak load, with a Pareto-distributed slow tail that is
    heaviest on endpoints that read the ledger. Each payments-api or
    ledger-core incident of the delivery history (``delivery_seed``, see
    :func:`make_delivery_history`) that falls in June shows up as slower
    requests and 5xx errors (ledger-core incidents only on the endpoints that
    read the ledger), most of all the SEV1 of 17 June.

    The draw keeps the lab's story (:func:`latency_tells_the_story`); if the
    requests drawn from ``seed`` do not, they are drawn again from
    ``[seed, 1]``, ``[seed, 2]``... (the committed seed keeps its first draw;
    another size ``n`` is one draw). ``as_variant`` also redraws until the month's 5xx and those of the June
    incident differ in number from the committed log's (the error budget's
    and the incident's answers depend on nothing else)."""
    incidents = make_incidents(delivery_seed)
    if n != LOG_SIZE:  # the story's error budget is the lab's sample's
        return _draw_latency_log(n, stream(seed), incidents)
    committed = _server_errors(make_latency_log()) if as_variant else None
    return redraw(lambda attempt: _draw_latency_log(n, stream(seed, attempt), incidents),
                  lambda log: latency_tells_the_story(log)
                  and (committed is None or _differs(_server_errors(log), committed)),
                  f"request log from seed {seed}")


def _server_errors(log: pd.DataFrame) -> tuple[int, int]:
    """The month's 5xx, and those during the June incident."""
    bad = (log["status"] >= 500) & (log["status"] <= 599)
    start = JUNE_INCIDENT["start"].strftime("%Y-%m-%d %H:%M:%S")
    end = JUNE_INCIDENT["resolved"].strftime("%Y-%m-%d %H:%M:%S")
    during = (log["timestamp"] >= start) & (log["timestamp"] < end)
    return int(bad.sum()), int((bad & during).sum())


def _differs(errors: tuple[int, int], committed: tuple[int, int]) -> bool:
    return all(a != b for a, b in zip(errors, committed, strict=True))


def _draw_latency_log(n: int, rng: np.random.Generator, incidents: pd.DataFrame) -> pd.DataFrame:
    hours = pd.date_range(WINDOW_START, periods=WINDOW_DAYS * 24, freq="h")
    hour = hours.hour.to_numpy()
    daily = 1.0 + 0.75 * np.cos(2 * np.pi * (hour - 15) / 24)  # peak at 15:00 UTC
    weekend = np.where(hours.day_of_week.to_numpy() >= 5, 0.6, 1.0)
    growth = np.linspace(0.97, 1.03, len(hours))  # a little growth over the month
    weight = daily * weekend * growth
    counts = rng.multinomial(n, weight / weight.sum())
    seconds = np.concatenate([rng.integers(0, 3600, c) for c in counts])
    ts = np.repeat(hours.to_numpy(), counts) + pd.to_timedelta(seconds, unit="s").to_numpy()
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    load = np.repeat(weight / weight.mean(), counts)[order]

    names = list(ENDPOINTS)
    shares = np.array([ENDPOINTS[e][0] for e in names])
    idx = rng.choice(len(names), size=n, p=shares / shares.sum())
    median = np.array([ENDPOINTS[e][1] for e in names])[idx]
    sigma = np.array([ENDPOINTS[e][2] for e in names])[idx]
    tail_p = np.array([ENDPOINTS[e][3] for e in names])[idx]
    ledger = np.array([ENDPOINTS[e][4] for e in names])[idx]

    latency = median * np.exp(sigma * rng.standard_normal(n)) * (0.9 + 0.12 * load)
    slow = rng.random(n) < tail_p
    latency[slow] += 250 * (rng.pareto(1.8, slow.sum()) + 0.4)
    latency = np.minimum(latency, 30_000)

    status = np.where(np.isin(idx, [names.index("POST /v1/payments"), names.index("POST /v1/invoices"),
                                    names.index("POST /v1/refunds")]), 201, 200)
    client = rng.random(n) < 0.045
    status[client] = rng.choice([400, 402, 404, 409, 422, 429], client.sum(),
                                p=[0.25, 0.35, 0.15, 0.05, 0.15, 0.05])
    server = rng.random(n) < 0.00018
    status[server] = rng.choice([500, 502, 503], server.sum(), p=[0.5, 0.3, 0.2])

    t = pd.DatetimeIndex(ts)
    for _, inc in incidents.iterrows():
        if inc["service"] not in ("payments-api", "ledger-core"):
            continue  # risk scoring sits behind sign-up, not behind the Pay API
        during = (t >= pd.Timestamp(inc["start"])) & (t < pd.Timestamp(inc["resolved"]))
        if not during.any():
            continue
        rate, low, high = INCIDENT_EFFECT[inc["severity"]]
        hit = during & (ledger if inc["service"] == "ledger-core" else True)
        latency[hit] *= rng.uniform(low, high, hit.sum())
        fail = hit & (rng.random(n) < rate)
        status[fail] = rng.choice([500, 503, 504], fail.sum(), p=[0.3, 0.3, 0.4])
        timed_out = fail & (status == 504)
        latency[timed_out] = rng.uniform(5_000, 10_000, timed_out.sum())

    return pd.DataFrame({
        "timestamp": t.strftime("%Y-%m-%d %H:%M:%S"),
        "endpoint": np.array(names)[idx],
        "status": status.astype(int),
        "latency_ms": np.round(latency).astype(int),
    })


#: The lab's objectives (its task text): 95% of requests under 300 ms, 99.95% without a 5xx.
LATENCY_THRESHOLD_MS, LATENCY_TARGET, AVAILABILITY_TARGET = 300, 0.95, 0.9995


def latency_tells_the_story(log: pd.DataFrame) -> bool:
    """Whether a request log keeps what Lab 3 finds in it: the latency
    objective is missed (p95 above 300 ms), so is the availability objective
    (the month's 5xx overspend the error budget), the two endpoints with
    the worst p99 both read the ledger (where the latency work belongs), and
    the June incident failed some requests (it burned budget)."""
    fast = float((log["latency_ms"] < LATENCY_THRESHOLD_MS).mean())
    available = 1 - float(((log["status"] >= 500) & (log["status"] <= 599)).mean())
    p99 = log.groupby("endpoint")["latency_ms"].quantile(0.99).sort_values(ascending=False)
    slowest_read_ledger = all(ENDPOINTS[e][4] for e in p99.index[:2])
    june_errors = _server_errors(log)[1]
    return fast < LATENCY_TARGET - 0.002 and available < AVAILABILITY_TARGET and slowest_read_ledger and june_errors > 0


def make_delivery_history(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One quarter (April to June 2025) of the Payments Platform's production
    deployments and incidents, consistent with each other: every deployment
    flagged ``caused_incident`` has exactly one incident linking back to it,
    which starts after the deployment; a few incidents have no deployment
    (a card-processor outage, an expired certificate...).

    payments-api deploys several times a week with short lead times;
    risk-scoring about twice a week; ledger-core, the monolith, ships on a
    weekly Thursday release train (plus hotfixes), so its changes wait days
    and its schema migrations fail more often and take longer to restore.

    The draw keeps the lab's story (:func:`delivery_tells_the_story`); if the
    history drawn from ``seed`` does not, it is drawn again from ``[seed, 1]``,
    ``[seed, 2]``... (the committed seed keeps its first draw)."""
    return redraw(lambda attempt: _draw_delivery_history(stream(seed, attempt), stream(seed + 1, attempt)),
                  lambda history: delivery_tells_the_story(*history), f"delivery history from seed {seed}")


def _draw_delivery_history(rng: np.random.Generator,
                           cause_rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One draw of :func:`make_delivery_history`; ``cause_rng`` picks the
    causes' texts, on its own stream so that texts do not shift the numbers."""
    days = pd.date_range(QUARTER_START, periods=QUARTER_DAYS, freq="D")
    workdays = days[days.day_of_week < 5]
    rows = []

    def deploy_time(day: pd.Timestamp) -> pd.Timestamp:
        return day + pd.Timedelta(hours=float(rng.uniform(9, 17.5)))  # office hours, UTC

    # payments-api: about 5 deploys a week, lead time lognormal around 18 h
    for _ in range(66):
        when = deploy_time(pd.Timestamp(rng.choice(workdays)))
        rows.append(("payments-api", when - pd.Timedelta(hours=float(rng.lognormal(np.log(24), 0.8))), when))
    # risk-scoring: about 2 a week, around 30 h
    for _ in range(26):
        when = deploy_time(pd.Timestamp(rng.choice(workdays)))
        rows.append(("risk-scoring", when - pd.Timedelta(hours=float(rng.lognormal(np.log(36), 0.6))), when))
    # ledger-core: a Thursday release train; commits wait for it (1 to 8 days)
    for day in days[days.day_of_week == 3]:
        when = day + pd.Timedelta(hours=float(rng.uniform(10, 12)))
        rows.append(("ledger-core", when - pd.Timedelta(hours=float(rng.uniform(30, 190))), when))
    for _ in range(4):  # hotfixes
        when = deploy_time(pd.Timestamp(rng.choice(workdays)))
        rows.append(("ledger-core", when - pd.Timedelta(hours=float(rng.uniform(2, 8))), when))

    deps = pd.DataFrame(rows, columns=["service", "commit_time", "deploy_time"])
    # keep commits inside the quarter's history and make the order deterministic
    deps = deps.sort_values(["deploy_time", "service"], kind="stable").reset_index(drop=True)
    deps["commit_time"] = deps["commit_time"].dt.floor("min")
    deps["deploy_time"] = deps["deploy_time"].dt.floor("min")
    deps.insert(0, "deploy_id", [f"D-{i + 1:03d}" for i in range(len(deps))])

    # The deployment behind the June SEV1: an out-of-train ledger-core schema
    # migration on Tuesday 17 June, added explicitly.
    june = pd.DataFrame([{"deploy_id": "", "service": "ledger-core",
                          "commit_time": pd.Timestamp("2025-06-12 16:40"),
                          "deploy_time": JUNE_DEPLOY_TIME}])
    deps = pd.concat([deps, june], ignore_index=True)
    deps = deps.sort_values(["deploy_time", "service"], kind="stable").reset_index(drop=True)
    deps["deploy_id"] = [f"D-{i + 1:03d}" for i in range(len(deps))]

    # Which deployments caused an incident: fixed counts per service.
    failing = {"payments-api": 9, "risk-scoring": 3, "ledger-core": 7}
    caused = np.zeros(len(deps), dtype=bool)
    june_idx = deps.index[deps["deploy_time"] == JUNE_DEPLOY_TIME][0]
    caused[june_idx] = True
    for service, k in failing.items():
        pool = deps.index[(deps["service"] == service) & (deps.index != june_idx)
                          & (deps["deploy_time"] < pd.Timestamp("2025-06-28"))]
        chosen = rng.choice(pool, size=k, replace=False)
        caused[chosen] = True
    deps["caused_incident"] = caused

    # Incidents from deployments, plus four with no deployment behind them.
    restore_median = {"payments-api": 0.8, "risk-scoring": 1.5, "ledger-core": 4.0}
    inc = []
    causes = {
        "payments-api": ["webhook signature change rejected by partner plugins",
                         "connection pool sized too small after upgrade", "retry storm after client library upgrade",
                         "feature flag enabled for all merchants at once", "idempotency keys dropped by a refactor",
                         "rate limiter misconfigured"],
        "risk-scoring": ["model version with a missing feature deployed", "scoring timeout lowered too far",
                         "threshold config pushed to the wrong region"],
        "ledger-core": ["schema migration locked a busy table", "slow query plan after an index change",
                        "balance cache invalidation bug", "release train shipped an untested migration",
                        "ORM upgrade changed rounding of amounts"],
    }
    severity_p = {"payments-api": [0.15, 0.45, 0.40], "risk-scoring": [0.0, 0.35, 0.65],
                  "ledger-core": [0.3, 0.5, 0.2]}
    for _, d in deps[deps["caused_incident"]].iterrows():
        if d["deploy_time"] == JUNE_DEPLOY_TIME:
            inc.append((JUNE_INCIDENT["start"], JUNE_INCIDENT["resolved"], "SEV1", d["service"], d["deploy_id"],
                        "schema migration locked the balances table"))
            continue
        start = d["deploy_time"] + pd.Timedelta(minutes=float(rng.uniform(4, 300)))
        hours = float(rng.lognormal(np.log(restore_median[d["service"]]), 0.7))
        sev = rng.choice(["SEV1", "SEV2", "SEV3"], p=severity_p[d["service"]])
        inc.append((start, start + pd.Timedelta(hours=hours), sev, d["service"], d["deploy_id"],
                    str(cause_rng.choice(causes[d["service"]]))))
    for start, hours, sev, service, cause in [
        ("2025-04-09 14:22", 3.1, "SEV1", "payments-api", "card processor outage"),
        ("2025-05-02 08:05", 0.6, "SEV3", "payments-api", "TLS certificate expired on a partner endpoint"),
        ("2025-05-21 19:40", 1.9, "SEV2", "ledger-core", "database failover in US East"),
        ("2025-06-05 03:12", 0.4, "SEV3", "risk-scoring", "feature store lagged behind"),
    ]:
        s = pd.Timestamp(start)
        inc.append((s, s + pd.Timedelta(hours=hours), sev, service, "", cause))
    incidents = pd.DataFrame(inc, columns=["start", "resolved", "severity", "service", "linked_deploy", "cause"])
    incidents["start"] = incidents["start"].dt.floor("min")
    incidents["resolved"] = incidents["resolved"].dt.floor("min")
    incidents = incidents.sort_values("start", kind="stable").reset_index(drop=True)
    ids = [f"INC-2025-{i + 1:03d}" for i in range(len(incidents))]
    incidents.insert(0, "incident_id", ids)

    fmt = "%Y-%m-%d %H:%M"
    deps = deps.assign(commit_time=deps["commit_time"].dt.strftime(fmt),
                       deploy_time=deps["deploy_time"].dt.strftime(fmt))
    incidents = incidents.assign(start=incidents["start"].dt.strftime(fmt),
                                 resolved=incidents["resolved"].dt.strftime(fmt))
    return deps[["deploy_id", "service", "commit_time", "deploy_time", "caused_incident"]], incidents


def delivery_tells_the_story(deployments: pd.DataFrame, incidents: pd.DataFrame) -> bool:
    """Whether a delivery history keeps what Lab 3 finds in it: the team sits
    in the same DORA bands as in the committed data (its median lead time
    between a day and a week, its median time to restore between an hour and
    a day; its deployment frequency and change failure rate are fixed by
    construction), and ledger-core has both the longest lead time and the
    highest change failure rate of the three services."""
    def hours(end: pd.Series, begin: pd.Series) -> pd.Series:
        return (pd.to_datetime(end) - pd.to_datetime(begin)).dt.total_seconds() / 3600

    lead = hours(deployments["deploy_time"], deployments["commit_time"])
    restore = hours(incidents["resolved"], incidents["start"])
    by_service = deployments.assign(lead=lead).groupby("service").agg(
        lead=("lead", "median"), failure=("caused_incident", "mean"))
    ledger_worst = (by_service.idxmax() == "ledger-core").all()
    return 24 <= lead.median() < 168 and 1 <= restore.median() < 24 and bool(ledger_worst)


def make_deployments(seed: int = 11) -> pd.DataFrame:
    """The deployments half of :func:`make_delivery_history` (each half is its own file)."""
    return make_delivery_history(seed)[0]


def make_incidents(seed: int = 11) -> pd.DataFrame:
    """The incidents half of :func:`make_delivery_history`."""
    return make_delivery_history(seed)[1]


def _delivery_variant(seed: int) -> dict[str, int]:
    """Both halves of a variant's delivery history come from one seed."""
    return {"seed": variant_seed(seed, "lab3 delivery history")}


def _latency_variant(seed: int) -> dict[str, int]:
    """A variant's request log shows the same variant's incidents."""
    return {"seed": variant_seed(seed, "lab_latency.csv"), "delivery_seed": _delivery_variant(seed)["seed"],
            "as_variant": True}


LATENCY = Dataset("lab_latency.csv", make_latency_log, "sampled Larkspur Pay API requests, June 2025 (lab 3)",
                  variant=_latency_variant)
DEPLOYMENTS = Dataset("lab_deployments.csv", make_deployments,
                      "Payments Platform production deployments, April to June 2025 (lab 3)",
                      variant=_delivery_variant)
INCIDENTS = Dataset("lab_incidents.csv", make_incidents, "Payments Platform incidents, April to June 2025 (lab 3)",
                    {"keep_default_na": False}, variant=_delivery_variant)

DATASETS: list[Dataset] = [LATENCY, DEPLOYMENTS, INCIDENTS]
