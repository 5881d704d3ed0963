"""Unit tests for tpmcourse.prioritization: hand-computed scores and the
learner-facing errors for bad backlog tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tpmcourse.paths import DATA
from tpmcourse.prioritization import (
    cd3,
    cost_of_delay,
    moscow_categories,
    moscow_summary,
    plot_rank_comparison,
    rank,
    rice,
    wsjf,
)


@pytest.fixture
def backlog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "reach": [1000, 200, 5000],
            "impact": [2, 3, 0.5],
            "confidence": [0.8, 0.5, 1.0],
            "effort": [4, 1, 2.5],
            "business_value": [8, 13, 3],
            "time_criticality": [20, 2, 1],
            "risk_reduction": [5, 1, 8],
            "job_size": [8, 3, 2],
            "moscow": ["Must", "s", "Won't have this time"],
        }
    )


# --- RICE ---------------------------------------------------------------

def test_rice_hand_computed(backlog):
    # A: 1000*2*0.8/4 = 400; B: 200*3*0.5/1 = 300; C: 5000*0.5*1/2.5 = 1000
    assert rice(backlog).tolist() == pytest.approx([400.0, 300.0, 1000.0])


def test_rice_custom_column_names(backlog):
    renamed = backlog.rename(columns={"reach": "users_per_quarter"})
    assert rice(renamed, reach="users_per_quarter").iloc[0] == pytest.approx(400.0)


def test_rice_refuses_percent_confidence(backlog):
    backlog.loc[1, "confidence"] = 80
    with pytest.raises(ValueError, match="between 0 and 1"):
        rice(backlog)


@pytest.mark.parametrize("bad", [0, -1])
def test_rice_refuses_zero_or_negative_effort(backlog, bad):
    backlog.loc[0, "effort"] = bad
    with pytest.raises(ValueError, match=r"column 'effort' of df must be more than 0 \(the score divides by it\)"):
        rice(backlog)


def test_rice_refuses_negative_reach(backlog):
    backlog.loc[2, "reach"] = -5
    with pytest.raises(ValueError, match=r"column 'reach' of df must be at least 0; see row\(s\) \[2\]"):
        rice(backlog)


def test_rice_missing_column_is_named(backlog):
    with pytest.raises(ValueError, match="confidence"):
        rice(backlog.drop(columns="confidence"))


def test_rice_nan_is_refused_with_row(backlog):
    backlog.loc[1, "impact"] = np.nan
    with pytest.raises(ValueError, match=r"column 'impact' of df has 1 missing \(NaN\) value\(s\), in rows \[1\]"):
        rice(backlog)


def test_rice_text_column_is_refused(backlog):
    backlog["effort"] = ["4 weeks", "1 week", "2 weeks"]
    with pytest.raises(TypeError, match=r"column 'effort' of df holds text, not numbers .*remove the quotes"):
        rice(backlog)


@pytest.mark.parametrize("bad", [None, [1, 2, 3], {"reach": [1]}])
def test_rice_needs_a_dataframe(bad):
    with pytest.raises(TypeError, match="DataFrame"):
        rice(bad)


def test_rice_empty_table():
    empty = pd.DataFrame(columns=["reach", "impact", "confidence", "effort"])
    with pytest.raises(ValueError, match="empty"):
        rice(empty)


# --- Cost of delay, WSJF, CD3 ---------------------------------------------

def test_cost_of_delay_sums_three_parts(backlog):
    assert cost_of_delay(backlog).tolist() == [33.0, 16.0, 12.0]


def test_wsjf_hand_computed(backlog):
    # 33/8 = 4.125; 16/3 = 5.333...; 12/2 = 6
    assert wsjf(backlog).tolist() == pytest.approx([4.125, 16 / 3, 6.0])


def test_wsjf_refuses_zero_job_size(backlog):
    backlog.loc[2, "job_size"] = 0
    with pytest.raises(ValueError, match="column 'job_size' of df must be more than 0"):
        wsjf(backlog)


def test_cd3_hand_computed():
    df = pd.DataFrame({"cod_per_week": [23_500, 16_500], "duration_weeks": [16, 4]})
    assert cd3(df).tolist() == pytest.approx([1468.75, 4125.0])


def test_cd3_refuses_zero_duration():
    df = pd.DataFrame({"cod_per_week": [100], "duration_weeks": [0]})
    with pytest.raises(ValueError, match="duration"):
        cd3(df)


# --- rank ---------------------------------------------------------------

def test_rank_highest_first_with_ties():
    s = pd.Series([10.0, 30.0, 30.0, 5.0], name="rice")
    r = rank(s)
    assert r.tolist() == [3, 1, 1, 4]
    assert r.name == "rice_rank"


def test_rank_ascending():
    assert rank(pd.Series([3, 1, 2]), ascending=True).tolist() == [3, 1, 2]


def test_rank_refuses_nan_and_non_series():
    with pytest.raises(ValueError, match="NaN"):
        rank(pd.Series([1.0, np.nan]))
    with pytest.raises(TypeError, match="Series"):
        rank([1, 2, 3])  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="scores is empty"):
        rank(pd.Series([], dtype=float))


# --- MoSCoW -------------------------------------------------------------

def test_moscow_categories_normalizes_spellings(backlog):
    cats = moscow_categories(backlog)
    assert cats.tolist() == ["Must", "Should", "Won't"]
    assert cats.cat.ordered and list(cats.cat.categories) == ["Must", "Should", "Could", "Won't"]


def test_moscow_summary_needs_in_scope_effort(backlog):
    only_wont = backlog.assign(moscow=["W", "W", "W"])
    with pytest.raises(ValueError, match="no timebox"):
        moscow_summary(only_wont)


def test_moscow_refuses_unknown_label(backlog):
    backlog.loc[0, "moscow"] = "Nice to have"
    with pytest.raises(ValueError, match="Nice to have"):
        moscow_categories(backlog)


def test_moscow_summary_shares(backlog):
    table = moscow_summary(backlog)
    # Must 4 and Should 1 make a timebox of 5; the Won't item (2.5) is out of it
    assert list(table.index) == ["Must", "Should", "Could", "Won't"]
    assert table["effort"].tolist() == [4.0, 1.0, 0.0, 2.5]
    assert table["share_of_timebox"].tolist() == pytest.approx([0.8, 0.2, 0.0, 0.0])
    assert table["items"].tolist() == [1, 1, 0, 1]


# --- Course data and chart -------------------------------------------------

def test_course_backlog_rankings():
    df = pd.read_csv(DATA / "larkspur_backlog_small.csv")
    assert len(df) == 9
    by_id = df.set_index("id")
    assert rice(by_id)["PROC"] == pytest.approx(30000 * 0.5 * 1.0 / 22)  # reach in merchants, effort 22 person-months
    assert wsjf(by_id)["PROC"] == pytest.approx(41 / 8)
    assert rank(rice(by_id)).idxmin() == "REMIND"
    assert rank(wsjf(by_id)).idxmin() == "PROC"


def test_plot_rank_comparison_draws_one_line_per_item():
    left = pd.Series([1, 2, 3])
    right = pd.Series([3, 1, 2])
    ax = plot_rank_comparison(left, right, pd.Series(["a", "b", "c"]))
    assert len(ax.get_lines()) == 3
    plt.close("all")


def test_plot_rank_comparison_checks_alignment():
    with pytest.raises(ValueError, match="same items"):
        plot_rank_comparison(pd.Series([1, 2]), pd.Series([1, 2], index=[5, 6]),
                             pd.Series(["a", "b"]))
