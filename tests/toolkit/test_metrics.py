import pandas as pd
import pytest

from tpmcourse.metrics import allowed_downtime_minutes, burn_rate, error_budget_burn, funnel_conversion


def test_funnel_conversion_by_hand():
    t = funnel_conversion({"a": 200, "b": 150, "c": 60, "d": 30})
    assert list(t["step"]) == ["a", "b", "c", "d"]
    assert list(t["step_conversion_pct"]) == [100.0, 75.0, 40.0, 50.0]
    assert list(t["overall_conversion_pct"]) == [100.0, 75.0, 30.0, 15.0]
    assert list(t["dropped"]) == [0, 50, 90, 30]


def test_funnel_accepts_series():
    t = funnel_conversion(pd.Series({"x": 3, "y": 1}))
    assert t.loc[1, "step_conversion_pct"] == pytest.approx(33.3)


@pytest.mark.parametrize(
    "bad, exc",
    [
        (None, TypeError),
        ([1, 2], TypeError),
        ({}, ValueError),
        ({"a": 10}, ValueError),
        ({"a": 10, "b": 20}, ValueError),
        ({"a": 10, "b": float("nan")}, ValueError),
        ({"a": 10, "b": -1}, ValueError),
        ({"a": 0, "b": 0}, ValueError),
        ({"a": 10, "b": "5"}, TypeError),
    ],
)
def test_funnel_rejects_bad_input(bad, exc):
    with pytest.raises(exc):
        funnel_conversion(bad)


def test_allowed_downtime_payments_slo():
    assert allowed_downtime_minutes(0.9995) == pytest.approx(21.6)
    assert allowed_downtime_minutes(0.999, 30) == pytest.approx(43.2)
    assert allowed_downtime_minutes(0.99, 7) == pytest.approx(100.8)


@pytest.mark.parametrize("slo", [99.95, 1.0, 0, -0.5])
def test_allowed_downtime_rejects_percent(slo):
    with pytest.raises(ValueError):
        allowed_downtime_minutes(slo)


def test_allowed_downtime_type_errors():
    with pytest.raises(TypeError):
        allowed_downtime_minutes(None)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(TypeError):
        allowed_downtime_minutes("0.9995")  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError):
        allowed_downtime_minutes(float("nan"))
    with pytest.raises(ValueError):
        allowed_downtime_minutes(0.9995, 0)


def test_burn_rate():
    assert burn_rate(0.0005, 0.9995) == pytest.approx(1.0)
    assert burn_rate(0.005, 0.9995) == pytest.approx(10.0)
    with pytest.raises(ValueError):
        burn_rate(1.5, 0.9995)


def test_error_budget_burn_by_hand():
    t = error_budget_burn([0, 10.8, 5.4], 0.9995)
    assert list(t["consumed_minutes"]) == [0, 10.8, 16.2]
    assert list(t["remaining_minutes"]) == pytest.approx([21.6, 10.8, 5.4])
    assert list(t["remaining_pct"]) == [100.0, 50.0, 25.0]
    assert list(t["even_spend_pct"]) == pytest.approx([96.7, 93.3, 90.0])


def test_error_budget_burn_can_go_negative():
    t = error_budget_burn([30], 0.9995)
    assert t.loc[0, "remaining_minutes"] == pytest.approx(-8.4)


@pytest.mark.parametrize(
    "bad, exc",
    [(None, TypeError), ("abc", TypeError), ([], ValueError), ([1, -1], ValueError),
     ([1, float("nan")], ValueError), ([1] * 31, ValueError)],
)
def test_error_budget_burn_rejects_bad_input(bad, exc):
    with pytest.raises(exc):
        error_budget_burn(bad, 0.9995)

