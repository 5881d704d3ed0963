"""The experiment helpers of tpmcourse.metrics: minimum detectable effect and
the peeking simulation that chapter 3 uses."""

import math

import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from tpmcourse.metrics import minimum_detectable_effect, peeking_simulation


@pytest.mark.parametrize("baseline, lift", [(0.65, 0.02), (0.31, 0.02), (0.10, 0.005), (0.5, 0.05)])
def test_mde_inverts_the_sample_size_calculation(baseline, lift):
    n = math.ceil(NormalIndPower().solve_power(proportion_effectsize(baseline + lift, baseline),
                                               alpha=0.05, power=0.8, ratio=1))
    assert minimum_detectable_effect(baseline, n) == pytest.approx(lift, abs=2e-5)


def test_mde_by_hand_for_the_chapters_test():
    # h = (1.959964 + 0.841621) * sqrt(2 / 2200) = 0.08447; sin(asin(sqrt(.65)) + h/2)^2 - .65
    h = (1.959964 + 0.841621) * math.sqrt(2 / 2200)
    expected = math.sin(math.asin(math.sqrt(0.65)) + h / 2) ** 2 - 0.65
    assert minimum_detectable_effect(0.65, 2200) == pytest.approx(expected, abs=1e-5)


def test_mde_shrinks_with_traffic_and_grows_with_power():
    small, large = minimum_detectable_effect(0.65, 1000), minimum_detectable_effect(0.65, 4000)
    assert large == pytest.approx(small / 2, rel=0.05)  # four times the traffic, half the MDE
    assert minimum_detectable_effect(0.65, 1000, power=0.9) > small
    assert minimum_detectable_effect(0.65, 1000, alpha=0.01) > small


def test_mde_caps_at_a_jump_to_one_hundred_percent():
    assert minimum_detectable_effect(0.99, 2) == pytest.approx(0.01)


@pytest.mark.parametrize("kwargs, exc", [
    ({"baseline": 65, "n_per_group": 100}, ValueError),
    ({"baseline": 0.65, "n_per_group": 1}, ValueError),
    ({"baseline": 0.65, "n_per_group": 100.5}, ValueError),
    ({"baseline": "0.65", "n_per_group": 100}, TypeError),
    ({"baseline": 0.65, "n_per_group": 100, "power": 80}, ValueError),
])
def test_mde_rejects_bad_input(kwargs, exc):
    with pytest.raises(exc):
        minimum_detectable_effect(**kwargs)


def test_peeking_inflates_false_positives_and_one_look_does_not():
    table = peeking_simulation(days=28, daily_per_group=80, experiments=4000, seed=11)
    assert list(table.columns) == ["day", "merchants_per_group", "stopped_by_now_pct", "significant_today_pct"]
    assert list(table["day"]) == list(range(1, 29))
    assert table["merchants_per_group"].iloc[-1] == 28 * 80
    # A single look is a 5% test (simulation error about 0.35 points at 4,000 runs) ...
    assert table["significant_today_pct"].iloc[-1] == pytest.approx(5.0, abs=1.2)
    # ... while stopping at the first of 28 daily looks wrongly stops far more experiments.
    assert table["stopped_by_now_pct"].iloc[-1] > 18
    assert table["stopped_by_now_pct"].is_monotonic_increasing
    assert table["stopped_by_now_pct"].iloc[0] == table["significant_today_pct"].iloc[0]


def test_peeking_is_reproducible_and_seeded():
    a = peeking_simulation(days=5, experiments=200, seed=1)
    assert a.equals(peeking_simulation(days=5, experiments=200, seed=1))
    assert not a.equals(peeking_simulation(days=5, experiments=200, seed=2))


@pytest.mark.parametrize("kwargs", [{"days": 0}, {"rate": 1.0}, {"daily_per_group": 0}, {"experiments": 0},
                                    {"alpha": 5}, {"seed": -1}])
def test_peeking_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        peeking_simulation(**kwargs)
