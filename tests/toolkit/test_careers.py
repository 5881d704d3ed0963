"""Tests for tpmcourse.careers; expected values are worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tpmcourse import careers


# ---------------------------------------------------------------- sources
def test_compensation_sources_has_the_guide_figures_and_names_sources():
    df = careers.compensation_sources()
    base = df[df["kind"] == "range"].iloc[0]
    assert (base["low_usd"], base["high_usd"]) == (120000, 170000)
    thresholds = sorted(df.loc[df["kind"] == "threshold", "low_usd"])
    assert thresholds == [200000, 300000]
    assert df["source"].str.contains("Built In").all()
    assert df["source"].str.contains("ZipRecruiter").all()
    assert (df["as_of"] == "early 2025").all()


def test_compensation_sources_rejects_a_row_without_source(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "figure,measure,low_usd,high_usd,source,as_of,kind\n"
        "x,base salary,1,2,,early 2025,range\n"
    )
    with pytest.raises(ValueError, match="source"):
        careers.compensation_sources(bad)


def test_compensation_sources_rejects_missing_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("figure,low_usd\nx,1\n")
    with pytest.raises(ValueError, match=r"bad\.csv has no column 'measure'"):
        careers.compensation_sources(bad)


# ---------------------------------------------------------------- vesting
def test_vesting_fractions_accepts_standard_and_backloaded():
    assert careers.vesting_fractions() == [0.25, 0.25, 0.25, 0.25]
    assert careers.vesting_fractions(careers.BACKLOADED_VESTING) == [0.05, 0.15, 0.40, 0.40]


@pytest.mark.parametrize(
    "schedule, error",
    [(None, TypeError), ("0.25", TypeError), ([], ValueError), ([0.5, 0.4], ValueError),
     ([0.5, float("nan"), 0.5], ValueError), ([1.5, -0.5], ValueError)],
)
def test_vesting_fractions_rejects_bad_schedules(schedule, error):
    with pytest.raises(error):
        careers.vesting_fractions(schedule)


def test_vested_amount_cliff_then_monthly():
    assert careers.vested_amount(48000, 11) == 0.0
    assert careers.vested_amount(48000, 12) == 12000.0
    assert careers.vested_amount(48000, 30) == 30000.0
    assert careers.vested_amount(48000, 60) == 48000.0


def test_vested_amount_rejects_bad_input():
    with pytest.raises(TypeError):
        careers.vested_amount(48000, 11.5)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError):
        careers.vested_amount(48000, 12, cliff_months=60)
    with pytest.raises(ValueError):
        careers.vested_amount(-1, 12)


def test_total_comp_table_standard_offer():
    t = careers.total_comp_table(165000, 10, 200000)
    assert list(t["year"]) == [1, 2, 3, 4]
    assert list(t["bonus"]) == [16500.0] * 4
    assert list(t["equity"]) == [50000.0] * 4
    assert list(t["total"]) == [231500.0] * 4


def test_total_comp_table_backloaded_and_partial_bonus():
    t = careers.total_comp_table(165000, 10, 200000, careers.BACKLOADED_VESTING, bonus_payout=0.5)
    assert list(t["equity"]) == [10000.0, 30000.0, 80000.0, 80000.0]
    assert t.loc[0, "total"] == 165000 + 8250 + 10000
    assert t["total"].sum() == 4 * (165000 + 8250) + 200000


@pytest.mark.parametrize(
    "args, error",
    [((None, 10, 1), TypeError), (("165k", 10, 1), TypeError), ((float("nan"), 10, 1), ValueError),
     ((165000, 150, 1), ValueError), ((165000, 10, -5), ValueError), ((True, 10, 1), TypeError)],
)
def test_total_comp_table_rejects_bad_input(args, error):
    with pytest.raises(error):
        careers.total_comp_table(*args)


# ---------------------------------------------------------------- ladder
def test_career_ladder_shape_and_monotonic_ic_track():
    ladder = careers.career_ladder()
    assert len(ladder) == 7
    ic = ladder[ladder["track"] == "IC"]
    assert list(ic["scope"]) == [1, 2, 3, 4]
    assert ladder.loc[ladder["track"] == "IC", "people_managed"].eq(0).all()


def test_ladder_step_values():
    ladder = careers.career_ladder()
    step = careers.ladder_step(ladder, "TPM", "Senior TPM")
    assert step.to_dict() == {"scope": 1, "ambiguity": 1, "influence": 1}
    step = careers.ladder_step(ladder, "Senior TPM", "Staff/Principal TPM")
    assert step.to_dict() == {"scope": 1, "ambiguity": 2, "influence": 1}


def test_ladder_step_rejects_unknown_level_and_bad_table():
    ladder = careers.career_ladder()
    with pytest.raises(ValueError, match="unknown level"):
        careers.ladder_step(ladder, "TPM", "Wizard")
    with pytest.raises(TypeError):
        careers.ladder_step(None, "TPM", "Senior TPM")  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="empty"):
        careers.ladder_step(ladder.iloc[0:0], "TPM", "Senior TPM")
    broken = ladder.copy()
    broken.loc[1, "scope"] = math.nan
    with pytest.raises(ValueError, match=r"column 'scope' of ladder has 1 missing \(NaN\)"):
        careers.ladder_step(broken, "TPM", "Senior TPM")
    twice = pd.concat([ladder, ladder[ladder["level"] == "TPM"]], ignore_index=True)
    with pytest.raises(ValueError, match="ladder lists level 'TPM' more than once"):
        careers.ladder_step(twice, "TPM", "Senior TPM")


# ---------------------------------------------------------------- skills
def test_skill_gaps_engineer():
    gaps = careers.skill_gaps(careers.transferable_skills(), "engineer")
    assert gaps["gap"].sum() == 9
    assert gaps["weighted_gap"].sum() == 13
    assert list(gaps["skill"][:2]) == ["Business case and pricing", "Customer discovery"]
    assert gaps.loc[gaps["skill"] == "System design", "gap"].item() == 0


def test_skill_gaps_business_analyst():
    gaps = careers.skill_gaps(careers.transferable_skills(), "business_analyst")
    assert gaps["gap"].sum() == 6
    assert gaps["weighted_gap"].sum() == 12
    assert gaps.iloc[0]["skill"] == "System design"
    assert gaps.iloc[0]["weighted_gap"] == 6


def test_skill_gaps_rejects_bad_input():
    skills = careers.transferable_skills()
    with pytest.raises(ValueError, match="skills has no column 'designer'"):
        careers.skill_gaps(skills, "designer")
    with pytest.raises(TypeError):
        careers.skill_gaps(skills, 3)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(TypeError):
        careers.skill_gaps([1, 2], "engineer")  # type: ignore[arg-type]  # wrong type on purpose


# ---------------------------------------------------------------- interview prep
def test_allocate_prep_hours_proportional():
    tracker = pd.DataFrame({"round": ["a", "b", "c"], "weight": [2, 1, 1],
                            "current": [2, 3, 4], "target": [4, 4, 4]})
    out = careers.allocate_prep_hours(tracker, 10)
    assert list(out["need"]) == [4, 1, 0]
    assert list(out["hours"]) == [8, 2, 0]


def test_allocate_prep_hours_largest_remainder_sums_exactly():
    tracker = pd.DataFrame({"round": ["a", "b", "c"], "weight": [1, 1, 1],
                            "current": [3, 3, 3], "target": [4, 4, 4]})
    out = careers.allocate_prep_hours(tracker, 10)
    assert list(out["hours"]) == [4, 3, 3]
    assert out["hours"].sum() == 10


def test_allocate_prep_hours_rejects_bad_input():
    tracker = pd.DataFrame({"round": ["a"], "weight": [1], "current": [3], "target": [4]})
    with pytest.raises(ValueError):
        careers.allocate_prep_hours(tracker, 0)
    with pytest.raises(TypeError):
        careers.allocate_prep_hours(tracker, 2.5)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="tracker has no column 'weight'"):
        careers.allocate_prep_hours(tracker.drop(columns="weight"), 10)


# ---------------------------------------------------------------- technical bar
@pytest.fixture
def bar_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    areas = ["Systems", "APIs", "ML"]
    profiles = pd.DataFrame({"Ana": [3, 1, 0], "Bo": [1, 3, 2]}, index=areas)
    bars = pd.DataFrame({"Platform": [3, 2, 0], "Risk": [2, 1, 3]}, index=areas)
    return profiles, bars


def test_technical_bar_gaps_values(bar_frames):
    out = careers.technical_bar_gaps(*bar_frames)
    assert list(out.columns) == ["profile", "role", "shortfall", "areas_below", "meets_bar"]
    ana = out[out["profile"] == "Ana"].set_index("role")
    # Platform: APIs 2-1 = 1; Risk: ML 3-0 = 3 (the Systems surplus does not offset it)
    assert ana.loc["Platform", "shortfall"] == 1 and ana.loc["Platform", "areas_below"] == "APIs"
    assert ana.loc["Risk", "shortfall"] == 3 and ana.loc["Risk", "areas_below"] == "ML"
    bo = out[out["profile"] == "Bo"].set_index("role")
    # Platform: Systems 3-1 = 2; Risk: Systems 2-1 = 1, ML 3-2 = 1
    assert bo.loc["Platform", "shortfall"] == 2 and bo.loc["Risk", "shortfall"] == 2
    assert bo.loc["Risk", "areas_below"] == "Systems, ML"
    assert not out["meets_bar"].any()
    assert list(out["profile"]) == ["Ana", "Ana", "Bo", "Bo"]
    assert list(out["role"][:2]) == ["Platform", "Risk"]  # closest fit first


def test_technical_bar_gaps_meets_bar_when_nothing_is_below(bar_frames):
    profiles, bars = bar_frames
    profiles = profiles.assign(Cy=[3, 3, 3])
    cy = careers.technical_bar_gaps(profiles, bars).query("profile == 'Cy'")
    assert cy["meets_bar"].all() and (cy["areas_below"] == "none").all() and (cy["shortfall"] == 0).all()


def test_technical_bar_gaps_rejects_bad_input(bar_frames):
    profiles, bars = bar_frames
    with pytest.raises(TypeError, match="profiles should be a pandas DataFrame"):
        careers.technical_bar_gaps(None, bars)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="bars is an empty table"):
        careers.technical_bar_gaps(profiles, bars.iloc[0:0])
    with pytest.raises(ValueError, match="missing from profiles: \\['ML'\\]"):
        careers.technical_bar_gaps(profiles.drop(index="ML"), bars)
    with pytest.raises(ValueError, match="whole level from 0 to 3"):
        careers.technical_bar_gaps(profiles.assign(Ana=[4, 1, 0]), bars)
    with pytest.raises(ValueError, match="missing \\(NaN\\)"):
        careers.technical_bar_gaps(profiles.assign(Ana=[3, math.nan, 0]), bars)
    with pytest.raises(ValueError, match="holds text"):
        careers.technical_bar_gaps(profiles.assign(Ana=["3", "1", "0"]), bars)
    twice = pd.concat([bars, bars.iloc[[0]]])
    with pytest.raises(ValueError, match="more than once"):
        careers.technical_bar_gaps(profiles, twice)


# ---------------------------------------------------------------- job-search funnel
RATES = {"screens": 0.1, "loops": 0.5, "offers": 0.2}


def test_search_funnel_multiplies_stage_by_stage():
    out = careers.search_funnel(200, RATES)
    assert list(out["stage"]) == ["applications", "screens", "loops", "offers"]
    assert list(out["expected"]) == [200.0, 20.0, 10.0, 2.0]
    assert list(out["share_of_applications_pct"]) == [100.0, 10.0, 5.0, 1.0]


def test_applications_needed_rounds_up():
    assert careers.applications_needed(1, RATES) == 100     # 1 / 0.01
    assert careers.applications_needed(1.5, RATES) == 150
    assert careers.applications_needed(1, {"screens": 0.3, "offers": 0.3}) == 12  # 1 / 0.09 = 11.1


@pytest.mark.parametrize("rates, error, message", [
    (None, TypeError, "rates should be a dict"),
    ({}, ValueError, "rates is empty"),
    ({"screens": 1.5}, ValueError, "share of the previous stage"),
    ({"screens": 0}, ValueError, "share of the previous stage"),
    ({"screens": "10%"}, TypeError, "not text"),
    ({"screens": math.nan}, ValueError, "NaN"),
    ({"screens": ...}, TypeError, "not answered yet"),
])
def test_funnel_rejects_bad_rates(rates, error, message):
    with pytest.raises(error, match=message):
        careers.search_funnel(100, rates)
    with pytest.raises(error, match=message):
        careers.applications_needed(1, rates)


def test_funnel_rejects_bad_counts():
    with pytest.raises(ValueError):
        careers.search_funnel(0, RATES)
    with pytest.raises(ValueError, match="whole number"):
        careers.search_funnel(10.5, RATES)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError):
        careers.applications_needed(0, RATES)
