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

from tpmcourse.datasets import Dataset, as_variant, redraw, stream
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
    """Postcodes drawn city by city; within a city a few codes are much busier.

    A row's code within its city is drawn as ``rng.choice(pool, p=p)`` draws it (one
    ``rng.random()`` against the cumulative weights), without that call's checks of
    ``p`` on every row: the same codes from the same seed, five times faster."""
    weights = np.array([w for *_, w in _DE_AREAS] + [_RURAL_WEIGHT], dtype=float)
    area = rng.choice(len(weights), size=n, p=weights / weights.sum())
    pools = []
    for lo, hi, _ in _DE_AREAS:
        pool = np.sort(rng.choice(np.arange(lo, hi + 1), size=min(60, hi - lo + 1), replace=False))
        popularity = 1 / np.arange(1, len(pool) + 1) ** 0.8
        cumulative = (popularity / popularity.sum()).cumsum()
        cumulative /= cumulative[-1]
        pools.append((rng.permutation(pool).tolist(), cumulative))
    codes = []
    for a in area.tolist():
        if a == len(_DE_AREAS):
            codes.append(int(rng.integers(1001, 99999)))
        else:
            pool, cumulative = pools[a]
            codes.append(pool[int(cumulative.searchsorted(rng.random(), side="right"))])
    return [f"{c:05d}" for c in codes]


USERS_SIZE, SCREENING_SIZE = 4000, 3000


def make_lab_users(n: int = USERS_SIZE, seed: int = 409, as_variant: bool = False) -> pd.DataFrame:
    """Synthetic Larkspur merchants in Germany as the EU sign-up form records them.

    Columns: merchant_id, signed_up, postcode, owner_birth_date, owner_gender,
    business_type, legal_form, employees, expected_monthly_volume_eur,
    referral_source. Fully invented, from a fixed seed.

    The draw keeps the lab's story (:func:`users_tell_the_story`); if the
    merchants drawn from ``seed`` do not, they are drawn again from
    ``[seed, 1]``, ``[seed, 2]``... (the committed seed keeps its first draw;
    another size ``n`` is one draw). ``as_variant`` also redraws until the share of merchants unique on
    postcode and birth year differs from the committed table's by more than
    the check's rounding.
    """
    n = require_int(n, "n", minimum=10)
    if n != USERS_SIZE:  # the story's suppression limit is the lab's table's
        return _draw_users(n, stream(seed))
    committed = _unique_share(make_lab_users()) if as_variant else None
    return redraw(lambda attempt: _draw_users(n, stream(seed, attempt)),
                  lambda users: users_tell_the_story(users)
                  and (committed is None or abs(_unique_share(users) - committed) > 0.003),
                  f"sign-up table from seed {seed}")


def _unique_share(users: pd.DataFrame) -> float:
    """The share of merchants unique on postcode and birth year (Task 1's answer)."""
    year = pd.to_datetime(users["owner_birth_date"]).dt.year
    sizes = users.assign(year=year).groupby(["postcode", "year"])["postcode"].transform("size")
    return float((sizes == 1).mean())


def _draw_users(n: int, rng: np.random.Generator) -> pd.DataFrame:
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


def users_tell_the_story(users: pd.DataFrame, k: int = 5, max_suppressed: float = 0.045) -> bool:
    """Whether a sign-up table keeps what Lab 4's privacy case finds in it: the
    table as collected is not anonymous at all (k = 1), and the lab's own
    release (postal zone, ten-year birth bands and business sector, owner
    gender no longer collected) reaches k = ``k`` by suppressing at most
    ``max_suppressed`` of the rows, safely inside the task's 5% limit, so the
    ladder that works on the course's data works on a variant too."""
    full = users.groupby(["postcode", "owner_birth_date", "owner_gender", "business_type"]).size()
    coarse = pd.DataFrame({
        "zone": users["postcode"].str[0],
        "band": pd.to_datetime(users["owner_birth_date"]).dt.year // 10,
        "sector": users["business_type"].map(BUSINESS_SECTORS),
    })
    sizes = coarse.groupby(["zone", "band", "sector"])["zone"].transform("size")
    return int(full.min()) == 1 and int((sizes < k).sum()) <= max_suppressed * len(users)


# --- Case (b): fairness ------------------------------------------------------------


def make_lab_screening(n: int = SCREENING_SIZE, seed: int = 2025, threshold: float = 0.35,
                       as_variant: bool = False) -> pd.DataFrame:
    """Synthetic Larkspur Risk decisions for one quarter of EU and UK sign-ups.

    Each applicant has a hidden quality; ``good_outcome`` (no loss in six
    months) depends on it alone, the same way in both groups. The model sees
    it through noisier, registry-based features for sole traders and adds a
    penalty for their "missing" company-registry history, so good sole
    traders look riskier. ``approved`` is 1 when ``risk_score`` < ``threshold``.

    The draw keeps the lab's story (:func:`screening_tells_the_story`); if
    the applicants drawn from ``seed`` do not, they are drawn again from
    ``[seed, 1]``, ``[seed, 2]``... (the committed seed keeps its first draw;
    another size ``n`` is one draw). ``as_variant`` also redraws until the disparate impact ratio and the
    sole traders' threshold the lab picks differ from the committed quarter's.
    """
    n = require_int(n, "n", minimum=10)
    if n != SCREENING_SIZE:  # the story's gaps are the lab's quarter's
        return _draw_screening(n, stream(seed), threshold)
    committed = make_lab_screening(threshold=threshold) if as_variant else None
    return redraw(lambda attempt: _draw_screening(n, stream(seed, attempt), threshold),
                  lambda screening: screening_tells_the_story(screening, threshold, committed),
                  f"screening quarter from seed {seed}")


def _draw_screening(n: int, rng: np.random.Generator, threshold: float) -> pd.DataFrame:
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


#: The lab's fairness limits (its task text): the four-fifths rule, an equal
#: opportunity gap of at most 0.05, and sole traders' thresholds 0.35 to 0.60.
FOUR_FIFTHS, MAX_EOD = 0.8, 0.05
SOLE_THRESHOLDS = tuple(round(0.35 + 0.01 * i, 2) for i in range(26))


def _fairness(screening: pd.DataFrame, threshold: float) -> tuple[float, float | None]:
    """The disparate impact ratio at one threshold, and the lowest sole
    traders' threshold (limited companies kept at ``threshold``) that meets
    both the four-fifths rule and the equal opportunity limit (None if none does)."""
    sole = (screening["legal_form"] == "sole_trader").to_numpy()
    score = screening["risk_score"].to_numpy()
    good = screening["good_outcome"].to_numpy() == 1

    def gaps(sole_threshold: float) -> tuple[float, float]:
        approved = score < np.where(sole, sole_threshold, threshold)
        rates = [approved[sole].mean(), approved[~sole].mean()]
        tpr = [approved[sole & good].mean(), approved[~sole & good].mean()]
        return min(rates) / max(rates), abs(tpr[0] - tpr[1])

    fixes = [t for t in SOLE_THRESHOLDS if (g := gaps(t))[0] >= FOUR_FIFTHS and g[1] <= MAX_EOD]
    return gaps(threshold)[0], (fixes[0] if fixes else None)


def screening_tells_the_story(screening: pd.DataFrame, threshold: float = 0.35,
                              committed: pd.DataFrame | None = None) -> bool:
    """Whether a quarter of decisions keeps what Lab 4's fairness case finds in
    it: at one threshold the model fails the four-fifths rule (disparate
    impact below 0.78, clearly under 0.8), and some sole traders' threshold
    in the task's range, with limited companies kept at ``threshold``,
    meets both the rule and an equal opportunity gap of at most 0.05. With
    ``committed``, also that the ratio and the demographic parity gap (by
    more than the checks' rounding) and that threshold differ from the
    committed quarter's."""
    ratio, fix = _fairness(screening, threshold)
    story = ratio < FOUR_FIFTHS - 0.02 and fix is not None
    if committed is None or not story:
        return story
    ratio_0, fix_0 = _fairness(committed, threshold)
    gaps, gaps_0 = _gaps(screening, threshold), _gaps(committed, threshold)
    return abs(ratio - ratio_0) > 0.005 and fix != fix_0 and abs(gaps[0] - gaps_0[0]) > 0.005


def _gaps(screening: pd.DataFrame, threshold: float) -> tuple[float, float]:
    """Demographic parity and equal opportunity differences at one threshold (Task 5's answers)."""
    sole = (screening["legal_form"] == "sole_trader").to_numpy()
    approved = screening["risk_score"].to_numpy() < threshold
    good = screening["good_outcome"].to_numpy() == 1
    return (abs(approved[sole].mean() - approved[~sole].mean()),
            abs(approved[sole & good].mean() - approved[~sole & good].mean()))


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


def make_lab_workloads(seed: int | None = None) -> pd.DataFrame:
    """Larkspur's recurring compute jobs (invented): where and when each runs today.

    With ``seed=None`` the jobs as written down by hand. With a seed, the same
    jobs, run at the same places and times, with each job's average power
    draw measured again (a lognormal spread of about 10%, rounded to 0.01 kW),
    as another month's monitoring would report it."""
    cols = ["job_id", "job", "team", "region", "start_hour_utc", "hours", "machines",
            "avg_power_kw", "pue", "runs_per_year", "data"]
    jobs = pd.DataFrame(_JOBS, columns=cols)
    if seed is not None:
        rng = np.random.default_rng(seed)
        jobs["avg_power_kw"] = np.round(jobs["avg_power_kw"] * rng.lognormal(0, 0.1, len(jobs)), 2)
    return jobs


#: The shape of each region's illustrative day (see make_lab_grid_intensity):
#: name -> (the committed file's value, the range a variant's day draws it from).
_GRID_SHAPE: dict[str, tuple[float, float, float]] = {
    "west_night_hour": (3, 1, 5.5), "west_night_depth": (110, 80, 140), "west_evening_hour": (18, 17, 20),
    "central_noon_hour": (11.5, 10.5, 12.5), "central_noon_depth": (170, 130, 200),
    "central_noon_width": (2.2, 1.8, 2.8),
    "north_base": (44, 40, 52), "north_night_hour": (3.5, 0.5, 7.5), "north_night_depth": (13, 8, 20),
    "north_evening_hour": (18, 17, 20),
    "north_windy_hour": (12, 9, 16), "north_windy_depth": (16, 8, 24), "north_windy_width": (0.35, 0.35, 1.5),
    "uk_night_hour": (3, 1, 5.5), "uk_noon_depth": (35, 20, 50),
    "us_noon_hour": (17, 16, 18.5), "us_noon_depth": (45, 30, 60),
    "ca_level": (26, 23, 30),
}


def make_lab_grid_intensity(seed: int = 24, as_variant: bool = False) -> pd.DataFrame:
    """ILLUSTRATIVE hourly grid carbon intensity (g CO2e/kWh) for one day, by region.

    Shapes follow what public grid data typically show (a solar dip around
    local noon, an evening peak, windy nights, flat hydro-heavy grids), but the
    numbers are invented for teaching and are not measurements of any grid.
    Hours are in UTC.

    ``as_variant`` makes another day on the same grids: where and how deep
    each dip and peak is is drawn too, within the ranges of ``_GRID_SHAPE``.
    It is drawn again (from ``[seed, 1]``, ``[seed, 2]``...) until it keeps
    the lab's story and the retraining's best EU start hour differs from the
    committed day's (:func:`grid_tells_the_story`).
    """
    committed = {name: value for name, (value, _, _) in _GRID_SHAPE.items()}
    if not as_variant:
        return _draw_grid(np.random.default_rng(seed), committed)
    reference = make_lab_grid_intensity()

    def draw(attempt: int) -> pd.DataFrame:
        rng = stream(seed, attempt)
        return _draw_grid(rng, {name: float(rng.uniform(low, high)) for name, (_, low, high) in _GRID_SHAPE.items()})

    return redraw(draw, lambda grid: grid_tells_the_story(grid, reference), f"grid day from seed {seed}")


def _draw_grid(rng: np.random.Generator, g: dict[str, float]) -> pd.DataFrame:
    h = np.arange(24)

    def bump(center: float, width: float) -> np.ndarray:
        d = np.minimum(np.abs(h - center), 24 - np.abs(h - center))
        return np.exp(-0.5 * (d / width) ** 2)

    profiles = {
        # wind-heavy, gas at the margin: cleaner overnight, evening peak
        "eu-west": 300 - g["west_night_depth"] * bump(g["west_night_hour"], 2.5)
        + 70 * bump(g["west_evening_hour"], 2.0),
        # coal and gas with lots of solar: deep midday dip (local noon ~ 11 UTC)
        "eu-central": 430 - g["central_noon_depth"] * bump(g["central_noon_hour"], g["central_noon_width"])
        + 40 * bump(18, 1.8),
        # hydro and nuclear: low all day, a quiet night, an evening import peak,
        # and one very windy lunchtime hour (on a variant's day, a windy spell)
        "eu-north": g["north_base"] - g["north_night_depth"] * bump(g["north_night_hour"], 2.0)
        + 22 * bump(g["north_evening_hour"], 2.0)
        - g["north_windy_depth"] * bump(g["north_windy_hour"], g["north_windy_width"]),
        # gas and wind: cleaner at night, solar dip at midday
        "uk-south": 210 - 60 * bump(g["uk_night_hour"], 2.5) - g["uk_noon_depth"] * bump(12.5, 2.0)
        + 45 * bump(18, 2.0),
        # gas and coal, local noon ~ 17 UTC: mild solar dip, late-evening peak
        "us-east": 390 - g["us_noon_depth"] * bump(g["us_noon_hour"], 2.5) + 35 * bump(23, 2.0),
        # almost all hydro: very low and flat
        "ca-central": g["ca_level"] + 4 * bump(22, 2.5),
    }
    rows = []
    for region, values in profiles.items():
        noisy = np.round(values * (1 + rng.normal(0, 0.02, 24))).astype(int)
        for hour, v in zip(h, noisy, strict=True):
            rows.append((region, REGIONS[region], int(hour), int(v)))
    out = pd.DataFrame(rows, columns=["region", "jurisdiction", "hour_utc", "carbon_intensity_g_per_kwh"])
    out["source"] = "illustrative, not measured"
    return out


#: The retraining job of the lab's placement task (its task text): five hours, EU data only.
RETRAINING_HOURS = 5


def _cleanest_window(grid: pd.DataFrame, regions: list[str], hours: int = RETRAINING_HOURS) -> tuple[str, int]:
    """The region and start hour whose ``hours``-hour window has the lowest mean intensity."""
    best = (np.inf, "", 0)
    for region in regions:
        day = grid[grid["region"] == region].sort_values("hour_utc")["carbon_intensity_g_per_kwh"].to_numpy()
        windows = np.array([day[(start + np.arange(hours)) % 24].mean() for start in range(24)])
        start = int(np.argmin(windows))
        best = min(best, (float(windows[start]), region, start))
    return best[1], best[2]


def grid_tells_the_story(grid: pd.DataFrame, committed: pd.DataFrame | None = None) -> bool:
    """Whether a grid day keeps what Lab 4's carbon case finds in it: the
    cleanest five-hour window anywhere is outside the EU (so data residency
    has a cost, if a small one) and the cleanest EU window is in eu-north.
    With ``committed``, also that the cleanest EU window starts at another
    hour than on the committed day, so a copied placement fails."""
    eu = [r for r, law in REGIONS.items() if law == "EU"]
    world_region, _ = _cleanest_window(grid, list(REGIONS))
    eu_region, eu_start = _cleanest_window(grid, eu)
    story = REGIONS[world_region] != "EU" and eu_region == "eu-north"
    if committed is None or not story:
        return story
    return eu_start != _cleanest_window(committed, eu)[1]


USERS = Dataset("lab_users.csv", make_lab_users, "EU merchants' sign-up data with quasi-identifiers (lab 4)",
                {"dtype": {"postcode": str}},
                variant=as_variant("lab_users.csv"))
SCREENING = Dataset("lab_screening.csv", make_lab_screening, "a quarter of Larkspur Risk screening decisions (lab 4)",
                    variant=as_variant("lab_screening.csv"))
WORKLOADS = Dataset("lab_workloads.csv", make_lab_workloads, "Larkspur's recurring compute jobs (lab 4)")
GRID = Dataset("lab_grid_intensity.csv", make_lab_grid_intensity,
               "ILLUSTRATIVE hourly grid carbon intensity by region (lab 4)",
               variant=as_variant("lab_grid_intensity.csv"))

DATASETS: list[Dataset] = [USERS, SCREENING, WORKLOADS, GRID]
