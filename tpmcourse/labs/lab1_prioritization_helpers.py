"""Planning under constraints: fitting work into capacity and ordering it.

Chapter 2's scoring frameworks rank items one at a time. A plan has two more
constraints that a ranking ignores: the team's capacity (weeks of effort are
limited, so the question is which *set* of items is worth most) and the
dependencies between items (some work cannot start until other work ships).
This module holds the small, exact tools for both, plus the lab backlog of
Lab 1 and the weighted-scoring matrix its slider cell uses:

- :func:`make_lab_backlog` generates ``data/lab_backlog.csv`` from a seed;
- :func:`weighted_score` scores items on several criteria with chosen weights;
- :func:`greedy_pick` and :func:`best_pick` fill a capacity by walking a
  ranking, or exactly (0/1 knapsack by dynamic programming);
- :func:`parse_dependencies`, :func:`dependency_problems`,
  :func:`with_prerequisites` and :func:`topological_order` handle the
  ``dependencies`` column ("B-03;B-11");
- :func:`lane_plan` and :func:`split_tradeoff` split a quarter's capacity
  between a feature lane and a debt-and-reliability lane.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from tpmcourse.prioritization import cost_of_delay, rank, rice

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
    "make_lab_backlog",
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

FIB = (1, 2, 3, 5, 8, 13, 20)

# --- the lab backlog ----------------------------------------------------------------

# (key, title, kind, audience, size, fixed time criticality or None, value boost, deps)
# audience: all / many / some / few / internal; size: S / M / L / XL.
_ITEMS: list[tuple[str, str, str, str, str, int | None, int, tuple[str, ...]]] = [
    ("proc", "Processor v1 to v2 API migration, before v1 is switched off", "infrastructure", "all", "L", 20, 1, ("idem",)),
    ("idem", "Idempotency keys on processor calls", "technical debt", "internal", "S", None, 0, ()),
    ("v1rm", "Remove v1 processor code paths", "technical debt", "internal", "S", None, 0, ("proc",)),
    ("pci", "Fix PCI finding: card numbers in gateway logs, before the audit in week 6", "security", "internal", "S", 20, 0, ()),
    ("trace", "Trace p99 latency of payment calls end to end", "infrastructure", "internal", "S", None, 0, ()),
    ("lq", "Rewrite the three slowest ledger queries", "technical debt", "many", "M", None, 0, ("trace",)),
    ("schema", "Split the ledger schema by location", "technical debt", "internal", "L", None, 0, ("lq",)),
    ("multi", "Multi-location invoicing for Bramble Bakeries", "feature", "few", "XL", 13, 2, ("schema",)),
    ("idp", "Identity-provider abstraction in the auth service", "infrastructure", "internal", "M", None, 0, ()),
    ("sso", "SAML single sign-on", "feature", "few", "M", 13, 2, ("idp",)),
    ("remind", "Smart payment reminders", "feature", "all", "M", None, 1, ("tmpl",)),
    ("tmpl", "Consolidate notification templates", "technical debt", "internal", "S", None, 0, ()),
    ("recur", "Recurring invoice schedules", "feature", "many", "M", None, 1, ("tmpl",)),
    ("partial", "Partial payments on an invoice", "feature", "many", "M", None, 0, ()),
    ("portal", "Customer payment portal", "feature", "many", "L", None, 0, ("partial",)),
    ("tip", "Tipping on tap-to-pay in Larkspur Go", "feature", "some", "S", None, 0, ()),
    ("offline", "Offline mode for Larkspur Go", "feature", "some", "L", None, 0, ()),
    ("fx", "Invoices in EUR and GBP for US merchants", "feature", "some", "L", None, 0, ("schema",)),
    ("eu", "EU data residency (EU West storage)", "infrastructure", "some", "XL", 5, 1, ()),
    ("sepa", "SEPA direct debit for EU merchants", "feature", "some", "L", 3, 1, ("eu", "fx")),
    ("acct", "Read-only accountant access", "feature", "many", "M", None, 0, ("mfa",)),
    ("mfa", "Enforce multi-factor sign-in for merchant admins", "security", "all", "S", 3, 0, ()),
    ("sig", "Webhook signature verification v2", "security", "few", "S", None, 0, ()),
    ("hooks", "Webhook retry dashboard for partners", "feature", "few", "S", None, 0, ("sig",)),
    ("keys", "Self-serve API key rotation for partners", "feature", "few", "S", None, 0, ("vault",)),
    ("vault", "Move API secrets into a vault and rotate them", "security", "internal", "M", 5, 0, ()),
    ("instant", "Instant payouts to debit cards", "feature", "some", "L", None, 1, ("proc", "lq")),
    ("pdf", "Invoice PDF redesign", "feature", "all", "S", None, 0, ()),
    ("dispute", "Dispute evidence upload", "feature", "some", "S", None, 0, ()),
    ("cron", "Replace reporting cron jobs with event-bus consumers", "technical debt", "internal", "M", None, 0, ("py",)),
    ("py", "Upgrade ledger-core to a supported Python version", "technical debt", "internal", "M", 3, 0, ()),
    ("sqltest", "Tests for the copy-pasted reporting SQL", "technical debt", "internal", "S", None, 0, ()),
    ("replica", "Read replica for ledger reporting", "infrastructure", "many", "M", None, 0, ("trace",)),
    ("retrain", "Drift-triggered retraining of Larkspur Risk", "infrastructure", "internal", "S", None, 0, ()),
]

_REACH = {"all": 30_000, "many": 12_000, "some": 4_000, "few": 900, "internal": 150}
_EFFORT = {"S": (1, 3), "M": (3, 6), "L": (6, 10), "XL": (11, 16)}
_RISK = {"proc": 13}  # the switch-off makes the migration a risk item too
_ACTIVE_MERCHANTS = 48_000


def _round_sig(x: float, digits: int = 2) -> int:
    """Round to two significant figures, as people round their estimates."""
    if x <= 0:
        return 0
    power = int(math.floor(math.log10(x))) - digits + 1
    return int(round(x / 10**power) * 10**power)


def _fib_at_least(x: float) -> int:
    for f in FIB:
        if f >= x:
            return f
    return FIB[-1]


def _fib_step(value: int, step: int) -> int:
    i = FIB.index(value) + step
    return FIB[min(max(i, 0), len(FIB) - 1)]


def make_lab_backlog(seed: int = 2406) -> pd.DataFrame:
    """The Payments Platform backlog of Lab 1: 34 items with RICE and WSJF
    inputs and their dependencies.

    Titles, kinds and dependencies are written by hand (they follow the
    Larkspur story); the numbers are drawn from a seeded generator with
    kind-specific patterns: features reach many merchants with uncertain
    impact, technical debt reaches few and mostly reduces risk, security
    fixes reduce risk and one has an audit deadline, and a few large features
    dominate the effort. Rows are shuffled, so ``B-01`` ... ``B-34`` are not a
    build order: a dependency can point to a higher number.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(_ITEMS))
    ids = {_ITEMS[k][0]: f"B-{pos + 1:02d}" for pos, k in enumerate(order)}
    rows = []
    for pos, k in enumerate(order):
        key, title, kind, audience, size, tc, boost, deps = _ITEMS[k]
        reach = min(_round_sig(_REACH[audience] * rng.lognormal(0, 0.45)), _ACTIVE_MERCHANTS - 3_000)
        if kind == "feature":
            impact = float(rng.choice([0.5, 1, 2, 3], p=[0.2, 0.4, 0.3, 0.1]))
            confidence = float(rng.choice([0.5, 0.8, 1.0], p=[0.45, 0.45, 0.10]))
            risk = int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2]))
        elif kind == "technical debt":
            impact = float(rng.choice([0.25, 0.5, 1], p=[0.4, 0.4, 0.2]))
            confidence = float(rng.choice([0.8, 1.0], p=[0.6, 0.4]))
            risk = int(rng.choice([8, 13, 20], p=[0.4, 0.4, 0.2]))
        elif kind == "security":
            impact = float(rng.choice([0.25, 0.5], p=[0.5, 0.5]))
            confidence = 1.0
            risk = int(rng.choice([13, 20], p=[0.5, 0.5]))
        else:  # infrastructure
            impact = float(rng.choice([0.5, 1], p=[0.6, 0.4]))
            confidence = float(rng.choice([0.5, 0.8, 1.0], p=[0.3, 0.4, 0.3]))
            risk = int(rng.choice([5, 8, 13], p=[0.3, 0.4, 0.3]))
        risk = _RISK.get(key, risk)
        lo, hi = _EFFORT[size]
        effort = int(rng.integers(lo, hi + 1))
        # Job size is a relative Fibonacci estimate made by the team in a
        # different meeting: it tracks effort, but not exactly.
        job = _fib_at_least(effort * 0.8)
        job = _fib_step(job, int(rng.choice([-1, 0, 1], p=[0.15, 0.7, 0.15])))
        # Business value follows how many merchants gain, and how much.
        gain = reach * impact
        value = _fib_at_least(max(1.0, math.log10(max(gain, 1)) * 2.2 - 4))
        value = _fib_step(value, boost + int(rng.choice([-1, 0, 1], p=[0.2, 0.6, 0.2])))
        time = tc if tc is not None else int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
        rows.append({
            "id": ids[key], "title": title, "kind": kind, "reach": reach, "impact": impact,
            "confidence": confidence, "effort": effort, "business_value": value,
            "time_criticality": time, "risk_reduction": risk, "job_size": job,
            "dependencies": ";".join(sorted(ids[d] for d in deps)),
        })
    return pd.DataFrame(rows)


# --- weighted scoring -------------------------------------------------------------------

BENEFITS: tuple[str, ...] = ("reach", "business_value", "time_criticality", "risk_reduction")
CRITERIA: tuple[str, ...] = BENEFITS + ("effort",)


def weighted_score(df: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted-scoring matrix on a 0 to 100 scale.

    Each criterion is min-max scaled to 0..1 across the items (so reach in
    merchants and value in Fibonacci points become comparable); effort is a
    cost, so it is inverted (the smallest item scores 1). The score is the
    weighted mean of the scaled criteria times 100: weights need not add up to
    one, only their proportions matter. Criteria with weight 0 may be left out.
    """
    if not isinstance(weights, Mapping) or not weights:
        raise TypeError("weights must be a non-empty dict such as {'reach': 0.3, 'effort': 0.2}.")
    unknown = [c for c in weights if c not in CRITERIA]
    if unknown:
        raise ValueError(f"unknown criteria {unknown}; use some of {list(CRITERIA)}.")
    w = {c: float(v) for c, v in weights.items()}
    if any(v < 0 or not math.isfinite(v) for v in w.values()):
        raise ValueError("weights must be finite and not negative.")
    total = sum(w.values())
    if total == 0:
        raise ValueError("at least one weight must be above zero.")
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


def _weights(efforts: Sequence[float]) -> list[int]:
    out = []
    for e in efforts:
        if not float(e).is_integer() or e < 0:
            raise ValueError(f"efforts must be whole, non-negative weeks; got {e!r}.")
        out.append(int(e))
    return out


def greedy_pick(ids: Sequence[str], efforts: Sequence[float], capacity: int) -> list[str]:
    """Walk the items in the given order (best first) and take each one that
    still fits in the remaining capacity; skip those that do not."""
    left, picked = capacity, []
    for i, e in zip(ids, _weights(efforts), strict=True):
        if e <= left:
            picked.append(i)
            left -= e
    return picked


def best_pick(ids: Sequence[str], efforts: Sequence[float], values: Sequence[float],
              capacity: int) -> list[str]:
    """The set of items of greatest total value whose efforts fit in the
    capacity: a 0/1 knapsack solved exactly by dynamic programming over whole
    weeks (O(items x capacity)). Returned in the order given."""
    w = _weights(efforts)
    v = [float(x) for x in values]
    if not (len(ids) == len(w) == len(v)):
        raise ValueError("ids, efforts and values must have the same length.")
    cap = int(capacity)
    best = np.zeros((len(w) + 1, cap + 1))
    for k in range(1, len(w) + 1):
        best[k] = best[k - 1]
        if w[k - 1] <= cap:
            take = best[k - 1, : cap + 1 - w[k - 1]] + v[k - 1]
            best[k, w[k - 1]:] = np.maximum(best[k - 1, w[k - 1]:], take)
    picked, c = [], cap
    for k in range(len(w), 0, -1):
        if best[k, c] != best[k - 1, c]:
            picked.append(ids[k - 1])
            c -= w[k - 1]
    return [i for i in ids if i in set(picked)]


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
    dependencies (Kahn's algorithm). Among items that are ready at the same
    time, the one earliest in ``priority`` (default: the order given) goes
    first. Raises :class:`DependencyError` naming a dependency outside
    ``items`` or the items caught in a cycle."""
    items = list(dict.fromkeys(items))
    chosen = set(items)
    for item in items:
        for d in deps.get(item, []):
            if d not in chosen:
                raise DependencyError(f"{item} depends on {d}, which is not in the plan.")
    pos = {item: k for k, item in enumerate(priority if priority is not None else items)}
    waiting = {item: set(deps.get(item, [])) for item in items}
    done: list[str] = []
    while waiting:
        ready = [i for i, ds in waiting.items() if not ds]
        if not ready:
            raise DependencyError(f"dependency cycle among {', '.join(sorted(waiting))}.")
        nxt = min(ready, key=lambda i: (pos.get(i, len(pos)), i))
        done.append(nxt)
        del waiting[nxt]
        for ds in waiting.values():
            ds.discard(nxt)
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
    if not 0 <= debt_share <= 1:
        raise ValueError("debt_share is a fraction between 0 and 1.")
    debt_weeks = int(round(debt_share * capacity))
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
        rows.append({
            "debt_share": s,
            "debt_weeks": int(plan.loc["debt", "capacity_weeks"]),
            "feature_weeks": int(plan.loc["features", "capacity_weeks"]),
            "feature_weeks_used": int(plan.loc["features", "weeks_used"]),
            "feature_impact": round(plan.loc["features", "value"]),
            "debt_cod": round(plan.loc["debt", "value"]),
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
    """Like :func:`best_pick`, but an item can only be chosen together with
    everything it depends on (x_item <= x_dependency for every edge), solved
    exactly as a small mixed-integer program with ``scipy.optimize.milp``.
    Dependencies on items outside ``ids`` make the item impossible to pick."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    ids = list(ids)
    w = np.array(_weights(efforts), dtype=float)
    v = np.array([float(x) for x in values])
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
    result = milp(-v, integrality=np.ones(len(ids)),
                  bounds=Bounds(np.zeros(len(ids)), 1 - blocked),
                  constraints=LinearConstraint(np.array(rows), -np.inf, np.array(upper)))
    if not result.success:  # pragma: no cover - the empty plan is always feasible
        raise RuntimeError(result.message)
    return [item for item, x in zip(ids, result.x, strict=True) if x > 0.5]
