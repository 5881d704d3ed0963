"""Unit tests for tpmcourse.labs.lab5_planning_helpers: forward pass, critical path, Monte Carlo
draws and working-day dates, with values worked out by hand."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tpmcourse.labs.lab5_planning_helpers import (
    critical_path,
    criticality,
    draw_durations,
    earliest_finish,
    percentile_table,
    plot_finish_distribution,
    predecessors,
    project_duration,
    simulate,
    topological_order,
    working_day_date,
    working_days_until,
)


@pytest.fixture
def plan() -> pd.DataFrame:
    # A -> B -> D and A -> C -> D: two parallel branches between A and D.
    return pd.DataFrame({
        "id": ["A", "B", "C", "D"],
        "optimistic": [1, 2, 1, 1],
        "most_likely": [2, 4, 3, 1],
        "pessimistic": [3, 6, 11, 2],
        "predecessors": [np.nan, "A", "A", "B;C"],
    })


def test_predecessors_parses_empty_and_lists(plan):
    assert predecessors(plan) == {"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]}


def test_predecessors_rejects_unknown_and_self(plan):
    plan.loc[3, "predecessors"] = "B;Z"
    with pytest.raises(ValueError, match="unknown"):
        predecessors(plan)
    plan.loc[3, "predecessors"] = "D"
    with pytest.raises(ValueError, match="itself"):
        predecessors(plan)


def test_topological_order_and_cycle(plan):
    assert topological_order(plan.iloc[::-1]) == ["A", "C", "B", "D"]
    plan.loc[0, "predecessors"] = "D"
    with pytest.raises(ValueError, match=r"cycle: [A-D] -> [A-D] -> [A-D] -> [A-D]\."):
        topological_order(plan)


def test_earliest_finish_one_scenario(plan):
    # A 2; B 2+4=6; C 2+3=5; D max(6,5)+1=7
    assert earliest_finish(plan, [2, 4, 3, 1]).tolist() == [2, 6, 5, 7]
    assert project_duration(plan, [2, 4, 3, 1]) == 7


def test_earliest_finish_many_scenarios(plan):
    durations = np.array([[2, 4, 3, 1], [2, 4, 9, 1]])
    lengths = project_duration(plan, durations)
    assert isinstance(lengths, np.ndarray)  # one length per scenario
    assert lengths.tolist() == [7, 12]


def test_critical_path_switches_branch(plan):
    assert critical_path(plan, [2, 4, 3, 1]) == ["A", "B", "D"]
    assert critical_path(plan, [2, 4, 9, 1]) == ["A", "C", "D"]
    assert critical_path(plan, pd.Series([2, 4, 4, 1])) == ["A", "B", "D"]  # tie: earlier row


def test_criticality_shares(plan):
    shares = criticality(plan, np.array([[2, 4, 3, 1], [2, 4, 9, 1]]))
    assert shares.to_dict() == {"A": 1.0, "B": 0.5, "C": 0.5, "D": 1.0}


@pytest.mark.parametrize("bad", [[1, 2, 3], [[1, 2, 3]], [1, 2, np.nan, 1], [1, -2, 3, 1]])
def test_bad_durations_are_refused(plan, bad):
    with pytest.raises(ValueError):
        earliest_finish(plan, bad)


def test_critical_path_needs_one_scenario(plan):
    with pytest.raises(ValueError, match="1-D"):
        critical_path(plan, np.ones((2, 4)))


def test_draw_durations_triangular_is_one_numpy_call(plan):
    expected = np.random.default_rng(7).triangular(
        plan["optimistic"], plan["most_likely"], plan["pessimistic"], size=(50, 4))
    np.testing.assert_array_equal(draw_durations(plan, 50, seed=7), expected)


def test_draws_stay_in_range_and_have_the_right_means(plan):
    for method, mean_c in [("triangular", (1 + 3 + 11) / 3), ("pert", (1 + 12 + 11) / 6)]:
        draws = draw_durations(plan, 40_000, seed=1, method=method)
        assert draws.shape == (40_000, 4)
        assert (draws >= plan["optimistic"].to_numpy()).all()
        assert (draws <= plan["pessimistic"].to_numpy()).all()
        assert abs(draws[:, 2].mean() - mean_c) < 0.05


def test_draw_durations_refuses_bad_input(plan):
    with pytest.raises(ValueError, match="method"):
        draw_durations(plan, 10, method="normal")
    with pytest.raises(ValueError, match="n must be at least 1"):
        draw_durations(plan, 0)
    flipped = plan.assign(optimistic=plan["pessimistic"], pessimistic=plan["optimistic"])
    with pytest.raises(ValueError, match="optimistic"):
        draw_durations(flipped, 10)
    with pytest.raises(TypeError):
        draw_durations(None, 10)  # type: ignore[arg-type]  # wrong type on purpose


def test_simulate_is_longest_path_not_sum(plan):
    sims = simulate(plan, 2_000, seed=3)
    draws = draw_durations(plan, 2_000, seed=3)
    np.testing.assert_allclose(sims, draws[:, 0] + np.maximum(draws[:, 1], draws[:, 2]) + draws[:, 3])
    assert (sims < draws.sum(axis=1)).all()


def test_working_days():
    # Monday 23 Feb 2026 to Friday 27 Feb 2026: 5 working days, both ends included.
    assert working_days_until("2026-02-23", "2026-02-27") == 5
    assert working_days_until("2026-02-23", "2026-03-02") == 6  # skips the weekend
    assert working_day_date("2026-02-23", 1) == pd.Timestamp("2026-02-23")
    assert working_day_date("2026-02-23", 5) == pd.Timestamp("2026-02-27")
    assert working_day_date("2026-02-23", 5.2) == pd.Timestamp("2026-03-02")
    assert working_day_date("2026-02-21", 1) == pd.Timestamp("2026-02-23")  # a Saturday start rolls on
    days = working_days_until("2026-02-23", "2026-06-30")
    assert working_day_date("2026-02-23", days) == pd.Timestamp("2026-06-30")


@pytest.mark.parametrize("bad", [-1, float("nan"), "5", None, True])
def test_working_day_date_refuses_bad_days(bad):
    with pytest.raises((TypeError, ValueError)):
        working_day_date("2026-02-23", bad)


def test_percentile_table():
    sims = np.arange(1, 101, dtype=float)  # 1..100 working days
    table = percentile_table(sims, 50, "2026-02-23", levels=(50, 85))
    assert table["confidence"].tolist() == ["50%", "85%", "50% (deadline)"]
    assert table["working_days"].tolist() == [50.5, 85.1, 50.0]  # 1 + 0.85 × 99 = 85.15
    assert table["finished_by"].iloc[-1] == working_day_date("2026-02-23", 50).date().isoformat()


def test_plot_finish_distribution_draws_lines_and_legend():
    sims = np.random.default_rng(0).normal(90, 6, 1_000)
    ax = plot_finish_distribution(sims, 92)
    xs = [float(np.asarray(line.get_xdata())[0]) for line in ax.get_lines()]
    assert 92 in xs and any(abs(x - np.percentile(sims, 85)) < 1e-9 for x in xs)
    legend = plt.gcf().axes[1].get_legend()
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("Deadline" in t for t in texts) and any("85%" in t for t in texts)
    plt.close("all")
    with pytest.raises(ValueError):
        plot_finish_distribution([], 92)
