"""Every computed task's data tells the right method from a common wrong one.

For each task, the table below holds at least one method a learner commonly
gets wrong, computed honestly on the lab's own data; its answer must fail the
check. A lab whose data let a wrong method pass (Lab 1's greedy fill, where
"stop at the first item that does not fit" used to find the same set) fails
here.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from tpmcourse import checks
from tpmcourse.carbon import emissions_kg, energy_kwh
from tpmcourse.datasets.lab2_metrics import EVENTS, FUNNEL_EVENTS
from tpmcourse.datasets.lab3_reliability import DEPLOYMENTS, INCIDENTS, LATENCY
from tpmcourse.datasets.lab4_ethics import GRID, REGIONS, SCREENING, USERS, WORKLOADS
from tpmcourse.datasets.lab5_planning import RISKS, TASKS
from tpmcourse.fairness import group_rates, threshold_sweep
from tpmcourse.labs import (
    lab1_prioritization as l1,
)
from tpmcourse.labs import (
    lab2_metrics as l2,
)
from tpmcourse.labs import (
    lab3_reliability as l3,
)
from tpmcourse.labs import (
    lab4_ethics as l4,
)
from tpmcourse.labs import (
    lab5_planning as l5,
)
from tpmcourse.labs import (
    lab6_first_quarter as l6,
)
from tpmcourse.labs.lab1_prioritization_helpers import parse_dependencies, ranked_ids, topological_order
from tpmcourse.labs.lab3_reliability_helpers import dora_bands, error_budget_requests
from tpmcourse.labs.lab4_ethics_helpers import window_intensity
from tpmcourse.labs.lab5_planning_helpers import critical_path, draw_durations, project_duration
from tpmcourse.metrics import allowed_downtime_minutes
from tpmcourse.prioritization import cost_of_delay, rank, rice, wsjf
from tpmcourse.risk import PertEstimate, pert_table, probability_within, risk_level

Wrong = Callable[[], tuple]


def ref(task_id: str) -> tuple:
    checks.tasks()
    reference = checks.REGISTRY[task_id].reference
    assert reference is not None
    return reference()


# --- Lab 1 ---------------------------------------------------------------------------------------


def rice_without_effort() -> tuple:
    b = l1.backlog()
    scores = rice(b) * b["effort"]
    return (b[["id"]].assign(rice=scores, rice_rank=rank(scores)),)


def wsjf_over_effort() -> tuple:
    b = l1.backlog()
    scores = cost_of_delay(b) / b["effort"]
    return (b[["id"]].assign(cost_of_delay=cost_of_delay(b), wsjf=scores, wsjf_rank=rank(scores)),)


def shift_the_other_way() -> tuple:
    table, top = ref("prioritization.disagreement")
    return table.assign(shift=table["wsjf_rank"] - table["rice_rank"]), top


def top_signed_shift() -> tuple:
    table, _ = ref("prioritization.disagreement")
    return table, list(table.nlargest(5, "shift")["id"])


def weighted_effort_not_inverted() -> tuple:
    b = l1.backlog()
    w = l1.TASK_WEIGHTS
    scaled = {c: (b[c] - b[c].min()) / (b[c].max() - b[c].min()) for c in w}
    score = 100 * sum(w[c] * scaled[c] for c in w) / sum(w.values())
    return (b[["id"]].assign(weighted_score=score, weighted_rank=rank(score)),)


def greedy_stopping_at_the_first_misfit() -> tuple:
    b = l1.backlog()
    effort = b.set_index("id")["effort"]
    picked, left = [], l1.SPRINT_WEEKS
    for item in ranked_ids(b, wsjf(b)):
        if effort[item] > left:
            break
        picked.append(item)
        left -= effort[item]
    return picked, float(cost_of_delay(b)[b["id"].isin(picked)].sum())


def greedy_by_rice() -> tuple:
    b = l1.backlog()
    effort = b.set_index("id")["effort"]
    picked, left = [], l1.SPRINT_WEEKS
    for item in ranked_ids(b, rice(b)):
        if effort[item] <= left:
            picked.append(item)
            left -= effort[item]
    return picked, float(cost_of_delay(b)[b["id"].isin(picked)].sum())


def greedy_as_the_best() -> tuple:
    pick, value = ref("prioritization.greedy")
    return pick, value, 0.0


def order_without_prerequisites() -> tuple:
    best = l1.best_expected()
    order = topological_order(best, {i: [d for d in parse_dependencies(l1.backlog())[i] if d in best] for i in best})
    return order, float(l1.backlog().set_index("id").loc[order, "effort"].sum())


def split_share_as_percentage() -> tuple:
    best, share, lost = ref("prioritization.split")
    return best * 100, share, lost


# --- Lab 2 ---------------------------------------------------------------------------------------


def event_rows() -> tuple:
    rows = EVENTS.read()["event"].astype(str).value_counts()
    return (pd.DataFrame({"step": list(FUNNEL_EVENTS), "users": [int(rows[s]) for s in FUNNEL_EVENTS]}),)


def step_rate_over_signups() -> tuple:
    (funnel,) = ref("metrics.funnel_rates")
    return (funnel.assign(step_rate=funnel["overall_rate"]),)


def seven_day_weeks() -> tuple:
    return (l2._cohorts_elapsed(),)


def sql_integer_division() -> tuple:
    (funnel,) = ref("metrics.sql_funnel")
    users = funnel["users"].to_numpy()
    rate = np.r_[1.0, users[1:] // users[:-1]]
    return (funnel.assign(step_rate=rate),)


def sql_seven_day_weeks() -> tuple:
    table = l2._cohorts_elapsed()
    long = pd.Series(table.stack(), name="retained").reset_index()
    long.columns = ["cohort_week", "week", "retained"]
    return (long,)


def relative_lift() -> tuple:
    _, ci = ref("metrics.lift")
    p_t, p_c = l2._rates()
    return p_t / p_c - 1, ci


def one_sided_p() -> tuple:
    return (l2.expected_p_value("larger"),)


def srm_on_conversions() -> tuple:
    from scipy.stats import chisquare

    e = l2._experiment()
    p = float(chisquare([e["x_c"], e["x_t"]]).pvalue)
    return p, p < 0.01


def both_groups() -> tuple:
    return (2 * math.ceil(l2.expected_sample_size()),)


# --- Lab 3 ---------------------------------------------------------------------------------------


def mean_and_successful_only() -> tuple:
    log = LATENCY.read()
    ok = log[log["status"] < 400]["latency_ms"]
    return float(log["latency_ms"].mean()), float(ok.quantile(0.95)), float(ok.quantile(0.99))


def endpoint_means() -> tuple:
    (table,) = ref("reliability.endpoint_latency")
    means = LATENCY.read().groupby("endpoint")["latency_ms"].mean()
    return (table.assign(p50=table["endpoint"].map(means)),)


def share_of_successful_requests() -> tuple:
    log = LATENCY.read()
    ok = log[log["status"] < 400]
    share = float((ok["latency_ms"] < 300).mean())
    return share, share >= 0.95


def availability_counting_4xx() -> tuple:
    log = LATENCY.read()
    avail = float((log["status"] < 400).mean())
    return avail, avail >= 0.9995


def budget_in_minutes() -> tuple:
    budget = allowed_downtime_minutes(0.9995, 30)
    spent = float((LATENCY.read()["status"] >= 500).sum()) / budget
    return budget, spent


def share_of_month_errors() -> tuple:
    _, burn = ref("reliability.incident_burn")
    inc = l3.june_incident()
    log = LATENCY.read()
    ts = pd.to_datetime(log["timestamp"])
    during = log[(ts >= pd.Timestamp(inc["start"])) & (ts < pd.Timestamp(inc["resolved"]))]
    return float((during["status"] >= 500).sum() / (log["status"] >= 500).sum()), burn


def mean_lead_time() -> tuple:
    (dora,) = ref("reliability.dora")
    deps = DEPLOYMENTS.read()
    lead = (pd.to_datetime(deps["deploy_time"]) - pd.to_datetime(deps["commit_time"])).dt.total_seconds() / 3600
    means = lead.groupby(deps["service"]).mean()
    means["all"] = lead.mean()
    return (dora.assign(lead_time_hours=dora["service"].map(means)),)


def all_incidents_as_failures() -> tuple:
    (dora,) = ref("reliability.dora")
    deps, incs = DEPLOYMENTS.read(), INCIDENTS.read()
    rate = incs.groupby("service").size() / deps.groupby("service").size()
    rate["all"] = len(incs) / len(deps)
    return (dora.assign(change_failure_rate=dora["service"].map(rate).fillna(0.0)),)


def best_band() -> tuple:
    bands = dora_bands(pd.Series(l3._expected_dora().loc["all"]))
    order = ("elite", "high", "medium", "low")
    return bands, min(bands.values(), key=order.index)


# --- Lab 4 ---------------------------------------------------------------------------------------


def unique_on_full_birth_date() -> tuple:
    users = USERS.read()
    sizes = users.groupby(["postcode", "owner_birth_date"]).size()
    return 1, float((sizes == 1).sum() / len(users))


def stop_only_gender() -> tuple:
    return (["owner_gender"],)


def release_without_suppression() -> tuple:
    from tpmcourse.privacy import BUSINESS_SECTORS, generalize_categories, generalize_postcode, generalize_year

    users = USERS.read()
    coarse = users[["merchant_id", "postcode", "owner_birth_date", "business_type",
                    "expected_monthly_volume_eur"]].assign(
        postcode=generalize_postcode(users["postcode"], 1),
        owner_birth_date=generalize_year(pd.to_datetime(users["owner_birth_date"]).dt.year, 10),
        business_type=generalize_categories(users["business_type"], BUSINESS_SECTORS))
    return (coarse,)


def gaps_swapped() -> tuple:
    dp, eo = ref("ethics.gaps")
    return eo, dp


def fpr_gap() -> tuple:
    dp, _ = ref("ethics.gaps")
    rates = group_rates(SCREENING.read(), "legal_form", "approved", "good_outcome")
    return dp, float(rates["fpr"].max() - rates["fpr"].min())


def ratio_upside_down() -> tuple:
    ratio, passes = ref("ethics.four_fifths")
    return 1 / ratio, passes


def both_thresholds_move() -> tuple:
    sweep = threshold_sweep(SCREENING.read(), "legal_form", "risk_score", "good_outcome", l4.SOLE_THRESHOLDS)
    return (sweep.assign(threshold=l4.SOLE_THRESHOLDS),)


def first_threshold_passing_four_fifths() -> tuple:
    sweep = l4._reference_sweep()
    return (float(sweep.loc[sweep["di_ratio"] >= 0.8, "threshold"].min()),)


def daily_average_intensity() -> tuple:
    jobs, grid = WORKLOADS.read(), GRID.read()
    rows = []
    for _, j in jobs.iterrows():
        e = energy_kwh(float(j["hours"]), float(j["avg_power_kw"]), pue=float(j["pue"]), machines=int(j["machines"]))
        mean = float(grid.loc[grid["region"] == j["region"], "carbon_intensity_g_per_kwh"].mean())
        kg = emissions_kg(e, mean)
        rows.append({"job_id": j["job_id"], "energy_kwh": e, "kg_co2e_per_run": kg,
                     "kg_co2e_per_year": kg * int(j["runs_per_year"])})
    return (pd.DataFrame(rows),)


def cleanest_single_hour() -> tuple:
    grid = GRID.read()
    eu = grid[grid["region"].map(REGIONS) == "EU"]
    row = eu.iloc[int(eu["carbon_intensity_g_per_kwh"].to_numpy().argmin())]
    return str(row["region"]), int(row["hour_utc"])


def cleanest_region_anywhere() -> tuple:
    grid = GRID.read()
    best = min(((r, h) for r in REGIONS for h in range(24)), key=lambda rh: window_intensity(grid, rh[0], rh[1], 5))
    return best


# --- Lab 5 ---------------------------------------------------------------------------------------


def scores_added() -> tuple:
    risks = RISKS.read()
    score = risks["likelihood"] + risks["impact"]
    return (risks[["id"]].assign(score=score, level=risk_level(score).to_numpy()),)


def cost_with_likelihood() -> tuple:
    risks = RISKS.read()
    cost = risks["likelihood"] * risks["cost_if_occurs"]
    return risks[["id"]].assign(expected_cost=cost), float(cost.sum())


def every_mitigation_that_reduces() -> tuple:
    table = l5.mitigation_table(RISKS.read())
    return list(table.loc[table["reduction"] > 0, "id"]), float(table.loc[table["reduction"] > 0, "net"].sum())


def gross_saving() -> tuple:
    ids, _ = ref("planning.mitigations")
    table = l5.mitigation_table(RISKS.read()).set_index("id")
    return ids, float(table.loc[ids, "reduction"].sum())


def top_by_cost_if_occurs() -> tuple:
    by_score, _ = ref("planning.top_risks")
    risks = RISKS.read()
    return by_score, list(risks.nlargest(5, "cost_if_occurs")["id"])


def plain_average() -> tuple:
    t = TASKS.read()
    return (t[["id"]].assign(mean=(t["optimistic"] + t["most_likely"] + t["pessimistic"]) / 3,
                             sd=(t["pessimistic"] - t["optimistic"]) / 6),)


def sum_of_all_means() -> tuple:
    path, _ = ref("planning.critical_path")
    return path, float(pert_table(TASKS.read())["mean"].sum())


def most_likely_path() -> tuple:
    tasks = TASKS.read()
    durations = tasks["most_likely"].to_numpy(dtype=float)
    return critical_path(tasks, durations), float(project_duration(tasks, durations))


def sum_of_every_task() -> tuple:
    draws = draw_durations(TASKS.read(), l5.N_SIMS, l5.SEED, "triangular")
    return (draws.sum(axis=1),)


def normal_approximation() -> tuple:
    tasks = TASKS.read()
    table = pert_table(tasks)
    on_path = table.set_index("id").loc[critical_path(tasks, table["mean"].to_numpy())]
    estimate = PertEstimate(float(on_path["mean"].sum()), math.sqrt(float((on_path["sd"] ** 2).sum())))
    return (probability_within(estimate, l5.deadline_days()),)


def mean_run_as_the_date() -> tuple:
    sims = l5.reference_simulation()
    days = float(sims.mean())
    from tpmcourse.labs.lab5_planning_helpers import working_day_date

    return days, working_day_date(l5.START, days)


def capacity_whole_quarter() -> tuple:
    return (l6.capacity_parts()["team_weeks"],)


def roadmap_ignoring_dependencies() -> tuple:
    now = l6.walk(l6.wsjf_order(), l6.free_capacity(), dependencies=False)
    return (now, *l6.lanes(now))


def north_star_counting_every_paying_merchant() -> tuple:
    return (l6.metric_tree(only_active=False),)


def decomposition_with_week_10_weights() -> tuple:
    return l6.north_star_change(), l6.contributions(method="base")


def roles_cumulative_signups_as_input() -> tuple:
    return (dict(l6.METRIC_ROLES, total_signups="input"),)


def slo_burn_over_the_whole_month() -> tuple:
    slo = l6.REFERENCE_SLO
    return slo, l6.budget_minutes(slo), l6.burn(slo, l6.good_share(recent=False))


def top_risks_of_the_whole_register() -> tuple:
    risks = RISKS.read()
    risks["ec"] = risks["probability"] * risks["cost_if_occurs"]
    top = risks.nlargest(3, "ec")
    return list(top["id"]), float(top["ec"].sum())


def switch_off_in_calendar_days() -> tuple:
    sims = l6.reference_simulation()
    f = l6.quarter_facts()
    calendar = (pd.Timestamp(f.switch_off) - pd.Timestamp(f.migration_start)).days + 1
    return float(np.mean(sims <= calendar)), l6._reference_forecast()[1]


def fairness_over_the_whole_quarter() -> tuple:
    return l6.fairness_numbers(all_weeks=True)


WRONG: dict[str, list[Wrong]] = {
    "prioritization.rice": [rice_without_effort],
    "prioritization.wsjf": [wsjf_over_effort],
    "prioritization.disagreement": [shift_the_other_way, top_signed_shift],
    "prioritization.weighted": [weighted_effort_not_inverted],
    "prioritization.greedy": [greedy_stopping_at_the_first_misfit, greedy_by_rice],
    "prioritization.optimum": [greedy_as_the_best],
    "prioritization.order": [order_without_prerequisites],
    "prioritization.split": [split_share_as_percentage],
    "metrics.funnel_counts": [event_rows],
    "metrics.funnel_rates": [step_rate_over_signups],
    "metrics.retention": [seven_day_weeks],
    "metrics.sql_funnel": [sql_integer_division],
    "metrics.sql_cohorts": [sql_seven_day_weeks],
    "metrics.lift": [relative_lift],
    "metrics.p_value": [one_sided_p],
    "metrics.srm": [srm_on_conversions],
    "metrics.sample_size": [both_groups],
    "reliability.percentiles": [mean_and_successful_only],
    "reliability.endpoint_latency": [endpoint_means],
    "reliability.latency_slo": [share_of_successful_requests],
    "reliability.availability": [availability_counting_4xx],
    "reliability.error_budget": [budget_in_minutes],
    "reliability.incident_burn": [share_of_month_errors],
    "reliability.dora": [mean_lead_time, all_incidents_as_failures],
    "reliability.dora_bands": [best_band],
    "ethics.k_anonymity": [unique_on_full_birth_date],
    "ethics.stop_collecting": [stop_only_gender],
    "ethics.release": [release_without_suppression],
    "ethics.gaps": [gaps_swapped, fpr_gap],
    "ethics.four_fifths": [ratio_upside_down],
    "ethics.sweep": [both_thresholds_move],
    "ethics.threshold_choice": [first_threshold_passing_four_fifths],
    "ethics.emissions": [daily_average_intensity],
    "ethics.placement": [cleanest_single_hour, cleanest_region_anywhere],
    "planning.scores": [scores_added],
    "planning.expected_cost": [cost_with_likelihood],
    "planning.mitigations": [every_mitigation_that_reduces, gross_saving],
    "planning.top_risks": [top_by_cost_if_occurs],
    "planning.pert": [plain_average],
    "planning.critical_path": [sum_of_all_means, most_likely_path],
    "planning.simulation": [sum_of_every_task],
    "planning.deadline": [normal_approximation],
    "planning.confidence_date": [mean_run_as_the_date],
    "first_quarter.capacity": [capacity_whole_quarter],
    "first_quarter.roadmap": [roadmap_ignoring_dependencies],
    "first_quarter.north_star": [north_star_counting_every_paying_merchant],
    "first_quarter.decomposition": [decomposition_with_week_10_weights],
    "first_quarter.metric_roles": [roles_cumulative_signups_as_input],
    "first_quarter.slo": [slo_burn_over_the_whole_month],
    "first_quarter.top_risks": [top_risks_of_the_whole_register],
    "first_quarter.switch_off": [switch_off_in_calendar_days],
    "first_quarter.fairness": [fairness_over_the_whole_quarter],
}


def test_every_computed_task_has_a_wrong_method():
    auto = {t.id for t in checks.tasks() if t.kind == "auto"}
    assert auto == set(WRONG), sorted(auto ^ set(WRONG))


@pytest.mark.parametrize(("task_id", "method"), [(t, m) for t, ms in WRONG.items() for m in ms],
                         ids=lambda x: getattr(x, "__name__", x))
def test_a_common_wrong_method_fails_on_the_labs_data(task_id, method):
    answers = method()
    result = checks.evaluate(task_id, *answers)
    assert not result.passed, f"{task_id}: {method.__name__} passes: {result.line}"
    assert "could not read your answer" not in result.message, result.message


def test_lab1_greedy_must_skip_an_item_that_does_not_fit():
    """The committed backlog makes greedy skip an item and take a later one."""
    stopped, _ = greedy_stopping_at_the_first_misfit()
    right, _ = ref("prioritization.greedy")
    assert set(stopped) < set(right)
    result = checks.evaluate("prioritization.greedy", *greedy_stopping_at_the_first_misfit())
    assert "skips an item that does not fit and carries on" in result.message


def test_error_budget_requests_is_what_the_task_defines():
    assert error_budget_requests(36_000) == pytest.approx(18)
