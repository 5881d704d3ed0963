"""Lab 4's data, three synthetic Larkspur data sets from fixed seeds:

- ``data/lab_users.csv``: German merchants as the EU sign-up form records
  them, with quasi-identifiers (postcode, birth date, gender, business type);
- ``data/lab_screening.csv``: a quarter of Larkspur Risk screening decisions
  for sole traders and limited companies;
- ``data/lab_workloads.csv`` and ``data/lab_grid_intensity.csv``: Larkspur's
  recurring compute jobs and an ILLUSTRATIVE hourly carbon intensity for six
  cloud regions (teaching numbers, not measurements of any real grid).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset
from tpmcourse.privacy import BUSINESS_SECTORS
from tpmcourse.validate import require_int

# --- Case (a): privacy -------------------------------------------------------------

# Where Larkspur's German merchants are: (first postcode, last postcode, weight).
# Big cities dominate, and a long rural tail is spread over the whole country.
_DE_AREAS = [
    (10115, 14199, 17), (20095, 22769, 9), (80331, 81929, 9), (50667, 51149, 6),
    (60306, 60599, 5), (70173, 70629, 4), (40210, 40629, 4), (4103, 4357, 3),
    (1067, 1328, 2), (30159, 30669, 3), (90402, 90491, 2), (28195, 28779, 2),
]
_RURAL_WEIGHT = 34
# Business types in BUSINESS_SECTORS order, with a long tail of rare ones.
_TYPE_WEIGHTS = [10, 9, 3, 8, 4, 4, 7, 6, 1.5, 3, 1.5, 2, 6, 4, 2]
# Share of female owners by business type (same order): trades skew male,
# personal care skews female, as in real small-business registers.
_FEMALE_SHARE = [0.45, 0.50, 0.30, 0.75, 0.85, 0.15, 0.05, 0.06, 0.10,
                 0.65, 0.55, 0.15, 0.60, 0.40, 0.70]
_SOLE_SHARE = [0.45, 0.50, 0.80, 0.75, 0.90, 0.85, 0.70, 0.65, 0.80,
               0.70, 0.60, 0.85, 0.75, 0.90, 0.92]
_REFERRALS = ["search", "accountant", "shop plugin", "social media", "friend or colleague", "trade fair"]


def _postcodes(rng: np.random.Generator, n: int) -> list[str]:
    """Postcodes drawn city by city; within a city a few codes are much busier."""
    weights = np.array([w for *_, w in _DE_AREAS] + [_RURAL_WEIGHT], dtype=float)
    area = rng.choice(len(weights), size=n, p=weights / weights.sum())
    codes = []
    pools = []
    for lo, hi, _ in _DE_AREAS:
        pool = np.sort(rng.choice(np.arange(lo, hi + 1), size=min(60, hi - lo + 1), replace=False))
        popularity = 1 / np.arange(1, len(pool) + 1) ** 0.8
        pools.append((rng.permutation(pool), popularity / popularity.sum()))
    for a in area:
        if a == len(_DE_AREAS):
            codes.append(int(rng.integers(1001, 99999)))
        else:
            pool, p = pools[a]
            codes.append(int(rng.choice(pool, p=p)))
    return [f"{c:05d}" for c in codes]


def make_lab_users(n: int = 4000, seed: int = 409) -> pd.DataFrame:
    """Synthetic Larkspur merchants in Germany as the EU sign-up form records them.

    Columns: merchant_id, signed_up, postcode, owner_birth_date, owner_gender,
    business_type, legal_form, employees, expected_monthly_volume_eur,
    referral_source. Fully invented, from a fixed seed.
    """
    n = require_int(n, "n", minimum=10)
    rng = np.random.default_rng(seed)
    types = list(BUSINESS_SECTORS)
    tw = np.array(_TYPE_WEIGHTS, dtype=float)
    t_idx = rng.choice(len(types), size=n, p=tw / tw.sum())
    # Sign-ups over 2024-2025, growing, with January and September peaks.
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    season = 1 + 0.35 * np.isin(days.month, [1, 9]) + 0.15 * np.isin(days.month, [3, 10])
    growth = np.linspace(1.0, 1.9, len(days))
    weekday = np.where(days.day_of_week < 5, 1.0, 0.35)
    p_day = season * growth * weekday
    signed = np.sort(rng.choice(len(days), size=n, p=p_day / p_day.sum()))
    # Owner age at sign-up: most between 30 and 60, a tail on both sides.
    age = np.clip(rng.normal(44, 11, n), 19, 79)
    birth = pd.to_datetime(days[signed]) - pd.to_timedelta((age * 365.25).astype(int), unit="D")
    female = rng.random(n) < np.array(_FEMALE_SHARE)[t_idx]
    other = rng.random(n)
    gender = np.where(other < 0.004, "diverse",
                      np.where(other < 0.035, "not stated", np.where(female, "female", "male")))
    sole = rng.random(n) < np.array(_SOLE_SHARE)[t_idx]
    employees = np.where(sole, 1 + rng.poisson(0.4, n),
                         np.clip(np.round(rng.lognormal(1.6, 0.8, n)), 1, 50)).astype(int)
    volume = np.round(rng.lognormal(8.3, 0.9, n) * (1 + 0.35 * (employees - 1)), -1).astype(int)
    ref_p = np.array([30, 18, 16, 14, 15, 7], dtype=float)
    return pd.DataFrame(
        {
            "merchant_id": [f"DE{i:05d}" for i in range(1, n + 1)],
            "signed_up": days[signed].strftime("%Y-%m-%d"),
            "postcode": _postcodes(rng, n),
            "owner_birth_date": birth.strftime("%Y-%m-%d"),
            "owner_gender": gender,
            "business_type": np.array(types)[t_idx],
            "legal_form": np.where(sole, "sole_trader", "limited_company"),
            "employees": employees,
            "expected_monthly_volume_eur": volume,
            "referral_source": rng.choice(_REFERRALS, size=n, p=ref_p / ref_p.sum()),
        }
    )


# --- Case (b): fairness ------------------------------------------------------------


def make_lab_screening(n: int = 3000, seed: int = 2025, threshold: float = 0.35) -> pd.DataFrame:
    """Synthetic Larkspur Risk decisions for one quarter of EU and UK sign-ups.

    Each applicant has a hidden quality; ``good_outcome`` (no loss in six
    months) depends on it alone, the same way in both groups. The model sees
    it through noisier, registry-based features for sole traders and adds a
    penalty for their "missing" company-registry history, so good sole
    traders look riskier. ``approved`` is 1 when ``risk_score`` < ``threshold``.
    """
    n = require_int(n, "n", minimum=10)
    rng = np.random.default_rng(seed)
    sole = rng.random(n) < 0.58
    quality = rng.normal(0, 1, n)
    good = rng.random(n) < 1 / (1 + np.exp(-(2.35 + 1.25 * quality)))
    seen = quality + rng.normal(0, np.where(sole, 0.85, 0.55))
    months = np.where(sole, rng.lognormal(2.6, 1.0, n), rng.lognormal(3.3, 0.9, n)).astype(int)
    logit = -0.95 - 1.15 * seen + 0.55 * sole - 0.08 * np.log1p(months)
    score = np.round(1 / (1 + np.exp(-logit)), 3)
    country = rng.choice(["DE", "FR", "NL", "IE", "UK"], size=n, p=[0.32, 0.22, 0.12, 0.09, 0.25])
    week = np.sort(rng.choice(np.arange(1, 14), size=n, p=np.linspace(0.9, 1.1, 13) / np.linspace(0.9, 1.1, 13).sum()))
    df = pd.DataFrame(
        {
            "applicant_id": [f"Q{i:05d}" for i in range(1, n + 1)],
            "signup_week": week,
            "country": country,
            "legal_form": np.where(sole, "sole_trader", "limited_company"),
            "months_trading": months,
            "risk_score": score,
            "good_outcome": good.astype(int),
        }
    )
    df["approved"] = (df["risk_score"] < threshold).astype(int)
    return df


# --- Case (c): environmental impact ------------------------------------------------

_JOBS = [
    # job_id, job, team, region, start_hour_utc, hours, machines, avg_power_kw, pue, runs_per_year, data
    ("J01", "Larkspur Risk weekly retraining", "risk", "eu-west", 9, 5.0, 12, 0.40, 1.2, 52, "EU merchant data"),
    ("J02", "Ledger nightly reconciliation", "ledger", "us-east", 4, 1.5, 4, 0.30, 1.2, 365, "US merchant data"),
    ("J03", "EU warehouse load", "data", "eu-west", 1, 2.0, 6, 0.35, 1.2, 365, "EU merchant data"),
    ("J04", "US warehouse load", "data", "us-east", 6, 2.0, 6, 0.35, 1.2, 365, "US merchant data"),
    ("J05", "Full CI test suite", "platform", "us-east", 3, 1.0, 8, 0.25, 1.2, 365, "no personal data"),
    ("J06", "Pre-release load test", "platform", "us-east", 14, 3.0, 20, 0.35, 1.2, 24, "no personal data"),
    ("J07", "Fraud feature backfill", "risk", "eu-west", 20, 10.0, 16, 0.45, 1.2, 12, "EU merchant data"),
    ("J08", "Office build server (Berlin)", "platform", "eu-central", 0, 24.0, 1, 0.25, 1.8, 365, "no personal data"),
]

#: Cloud regions in the illustrative grid file and whose law they sit under.
REGIONS = {
    "eu-west": "EU", "eu-central": "EU", "eu-north": "EU",
    "uk-south": "UK", "us-east": "US", "ca-central": "Canada",
}


def make_lab_workloads() -> pd.DataFrame:
    """Larkspur's recurring compute jobs (invented): where and when each runs today."""
    cols = ["job_id", "job", "team", "region", "start_hour_utc", "hours", "machines",
            "avg_power_kw", "pue", "runs_per_year", "data"]
    return pd.DataFrame(_JOBS, columns=cols)


def make_lab_grid_intensity(seed: int = 24) -> pd.DataFrame:
    """ILLUSTRATIVE hourly grid carbon intensity (g CO2e/kWh) for one day, by region.

    Shapes follow what public grid data typically show (a solar dip around
    local noon, an evening peak, windy nights, flat hydro-heavy grids), but the
    numbers are invented for teaching and are not measurements of any grid.
    Hours are in UTC.
    """
    rng = np.random.default_rng(seed)
    h = np.arange(24)

    def bump(center: float, width: float) -> np.ndarray:
        d = np.minimum(np.abs(h - center), 24 - np.abs(h - center))
        return np.exp(-0.5 * (d / width) ** 2)

    profiles = {
        # wind-heavy, gas at the margin: cleaner overnight, evening peak
        "eu-west": 300 - 110 * bump(3, 2.5) + 70 * bump(18, 2.0),
        # coal and gas with lots of solar: deep midday dip (local noon ~ 11 UTC)
        "eu-central": 430 - 170 * bump(11.5, 2.2) + 40 * bump(18, 1.8),
        # hydro and nuclear: low all day, a quiet night, an evening import peak,
        # and one very windy lunchtime hour
        "eu-north": 44 - 13 * bump(3.5, 2.0) + 22 * bump(18, 2.0) - 16 * bump(12, 0.35),
        # gas and wind: cleaner at night, solar dip at midday
        "uk-south": 210 - 60 * bump(3, 2.5) - 35 * bump(12.5, 2.0) + 45 * bump(18, 2.0),
        # gas and coal, local noon ~ 17 UTC: mild solar dip, late-evening peak
        "us-east": 390 - 45 * bump(17, 2.5) + 35 * bump(23, 2.0),
        # almost all hydro: very low and flat
        "ca-central": 26 + 4 * bump(22, 2.5),
    }
    rows = []
    for region, values in profiles.items():
        noisy = np.round(values * (1 + rng.normal(0, 0.02, 24))).astype(int)
        for hour, v in zip(h, noisy, strict=True):
            rows.append((region, REGIONS[region], int(hour), int(v)))
    out = pd.DataFrame(rows, columns=["region", "jurisdiction", "hour_utc", "carbon_intensity_g_per_kwh"])
    out["source"] = "illustrative, not measured"
    return out


USERS = Dataset("lab_users.csv", make_lab_users, "EU merchants' sign-up data with quasi-identifiers (lab 4)",
                {"dtype": {"postcode": str}})
SCREENING = Dataset("lab_screening.csv", make_lab_screening, "a quarter of Larkspur Risk screening decisions (lab 4)")
WORKLOADS = Dataset("lab_workloads.csv", make_lab_workloads, "Larkspur's recurring compute jobs (lab 4)")
GRID = Dataset("lab_grid_intensity.csv", make_lab_grid_intensity,
               "ILLUSTRATIVE hourly grid carbon intensity by region (lab 4)")

DATASETS: list[Dataset] = [USERS, SCREENING, WORKLOADS, GRID]
