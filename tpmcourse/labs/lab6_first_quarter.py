"""Lab 6, the capstone "Your first quarter at Larkspur": checks for
``exercises/lab6_first_quarter.ipynb``.

The learner plans the Payments Platform's quarter end to end, with the
skills of Labs 1 to 5 on the same files: free capacity from the fact sheet
and a now–next–later roadmap by WSJF (Lab 1's backlog), a metric tree under
the north star with the change in it split between its inputs (Lab 2's event
log, in DuckDB SQL), an SLO with its error budget and burn rate (Lab 3's
request log), the migration's top risks and its chance of beating the
switch-off (Lab 5's register and plan, with Lab 5's helpers), a fairness
check of Larkspur Risk (Lab 4's screening log), and a memo to the chief
product officer. Every expected answer is recomputed here from the course's
own copy of the data and from ``course/larkspur.yml``; nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from tpmcourse.checks import (
    Hint,
    agrees,
    expect_column,
    expect_number,
    miss_hint,
    need_frame,
    need_ids,
    need_memo,
    need_number,
    need_numeric_column,
    rounded_to,
    rounding_hint,
    show,
    task,
)
from tpmcourse.datasets import cached
from tpmcourse.datasets.lab1_prioritization import BACKLOG
from tpmcourse.datasets.lab2_metrics import EVENTS
from tpmcourse.datasets.lab2_metrics import START as EVENTS_START
from tpmcourse.datasets.lab3_reliability import LATENCY, WINDOW_DAYS
from tpmcourse.datasets.lab4_ethics import SCREENING
from tpmcourse.datasets.lab5_planning import FORECAST_RUNS, FORECAST_SEED, RISKS, TASKS
from tpmcourse.fairness import demographic_parity_difference, disparate_impact_ratio, equal_opportunity_difference
from tpmcourse.labs.lab1_prioritization_helpers import parse_dependencies
from tpmcourse.labs.lab5_planning_helpers import simulate, working_day_date, working_days_until
from tpmcourse.labs.lab6_first_quarter_helpers import quarter_facts
from tpmcourse.metrics import MINUTES_PER_DAY
from tpmcourse.prioritization import rice, wsjf
from tpmcourse.risk import expected_cost, risk_score

LAB = "first_quarter"

#: Facts given in the lab's task text (the rest come from the fact sheet, via quarter_facts()).
MIGRATION_TITLE = "Processor v1 to v2"  # the committed backlog item's title starts with this
WEEKS = 12  # weeks in the event log
BEFORE_WEEK, AFTER_WEEK = 10, 11  # the weekly business review compares these two weeks
PLAN_DAYS = 30  # a paid plan renews every 30 days: a merchant is paying for 30 days after a purchase
LATENCY_LIMIT_MS = 300  # a good request: no 5xx and faster than this
SLO_WINDOW_DAYS = WINDOW_DAYS  # the SLO's 30-day window
CURRENT_DAYS = 7  # "current" burn rate: the last 7 days of the request log
SLO_RANGE = (0.9, 0.999)  # a proposal outside this range is not a serious one for this service
REFERENCE_SLO = 0.95  # the model answer's proposal
RECENT_WEEKS = 4  # the fairness review looks at the last four sign-up weeks of the quarter
TOP_RISKS = 3
N_SIMS, SEED = FORECAST_RUNS, FORECAST_SEED

#: Decimals the reference solution displays (an answer rounded to them passes).
WEEKS_DECIMALS = 1  # "59.2 person-weeks"
SHARE_DECIMALS = 3  # paid share, on-time probability, fairness ratios
CONTRIBUTION_DECIMALS = 1
BUDGET_DECIMALS = 1  # minutes
BURN_DECIMALS = 2
MONEY_DECIMALS = 0

TREE_COLUMNS = ("active_merchants", "new_merchants", "returning_merchants", "weekly_paying", "paid_share")
INPUTS = ("new_merchants", "returning_merchants", "paid_share")


# --- Task 1: free capacity ------------------------------------------------------------------------


def capacity_parts() -> dict[str, float]:
    """The quarter's person-weeks: the team's, the committed work's, and what is left free.

    From the migration's first day every engineer is committed (six on the
    migration, two on Bramble's single sign-on), so the free weeks are the
    working weeks before it."""
    f = quarter_facts()
    quarter_days = working_days_until(f.quarter_start, f.quarter_end)
    before = working_days_until(f.quarter_start, pd.Timestamp(f.migration_start) - pd.Timedelta(days=1))
    after = quarter_days - before
    return {"quarter_days": quarter_days, "days_before": before, "days_after": after,
            "team_weeks": f.team_engineers * quarter_days / 5,
            "migration_weeks": f.migration_engineers * after / 5,
            "sso_weeks": f.sso_engineers * min(f.sso_weeks, after / 5),
            "free_weeks": f.team_engineers * before / 5}


def free_capacity() -> float:
    return capacity_parts()["free_weeks"]


@task(LAB, "capacity", title="Task 1, free capacity this quarter", variables=["free_weeks"], points=1,
      objective="ch02-roadmap", varies_with_data=False, display={"free_weeks": WEEKS_DECIMALS},
      reference=lambda: (free_capacity(),))
def check_capacity(free_weeks):
    got = need_number(free_weeks, "free_weeks")
    p = capacity_parts()
    f = quarter_facts()
    calendar_days = (pd.Timestamp(f.migration_start) - pd.Timestamp(f.quarter_start)).days
    expect_number(got, p["free_weeks"], "`free_weeks`", [
        (p["team_weeks"], ("`free_weeks` is the whole team for the whole quarter: the migration and the single "
                           "sign-on work are already committed from the migration's first day.")),
        (p["team_weeks"] - p["migration_weeks"], ("`free_weeks` leaves out only the migration: the two engineers "
                                                  "on Bramble's single sign-on are committed too.")),
        (f.team_engineers * 13.0, "`free_weeks` assumes 13 free weeks; count the working days before the migration."),
        (f.team_engineers * p["days_before"], ("`free_weeks` is in person-days; divide by 5 working days to get "
                                               "person-weeks.")),
        (f.team_engineers * calendar_days / 7, ("`free_weeks` counts calendar days; count working days (Monday to "
                                                "Friday) with working_days_until.")),
        ((f.team_engineers - f.migration_engineers - f.sso_engineers) * p["quarter_days"] / 5,
         "`free_weeks` is zero: the whole team is free until the migration starts, so count those weeks."),
    ], decimals=WEEKS_DECIMALS)
    return (f"{p['free_weeks']:.1f} person-weeks are free: {f.team_engineers} engineers for "
            f"{p['days_before']} working days before {f.migration_start:%d %B}. After that day the whole team is "
            "committed, so anything the roadmap puts in Now must land before the migration starts.")


# --- Task 2: now, next, later ---------------------------------------------------------------------


@cached
def _backlog() -> pd.DataFrame:
    return BACKLOG.read()


def migration_id() -> str:
    b = _backlog()
    return str(b.loc[b["title"].str.startswith(MIGRATION_TITLE), "id"].iloc[0])


def candidates() -> pd.DataFrame:
    """The backlog without the committed migration."""
    b = _backlog()
    return b[b["id"] != migration_id()].reset_index(drop=True)


def wsjf_order(scores: pd.Series | None = None) -> list[str]:
    """Candidate ids by score, highest first, ties by lower id (WSJF unless ``scores`` given)."""
    c = candidates()
    s = wsjf(c) if scores is None else scores
    return list(c.assign(_s=s.to_numpy()).sort_values(["_s", "id"], ascending=[False, True])["id"])


def walk(order: list[str], capacity: float, *, dependencies: bool = True, stop_at_misfit: bool = False) -> list[str]:
    """Walk down ``order`` and take each item that fits what is left of
    ``capacity`` and whose prerequisites are already taken."""
    deps = parse_dependencies(_backlog())
    effort = _backlog().set_index("id")["effort"]
    taken: list[str] = []
    left = capacity
    for item in order:
        ready = all(d in taken for d in deps[item]) or not dependencies
        if ready and effort[item] <= left + 1e-9:
            taken.append(item)
            left -= float(effort[item])
        elif stop_at_misfit and ready:
            break
    return taken


def lanes(now: list[str]) -> tuple[list[str], list[str]]:
    """Next (ready once Now is done, but no room) and Later (waiting on a prerequisite outside Now)."""
    deps = parse_dependencies(_backlog())
    rest = [i for i in wsjf_order() if i not in now]
    ready = [i for i in rest if all(d in now for d in deps[i])]
    return ready, [i for i in rest if i not in ready]


def reference_roadmap() -> tuple[list[str], list[str], list[str]]:
    now = walk(wsjf_order(), free_capacity())
    next_up, later = lanes(now)
    return now, next_up, later


def _title(item: str) -> str:
    return str(_backlog().set_index("id").loc[item, "title"])


def _lane(value: object, name: str, ids: list[str]) -> list[str]:
    """A lane's ids; unlike a pick, a lane may be empty (Next or Later can be)."""
    if isinstance(value, (list, tuple, set, frozenset, pd.Series, np.ndarray)) and len(value) == 0:
        return []
    return need_ids(value, name, ids, what="backlog id")


@task(LAB, "roadmap", title="Task 2, now, next, later", variables=["now", "next_up", "later"], points=3,
      objective="ch02-roadmap", reference=reference_roadmap)
def check_roadmap(now, next_up, later):
    ids = list(_backlog()["id"])
    mig = migration_id()
    got = {name: _lane(value, name, ids) for name, value in (("now", now), ("next_up", next_up), ("later", later))}
    if not got["now"]:
        raise Hint("`now` is empty: Task 1 leaves room for work this quarter.")
    for name, items in got.items():
        if mig in items:
            raise Hint(f"`{name}` lists {mig}, the processor migration: it is already committed (Task 1), so it "
                       "goes in no lane.")
    seen: dict[str, str] = {}
    for name, items in got.items():
        for item in items:
            if item in seen:
                raise Hint(f"{item} is in both `{seen[item]}` and `{name}`: each item goes in exactly one lane.")
            seen[item] = name
    missing = [i for i in candidates()["id"] if i not in seen]
    if missing:
        raise Hint(f"{missing[0]} ({_title(missing[0])}) is in no lane: every backlog item except the migration "
                   "goes in Now, Next or Later.")
    want_now, want_next, want_later = reference_roadmap()
    capacity = free_capacity()
    deps = parse_dependencies(_backlog())
    effort = _backlog().set_index("id")["effort"]
    mine = got["now"]
    if set(mine) != set(want_now):
        used = float(effort[mine].sum())
        if used > capacity + 1e-9:
            raise Hint(f"`now` needs {used:g} person-weeks, more than the {capacity:.1f} free (Task 1).")
        blocked = next((i for i in mine if any(d not in mine for d in deps[i])), None)
        if blocked is not None:
            waiting = next(d for d in deps[blocked] if d not in mine)
            raise Hint(f"{blocked} ({_title(blocked)}) cannot start this quarter: it needs {waiting} "
                       f"({_title(waiting)}), which is not in `now`. Take an item only when its prerequisites "
                       "are already taken.")
        order = wsjf_order()
        alternatives: list[tuple[list[str], str]] = [
            (walk(order, capacity, stop_at_misfit=True),
             ("you stopped at the first item that did not fit; skip it and keep walking down the list, since a "
             "smaller item further down may still fit.")),
            (walk(wsjf_order(rice(candidates())), capacity),
             "that is the walk in RICE order; the task orders the backlog by WSJF (cost of delay / job size)."),
            (walk(order, capacity_parts()["team_weeks"]),
             "that fills the whole team's quarter; use the free capacity of Task 1."),
        ]
        for alt, message in alternatives:
            if set(mine) == set(alt) and set(alt) != set(want_now):
                raise Hint(message)
        extra = [i for i in mine if i not in want_now]
        if extra:
            raise Hint(f"{extra[0]} ({_title(extra[0])}) should not be in `now`: walking down the WSJF order, "
                       "the capacity is used up by items ranked above it (ties: lower id first).")
        absent = next(i for i in want_now if i not in mine)
        raise Hint(f"{absent} ({_title(absent)}) is missing from `now`: it fits in what is left when the walk "
                   "reaches it, and its prerequisites are already taken.")
    if mine != want_now:
        raise Hint("`now` has the right items in another order: list them in the order of the walk (highest "
                   "WSJF first, ties by lower id), which is the order the team starts them.")
    for name, want in (("next_up", want_next), ("later", want_later)):
        if set(got[name]) != set(want):
            wrong = next(i for i in got[name] if i not in want) if any(i not in want for i in got[name]) else \
                next(i for i in want if i not in got[name])
            blockers = [d for d in deps[wrong] if d not in mine]
            why = (f"it waits for {', '.join(blockers)}, which is not in Now, so it belongs in Later"
                   if blockers else "all its prerequisites are in Now (or it has none), so it belongs in Next")
            raise Hint(f"{wrong} ({_title(wrong)}) is in the wrong lane: {why}.")
    left = capacity - float(effort[want_now].sum())
    blocked_by_mig = [i for i in want_later if mig in deps[i]]
    waiting = f", among them {', '.join(blocked_by_mig)}, which need the migration first" if blocked_by_mig else ""
    return (f"Now holds {len(want_now)} items for {float(effort[want_now].sum()):g} of {capacity:.1f} free "
            f"person-weeks ({left:.1f} left); {len(want_next)} are ready for Next and {len(want_later)} wait in "
            f"Later{waiting}.")


# --- Task 3: the metric tree ----------------------------------------------------------------------


@cached
def _events() -> pd.DataFrame:
    events = EVENTS.read()
    events["event_time"] = pd.to_datetime(events["event_time"])
    events["week"] = (events["event_time"] - EVENTS_START).dt.days // 7 + 1
    return events


def metric_tree(paying_days: int = PLAN_DAYS, *, only_active: bool = True, new_from_signups: bool = False,
                active_event: str | None = "invoice_sent") -> pd.DataFrame:
    """One row per week: active merchants (sent an invoice), new (signed up that
    week) and returning ones, and the weekly paying merchants (active and with a
    plan payment in the ``paying_days`` days up to the end of the week); the other
    arguments compute the common slips."""
    e = _events()
    purchases = e[e["event"] == "purchase"]
    signup_week = e[e["event"] == "sign_up"].groupby("user_id")["week"].min()
    signed_up_in = signup_week.to_dict()  # a dict's get, not a Series' per merchant: a check answers at once
    rows = []
    for week in range(1, WEEKS + 1):
        in_week = e[e["week"] == week]
        active = set(in_week["user_id"] if active_event is None else in_week.loc[in_week["event"] == active_event,
                                                                                 "user_id"])
        end = EVENTS_START + pd.Timedelta(days=7 * week)
        paid = set(purchases.loc[(purchases["event_time"] < end)
                                 & (purchases["event_time"] >= end - pd.Timedelta(days=paying_days)), "user_id"])
        new = {u for u in active if signed_up_in.get(u) == week}
        if new_from_signups:
            new = set(signup_week.index[signup_week == week])
        paying = len(active & paid) if only_active else len(paid)
        rows.append({"week": week, "active_merchants": len(active), "new_merchants": len(new),
                     "returning_merchants": len(active) - len({u for u in active if signed_up_in.get(u) == week}),
                     "weekly_paying": paying, "paid_share": paying / len(active) if active else 0.0})
    return pd.DataFrame(rows)


@cached
def reference_tree() -> pd.DataFrame:
    return metric_tree()


def _weeks_frame(value: object, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """The answer table, one row per week 1 to 12, sorted by week."""
    frame = need_frame(value, name, ["week", *columns])
    week = need_numeric_column(frame, "week", name)
    if sorted(week) == list(range(WEEKS)):
        raise Hint(f"`week` runs 0 to {WEEKS - 1}; number the weeks 1 to {WEEKS}, as the task does.")
    if sorted(week) != list(range(1, WEEKS + 1)):
        raise Hint(f"`{name}` needs one row for each week 1 to {WEEKS}; its weeks are "
                   f"{sorted(set(week.astype(int)))[:6]}...")
    return frame.assign(week=week.astype(int)).sort_values("week").set_index("week")


def _in_week(column: str) -> Callable[[object], str]:
    """How a hint names one cell of the tree: the column and the week."""
    return lambda week: f"`{column}` in week {week}"


@task(LAB, "north_star", title="Task 3, the north star and its inputs", variables=["tree"], points=3,
      objective="ch03-metric-tree", display={"tree.paid_share": SHARE_DECIMALS},
      reference=lambda: (reference_tree(),))
def check_north_star(tree):
    got = _weeks_frame(tree, "tree", TREE_COLUMNS)
    want = reference_tree().set_index("week")
    slips: Mapping[str, list[tuple[pd.DataFrame, str]]] = {
        "active_merchants": [(metric_tree(active_event=None), ("counts merchants with any event; an active "
                              "merchant sent at least one invoice that week"))],
        "new_merchants": [(metric_tree(new_from_signups=True), ("counts every sign-up of the week; count only the "
                           "active merchants who signed up that week"))],
        "weekly_paying": [(metric_tree(only_active=False), ("counts every merchant on a paid plan; the north star "
                           "counts the active merchants on a paid plan")),
                          (metric_tree(paying_days=7), ("counts only plan payments made in the week; a plan paid "
                           f"up to {PLAN_DAYS} days before the week ends still counts")),
                          (metric_tree(paying_days=28), f"uses a 28-day plan; plans renew every {PLAN_DAYS} days")],
        "paid_share": [],
    }
    for column in TREE_COLUMNS:
        values = need_numeric_column(got, column, "tree")
        decimals = SHARE_DECIMALS if column == "paid_share" else None
        extra = [(100 * want[column], f"`{column}` is a percentage; give a fraction between 0 and 1")] \
            if column == "paid_share" else []
        named = [(alt.set_index("week")[column], f"`{column}` {why}.") for alt, why in slips.get(column, [])]
        expect_column(values, want[column], _in_week(column), decimals=decimals,
                      slips=[*named, *((alt, f"{why}.") for alt, why in extra)], column=f"`{column}`")
    last = want.iloc[-1]
    return (f"in week {WEEKS} {int(last['weekly_paying'])} of {int(last['active_merchants'])} active merchants were "
            f"paying ({last['paid_share']:.1%}). The tree: weekly paying merchants = (new + returning active "
            "merchants) × paid share.")


# --- Task 4: what moved the north star ------------------------------------------------------------


def _week(tree: pd.DataFrame, week: int) -> dict[str, float]:
    """One week's row of the tree, as numbers."""
    row = tree.loc[tree["week"] == week].iloc[0]
    return {str(k): float(v) for k, v in row.items()}


def contributions(tree: pd.DataFrame | None = None, method: str = "midpoint") -> dict[str, float]:
    """How much of the change in weekly paying merchants from week 10 to week 11
    each input explains. ``midpoint`` (the task's method) weighs a change in a
    count by the average share of both weeks and a change in the share by the
    average number of active merchants, so the three add up to the change
    exactly, in whatever order; ``base`` uses week 10's values (a slip)."""
    t = reference_tree() if tree is None else tree
    a, b = _week(t, BEFORE_WEEK), _week(t, AFTER_WEEK)
    if method == "midpoint":
        share, active = (a["paid_share"] + b["paid_share"]) / 2, (a["active_merchants"] + b["active_merchants"]) / 2
    else:  # base period
        share, active = a["paid_share"], a["active_merchants"]
    return {"new_merchants": float((b["new_merchants"] - a["new_merchants"]) * share),
            "returning_merchants": float((b["returning_merchants"] - a["returning_merchants"]) * share),
            "paid_share": float((b["paid_share"] - a["paid_share"]) * active)}


def north_star_change() -> float:
    t = reference_tree()
    return _week(t, AFTER_WEEK)["weekly_paying"] - _week(t, BEFORE_WEEK)["weekly_paying"]


def _contribution_map(value: object) -> dict[str, float]:
    if isinstance(value, pd.DataFrame):
        raise Hint("`contributions` is a table; give a dict (or a Series) from input name to its contribution, "
                   f"with the keys {list(INPUTS)}.")
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if not isinstance(value, Mapping):
        raise Hint(f"`contributions` should be a dict from input name to contribution, with the keys "
                   f"{list(INPUTS)}, not {type(value).__name__}.")
    keys = {str(k) for k in value}
    if keys != set(INPUTS):
        missing = [k for k in INPUTS if k not in keys]
        unknown = sorted(keys - set(INPUTS))
        raise Hint(f"`contributions` needs exactly the keys {list(INPUTS)}"
                   + (f"; missing {missing}" if missing else "") + (f"; unexpected {unknown}" if unknown else "")
                   + ".")
    return {str(k): need_number(v, f"contributions[{k!r}]") for k, v in value.items()}


@task(LAB, "decomposition", title="Task 4, what moved the north star", variables=["ns_change", "contributions"],
      points=3, objective="ch03-metric-tree", display={"ns_change": 0, "contributions": CONTRIBUTION_DECIMALS},
      reference=lambda: (north_star_change(), contributions()))
def check_decomposition(ns_change, contributions_):
    change = need_number(ns_change, "ns_change")
    want_change = north_star_change()
    expect_number(change, want_change, "`ns_change`", [
        (-want_change, f"`ns_change` has the wrong sign: week {AFTER_WEEK} minus week {BEFORE_WEEK}."),
    ], decimals=0)
    got = _contribution_map(contributions_)
    want = contributions()
    base = contributions(method="base")
    total = sum(got.values())
    if all(agrees(got[k], base[k], CONTRIBUTION_DECIMALS) for k in INPUTS) and \
            not all(agrees(base[k], want[k], CONTRIBUTION_DECIMALS) for k in INPUTS):
        raise Hint(f"you weighed the changes with week {BEFORE_WEEK}'s values alone; that split does not add up to "
                   "the change and depends on the order. Use the average of both weeks (the midpoint method).")
    for key in INPUTS:
        expect_number(got[key], want[key], f"`contributions['{key}']`", [
            (100 * want[key], f"`contributions['{key}']` is in percent; give merchants."),
        ], decimals=CONTRIBUTION_DECIMALS)
    if not agrees(total, want_change, CONTRIBUTION_DECIMALS):
        raise Hint(f"the contributions add up to {show(total, 1)}, not {show(want_change, 0)}.")
    biggest = max(INPUTS, key=lambda k: abs(want[k]))
    return (f"weekly paying merchants moved by {want_change:+.0f}: new {want['new_merchants']:+.1f}, returning "
            f"{want['returning_merchants']:+.1f}, paid share {want['paid_share']:+.1f}. The largest lever this "
            f"week was `{biggest}`.")


# --- Task 5: north star, input, guardrail or vanity -----------------------------------------------

#: The candidate metrics of Task 5 and the role each plays in the tree (the task text lists them).
METRIC_ROLES: dict[str, str] = {
    "weekly_paying": "north star",
    "new_merchants": "input",
    "returning_merchants": "input",
    "paid_share": "input",
    "good_request_share": "guardrail",
    "approval_ratio": "guardrail",
    "total_signups": "vanity",
    "page_views": "vanity",
}
_ROLE_WORDS = {"north star": "north star", "northstar": "north star", "north-star": "north star",
               "north_star": "north star", "nsm": "north star", "input": "input", "guardrail": "guardrail",
               "guard rail": "guardrail", "vanity": "vanity"}
_WHY = {
    "weekly_paying": "it is the one number the tree explains: value delivered to merchants, every week",
    "new_merchants": "a team can move it this week (onboarding, partners) and it feeds the north star",
    "returning_merchants": "a team can move it (reminders, recurring invoices) and it feeds the north star",
    "paid_share": "pricing and plan work move it, and the north star is active merchants times this share",
    "good_request_share": "pushing growth must not make the Pay API slower or less reliable; it is watched, not "
                          "optimised",
    "approval_ratio": "growth from Larkspur Risk approvals must not come at the cost of fairness to sole traders",
    "total_signups": "a running total only goes up, so it cannot tell a good week from a bad one",
    "page_views": "it counts attention, not value: nobody can act on it to change what merchants get",
}


@task(LAB, "metric_roles", title="Task 5, north star, input, guardrail or vanity", variables=["roles"], points=2,
      objective="ch03-metric-tree", varies_with_data=False, reference=lambda: (dict(METRIC_ROLES),))
def check_metric_roles(roles):
    if isinstance(roles, pd.Series):
        roles = roles.to_dict()
    if not isinstance(roles, Mapping):
        raise Hint(f"`roles` should be a dict from metric name to role, not {type(roles).__name__}.")
    keys = {str(k) for k in roles}
    missing = [k for k in METRIC_ROLES if k not in keys]
    if missing:
        raise Hint(f"`roles` has no role for {missing[0]!r}; give one for each of the {len(METRIC_ROLES)} metrics.")
    unknown = sorted(keys - set(METRIC_ROLES))
    if unknown:
        raise Hint(f"`roles` has {unknown[0]!r}, which is not one of the task's metrics.")
    for metric, want in METRIC_ROLES.items():
        value = roles[metric]
        if not isinstance(value, str) or value.strip().lower() not in _ROLE_WORDS:
            raise Hint(f"the role of {metric!r} is {value!r}; use 'north star', 'input', 'guardrail' or 'vanity'.")
        if _ROLE_WORDS[value.strip().lower()] != want:
            raise Hint(f"{metric!r} is not {value.strip()!r}: {_WHY[metric]}.")
    return ("one north star, three inputs a team can move, two guardrails that growth must not break, and two "
            "vanity metrics that only ever look good.")


# --- Task 6: an SLO and its error budget ----------------------------------------------------------


@cached
def _log() -> pd.DataFrame:
    log = LATENCY.read()
    log["timestamp"] = pd.to_datetime(log["timestamp"])
    log["good"] = (log["status"] < 500) & (log["latency_ms"] < LATENCY_LIMIT_MS)
    return log


def _recent(log: pd.DataFrame) -> pd.DataFrame:
    last_day = log["timestamp"].max().normalize()
    return log[log["timestamp"] >= last_day - pd.Timedelta(days=CURRENT_DAYS - 1)]


def good_share(recent: bool = True, column: str = "good") -> float:
    log = _log()
    if column == "availability":
        values = log["status"] < 500
    elif column == "fast":
        values = log["latency_ms"] < LATENCY_LIMIT_MS
    else:
        values = log["good"]
    return float(values[_recent(log).index].mean() if recent else values.mean())


def budget_minutes(slo: float) -> float:
    return (1 - slo) * SLO_WINDOW_DAYS * MINUTES_PER_DAY


def burn(slo: float, share: float | None = None) -> float:
    return (1 - (good_share() if share is None else share)) / (1 - slo)


@task(LAB, "slo", title="Task 6, an SLO and its error budget", variables=["slo_target", "budget", "burn_rate"],
      points=2, objective="ch03-error-budget", display={"budget": BUDGET_DECIMALS, "burn_rate": BURN_DECIMALS},
      reference=lambda: (REFERENCE_SLO, budget_minutes(REFERENCE_SLO), burn(REFERENCE_SLO)))
def check_slo(slo_target, budget, burn_rate):
    slo = need_number(slo_target, "slo_target")
    low, high = SLO_RANGE
    if 1 < slo <= 100 and low <= slo / 100 <= high:
        raise Hint(f"`slo_target` is {slo:g}: a percentage. Give it as a fraction, e.g. {REFERENCE_SLO}.")
    if not low <= slo <= high:
        raise Hint(f"`slo_target` is {slo:g}; propose a target between {low:g} and {high:g} (a fraction of good "
                   "requests).")
    minutes = need_number(budget, "budget")
    expect_number(minutes, budget_minutes(slo), "`budget`", [
        (budget_minutes(slo) / 60, "`budget` is in hours; give minutes."),
        (budget_minutes(slo) * 60, "`budget` is in seconds; give minutes."),
        ((1 - slo) * 28 * MINUTES_PER_DAY, f"`budget` uses 28 days; the window is {SLO_WINDOW_DAYS} days."),
        ((1 - slo) * 31 * MINUTES_PER_DAY, f"`budget` uses 31 days; the window is {SLO_WINDOW_DAYS} days."),
        (slo * SLO_WINDOW_DAYS * MINUTES_PER_DAY, "`budget` is the good time; the budget is the bad share, 1 − SLO."),
    ], decimals=BUDGET_DECIMALS)
    rate = need_number(burn_rate, "burn_rate")
    want = burn(slo)
    expect_number(rate, want, "`burn_rate`", [
        (burn(slo, good_share(recent=False)), (f"`burn_rate` uses the whole month; the current burn rate uses the "
                                               f"last {CURRENT_DAYS} days of the log.")),
        (burn(slo, good_share(column="availability")), ("`burn_rate` counts only 5xx errors; a request slower than "
                                                        f"{LATENCY_LIMIT_MS} ms is bad too.")),
        (burn(slo, good_share(column="fast")), ("`burn_rate` counts only slow requests; a 5xx is bad too, "
                                                "however fast.")),
        (1 / want if want else np.nan, "`burn_rate` is upside down: the bad share divided by the allowed bad share."),
        (1 - good_share(), "`burn_rate` is the bad share itself; divide it by the budget's share, 1 − SLO."),
    ], decimals=BURN_DECIMALS)
    verdict = ("faster than the budget allows: at this pace the month's budget runs out early"
               if want > 1 else "within the budget")
    return (f"a {slo:.2%} target allows {budget_minutes(slo):,.1f} bad minutes in {SLO_WINDOW_DAYS} days; the last "
            f"{CURRENT_DAYS} days burn at {want:.2f}×, {verdict}.")


# --- Task 7: the migration's top risks ------------------------------------------------------------


def _migration_risks() -> pd.DataFrame:
    risks = RISKS.read()
    return risks.assign(expected=expected_cost(risks, "probability", "cost_if_occurs").to_numpy())


def reference_top_risks() -> tuple[list[str], float]:
    risks = _migration_risks()
    top = risks[risks["project"] == "migration"].sort_values(["expected", "id"], ascending=[False, True])
    top = top.head(TOP_RISKS)
    return list(top["id"]), float(top["expected"].sum())


@task(LAB, "top_risks", title="Task 7, the migration's top risks", variables=["top_migration_risks", "top_expected"],
      points=1, objective="ch02-risk", display={"top_expected": MONEY_DECIMALS}, reference=reference_top_risks)
def check_top_risks(top_migration_risks, top_expected):
    risks = _migration_risks()
    ids = need_ids(top_migration_risks, "top_migration_risks", list(risks["id"]), what="risk id in the register")
    want, total = reference_top_risks()
    if ids != want:
        project = risks.set_index("id")["project"]
        other = [i for i in ids if project[i] != "migration"]
        if other:
            raise Hint(f"{other[0]} is a {project[other[0]]} risk; the quarter's question is the migration: keep "
                       "the rows whose project is 'migration'.")
        by_score = risks[risks["project"] == "migration"].assign(score=risk_score(risks[risks["project"] ==
                                                                                         "migration"]))
        if ids == list(by_score.sort_values(["score", "id"], ascending=[False, True])["id"].head(TOP_RISKS)):
            raise Hint("that is the top three by matrix score; rank by expected cost, probability × cost if it "
                       "occurs.")
        if len(ids) != TOP_RISKS:
            raise Hint(f"`top_migration_risks` should hold {TOP_RISKS} ids, highest expected cost first.")
        if set(ids) == set(want):
            raise Hint("the right risks in the wrong order: highest expected cost first.")
        wrong = next(i for i in ids if i not in want)
        raise Hint(f"{wrong} is not among the migration's three largest expected costs.")
    got = need_number(top_expected, "top_expected")
    migration = risks[risks["project"] == "migration"]
    expect_number(got, total, "`top_expected`", [
        (float(migration.set_index("id").loc[want, "cost_if_occurs"].sum()),
         "`top_expected` adds the costs if the risks occur; add their expected costs."),
        (float(migration["expected"].sum()), "`top_expected` is the whole migration register; add the top three."),
    ], decimals=MONEY_DECIMALS)
    return (f"{', '.join(want)} carry ${total:,.0f} of the migration's ${migration['expected'].sum():,.0f} expected "
            "cost; they are the ones the memo must name.")


# --- Task 8: the chance of beating the switch-off -------------------------------------------------


@cached
def reference_simulation() -> np.ndarray:
    sims = simulate(TASKS.read(), N_SIMS, SEED)
    sims.flags.writeable = False
    return sims


def deadline_days() -> int:
    f = quarter_facts()
    return working_days_until(f.migration_start, f.switch_off)


def _reference_forecast() -> tuple[float, pd.Timestamp]:
    sims = reference_simulation()
    return (float(np.mean(sims <= deadline_days())),
            working_day_date(quarter_facts().migration_start, float(np.percentile(sims, 85))))


def _as_day(value: object, name: str) -> pd.Timestamp:
    if isinstance(value, (bool, int, float, np.number)):
        raise Hint(f"`{name}` is a number; give a date, for example working_day_date(START, days).")
    if isinstance(value, str) and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}.*", value):
        raise Hint(f"`{name}` is {value!r:.30}: write the date as YYYY-MM-DD.")
    if not isinstance(value, (str, pd.Timestamp, np.datetime64)) and not hasattr(value, "isoformat"):
        raise Hint(f"`{name}` should be a date, not {type(value).__name__}.")
    try:
        day = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Hint(f"`{name}` could not be read as a date: {value!r:.30}.") from None
    if pd.isna(day):
        raise Hint(f"`{name}` is not a date (NaT).")
    return day.normalize().tz_localize(None) if day.tzinfo else day.normalize()


@task(LAB, "switch_off", title="Task 8, the chance of beating the switch-off", variables=["p_on_time", "p85_date"],
      points=2, objective="ch02-estimate", display={"p_on_time": SHARE_DECIMALS}, reference=_reference_forecast)
def check_switch_off(p_on_time, p85_date):
    p = need_number(p_on_time, "p_on_time")
    sims = reference_simulation()
    deadline = deadline_days()
    want = float(np.mean(sims <= deadline))
    if not agrees(p, want, SHARE_DECIMALS):
        if (places := rounded_to(p, want)) is not None:
            raise Hint(rounding_hint("`p_on_time`", places, SHARE_DECIMALS))
        if 1 < p <= 100 and agrees(p / 100, want, SHARE_DECIMALS):
            raise Hint(f"`p_on_time` is {p:g}: a percentage. Give it as a fraction between 0 and 1.")
        if agrees(1 - p, want, SHARE_DECIMALS):
            raise Hint("`p_on_time` is the chance of being late; count the runs that finish within the deadline.")
        calendar = (pd.Timestamp(quarter_facts().switch_off) - pd.Timestamp(quarter_facts().migration_start)).days + 1
        if agrees(p, float(np.mean(sims <= calendar)), SHARE_DECIMALS):
            raise Hint(f"you compared with {calendar} calendar days; the plan is in working days: "
                       "working_days_until(START, SWITCH_OFF).")
        raise Hint(miss_hint(p, want, "`p_on_time`", SHARE_DECIMALS)
                   + f" Simulate {N_SIMS:,} runs with seed {SEED} and count those within {deadline} working days.")
    day = _as_day(p85_date, "p85_date")
    target = working_day_date(quarter_facts().migration_start, float(np.percentile(sims, 85)))
    gap = int(np.busday_count(min(day, target).date(), max(day, target).date()))
    if gap > 2:
        median = working_day_date(quarter_facts().migration_start, float(np.median(sims)))
        if abs(int(np.busday_count(min(day, median).date(), max(day, median).date()))) <= 2:
            raise Hint("`p85_date` is the median run's date; take the 85th percentile of the simulation.")
        raise Hint(f"`p85_date` should be about {target.date().isoformat()}; yours is {day.date().isoformat()}. "
                   "Turn the 85th percentile of the runs into a date with working_day_date(START, days).")
    return (f"{want:.0%} of runs beat the switch-off; the date you can commit to with 85% confidence is "
            f"{target.day} {target:%B %Y}.")


# --- Task 9: a fairness check of Larkspur Risk ----------------------------------------------------


def _recent_screening(all_weeks: bool = False) -> pd.DataFrame:
    s = SCREENING.read()
    return s if all_weeks else s[s["signup_week"] > s["signup_week"].max() - RECENT_WEEKS]


def fairness_numbers(all_weeks: bool = False) -> tuple[float, float]:
    s = _recent_screening(all_weeks)
    return (disparate_impact_ratio(s, "legal_form", "approved"),
            equal_opportunity_difference(s, "legal_form", "approved", "good_outcome"))


@task(LAB, "fairness", title="Task 9, a fairness check of Larkspur Risk", variables=["di_ratio", "eo_difference"],
      points=2, objective="ch09-fairness-metrics", display={"di_ratio": SHARE_DECIMALS,
                                                            "eo_difference": SHARE_DECIMALS},
      reference=fairness_numbers)
def check_fairness(di_ratio, eo_difference):
    di, eo = need_number(di_ratio, "di_ratio"), need_number(eo_difference, "eo_difference")
    want_di, want_eo = fairness_numbers()
    whole_di, whole_eo = fairness_numbers(all_weeks=True)
    recent = _recent_screening()
    dp = demographic_parity_difference(recent, "legal_form", "approved")
    expect_number(di, want_di, "`di_ratio`", [
        (1 / want_di, "`di_ratio` is above 1: divide the lower approval rate by the higher one."),
        (whole_di, f"`di_ratio` uses the whole quarter; the review covers the last {RECENT_WEEKS} sign-up weeks."),
        (1 - dp, "`di_ratio` is 1 minus the difference in approval rates; the ratio divides one rate by the other."),
    ], decimals=SHARE_DECIMALS)
    expect_number(eo, want_eo, "`eo_difference`", [
        (whole_eo, f"`eo_difference` uses the whole quarter; use the last {RECENT_WEEKS} sign-up weeks."),
        (dp, ("`eo_difference` compares approval rates of everyone (demographic parity); equal opportunity compares "
              "approval rates of the applicants with a good outcome only.")),
        (-want_eo, "`eo_difference` is negative: give the gap as higher minus lower."),
    ], decimals=SHARE_DECIMALS)
    rule = "fails" if want_di < 0.8 else "passes"
    return (f"in the last {RECENT_WEEKS} weeks sole traders are approved at {want_di:.2f} times the rate of "
            f"companies, which {rule} the four-fifths rule of thumb, and good sole traders are approved "
            f"{100 * want_eo:.1f} percentage points less often than good companies.")


# --- Tasks 10 and 11: written work ------------------------------------------------------------------


@task(LAB, "review_finding", title="Task 10, the review's finding", variables=["finding"], points=2,
      objective="ch09-bias-mitigation", kind="written")
def check_review_finding(finding):
    words, numbers = need_memo(
        finding, "finding", min_numbers=2, min_words=60,
        words_hint="about 80–120 is right for a finding in a review.",
        decision_hint="`finding` states no decision: say what should happen, as an action and who reviews it.",
        numbers_hint="`finding` should quote the numbers it rests on (the ratio and the gap); it names fewer "
                     "than two.")
    return (f"a {words}-word finding with {numbers} figures and an action. Your instructor grades it with the "
            "rubric.")



@task(LAB, "memo", title="Task 11, a one-page memo to the CPO", variables=["memo"], points=4,
      objective="ch08-decision-memo", kind="written")
def check_memo(memo):
    words, numbers = need_memo(
        memo, "memo", min_numbers=4, min_words=150,
        words_hint="a one-page memo is about 250–400 words.",
        decision_hint="`memo` does not ask for a decision: say what you recommend and what the CPO must approve.",
        numbers_hint="`memo` should name the numbers it rests on (free capacity, the north star's change, the burn "
                     "rate, the chance of beating the switch-off, the fairness ratio); it names fewer than four.")
    cpo = quarter_facts().cpo  # read when checked, so a change to the sheet follows
    if cpo.split()[0].lower() not in memo.lower():
        raise Hint(f"`memo` is not addressed to the chief product officer, {cpo}: start with who it is for.")
    return (f"a {words}-word memo to {cpo} with a decision and {numbers} figures. Your instructor grades it with the "
            "rubric: the decision first, the numbers behind it, the options and trade-offs, and who must act.")
