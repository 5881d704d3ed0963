"""Lab 1's backlog, ``data/lab_backlog.csv``: the Payments Platform's 34
items with RICE and WSJF inputs and their dependencies.

One item is not drawn: the processor migration is the whole v1-to-v2 project
that Chapters 2 and 8 and Lab 5 plan, so its effort is the fact sheet's
(``course/larkspur.yml``, about 97 person-weeks, six engineers from 23 February
2026). It is bigger than the lab's three-week cycle and than its quarter, so
no plan in the lab can hold it: the migration is staffed as its own project,
fenced off the quarter's 80 weeks, and the items that need it wait for it."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset, as_variant, redraw, stream
from tpmcourse.larkspur import facts

#: The Fibonacci scale the WSJF columns are estimated on.
FIB = (1, 2, 3, 5, 8, 13, 20)

# (key, title, kind, audience, size, fixed time criticality or None, value boost, deps)
# audience: all / many / some / few / internal; size: S / M / L / XL (the
# migration's size only keeps the random stream; its effort is the sheet's).
_ITEMS: list[tuple[str, str, str, str, str, int | None, int, tuple[str, ...]]] = [
    ("proc", "Processor v1 to v2 API migration, before v1 is switched off", "infrastructure", "all", "L", 20, 1,
     ("idem",)),
    ("idem", "Idempotency keys on processor calls", "technical debt", "internal", "S", None, 0, ()),
    ("v1rm", "Remove v1 processor code paths", "technical debt", "internal", "S", None, 0, ("proc",)),
    ("pci", "Fix PCI finding: card numbers in gateway logs, before the audit in week 6", "security", "internal", "S",
     20, 0, ()),
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
    ("cron", "Replace reporting cron jobs with event-bus consumers", "technical debt", "internal", "M", None, 0,
     ("py",)),
    ("py", "Upgrade ledger-core to a supported Python version", "technical debt", "internal", "M", 3, 0, ()),
    ("sqltest", "Tests for the copy-pasted reporting SQL", "technical debt", "internal", "S", None, 0, ()),
    ("replica", "Read replica for ledger reporting", "infrastructure", "many", "M", None, 0, ("trace",)),
    ("retrain", "Drift-triggered retraining of Larkspur Risk", "infrastructure", "internal", "S", None, 0, ()),
]

_REACH = {"all": 30_000, "many": 12_000, "some": 4_000, "few": 900, "internal": 150}
_EFFORT = {"S": (1, 3), "M": (3, 6), "L": (6, 10), "XL": (11, 16)}
_RISK = {"proc": 13}  # the switch-off makes the migration a risk item too
_ACTIVE_MERCHANTS = 48_000


def migration_weeks() -> int:
    """The processor migration's effort in whole person-weeks, from the fact
    sheet: B-34 is the whole project, not a slice of it."""
    return round(facts().estimates.processor_migration.effort_person_weeks)


def _job_weeks(key: str, effort: int) -> float:
    """What a job size stands in for: how long the work takes. One engineer
    works on an item, so that is its effort; the migration's six engineers
    work in parallel, so it is the plan's length (81 working days, about 16
    weeks, from the fact sheet), not its 97 person-weeks."""
    if key != "proc":
        return effort
    return facts().estimates.processor_migration.duration_working_days / 5


def _round_sig(x: float, digits: int = 2) -> int:
    """Round to two significant figures, as people round their estimates."""
    if x <= 0:
        return 0
    power = math.floor(math.log10(x)) - digits + 1
    return int(round(x / 10**power) * 10**power)


def _fib_at_least(x: float) -> int:
    for f in FIB:
        if f >= x:
            return f
    return FIB[-1]


def _fib_step(value: int, step: int) -> int:
    i = FIB.index(value) + step
    return FIB[min(max(i, 0), len(FIB) - 1)]


CAPACITY_WEEKS = 21  # the next cycle of Lab 1: seven engineers for three weeks


def make_lab_backlog(seed: int = 2406, as_variant: bool = False) -> pd.DataFrame:
    """The Payments Platform backlog of Lab 1: 34 items with RICE and WSJF
    inputs and their dependencies.

    Titles, kinds and dependencies are written by hand (they follow the
    Larkspur story); the numbers are drawn from a seeded generator with
    kind-specific patterns: features reach many merchants with uncertain
    impact, technical debt reaches few and mostly reduces risk, security
    fixes reduce risk and one has an audit deadline, and a few large features
    dominate the effort. Rows are shuffled, so ``B-01`` ... ``B-34`` are not a
    build order: a dependency can point to a higher number.

    The draw keeps the lab's story (:func:`tells_the_story`): if the numbers
    drawn from ``seed`` do not, they are drawn again from ``[seed, 1]``,
    ``[seed, 2]``... (the committed seed keeps its first draw). ``as_variant``
    also redraws until the debt share at which the quarter's feature lane
    does best differs from the committed backlog's (Task 8's answer).
    """
    best_share = _committed_best_share() if as_variant else None
    return redraw(lambda attempt: _draw_backlog(stream(seed, attempt)),
                  lambda backlog: tells_the_story(backlog)
                  and (best_share is None or _feature_best_share(backlog) != best_share),
                  f"backlog from seed {seed}")


#: The quarter of Lab 1's Task 8 (its task text): 80 person-weeks, debt shares 0% to 60%.
QUARTER_WEEKS = 80
DEBT_SHARES = tuple(round(0.05 * k, 2) for k in range(13))


@functools.cache
def _committed_best_share() -> float:
    return _feature_best_share(make_lab_backlog())


def _feature_best_share(backlog: pd.DataFrame) -> float:
    """The debt share at which the feature lane's expected impact is highest
    (the lab's own split, so a variant's answer can be compared with the
    committed one; only variants need it, so the lab's helpers are imported here)."""
    from tpmcourse.labs.lab1_prioritization_helpers import split_tradeoff

    table = split_tradeoff(backlog, QUARTER_WEEKS, list(DEBT_SHARES))
    return float(table["debt_share"].iloc[int(table["feature_impact"].argmax())])


def _draw_backlog(rng: np.random.Generator) -> pd.DataFrame:
    order = rng.permutation(len(_ITEMS))
    ids = {_ITEMS[k][0]: f"B-{pos + 1:02d}" for pos, k in enumerate(order)}
    rows = []
    for k in order:
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
        effort = int(rng.integers(lo, hi + 1))  # drawn for every item, so the stream stays the same
        if key == "proc":
            effort = migration_weeks()
        # Job size is a relative Fibonacci estimate made by the team in a
        # different meeting: it tracks how long the work takes, but not exactly.
        job = _fib_at_least(_job_weeks(key, effort) * 0.8)
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


def tells_the_story(backlog: pd.DataFrame, capacity: int = CAPACITY_WEEKS) -> bool:
    """Whether a backlog keeps what Lab 1 teaches with it, for the cycle's
    ``capacity`` (person-weeks):

    - one set of items fits the capacity with the largest total cost of delay
      (Task 7 builds on *the* best set, so a learner's exact method finds it);
    - walking down the WSJF ranking (ties: lower id first) and taking what
      fits addresses less cost of delay than that set (Task 6: greedy loses);
    - on that walk an item that does not fit is followed by one that does, so
      greedy must skip and carry on: stopping at the first item that does not
      fit picks a different set (Task 5 tells the two apart);
    - the best set needs a prerequisite it did not pick (Task 7: an optimiser
      that ignores dependencies picks work that cannot start).
    """
    ids = list(backlog["id"])
    effort = [int(e) for e in backlog["effort"]]
    cod = [int(v) for v in backlog["business_value"] + backlog["time_criticality"] + backlog["risk_reduction"]]
    wsjf = [c / j for c, j in zip(cod, backlog["job_size"], strict=True)]
    left, greedy, skipped, skips_then_takes = capacity, 0, False, False
    for k in sorted(range(len(ids)), key=lambda k: (-wsjf[k], ids[k])):
        if effort[k] <= left:
            left -= effort[k]
            greedy += cod[k]
            skips_then_takes = skips_then_takes or skipped
        else:
            skipped = True
    # best[c]: the largest value of a set within c weeks, how many sets reach it, one of them
    best: list[tuple[int, int, frozenset[str]]] = [(0, 1, frozenset())] * (capacity + 1)
    for item, e, v in zip(ids, effort, cod, strict=True):
        new = list(best)
        for c in range(e, capacity + 1):
            value, count, chosen = best[c - e]
            value += v
            if value > new[c][0]:
                new[c] = (value, count, chosen | {item})
            elif value == new[c][0]:
                new[c] = (value, new[c][1] + count, new[c][2])
        best = new
    optimum, count, chosen = best[capacity]
    deps = {i: [d for d in str(text).split(";") if d] for i, text in zip(ids, backlog["dependencies"], strict=True)}
    needs_more = any(d not in chosen for item in chosen for d in deps[item])
    return count == 1 and greedy < optimum and needs_more and skips_then_takes


BACKLOG = Dataset("lab_backlog.csv", make_lab_backlog,
                  "Payments Platform backlog with RICE, WSJF and dependency columns (lab 1)",
                  {"keep_default_na": False},
                  variant=as_variant("lab_backlog.csv"))

DATASETS: list[Dataset] = [BACKLOG]
