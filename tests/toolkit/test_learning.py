"""Unit tests for tpmcourse.learning: expected values are worked out by hand."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math

import numpy as np
import pandas as pd
import pytest

from tpmcourse import learning
from tpmcourse.paths import DATA


@pytest.fixture
def matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {"Arch": [3, 0], "Data": [2, 3], "Users": [1, 0]}, index=["CS", "Math"]
    )


@pytest.fixture
def levels() -> pd.DataFrame:
    rows = [("Arch", 1, 3, 1), ("Writing", 2, 3, 3), ("Users", 3, 2, 2), ("Data", 0, 1, 1)]
    return pd.DataFrame(rows, columns=["skill", "current", "target", "weight"])


@pytest.fixture
def plan() -> pd.DataFrame:
    return pd.DataFrame({
        "activity": ["Course", "Project", "Mentor"],
        "track": ["formal", "experience", "social"],
        "start_week": [1, 2, 1],
        "n_weeks": [2, 2, 4],
        "hours_per_week": [3, 4, 0.5],
    })


# ------------------------------------------------------------------ coverage
def test_coverage_summary_values(matrix):
    out = learning.coverage_summary(matrix)
    # CS: (3+2+1)/9 = 66.7% -> 67; Math: 3/9 = 33.3% -> 33
    assert out.loc["CS", "coverage_pct"] == 67
    assert out.loc["Math", "coverage_pct"] == 33
    assert out.loc["CS", "strong"] == 1 and out.loc["Math", "strong"] == 1
    assert out.loc["CS", "gaps"] == "Users"
    assert out.loc["Math", "gaps"] == "Arch, Users"
    assert list(out.index) == ["CS", "Math"]


def test_coverage_summary_no_gaps_says_none():
    out = learning.coverage_summary(pd.DataFrame({"A": [3], "B": [2]}, index=["X"]))
    assert out.loc["X", "gaps"] == "none"


@pytest.mark.parametrize("bad, error", [
    (None, TypeError),
    ([[1, 2]], TypeError),
    (pd.DataFrame(), ValueError),
    (pd.DataFrame({"A": [4]}), ValueError),
    (pd.DataFrame({"A": [-1]}), ValueError),
    (pd.DataFrame({"A": [np.nan, 1]}), ValueError),
    (pd.DataFrame({"A": ["high"]}), TypeError),
])
def test_coverage_summary_rejects_bad_input(bad, error):
    with pytest.raises(error):
        learning.coverage_summary(bad)


def test_course_matrix_file_is_valid():
    m = pd.read_csv(DATA / "ch04_skills_matrix.csv", index_col="major")
    out = learning.coverage_summary(m)
    assert m.shape == (8, 7)
    assert out.index[0] == "Information systems"  # (2+2+2+1+2+2+1)/21 = 57%
    assert out.loc["Information systems", "coverage_pct"] == 57


def test_plot_skills_matrix_annotates_every_cell(matrix):
    ax = learning.plot_skills_matrix(matrix, "t")
    labels = [t.get_text() for t in ax.texts]
    assert sorted(labels) == sorted(["3", "2", "1", "0", "3", "0"])
    with pytest.raises(TypeError):
        learning.plot_skills_matrix(matrix, "")


# ------------------------------------------------------------------- payback
def test_payback_schedule_by_hand():
    s = learning.payback_schedule(100, 2, 10, 40, horizon_years=5)
    # years 1-2: -(50 + 10) = -60 each; years 3-5: +40 each
    assert s["cash_flow"].tolist() == [-60, -60, 40, 40, 40]
    assert s["cumulative"].tolist() == [-60, -120, -80, -40, 0]
    assert learning.break_even_year(s) == 5


def test_payback_schedule_discounts():
    s = learning.payback_schedule(100, 1, 0, 110, horizon_years=2, discount_rate=0.1)
    # year 1: -100/1.1 = -90.9; year 2: 110/1.21 = 90.9
    assert s["cash_flow"].tolist() == [-91, 91]
    assert s["cumulative"].iloc[-1] == 0


def test_break_even_none_when_never_paid():
    s = learning.payback_schedule(1000, 1, 0, 10, horizon_years=3)
    assert learning.break_even_year(s) is None


@pytest.mark.parametrize("kwargs, error", [
    ({"tuition": None}, TypeError),
    ({"tuition": float("nan")}, ValueError),
    ({"tuition": -1}, ValueError),
    ({"study_years": 0}, ValueError),
    ({"study_years": 1.5}, TypeError),
    ({"horizon_years": 2}, ValueError),
    ({"discount_rate": 5}, ValueError),
    ({"uplift_per_year": "lots"}, TypeError),
])
def test_payback_schedule_rejects_bad_input(kwargs, error):
    args = {"tuition": 100, "study_years": 2, "forgone_income_per_year": 0,
            "uplift_per_year": 10, "horizon_years": 5}
    args.update(kwargs)
    with pytest.raises(error):
        learning.payback_schedule(**args)


def test_compare_programs():
    programs = pd.DataFrame({
        "program": ["A", "B"], "tuition": [100, 1000], "study_years": [2, 1],
        "forgone_income_per_year": [10, 0], "uplift_per_year": [40, 10],
    })
    out = learning.compare_programs(programs, horizon_years=5)
    assert out["total_outlay"].tolist() == [120, 1000]
    assert out["position_year_5"].tolist() == [0, -960]
    assert out.loc[0, "break_even_year"] == 5
    assert pd.isna(out["break_even_year"].loc[1])
    with pytest.raises(ValueError, match="programs has no column 'tuition'"):
        learning.compare_programs(programs.drop(columns="tuition"))


# ---------------------------------------------------------------- skills gap
def test_skills_gap_order_and_values(levels):
    out = learning.skills_gap(levels)
    # Writing 1*3=3, Arch 2*1=2, Data 1*1=1, Users surplus -> 0
    assert out["skill"].tolist() == ["Writing", "Arch", "Data", "Users"]
    assert out["gap"].tolist() == [1, 2, 1, 0]
    assert out["weighted_gap"].tolist() == [3, 2, 1, 0]


def test_skills_gap_default_weight(levels):
    out = learning.skills_gap(levels.drop(columns="weight"))
    assert out["weight"].tolist() == [1.0] * 4
    assert out["skill"].tolist()[0] == "Arch"


def test_readiness_pct(levels):
    # reached: min(1,3)*1 + min(2,3)*3 + min(3,2)*2 + min(0,1)*1 = 1+6+4+0 = 11
    # wanted: 3*1 + 3*3 + 2*2 + 1*1 = 17 -> 64.7%
    assert learning.readiness_pct(levels) == 64.7


@pytest.mark.parametrize("mutate, error", [
    (lambda d: d.drop(columns="target"), ValueError),
    (lambda d: d.assign(current=[1, 2, np.nan, 0]), ValueError),
    (lambda d: d.assign(target=[5, 3, 2, 1]), ValueError),
    (lambda d: d.assign(weight=[0, 1, 1, 1]), ValueError),
    (lambda d: d.assign(skill=["A", "A", "B", "C"]), ValueError),
    (lambda d: d.assign(current=["low", "a", "b", "c"]), TypeError),
    (lambda d: d.iloc[0:0], ValueError),
])
def test_skills_gap_rejects_bad_input(levels, mutate, error):
    with pytest.raises(error):
        learning.skills_gap(mutate(levels))


def test_skills_gap_rejects_none():
    with pytest.raises(TypeError):
        learning.skills_gap(None)  # type: ignore[arg-type]  # wrong type on purpose


# -------------------------------------------------------------------- plans
def test_weekly_hours(plan):
    out = learning.weekly_hours(plan)
    # wk1: 3+0.5, wk2: 3+4+0.5, wk3: 4+0.5, wk4: 0.5
    assert out["hours"].tolist() == [3.5, 7.5, 4.5, 0.5]
    assert out["cumulative_hours"].tolist() == [3.5, 11.0, 15.5, 16.0]


def test_weekly_hours_fills_empty_weeks():
    plan = pd.DataFrame({"activity": ["a"], "track": ["t"], "start_week": [3],
                         "n_weeks": [1], "hours_per_week": [2]})
    assert learning.weekly_hours(plan)["hours"].tolist() == [0, 0, 2]


def test_hours_by_track(plan):
    out = learning.hours_by_track(plan)
    # experience 8, formal 6, social 2 of 16
    assert out["track"].tolist() == ["experience", "formal", "social"]
    assert out["hours"].tolist() == [8, 6, 2]
    assert out["share_pct"].tolist() == [50, 38, 12]


@pytest.mark.parametrize("mutate", [
    lambda d: d.assign(start_week=[0, 2, 1]),
    lambda d: d.assign(n_weeks=[1.5, 2, 4]),
    lambda d: d.assign(hours_per_week=[3, -1, 0.5]),
    lambda d: d.assign(hours_per_week=[3, np.nan, 0.5]),
    lambda d: d.drop(columns="track"),
])
def test_plan_rejects_bad_input(plan, mutate):
    with pytest.raises(ValueError):
        learning.weekly_hours(mutate(plan))


def test_course_plan_file_totals():
    plan = pd.read_csv(DATA / "ch05_tom_plan.csv")
    weeks = learning.weekly_hours(plan)
    assert len(weeks) == 12
    assert math.isclose(weeks["cumulative_hours"].iloc[-1], 80.0)


def test_plots_return_objects(plan, levels):
    fig = learning.plot_plan(plan, "Plan")
    assert len(fig.axes) == 2
    ax = learning.plot_skills_gap(levels, "Gap")
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "Writing"


def test_coverage_summary_accepts_non_string_columns():
    out = learning.coverage_summary(pd.DataFrame([[0, 3]], columns=[1, 2], index=["X"]))
    # (0 + 3) / 6 = 50%; column 1 scores below 2
    assert out.loc["X", "coverage_pct"] == 50
    assert out.loc["X", "gaps"] == "1"


# ------------------------------------------------------------------ 70-20-10
def test_compare_with_70_20_10_values(plan):
    out = learning.compare_with_70_20_10(plan).set_index("track")
    # formal 2x3 = 6, experience 2x4 = 8, social 4x0.5 = 2: 16 hours in all
    assert list(out.index) == ["experience", "social", "formal"]
    assert out.loc["experience", "hours"] == 8 and out.loc["experience", "share_pct"] == 50
    assert out.loc["experience", "model_hours"] == 11.2 and out.loc["experience", "hours_off"] == -3.2
    assert out.loc["social", "model_hours"] == 3.2 and out.loc["social", "hours_off"] == -1.2
    assert out.loc["formal", "model_hours"] == 1.6 and out.loc["formal", "hours_off"] == 4.4
    assert out["hours_off"].sum() == pytest.approx(0)


def test_compare_with_70_20_10_missing_track_is_zero(plan):
    out = learning.compare_with_70_20_10(plan[plan["track"] != "social"]).set_index("track")
    assert out.loc["social", "hours"] == 0 and out.loc["social", "share_pct"] == 0
    assert out.loc["social", "model_hours"] == 2.8  # 20% of 14 hours


def test_compare_with_70_20_10_rejects_bad_input(plan):
    with pytest.raises(ValueError, match=r"track\(s\) \['reading'\]"):
        learning.compare_with_70_20_10(plan.assign(track=["reading", "experience", "social"]))
    with pytest.raises(TypeError, match="plan should be a pandas DataFrame"):
        learning.compare_with_70_20_10(None)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="empty table"):
        learning.compare_with_70_20_10(plan.iloc[0:0])
    with pytest.raises(ValueError, match="hours_per_week"):
        learning.compare_with_70_20_10(plan.assign(hours_per_week=[3, math.nan, 1]))
