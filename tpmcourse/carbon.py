"""Back-of-the-envelope energy and emissions estimates for compute jobs.

    energy (kWh)     = machine-hours x average power per machine (kW) x PUE
    emissions (kg)   = energy (kWh) x grid carbon intensity (g CO2e/kWh) / 1000
    SCI (g per unit) = (energy x intensity + embodied emissions) / functional units

Chapter 9 and the ethics labs use these to compare where and when Larkspur
could run the weekly risk-model retraining. The numbers are estimates for a
decision, not an audit: measured power and hourly grid data beat defaults.
"""

from __future__ import annotations

import pandas as pd

from tpmcourse import validate as v

__all__ = [
    "energy_kwh",
    "emissions_kg",
    "sci_per_unit",
    "illustrative_regions",
    "compare_regions",
]


def energy_kwh(hours: float, power_kw: float, pue: float = 1.0, machines: int = 1) -> float:
    """Electricity drawn from the grid by a job, in kWh.

    ``power_kw`` is the average draw of one machine while the job runs; PUE
    (power usage effectiveness, at least 1.0) adds the data center's cooling
    and power-distribution overhead on top of the IT equipment.
    """
    hours = v.require_number(hours, "hours", minimum=0)
    power_kw = v.require_number(power_kw, "power_kw", minimum=0)
    pue = v.require_number(pue, "pue", minimum=1, hint="1.0 means no overhead")
    machines = v.require_int(machines, "machines", minimum=1)
    return hours * machines * power_kw * pue


def emissions_kg(energy: float, carbon_intensity_g_per_kwh: float) -> float:
    """Operational emissions in kg CO2e: energy times the grid's carbon intensity."""
    energy = v.require_number(energy, "energy (kWh)", minimum=0)
    intensity = v.require_number(carbon_intensity_g_per_kwh, "carbon_intensity_g_per_kwh", minimum=0)
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
    energy = v.require_number(energy, "energy (kWh)", minimum=0)
    intensity = v.require_number(carbon_intensity_g_per_kwh, "carbon_intensity_g_per_kwh", minimum=0)
    embodied = v.require_number(embodied_g, "embodied_g", minimum=0)
    units = v.require_number(functional_units, "functional_units", above=0, hint="the unit you divide by")
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
    v.require_frame(regions, "regions", ["placement", "carbon_intensity_g_per_kwh"], complete=True)
    v.require_numeric_column(regions, "carbon_intensity_g_per_kwh", "regions", minimum=0)
    if "pue" in regions.columns:
        v.require_numeric_column(regions, "pue", "regions", minimum=1, hint="1.0 means no overhead")
    runs_per_year = v.require_int(runs_per_year, "runs_per_year", minimum=1)
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
