"""Lab 3: reliability and delivery metrics of the Larkspur Pay API.

The learner reads a month of sampled API requests and a quarter of
deployments and incidents, and computes what a TPM brings to a planning
meeting: latency percentiles, SLO compliance, the error budget and how the
June incident burned it, the four DORA metrics and their performance bands.
Every expected value is computed here from the course's own copy of the
data files with :mod:`tpmcourse.labs.lab3_reliability_helpers`, never copied
from the solution notebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tpmcourse.checks import (
    Hint,
    agrees,
    expect_number,
    need_frame,
    need_memo,
    need_number,
    need_numeric_column,
    row_of,
    show_pair,
    task,
)
from tpmcourse.datasets import cached
from tpmcourse.datasets.lab3_reliability import DEPLOYMENTS, ENDPOINTS, INCIDENTS, LATENCY, QUARTER_DAYS
from tpmcourse.labs.lab3_reliability_helpers import (
    AVAILABILITY_SLO,
    BAND_ORDER,
    DORA_COLUMNS,
    LATENCY_TARGET,
    LATENCY_THRESHOLD_MS,
    availability,
    dora_bands,
    dora_metrics,
    endpoint_latency,
    error_budget_requests,
    incident_burn,
    is_server_error,
    latency_percentiles,
    memo_word_count,
    share_under,
    team_band,
    window,
)
from tpmcourse.metrics import allowed_downtime_minutes
from tpmcourse.validate import require_bool

LAB = "reliability"

#: Decimals the reference solution displays (an answer rounded to them passes).
LATENCY_DECIMALS = 0  # "p50 103 ms"
ENDPOINT_DECIMALS = 1  # by_endpoint.round(1)
SHARE_FAST_DECIMALS = 4  # 94.25%
AVAILABILITY_DECIMALS = 5  # 99.925%
BUDGET_SPENT_DECIMALS = 2  # 150%
INCIDENT_SHARE_DECIMALS = 2  # 61%
BURN_RATE_DECIMALS = 0  # 177
DORA_DECIMALS = 3  # dora.round(3)

H = "tpmcourse.labs.lab3_reliability_helpers"


# ------------------------------------------------------------------ the data


def june_incident() -> pd.Series:
    """The SEV1 incident of 17 June, as a row of the incidents table."""
    inc = INCIDENTS.read()
    row = inc[(inc["severity"] == "SEV1") & inc["start"].str.startswith("2025-06-17")]
    return row.iloc[0]


@cached
def _expected_dora() -> pd.DataFrame:
    return dora_metrics(DEPLOYMENTS.read(), INCIDENTS.read()).set_index("service")


def _fraction(value, name: str, expected: float, what: str, decimals: int) -> float:
    """A share of requests: the expected one, or a hint when it looks like a percentage."""
    got = need_number(value, name)
    if agrees(got, expected, decimals):
        return got
    if agrees(got, 100 * expected, decimals - 2):
        raise Hint(f"`{name}` is {got:g}: that is a percentage. The task asks for a fraction "
                   f"between 0 and 1 (e.g. 0.95, not 95).")
    if not 0 <= got <= 1:
        raise Hint(f"`{name}` is {got:g}, but {what} is a share of requests, between 0 and 1.")
    return got


# --------------------------------------------------------------------- tasks


def _reference_percentiles() -> tuple[float, float, float]:
    values = LATENCY.read()["latency_ms"].quantile([0.50, 0.95, 0.99])
    return float(values.iloc[0]), float(values.iloc[1]), float(values.iloc[2])


@task(LAB, "percentiles", title="Task 1, latency percentiles", variables=["p50", "p95", "p99"],
      points=1, objective="ch03-read-architecture",
      display={"p50": LATENCY_DECIMALS, "p95": LATENCY_DECIMALS, "p99": LATENCY_DECIMALS},
      reference=_reference_percentiles, shortcuts=[f"{H}.latency_percentiles", f"{H}.endpoint_latency"])
def check_percentiles(p50, p95, p99) -> str:
    log = LATENCY.read()
    expected = latency_percentiles(log["latency_ms"])
    ok = log[log["status"] < 400]
    ok_only = latency_percentiles(ok["latency_ms"])
    mean = float(log["latency_ms"].mean())
    got = {name: need_number(v, name) for name, v in [("p50", p50), ("p95", p95), ("p99", p99)]}
    if not got["p50"] <= got["p95"] <= got["p99"]:
        raise Hint("the percentiles must grow: p50 <= p95 <= p99. Did you swap two of them, "
                   "or pass 50, 95 and 99 where pandas wants 0.50, 0.95 and 0.99?")
    for name, value in got.items():
        want = float(expected[name])
        expect_number(value, want, f"`{name}`", [
            (want / 1000, (f"`{name}` is {value:g}: that looks like seconds. `latency_ms` is in milliseconds "
                           f"and so is the answer."), 3),
            (mean, (f"`{name}` is {value:.1f} ms, the mean latency. A percentile is a quantile: use "
                    f"`.quantile(...)`, not `.mean()`; on a long-tailed distribution the mean sits well above "
                    f"the median.")),
            (float(ok_only[name]), (f"`{name}` is the {name} of successful requests only. Use every request: "
                                    f"failed and slow ones are exactly what the tail is made of.")),
        ], decimals=LATENCY_DECIMALS)
    e = expected
    return (f"p50 {e['p50']:.0f} ms, p95 {e['p95']:.0f} ms, p99 {e['p99']:.0f} ms (mean {mean:.0f} ms). "
            f"The p99 is {e['p99'] / e['p50']:.1f}× the median"
            + (", and p95 is already above the 300 ms promise" if e["p95"] >= LATENCY_THRESHOLD_MS else "")
            + ": the tail, not the typical request, is where partners feel slowness.")


ENDPOINT_COLUMNS = ("endpoint", "requests", "p50", "p95", "p99")


@task(LAB, "endpoint_latency", title="Task 2, latency by endpoint", variables=["by_endpoint"],
      points=2, objective="ch03-read-architecture",
      display={f"by_endpoint.{c}": ENDPOINT_DECIMALS for c in ("p50", "p95", "p99")},
      reference=lambda: (endpoint_latency(LATENCY.read()),), shortcuts=[f"{H}.endpoint_latency"])
def check_endpoint_latency(by_endpoint) -> str:
    expected = endpoint_latency(LATENCY.read())
    if (isinstance(by_endpoint, pd.DataFrame) and "endpoint" not in by_endpoint.columns
            and by_endpoint.index.name == "endpoint"):
        raise Hint("`by_endpoint` has the endpoints as its index. Add `.reset_index()` so "
                   "`endpoint` is a column.")
    frame = need_frame(by_endpoint, "by_endpoint", ENDPOINT_COLUMNS, rows=len(expected))
    names = frame["endpoint"].astype(str).tolist()
    missing = sorted(set(expected["endpoint"]) - set(names))
    if missing or len(set(names)) != len(names):
        raise Hint(f"`by_endpoint` should have one row per endpoint; missing or repeated: "
                   f"{', '.join(missing) or 'a repeated endpoint'}.")
    for col in ENDPOINT_COLUMNS[1:]:
        need_numeric_column(frame, col, "by_endpoint")
    got = frame.set_index("endpoint")
    means = LATENCY.read().groupby("endpoint")["latency_ms"].mean()
    for _, row in expected.iterrows():
        ep = row["endpoint"]
        if not agrees(float(got.loc[ep, "requests"]), float(row["requests"])):
            want_text, got_text = show_pair(float(row["requests"]), float(got.loc[ep, "requests"]))
            raise Hint(f"`requests` for {ep} is {got_text}; it should count every request to that endpoint "
                       f"({want_text}). Use `.size()` or `.count()`.")
        for col in ("p50", "p95", "p99"):
            want = float(row[col])
            expect_number(float(got.loc[ep, col]), want, f"`{col}` for {ep}", [
                (float(means[ep]), (f"`{col}` for {ep} is the endpoint's mean latency. Use "
                                    f"`.quantile({int(col[1:]) / 100:.2f})` per group.")),
                (want / 1000, f"`{col}` for {ep} looks like seconds; keep milliseconds.", 3),
            ], decimals=ENDPOINT_DECIMALS)
    if list(frame["p99"].astype(float)) != sorted(frame["p99"].astype(float), reverse=True):
        raise Hint("the numbers are right; now sort the table by `p99`, slowest first "
                   "(`.sort_values('p99', ascending=False)`), so the worst endpoint leads.")
    worst = expected.iloc[0]
    ledger = {e for e, spec in ENDPOINTS.items() if spec[4]}
    leading = 0
    for endpoint in expected["endpoint"]:
        if endpoint not in ledger:
            break
        leading += 1
    reading = (f"The slowest {leading} endpoints all read or write the ledger: that is where the latency "
               f"work belongs." if leading > 1 else
               "It reads or writes the ledger: that is where the latency work starts." if leading == 1 else
               "It does not touch the ledger: look at its own code path first.")
    return (f"{worst['endpoint']} has the worst tail (p99 {worst['p99']:.0f} ms against "
            f"{expected['p99'].min():.0f} ms for the fastest endpoint). {reading}")


@task(LAB, "latency_slo", title="Task 3, latency SLO", variables=["share_fast", "latency_slo_met"],
      points=1, objective="ch03-error-budget", display={"share_fast": SHARE_FAST_DECIMALS},
      reference=lambda: (share_under(LATENCY.read()), share_under(LATENCY.read()) >= LATENCY_TARGET),
      shortcuts=[f"{H}.share_under"])
def check_latency_slo(share_fast, latency_slo_met) -> str:
    log = LATENCY.read()
    expected = share_under(log)
    got = _fraction(share_fast, "share_fast", expected, "the share under 300 ms", SHARE_FAST_DECIMALS)
    expect_number(got, expected, "`share_fast`", [
        (float((log["latency_ms"] <= LATENCY_THRESHOLD_MS).mean()),
         "`share_fast` counts requests of exactly 300 ms as fast. The target is *under* 300 ms: use `<`, not `<=`."),
        (1 - expected, "`share_fast` is the share of SLOW requests (300 ms or more). Take the share under 300 ms."),
        (share_under(log[log["status"] < 400]), "`share_fast` uses successful requests only; count every request."),
    ], decimals=SHARE_FAST_DECIMALS)
    met = require_bool(latency_slo_met, "latency_slo_met")
    should = expected >= LATENCY_TARGET
    if met != should:
        raise Hint(f"`latency_slo_met` should be {should}: the objective is at least "
                   f"{LATENCY_TARGET:.0%} of requests under 300 ms, and {expected:.2%} are.")
    gap = (LATENCY_TARGET - expected) * len(log)
    verdict = ("missed" if not should else "met")
    return (f"{expected:.2%} of requests finish under 300 ms, so the latency objective is {verdict}"
            + (f": about {gap:.0f} more of these {len(log):,} requests would have had to be fast. "
               if not should else ". ")
            + "Share-under-threshold and p95 are two views of the same objective.")


@task(LAB, "availability", title="Task 4, availability", variables=["avail", "availability_slo_met"],
      points=1, objective="ch03-error-budget", display={"avail": AVAILABILITY_DECIMALS},
      reference=lambda: (availability(LATENCY.read()), availability(LATENCY.read()) >= AVAILABILITY_SLO),
      shortcuts=[f"{H}.availability"])
def check_availability(avail, availability_slo_met) -> str:
    log = LATENCY.read()
    expected = availability(log)
    got = _fraction(avail, "avail", expected, "availability", AVAILABILITY_DECIMALS)
    expect_number(got, expected, "`avail`", [
        (float((log["status"] < 400).mean()),
         ("`avail` counts 4xx responses as failures. A 4xx (declined card, invalid request, rate limit) is the "
          "API working correctly; only 5xx server errors count against availability.")),
        (1 - expected, ("`avail` is the error rate (share of 5xx). Availability is the other side: the share of "
                        "requests without a 5xx.")),
    ], decimals=AVAILABILITY_DECIMALS)
    met = require_bool(availability_slo_met, "availability_slo_met")
    should = expected >= AVAILABILITY_SLO
    if met != should:
        raise Hint(f"`availability_slo_met` should be {should}: compare {expected:.3%} with the "
                   f"99.95% objective (0.9995 as a fraction).")
    bad = int(is_server_error(log["status"]).sum())
    return (f"availability {expected:.3%} ({bad} server errors in {len(log):,} requests): "
            f"{'below' if not should else 'at or above'} the 99.95% objective. "
            f"Rounded to one decimal place it reads 99.9%, which is why SLOs are quoted to two.")


def _reference_budget() -> tuple[float, float]:
    log = LATENCY.read()
    budget = error_budget_requests(len(log))
    return budget, int(is_server_error(log["status"]).sum()) / budget


@task(LAB, "error_budget", title="Task 5, error budget", variables=["budget_requests", "budget_spent"],
      points=2, objective="ch03-error-budget", display={"budget_spent": BUDGET_SPENT_DECIMALS},
      reference=_reference_budget, shortcuts=[f"{H}.error_budget_requests", f"{H}.incident_burn"])
def check_error_budget(budget_requests, budget_spent) -> str:
    log = LATENCY.read()
    n = len(log)
    budget = error_budget_requests(n)
    got = need_number(budget_requests, "budget_requests")
    expect_number(got, budget, "`budget_requests`", [
        (AVAILABILITY_SLO * n, (f"`budget_requests` is {got:,.0f}: the requests that must succeed. The budget is "
                                f"what may FAIL: (1 - 0.9995) × {n:,} requests.")),
        (allowed_downtime_minutes(AVAILABILITY_SLO, 30),
         ("`budget_requests` is 21.6, the budget in MINUTES of full outage. The task asks for it in requests: "
          "(1 - SLO) × number of requests in the log.")),
    ])
    bad = int(is_server_error(log["status"]).sum())
    spent = bad / budget
    expect_number(need_number(budget_spent, "budget_spent"), spent, "`budget_spent`", [
        (float((log["status"] >= 400).sum()) / budget, ("`budget_spent` counts 4xx responses as spent budget; "
                                                        "only 5xx do.")),
        (budget / bad, "`budget_spent` is upside down: divide the failed requests by the budget."),
        (1 - spent, ("`budget_spent` is the budget LEFT. The task asks for the share spent (failed requests / "
                     "budget).")),
    ], decimals=BUDGET_SPENT_DECIMALS)
    if spent <= 1:
        return (f"the month allows {budget:g} failed requests in this sample and saw {bad}: "
                f"{spent:.0%} of the budget spent, so {1 - spent:.0%} is left for risky launches.")
    return (f"the month allows {budget:g} failed requests in this sample and saw {bad}: "
            f"{spent:.0%} of the budget spent, so it is overspent by {spent - 1:.0%}. "
            f"Under a budget policy, risky launches would already be paused.")


def _reference_burn() -> tuple[float, float]:
    inc = june_incident()
    burn = incident_burn(LATENCY.read(), inc["start"], inc["resolved"])
    return burn["budget_share"], burn["burn_rate"]


@task(LAB, "incident_burn", title="Task 6, the June incident's burn",
      variables=["incident_share", "incident_burn_rate"], points=2, objective="ch03-error-budget",
      display={"incident_share": INCIDENT_SHARE_DECIMALS, "incident_burn_rate": BURN_RATE_DECIMALS},
      reference=_reference_burn, shortcuts=[f"{H}.incident_burn"])
def check_incident_burn(incident_share, incident_burn_rate) -> str:
    log = LATENCY.read()
    inc = june_incident()
    burn = incident_burn(log, inc["start"], inc["resolved"])
    month_bad = int(is_server_error(log["status"]).sum())
    want = burn["budget_share"]
    during = window(log, inc["start"], inc["resolved"])
    expect_number(need_number(incident_share, "incident_share"), want, "`incident_share`", [
        (100 * want, "`incident_share` is a percentage; give a fraction of the budget (0.5 = half)."),
        (burn["bad_requests"] / month_bad,
         ("`incident_share` is the incident's share of the month's server errors. The task asks for its share of "
          "the error BUDGET: incident 5xx / budget_requests.")),
        (burn["error_rate"], ("`incident_share` is the error rate during the incident (5xx / requests in the "
                              "window). Divide the incident's 5xx by the month's budget instead.")),
        (float((during["status"] >= 400).sum()) / error_budget_requests(len(log)),
         "`incident_share` counts 4xx responses in the window; count only 5xx."),
    ], decimals=INCIDENT_SHARE_DECIMALS,
        then=f" Select requests with {inc['start']} <= timestamp < {inc['resolved']} (the incident's start "
             f"and resolved times).")
    want_rate = burn["burn_rate"]
    expect_number(need_number(incident_burn_rate, "incident_burn_rate"), want_rate, "`incident_burn_rate`", [
        (burn["error_rate"], ("`incident_burn_rate` is the error rate itself. Burn rate = error rate / allowed "
                              "error rate (1 - 0.9995)."), None),
        (burn["error_rate"] / AVAILABILITY_SLO, ("`incident_burn_rate` divides by 0.9995. The allowed error rate "
                                                 "is 1 - 0.9995 = 0.0005."), None),
        (month_bad / len(log) / (1 - AVAILABILITY_SLO), ("`incident_burn_rate` uses the whole month's error rate. "
                                                         "Use the error rate inside the incident window only.")),
    ], decimals=BURN_RATE_DECIMALS)
    minutes = (pd.Timestamp(inc['resolved']) - pd.Timestamp(inc['start'])).seconds // 60
    if want_rate <= 0:
        return (f"{inc['incident_id']} ({burn['requests']} requests in {minutes} minutes) failed none of the "
                f"sampled requests: it spent no budget in this sample.")
    days = 30 / want_rate * 24
    return (f"{inc['incident_id']} ({burn['bad_requests']} failed of {burn['requests']} requests in "
            f"{minutes} minutes) spent {want:.0%} of the month's budget at a burn rate of {want_rate:.0f}: "
            f"at that pace the 30-day budget lasts about {days:.1f} hours. A burn-rate alert would have paged "
            f"within minutes.")


DORA_UNITS = {
    "deploys_per_week": "deployments per week",
    "lead_time_hours": "median hours from commit to deploy",
    "change_failure_rate": "share of deployments that caused an incident",
    "restore_hours": "median hours from incident start to resolved",
}


def _dora_alternatives(service: str) -> dict[str, list[tuple[float, str]]]:
    """Values a likely slip produces for one service row, with the hint for each."""
    deps, incs = DEPLOYMENTS.read(), INCIDENTS.read()
    if service != "all":
        deps = deps[deps["service"] == service]
        incs = incs[incs["service"] == service]
    lead = (pd.to_datetime(deps["deploy_time"]) - pd.to_datetime(deps["commit_time"])).dt.total_seconds() / 3600
    restore = (pd.to_datetime(incs["resolved"]) - pd.to_datetime(incs["start"])).dt.total_seconds() / 3600
    linked = incs["linked_deploy"].astype(str).str.len() > 0
    return {
        "deploys_per_week": [
            (len(deps) / QUARTER_DAYS, "is per DAY; the task asks per week (the quarter has 13 weeks)"),
            (len(deps) / 3, "is per MONTH; divide by the quarter's 13 weeks instead"),
            (float(len(deps)), "is the total for the quarter; divide by its 13 weeks"),
        ],
        "lead_time_hours": [
            (float(lead.mean()), ("is the MEAN lead time; the task asks for the median, which one "
                                  "week-long change cannot drag up")),
            (float(lead.median() / 24), "is in days; give hours"),
            (float(lead.median() * 60), "is in minutes; give hours"),
        ],
        "change_failure_rate": [
            (len(incs) / len(deps) if len(deps) else np.nan,
             ("divides ALL incidents by deployments. Count deployments flagged `caused_incident`; "
              "incidents with no linked deployment (a processor outage) are not change failures")),
        ],
        "restore_hours": [
            (float(restore.mean()), "is the MEAN time to restore; the task asks for the median"),
            (float(restore[linked].median()), ("uses only incidents caused by a deployment; time to "
                                               "restore counts every incident")),
            (float(restore.median() * 60), "is in minutes; give hours"),
        ],
    }


@task(LAB, "dora", title="Task 7, the four DORA metrics", variables=["dora"], points=3,
      objective="ch03-metric-tree", display={f"dora.{c}": DORA_DECIMALS for c in DORA_COLUMNS},
      reference=lambda: (_expected_dora().reset_index(),), shortcuts=[f"{H}.dora_metrics"])
def check_dora(dora) -> str:
    expected = _expected_dora()
    if isinstance(dora, pd.DataFrame) and "service" not in dora.columns and dora.index.name == "service":
        dora = dora.reset_index()
    frame = need_frame(dora, "dora", ("service", *DORA_COLUMNS), rows=len(expected))
    services = frame["service"].astype(str).tolist()
    missing = [s for s in expected.index if s not in services]
    if missing:
        raise Hint(f"`dora` needs one row per service plus a row `all` for the whole team; "
                   f"missing: {', '.join(missing)}.")
    for col in DORA_COLUMNS:
        need_numeric_column(frame, col, "dora")
    got = frame.set_index("service")
    for service in expected.index:
        alternatives = _dora_alternatives(service)
        for col in DORA_COLUMNS:
            want, where = float(expected.loc[service, col]), f"`{col}` for {service}"
            percent = [(100 * want, f"{where} is a percentage; give a fraction (0.2, not 20).")]
            expect_number(float(got.loc[service, col]), want, where, [
                *(percent if col == "change_failure_rate" else []),
                *((alt, f"{where} {why}.") for alt, why in alternatives[col]),
            ], decimals=DORA_DECIMALS, then=f" ({DORA_UNITS[col]}).")
    team, ledger = expected.loc["all"], expected.loc["ledger-core"]
    return (f"the team deploys {team['deploys_per_week']:.1f} times a week with a median lead time of "
            f"{team['lead_time_hours']:.0f} h, {team['change_failure_rate']:.0%} of changes fail and "
            f"service comes back in a median {team['restore_hours']:.1f} h. ledger-core stands out: "
            f"{ledger['lead_time_hours']:.0f} h lead time and {ledger['change_failure_rate']:.0%} of its "
            f"deployments cause an incident.")


def _band_name(value, metric: str) -> str:
    if not isinstance(value, str):
        raise Hint(f"the band for {metric} should be a word (elite, high, medium or low), "
                   f"not {type(value).__name__}.")
    band = value.strip().lower()
    if band not in BAND_ORDER:
        raise Hint(f"{value!r} is not a band; use elite, high, medium or low.")
    return band


def _reference_bands() -> tuple[dict[str, str], str]:
    bands = dora_bands(row_of(_expected_dora(), "all"))
    return bands, team_band(bands)


@task(LAB, "dora_bands", title="Task 8, DORA performance bands", variables=["bands", "team_band"],
      points=2, objective="ch03-metric-tree", varies_with_data=False, reference=_reference_bands,
      shortcuts=[f"{H}.dora_bands", f"{H}.dora_band", f"{H}.team_band", f"{H}.BANDS"])  # fresh data: same bands
def check_dora_bands(bands, team_band_) -> str:
    team = row_of(_expected_dora(), "all")
    expected = dora_bands(team)
    if isinstance(bands, pd.Series):
        bands = bands.to_dict()
    if not isinstance(bands, dict):
        raise Hint(f"`bands` should be a dict from metric name to band, e.g. "
                   f"{{'deploys_per_week': 'elite', ...}}, not {type(bands).__name__}.")
    missing = [m for m in DORA_COLUMNS if m not in bands]
    if missing:
        raise Hint(f"`bands` has no entry for {', '.join(missing)}; use the four column names of "
                   f"`dora` as keys.")
    for metric in DORA_COLUMNS:
        band = _band_name(bands[metric], metric)
        if band != expected[metric]:
            value = float(team[metric])
            shown = f"{value:.0%}" if metric == "change_failure_rate" else f"{value:.2f}"
            raise Hint(f"the band for {metric} is not {band}: the team's value is {shown} "
                       f"({DORA_UNITS[metric]}). Find the first row of the band table, from elite "
                       f"down, whose threshold it meets.")
    overall = _band_name(team_band_, "the team")
    want = team_band(expected)
    if overall != want:
        best = min(expected.values(), key=BAND_ORDER.index)
        if overall == best:
            raise Hint("`team_band` is the team's BEST metric's band. The lab's rule is conservative: "
                       "the team is only as good as its weakest metric.")
        raise Hint(f"`team_band` should be the band of the team's weakest metric, not {overall}.")
    weakest = [m for m, b in expected.items() if b == want]
    return (f"{expected['deploys_per_week']} on deployment frequency and {expected['lead_time_hours']} on "
            f"lead time, but {want} overall because of {', '.join(weakest)}. "
            + ("Speed is not what holds the team back; the stability of its changes is"
               if {"change_failure_rate", "restore_hours"} & set(weakest) else
               "Stability is not what holds the team back; the speed of its delivery is")
            + ", and the DORA research finds speed and stability improve together.")


@task(LAB, "recommendation", title="Task 9, your recommendation", variables=["memo"], points=3,
      objective="ch03-error-budget", kind="written")
def check_recommendation(memo) -> str:
    words, numbers = need_memo(
        memo, "memo", min_numbers=3,
        words_hint="about one paragraph, so the decision and its reasons both fit.",
        decision_hint="`memo` does not state a decision. Say plainly what you recommend "
                      "(e.g. 'I recommend we pause ...' or 'we should continue ...').",
        numbers_hint="`memo` cites fewer than three numbers. Name the figures your decision rests on "
                     "(availability, budget spent, burn rate, change failure rate...).")
    words = memo_word_count(memo)  # the count the notebook prints, by the same rule
    return (f"the memo has the right form ({words} words, a decision, {numbers} figures). "
            f"It will be graded with the rubric: a clear decision, the numbers that support it, "
            f"what the decision costs, and what would change it.")
