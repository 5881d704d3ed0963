"""Lab 5, risk and delivery planning: checks for ``exercises/lab5_planning.ipynb``.

The learner prices Larkspur's risk register for the processor v1 to v2
migration and the Bramble Bakeries launch, decides which mitigations to buy,
then forecasts the migration plan: PERT estimates, the critical path, a Monte
Carlo simulation and the chance of finishing before the processor switches v1
off. Every expected answer is recomputed here from the course's own copy of
the data files with :mod:`tpmcourse.risk` and
:mod:`tpmcourse.labs.lab5_planning_helpers`.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from tpmcourse.checks import (
    Hint,
    agree_mask,
    agrees,
    expect_column,
    expect_number,
    miss_hint,
    need_ids,
    need_memo,
    need_number,
    need_numeric_column,
    need_rows,
    rounded_to,
    rounding_hint,
    row_of,
    show_pair,
    task,
)
from tpmcourse.datasets import cached
from tpmcourse.datasets.lab5_planning import FORECAST_RUNS, FORECAST_SEED, MIGRATION_START, RISKS, SWITCH_OFF, TASKS
from tpmcourse.labs.lab5_planning_helpers import (
    critical_path,
    draw_durations,
    project_duration,
    simulate,
    working_day_date,
    working_days_until,
)
from tpmcourse.risk import PertEstimate, expected_cost, pert_table, probability_within, risk_level, risk_score

LAB = "planning"

#: Facts given in the lab's task text.
START = MIGRATION_START  # the migration team's first day (a Monday); SWITCH_OFF: v1 goes dark after it
SEED = FORECAST_SEED
N_SIMS = FORECAST_RUNS
CONFIDENCE = 85
TOP_N = 5

#: Decimals the reference solution displays (an answer rounded to them passes).
MONEY_DECIMALS = 0  # whole dollars
PERT_DECIMALS = 2  # estimates.round(2)
DAYS_DECIMALS = 1  # "80.8 working days", "94.2 working days"
SHARE_DECIMALS = 3  # "76.3% of runs"
#: A simulation drawn another way may land this near the course's (the task fixes the seed and the draw).
ON_TIME_SLACK = 0.015
P85_SLACK = 1.0

H = "tpmcourse.labs.lab5_planning_helpers"
SIMULATION_HELPERS = (f"{H}.simulate", f"{H}.draw_durations")


# --- expected answers ---------------------------------------------------------------


def mitigation_table(risks: pd.DataFrame) -> pd.DataFrame:
    """Expected cost before and after each mitigation, the reduction, and the
    net value of buying it (reduction minus the mitigation's cost)."""
    before = expected_cost(risks, "probability", "cost_if_occurs")
    after = expected_cost(risks, "probability_after_mitigation", "cost_if_occurs")
    out = risks[["id", "mitigation_cost"]].copy()
    out["expected_before"] = before.to_numpy()
    out["expected_after"] = after.to_numpy()
    out["reduction"] = out["expected_before"] - out["expected_after"]
    out["net"] = out["reduction"] - out["mitigation_cost"]
    out["buy"] = out["net"] > 0
    return out


def _pert_means(tasks: pd.DataFrame) -> np.ndarray:
    """Each task's PERT mean, in the plan's row order: the deterministic plan."""
    return pert_table(tasks)["mean"].to_numpy()


def deadline_days() -> int:
    return working_days_until(START, SWITCH_OFF)


@cached
def reference_simulation(method: str = "triangular") -> np.ndarray:
    """The course's 10,000 simulated project lengths (read-only: several checks share them)."""
    sims = simulate(TASKS.read(), N_SIMS, SEED, method)
    sims.flags.writeable = False
    return sims


# --- helpers ------------------------------------------------------------------------


def _money(x: float) -> str:
    return f"${x:,.0f}"


def _levels(scores: pd.Series) -> pd.Series:
    """The risk level of each score (risk_level maps a Series to a Series)."""
    levels = risk_level(scores)
    if not isinstance(levels, pd.Series):
        raise AssertionError("risk_level returned one level for a Series of scores")
    return levels


# --- Task 1: scores and levels -------------------------------------------------------


def _reference_scores() -> pd.DataFrame:
    risks = RISKS.read()
    score = risk_score(risks)
    return risks[["id"]].assign(score=score.to_numpy(), level=_levels(score).to_numpy())


@task(LAB, "scores", title="Risk scores and levels", variables=["scored"], points=1, objective="ch02-risk",
      reference=lambda: (_reference_scores(),))
def check_scores(scored):
    risks = RISKS.read()
    got = need_rows(scored, "scored", list(risks["id"]), ["score", "level"])
    score = need_numeric_column(got, "score", "scored")
    expected = pd.Series(risk_score(risks).to_numpy(), index=risks["id"])
    added = pd.Series((risks["likelihood"] + risks["impact"]).to_numpy(), index=risks["id"])
    if not agree_mask(score, expected).all():
        if agree_mask(score, added).all():
            raise Hint("your scores are likelihood + impact; the matrix score multiplies them "
                       "(likelihood × impact, 1 to 25).")
        if agree_mask(score, risks["probability"].to_numpy() * risks["impact"].to_numpy()).all():
            raise Hint("your scores use the probability column (0–1); the score uses the 1–5 "
                       "likelihood column: likelihood × impact.")
        bad = str((score - expected).abs().idxmax())
        r = risks.set_index("id")
        want_text, got_text = show_pair(float(expected[bad]), float(score[bad]))
        raise Hint(f"the score for {bad} should be {want_text} "
                   f"(likelihood {r['likelihood'].loc[bad]} × impact "
                   f"{r['impact'].loc[bad]}); yours is {got_text}.")
    levels = _levels(expected)
    got_levels = got["level"].astype(str).str.strip().str.lower()
    wrong = got_levels[got_levels != levels]
    if len(wrong):
        rid = wrong.index[0]
        raise Hint(f"{rid} has score {int(expected[rid])}, which is {levels[rid]!r}, not {got['level'][rid]!r}. "
                   "Bands: low 1–4, medium 5–9, high 10–16, critical 17–25 (use risk_level).")
    counts = levels.value_counts()
    worst = risks.iloc[risks["cost_if_occurs"].argmax()]
    return (f"all {len(risks)} risks scored: {counts.get('high', 0)} high, {counts.get('medium', 0)} medium, "
            f"{counts.get('critical', 0)} critical. {worst['id']}, which would cost {_money(worst['cost_if_occurs'])}, "
            f"is only {levels[worst['id']]!r} at score {int(expected[worst['id']])}. Keep that in mind for Task 2.")


# --- Task 2: expected cost --------------------------------------------------------------


def _reference_costs() -> tuple[pd.DataFrame, float]:
    risks = RISKS.read()
    cost = expected_cost(risks, "probability", "cost_if_occurs")
    return risks[["id"]].assign(expected_cost=cost.to_numpy()), float(cost.sum())


@task(LAB, "expected_cost", title="Expected cost", variables=["costed", "total_expected"], points=2,
      objective="ch02-risk", display={"costed.expected_cost": MONEY_DECIMALS, "total_expected": MONEY_DECIMALS},
      reference=_reference_costs)
def check_expected_cost(costed, total_expected):
    risks = RISKS.read()
    got = need_numeric_column(need_rows(costed, "costed", list(risks["id"]), ["expected_cost"]), "expected_cost",
                              "costed")
    expected = pd.Series(expected_cost(risks, "probability", "cost_if_occurs").to_numpy(), index=risks["id"])
    r = risks.set_index("id")
    slips = [
        (r["probability"] * 100 * r["cost_if_occurs"],
         ("your expected costs are 100× too big: the probability column is already a fraction (0.12 means 12%); "
          "do not multiply by 100.")),
        (r["likelihood"] * r["cost_if_occurs"], ("you multiplied the 1–5 likelihood score by the cost; expected "
                                                 "cost needs the probability column (a fraction from 0 to 1).")),
        (r["probability"] * r["impact"], ("you multiplied the probability by the 1–5 impact score; the impact "
                                          "scale is a rank, not money. Use cost_if_occurs.")),
        (r["probability_after_mitigation"] * r["cost_if_occurs"],
         "you used probability_after_mitigation; the register's expected cost today uses the current probability."),
        (r["cost_if_occurs"], "your expected costs equal cost_if_occurs: multiply by the probability."),
    ]
    expect_column(got, expected, lambda rid: f"the expected cost of {rid} ({r['probability'].loc[rid]} × "
                                             f"{_money(r['cost_if_occurs'].loc[rid])})",
                  decimals=MONEY_DECIMALS, slips=[(alt.loc[got.index], message) for alt, message in slips],
                  column="`expected_cost`")
    total = need_number(total_expected, "total_expected")
    want = float(expected.sum())
    expect_number(total, want, "`total_expected`", [
        (float(expected.mean()), ("`total_expected` is the mean expected cost; the task asks for the register's "
                                  "total (sum).")),
        (float(r["cost_if_occurs"].sum()), ("`total_expected` adds up cost_if_occurs: that is the cost if every "
                                            "risk happened at once.")),
    ], decimals=MONEY_DECIMALS)
    top = str(expected.idxmax())
    return (f"the register's expected cost is {_money(want)}, of a {_money(r['cost_if_occurs'].sum())} "
            f"worst case. {top} alone is {_money(expected[top])} ({expected[top] / want:.0%}).")


# --- Task 3: mitigations --------------------------------------------------------------


def _reference_mitigations() -> tuple[list[str], float]:
    table = mitigation_table(RISKS.read()).set_index("id")
    buy = list(table.index[table["buy"]])
    return buy, float(table.loc[buy, "net"].sum())


@task(LAB, "mitigations", title="Mitigations worth buying", variables=["worth_buying", "net_saving"],
      points=2, objective="ch02-risk", display={"net_saving": MONEY_DECIMALS}, reference=_reference_mitigations)
def check_mitigations(worth_buying, net_saving):
    table = mitigation_table(RISKS.read()).set_index("id")
    ids = need_ids(worth_buying, "worth_buying", list(table.index), what="risk id in the register")
    want = list(table.index[table["buy"]])
    if set(ids) != set(want):
        wrong_in = [i for i in ids if i not in want]
        if wrong_in:
            rid = wrong_in[0]
            row = row_of(table, rid)
            raise Hint(f"{rid}'s mitigation costs {_money(row['mitigation_cost'])} but cuts expected cost by only "
                       f"{_money(row['reduction'])} (from {_money(row['expected_before'])} to "
                       f"{_money(row['expected_after'])}): buying it loses money.")
        rid = next(i for i in want if i not in ids)
        row = row_of(table, rid)
        raise Hint(f"{rid}'s mitigation is missing: it cuts expected cost by {_money(row['reduction'])} "
                   f"for {_money(row['mitigation_cost'])}. Compare (probability − probability after) × "
                   "cost_if_occurs with the mitigation cost.")
    saving = need_number(net_saving, "net_saving")
    expected = float(table.loc[want, "net"].sum())
    expect_number(saving, expected, "`net_saving`", [
        (float(table.loc[want, "reduction"].sum()), ("`net_saving` is the gross reduction in expected cost: "
                                                     "subtract what the mitigations cost.")),
        (float(table["net"].sum()), ("`net_saving` adds every mitigation, including those that lose money; sum "
                                     "only the ones worth buying.")),
        (-expected, "`net_saving` has the wrong sign: reduction minus cost, so a good deal is positive."),
    ], decimals=MONEY_DECIMALS)
    skipped = table[~table["buy"]].sort_values("expected_before", ascending=False)
    bought = (f"buy {len(want)} of {len(table)} mitigations for {_money(table.loc[want, 'mitigation_cost'].sum())}, "
              f"a net expected saving of {_money(expected)}.")
    if skipped.empty:
        return bought + " Every mitigation saves more than it costs; buying them all is still a decision to record."
    return (f"{bought} Note {skipped.index[0]}: the biggest risk left unmitigated, because its mitigation costs "
            f"more than it saves; accepting it is now a decision, not neglect.")


# --- Task 4: top risks by score and by expected cost ------------------------------------------


def _reference_top() -> tuple[list[str], list[str]]:
    risks = RISKS.read()
    table = risks[["id"]].assign(score=risk_score(risks).to_numpy(),
                                 cost=expected_cost(risks, "probability", "cost_if_occurs").to_numpy())
    return list(table.nlargest(TOP_N, "score")["id"]), list(table.nlargest(TOP_N, "cost")["id"])


@task(LAB, "top_risks", title="Top risks by score and by expected cost",
      variables=["top_by_score", "top_by_cost"], points=2, objective="ch02-risk", reference=_reference_top)
def check_top_risks(top_by_score, top_by_cost):
    risks = RISKS.read()
    r = risks.set_index("id")
    score = pd.Series(risk_score(risks).to_numpy(), index=risks["id"])
    cost = pd.Series(expected_cost(risks, "probability", "cost_if_occurs").to_numpy(), index=risks["id"])
    by_score = need_ids(top_by_score, "top_by_score", list(r.index), what="risk id in the register")
    by_cost = need_ids(top_by_cost, "top_by_cost", list(r.index), what="risk id in the register")
    for name, ids in (("top_by_score", by_score), ("top_by_cost", by_cost)):
        if len(ids) != TOP_N:
            raise Hint(f"`{name}` has {len(ids)} ids; the task asks for the top {TOP_N}.")
    cutoff = score.sort_values(ascending=False).iloc[TOP_N - 1]
    want_score = set(score[score >= cutoff].index)  # more than five when risks tie with the fifth
    above = set(score[score > cutoff].index)
    if not above <= set(by_score) <= want_score:
        if set(by_score) == set(cost.nlargest(TOP_N).index):
            raise Hint("`top_by_score` is the top five by expected cost; rank this one by likelihood × impact.")
        low = next((i for i in by_score if i not in want_score), None)
        if low is None:  # only tied risks picked, one scoring higher left out
            low = next(i for i in sorted(above) if i not in by_score)
            raise Hint(f"{low} has score {score[low]}, above the fifth-highest score ({cutoff}), and belongs in "
                       "`top_by_score`: sort by score from highest to lowest.")
        raise Hint(f"{low} has score {score[low]}, but the fifth-highest score is {cutoff}: "
                   "sort by score from highest to lowest.")
    scores_in_order = [score[i] for i in by_score]
    if scores_in_order != sorted(scores_in_order, reverse=True):
        raise Hint("`top_by_score` has the right risks, but list them from the highest score down.")
    want_cost = list(cost.nlargest(TOP_N).index)
    if by_cost != want_cost:
        if set(by_cost) == set(want_cost):
            raise Hint("`top_by_cost` has the right risks; list them from the largest expected cost down.")
        if set(by_cost) == set(r["cost_if_occurs"].nlargest(TOP_N).index):
            raise Hint("`top_by_cost` ranks by cost_if_occurs; rank by expected cost (probability × cost).")
        if set(by_cost) == set(cost.nsmallest(TOP_N).index):
            raise Hint("`top_by_cost` holds the five smallest expected costs: sort with ascending=False.")
        if set(by_cost) == set(by_score):
            raise Hint("`top_by_cost` is the top five by score; rank this one by expected cost.")
        misplaced = [i for i in by_cost if i not in want_cost]
        raise Hint(f"{misplaced[0] if misplaced else by_cost[0]} is out of place: the top five by expected cost are "
                   "the five largest values of probability × cost_if_occurs.")
    only_cost = [i for i in want_cost if i not in by_score]
    only_score = [i for i in by_score if i not in want_cost]

    def describe(ids: list[str]) -> str:
        return ", ".join(f"{i} (score {score[i]}, {_money(cost[i])})" for i in ids) or "none"

    big, small = r["cost_if_occurs"].max(), r.loc[r["impact"] == 4, "cost_if_occurs"].max()
    return (f"top five by money only: {describe(only_cost)}; by score only: {describe(only_score)}. "
            f"The 1–5 impact scale puts a {_money(big)} outage "
            f"one step above a {_money(small)} one; money keeps the real gap.")


# --- Task 5: PERT ------------------------------------------------------------------------


@task(LAB, "pert", title="PERT estimates", variables=["estimates"], points=1, objective="ch02-estimate",
      display={"estimates.mean": PERT_DECIMALS, "estimates.sd": PERT_DECIMALS},
      reference=lambda: (pert_table(TASKS.read())[["id", "mean", "sd"]],))
def check_pert(estimates):
    tasks = TASKS.read()
    got = need_rows(estimates, "estimates", list(tasks["id"]), ["mean", "sd"])
    mean = need_numeric_column(got, "mean", "estimates")
    sd = need_numeric_column(got, "sd", "estimates")
    ref = pert_table(tasks).set_index("id")
    t = tasks.set_index("id")
    expect_column(mean, ref["mean"], lambda tid: f"the PERT mean of {tid} (days)", decimals=PERT_DECIMALS,
                  column="`mean`", slips=[
                      ((t["optimistic"] + t["most_likely"] + t["pessimistic"]) / 3,
                       ("your means are the plain average (o + m + p) / 3; PERT weights the most likely "
                        "value four times: (o + 4m + p) / 6.")),
                      (t["most_likely"], "your means are the most_likely column; the PERT mean is (o + 4m + p) / 6."),
                  ])
    expect_column(sd, ref["sd"], lambda tid: f"the standard deviation of {tid} (days)", decimals=PERT_DECIMALS,
                  column="`sd`", slips=[
                      (ref["sd"] ** 2, ("your `sd` column holds variances ((p − o) / 6 squared); the standard "
                                        "deviation is (p − o) / 6.")),
                      (ref["sd"] * 2, "your standard deviations are twice too big: (p − o) / 6, not / 3."),
                  ])
    tail = ref["mean"] - t["most_likely"]
    skew = str(tail.idxmax())
    return (f"{len(tasks)} tasks estimated. {skew} ({t['task'].loc[skew]}) has the longest tail: its mean is "
            f"{tail.loc[skew]:.1f} days above its most likely value.")


# --- Task 6: critical path ---------------------------------------------------------------


def _reference_path() -> tuple[list[str], float]:
    tasks = TASKS.read()
    means = _pert_means(tasks)
    return critical_path(tasks, means), float(project_duration(tasks, means))


@task(LAB, "critical_path", title="Deterministic critical path", variables=["path", "planned_days"],
      points=2, objective="ch02-estimate", display={"planned_days": DAYS_DECIMALS}, reference=_reference_path)
def check_critical_path(path, planned_days):
    tasks = TASKS.read()
    means = _pert_means(tasks)
    want = critical_path(tasks, means)
    length = float(project_duration(tasks, means))
    ids = need_ids(path, "path", list(tasks["id"]), what="task id in the plan")
    if ids != want:
        if set(ids) == set(tasks["id"]):
            raise Hint("`path` lists every task; parallel branches run at the same time, so the critical path "
                       "is the single longest chain from the first task to the cutover.")
        ml = critical_path(tasks, tasks["most_likely"].to_numpy(dtype=float))
        if ids == ml and ml != want:
            raise Hint("that is the longest path by most_likely durations; use the PERT means from Task 5.")
        if set(ids) == set(want):
            raise Hint("`path` has the right tasks in the wrong order: list them from first to last.")
        missing = [i for i in want if i not in ids]
        if missing:
            raise Hint(f"{missing[0]} is on the longest chain of PERT means but not in your `path`; follow, from "
                       "the cutover backwards, the predecessor that finishes last.")
        raise Hint(f"{next(i for i in ids if i not in want)} is not on the critical path: it has slack, because "
                   "another predecessor of the next task finishes later.")
    days = need_number(planned_days, "planned_days")
    expect_number(days, length, "`planned_days`", [
        (float(pert_table(tasks)["mean"].sum()), ("`planned_days` adds every task's mean; parallel branches "
                                                  "overlap. Add the means along the critical path only (or use "
                                                  "project_duration).")),
        (float(tasks.set_index("id").loc[want, "most_likely"].sum()), ("`planned_days` adds the most likely values "
                                                                       "along the path; use the PERT means.")),
    ], decimals=DAYS_DECIMALS)
    deadline = deadline_days()
    slack = (f"{deadline - length:.1f} days inside" if length <= deadline else f"{length - deadline:.1f} days beyond")
    return (f"the critical path runs through {len(want)} tasks and takes {length:.1f} working days, "
            f"{slack} the {deadline}-day window to the switch-off. A single number "
            "like this hides both the spread and the other branches; Task 7 shows both.")


# --- Task 7: Monte Carlo -------------------------------------------------------------------


def _sims(value: object, name: str) -> np.ndarray:
    if isinstance(value, pd.DataFrame):
        raise Hint(f"`{name}` is a DataFrame; the task asks for one project length per simulation "
                   "(a 1-D array of 10,000 numbers).")
    if isinstance(value, (pd.Series, list, tuple, np.ndarray)):
        array = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    else:
        raise Hint(f"`{name}` should be an array of {N_SIMS:,} simulated project lengths, "
                   f"not {type(value).__name__}.")
    if array.ndim == 2:
        raise Hint(f"`{name}` has shape {array.shape}: those are task durations. Turn each row into a "
                   "project length with project_duration(tasks, draws).")
    if array.ndim != 1 or array.size != N_SIMS:
        raise Hint(f"`{name}` holds {array.size:,} values; run exactly {N_SIMS:,} simulations.")
    if array.dtype.kind not in "iuf":
        raise Hint(f"`{name}` should hold numbers, not {array.dtype} values.")
    array = array.astype(float)
    if not np.isfinite(array).all():
        raise Hint(f"`{name}` contains NaN or infinite values.")
    return array


def _matches(got: np.ndarray, ref: np.ndarray) -> bool:
    return (abs(got.mean() - ref.mean()) < 0.5 and abs(np.percentile(got, 85) - np.percentile(ref, 85)) < 1.0
            and abs(got.std() - ref.std()) < 0.1 * ref.std())


@task(LAB, "simulation", title="Monte Carlo schedule", variables=["sim_days"], points=3,
      objective="ch02-estimate", reference=lambda: (np.array(reference_simulation()),), shortcuts=SIMULATION_HELPERS)
def check_simulation(sim_days):
    got = _sims(sim_days, "sim_days")
    tasks = TASKS.read()
    draws = draw_durations(tasks, N_SIMS, SEED, "triangular")
    ref = reference_simulation("triangular")  # the project lengths of these draws
    if not _matches(got, ref):
        if got.std() < 1e-6:
            raise Hint("every simulated length is the same: draw random durations (rng.triangular) instead of "
                       "using fixed means.")
        means = _pert_means(tasks)
        path = [list(tasks["id"]).index(i) for i in critical_path(tasks, means)]
        alternatives = [
            (draws.sum(axis=1), ("you added every task's duration; parallel branches run side by side. Take the "
                                 "longest path in each run: project_duration(tasks, draws).")),
            (draws[:, path].sum(axis=1),
             ("you simulated only the Task 6 critical path. In some runs another branch (certification, partners) "
              "finishes last; take the longest path of every run with project_duration(tasks, draws).")),
            (reference_simulation("pert"), ("these look like PERT-beta draws; the task asks for triangular draws "
                                            "(rng.triangular(optimistic, most_likely, pessimistic, ...)).")),
        ]
        for alt, message in alternatives:
            if _matches(got, alt):
                raise Hint(message)
        if got.mean() < np.percentile(ref, 1) or got.mean() > np.percentile(ref, 99):
            raise Hint(f"your simulated lengths average {got.mean():.1f} days; expected about {ref.mean():.1f}. "
                       "Check the column order in rng.triangular(left, mode, right).")
        raise Hint(f"your simulation averages {got.mean():.1f} days with a spread (sd) of {got.std():.1f}; "
                   f"expected about {ref.mean():.1f} and {ref.std():.1f}. Use default_rng({SEED}) and one "
                   f"triangular draw of size ({N_SIMS}, {len(tasks)}).")
    means = _pert_means(tasks)
    planned = float(project_duration(tasks, means))
    share = float(np.mean(got > planned))
    return (f"{N_SIMS:,} runs, mean {got.mean():.1f} working days against {planned:.1f} for the "
            f"deterministic plan. {share:.0%} of runs take longer than the plan: when several branches must "
            "all finish before the cutover, the latest one wins, and that pushes the whole distribution right.")


# --- Task 8: probability of meeting the switch-off ------------------------------------------------


@task(LAB, "deadline", title="Chance of finishing by the switch-off", variables=["p_on_time"], points=1,
      objective="ch02-estimate", display={"p_on_time": SHARE_DECIMALS},
      reference=lambda: (float(np.mean(reference_simulation() <= deadline_days())),),
      shortcuts=[*SIMULATION_HELPERS, f"{H}.percentile_table"])
def check_deadline(p_on_time):
    p = need_number(p_on_time, "p_on_time")
    deadline = deadline_days()
    ref = reference_simulation()
    want = float(np.mean(ref <= deadline))
    if agrees(p, want, SHARE_DECIMALS, ON_TIME_SLACK):
        pass
    elif (places := rounded_to(p, want)) is not None:
        raise Hint(rounding_hint("`p_on_time`", places, SHARE_DECIMALS))
    elif 1 < p <= 100 and agrees(p / 100, want, SHARE_DECIMALS, ON_TIME_SLACK):
        raise Hint(f"`p_on_time` is {p:g}: a percentage. Give it as a fraction between 0 and 1.")
    elif not 0 <= p <= 1:
        raise Hint(f"`p_on_time` is {p:g}; a probability lies between 0 and 1.")
    else:
        if agrees(1 - p, want, SHARE_DECIMALS, ON_TIME_SLACK):
            raise Hint("`p_on_time` is the chance of being late; count the runs that finish on or before the "
                       f"deadline ({deadline} working days).")
        tasks = TASKS.read()
        table = pert_table(tasks)
        path = critical_path(tasks, table["mean"].to_numpy())
        on_path = table.set_index("id").loc[path]
        normal = probability_within(PertEstimate(float(on_path["mean"].sum()),
                                                 math.sqrt(float((on_path["sd"] ** 2).sum()))), deadline)
        if agrees(p, normal, SHARE_DECIMALS, 0.01):
            raise Hint("that is the normal approximation along one path; use the share of your simulated runs "
                       f"that finish within {deadline} working days.")
        if p in (0.0, 1.0):
            raise Hint(f"`p_on_time` is {p:g}: compare each simulated length with the deadline and take the mean "
                       "of the comparison: (sim_days <= deadline_days).mean().")
        raise Hint(miss_hint(p, want, "`p_on_time` (the share of runs within the deadline)", SHARE_DECIMALS)
                   + f" Count the runs that finish within {deadline} working days; is the deadline in working days?")
    if want >= 1:
        return "every simulated run finishes by the switch-off: the plan has room to spare."
    planned = float(project_duration(TASKS.read(), _pert_means(TASKS.read())))
    plan = ("although the deterministic plan finishes with days to spare" if planned <= deadline else
            "and the deterministic plan already misses it")
    return (f"about {want:.0%} chance of finishing by the switch-off: roughly one run in "
            f"{max(round(1 / (1 - want)), 1)} misses it, {plan}.")


# --- Task 9: date with 85% confidence ----------------------------------------------------


def _as_day(value: object, name: str) -> pd.Timestamp:
    if isinstance(value, (bool, int, float, np.number)):
        raise Hint(f"`{name}` is a number; give a date, for example '2026-07-01' or working_day_date(START, days).")
    if not isinstance(value, (str, date, datetime, pd.Timestamp, np.datetime64)):
        raise Hint(f"`{name}` should be a date, not {type(value).__name__}.")
    if isinstance(value, str) and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}.*", value):
        raise Hint(f"`{name}` is {value!r:.30}: write the date as YYYY-MM-DD.")
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise Hint(f"`{name}` could not be read as a date: {value!r:.30}.") from None
    if pd.isna(day):  # NaT
        raise Hint(f"`{name}` is not a date (NaT).")
    return day.normalize().tz_localize(None) if day.tzinfo else day.normalize()


def _reference_date() -> tuple[float, pd.Timestamp]:
    days = float(np.percentile(reference_simulation(), CONFIDENCE))
    return days, working_day_date(START, days)


@task(LAB, "confidence_date", title="Date with 85% confidence", variables=["p85_days", "p85_date"],
      points=2, objective="ch02-estimate", display={"p85_days": DAYS_DECIMALS}, reference=_reference_date,
      shortcuts=[*SIMULATION_HELPERS, f"{H}.percentile_table"])
def check_confidence_date(p85_days, p85_date):
    days = need_number(p85_days, "p85_days")
    ref = reference_simulation()
    want = float(np.percentile(ref, CONFIDENCE))
    if not agrees(days, want, DAYS_DECIMALS, P85_SLACK):
        means = _pert_means(TASKS.read())
        if abs(days - float(project_duration(TASKS.read(), means))) < 0.1:
            raise Hint("`p85_days` is the deterministic plan from Task 6; take the 85th percentile of the simulation.")
        if abs(days - np.percentile(ref, 100 - CONFIDENCE)) < 1.0:
            raise Hint("`p85_days` is the 15th percentile: 85% confidence means 85% of runs finish by then, "
                       "so take np.percentile(sim_days, 85).")
        if abs(days - ref.mean()) < 0.5 or abs(days - np.median(ref)) < 0.5:
            raise Hint("`p85_days` is the average (or median) run: only about half the runs finish by then. "
                       "Take the 85th percentile.")
        if abs(days - np.percentile(ref, 0.85)) < 1.0:
            raise Hint("np.percentile takes a percentage: use 85, not 0.85.")
        raise Hint(miss_hint(days, want, "`p85_days`", DAYS_DECIMALS))
    day = _as_day(p85_date, "p85_date")
    target = working_day_date(START, want)
    gap = int(np.busday_count(min(day, target).date(), max(day, target).date()))
    if gap > 2:
        calendar = pd.Timestamp(START) + pd.Timedelta(days=math.ceil(want))
        if abs((day - calendar).days) <= 3:
            raise Hint("you counted calendar days from the start; the estimates are in working days (Monday to "
                       "Friday). Use working_day_date(START, p85_days).")
        if day < pd.Timestamp(START):
            raise Hint("`p85_date` is before the migration starts: count forward from START.")
        raise Hint(f"`p85_date` should be about {target.date().isoformat()} ({want:.1f} working days from "
                   f"{START}); yours is {day.date().isoformat()}.")
    late = int(np.busday_count(np.datetime64(SWITCH_OFF), target.date()))
    when = (f"{late} working days after the switch-off" if late > 0 else "before the switch-off")
    return (f"85% confidence means {want:.1f} working days, finishing {target.date().isoformat()}: "
            f"{when}. That gap is what the steering group has to decide about.")


# --- Task 10: recommendation -------------------------------------------------------------------

@task(LAB, "recommendation", title="Recommendation to the steering group", variables=["memo"], points=3,
      objective="ch02-estimate", kind="written")
def check_recommendation(memo):
    words, numbers = need_memo(
        memo, "memo", min_numbers=3,
        words_hint="about 120–200 is right for a steering group.",
        decision_hint="`memo` does not state a decision: say what you recommend or ask the group to approve.",
        numbers_hint="`memo` should name the numbers it rests on (for example the chance of meeting the switch-off, "
                     "the 85% date, and the net saving from mitigations); it names fewer than three.")
    if "%" not in memo and "percent" not in memo.lower():
        raise Hint("`memo` gives no probability: state the chance of finishing by the switch-off as a percentage.")
    return (f"a {words}-word memo with a decision and {numbers} figures. It will be graded with the "
            "rubric: decision first, the numbers behind it, the trade-off and who must act.")
