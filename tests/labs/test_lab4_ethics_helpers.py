"""Tests for tpmcourse.labs.lab4_ethics_helpers and the lab 4 generators
(tpmcourse.datasets.lab4_ethics), with small tables whose answers are worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from tpmcourse.datasets.lab4_ethics import (
    REGIONS,
    make_lab_grid_intensity,
    make_lab_screening,
    make_lab_users,
    make_lab_workloads,
)
from tpmcourse.labs.lab4_ethics_helpers import (
    DATA_INVENTORY,
    USER_QUASI_IDENTIFIERS,
    fields_without_purpose,
    group_threshold_sweep,
    window_intensity,
)
from tpmcourse.privacy import BUSINESS_SECTORS, k_anonymity


def tiny_grid() -> pd.DataFrame:
    # region "a": 100 g/kWh at every hour except 10 (at 0 g) and 23 (at 400 g)
    values = [100] * 24
    values[10], values[23] = 0, 400
    return pd.DataFrame({"region": "a", "hour_utc": range(24), "carbon_intensity_g_per_kwh": values})


def test_window_intensity_by_hand():
    grid = tiny_grid()
    assert window_intensity(grid, "a", 10, 1) == 0
    assert window_intensity(grid, "a", 9, 2) == 50              # (100 + 0) / 2
    assert window_intensity(grid, "a", 23, 2) == 250            # wraps: (400 + 100) / 2
    assert window_intensity(grid, "a", 9, 1.5) == pytest.approx((100 + 0.5 * 0) / 1.5)
    assert window_intensity(grid, "a", 0, 24) == pytest.approx((22 * 100 + 400) / 24)


@pytest.mark.parametrize("args, message", [
    (("b", 0, 1), "No complete 24-hour profile"),
    (("a", 24, 1), "start_hour"),
    (("a", 1.5, 1), "start_hour"),
    (("a", 0, 0), "hours must be more than 0"),
    (("a", 0, float("nan")), "hours is NaN"),
])
def test_window_intensity_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        window_intensity(tiny_grid(), *args)


def test_window_intensity_needs_a_grid():
    with pytest.raises(TypeError):
        window_intensity([1, 2], "a", 0, 1)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="no column"):
        window_intensity(pd.DataFrame({"x": [1]}), "a", 0, 1)


def test_group_threshold_sweep_by_hand():
    df = pd.DataFrame({
        "g": ["s", "s", "s", "s", "c", "c"],
        "score": [0.1, 0.3, 0.5, 0.7, 0.2, 0.6],
        "y": [1, 1, 0, 1, 1, 0],
    })
    out = group_threshold_sweep(df, "g", "score", "y", "s", [0.4, 0.6], {"c": 0.4})
    at = out.set_index("threshold").to_dict("index")  # {threshold: {column: value}}
    # at 0.4: s approves 0.1, 0.3 (2 of 4; good 2 of 3); c approves 0.2 (1 of 2; good 1 of 1)
    assert at[0.4]["approval_rate_s"] == 0.5 and at[0.4]["approval_rate_c"] == 0.5
    assert at[0.4]["eo_difference"] == pytest.approx(1 - 2 / 3)
    assert at[0.4]["di_ratio"] == 1 and at[0.4]["bad_approved"] == 0
    # at 0.6: s also approves 0.5, a bad one (3 of 4)
    assert at[0.6]["dp_difference"] == pytest.approx(0.25)
    assert at[0.6]["di_ratio"] == pytest.approx(0.5 / 0.75)
    assert at[0.6]["bad_approved"] == 1
    with pytest.raises(ValueError, match="thresholds is empty"):
        group_threshold_sweep(df, "g", "score", "y", "s", [], {"c": 0.4})


def test_fields_without_purpose():
    assert fields_without_purpose() == ["owner_gender", "employees", "referral_source"]
    inv = pd.DataFrame({"column": ["a", "b"], "purpose": ["risk", "marketing"]})
    assert fields_without_purpose(inv, ["risk"]) == ["b"]
    assert set(DATA_INVENTORY["column"]) == set(make_lab_users(20).columns)


def test_users_are_deterministic_and_realistic():
    users = make_lab_users()
    assert users.equals(make_lab_users())
    assert len(users) == 4000 and users["merchant_id"].is_unique
    assert users["postcode"].str.fullmatch(r"\d{5}").all()
    assert set(users["business_type"]) <= set(BUSINESS_SECTORS)
    assert k_anonymity(users, USER_QUASI_IDENTIFIERS) == 1
    # a long tail: a few busy postcodes, many with a single merchant
    counts = users["postcode"].value_counts()
    assert counts.iloc[0] >= 20 and (counts == 1).sum() > 1000
    # trades skew male, personal care female; rare gender values exist
    female = users.groupby(users["business_type"].map(BUSINESS_SECTORS))["owner_gender"].apply(
        lambda g: (g == "female").mean())
    assert female["personal care"] > 0.6 > 0.2 > female["trades"]
    assert 0 < (users["owner_gender"] == "diverse").sum() < 40
    # sign-ups grow over the two years
    year = users["signed_up"].str[:4]
    assert (year == "2025").sum() > 1.2 * (year == "2024").sum()
    with pytest.raises(ValueError):
        make_lab_users(3)


def test_screening_has_the_proxy_bias():
    s = make_lab_screening()
    assert s.equals(make_lab_screening())
    by = s.groupby("legal_form")
    base = by["good_outcome"].mean()
    assert abs(base["sole_trader"] - base["limited_company"]) < 0.04
    good = s[s["good_outcome"] == 1].groupby("legal_form")["risk_score"].mean()
    assert good["sole_trader"] > good["limited_company"] + 0.05
    assert (s["approved"] == (s["risk_score"] < 0.35)).all()
    with pytest.raises(ValueError):
        make_lab_screening(n=True)


def test_grid_is_illustrative_and_has_the_traps_the_lab_needs():
    grid = make_lab_grid_intensity()
    assert grid.equals(make_lab_grid_intensity())
    assert (grid["source"] == "illustrative, not measured").all()
    assert grid.groupby("region").size().eq(24).all()
    assert set(grid["region"]) == set(REGIONS)
    hourly = grid.pivot(index="hour_utc", columns="region", values="carbon_intensity_g_per_kwh")
    windows = {r: [window_intensity(grid, r, h, 5) for h in range(24)] for r in map(str, hourly.columns)}
    best_eu = min((min(w), r) for r, w in windows.items() if REGIONS[r] == "EU")
    best_any = min((min(w), r) for r, w in windows.items())
    assert best_any[1] != best_eu[1] and REGIONS[best_any[1]] != "EU"   # residency binds
    region = best_eu[1]
    profile = hourly[region]
    cleanest_hour = int(profile.index[int(profile.argmin())])
    assert int(np.argmin(windows[region])) != cleanest_hour  # best hour != best window


def test_workloads_are_consistent():
    jobs = make_lab_workloads()
    assert jobs["job_id"].is_unique and set(jobs["region"]) <= set(REGIONS)
    assert (jobs["pue"] >= 1).all() and jobs["start_hour_utc"].between(0, 23).all()
    j01 = jobs.set_index("job_id").loc["J01"]
    assert j01["hours"] * j01["machines"] * j01["avg_power_kw"] * j01["pue"] == pytest.approx(28.8)
