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
