"""Lab 2 (metrics analysis): right answers pass, the usual slips get their own hint."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, chi2, chisquare
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize, proportions_ztest

from labcheck import checker
from tpmcourse.checks import row_of, tasks
from tpmcourse.datasets.lab2_metrics import FUNNEL_EVENTS, make_event_log, make_experiment
from tpmcourse.labs import lab2_metrics
from tpmcourse.labs.lab2_metrics_helpers import cohorts_pandas, funnel_duckdb, funnel_pandas, write_events

ok, hint = checker("metrics")


@pytest.fixture(scope="module")
def events():
    return make_event_log()


@pytest.fixture(scope="module")
def funnel(events):
    return funnel_pandas(events)


@pytest.fixture(scope="module")
def table(events):
    return cohorts_pandas(events)


# Experiment counts, read once from the data and pinned here so a change in
# the generator is noticed: control 1,263 of 4,046, treatment 1,341 of 3,954.
XC, NC, XT, NT = 1263, 4046, 1341, 3954


def test_the_lab_registers_ten_tasks_with_objectives():
    ts = tasks("metrics")
    assert len(ts) == 10
    assert all(t.objective in {"ch03-sql-funnel", "ch03-metric-tree", "ch03-experiments"} for t in ts)
    assert {t.objective for t in ts if t.id.split(".")[1] in {"lift", "p_value", "srm", "sample_size"}} == {
        "ch03-experiments"}  # taught in chapter 3's "Experiments for TPMs"
    assert [t.kind for t in ts].count("written") == 1


def test_experiment_counts_are_pinned():
    e = make_experiment()
    g = e.groupby("variant")["converted"].agg(["sum", "count"])
    assert row_of(g, "control").tolist() == [XC, NC]
    assert row_of(g, "treatment").tolist() == [XT, NT]


# --- Task 1 -------------------------------------------------------------------


def test_funnel_counts(events, funnel):
    answer = funnel[["step", "users"]]
    assert "6,000 merchants signed up" in ok("funnel_counts", answer)
    rows = events["event"].value_counts().reindex(list(FUNNEL_EVENTS))
    wrong = pd.DataFrame({"step": rows.index, "users": rows.to_numpy()})
    assert "event rows, not merchants" in hint("funnel_counts", wrong)
    assert "wrong order" in hint("funnel_counts", answer.iloc[::-1])
    assert "one row per funnel step" in hint("funnel_counts", answer.iloc[:3])
    off = answer.assign(users=answer["users"].where(answer.step != "activation", 2000))
    assert "`activation`" in hint("funnel_counts", off)
    assert "no column 'users'" in hint("funnel_counts", answer.rename(columns={"users": "n"}))


# --- Task 2 -------------------------------------------------------------------


def test_funnel_rates_by_hand(funnel):
    # 4,286 of 6,000 invoiced, 2,537 of those activated, 835 bought a plan.
    assert funnel["users"].tolist() == [6000, 4286, 2537, 835]
    assert funnel["step_rate"].tolist() == pytest.approx([1, 4286 / 6000, 2537 / 4286, 835 / 2537])
    assert "`purchase`" in ok("funnel_rates", funnel)


def test_funnel_rate_slips(funnel):
    assert "in percent" in hint("funnel_rates", funnel.assign(step_rate=100 * funnel.step_rate))
    assert "divides every step by the sign-ups" in hint(
        "funnel_rates", funnel.assign(step_rate=funnel.overall_rate))
    assert "dropped out" in hint("funnel_rates", funnel.assign(step_rate=1 - funnel.step_rate))
    assert "upside down" in hint("funnel_rates", funnel.assign(step_rate=1 / funnel.step_rate))
    nan_first = funnel.assign(step_rate=funnel.users / funnel.users.shift(1))
    assert "Set it to 1.0" in hint("funnel_rates", nan_first)
    assert "divides by the previous step" in hint(
        "funnel_rates", funnel.assign(overall_rate=funnel.step_rate))
    assert "`overall_rate` is in percent" in hint(
        "funnel_rates", funnel.assign(overall_rate=100 * funnel.overall_rate))
    assert "no column 'step_rate'" in hint("funnel_rates", funnel.drop(columns="step_rate"))


# --- Task 3 -------------------------------------------------------------------


def test_retention_passes_in_several_shapes(table):
    ok("retention", table)
    as_dates = table.copy()
    as_dates.index = pd.to_datetime(as_dates.index)
    ok("retention", as_dates)
    ok("retention", table.reset_index())
    ok("retention", table.rename(columns=str))


def test_retention_slips(table, events):
    assert "percentages" in hint("retention", 100 * table)
    sizes = events[events.event == "sign_up"].groupby(
        events.event_time.dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")).size()
    assert "merchant counts" in hint("retention", table.mul(sizes, axis=0))
    no_signup = table.copy()
    no_signup[0] = 0.8
    assert "column 0 should be 1.0" in hint("retention", no_signup)
    zeros = table.fillna(0)
    assert "has not reached yet" in hint("retention", zeros)
    assert "NaN" in hint("retention", zeros)
    shifted = table.copy()
    shifted.iloc[0, 3] += 0.05
    assert f"{table.index[0]} cohort in week 3 should be" in hint("retention", shifted)
    assert "calendar weeks" not in hint("retention", shifted)  # one odd cell is no evidence of 7-day periods
    from tpmcourse.labs.lab2_metrics import _cohorts_elapsed

    assert "calendar weeks" in hint("retention", _cohorts_elapsed())
    assert "looks rounded to 1 decimal" in hint("retention", table.round(1))
    ok("retention", table.round(2))  # as the solution displays it
    holes = table.copy()
    holes.iloc[2, 1] = np.nan
    assert "should be 0, not missing" in hint("retention", holes)
    assert "no row for the cohort" in hint("retention", table.iloc[1:])


# --- Task 4 -------------------------------------------------------------------


def test_sql_funnel(funnel, tmp_path):
    import duckdb

    ok("sql_funnel", funnel_duckdb(make_event_log()))
    path = write_events(make_event_log(), tmp_path / "events.csv")
    rows = duckdb.execute(f"""
        SELECT event AS step, COUNT(*) AS users FROM read_csv('{path}')
        GROUP BY event""").df().set_index("step").reindex(list(FUNNEL_EVENTS)).reset_index()
    assert "event rows, not merchants" in hint("sql_funnel", rows.assign(step_rate=1.0))
    unordered = duckdb.execute(f"""
        SELECT event AS step, COUNT(DISTINCT user_id) AS users FROM read_csv('{path}')
        GROUP BY event ORDER BY event""").df()
    assert "wrong order" in hint("sql_funnel", unordered.assign(step_rate=1.0))
    assert "integer division" in hint("sql_funnel", funnel.assign(step_rate=[1, 0, 0, 0]))
    null_first = funnel.assign(step_rate=[np.nan, *funnel.step_rate.iloc[1:].tolist()])
    assert "COALESCE" in hint("sql_funnel", null_first)
    assert "in percent" in hint("sql_funnel", funnel.assign(step_rate=100 * funnel.step_rate))


# --- Task 5 -------------------------------------------------------------------


def long_format(table: pd.DataFrame) -> pd.DataFrame:
    cells = table.stack()
    assert isinstance(cells, pd.Series)  # one level of columns: a Series of cells
    long = cells.dropna().rename("retained").reset_index()
    return long.rename(columns={"weeks_since_signup": "week"})


def test_sql_cohorts(table):
    long = long_format(table)
    ok("sql_cohorts", long)
    ok("sql_cohorts", long.assign(cohort_week=pd.to_datetime(long.cohort_week)))
    with_gaps = table.stack().rename("retained").reset_index()  # keeps the NaN cells
    assert with_gaps["retained"].isna().any()
    ok("sql_cohorts", with_gaps.rename(columns={"weeks_since_signup": "week"}))
    missing_week = long[~((long.cohort_week == table.index[0]) & (long.week == 4))]
    assert "should be" in hint("sql_cohorts", missing_week)
    assert "percentages" in hint("sql_cohorts", long.assign(retained=100 * long.retained))
    assert "GROUP BY both" in hint("sql_cohorts", pd.concat([long, long.iloc[:1]]))
    assert "whole weeks" in hint("sql_cohorts", long.assign(week=long.week + 0.5))
    nudged = long.copy()
    nudged.loc[5, "retained"] = nudged["retained"].loc[5] + 0.03
    assert "should be" in hint("sql_cohorts", nudged)
    from tpmcourse.labs.lab2_metrics import _cohorts_elapsed

    elapsed = long_format(_cohorts_elapsed())
    assert "DATE_TRUNC('week', event_time)" in hint("sql_cohorts", elapsed)
    assert "no column 'retained'" in hint("sql_cohorts", long.drop(columns="retained"))


# --- Task 6 -------------------------------------------------------------------


def test_lift_and_interval():
    lift = XT / NT - XC / NC  # 0.33915 - 0.31216 = 0.02699
    assert lift == pytest.approx(0.02699, abs=1e-5)
    ci = confint_proportions_2indep(XT, NT, XC, NC, compare="diff")
    assert "+2.7 percentage points" in ok("lift", lift, ci)
    ok("lift", lift, confint_proportions_2indep(XT, NT, XC, NC, compare="diff", method="wald"))
    ok("lift", lift, list(ci))
    # Wald by hand: se = sqrt(p1 q1 / n1 + p2 q2 / n2), 1.96 se either side.
    p1, p2 = XT / NT, XC / NC
    se = math.sqrt(p1 * (1 - p1) / NT + p2 * (1 - p2) / NC)
    ok("lift", lift, (lift - 1.959964 * se, lift + 1.959964 * se))


def test_lift_slips():
    lift = XT / NT - XC / NC
    ci = confint_proportions_2indep(XT, NT, XC, NC, compare="diff")
    assert "relative lift" in hint("lift", (XT / NT) / (XC / NC) - 1, ci)
    assert "percentage points" in hint("lift", 100 * lift, ci)
    assert "control minus treatment" in hint("lift", -lift, ci)
    assert "looks rounded to 2 decimals" in hint("lift", round(lift, 2), ci)
    swapped = confint_proportions_2indep(XC, NC, XT, NT, compare="diff")
    assert "control − treatment" in hint("lift", lift, swapped)
    assert "percentage points" in hint("lift", lift, tuple(100 * v for v in ci))
    assert "90% interval" in hint("lift", lift, confint_proportions_2indep(
        XT, NT, XC, NC, compare="diff", method="wald", alpha=0.10))
    assert "99% interval" in hint("lift", lift, confint_proportions_2indep(
        XT, NT, XC, NC, compare="diff", method="wald", alpha=0.01))
    assert "low end is above" in hint("lift", lift, ci[::-1])
    assert "exactly two numbers" in hint("lift", lift, (0.1, 0.2, 0.3))
    assert "does not contain the lift" in hint("lift", lift, (0.3, 0.35))


# --- Task 7 -------------------------------------------------------------------


def test_p_value():
    z, p = proportions_ztest([XT, XC], [NT, NC])
    assert p == pytest.approx(0.0100, abs=5e-4)
    assert "once in 100" in ok("p_value", p)
    assert "one-sided" in hint("p_value", p / 2)
    assert "1 − p" in hint("p_value", 1 - p)
    assert "z statistic" in hint("p_value", z)
    assert "sample-ratio" in hint("p_value", chisquare([NC, NT]).pvalue)
    from scipy.stats import chi2_contingency

    yates = chi2_contingency([[XT, NT - XT], [XC, NC - XC]])[1]
    assert "continuity correction" in hint("p_value", yates)


# --- Task 8 -------------------------------------------------------------------


def test_srm():
    # By hand: expected 4,000 each; chi2 = 2 * 46**2 / 4000 = 1.058 on 1 df.
    p = chi2.sf(2 * 46 ** 2 / 4000, 1)
    assert p == pytest.approx(0.3037, abs=1e-4)
    assert "4,046 vs 3,954" in ok("srm", p, False)
    ok("srm", np.float64(p), np.bool_(False))
    ok("srm", binomtest(NT, NT + NC).pvalue, False)
    assert "srm_flag` is False" in hint("srm", p, True)
    assert "True or False" in hint("srm", p, "no")
    assert "ASSIGNED" in hint("srm", chisquare([XC, XT]).pvalue, False)
    assert "shares" in hint("srm", chisquare([0.5, 0.5]).pvalue, False)
    assert "conversion test" in hint("srm", proportions_ztest([XT, XC], [NT, NC])[1], False)


# --- Task 9 -------------------------------------------------------------------


def test_sample_size():
    base = XC / NC
    h = proportion_effectsize(base + 0.02, base)
    # Cohen's h by hand: 2 asin(sqrt(p1)) - 2 asin(sqrt(p0)).
    assert h == pytest.approx(2 * math.asin(math.sqrt(base + 0.02)) - 2 * math.asin(math.sqrt(base)))
    n = NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1)
    # Normal approximation by hand: n per group = 2 ((z_0.975 + z_0.8) / h)^2.
    assert n == pytest.approx(2 * ((1.959964 + 0.841621) / h) ** 2, rel=1e-4)
    assert math.ceil(n) == 8569
    assert "8,569 merchants per group" in ok("sample_size", math.ceil(n))
    ok("sample_size", n)
    assert "total for both groups" in hint("sample_size", 2 * math.ceil(n))
    assert "90% power" in hint("sample_size", lab2_metrics.expected_sample_size(power=0.9))
    assert "one-sided" in hint("sample_size", lab2_metrics.expected_sample_size(alternative="larger"))
    assert "RELATIVE" in hint("sample_size", lab2_metrics.expected_sample_size(mde=0.02 * base))
    assert "treatment's" in hint("sample_size", lab2_metrics.expected_sample_size(baseline=XT / NT))
    assert "pooled" in hint("sample_size", lab2_metrics.expected_sample_size(baseline=(XT + XC) / (NT + NC)))
    raw = NormalIndPower().solve_power(0.02, alpha=0.05, power=0.8, ratio=1)
    assert "Cohen's h" in hint("sample_size", raw)


# --- Task 10 ------------------------------------------------------------------

GOOD_MEMO = (
    "Ship the checklist to all new merchants behind a feature flag. Treatment converted 33.9% "
    "against 31.2% in control, a lift of 2.7 points with a 95% interval of 0.6 to 4.8 points and "
    "p = 0.010. The split of 4,046 to 3,954 passes the sample ratio check and support contacts "
    "stayed at 13% in both groups, so the guardrail held. The test was underpowered for a two "
    "point effect, so I expect the true lift to be nearer one point, but the change is cheap and "
    "easy to reverse. After launch we will watch activation by weekly cohort, week four retention "
    "and support load, and we will size the next onboarding test before it starts."
)


def test_recommendation():
    assert "rubric" in ok("recommendation", GOOD_MEMO)
    assert "words" in hint("recommendation", "Ship it: lift 2.7 points, p 0.01.")
    no_numbers = " ".join(w for w in GOOD_MEMO.split() if not any(ch.isdigit() for ch in w))
    assert "fewer than two" in hint("recommendation", no_numbers)
    no_decision = (GOOD_MEMO.replace("Ship", "Consider").replace("launch", "that")
                   .replace("start", "begin").replace("we will watch", "the team can watch")
                   .replace("we will size", "the next test can be sized"))
    assert "state the decision" in hint("recommendation", no_decision)
    assert "should be a string" in hint("recommendation", ["Ship"] * 100)
