"""Back-of-the-envelope energy and emissions estimates for compute jobs.

    energy (kWh)     = machine-hours x average power per machine (kW) x PUE
    emissions (kg)   = energy (kWh) x grid carbon intensity (g CO2e/kWh) / 1000
    SCI (g per unit) = (energy x intensity + embodied emissions) / functional units

Chapter 9 and the ethics labs use these to compare where and when Larkspur
could run the weekly risk-model retraining. The numbers are estimates for a
decision, not an audit: measured power and hourly grid data beat defaults.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "energy_kwh",
    "emissions_kg",
    "sci_per_unit",
    "illustrative_regions",
    "compare_regions",
]


def _number(value: object, name: str, minimum: float = 0.0, allow_equal: bool = True) -> float:
    if value is None:
        raise TypeError(f"{name} is None: pass a number.")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}.")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    if value < minimum or (not allow_equal and value == minimum):
        relation = "at least" if allow_equal else "more than"
        raise ValueError(f"{name} must be {relation} {minimum:g}, got {value:g}.")
    return value


def energy_kwh(hours: float, power_kw: float, pue: float = 1.0, machines: int = 1) -> float:
    """Electricity drawn from the grid by a job, in kWh.

    ``power_kw`` is the average draw of one machine while the job runs; PUE
    (power usage effectiveness, at least 1.0) adds the data center's cooling
    and power-distribution overhead on top of the IT equipment.
    """
    hours = _number(hours, "hours")
    power_kw = _number(power_kw, "power_kw")
    pue = _number(pue, "pue", minimum=1.0)
    if isinstance(machines, bool) or not isinstance(machines, (int, np.integer)):
        raise TypeError(f"machines must be a whole number, not {type(machines).__name__}.")
    if machines < 1:
        raise ValueError(f"machines must be at least 1, got {machines}.")
    return hours * machines * power_kw * pue


def emissions_kg(energy: float, carbon_intensity_g_per_kwh: float) -> float:
    """Operational emissions in kg CO2e: energy times the grid's carbon intensity."""
    energy = _number(energy, "energy (kWh)")
    intensity = _number(carbon_intensity_g_per_kwh, "carbon_intensity_g_per_kwh")
    return energy * intensity / 1000.0


def sci_per_unit(
    energy: float,
    carbon_intensity_g_per_kwh: float,
    embodied_g: float,
    functional_units: float,
) -> float:
    """Software Carbon Intensity, grams CO2e per functional unit: ((E x I) + M) / R.

    E is energy in kWh, I the grid intensity, M the share of the hardware's
    embodied (manufacturing) emissions allocated to this work, and R the unit
    you choose to normalize by, such as one sign-up screened.
    """
    energy = _number(energy, "energy (kWh)")
    intensity = _number(carbon_intensity_g_per_kwh, "carbon_intensity_g_per_kwh")
    embodied = _number(embodied_g, "embodied_g")
    units = _number(functional_units, "functional_units", minimum=0.0, allow_equal=False)
    return (energy * intensity + embodied) / units


def illustrative_regions() -> pd.DataFrame:
    """Five placements for a job with ILLUSTRATIVE round carbon intensities.

    These are teaching numbers chosen to span a realistic range, not
    measurements of any real grid or cloud region. Use your provider's or a
    grid operator's published figures for real decisions.
    """
    return pd.DataFrame(
        {
            "placement": [
                "US East, daytime",
                "EU West, daytime",
                "EU West, overnight (windy)",
                "EU North (hydro-heavy)",
                "Coal-heavy grid",
            ],
            "carbon_intensity_g_per_kwh": [400, 300, 150, 50, 700],
            "pue": [1.2, 1.2, 1.2, 1.15, 1.5],
            "in_eu": [False, True, True, True, False],
        }
    )


def compare_regions(
    regions: pd.DataFrame,
    hours: float,
    power_kw: float,
    machines: int = 1,
    runs_per_year: int = 52,
) -> pd.DataFrame:
    """Energy and emissions of the same job in each placement of ``regions``.

    ``regions`` needs a ``placement`` column and ``carbon_intensity_g_per_kwh``;
    a ``pue`` column is optional (1.0 is assumed when it is absent).
    """
    if regions is None or not isinstance(regions, pd.DataFrame):
        raise TypeError(f"regions must be a pandas DataFrame, not {type(regions).__name__}.")
    needed = ["placement", "carbon_intensity_g_per_kwh"]
    missing = [c for c in needed if c not in regions.columns]
    if missing:
        raise ValueError(f"regions has no column(s) {missing}; its columns are {list(regions.columns)}.")
    if regions.empty:
        raise ValueError("regions is empty: give at least one placement to compare.")
    cols = needed + (["pue"] if "pue" in regions.columns else [])
    if regions[cols].isna().any().any():
        raise ValueError(f"regions has missing values in {cols}; fill them in first.")
    if isinstance(runs_per_year, bool) or not isinstance(runs_per_year, (int, np.integer)) or runs_per_year < 1:
        raise ValueError("runs_per_year must be a whole number of at least 1.")
    rows = []
    for _, r in regions.iterrows():
        pue = r["pue"] if "pue" in regions.columns else 1.0
        e = energy_kwh(hours, power_kw, pue=float(pue), machines=machines)
        kg = emissions_kg(e, float(r["carbon_intensity_g_per_kwh"]))
        rows.append(
            {
                "placement": r["placement"],
                "carbon_intensity_g_per_kwh": float(r["carbon_intensity_g_per_kwh"]),
                "pue": float(pue),
                "energy_kwh_per_run": e,
                "kg_co2e_per_run": kg,
                "kg_co2e_per_year": kg * runs_per_year,
            }
        )
    return pd.DataFrame(rows)
