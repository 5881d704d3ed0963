"""Planning under constraints: fitting work into capacity and ordering it.

Chapter 2's scoring frameworks rank items one at a time. A plan has two more
constraints that a ranking ignores: the team's capacity (weeks of effort are
limited, so the question is which *set* of items is worth most) and the
dependencies between items (some work cannot start until other work ships).
This module holds the small, exact tools for both, plus the weighted-scoring
matrix Lab 1's slider cell uses (the lab's backlog is generated in
:mod:`tpmcourse.datasets.lab1_prioritization`):

- :func:`weighted_score` scores items on several criteria with chosen weights;
- :func:`greedy_pick` and :func:`best_pick` fill a capacity by walking a
  ranking, or exactly (a 0/1 knapsack solved by ``scipy.optimize.milp``,
  which :func:`best_pick_with_dependencies` extends to dependencies);
- :func:`parse_dependencies`, :func:`dependency_problems`,
  :func:`with_prerequisites` and :func:`topological_order` handle the
  ``dependencies`` column ("B-03;B-11");
- :func:`lane_plan` and :func:`split_tradeoff` split a quarter's capacity
  between a feature lane and a debt-and-reliability lane.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from graphlib import CycleError, TopologicalSorter

import numpy as np
import pandas as pd

from tpmcourse.prioritization import cost_of_delay, rank, rice
from tpmcourse.validate import InputError, require_int, require_mapping, require_number

__all__ = [
    "BENEFITS",
    "CRITERIA",
    "DependencyError",
    "best_pick",
    "best_pick_with_dependencies",
    "dependency_problems",
    "expected_impact",
    "greedy_pick",
    "lane_of",
    "lane_plan",
    "parse_dependencies",
    "plot_split_tradeoff",
    "ranked_ids",
    "split_tradeoff",
    "topological_order",
    "weighted_score",
    "weighted_top",
    "weighting_explorer",
    "with_prerequisites",
]

# --- weighted scoring -------------------------------------------------------------------

BENEFITS: tuple[str, ...] = ("reach", "business_value", "time_criticality", "risk_reduction")
CRITERIA: tuple[str, ...] = (*BENEFITS, "effort")


def weighted_score(df: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted-scoring matrix on a 0 to 100 scale.

    Each criterion is min-max scaled to 0..1 across the items (so reach in
    merchants and value in Fibonacci points become comparable); effort is a
    cost, so it is inverted (the smallest item scores 1). The score is the
    weighted mean of the scaled criteria times 100: weights need not add up to
    one, only their proportions matter. Criteria with weight 0 may be left out.
    """
    weights = require_mapping(weights, "weights", example="{'reach': 0.3, 'effort': 0.2}")
    unknown = [c for c in weights if c not in CRITERIA]
    if unknown:
        raise InputError(f"unknown criteria {unknown}; use some of {list(CRITERIA)}.")
    w = {c: require_number(v, f"the weight of {c}", minimum=0) for c, v in weights.items()}
    total = sum(w.values())
    if total == 0:
        raise InputError("at least one weight must be above zero.")
    score = pd.Series(0.0, index=df.index)
    for c, v in w.items():
        col = df[c].astype(float)
        span = col.max() - col.min()
        scaled = (col - col.min()) / span if span else pd.Series(1.0, index=df.index)
        if c == "effort":
            scaled = 1 - scaled
        score += v * scaled
    return (100 * score / total).rename("weighted_score")


def weighted_top(df: pd.DataFrame, n: int = 10, **weights: float) -> pd.DataFrame | str:
    """The ``n`` best items by :func:`weighted_score`, for the lab's slider
    cell (a message instead when every weight is zero)."""
    if not any(weights.values()):
        return "Set at least one weight above zero."
    scores = weighted_score(df, weights).round(1)
    table = df[["id", "title", "kind"]].assign(weighted_score=scores)
    return table.sort_values(["weighted_score", "id"], ascending=[False, True]).head(n).reset_index(drop=True)


def weighting_explorer(df: pd.DataFrame, n: int = 10, start: float = 0.2):
    """Sliders for the weights of :data:`CRITERIA` above a table of the ``n``
    best items; moving a slider re-ranks the table. The table is an HTML
    widget updated in place, so the notebook's stored outputs do not depend
    on whether a widget front end is attached."""
    import ipywidgets as widgets

    sliders = {c: widgets.FloatSlider(value=start, min=0, max=1, step=0.05, description=c,
                                      continuous_update=False, style={"description_width": "9em"})
               for c in CRITERIA}
    table = widgets.HTML()

    def update(_change: object = None) -> None:
        top = weighted_top(df, n, **{c: s.value for c, s in sliders.items()})
        table.value = f"<p>{top}</p>" if isinstance(top, str) else top.to_html(index=False)

    for slider in sliders.values():
        slider.observe(update, "value")
    update()
    return widgets.VBox([*sliders.values(), table])


# --- fitting work into capacity -----------------------------------------------------


def expected_impact(df: pd.DataFrame) -> pd.Series:
    """RICE without the division: reach x impact x confidence, the impact an
    item delivers. RICE is this per person-week, so summing it over a plan
    gives the plan's total expected impact."""
    return (rice(df) * df["effort"].astype(float)).rename("expected_impact")


def _weeks(efforts: Sequence[float]) -> list[int]:
    """Efforts as whole, non-negative weeks: the unit capacity is counted in."""
    return [require_int(e, "an effort in weeks", minimum=0) for e in efforts]


def greedy_pick(ids: Sequence[str], efforts: Sequence[float], capacity: int) -> list[str]:
    """Walk the items in the given order (best first) and take each one that
    still fits in the remaining capacity; skip those that do not."""
    left, picked = capacity, []
    for i, e in zip(ids, _weeks(efforts), strict=True):
        if e <= left:
            picked.append(i)
            left -= e
    return picked


def best_pick(ids: Sequence[str], efforts: Sequence[float], values: Sequence[float],
              capacity: int) -> list[str]:
    """The set of items of greatest total value whose efforts fit in the
    capacity (a 0/1 knapsack), solved exactly by
    :func:`best_pick_with_dependencies` with no dependencies. Returned in the
    order given."""
    return best_pick_with_dependencies(ids, efforts, values, capacity, {})


# --- dependencies -------------------------------------------------------------------------


class DependencyError(ValueError):
    """A dependency graph with a cycle or a reference to an unknown item."""


def parse_dependencies(df: pd.DataFrame, column: str = "dependencies") -> dict[str, list[str]]:
    """``{"B-07": ["B-03", "B-11"], ...}`` from a column like "B-03;B-11"
    (blank or NaN means no dependencies)."""
    out = {}
    for item, text in zip(df["id"], df[column], strict=True):
        if isinstance(text, str) and text.strip():
            out[item] = [d.strip() for d in text.split(";") if d.strip()]
        else:
            out[item] = []
    return out


def with_prerequisites(items: Iterable[str], deps: Mapping[str, Sequence[str]]) -> set[str]:
    """The items plus everything they depend on, directly or not."""
    found: set[str] = set()
    stack = list(items)
    while stack:
        item = stack.pop()
        if item in found:
            continue
        if item not in deps:
            raise DependencyError(f"{item} is not in the backlog.")
        found.add(item)
        stack.extend(deps[item])
    return found


def topological_order(items: Iterable[str], deps: Mapping[str, Sequence[str]],
                      priority: Sequence[str] | None = None) -> list[str]:
    """The items in an order where every item comes after all of its
    dependencies (``graphlib``). Among items that are ready at the same time,
    the one earliest in ``priority`` (default: the order given) goes first,
    then the lowest id. Raises :class:`DependencyError` naming a dependency
    outside ``items`` or the items caught in a cycle."""
    items = list(dict.fromkeys(items))
    chosen = set(items)
    for item in items:
        for d in deps.get(item, []):
            if d not in chosen:
                raise DependencyError(f"{item} depends on {d}, which is not in the plan.")
    pos = {item: k for k, item in enumerate(priority if priority is not None else items)}
    sorter = TopologicalSorter({item: deps.get(item, []) for item in items})
    try:
        sorter.prepare()
    except CycleError as cycle:
        raise DependencyError(f"dependency cycle: {' -> '.join(cycle.args[1])}.") from None
    ready: list[tuple[int, str]] = []
    done: list[str] = []
    while sorter.is_active():
        for item in sorter.get_ready():
            heapq.heappush(ready, (pos.get(item, len(pos)), item))
        _, nxt = heapq.heappop(ready)
        done.append(nxt)
        sorter.done(nxt)
    return done


def dependency_problems(order: Sequence[str], deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Plain-language problems with a proposed build order (empty when fine):
    unknown or repeated items, missing prerequisites, and prerequisites that
    come later than the item needing them."""
    problems = []
    position: dict[str, int] = {}
    for k, item in enumerate(order):
        if item not in deps:
            problems.append(f"{item!r} is not a backlog id")
        elif item in position:
            problems.append(f"{item} appears twice")
        else:
            position[item] = k
    for item, k in position.items():
        for d in deps[item]:
            if d not in position:
                problems.append(f"{item} depends on {d}, which is missing from the order")
            elif position[d] > k:
                problems.append(f"{item} is scheduled before its dependency {d}")
    return problems


# --- splitting a quarter between features and debt ---------------------------------


def lane_of(df: pd.DataFrame) -> pd.Series:
    """"features" for feature items, "debt" for technical debt, security
    and infrastructure (the debt-and-reliability lane)."""
    return df["kind"].map(lambda k: "features" if k == "feature" else "debt").rename("lane")


def lane_plan(df: pd.DataFrame, capacity: int, debt_share: float) -> pd.DataFrame:
    """Split ``capacity`` weeks: ``round(debt_share * capacity)`` to the debt
    lane, the rest to features, and fill each lane with its best set in its
    own currency: debt by cost of delay, features by expected impact
    (reach x impact x confidence). Both respect dependencies: the debt lane is
    planned first, and a feature can only be picked if the enablers it needs
    from the debt lane were picked there. One row per lane."""
    debt_share = require_number(debt_share, "debt_share", minimum=0, maximum=1)
    debt_weeks = round(debt_share * capacity)
    lanes = lane_of(df)
    deps = parse_dependencies(df)
    worth = {"features": expected_impact(df), "debt": cost_of_delay(df)}
    rows, done = [], set()
    for lane, weeks in (("debt", debt_weeks), ("features", capacity - debt_weeks)):
        part = df[lanes == lane]
        usable = {i: [d for d in deps[i] if d not in done] for i in part["id"]}
        pick = best_pick_with_dependencies(list(part["id"]), list(part["effort"]),
                                           list(worth[lane][part.index]), weeks, usable)
        done.update(pick)
        chosen = part["id"].isin(pick)
        rows.append({
            "lane": lane, "capacity_weeks": weeks,
            "weeks_used": int(part.loc[chosen, "effort"].sum()),
            "value": float(worth[lane][part.index][chosen].sum()),
            "items": ";".join(pick),
        })
    return pd.DataFrame(rows[::-1]).reset_index(drop=True)


def split_tradeoff(df: pd.DataFrame, capacity: int, shares: Iterable[float]) -> pd.DataFrame:
    """One row per debt share: each lane's weeks, the weeks it could use, and
    its value (features: expected impact; debt: cost of delay), the latter
    also as a percentage of the best that lane reaches in the table."""
    rows = []
    for s in shares:
        plan = lane_plan(df, capacity, s).set_index("lane")
        weeks, used, value = plan["capacity_weeks"], plan["weeks_used"], plan["value"]
        rows.append({
            "debt_share": s,
            "debt_weeks": int(weeks.loc["debt"]),
            "feature_weeks": int(weeks.loc["features"]),
            "feature_weeks_used": int(used.loc["features"]),
            "feature_impact": round(value.loc["features"]),
            "debt_cod": round(value.loc["debt"]),
        })
    table = pd.DataFrame(rows)
    for col, pct in (("feature_impact", "feature_pct"), ("debt_cod", "debt_pct")):
        top = table[col].max()
        table[pct] = (100 * table[col] / top).round(1) if top else 0.0
    return table


def plot_split_tradeoff(table: pd.DataFrame, ax=None):
    """Both lanes' share of their maximum against the debt share."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    x = 100 * table["debt_share"]
    ax.plot(x, table["feature_pct"], marker="o", color="black", label="Feature lane: expected impact")
    ax.plot(x, table["debt_pct"], marker="s", linestyle="--", color="grey",
            label="Debt lane: cost of delay addressed")
    ax.set_xlabel("Share of the quarter's capacity given to debt and reliability (%)")
    ax.set_ylabel("% of the lane's best value in the table")
    ax.set_ylim(0, 105)
    ax.legend(loc="lower center", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def ranked_ids(df: pd.DataFrame, scores: pd.Series) -> list[str]:
    """Item ids from best score to worst (ties keep the table's order)."""
    r = rank(scores)
    return list(df.assign(_r=r.values).sort_values("_r", kind="stable")["id"])


def best_pick_with_dependencies(ids: Sequence[str], efforts: Sequence[float], values: Sequence[float],
                                capacity: int, deps: Mapping[str, Sequence[str]]) -> list[str]:
    """The set of items of greatest total value whose efforts fit in the
    capacity, where an item can only be chosen together with everything it
    depends on (x_item <= x_dependency for every edge): a 0/1 knapsack solved
    exactly as a small mixed-integer program with ``scipy.optimize.milp``.
    Dependencies on items outside ``ids`` make the item impossible to pick."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    ids = list(ids)
    w = np.array(_weeks(efforts), dtype=float)
    v = np.array([float(x) for x in values])
    if not len(ids) == len(w) == len(v):
        raise InputError("ids, efforts and values must have the same length.")
    where = {item: k for k, item in enumerate(ids)}
    rows, upper = [w], [float(capacity)]
    blocked = np.zeros(len(ids))
    for item in ids:
        for d in deps.get(item, []):
            row = np.zeros(len(ids))
            row[where[item]] = 1
            if d in where:
                row[where[d]] = -1
            else:
                blocked[where[item]] = 1
                continue
            rows.append(row)
            upper.append(0.0)
    result = milp(-v, integrality=np.ones(len(ids), dtype=np.uint8),  # 1: every x is an integer
                  bounds=Bounds(np.zeros(len(ids)), 1 - blocked),
                  constraints=LinearConstraint(np.array(rows), -np.inf, np.array(upper)))
    if not result.success:  # pragma: no cover - the empty plan is always feasible
        raise RuntimeError(result.message)
    return [item for item, x in zip(ids, result.x, strict=True) if x > 0.5]
