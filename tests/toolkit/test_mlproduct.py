import math

import numpy as np
import pandas as pd
import pytest

from tpmcourse.mlproduct import best_threshold, synthetic_scores, threshold_table

Y = [1, 1, 0, 0, 1, 0]
S = [0.9, 0.6, 0.7, 0.2, 0.3, 0.1]


def test_threshold_table_by_hand():
    t = threshold_table(Y, S, [0.5, 0.25], cost_fp=10, cost_fn=100)
    half, quarter = t.iloc[0], t.iloc[1]  # one row per threshold, in the order given
    # at 0.5: flagged 0.9(tp) 0.6(tp) 0.7(fp); missed 0.3 (fn)
    assert half["threshold"] == 0.5
    assert half[["tp", "fp", "fn", "tn"]].tolist() == [2, 1, 1, 2]
    assert half["precision"] == pytest.approx(0.667)
    assert half["recall"] == pytest.approx(0.667)
    assert half["cost"] == 110
    # at 0.25: all three frauds caught, one more false alarm
    assert quarter["threshold"] == 0.25
    assert quarter[["tp", "fp", "fn", "tn"]].tolist() == [3, 1, 0, 2]
    assert quarter["cost"] == 10


def test_best_threshold_picks_lowest_cost_and_breaks_ties_low():
    t = threshold_table(Y, S, [0.5, 0.25], cost_fp=10, cost_fn=100)
    assert best_threshold(t)["threshold"] == 0.25
    tie = pd.DataFrame({"threshold": [0.6, 0.4], "cost": [5.0, 5.0]})
    assert best_threshold(tie)["threshold"] == 0.4


def test_costs_change_the_best_threshold():
    d = synthetic_scores()
    grid = np.round(np.arange(0.1, 0.95, 0.05), 2)
    expensive_misses = best_threshold(threshold_table(d.is_fraud, d.score, grid, 25, 400))
    cheap_misses = best_threshold(threshold_table(d.is_fraud, d.score, grid, 25, 150))
    assert expensive_misses["threshold"] < cheap_misses["threshold"]


def test_precision_nan_when_nothing_flagged():
    row = threshold_table(Y, S, [0.95], 1, 1).iloc[0]
    assert math.isnan(row["precision"])
    assert row["recall"] == 0


def test_synthetic_scores_deterministic():
    a, b = synthetic_scores(100, seed=3), synthetic_scores(100, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["score"].between(0, 1).all()
    assert set(a["is_fraud"]) <= {0, 1}
    with pytest.raises(ValueError):
        synthetic_scores(5)
    with pytest.raises(ValueError):
        synthetic_scores(100, fraud_rate=1.5)
    with pytest.raises(TypeError):
        synthetic_scores("100")  # type: ignore[arg-type]  # wrong type on purpose


@pytest.mark.parametrize(
    "y, s, exc",
    [
        (None, S, TypeError),
        (Y, "abc", TypeError),
        ([], [], ValueError),
        (Y, S[:-1], ValueError),
        ([1, 0, 2], [0.1, 0.2, 0.3], ValueError),
        ([1, 0], [0.1, float("nan")], ValueError),
    ],
)
def test_threshold_table_rejects_bad_input(y, s, exc):
    with pytest.raises(exc):
        threshold_table(y, s, [0.5], 1, 1)


def test_bad_costs_and_thresholds():
    with pytest.raises(ValueError):
        threshold_table(Y, S, [0.5], -1, 1)
    with pytest.raises(TypeError):
        threshold_table(Y, S, [0.5], None, 1)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError):
        threshold_table(Y, S, [], 1, 1)
    with pytest.raises(TypeError):
        best_threshold([1, 2])  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError):
        best_threshold(pd.DataFrame({"threshold": [0.5]}))
    with pytest.raises(ValueError):
        best_threshold(pd.DataFrame(columns=["threshold", "cost"]))
