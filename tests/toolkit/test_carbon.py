"""Tests for tpmcourse.carbon: arithmetic checked by hand."""

import pandas as pd
import pytest

from tpmcourse.carbon import compare_regions, emissions_kg, energy_kwh, illustrative_regions, sci_per_unit


def test_energy_kwh():
    # 12 machines x 5 h x 0.4 kW = 24 kWh of IT load; PUE 1.2 -> 28.8 kWh.
    assert energy_kwh(5, 0.4, pue=1.2, machines=12) == pytest.approx(28.8)
    assert energy_kwh(10, 0.3) == pytest.approx(3.0)


def test_emissions_kg():
    assert emissions_kg(28.8, 400) == pytest.approx(11.52)
    assert emissions_kg(28.8, 0) == 0


def test_sci_per_unit():
    # (28.8 kWh x 400 g + 2,000 g embodied) / 12,000 sign-ups = 1.126... g per sign-up
    assert sci_per_unit(28.8, 400, 2000, 12000) == pytest.approx((11520 + 2000) / 12000)
    with pytest.raises(ValueError, match="more than 0"):
        sci_per_unit(1, 1, 0, 0)


def test_compare_regions():
    regions = pd.DataFrame(
        {"placement": ["dirty", "clean"], "carbon_intensity_g_per_kwh": [500, 50], "pue": [1.5, 1.0]}
    )
    out = compare_regions(regions, hours=2, power_kw=1.0, machines=5, runs_per_year=52)
    assert out["energy_kwh_per_run"].tolist() == pytest.approx([15.0, 10.0])
    assert out["kg_co2e_per_run"].tolist() == pytest.approx([7.5, 0.5])
    assert out["kg_co2e_per_year"].tolist() == pytest.approx([390.0, 26.0])
    no_pue = compare_regions(regions.drop(columns="pue"), hours=1, power_kw=1.0)
    assert no_pue["pue"].tolist() == [1.0, 1.0]


def test_illustrative_regions_shape():
    r = illustrative_regions()
    assert {"placement", "carbon_intensity_g_per_kwh", "pue", "in_eu"} <= set(r.columns)
    assert (r["pue"] >= 1).all() and len(r) == 5


def test_errors_are_learner_facing():
    with pytest.raises(ValueError, match="pue must be at least 1"):
        energy_kwh(1, 1, pue=0.9)
    with pytest.raises(TypeError, match="hours should be a number"):
        energy_kwh("5", 1)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(TypeError, match="None"):
        emissions_kg(None, 100)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="finite"):
        emissions_kg(float("nan"), 100)
    with pytest.raises(ValueError, match="at least 0"):
        emissions_kg(-1, 100)
    with pytest.raises(ValueError, match="machines must be at least 1"):
        energy_kwh(1, 1, machines=0)
    with pytest.raises(ValueError, match="no column"):
        compare_regions(pd.DataFrame({"region": ["x"]}), 1, 1)
    with pytest.raises(ValueError, match="empty"):
        compare_regions(pd.DataFrame(columns=["placement", "carbon_intensity_g_per_kwh"]), 1, 1)
    with pytest.raises(ValueError, match=r"column 'carbon_intensity_g_per_kwh' of regions has 1 missing \(NaN\)"):
        compare_regions(pd.DataFrame({"placement": ["x"], "carbon_intensity_g_per_kwh": [None]}), 1, 1)
    with pytest.raises(TypeError, match="DataFrame"):
        compare_regions(None, 1, 1)  # type: ignore[arg-type]  # wrong type on purpose
