"""Lab 1, prioritization: checks for ``exercises/lab1_prioritization.ipynb``.

The learner scores the Payments Platform backlog with RICE and WSJF, reads
where the two disagree, builds a weighted score, fits a cycle's capacity
greedily and exactly, orders the chosen work by its dependencies, and splits
a quarter between features and debt. Every expected answer is computed here
from the course's own copy of the lab's data with ``tpmcourse`` functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd

from tpmcourse.checks import (
    Hint,
    agree_mask,
    agrees,
    expect_column,
    expect_number,
    need_ids,
    need_memo,
    need_number,
    need_numeric_column,
    need_rows,
    show_pair,
    task,
)
from tpmcourse.datasets import cached
from tpmcourse.datasets.lab1_prioritization import BACKLOG, CAPACITY_WEEKS, DEBT_SHARES, QUARTER_WEEKS
from tpmcourse.labs.lab1_prioritization_helpers import (
    best_pick,
    greedy_pick,
    parse_dependencies,
    ranked_ids,
    split_tradeoff,
    topological_order,
    weighted_score,
    with_prerequisites,
)
from tpmcourse.prioritization import cost_of_delay, rank, rice, wsjf

LAB = "prioritization"
SPRINT_WEEKS = CAPACITY_WEEKS  # the next cycle: seven engineers for three weeks (21 person-weeks)
TASK_WEIGHTS = {"reach": 0.15, "business_value": 0.30, "time_criticality": 0.20,
                "risk_reduction": 0.20, "effort": 0.15}
SHARES = list(DEBT_SHARES)  # 0% to 60% of next quarter's 80 person-weeks for debt
REFERENCE_DEBT_SHARE = 0.40  # the model answer's choice for Task 8

#: Decimals the task text allows the scores to be rounded to.
RICE_DECIMALS, WSJF_DECIMALS, WEIGHTED_DECIMALS = 1, 2, 1

H = "tpmcourse.labs.lab1_prioritization_helpers"


# --- the data the checks compare with -------------------------------------------------


@cached
def _backlog() -> pd.DataFrame:
    """The backlog the expected answers come from, shared by the checks (never changed)."""
    return BACKLOG.read()


def backlog() -> pd.DataFrame:
    """A copy of the lab's backlog, as the course reads it."""
    return BACKLOG.read()


def _by_id(series: pd.Series) -> pd.Series:
    return series.set_axis(_backlog()["id"])


def _title(item: str) -> str:
    return str(_backlog().set_index("id").loc[item, "title"])


def _effort() -> pd.Series:
    return _backlog().set_index("id")["effort"].astype(int)


def _cod() -> pd.Series:
    return _by_id(cost_of_delay(_backlog()))


def greedy_expected() -> list[str]:
    b = _backlog()
    order = ranked_ids(b, wsjf(b))
    return greedy_pick(order, [_effort()[i] for i in order], SPRINT_WEEKS)


def best_expected() -> list[str]:
    b = _backlog()
    return best_pick(list(b["id"]), list(b["effort"]), list(cost_of_delay(b)), SPRINT_WEEKS)


@cached
def tradeoff_table() -> pd.DataFrame:
    return split_tradeoff(_backlog(), QUARTER_WEEKS, SHARES)


# --- reading answers ------------------------------------------------------------------


def _scored(value: object, name: str, columns: list[str]) -> pd.DataFrame:
    """The answer table indexed by item id, one row per backlog item."""
    return need_rows(value, name, list(_backlog()["id"]), columns)


def _id_list(value: object, name: str) -> list[str]:
    """A list of backlog ids (list, tuple, Series or array of strings)."""
    return need_ids(value, name, list(_backlog()["id"]), what="backlog id")


#: Slips in a column of scores, given the first wrong item: (the scores they
#: produce, or whether they apply; the hint; optionally the decimals a learner
#: may have rounded the slipped scores to).
ScoreSlips = Callable[[str], Iterable[tuple]]


def _check_scores(got: pd.Series, expected: pd.Series, what: str, slips: ScoreSlips, decimals: int | None,
                  column: str) -> None:
    """Scores that match the course's under the tolerance policy (rounded to
    ``decimals`` is fine); otherwise the rounding diagnosis, the hint of the
    first slip they all follow, else how far the first wrong item is off."""
    ok = agree_mask(got, expected, decimals)
    if ok.all():
        return
    item = str(got.index[~ok][0])
    expect_column(got, expected, lambda i: f"{what} for {i} ({_title(str(i))})", decimals=decimals,
                  slips=list(slips(item)), column=f"`{column}`")


def _check_rank(frame: pd.DataFrame, column: str, name: str, scores: pd.Series, what: str,
                own: pd.Series | None = None) -> None:
    """Ranks must follow the exact scores, or the learner's own (rounded) scores."""
    got = need_numeric_column(frame, column, name)
    expected = rank(scores.rename("s")).astype(float)
    if (got == expected).all() or (own is not None and (got == rank(own.rename("s")).astype(float)).all()):
        return
    if (got == rank(scores.rename("s"), ascending=True)).all():
        raise Hint(f"`{column}` runs the wrong way: rank 1 should be the HIGHEST {what} (do first), "
                   f"so use rank(ascending=False).")
    if (got == expected - 1).all():
        raise Hint(f"`{column}` starts at 0; rank 1 is the item to do first.")
    wrong = got.index[got != expected]
    tied = scores.round(9).duplicated(keep=False)
    if tied[wrong].all():
        pair = list(scores.index[tied & (scores.round(9) == round(scores[wrong[0]], 9))])
        raise Hint(f"{' and '.join(pair)} tie on {what}; tied items share the better rank "
                   f"({int(expected[wrong[0]])}), as tpmcourse.prioritization.rank or "
                   f".rank(method='min', ascending=False) does.")
    item = wrong[0]
    want_text, got_text = show_pair(float(expected[item]), float(got[item]))
    raise Hint(f"{item} should have {column} {want_text}; yours is {got_text}: "
               f"rank the {what} you computed, highest first.")


# --- Task 1: RICE ------------------------------------------------------------------------


def reference_rice() -> pd.DataFrame:
    b = _backlog()
    return b[["id"]].assign(rice=rice(b), rice_rank=rank(rice(b)))


@task(LAB, "rice", title="Task 1, RICE", variables=["rice_scores"], points=2, objective="ch02-prioritize",
      display={"rice_scores.rice": RICE_DECIMALS}, reference=lambda: (reference_rice(),))
def check_rice(rice_scores):
    frame = _scored(rice_scores, "rice_scores", ["rice", "rice_rank"])
    got = need_numeric_column(frame, "rice", "rice_scores")
    b = _backlog().set_index("id")
    expected = _by_id(rice(_backlog()))
    _check_scores(got, expected, "RICE", lambda item: [
        (expected * 100, ("every RICE score is 100× too high: is confidence a percentage or a fraction? "
                          "Use 0.8, not 80."), RICE_DECIMALS - 2),
        (expected * b["effort"], ("your scores are reach × impact × confidence without dividing by effort: RICE "
                                  "is impact per person-week, so divide by `effort`.")),
        (expected * b["effort"] ** 2, "you multiplied by effort; RICE divides by it, so big jobs score lower."),
        (expected / b["impact"], "impact is missing from your product: RICE = reach × impact × confidence / effort."),
        (expected / b["confidence"], ("confidence is missing: multiply by the `confidence` fraction, which "
                                      "discounts guesses.")),
    ], RICE_DECIMALS, "rice")
    _check_rank(frame, "rice_rank", "rice_scores", expected, "RICE score", got)
    top, bottom = str(expected.idxmax()), str(expected.idxmin())
    return (f"all {len(expected)} RICE scores and ranks match. {top} ({_title(top)}) leads; {bottom} "
            f"({_title(bottom)}) is last, because reach counts merchants and internal debt reaches few.")


# --- Task 2: WSJF ------------------------------------------------------------------------


def reference_wsjf() -> pd.DataFrame:
    b = _backlog()
    return b[["id"]].assign(cost_of_delay=cost_of_delay(b), wsjf=wsjf(b), wsjf_rank=rank(wsjf(b)))


@task(LAB, "wsjf", title="Task 2, WSJF", variables=["wsjf_scores"], points=2, objective="ch02-prioritize",
      display={"wsjf_scores.wsjf": WSJF_DECIMALS}, reference=lambda: (reference_wsjf(),))
def check_wsjf(wsjf_scores):
    frame = _scored(wsjf_scores, "wsjf_scores", ["cost_of_delay", "wsjf", "wsjf_rank"])
    b = _backlog().set_index("id")
    cod_got = need_numeric_column(frame, "cost_of_delay", "wsjf_scores")
    cod = _cod()
    _check_scores(cod_got, cod, "cost of delay", lambda _: [
        (cod - b[term], (f"your cost of delay leaves out `{term}`: it is business value + time criticality + risk "
                         f"reduction.")) for term in ("business_value", "time_criticality", "risk_reduction")
    ], None, "cost_of_delay")
    got = need_numeric_column(frame, "wsjf", "wsjf_scores")
    expected = _by_id(wsjf(_backlog()))
    _check_scores(got, expected, "WSJF", lambda _: [
        (b["job_size"] / cod, ("your WSJF is upside down (job size / cost of delay): WSJF = cost of delay / job "
                               "size, so a small, urgent job scores high.")),
        (cod / b["effort"], ("you divided by `effort`; WSJF divides by `job_size`, the team's relative Fibonacci "
                             "estimate.")),
    ], WSJF_DECIMALS, "wsjf")
    _check_rank(frame, "wsjf_rank", "wsjf_scores", expected, "WSJF", got)
    top = str(expected.idxmax())
    return (f"cost of delay, WSJF and ranks all match. {top} ({_title(top)}) leads WSJF with "
            f"{expected[top]:.1f}: a date or a risk makes a small job urgent, which RICE cannot see.")


# --- Task 3: where they disagree ---------------------------------------------------------


def reference_disagreement() -> tuple[pd.DataFrame, list[str]]:
    b = _backlog()
    table = b[["id"]].assign(rice_rank=rank(rice(b)), wsjf_rank=rank(wsjf(b)))
    table["shift"] = table["rice_rank"] - table["wsjf_rank"]
    top = table.assign(size=table["shift"].abs()).sort_values(["size", "id"], ascending=[False, True]).head(5)
    return table, list(top["id"])


@task(LAB, "disagreement", title="Task 3, where RICE and WSJF disagree",
      variables=["comparison", "most_disputed"], points=2, objective="ch02-prioritize",
      reference=reference_disagreement)
def check_disagreement(comparison, most_disputed):
    frame = _scored(comparison, "comparison", ["rice_rank", "wsjf_rank", "shift"])
    r = rank(rice(_backlog())).set_axis(frame.index).astype(float)
    w = rank(wsjf(_backlog())).set_axis(frame.index).astype(float)
    for column, expected, where in (("rice_rank", r, "Task 1"), ("wsjf_rank", w, "Task 2")):
        got = need_numeric_column(frame, column, "comparison")
        if not (got == expected).all():
            item = got.index[got != expected][0]
            raise Hint(f"`{column}` of {item} is {got[item]:g}, but {where} gives {int(expected[item])}: "
                       f"reuse the ranks that passed {where}.")
    shift = need_numeric_column(frame, "shift", "comparison")
    expected = r - w
    if not (shift == expected).all():
        if (shift == -expected).all():
            raise Hint("`shift` has the sign flipped: the task defines it as rice_rank − wsjf_rank, so a "
                       "positive shift means WSJF puts the item higher.")
        if (shift == expected.abs()).all():
            raise Hint("`shift` is the absolute difference; keep the sign (rice_rank − wsjf_rank), it "
                       "says which framework favours the item.")
        item = shift.index[shift != expected][0]
        want_text, got_text = show_pair(float(expected[item]), float(shift[item]))
        raise Hint(f"the shift of {item} should be {int(r[item])} − {int(w[item])} = {want_text}; "
                   f"yours is {got_text}.")
    picked = _id_list(most_disputed, "most_disputed")
    if len(picked) != 5:
        raise Hint(f"`most_disputed` has {len(picked)} ids; the task asks for the 5 with the largest "
                   f"rank shift in either direction.")
    size = expected.abs()
    fifth = size.sort_values(ascending=False).iloc[4]
    for item in picked:
        if size[item] < fifth:
            raise Hint(f"{item} moves only {int(size[item])} places; some items move {int(fifth)} or more. "
                       f"Sort by the absolute shift (`.abs()`), so big moves down count as much as big moves up.")
    surely = [i for i in size.index if size[i] > fifth and i not in picked]
    if surely:
        raise Hint(f"{surely[0]} ({_title(surely[0])}) moves {int(size[surely[0]])} places and belongs "
                   f"in `most_disputed`.")
    up = max(picked, key=lambda i: expected[i])
    down = min(picked, key=lambda i: expected[i])
    return (f"the ranks and shifts match, and you found the five biggest disagreements. {up} "
            f"({_title(up)}) jumps {int(expected[up])} places under WSJF; {down} ({_title(down)}) "
            f"falls {int(-expected[down])}: reach rewards breadth, cost of delay rewards urgency and risk.")


# --- Task 4: weighted scoring ------------------------------------------------------------


def _weighted_variants() -> dict[str, pd.Series]:
    b = _backlog()
    raw = sum(v * b[c].astype(float) for c, v in TASK_WEIGHTS.items() if c != "effort") \
        - TASK_WEIGHTS["effort"] * b["effort"]
    by_max = sum(v * b[c] / b[c].max() for c, v in TASK_WEIGHTS.items() if c != "effort") \
        + TASK_WEIGHTS["effort"] * (1 - b["effort"] / b["effort"].max())
    not_inverted = weighted_score(b, TASK_WEIGHTS) - 100 * TASK_WEIGHTS["effort"] * (
        1 - 2 * (b["effort"] - b["effort"].min()) / (b["effort"].max() - b["effort"].min()))
    return {k: _by_id(v) for k, v in
            {"raw": raw, "by_max": 100 * by_max, "not_inverted": not_inverted}.items()}


def reference_weighted() -> pd.DataFrame:
    b = _backlog()
    score = weighted_score(b, TASK_WEIGHTS)
    return b[["id"]].assign(weighted_score=score, weighted_rank=rank(score))


@task(LAB, "weighted", title="Task 4, weighted score", variables=["weighted"], points=2,
      objective="ch02-prioritize", display={"weighted.weighted_score": WEIGHTED_DECIMALS},
      reference=lambda: (reference_weighted(),), shortcuts=[f"{H}.weighted_score", f"{H}.weighted_top"])
def check_weighted(weighted):
    frame = _scored(weighted, "weighted", ["weighted_score", "weighted_rank"])
    got = need_numeric_column(frame, "weighted_score", "weighted")
    expected = _by_id(weighted_score(_backlog(), TASK_WEIGHTS))
    v = _weighted_variants()
    _check_scores(got, expected, "the weighted score", lambda _: [
        (v["not_inverted"], ("effort counts in your favour: it is a cost, so scale it the other way round "
                             "(1 − scaled effort), and the smallest job scores full marks on that criterion.")),
        (bool(agree_mask(got, v["raw"], WEIGHTED_DECIMALS).all()) or got.abs().max() > 1000,
         ("your scores look like raw values: reach (in merchants) swamps every other criterion. Min-max scale "
          "each column to 0..1 first.")),
        (v["by_max"], ("you divided each column by its maximum; the task uses min-max scaling, "
                       "(x − min) / (max − min), so the lowest item scores 0 on every criterion.")),
    ], WEIGHTED_DECIMALS, "weighted_score")
    _check_rank(frame, "weighted_rank", "weighted", expected, "weighted score", got)
    top = str(expected.idxmax())
    return (f"scores and ranks match; {top} ({_title(top)}) comes first with these weights. The weights "
            f"are the decision: agree them with Priya and Sam before anyone sees the ranking.")


# --- Task 5: greedy fill -----------------------------------------------------------------


def _weeks(items: list[str]) -> int:
    return int(_effort()[items].sum())


def _over(items: list[str], name: str, capacity: int) -> None:
    weeks = _weeks(items)
    if weeks > capacity:
        raise Hint(f"`{name}` needs {weeks} person-weeks: over the {capacity}-week capacity by "
                   f"{weeks - capacity} weeks.")


def _value_hint(got: float, items: list[str], name: str) -> None:
    """The total cost of delay of ``items``, or the hint for what was added up instead."""
    b = _backlog().set_index("id")
    expect_number(got, float(_cod()[items].sum()), f"`{name}` (total cost of delay of your items)", [
        (float(_by_id(wsjf(_backlog()))[items].sum()),
         (f"`{name}` adds up WSJF; the value of a plan is the cost of delay it addresses, so sum "
          f"`cost_of_delay` over the picked items.")),
        (float(b.loc[items, "effort"].sum()),
         f"`{name}` is the plan's effort in weeks; the task asks for its total cost of delay."),
    ])


@task(LAB, "greedy", title="Task 5, fill the cycle greedily", variables=["greedy_pick", "greedy_value"],
      points=2, objective="ch02-prioritize",
      reference=lambda: (greedy_expected(), float(_cod()[greedy_expected()].sum())),
      shortcuts=[f"{H}.greedy_pick", f"{H}.best_pick", f"{H}.best_pick_with_dependencies"])
def check_greedy(greedy_pick_, greedy_value):
    picked = _id_list(greedy_pick_, "greedy_pick")
    expected = greedy_expected()
    b = _backlog()
    effort = _effort()
    order = ranked_ids(b, wsjf(b))
    by_size = greedy_pick(order, list(b.set_index("id").loc[order, "job_size"]), SPRINT_WEEKS)
    if set(picked) == set(by_size) != set(expected):
        raise Hint(f"you counted `job_size` against the capacity; the {SPRINT_WEEKS} weeks are "
                   f"person-weeks, so add up `effort` (your items need {_weeks(picked)}).")
    _over(picked, "greedy_pick", SPRINT_WEEKS)
    if set(picked) != set(expected):
        rice_order = ranked_ids(b, rice(b))
        by_rice = greedy_pick(rice_order, [effort[i] for i in rice_order], SPRINT_WEEKS)
        if set(picked) == set(by_rice):
            raise Hint("that is the greedy fill by RICE; this task walks down the WSJF ranking.")
        if set(picked) == set(best_expected()):
            raise Hint("that is the best possible set (Task 6 asks for it); here, walk down the WSJF "
                       "ranking and take each item that still fits.")
        stopped: list[str] = []
        for item in order:
            if _weeks([*stopped, item]) > SPRINT_WEEKS:
                break
            stopped.append(item)
        if set(picked) == set(stopped):
            skipped = next(i for i in order if i not in stopped)
            raise Hint(f"you stopped at {skipped} ({effort[skipped]} weeks), the first item that does not fit; "
                       f"greedy skips an item that does not fit and carries on down the ranking, because a "
                       f"smaller item further down may still fit in the {SPRINT_WEEKS - _weeks(picked)} weeks left.")
        left = SPRINT_WEEKS
        for item in order:
            fits = effort[item] <= left
            if fits and item not in picked:
                raise Hint(f"walking down the WSJF ranking, {item} ({effort[item]} weeks) still fits when "
                           f"you reach it ({left} weeks left), so greedy takes it.")
            if not fits and item in picked:
                raise Hint(f"{item} needs {effort[item]} weeks but only {left} are left when the WSJF "
                           f"ranking reaches it: greedy skips it and moves on.")
            if fits:
                left -= effort[item]
    value = need_number(greedy_value, "greedy_value")
    _value_hint(value, picked, "greedy_value")
    passed = _skipped(order, picked)
    walk = (f"; on the way it skips {passed} ({_title(passed)}, {effort[passed]} weeks), which does not fit, "
            f"and carries on" if passed else "")
    return (f"greedy takes {len(picked)} items for {_weeks(picked)} weeks and {value:g} points of cost of "
            f"delay{walk}.")


def _skipped(order: list[str], picked: list[str]) -> str | None:
    """The first item greedy reaches with weeks still free and passes over, because it does not fit."""
    left = SPRINT_WEEKS
    for item in order:
        if item in picked:
            left -= int(_effort()[item])
        elif left > 0:
            return item
        if left <= 0:
            return None
    return None


# --- Task 6: the true optimum ------------------------------------------------------------


def _reference_optimum() -> tuple[list[str], float, float]:
    cod = _cod()
    best = float(cod[best_expected()].sum())
    return best_expected(), best, best - float(cod[greedy_expected()].sum())


@task(LAB, "optimum", title="Task 6, the best set and what greedy loses",
      variables=["best_pick", "best_value", "value_lost"], points=3, objective="ch02-prioritize",
      reference=_reference_optimum,
      shortcuts=[f"{H}.best_pick", f"{H}.best_pick_with_dependencies"])
def check_optimum(best_pick_, best_value, value_lost):
    picked = _id_list(best_pick_, "best_pick")
    _over(picked, "best_pick", SPRINT_WEEKS)
    cod = _cod()
    optimum = float(cod[best_expected()].sum())
    greedy = float(cod[greedy_expected()].sum())
    mine = float(cod[picked].sum())
    if mine < optimum - 1e-9:
        if set(picked) == set(greedy_expected()):
            raise Hint("that is the greedy set from Task 5; an exact method (dynamic programming over "
                       f"weeks, or scipy.optimize.milp) finds a set worth more in the same {SPRINT_WEEKS} weeks.")
        raise Hint(f"your set fits ({_weeks(picked)} weeks) but addresses {mine:g} points of cost of delay, "
                   f"{optimum - mine:g} short of the best. Try every capacity from 0 to {SPRINT_WEEKS} (the "
                   f"knapsack table), not a ranking.")
    value = need_number(best_value, "best_value")
    _value_hint(value, picked, "best_value")
    lost = need_number(value_lost, "value_lost")
    gap = optimum - greedy
    percentage = ("`value_lost` is a percentage; the task asks for the points of cost of delay "
                  "(best_value − greedy_value).")
    expect_number(lost, gap, "`value_lost` (best_value − greedy_value)", [
        (-gap, "`value_lost` has the sign flipped: best minus greedy is what greedy loses."),
        (100 * gap / optimum, percentage, 0),
        (gap / optimum, percentage, 2),
    ])
    if gap == 0:
        return (f"the best set addresses {optimum:g} points, as greedy's does: on this backlog the WSJF "
                f"ranking happens to fill the {SPRINT_WEEKS} weeks as well as an exact method.")
    return (f"the best set addresses {optimum:g} points against greedy's {greedy:g}: {gap:g} points "
            f"({100 * gap / optimum:.0f}%) lost because whole items do not split, and an item whose ratio "
            f"flatters it can crowd out smaller ones that are worth more together.")


# --- Task 7: dependency order ------------------------------------------------------------


def _reference_order() -> tuple[list[str], float]:
    needed = with_prerequisites(best_expected(), parse_dependencies(_backlog()))
    order = topological_order(sorted(needed), parse_dependencies(_backlog()))
    return order, float(_weeks(order))


@task(LAB, "order", title="Task 7, a build order that respects dependencies",
      variables=["build_order", "plan_weeks"], points=3, objective="ch02-roadmap", reference=_reference_order,
      shortcuts=[f"{H}.with_prerequisites", f"{H}.topological_order", f"{H}.best_pick_with_dependencies"])
def check_order(build_order, plan_weeks):
    order = _id_list(build_order, "build_order")
    deps = parse_dependencies(_backlog())
    plan = best_expected()
    needed = with_prerequisites(plan, deps)
    lacking = [i for i in plan if i not in order]
    if lacking:
        raise Hint(f"`build_order` lacks {lacking[0]} ({_title(lacking[0])}) from the Task 6 plan; order "
                   f"every planned item.")
    position = {item: k for k, item in enumerate(order)}
    for item in order:
        for d in deps[item]:
            if d not in position:
                raise Hint(f"{item} ({_title(item)}) depends on {d} ({_title(d)}), which is missing from "
                           f"`build_order`: add every prerequisite, even one the plan did not pick.")
            if position[d] > position[item]:
                raise Hint(f"{item} comes before its dependency {d}: {d} must be built first.")
    extra = [i for i in order if i not in needed]
    if extra:
        raise Hint(f"{extra[0]} is neither in the Task 6 plan nor a prerequisite of it; leave it out.")
    weeks = need_number(plan_weeks, "plan_weeks")
    expected = _weeks(sorted(needed))
    expect_number(weeks, expected, "`plan_weeks` (total effort of build_order)", [
        (_weeks(plan), (f"{weeks:g} weeks is the Task 6 plan alone; add the effort of the prerequisites you "
                        f"pulled in.")),
    ])
    added = sorted(needed - set(plan))
    if not added:
        return (f"every dependency comes first, and the plan needs nothing it did not pick: {expected} weeks. "
                f"Check every plan against its dependencies all the same; an optimiser ignores them.")
    over = expected - SPRINT_WEEKS
    return (f"every dependency comes first. Pulling in {', '.join(added)} makes the plan {expected} weeks"
            + (f": {over} over the {SPRINT_WEEKS}-week capacity" if over > 0 else "")
            + ". An optimiser that ignores dependencies happily picks work that cannot start.")


# --- Task 8: features versus debt ---------------------------------------------------------


def _share(value: object, name: str) -> float:
    share = need_number(value, name)
    if 1 < share <= 100:
        raise Hint(f"`{name}` is {share:g}: write the share as a fraction (0.25 for 25%).")
    if not 0 <= share <= 1:
        raise Hint(f"`{name}` is {share:g}; a share of capacity is between 0 and 1.")
    return share


def _reference_split() -> tuple[float, float, float]:
    table = tradeoff_table()
    best = float(table["debt_share"].iloc[table["feature_impact"].argmax()])
    row = split_tradeoff(_backlog(), QUARTER_WEEKS, [REFERENCE_DEBT_SHARE]).iloc[0]
    return best, REFERENCE_DEBT_SHARE, float(table["feature_impact"].max() - row["feature_impact"])


@task(LAB, "split", title="Task 8, features versus debt",
      variables=["feature_best_share", "debt_share", "impact_given_up"], points=2, objective="ch02-roadmap",
      display={"impact_given_up": 0}, reference=_reference_split)
def check_split(feature_best_share, debt_share, impact_given_up):
    table = tradeoff_table()
    best = float(table["debt_share"].iloc[table["feature_impact"].argmax()])
    fbs = _share(feature_best_share, "feature_best_share")
    if not agrees(fbs, best):
        if fbs == 0:
            raise Hint("at 0% debt the feature lane reaches less, not more: look at `feature_impact` in "
                       "the table. Many features wait for an enabler from the debt lane.")
        raise Hint(f"at a debt share of {fbs:g} the table's feature impact is not its highest; find the "
                   f"row with the largest `feature_impact` (`idxmax`).")
    share = _share(debt_share, "debt_share")
    if share < 0.1:
        raise Hint(f"a debt share of {share:.0%} leaves almost nothing for debt, security and "
                   f"infrastructure; choose between 0.10 and 0.50 and defend it.")
    if share > 0.5:
        raise Hint(f"a debt share of {share:.0%} is a feature freeze, not a split; choose between 0.10 and "
                   f"0.50 (a freeze is a different decision, with its own memo).")
    row = split_tradeoff(_backlog(), QUARTER_WEEKS, [share]).iloc[0]
    expected = float(table["feature_impact"].max() - row["feature_impact"])
    got = need_number(impact_given_up, "impact_given_up")
    expect_number(got, expected, f"`impact_given_up` at a debt share of {share:g}", [
        (-expected, "`impact_given_up` has the sign flipped: the best feature impact minus yours."),
        (100 * expected / float(table["feature_impact"].max()),
         "`impact_given_up` is a percentage; the task asks for expected impact points.", 0),
    ], decimals=0)
    return (f"at {share:.0%} the debt lane gets {int(row['debt_weeks'])} weeks and addresses "
            f"{int(row['debt_cod'])} points of cost of delay, and features give up {expected:,.0f} of their "
            f"best {table['feature_impact'].max():,.0f}. Put those numbers in your memo.")


# --- Task 9: the memo ---------------------------------------------------------------------

@task(LAB, "memo", title="Task 9, memo: the quarter's split", variables=["split_memo", "debt_share"],
      points=4, objective="ch02-roadmap", kind="written")
def check_memo(split_memo, debt_share):
    words, numbers = need_memo(
        split_memo, "split_memo", min_numbers=3,
        words_hint="the decision, the numbers behind it, what it costs, and what would change your mind.",
        decision_hint="the memo describes but does not decide: say what you recommend or propose.",
        numbers_hint="name the numbers your decision rests on (weeks, cost of delay addressed, feature impact "
                     "given up): the memo has fewer than three.")
    share = _share(debt_share, "debt_share")
    percent = round(100 * share)
    weeks = round(share * QUARTER_WEEKS)
    states_share = re.search(rf"(?<![\d.]){percent}\s*(%|per ?cent)", split_memo, re.I) or \
        re.search(rf"(?<![\d.]){weeks}\s*(person-|engineer-)?weeks?", split_memo, re.I) or \
        re.search(rf"(?<![\d.]){re.escape(f'{share:g}')}(?![\d])", split_memo)
    if not states_share:
        raise Hint(f"the memo never states your split: write it as {percent}% (or {weeks} weeks) of the "
                   f"quarter for debt and reliability.")
    return (f"the memo has the form asked for ({words} words, a decision, {numbers} numbers). "
            f"It will be graded with the rubric: decision, evidence, trade-off named, risk, and an ask.")
