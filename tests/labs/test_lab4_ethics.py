"""Lab 4 (ethical case studies): right answers pass, the usual slips get
their own hint. Expected values are recomputed here with plain pandas and
pinned where the generator's output was read once, so a change to the data
is noticed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labcheck import checker
from tpmcourse.checks import tasks
from tpmcourse.datasets.lab4_ethics import SCREENING, USERS, make_lab_grid_intensity, make_lab_workloads
from tpmcourse.labs.lab4_ethics_helpers import window_intensity
from tpmcourse.privacy import BUSINESS_SECTORS

ok, hint = checker("ethics")


@pytest.fixture(scope="module")
def users():
    return USERS.read()


@pytest.fixture(scope="module")
def screening():
    return SCREENING.read()


def test_twelve_tasks_with_objectives_and_three_written():
    found = tasks("ethics")
    assert len(found) == 12
    assert all(t.objective and t.objective.startswith("ch09-") for t in found)
    assert [t.id for t in found if t.kind == "written"] == [
        "ethics.privacy_memo", "ethics.fairness_memo", "ethics.carbon_memo"]


# --- Task 1 -----------------------------------------------------------------------------


def unique_share_by_hand(users):
    year = users["owner_birth_date"].str[:4]
    sizes = users.groupby([users["postcode"], year]).size()
    return sizes[sizes == 1].sum() / len(users), (sizes == 1).mean()


def test_k_anonymity_right_answer(users):
    share, _ = unique_share_by_hand(users)
    assert share == pytest.approx(0.823, abs=0.001)  # pinned: 3,292 of 4,000 merchants
    assert "82.3%" in ok("k_anonymity", 1, share)
    ok("k_anonymity", 1, round(share, 3))


def test_k_anonymity_slips(users):
    share, class_share = unique_share_by_hand(users)
    assert "SMALLEST" in hint("k_anonymity", 3, share)
    assert "percentage" in hint("k_anonymity", 1, share * 100)
    assert "count of merchants" in hint("k_anonymity", 1, share * len(users))
    assert "CLASSES" in hint("k_anonymity", 1, class_share)
    by_date = users.groupby(["postcode", "owner_birth_date"]).size()
    assert "full birth date" in hint("k_anonymity", 1, float((by_date == 1).sum() / len(users)))
    assert "not answered" in hint("k_anonymity", ..., share)


# --- Task 2 -----------------------------------------------------------------------------


def test_stop_collecting():
    ok("stop_collecting", ["referral_source", "owner_gender", "employees"])
    ok("stop_collecting", ("owner_gender", "employees", "referral_source"))
    assert "owner_birth_date" in hint("stop_collecting", ["owner_gender", "employees", "referral_source",
                                                          "owner_birth_date"])
    assert "anti-money-laundering" in hint("stop_collecting", ["owner_gender", "employees", "referral_source",
                                                               "owner_birth_date"])
    assert "'employees' is still collected" in hint("stop_collecting", ["owner_gender", "referral_source"])
    assert "single string" in hint("stop_collecting", "owner_gender")
    assert "not a column" in hint("stop_collecting", ["gender"])
    assert "empty" in hint("stop_collecting", [])


# --- Task 3 -----------------------------------------------------------------------------


def generalized(users, keep=1, band=10, gender=False):
    years = users["owner_birth_date"].str[:4].astype(int)
    out = users[["merchant_id", "postcode", "owner_birth_date", "owner_gender", "business_type"]].assign(
        postcode=users["postcode"].str[:keep] + "*" * (5 - keep),
        owner_birth_date=(years // band * band).astype(str),
        business_type=users["business_type"].map(BUSINESS_SECTORS))
    return out if gender else out.drop(columns="owner_gender")


def suppress(df, qi, k=5):
    return df[df.groupby(qi)["merchant_id"].transform("size") >= k]


QI3 = ["postcode", "owner_birth_date", "business_type"]


def test_release_right_answers(users):
    decade = suppress(generalized(users), QI3)
    assert len(users) - len(decade) == 166  # pinned: 4.2% suppressed
    assert "166 rows suppressed" in ok("release", decade)
    ok("release", suppress(generalized(users, band=20), QI3))  # 20-year bands also meet the conditions
    # a gender column generalized away entirely is fine too
    ok("release", suppress(generalized(users), QI3).assign(owner_gender="*"))


def test_release_slips(users):
    assert "k is 1" in hint("release", generalized(users))  # no suppression
    with_gender = generalized(users, gender=True)
    assert "at most 5%" in hint("release", suppress(with_gender, [*QI3, "owner_gender"]))
    assert "suppressed 2000 of 4000" in hint("release", generalized(users).iloc[:2000])
    raw = users[["merchant_id", *QI3]]
    assert "k is 1" in hint("release", raw)
    everything = generalized(users).assign(postcode="*****")
    assert "postal zones" in hint("release", everything)
    wide = generalized(users).assign(owner_birth_date="all")
    assert "birth years" in hint("release", wide)
    one_sector = generalized(users).assign(business_type="business")
    assert "mixes several sectors" in hint("release", one_sector)
    local = suppress(generalized(users), QI3).copy()
    local.iloc[0, local.columns.get_loc("postcode")] = "X****"
    assert "global recoding" in hint("release", local)
    duplicated = pd.concat([suppress(generalized(users), QI3)] * 2)
    assert "duplicated merchant_id" in hint("release", duplicated)
    assert "no column 'merchant_id'" in hint("release", generalized(users).drop(columns="merchant_id"))


# --- Tasks 4, 9, 12: memos ---------------------------------------------------------------


MEMO = ("Decision: we send the agency the 5-anonymous extract and stop collecting gender. " +
        " ".join(f"word{i}" for i in range(10)) + " The table had k = 1 and 82 percent were unique "
        "on postcode and birth year, so the raw export would expose almost every merchant to anyone "
        "with a map and a company register. We generalized the postcode to its zone, the birth date "
        "to a decade and the business type to a sector, then suppressed 166 rows, which removes "
        "mostly the oldest and youngest owners from the study. Next step: Lena signs the agreement "
        "and the data team reruns the check monthly.")


@pytest.mark.parametrize("task", ["privacy_memo", "fairness_memo", "carbon_memo"])
def test_memo_form(task):
    assert "rubric" in ok(task, MEMO)
    assert "at least 80" in hint(task, "We decide to stop. k = 1 and 82%.")
    assert "repeats" in hint(task, "decision 1 2 " + "same words again " * 40)
    assert "does not state a decision" in hint(task, MEMO.replace("Decision:", "Note:").replace("Next step:", "Then"))
    no_numbers = "".join(ch for ch in MEMO if not ch.isdigit())
    assert "cites fewer than two numbers" in hint(task, no_numbers)
    assert "string" in hint(task, ["a memo"])


# --- Tasks 5 and 6 -------------------------------------------------------------------------


def rates_by_hand(s):
    approval = s.groupby("legal_form")["approved"].mean()
    good = s[s["good_outcome"] == 1].groupby("legal_form")["approved"].mean()
    bad = s[s["good_outcome"] == 0].groupby("legal_form")["approved"].mean()
    return approval, good, bad


def test_gaps(screening):
    approval, tpr, fpr = rates_by_hand(screening)
    dpd, eod = approval.max() - approval.min(), tpr.max() - tpr.min()
    assert (round(dpd, 4), round(eod, 4)) == (0.1937, 0.2001)  # pinned
    assert "0.194" in ok("gaps", dpd, eod)
    ok("gaps", round(dpd, 3), round(eod, 3))
    assert "swapped" in hint("gaps", eod, dpd)
    assert "wrong sign" in hint("gaps", -dpd, eod)
    assert "percentage" in hint("gaps", dpd * 100, eod)
    assert "false positive" in hint("gaps", dpd, fpr.max() - fpr.min())
    assert "good_outcome == 1" in hint("gaps", dpd, dpd)
    base = screening.groupby("legal_form")["good_outcome"].mean()
    assert "good_outcome rates" in hint("gaps", base.max() - base.min(), eod)


def test_four_fifths(screening):
    approval, _, _ = rates_by_hand(screening)
    ratio = approval.min() / approval.max()
    assert round(ratio, 4) == 0.7218
    assert "below the 0.8 line" in ok("four_fifths", ratio, False)
    ok("four_fifths", ratio, np.bool_(False))
    assert "LOWEST" in hint("four_fifths", 1 / ratio, False)
    assert "below 0.8" in hint("four_fifths", ratio, True)
    assert "True or False" in hint("four_fifths", ratio, "no")


# --- Tasks 7 and 8 -------------------------------------------------------------------------


THRESHOLDS = [round(0.35 + 0.01 * i, 2) for i in range(26)]


def sweep_by_hand(s, sole_cut, company_cut=0.35):
    cut = np.where(s["legal_form"] == "sole_trader", sole_cut, company_cut)
    d = (s["risk_score"] < cut).astype(int)
    approval = d.groupby(s["legal_form"]).mean()
    good = s["good_outcome"] == 1
    tpr = d[good].groupby(s["legal_form"][good]).mean()
    return {"threshold": sole_cut, "dp_difference": approval.max() - approval.min(),
            "eo_difference": tpr.max() - tpr.min(), "di_ratio": approval.min() / approval.max(),
            "bad_approved": int(((d == 1) & ~good).sum())}


def test_sweep(screening):
    mine = pd.DataFrame([sweep_by_hand(screening, t) for t in THRESHOLDS])
    assert "crossed at 0.40" in ok("sweep", mine)
    ok("sweep", mine.iloc[::-1].reset_index(drop=True))  # order does not matter
    everyone = pd.DataFrame([sweep_by_hand(screening, t, t) for t in THRESHOLDS])
    assert "both groups" in hint("sweep", everyone)
    flipped = pd.DataFrame([{**sweep_by_hand(screening, 0.35, t), "threshold": t} for t in THRESHOLDS])
    assert "limited companies' threshold" in hint("sweep", flipped)
    assert "26" in hint("sweep", mine.iloc[:10])
    shifted = mine.assign(threshold=[round(0.30 + 0.01 * i, 2) for i in range(26)])
    assert "0.35 to 0.6" in hint("sweep", shifted)
    assert "no column 'bad_approved'" in hint("sweep", mine.drop(columns="bad_approved"))


def test_threshold_choice(screening):
    rows = pd.DataFrame([sweep_by_hand(screening, t) for t in THRESHOLDS])
    meets = rows[(rows["eo_difference"] <= 0.05) & (rows["di_ratio"] >= 0.8)]
    best = meets["threshold"].iloc[meets["bad_approved"].argmin()]
    assert best == 0.49  # pinned
    assert "30 more bad merchants" in ok("threshold_choice", 0.49)
    assert "above the 0.05 limit" in hint("threshold_choice", 0.40)  # passes four-fifths only
    assert "below 0.8" in hint("threshold_choice", 0.35)
    assert "15 more bad merchants" in hint("threshold_choice", 0.54)  # the smallest gap, but costlier
    assert "percentage" in hint("threshold_choice", 49)
    assert "steps of 0.01" in hint("threshold_choice", 0.495)


# --- Tasks 10 and 11 -----------------------------------------------------------------------


def emissions_by_hand():
    jobs, grid = make_lab_workloads(), make_lab_grid_intensity()
    energy = jobs["hours"] * jobs["machines"] * jobs["avg_power_kw"] * jobs["pue"]
    intensity = [window_intensity(grid, r, h, hours)
                 for r, h, hours in zip(jobs["region"], jobs["start_hour_utc"], jobs["hours"], strict=True)]
    kg = energy * np.array(intensity) / 1000
    return pd.DataFrame({"job_id": jobs["job_id"], "energy_kwh": energy, "kg_co2e_per_run": kg,
                         "kg_co2e_per_year": kg * jobs["runs_per_year"]}), jobs, grid


def test_emissions_right_answer():
    table, _, _ = emissions_by_hand()
    j01 = table.set_index("job_id").loc["J01"]
    # J01 by hand: 28.8 kWh; eu-west 09-13 UTC averages (287+297+305+305+299)/5 = 298.6 g/kWh
    assert j01["energy_kwh"] == pytest.approx(28.8)
    assert j01["kg_co2e_per_run"] == pytest.approx(28.8 * 298.6 / 1000)
    assert "J08" in ok("emissions", table)


def test_emissions_slips():
    table, jobs, grid = emissions_by_hand()
    no_pue = table.assign(energy_kwh=table["energy_kwh"] / jobs["pue"])
    assert "PUE" in hint("emissions", no_pue)
    one_machine = table.assign(energy_kwh=table["energy_kwh"] / jobs["machines"])
    assert "one machine" in hint("emissions", one_machine)
    grams = table.assign(kg_co2e_per_run=table["kg_co2e_per_run"] * 1000)
    assert "1000× too high" in hint("emissions", grams)
    daily = grid.groupby("region")["carbon_intensity_g_per_kwh"].mean()
    averaged = table.assign(kg_co2e_per_run=table["energy_kwh"] * jobs["region"].map(daily).to_numpy() / 1000)
    assert "daily average" in hint("emissions", averaged)
    start = grid.set_index(["region", "hour_utc"])["carbon_intensity_g_per_kwh"]
    at_start = [start[(r, h)] for r, h in zip(jobs["region"], jobs["start_hour_utc"], strict=True)]
    first_hour = table.assign(kg_co2e_per_run=table["energy_kwh"] * np.array(at_start) / 1000)
    assert "start hour" in hint("emissions", first_hour)
    weekly = table.assign(kg_co2e_per_year=table["kg_co2e_per_run"] * 52)
    assert "assumes 52 runs" in hint("emissions", weekly)
    assert "expected 8" in hint("emissions", table.iloc[:3])


def test_placement():
    assert "89% less" in ok("placement", "eu-north", 2)
    ok("placement", "eu-north", 2.0)
    assert "outside the EU" in hint("placement", "ca-central", 6)
    assert "outside the EU" in hint("placement", "uk-south", 1)
    assert "cleanest single hour" in hint("placement", "eu-north", 12)
    assert "another EU region" in hint("placement", "eu-west", 1)
    assert "another start hour" in hint("placement", "eu-north", 18)
    assert "not a region" in hint("placement", "sweden", 2)
    assert "whole UTC hour" in hint("placement", "eu-north", 25)
