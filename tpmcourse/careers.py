"""Career helpers for chapters 6 and 10: salary figures with their sources,
total compensation with vesting, a TPM career ladder, skill-gap comparisons
and an interview-preparation planner.

Career numbers are easy to misread, so every helper here keeps two things
visible: where a figure came from (a named source, or "illustrative") and how
a total was built from its parts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tpmcourse.paths import data_file

COMPENSATION_FILE = "tpm_compensation_sources.csv"
COMPENSATION_COLUMNS = ("figure", "measure", "low_usd", "high_usd", "source", "as_of", "kind")

#: Four equal yearly slices: the most common schedule for equity grants.
STANDARD_VESTING: tuple[float, ...] = (0.25, 0.25, 0.25, 0.25)
#: A back-loaded schedule some large employers use: little equity early on.
BACKLOADED_VESTING: tuple[float, ...] = (0.05, 0.15, 0.40, 0.40)

LADDER_DIMENSIONS = ("scope", "ambiguity", "influence")


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------
def _require_frame(df: object, columns: Sequence[str], name: str) -> pd.DataFrame:
    """Fail early, with a message a learner can act on, on an unusable table."""
    if df is None:
        raise TypeError(f"{name}: expected a pandas DataFrame, got None.")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}.")
    if df.empty:
        raise ValueError(f"{name}: the table is empty; it needs at least one row.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; the table has {list(df.columns)}.")
    return df


def _require_number(value: object, name: str, *, minimum: float = 0.0) -> float:
    """A finite real number at or above ``minimum`` (booleans are refused)."""
    if value is None:
        raise TypeError(f"{name} is None; give a number.")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}.")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return float(value)


def _require_numeric_columns(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    for col in columns:
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise TypeError(f"{name}: column {col!r} must hold numbers.")
        if df[col].isna().any():
            rows = list(df.index[df[col].isna()])
            raise ValueError(f"{name}: column {col!r} has missing values (rows {rows}).")


# --------------------------------------------------------------------------
# compensation figures and total compensation
# --------------------------------------------------------------------------
def compensation_sources(path: Path | str | None = None) -> pd.DataFrame:
    """The salary figures the course quotes, one row each, with the source
    named on every row so a chart or table can never lose its attribution."""
    csv = Path(path) if path is not None else data_file(COMPENSATION_FILE)
    df = pd.read_csv(csv)
    _require_frame(df, COMPENSATION_COLUMNS, "compensation sources")
    if df["low_usd"].isna().any():
        raise ValueError("compensation sources: every figure needs a low_usd value.")
    if df["source"].isna().any() or (df["source"].astype(str).str.strip() == "").any():
        raise ValueError("compensation sources: every figure must name its source.")
    ranges = df[df["kind"] == "range"]
    if ranges["high_usd"].isna().any() or (ranges["high_usd"] < ranges["low_usd"]).any():
        raise ValueError("compensation sources: a range needs high_usd at or above low_usd.")
    return df


def vesting_fractions(schedule: Sequence[float] = STANDARD_VESTING) -> list[float]:
    """Check a yearly vesting schedule (shares of the grant per year) and
    return it as a list; the shares must be non-negative and add up to 1."""
    if schedule is None:
        raise TypeError("schedule is None; give yearly shares such as (0.25, 0.25, 0.25, 0.25).")
    if isinstance(schedule, (str, bytes)) or not isinstance(schedule, Sequence):
        raise TypeError("schedule must be a list or tuple of yearly shares.")
    if len(schedule) == 0:
        raise ValueError("schedule is empty; give at least one yearly share.")
    shares = [_require_number(s, f"schedule[{i}]") for i, s in enumerate(schedule)]
    if not math.isclose(sum(shares), 1.0, abs_tol=1e-9):
        raise ValueError(f"schedule shares must add up to 1 (100% of the grant), got {sum(shares):.4f}.")
    return shares


def vested_amount(
    grant: float, months_served: int, *, total_months: int = 48, cliff_months: int = 12
) -> float:
    """Equity vested after ``months_served`` under monthly vesting with a
    cliff: nothing before the cliff, then the cliff's share at once, then an
    equal slice each month. Shows why leaving at month 11 forfeits it all."""
    grant = _require_number(grant, "grant")
    for value, name in ((months_served, "months_served"), (total_months, "total_months"),
                        (cliff_months, "cliff_months")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number of months, got {value!r}.")
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}.")
    if total_months == 0:
        raise ValueError("total_months must be at least 1.")
    if cliff_months > total_months:
        raise ValueError("cliff_months cannot be longer than total_months.")
    if months_served < cliff_months:
        return 0.0
    return round(grant * min(months_served, total_months) / total_months, 2)


def total_comp_table(
    base: float,
    bonus_target_pct: float,
    equity_grant: float,
    schedule: Sequence[float] = STANDARD_VESTING,
    *,
    bonus_payout: float = 1.0,
) -> pd.DataFrame:
    """Year-by-year total compensation (base + bonus + vested equity) for an
    offer, so that two offers with the same headline can be compared on what
    actually arrives each year. ``bonus_target_pct`` is a percentage of base
    (10 means 10%); ``bonus_payout`` scales it (1.0 = target met)."""
    base = _require_number(base, "base")
    pct = _require_number(bonus_target_pct, "bonus_target_pct")
    if pct > 100:
        raise ValueError(f"bonus_target_pct is a percentage of base (e.g. 10), got {pct}.")
    grant = _require_number(equity_grant, "equity_grant")
    payout = _require_number(bonus_payout, "bonus_payout")
    shares = vesting_fractions(schedule)
    bonus = round(base * pct / 100 * payout, 2)
    rows = []
    for year, share in enumerate(shares, start=1):
        equity = round(grant * share, 2)
        rows.append({"year": year, "base": round(base, 2), "bonus": bonus, "equity": equity,
                     "total": round(base + bonus + equity, 2)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# career ladder
# --------------------------------------------------------------------------
def career_ladder() -> pd.DataFrame:
    """An illustrative TPM career ladder (Larkspur's, invented for the
    course) scored 1-6 on scope, ambiguity and influence. Real ladders differ
    by company; the shape, not the numbers, is the lesson."""
    rows = [
        ("Associate TPM", "IC", 1, 1, 1, 0, "one feature or workstream", "0-2"),
        ("TPM", "IC", 2, 2, 2, 0, "one product area, one team", "2-5"),
        ("Senior TPM", "IC", 3, 3, 3, 0, "a product spanning several teams", "5-8"),
        ("Staff/Principal TPM", "IC", 4, 5, 4, 0, "a platform used across the company", "8+"),
        ("Group PM", "Management", 4, 4, 4, 4, "a product line; manages PMs", "8+"),
        ("Director of Product", "Management", 5, 5, 5, 10, "several product lines", "10+"),
        ("VP Product / CPO", "Management", 6, 6, 6, 30, "the whole product portfolio", "12+"),
    ]
    return pd.DataFrame(
        rows,
        columns=["level", "track", "scope", "ambiguity", "influence", "people_managed",
                 "owns", "typical_years"],
    )


def ladder_step(ladder: pd.DataFrame, from_level: str, to_level: str) -> pd.Series:
    """How much each dimension grows between two levels: the expectations a
    promotion case has to show evidence for."""
    _require_frame(ladder, ("level", *LADDER_DIMENSIONS), "ladder")
    _require_numeric_columns(ladder, LADDER_DIMENSIONS, "ladder")
    for name in (from_level, to_level):
        if not isinstance(name, str):
            raise TypeError(f"level names must be text, got {type(name).__name__}.")
        if name not in set(ladder["level"]):
            raise ValueError(f"unknown level {name!r}; choose one of {list(ladder['level'])}.")
    table = ladder.set_index("level")
    return (table.loc[to_level, list(LADDER_DIMENSIONS)]
            - table.loc[from_level, list(LADDER_DIMENSIONS)]).astype(int)


# --------------------------------------------------------------------------
# transferable skills
# --------------------------------------------------------------------------
def transferable_skills() -> pd.DataFrame:
    """Illustrative 0-5 ratings of a typical software engineer and a typical
    business analyst against what a Larkspur TPM needs, with a relative
    effort per point (technical depth is slower to build)."""
    rows = [
        ("System design", 4, 1, 3, 3),
        ("Reading code and logs", 5, 1, 2, 3),
        ("Data analysis and SQL", 3, 4, 3, 1),
        ("Customer discovery", 2, 4, 4, 2),
        ("Business case and pricing", 1, 4, 3, 2),
        ("Stakeholder communication", 2, 4, 4, 1),
        ("Prioritization", 2, 3, 4, 1),
        ("Delivery and risk management", 3, 2, 4, 1),
    ]
    return pd.DataFrame(rows, columns=["skill", "engineer", "business_analyst", "tpm_target",
                                       "effort"])


def skill_gaps(skills: pd.DataFrame, profile: str) -> pd.DataFrame:
    """Gap between one profile and the TPM target, skill by skill (zero where
    the profile already meets it), weighted by effort and sorted largest
    first: the order in which to work on them."""
    if not isinstance(profile, str):
        raise TypeError(f"profile must be a column name (text), got {type(profile).__name__}.")
    _require_frame(skills, ("skill", "tpm_target", "effort", profile), "skills")
    _require_numeric_columns(skills, ("tpm_target", "effort", profile), "skills")
    gap = (skills["tpm_target"] - skills[profile]).clip(lower=0)
    out = pd.DataFrame({"skill": skills["skill"], "current": skills[profile],
                        "target": skills["tpm_target"], "gap": gap,
                        "weighted_gap": gap * skills["effort"]})
    out = out.sort_values(["weighted_gap", "skill"], ascending=[False, True])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------
# interview preparation
# --------------------------------------------------------------------------
def allocate_prep_hours(tracker: pd.DataFrame, total_hours: int) -> pd.DataFrame:
    """Split a fixed budget of practice hours across interview rounds in
    proportion to weight x (target - current), in whole hours that add up
    exactly (largest-remainder rounding), so effort goes where it pays."""
    _require_frame(tracker, ("round", "weight", "current", "target"), "tracker")
    _require_numeric_columns(tracker, ("weight", "current", "target"), "tracker")
    if isinstance(total_hours, bool) or not isinstance(total_hours, int):
        raise TypeError(f"total_hours must be a whole number, got {total_hours!r}.")
    if total_hours <= 0:
        raise ValueError(f"total_hours must be positive, got {total_hours}.")
    need = tracker["weight"] * (tracker["target"] - tracker["current"]).clip(lower=0)
    out = tracker.copy()
    out["need"] = need
    if need.sum() == 0:
        out["hours"] = 0
        return out
    exact = need / need.sum() * total_hours
    hours = exact.apply(math.floor)
    left = total_hours - int(hours.sum())
    order = (exact - hours).sort_values(ascending=False, kind="stable").index[:left]
    hours.loc[order] += 1
    out["hours"] = hours.astype(int)
    return out
