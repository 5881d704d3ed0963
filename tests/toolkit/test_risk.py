"""Unit tests for tpmcourse.risk: scores, bands, expected cost, PERT and the
risk-matrix chart, with values worked out by hand."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from tpmcourse import risk


@pytest.fixture
def register() -> pd.DataFrame:
    """Three risks, one row each, as a register is written."""
    rows = [("R1", 3, 5, 0.25, 1_800_000), ("R2", 4, 2, 0.5, 40_000), ("R3", 3, 5, 0.1, 600_000)]
    return pd.DataFrame(rows, columns=["id", "likelihood", "impact", "probability", "cost"])


def test_risk_score(register):
    assert risk.risk_score(register).tolist() == [15, 8, 15]


@pytest.mark.parametrize("bad", [0, 6, 2.5])
def test_risk_score_refuses_off_scale(register, bad):
    register["likelihood"] = register["likelihood"].astype(float)
    register.loc[1, "likelihood"] = bad
    with pytest.raises(ValueError, match="1 to 5"):
        risk.risk_score(register)


def test_risk_score_missing_column(register):
    with pytest.raises(ValueError, match="impact"):
        risk.risk_score(register.drop(columns="impact"))


def test_risk_score_nan(register):
    register["impact"] = register["impact"].astype(float)
    register.loc[0, "impact"] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        risk.risk_score(register)


@pytest.mark.parametrize(
    ("score", "level"),
    [(1, "low"), (4, "low"), (5, "medium"), (9, "medium"), (10, "high"),
     (16, "high"), (20, "critical"), (25, "critical")],
)
def test_risk_level_bands(score, level):
    assert risk.risk_level(score) == level


def test_risk_level_series_and_errors():
    assert risk.risk_level(pd.Series([2, 12])).tolist() == ["low", "high"]
    with pytest.raises(ValueError, match="between 1 and 25"):
        risk.risk_level(30)
    with pytest.raises(TypeError):
        risk.risk_level("high")  # type: ignore[call-overload]  # wrong type on purpose


def test_expected_cost(register):
    assert risk.expected_cost(register).tolist() == pytest.approx([450_000, 20_000, 60_000])


def test_expected_cost_refuses_percent(register):
    register["probability"] = [25, 50, 10]
    with pytest.raises(ValueError, match="between 0 and 1"):
        risk.expected_cost(register)


def test_expected_cost_needs_dataframe():
    with pytest.raises(TypeError, match="df should be a pandas DataFrame, not None"):
        risk.expected_cost(None)  # type: ignore[arg-type]  # wrong type on purpose


def test_pert_hand_computed():
    est = risk.pert(2, 3, 6)
    assert est.mean == pytest.approx((2 + 12 + 6) / 6)
    assert est.sd == pytest.approx(4 / 6)
    assert est.variance == pytest.approx(16 / 36)


def test_pert_refuses_wrong_order_and_types():
    with pytest.raises(ValueError, match="optimistic <= most_likely <= pessimistic"):
        risk.pert(5, 3, 8)
    with pytest.raises(TypeError):
        risk.pert("2", 3, 6)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="NaN"):
        risk.pert(float("nan"), 3, 6)


def test_pert_table_and_total():
    tasks = pd.DataFrame(
        {"optimistic": [2, 5], "most_likely": [3, 8], "pessimistic": [6, 14]}
    )
    table = risk.pert_table(tasks)
    assert table["mean"].tolist() == pytest.approx([20 / 6, 8.5])
    total = risk.pert_total(tasks)
    assert total.mean == pytest.approx(20 / 6 + 8.5)
    assert total.sd == pytest.approx(math.sqrt((4 / 6) ** 2 + 1.5**2))


def test_probability_within():
    est = risk.PertEstimate(mean=20.0, sd=2.0)
    assert risk.probability_within(est, 20) == pytest.approx(0.5)
    assert risk.probability_within(est, 24) == pytest.approx(0.97725, abs=1e-4)
    assert risk.probability_within(risk.PertEstimate(5.0, 0.0), 4) == 0.0
    with pytest.raises(TypeError):
        risk.probability_within((20, 2), 24)  # type: ignore[arg-type]  # wrong type on purpose


def test_plot_risk_matrix_labels_every_risk(register):
    ax = risk.plot_risk_matrix(register)
    labels = {t.get_text() for t in ax.texts}
    assert {"R1", "R2", "R3"} <= labels
    # R1 and R3 share a cell, so they must be drawn at different heights
    points = [np.asarray(line.get_ydata())[0] for line in ax.get_lines()]
    assert len(points) == 3 and len(set(points)) == 3
    plt.close("all")
