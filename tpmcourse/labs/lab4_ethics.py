"""Lab 4, ethical case studies: checks for privacy (k-anonymity and data
minimization), fairness (gap metrics and a per-group threshold) and
environmental impact (energy, emissions and a carbon-aware placement).

Every expected answer is computed here from the course's own copy of the
lab's data with :mod:`tpmcourse.privacy`, :mod:`tpmcourse.fairness`,
:mod:`tpmcourse.carbon` and :mod:`tpmcourse.labs.lab4_ethics_helpers`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tpmcourse.carbon import emissions_kg, energy_kwh
from tpmcourse.checks import (
    Hint,
    agrees,
    column_rounded_to,
    expect_number,
    miss_hint,
    need_frame,
    need_memo,
    need_number,
    need_numeric_column,
    rounded_to,
    rounding_hint,
    show_pair,
    task,
)
from tpmcourse.datasets import cached
from tpmcourse.datasets.lab4_ethics import GRID, REGIONS, SCREENING, USERS, WORKLOADS
from tpmcourse.fairness import (
    demographic_parity_difference,
    disparate_impact_ratio,
    equal_opportunity_difference,
    group_rates,
)
from tpmcourse.labs.lab4_ethics_helpers import (
    COLLECTION_PURPOSES,
    DATA_INVENTORY,
    USER_QUASI_IDENTIFIERS,
    fields_without_purpose,
    group_threshold_sweep,
    window_intensity,
)
from tpmcourse.privacy import (
    BUSINESS_SECTORS,
    equivalence_classes,
    generalize_categories,
    generalize_postcode,
    generalize_year,
    k_anonymity,
    suppress_small_classes,
)
from tpmcourse.validate import require_bool

LAB = "ethics"

# Facts stated in the task text.
TARGET_K = 5
MAX_SUPPRESSED_SHARE = 0.05
MAX_BAND_YEARS = 20
COMPANY_THRESHOLD = 0.35
SOLE_THRESHOLDS = [round(0.35 + 0.01 * i, 2) for i in range(26)]  # 0.35 ... 0.60
MAX_EOD = 0.05
RETRAINING_JOB = "J01"
MEMO_MIN_WORDS = 80

GROUP, SCORE, LABEL, DECISION = "legal_form", "risk_score", "good_outcome", "approved"


#: Decimals the reference solution displays (an answer rounded to them passes).
RATE_DECIMALS = 3  # shares, gaps and ratios (group_rates(...).round(3), sweep.round(3))
EMISSION_DECIMALS = 2  # job_emissions.round(2)

H = "tpmcourse.labs.lab4_ethics_helpers"


def _near(got: float, expected: float) -> bool:
    """Equal under the tolerance policy, for a rate displayed to three decimals."""
    return agrees(got, expected, RATE_DECIMALS)


# --- Case (a): privacy -------------------------------------------------------------------


def _unique_share(df: pd.DataFrame, columns: list[str]) -> float:
    sizes = equivalence_classes(df, columns)["class_size"]
    return float((sizes == 1).sum() / len(df))


def _birth_years() -> pd.DataFrame:
    users = USERS.read()
    return users.assign(owner_birth_year=pd.to_datetime(users["owner_birth_date"]).dt.year)


@task(LAB, "k_anonymity", title="Task 1, how identifiable is the sign-up table?",
      variables=["k_raw", "unique_share"], points=1, objective="ch09-k-anonymity",
      display={"unique_share": RATE_DECIMALS},
      reference=lambda: (k_anonymity(USERS.read(), USER_QUASI_IDENTIFIERS),
                         _unique_share(_birth_years(), ["postcode", "owner_birth_year"])))
def check_k_anonymity(k_raw, unique_share):
    users = USERS.read()
    k = need_number(k_raw, "k_raw")
    share = need_number(unique_share, "unique_share")
    expected_k = k_anonymity(users, USER_QUASI_IDENTIFIERS)
    if not agrees(k, expected_k):
        if k > expected_k:
            raise Hint(f"`k_raw` is {k:g}, but k is the size of the SMALLEST equivalence class on "
                       f"{', '.join(USER_QUASI_IDENTIFIERS)}, which is {expected_k}: use "
                       "`k_anonymity(users, QI)` (the mean or median class size is not k).")
        raise Hint(f"`k_raw` is {k:g}; k is a class size, a whole number of at least 1.")
    year = users.assign(owner_birth_year=pd.to_datetime(users["owner_birth_date"]).dt.year)
    expected = _unique_share(year, ["postcode", "owner_birth_year"])
    n = len(users)
    if _near(share, expected):
        full = _unique_share(users, USER_QUASI_IDENTIFIERS)
        return (f"k = {expected_k}: {full:.0%} of merchants are unique on the four quasi-identifiers as "
                f"collected, and even postcode plus birth year alone singles out {expected:.1%}. "
                "Removing names does not make this table anonymous.")
    sizes = equivalence_classes(year, ["postcode", "owner_birth_year"])["class_size"]
    places = rounded_to(share, expected)
    if places is not None:
        raise Hint(rounding_hint("`unique_share`", places, RATE_DECIMALS))
    if agrees(share, expected * n, 0):
        raise Hint(f"`unique_share` is {share:g}, a count of merchants; divide by the {n} rows to get a share.")
    if _near(share, float((sizes == 1).mean())):
        raise Hint("`unique_share` is the share of equivalence CLASSES of size 1; the task asks for the share "
                   "of MERCHANTS (rows) who are unique: unique rows / all rows.")
    with_date = _unique_share(users, ["postcode", "owner_birth_date"])
    if _near(share, with_date):
        raise Hint("`unique_share` uses the full birth date; the question is about postcode and birth YEAR "
                   "only, e.g. `pd.to_datetime(users['owner_birth_date']).dt.year`.")
    if _near(share, _unique_share(year, ["postcode", "owner_birth_year", "owner_gender", "business_type"])):
        raise Hint("`unique_share` uses all four quasi-identifiers; the question is about postcode and "
                   "birth year only.")
    raise Hint(miss_hint(share, expected, "`unique_share`", RATE_DECIMALS))


@task(LAB, "stop_collecting", title="Task 2, fields to stop collecting",
      variables=["stop_collecting"], points=1, objective="ch09-privacy-design",
      varies_with_data=False, reference=lambda: (fields_without_purpose(),),
      shortcuts=[f"{H}.fields_without_purpose"])  # read from the data inventory, which is text, not generated data
def check_stop_collecting(stop_collecting):
    if isinstance(stop_collecting, str):
        raise Hint("`stop_collecting` is a single string; give a list of column names, e.g. ['col_a', 'col_b'].")
    if isinstance(stop_collecting, (pd.DataFrame, dict)) or not isinstance(
            stop_collecting, (list, tuple, set, frozenset, pd.Index, pd.Series, np.ndarray)):
        raise Hint(f"`stop_collecting` should be a list of column names, not {type(stop_collecting).__name__}.")
    names = list(stop_collecting)
    if not names:
        raise Hint("`stop_collecting` is empty: at least one column in the inventory serves none of the "
                   "stated purposes.")
    if not all(isinstance(c, str) for c in names):
        raise Hint("every item of `stop_collecting` should be a column name (a string).")
    inventory = DATA_INVENTORY.set_index("column")
    unknown = [c for c in names if c not in inventory.index]
    if unknown:
        raise Hint(f"{', '.join(map(repr, unknown))} is not a column of the sign-up table; its columns are "
                   f"{', '.join(inventory.index)}.")
    expected = fields_without_purpose()
    needed = [c for c in names if c not in expected]
    if needed:
        c = needed[0]
        purpose = COLLECTION_PURPOSES[inventory.loc[c, "purpose"]]
        raise Hint(f"{c!r} is used for \"{inventory.loc[c, 'used_for_today']}\", which serves a stated "
                   f"purpose ({purpose}). Minimize it (shorter retention, tighter access) but keep collecting it.")
    missing = [c for c in expected if c not in names]
    if missing:
        c = missing[0]
        raise Hint(f"{c!r} is still collected: its only use today is \"{inventory.loc[c, 'used_for_today']!s}\". "
                   "Which of the four stated purposes does that serve?")
    return (f"stop collecting {', '.join(expected)}: none serves a stated purpose. Each field you never "
            "collect is one you never have to secure, justify, retain or anonymize.")


def _levels(released: pd.DataFrame, original: pd.Series, column: str) -> pd.DataFrame:
    return pd.DataFrame({"original": original.to_numpy(), "released": released[column].astype(str).to_numpy()})


def reference_release() -> pd.DataFrame:
    """A release that meets Lena's conditions: postal zone, ten-year birth bands, sector; small classes go."""
    users = USERS.read()
    kept = ["postcode", "owner_birth_date", "business_type"]
    coarse = users[["merchant_id", *kept, "expected_monthly_volume_eur"]].assign(
        postcode=generalize_postcode(users["postcode"], 1),
        owner_birth_date=generalize_year(pd.to_datetime(users["owner_birth_date"]).dt.year, 10),
        business_type=generalize_categories(users["business_type"], BUSINESS_SECTORS))
    return suppress_small_classes(coarse, kept, k=TARGET_K)


@task(LAB, "release", title="Task 3, a 5-anonymous release for the research agency",
      variables=["released"], points=2, objective="ch09-k-anonymity", reference=lambda: (reference_release(),))
def check_release(released):
    qi_required = ["postcode", "owner_birth_date", "business_type"]
    df = need_frame(released, "released", ["merchant_id", *qi_required])
    users = USERS.read().set_index("merchant_id")
    ids = df["merchant_id"].astype(str)
    if ids.duplicated().any():
        raise Hint(f"`released` has {int(ids.duplicated().sum())} duplicated merchant_id values; "
                   "each merchant should appear once.")
    unknown = ~ids.isin(users.index)
    if unknown.any():
        raise Hint(f"merchant_id {ids[unknown].iloc[0]!r} is not in {USERS.file}; keep the original IDs "
                   "so the check can compare your table with the original.")
    n, kept = len(users), len(df)
    cap = math.floor(MAX_SUPPRESSED_SHARE * n)
    if n - kept > cap:
        raise Hint(f"you suppressed {n - kept} of {n} rows ({(n - kept) / n:.1%}); at most "
                   f"{MAX_SUPPRESSED_SHARE:.0%} ({cap} rows) may go. Generalize the columns further "
                   "(or drop a quasi-identifier you no longer collect) before suppressing rows.")
    qi = qi_required + (["owner_gender"] if "owner_gender" in df.columns else [])
    for c in qi:
        if df[c].isna().any():
            raise Hint(f"column {c!r} of `released` has {int(df[c].isna().sum())} missing values; "
                       "generalize values instead of blanking them.")
    base = users.loc[ids.tolist()]
    for c in qi:
        pairs = _levels(df, base[c].astype(str), c)
        spread = pairs.groupby("original")["released"].nunique()
        if (spread > 1).any():
            value = spread.index[spread > 1][0]
            raise Hint(f"in column {c!r} the original value {value!r} became different released values in "
                       "different rows; generalize with one rule for every row (global recoding).")
    zones = _levels(df, base["postcode"].astype(str).str[0], "postcode").groupby("released")["original"].nunique()
    if (zones > 1).any():
        raise Hint(f"postcode {zones.index[zones > 1][0]!r} merges several postal zones; the agency needs at "
                   "least the first digit (e.g. keep=1 in generalize_postcode).")
    years = _levels(df, pd.to_datetime(base["owner_birth_date"]).dt.year, "owner_birth_date")
    span = years.groupby("released")["original"].agg(lambda y: y.max() - y.min() + 1)
    if (span > MAX_BAND_YEARS).any():
        raise Hint(f"birth band {span.idxmax()!r} covers {int(span.max())} birth years; the agency needs "
                   f"bands of at most {MAX_BAND_YEARS} years.")
    sectors = _levels(df, base["business_type"].map(BUSINESS_SECTORS), "business_type")
    mixed = sectors.groupby("released")["original"].nunique()
    if (mixed > 1).any():
        raise Hint(f"business type {mixed.index[mixed > 1][0]!r} mixes several sectors; the agency needs at "
                   "least the sector (generalize_categories with BUSINESS_SECTORS).")
    as_text = df[qi].astype(str)
    classes = equivalence_classes(as_text, qi)
    k = int(classes["class_size"].min())
    if k < TARGET_K:
        small = classes[classes["class_size"] < TARGET_K]
        first = small.iloc[0]
        where = ", ".join(f"{c}={first[c]}" for c in qi)
        raise Hint(f"k is {k}: {int(small['class_size'].sum())} rows sit in {len(small)} classes smaller than "
                   f"{TARGET_K}, e.g. ({where}) with {int(first['class_size'])} row(s). Generalize more, or "
                   f"suppress those rows (suppress_small_classes) if it stays within {cap} rows.")
    note = ("owner_gender is gone, as Task 2 decided" if "owner_gender" not in df.columns
            else "owner_gender is still in the release although nobody needs it")
    return (f"k = {k} with {n - kept} rows suppressed ({(n - kept) / n:.1%}) and {len(classes)} classes; "
            f"{note}. Every row you suppress is also missing from the agency's analysis.")


def _memo(text, name: str, numbers_like: str) -> str:
    """The form of each of the lab's three decision memos (:func:`need_memo`), and in full sentences."""
    words, numbers = need_memo(
        text, name, min_numbers=2, min_words=MEMO_MIN_WORDS,
        words_hint="the decision, the numbers behind it, the trade-off and a next step.",
        decision_hint=f"`{name}` does not state a decision: say plainly what you recommend or decide "
                      "(\"I recommend...\", \"Decision: ...\").",
        numbers_hint=f"`{name}` cites fewer than two numbers; a decision memo rests on evidence, so cite the "
                     f"numbers you found ({numbers_like}).")
    return (f"your memo has the form of a decision memo ({words} words, {numbers} numbers cited). "
            "It will be graded with the rubric in \"How your memos are assessed\"; read it against each "
            "row of the rubric before you hand it in.")


@task(LAB, "privacy_memo", title="Task 4, privacy decision memo", variables=["privacy_memo"], points=3,
      objective="ch09-privacy-design", kind="written")
def check_privacy_memo(privacy_memo):
    return _memo(privacy_memo, "privacy_memo", "k, the share of unique merchants, rows suppressed")


# --- Case (b): fairness ------------------------------------------------------------------


@task(LAB, "gaps", title="Task 5, demographic parity and equal opportunity gaps",
      variables=["dp_difference", "eo_difference"], points=1, objective="ch09-fairness-metrics",
      display={"dp_difference": RATE_DECIMALS, "eo_difference": RATE_DECIMALS},
      reference=lambda: (demographic_parity_difference(SCREENING.read(), GROUP, DECISION),
                         equal_opportunity_difference(SCREENING.read(), GROUP, DECISION, LABEL)))
def check_gaps(dp_difference, eo_difference):
    dpd = need_number(dp_difference, "dp_difference")
    eod = need_number(eo_difference, "eo_difference")
    df = SCREENING.read()
    exp_dpd = demographic_parity_difference(df, GROUP, DECISION)
    exp_eod = equal_opportunity_difference(df, GROUP, DECISION, LABEL)
    rates = group_rates(df, GROUP, DECISION, LABEL)
    if _near(dpd, exp_eod) and _near(eod, exp_dpd) and not _near(dpd, exp_dpd):
        raise Hint("the two answers are swapped: demographic parity compares approval rates of ALL applicants, "
                   "equal opportunity compares approval rates of GOOD applicants only.")
    expect_number(dpd, exp_dpd, "`dp_difference`", [
        (float(rates["base_rate"].max() - rates["base_rate"].min()),
         "`dp_difference` compares good_outcome rates; it should compare the `approved` rates."),
    ], decimals=RATE_DECIMALS)
    expect_number(eod, exp_eod, "`eo_difference`", [
        (float(rates["fpr"].max() - rates["fpr"].min()),
         ("`eo_difference` compares false positive rates (approvals of BAD applicants); equal opportunity uses "
          "the true positive rate: approvals among good_outcome == 1.")),
        (exp_dpd, ("`eo_difference` equals the demographic parity gap: restrict to applicants with "
                   "good_outcome == 1 before comparing approval rates.")),
    ], decimals=RATE_DECIMALS)
    tpr = rates["tpr"]
    return (f"approval rates differ by {exp_dpd:.3f} and, among good applicants, by {exp_eod:.3f}: "
            f"{1 - tpr['sole_trader']:.0%} of good sole traders are turned away against "
            f"{1 - tpr['limited_company']:.0%} of good limited companies.")


@task(LAB, "four_fifths", title="Task 6, disparate impact and the four-fifths rule",
      variables=["di_ratio", "passes_rule"], points=1, objective="ch09-fairness-metrics",
      display={"di_ratio": RATE_DECIMALS},
      reference=lambda: (disparate_impact_ratio(SCREENING.read(), GROUP, DECISION),
                         disparate_impact_ratio(SCREENING.read(), GROUP, DECISION) >= 0.8))
def check_four_fifths(di_ratio, passes_rule):
    ratio = need_number(di_ratio, "di_ratio")
    expected = disparate_impact_ratio(SCREENING.read(), GROUP, DECISION)
    expect_number(ratio, expected, "`di_ratio`", [
        (1 / expected, "`di_ratio` is above 1: divide the LOWEST approval rate by the HIGHEST."),
    ], decimals=RATE_DECIMALS)
    verdict = expected >= 0.8
    if require_bool(passes_rule, "passes_rule") != verdict:
        raise Hint(f"a ratio of {expected:.3f} is {'at or above' if verdict else 'below'} 0.8, so the model "
                   f"{'passes' if verdict else 'fails'} the four-fifths rule.")
    return (f"DIR = {expected:.3f}, {'above' if verdict else 'below'} the 0.8 line. The rule is an alarm, "
            "not a verdict: it says nothing about whether the approved applicants were the good ones.")


@cached  # read-only by every caller; computed once per data folder
def _reference_sweep() -> pd.DataFrame:
    return group_threshold_sweep(SCREENING.read(), GROUP, SCORE, LABEL, "sole_trader", SOLE_THRESHOLDS,
                                 {"limited_company": COMPANY_THRESHOLD})


SWEEP_COLUMNS = ["threshold", "dp_difference", "eo_difference", "di_ratio", "bad_approved"]


@task(LAB, "sweep", title="Task 7, sweep the sole traders' threshold",
      variables=["sweep"], points=2, objective="ch09-bias-mitigation",
      display={f"sweep.{c}": RATE_DECIMALS for c in ("dp_difference", "eo_difference", "di_ratio")},
      reference=lambda: (_reference_sweep(),))
def check_sweep(sweep):
    df = need_frame(sweep, "sweep", SWEEP_COLUMNS, rows=len(SOLE_THRESHOLDS))
    cols = {c: need_numeric_column(df, c, "sweep") for c in SWEEP_COLUMNS}
    got_t = [round(t, 2) for t in cols["threshold"]]
    if sorted(got_t) != SOLE_THRESHOLDS:
        raise Hint(f"the `threshold` column should hold {SOLE_THRESHOLDS[0]} to {SOLE_THRESHOLDS[-1]} in steps "
                   f"of 0.01 (26 values); yours runs from {min(got_t):g} to {max(got_t):g}.")
    ref = _reference_sweep().set_index("threshold")
    mine = pd.DataFrame({c: cols[c].to_numpy() for c in SWEEP_COLUMNS[1:]}, index=got_t)
    for c in SWEEP_COLUMNS[1:]:
        got_c, ref_c = mine[c], ref[c]  # indexed by threshold
        places = column_rounded_to(got_c.loc[SOLE_THRESHOLDS].to_numpy(), ref_c.loc[SOLE_THRESHOLDS].to_numpy(),
                                   RATE_DECIMALS if c != "bad_approved" else None)
        if places is not None:
            raise Hint(rounding_hint(f"column `{c}`", places, RATE_DECIMALS))
        for t in SOLE_THRESHOLDS:
            if not _near(float(got_c.loc[t]), float(ref_c.loc[t])):
                if t > COMPANY_THRESHOLD and c != "bad_approved":
                    both = group_threshold_sweep(SCREENING.read(), GROUP, SCORE, LABEL, "sole_trader", [t],
                                                 {"limited_company": t}).iloc[0]
                    if _near(float(got_c.loc[t]), float(both[c])):
                        raise Hint(f"at threshold {t:.2f} your {c} moves both groups' thresholds; keep "
                                   f"limited companies at {COMPANY_THRESHOLD} and move only sole traders'.")
                    flipped = group_threshold_sweep(SCREENING.read(), GROUP, SCORE, LABEL, "limited_company", [t],
                                                    {"sole_trader": COMPANY_THRESHOLD}).iloc[0]
                    if _near(float(got_c.loc[t]), float(flipped[c])):
                        raise Hint(f"at threshold {t:.2f} your {c} moves the limited companies' threshold; "
                                   "move the sole traders' instead.")
                want_text, got_text = show_pair(float(ref_c.loc[t]), float(got_c.loc[t]), RATE_DECIMALS)
                raise Hint(f"at threshold {t:.2f}, {c} should be {want_text}; yours is {got_text}.")
    passing = ref[ref["di_ratio"] >= 0.8]
    crossed = (f"the four-fifths line is crossed at {passing.index.min():.2f}" if len(passing) else
               "the four-fifths line is never crossed in this range")
    lead = ref["tpr_sole_trader"] - ref["tpr_limited_company"]
    turns = bool((lead < 0).any() and (lead > 0).any())
    return (f"{crossed}, and bad merchants approved rise from "
            f"{int(ref['bad_approved'].iloc[0])} to {int(ref['bad_approved'].iloc[-1])} across the sweep. "
            + ("Note that the equal opportunity gap shrinks, hits a minimum, then opens the other way."
               if turns else f"The equal opportunity gap is smallest at {ref['eo_difference'].idxmin():.2f}."))


def _meets(row: pd.Series) -> bool:
    return row["eo_difference"] <= MAX_EOD and row["di_ratio"] >= 0.8


def _reference_threshold() -> float:
    ref = _reference_sweep().set_index("threshold")
    return float(ref[ref.apply(_meets, axis=1)].index.min())


@task(LAB, "threshold_choice", title="Task 8, choose the sole traders' threshold",
      variables=["sole_trader_threshold"], points=1, objective="ch09-bias-mitigation",
      reference=lambda: (_reference_threshold(),))
def check_threshold_choice(sole_trader_threshold):
    t = need_number(sole_trader_threshold, "sole_trader_threshold")
    if t > 1:
        raise Hint(f"`sole_trader_threshold` is {t:g}; thresholds are risk scores between 0 and 1 "
                   "(is it a percentage?).")
    if abs(t - round(t, 2)) > 1e-9 or round(t, 2) not in SOLE_THRESHOLDS:
        raise Hint(f"choose one of the thresholds you swept, {SOLE_THRESHOLDS[0]} to {SOLE_THRESHOLDS[-1]} "
                   "in steps of 0.01.")
    t = round(t, 2)
    ref = _reference_sweep().set_index("threshold")
    ok = ref[ref.apply(_meets, axis=1)]
    row = ref.loc[t]
    if ok.empty:
        raise Hint(f"no threshold from {SOLE_THRESHOLDS[0]} to {SOLE_THRESHOLDS[-1]} meets both limits on this "
                   "data: say so in your memo, and propose another lever (retraining, more features).")
    best = float(ok.index.min())
    if row["di_ratio"] < 0.8:
        raise Hint(f"at {t:.2f} the disparate impact ratio is {row['di_ratio']:.3f}, below 0.8.")
    if row["eo_difference"] > MAX_EOD:
        raise Hint(f"at {t:.2f} the equal opportunity difference is {row['eo_difference']:.3f}, above the "
                   f"{MAX_EOD} limit (it passes the four-fifths rule, which is why one metric is not enough).")
    extra = int(row["bad_approved"] - ok["bad_approved"].loc[best])
    if t != best:
        raise Hint(f"{t:.2f} meets both limits but approves {extra} more bad merchants than a lower threshold "
                   "that also meets them: the task asks for the fewest bad approvals.")
    cost = int(row["bad_approved"] - ref["bad_approved"].iloc[0])
    return (f"{best:.2f}: EOD {row['eo_difference']:.3f}, DIR {row['di_ratio']:.3f}, at the cost of {cost} more "
            "bad merchants approved than today. That cost is the number a decision-maker has to accept.")


@task(LAB, "fairness_memo", title="Task 9, fairness decision memo", variables=["fairness_memo"], points=3,
      objective="ch09-bias-mitigation", kind="written")
def check_fairness_memo(fairness_memo):
    return _memo(fairness_memo, "fairness_memo", "the gaps, the ratio, the threshold, the extra bad approvals")


# --- Case (c): environmental impact ------------------------------------------------------


@cached  # read-only by every caller; computed once per data folder
def _expected_jobs() -> pd.DataFrame:
    jobs, grid = WORKLOADS.read(), GRID.read()
    rows = []
    for _, j in jobs.iterrows():
        e = energy_kwh(float(j["hours"]), float(j["avg_power_kw"]), pue=float(j["pue"]), machines=int(j["machines"]))
        intensity = window_intensity(grid, j["region"], int(j["start_hour_utc"]), float(j["hours"]))
        kg = emissions_kg(e, intensity)
        rows.append({"job_id": j["job_id"], "energy_kwh": e, "intensity": intensity, "kg_co2e_per_run": kg,
                     "kg_co2e_per_year": kg * int(j["runs_per_year"])})
    return pd.DataFrame(rows).set_index("job_id")


EMISSION_COLUMNS = ["job_id", "energy_kwh", "kg_co2e_per_run", "kg_co2e_per_year"]


@task(LAB, "emissions", title="Task 10, energy and emissions of each job",
      variables=["job_emissions"], points=2, objective="ch09-carbon-estimate",
      display={f"job_emissions.{c}": EMISSION_DECIMALS for c in EMISSION_COLUMNS[1:]},
      reference=lambda: (_expected_jobs().reset_index()[EMISSION_COLUMNS],))
def check_emissions(job_emissions):
    jobs = WORKLOADS.read().set_index("job_id")
    df = need_frame(job_emissions, "job_emissions", EMISSION_COLUMNS, rows=len(jobs))
    ids = df["job_id"].astype(str)
    if sorted(ids) != sorted(jobs.index):
        raise Hint(f"`job_emissions` should have one row per job, {', '.join(jobs.index)}.")
    values = {c: need_numeric_column(df, c, "job_emissions").to_numpy() for c in EMISSION_COLUMNS[1:]}
    mine = pd.DataFrame(values, index=ids.to_numpy())
    exp = _expected_jobs()
    grid = GRID.read()
    for j in jobs.index:
        job, got, want = jobs.loc[j], mine.loc[j], exp.loc[j]
        expect_number(got["energy_kwh"], want["energy_kwh"], f"energy for {j} ({job['job']})", [
            (want["energy_kwh"] / job["pue"], (f"energy for {j} ({job['job']}) leaves out the PUE of {job['pue']}: "
                                               "the data center's overhead multiplies the IT energy.")),
            (want["energy_kwh"] / job["machines"], (f"energy for {j} is for one machine; the job uses "
                                                    f"{job['machines']} machines.")),
        ], decimals=EMISSION_DECIMALS)
        profile = grid[grid["region"] == job["region"]].set_index("hour_utc")["carbon_intensity_g_per_kwh"]
        expect_number(got["kg_co2e_per_run"], want["kg_co2e_per_run"], f"kg CO2e per run for {j}", [
            (want["kg_co2e_per_run"] * 1000, (f"kg per run for {j} is 1000× too high: intensity is in grams per "
                                              "kWh, so divide by 1000 for kilograms.")),
            (want["energy_kwh"] * profile.mean() / 1000,
             (f"kg per run for {j} uses the region's daily average intensity; use the hours the job actually "
              "runs: window_intensity(grid, region, start_hour_utc, hours).")),
            (want["energy_kwh"] * profile[int(job["start_hour_utc"])] / 1000,
             (f"kg per run for {j} uses only the start hour's intensity; the job runs {job['hours']:g} hours, "
              "so average over them with window_intensity.")),
        ], decimals=EMISSION_DECIMALS)
        weekly = want["kg_co2e_per_run"] * 52 if job["runs_per_year"] != 52 else math.nan
        expect_number(got["kg_co2e_per_year"], want["kg_co2e_per_year"], f"kg CO2e per year for {j}", [
            (weekly, f"kg per year for {j} assumes 52 runs; it runs {job['runs_per_year']} times a year."),
        ], decimals=EMISSION_DECIMALS)
    per_year = exp["kg_co2e_per_year"]
    total = per_year.sum()
    top = str(per_year.idxmax())
    return (f"about {total:,.0f} kg CO2e a year in all; {top} ({jobs['job'].loc[top]}) alone is "
            f"{per_year.loc[top] / total:.0%} of it, so look there before polishing small jobs.")


@cached  # read-only by every caller; computed once per data folder
def _placements(energy: float, hours: float) -> pd.DataFrame:
    grid = GRID.read()
    rows = [{"region": r, "start_hour_utc": h,
             "kg_co2e_per_run": emissions_kg(energy, window_intensity(grid, r, h, hours))}
            for r in REGIONS for h in range(24)]
    return pd.DataFrame(rows)


@cached  # read-only by every caller; computed once per data folder
def _reference_placement() -> tuple[str, int]:
    workloads = WORKLOADS.read()
    job = workloads[workloads["job_id"] == RETRAINING_JOB].iloc[0]
    energy = energy_kwh(float(job["hours"]), float(job["avg_power_kw"]), pue=float(job["pue"]),
                        machines=int(job["machines"]))
    options = _placements(energy, float(job["hours"]))
    eu = options[options["region"].map(REGIONS) == "EU"]
    best = eu.iloc[eu["kg_co2e_per_run"].argmin()]
    return str(best["region"]), int(best["start_hour_utc"])


@task(LAB, "placement", title="Task 11, where and when to retrain Larkspur Risk",
      variables=["best_region", "best_start_hour"], points=2, objective="ch09-carbon-estimate",
      reference=_reference_placement)
def check_placement(best_region, best_start_hour):
    if not isinstance(best_region, str):
        raise Hint(f"`best_region` should be a region name (a string), not {type(best_region).__name__}.")
    if best_region not in REGIONS:
        raise Hint(f"{best_region!r} is not a region in the grid file; regions: {', '.join(REGIONS)}.")
    hour = need_number(best_start_hour, "best_start_hour")
    if hour != int(hour) or not 0 <= hour <= 23:
        raise Hint(f"`best_start_hour` is {hour:g}; give a whole UTC hour from 0 to 23.")
    hour = int(hour)
    workloads = WORKLOADS.read()
    job = workloads[workloads["job_id"] == RETRAINING_JOB].iloc[0]
    energy = energy_kwh(float(job["hours"]), float(job["avg_power_kw"]), pue=float(job["pue"]),
                        machines=int(job["machines"]))
    options = _placements(energy, float(job["hours"]))
    if REGIONS[best_region] != "EU":
        raise Hint(f"{best_region} is in {REGIONS[best_region]}, outside the EU; the retraining reads EU "
                   "merchant data, which must stay in EU regions, however clean that grid is.")
    eu = options[options["region"].map(REGIONS) == "EU"]
    best = eu.iloc[eu["kg_co2e_per_run"].argmin()]
    mine = eu[(eu["region"] == best_region) & (eu["start_hour_utc"] == hour)].iloc[0]
    if not agrees(float(mine["kg_co2e_per_run"]), float(best["kg_co2e_per_run"])):
        grid = GRID.read()
        profile = grid[grid["region"] == best_region].set_index("hour_utc")["carbon_intensity_g_per_kwh"]
        if best_region == best["region"] and hour == int(profile.index[int(profile.argmin())]):
            raise Hint(f"{hour:02d}:00 is the cleanest single hour in {best_region}, but the job runs "
                       f"{job['hours']:g} hours: compare the average intensity over each {job['hours']:g}-hour "
                       "window (window_intensity) instead.")
        if best_region != best["region"]:
            raise Hint(f"{best_region} at {hour:02d}:00 emits {mine['kg_co2e_per_run']:.2f} kg per run; another EU "
                       "region does better. Compare every EU region and start hour.")
        raise Hint(f"{best_region} is the right region, but starting at {hour:02d}:00 emits "
                   f"{mine['kg_co2e_per_run']:.2f} kg per run; another start hour is cleaner.")
    now = options[(options["region"] == job["region"]) & (options["start_hour_utc"] == job["start_hour_utc"])]
    now_kg = float(now["kg_co2e_per_run"].iloc[0])
    world = options.iloc[options["kg_co2e_per_run"].argmin()]
    return (f"{best_region} from {hour:02d}:00 UTC: {mine['kg_co2e_per_run']:.2f} kg per run against "
            f"{now_kg:.2f} kg today ({1 - mine['kg_co2e_per_run'] / now_kg:.0%} less). {world['region']} would "
            "be cleaner still, but residency rules it out: the constraint costs little here.")


@task(LAB, "carbon_memo", title="Task 12, carbon decision memo", variables=["carbon_memo"], points=3,
      objective="ch09-carbon-estimate", kind="written")
def check_carbon_memo(carbon_memo):
    return _memo(carbon_memo, "carbon_memo", "kWh, kg CO2e per run and per year, the saving")

