"""Career helpers for chapters 6 and 10: salary figures with their sources,
total compensation with vesting, a TPM career ladder, skill-gap comparisons,
an interview-preparation planner, the technical bar of a role and a
job-search funnel.

Career numbers are easy to misread, so every helper here keeps two things
visible: where a figure came from (a named source, or "illustrative") and how
a total was built from its parts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from tpmcourse import validate as v
from tpmcourse.paths import data_file

COMPENSATION_FILE = "tpm_compensation_sources.csv"
COMPENSATION_COLUMNS = ("figure", "measure", "low_usd", "high_usd", "source", "as_of", "kind")

#: Four equal yearly slices: the most common schedule for equity grants.
STANDARD_VESTING: tuple[float, ...] = (0.25, 0.25, 0.25, 0.25)
#: A back-loaded schedule some large employers use: little equity early on.
BACKLOADED_VESTING: tuple[float, ...] = (0.05, 0.15, 0.40, 0.40)

LADDER_DIMENSIONS = ("scope", "ambiguity", "influence")


# --------------------------------------------------------------------------
# compensation figures and total compensation
# --------------------------------------------------------------------------
def compensation_sources(path: Path | str | None = None) -> pd.DataFrame:
    """The salary figures the course quotes, one row each, with the source
    named on every row so a chart or table can never lose its attribution."""
    csv = Path(path) if path is not None else data_file(COMPENSATION_FILE)
    df = v.require_frame(pd.read_csv(csv), csv.name, COMPENSATION_COLUMNS)
    if df["low_usd"].isna().any():
        raise v.InputError(f"{csv.name}: every figure needs a low_usd value.")
    if df["source"].isna().any() or (df["source"].astype(str).str.strip() == "").any():
        raise v.InputError(f"{csv.name}: every figure must name its source.")
    ranges = df[df["kind"] == "range"]
    if ranges["high_usd"].isna().any() or (ranges["high_usd"] < ranges["low_usd"]).any():
        raise v.InputError(f"{csv.name}: a range needs high_usd at or above low_usd.")
    return df


def vesting_fractions(schedule: Sequence[float] = STANDARD_VESTING) -> list[float]:
    """Check a yearly vesting schedule (shares of the grant per year) and
    return it as a list; the shares must be non-negative and add up to 1."""
    shares = v.require_numbers(schedule, "schedule", minimum=0)
    if not math.isclose(sum(shares), 1.0, abs_tol=1e-9):
        raise v.InputError(f"schedule shares must add up to 1 (100% of the grant), e.g. (0.25, 0.25, 0.25, 0.25); "
                           f"got {sum(shares):.4f}.")
    return shares


def vested_amount(
    grant: float, months_served: int, *, total_months: int = 48, cliff_months: int = 12
) -> float:
    """Equity vested after ``months_served`` under monthly vesting with a
    cliff: nothing before the cliff, then the cliff's share at once, then an
    equal slice each month. Shows why leaving at month 11 forfeits it all."""
    grant = v.require_number(grant, "grant", minimum=0)
    months_served = v.require_int(months_served, "months_served", minimum=0)
    total_months = v.require_int(total_months, "total_months", minimum=1)
    cliff_months = v.require_int(cliff_months, "cliff_months", minimum=0)
    if cliff_months > total_months:
        raise v.InputError(f"cliff_months ({cliff_months}) cannot be longer than total_months ({total_months}).")
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
    base = v.require_number(base, "base", minimum=0)
    pct = v.require_number(bonus_target_pct, "bonus_target_pct", minimum=0, maximum=100,
                           hint="a percentage of base: 10 means 10%")
    grant = v.require_number(equity_grant, "equity_grant", minimum=0)
    payout = v.require_number(bonus_payout, "bonus_payout", minimum=0)
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
    v.require_frame(ladder, "ladder", ("level", *LADDER_DIMENSIONS))
    v.require_numeric_columns(ladder, "ladder", LADDER_DIMENSIONS)
    for level, name in ((from_level, "from_level"), (to_level, "to_level")):
        if v.require_text(level, name) not in set(ladder["level"]):
            raise v.InputError(f"{name} is an unknown level {level!r}; choose one of {list(ladder['level'])}.")
    table = ladder.set_index("level")
    return (_ladder_row(table, to_level) - _ladder_row(table, from_level)).astype(int)


def _ladder_row(table: pd.DataFrame, level: str) -> pd.Series:
    """One level's dimensions from a ladder indexed by level."""
    row = table.loc[level, list(LADDER_DIMENSIONS)]
    if not isinstance(row, pd.Series):  # a DataFrame: several rows have this level
        raise v.InputError(f"ladder lists level {level!r} more than once; keep one row per level.")
    return row


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
    v.require_text(profile, "profile")
    v.require_frame(skills, "skills", ("skill", "tpm_target", "effort", profile))
    v.require_numeric_columns(skills, "skills", ("tpm_target", "effort", profile))
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
    v.require_frame(tracker, "tracker", ("round", "weight", "current", "target"))
    v.require_numeric_columns(tracker, "tracker", ("weight", "current", "target"))
    total_hours = v.require_int(total_hours, "total_hours", minimum=1)
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


# --------------------------------------------------------------------------
# technical bar (ch10)
# --------------------------------------------------------------------------
def technical_bar_gaps(profiles: pd.DataFrame, bars: pd.DataFrame) -> pd.DataFrame:
    """Score each profile against each role's technical bar, area by area on
    the 0-3 scale, so that "not technical enough" becomes a list of named
    areas (and so of evidence to gather) rather than a verdict.

    ``profiles`` has one row per technical area (the index) and one column per
    person; ``bars`` has the same areas and one column per role. Surplus in one
    area does not offset a shortfall in another. Returns one row per person and
    role with the total ``shortfall`` in points, the ``areas_below`` the bar
    and whether the person ``meets_bar``, closest fit first for each person.
    """
    profiles = v.require_frame(profiles, "profiles")
    bars = v.require_frame(bars, "bars")
    for frame, name in ((profiles, "profiles"), (bars, "bars")):
        v.require_numeric_columns(frame, name, minimum=0, maximum=3, whole=True, hint="a whole level from 0 to 3")
    for frame, name in ((profiles, "profiles"), (bars, "bars")):
        if frame.index.duplicated().any():
            twice = sorted(set(map(str, frame.index[frame.index.duplicated()])))
            raise v.InputError(f"{name} lists the area(s) {twice} more than once; keep one row per area.")
    missing = [str(a) for a in bars.index if a not in profiles.index]
    extra = [str(a) for a in profiles.index if a not in bars.index]
    if missing or extra:
        raise v.InputError(f"profiles and bars must score the same areas (the row labels); "
                           f"missing from profiles: {missing or 'none'}, not in bars: {extra or 'none'}.")
    rows = []
    for person in profiles.columns:
        fits: list[tuple[int, dict[str, object]]] = []
        for role in bars.columns:
            gap = (bars[role] - profiles.loc[bars.index, person]).clip(lower=0)
            below = [str(area) for area in gap.index if gap[area] > 0]
            shortfall = int(gap.sum())
            fits.append((shortfall, {"profile": person, "role": role, "shortfall": shortfall,
                                     "areas_below": ", ".join(below) or "none", "meets_bar": not below}))
        rows += [fit for _, fit in sorted(fits, key=lambda pair: pair[0])]  # stable: ties keep the role order
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# job-search funnel (ch10)
# --------------------------------------------------------------------------
def _funnel_rates(rates: Mapping[str, float]) -> list[tuple[str, float]]:
    """The stages after applications, in order, each with a rate in (0, 1]."""
    rates = v.require_mapping(rates, "rates", example="{'screens': 0.1, 'loops': 0.4, 'offers': 0.25}")
    checked = []
    for stage, rate in rates.items():
        stage = v.require_text(stage, "a stage name in rates")
        checked.append((stage, v.require_number(rate, f"rates[{stage!r}]", above=0, maximum=1,
                                                hint="a share of the previous stage, e.g. 0.25 for 25%")))
    return checked


def search_funnel(applications: int, rates: Mapping[str, float]) -> pd.DataFrame:
    """Expected count at each stage of a job search (applications, screens,
    interview loops, offers), from the conversion rate into each stage, so a
    candidate sees which rate limits the outcome before sending more CVs.

    ``rates`` maps each later stage, in order, to the share of the previous
    stage that reaches it (0.1 for 10%). Rates are assumptions to be replaced
    with your own tallies; the function only does the multiplication openly.
    """
    applications = v.require_int(applications, "applications", minimum=1)
    rows = [{"stage": "applications", "rate_from_previous": 1.0, "expected": float(applications),
             "share_of_applications_pct": 100.0}]
    count, share = float(applications), 1.0
    for stage, rate in _funnel_rates(rates):
        count, share = count * rate, share * rate
        rows.append({"stage": stage, "rate_from_previous": rate, "expected": round(count, 2),
                     "share_of_applications_pct": round(share * 100, 2)})
    return pd.DataFrame(rows)


def applications_needed(target: float, rates: Mapping[str, float]) -> int:
    """Applications needed for an expected ``target`` at the last stage (for
    example one offer), rounded up: the other way to read a funnel."""
    target = v.require_number(target, "target", above=0)
    share = math.prod(rate for _, rate in _funnel_rates(rates))
    return math.ceil(round(target / share, 9))
