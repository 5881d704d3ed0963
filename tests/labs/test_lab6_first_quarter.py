"""Lab 6 (the capstone, "Your first quarter at Larkspur"): every check passes a
right answer, in the other forms a learner may give it and rounded as the page
shows it, and names the likely slip for each wrong one. Expected values are
worked out here independently of the lab module where that is practical:
from the data files with pandas, and from the fact sheet."""

from __future__ import annotations

import nbformat
import numpy as np
import pandas as pd
import pytest

from labcheck import checker
from tpmcourse import checks, larkspur
from tpmcourse.labs import lab6_first_quarter as lab
from tpmcourse.labs.lab5_planning_helpers import simulate, working_day_date, working_days_until
from tpmcourse.paths import EXERCISES, course_data

passes, hint = checker("first_quarter")
NOTEBOOK = EXERCISES / "lab6_first_quarter.ipynb"


@pytest.fixture(scope="module")
def backlog() -> pd.DataFrame:
    return pd.read_csv(course_data("lab_backlog.csv"), keep_default_na=False)


@pytest.fixture(scope="module")
def tree() -> pd.DataFrame:
    """The metric tree worked out with plain pandas, week by week."""
    e = pd.read_csv(course_data("lab_events.csv"), parse_dates=["event_time"])
    e["week"] = (e["event_time"] - pd.Timestamp("2025-03-03")).dt.days // 7 + 1
    signup = e[e["event"] == "sign_up"].set_index("user_id")["week"]
    purchases = e[e["event"] == "purchase"]
    rows = []
    for week in range(1, 13):
        active = e.loc[(e["week"] == week) & (e["event"] == "invoice_sent"), "user_id"].unique()
        end = pd.Timestamp("2025-03-03") + pd.Timedelta(days=7 * week)
        paid = purchases.loc[(purchases["event_time"] < end) & (purchases["event_time"] >= end - pd.Timedelta(days=30)),
                             "user_id"].unique()
        new = int((signup.reindex(active) == week).sum())
        paying = len(np.intersect1d(active, paid))
        rows.append({"week": week, "active_merchants": len(active), "new_merchants": new,
                     "returning_merchants": len(active) - new, "weekly_paying": paying,
                     "paid_share": paying / len(active)})
    return pd.DataFrame(rows)


def reference(task: str) -> tuple:
    ref = checks.REGISTRY[f"first_quarter.{task}"].reference
    assert ref is not None
    return ref()


# --- the lab's shape ----------------------------------------------------------------------------


def test_the_lab_has_ten_to_fourteen_tasks_with_objectives():
    tasks = checks.tasks("first_quarter")
    assert 10 <= len(tasks) <= 14
    assert all(t.objective for t in tasks)
    assert "ch03-metric-tree" in {t.objective for t in tasks}
    assert {t.id for t in tasks if t.kind == "written"} == {"first_quarter.review_finding", "first_quarter.memo"}


def test_the_notebook_states_the_sheets_facts_and_reads_the_other_labs_data():
    """The grader's sandbox has the package but not ``course/``, so the setup
    cell states the facts; they must be the sheet's, which the checks read."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    setup = nb.cells[1].source
    for name in ("lab_backlog.csv", "lab_events.csv", "lab_latency.csv", "lab_risks.csv", "lab_tasks.csv",
                 "lab_screening.csv"):
        assert f'data_file("{name}")' in setup
    stated: dict = {}
    exec("\n".join(line for line in setup.splitlines() if line[:1].isupper()), {}, stated)  # the constants
    f = lab.quarter_facts()
    assert stated["TEAM_ENGINEERS"] == f.team_engineers
    assert (stated["QUARTER_START"], stated["QUARTER_END"]) == (str(f.quarter_start), str(f.quarter_end))
    assert (stated["START"], stated["SWITCH_OFF"]) == (str(f.migration_start), str(f.switch_off))
    assert (stated["MIGRATION_ENGINEERS"], stated["SSO_ENGINEERS"]) == (f.migration_engineers, f.sso_engineers)
    assert stated["CPO"] == f.cpo
    assert (stated["SEED"], stated["N_SIMS"]) == (lab.SEED, lab.N_SIMS)
    sheet = larkspur.facts()
    cpo = next(p.name for p in sheet.cast if p.role == "Chief product officer")
    assert cpo == f.cpo and cpo in next(c.source for c in nb.cells if "## Task 11" in c.source)


# --- Task 1: capacity ---------------------------------------------------------------------------


def test_capacity_from_the_fact_sheet():
    sheet = larkspur.facts()
    engineers = next(t.engineers for t in sheet.teams if t.id == "payments-platform")
    start = sheet.estimates.processor_migration.start
    assert engineers is not None
    days = int(np.busday_count(np.datetime64(f"{start.year}-01-01"), np.datetime64(start)))
    want = engineers * days / 5
    assert lab.free_capacity() == pytest.approx(want)
    passes("capacity", want)
    passes("capacity", round(want, 1))


@pytest.mark.parametrize("slip, words", [
    (lambda p: p["team_weeks"], "whole team"),
    (lambda p: p["team_weeks"] - p["migration_weeks"], "single sign-on"),
    (lambda p: p["free_weeks"] * 5, "person-days"),
    (lambda p: 8 * 13.0, "13 free weeks"),
])
def test_capacity_slips(slip, words):
    assert words in hint("capacity", slip(lab.capacity_parts()))


def test_capacity_calendar_days_and_rounding():
    f = lab.quarter_facts()
    calendar = f.team_engineers * (pd.Timestamp(f.migration_start) - pd.Timestamp(f.quarter_start)).days / 7
    assert "calendar days" in hint("capacity", calendar)
    assert "looks rounded" in hint("capacity", float(round(lab.free_capacity())))


# --- Task 2: roadmap ----------------------------------------------------------------------------


def _walk(backlog: pd.DataFrame, capacity: float) -> list[str]:
    rest = backlog[~backlog["title"].str.startswith("Processor v1 to v2")].copy()
    rest["wsjf"] = (rest["business_value"] + rest["time_criticality"] + rest["risk_reduction"]) / rest["job_size"]
    deps = {i: [d for d in str(t).split(";") if d] for i, t in zip(backlog["id"], backlog["dependencies"],
                                                                   strict=True)}
    now: list[str] = []
    for _, row in rest.sort_values(["wsjf", "id"], ascending=[False, True]).iterrows():
        if all(d in now for d in deps[row["id"]]) and row["effort"] <= capacity:
            now.append(row["id"])
            capacity -= row["effort"]
    return now


def test_roadmap_by_hand(backlog):
    now, next_up, later = reference("roadmap")
    assert now == _walk(backlog, lab.free_capacity())
    assert backlog.set_index("id").loc[now, "effort"].sum() <= lab.free_capacity()
    mig = lab.migration_id()
    assert mig not in now + next_up + later
    assert sorted(now + next_up + later) == sorted(i for i in backlog["id"] if i != mig)
    blocked = [i for i in later if mig in backlog.set_index("id").loc[i, "dependencies"]]
    assert blocked, "some Later item waits for the migration"
    passes("roadmap", now, next_up, later)
    passes("roadmap", tuple(now), pd.Series(next_up[::-1]), set(later))


def test_roadmap_migration_overlaps_and_missing_items():
    now, next_up, later = reference("roadmap")
    assert "already committed" in hint("roadmap", now, next_up, [*later, lab.migration_id()])
    assert "exactly one lane" in hint("roadmap", now, [*next_up, now[0]], later)
    assert "in no lane" in hint("roadmap", now, next_up, later[1:])


def test_roadmap_ignoring_dependencies_and_an_empty_now(backlog):
    now = reference("roadmap")[0]
    ignoring = lab.walk(lab.wsjf_order(), lab.free_capacity(), dependencies=False)
    assert set(ignoring) != set(now)
    assert "cannot start this quarter" in hint("roadmap", ignoring, *lab.lanes(ignoring))
    assert "`now` is empty" in hint("roadmap", [], [i for i in backlog["id"] if i != lab.migration_id()], [])


def test_roadmap_other_walks_are_named():
    now, next_up, later = reference("roadmap")

    def lanes_for(items: list[str]) -> tuple:
        ready, blocked = lab.lanes(items)
        return items, ready, blocked

    stopped = lab.walk(lab.wsjf_order(), lab.free_capacity(), stop_at_misfit=True)
    if set(stopped) != set(now):
        assert "first item that did not fit" in hint("roadmap", *lanes_for(stopped))
    too_big = lab.walk(lab.wsjf_order(), lab.capacity_parts()["team_weeks"])
    assert "more than" in hint("roadmap", *lanes_for(too_big))
    assert "another order" in hint("roadmap", now[::-1], next_up, later)
    assert "wrong lane" in hint("roadmap", now, next_up[1:], [*later, next_up[0]])


# --- Tasks 3 and 4: the metric tree -------------------------------------------------------------


def test_north_star_by_hand(tree):
    got = reference("north_star")[0]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), tree, check_dtype=False)
    passes("north_star", tree)
    passes("north_star", tree.round({"paid_share": 3}).sample(frac=1, random_state=1))
    assert (tree["active_merchants"] == tree["new_merchants"] + tree["returning_merchants"]).all()


@pytest.mark.parametrize("column, factor, words", [
    ("paid_share", 100, "percentage"),
    ("weekly_paying", None, "every merchant on a paid plan"),
])
def test_north_star_slips(tree, column, factor, words):
    wrong = tree.copy()
    if factor is not None:
        wrong[column] = wrong[column] * factor
    else:
        wrong = lab.metric_tree(only_active=False)
    assert words in hint("north_star", wrong)


def test_north_star_week_numbers_rounding_and_missing_column(tree):
    assert "1 to 12" in hint("north_star", tree.assign(week=tree["week"] - 1))
    assert "looks rounded" in hint("north_star", tree.round({"paid_share": 2}))
    assert "only plan payments made in the week" in hint("north_star", lab.metric_tree(paying_days=7))
    assert "every sign-up" in hint("north_star", lab.metric_tree(new_from_signups=True))
    assert "paid_share" in hint("north_star", tree.drop(columns="paid_share"))


def test_decomposition_by_hand_adds_up(tree):
    t = tree.set_index("week")
    a, b = t.loc[10], t.loc[11]
    share = (a["paid_share"] + b["paid_share"]) / 2
    active = (a["active_merchants"] + b["active_merchants"]) / 2
    want = {"new_merchants": (b["new_merchants"] - a["new_merchants"]) * share,
            "returning_merchants": (b["returning_merchants"] - a["returning_merchants"]) * share,
            "paid_share": (b["paid_share"] - a["paid_share"]) * active}
    change = b["weekly_paying"] - a["weekly_paying"]
    assert sum(want.values()) == pytest.approx(change)
    passes("decomposition", change, want)
    passes("decomposition", int(change), pd.Series(want).round(1))


def test_decomposition_slips(tree):
    change, want = reference("decomposition")
    assert "wrong sign" in hint("decomposition", -change, want)
    assert "week 10's values" in hint("decomposition", change, lab.contributions(method="base"))
    assert "keys" in hint("decomposition", change, {"new": 1.0})
    assert "a table" in hint("decomposition", change, pd.DataFrame([want]))
    swapped = dict(want, paid_share=want["returning_merchants"], returning_merchants=want["paid_share"])
    assert "should be" in hint("decomposition", change, swapped)


# --- Task 5: roles ------------------------------------------------------------------------------


def test_roles_pass_in_other_spellings():
    roles = dict(lab.METRIC_ROLES)
    passes("metric_roles", roles)
    passes("metric_roles", {k: v.upper().replace(" ", "-") for k, v in roles.items()})


@pytest.mark.parametrize("metric, wrong, words", [
    ("total_signups", "input", "only goes up"),
    ("good_request_share", "input", "watched, not optimised"),
    ("page_views", "guardrail", "attention, not value"),
])
def test_roles_wrong_one_is_explained(metric, wrong, words):
    assert words in hint("metric_roles", dict(lab.METRIC_ROLES, **{metric: wrong}))


def test_roles_missing_and_unknown_role():
    roles = dict(lab.METRIC_ROLES)
    roles.pop("page_views")
    assert "page_views" in hint("metric_roles", roles)
    assert "use 'north star'" in hint("metric_roles", dict(lab.METRIC_ROLES, paid_share="lever"))


# --- Task 6: SLO ----------------------------------------------------------------------------------


def _good_share(last_days: int | None) -> float:
    log = pd.read_csv(course_data("lab_latency.csv"), parse_dates=["timestamp"])
    if last_days is not None:
        log = log[log["timestamp"] >= pd.Timestamp("2025-06-30") - pd.Timedelta(days=last_days - 1)]
    return float(((log["status"] < 500) & (log["latency_ms"] < 300)).mean())


@pytest.mark.parametrize("slo", [0.95, 0.99, 0.9])
def test_slo_any_reasonable_target_passes(slo):
    budget = (1 - slo) * 30 * 24 * 60
    burn = (1 - _good_share(7)) / (1 - slo)
    passes("slo", slo, budget, burn)
    passes("slo", slo, round(budget, 1), round(burn, 2))


def test_slo_slips():
    slo = 0.99
    budget = (1 - slo) * 30 * 24 * 60
    burn = (1 - _good_share(7)) / (1 - slo)
    assert "percentage" in hint("slo", 99.0, budget, burn)
    assert "between" in hint("slo", 0.5, budget, burn)
    assert "hours" in hint("slo", slo, budget / 60, burn)
    assert "31 days" in hint("slo", slo, (1 - slo) * 31 * 24 * 60, burn)
    assert "whole month" in hint("slo", slo, budget, (1 - _good_share(None)) / (1 - slo))
    assert "upside down" in hint("slo", slo, budget, 1 / burn)
    assert "looks rounded" in hint("slo", slo, budget, round(burn, 1))


def test_slo_availability_only_is_named():
    log = pd.read_csv(course_data("lab_latency.csv"), parse_dates=["timestamp"])
    recent = log[log["timestamp"] >= pd.Timestamp("2025-06-24")]
    bad = float((recent["status"] >= 500).mean())
    assert "only 5xx" in hint("slo", 0.99, 0.01 * 30 * 24 * 60, bad / 0.01)


# --- Task 7: risks ------------------------------------------------------------------------------


def test_top_risks_by_hand():
    risks = pd.read_csv(course_data("lab_risks.csv"))
    m = risks[risks["project"] == "migration"].assign(ec=lambda r: r["probability"] * r["cost_if_occurs"])
    top = m.nlargest(3, "ec")
    passes("top_risks", list(top["id"]), float(top["ec"].sum()))
    passes("top_risks", list(top["id"]), round(float(top["ec"].sum())))
    assert "add their expected costs" in hint("top_risks", list(top["id"]), float(top["cost_if_occurs"].sum()))
    assert "wrong order" in hint("top_risks", list(top["id"])[::-1], float(top["ec"].sum()))
    everything = risks.assign(ec=risks["probability"] * risks["cost_if_occurs"]).nlargest(3, "ec")
    if set(everything["project"]) != {"migration"}:
        assert "is a bramble risk" in hint("top_risks", list(everything["id"]), float(everything["ec"].sum()))


# --- Task 8: switch-off -------------------------------------------------------------------------


def test_switch_off_by_hand():
    tasks = pd.read_csv(course_data("lab_tasks.csv"))
    sheet = larkspur.facts()
    start, end = sheet.estimates.processor_migration.start, sheet.timeline.processor_switch_off.date
    sims = simulate(tasks, 10_000, 2026)
    p = float((sims <= working_days_until(start, end)).mean())
    day = working_day_date(start, np.percentile(sims, 85))
    passes("switch_off", p, day)
    passes("switch_off", round(p, 3), day.date().isoformat())
    assert "percentage" in hint("switch_off", 100 * p, day)
    assert "chance of being late" in hint("switch_off", 1 - p, day)
    assert "median" in hint("switch_off", p, working_day_date(start, np.median(sims)))
    assert "YYYY-MM-DD" in hint("switch_off", p, "3 July")


# --- Task 9: fairness ---------------------------------------------------------------------------


def test_fairness_by_hand():
    s = pd.read_csv(course_data("lab_screening.csv"))
    recent = s[s["signup_week"] >= 10]
    rates = recent.groupby("legal_form")["approved"].mean()
    di = rates.min() / rates.max()
    tpr = recent[recent["good_outcome"] == 1].groupby("legal_form")["approved"].mean()
    eo = tpr.max() - tpr.min()
    passes("fairness", di, eo)
    passes("fairness", round(di, 3), round(eo, 3))
    assert "above 1" in hint("fairness", 1 / di, eo)
    whole = s.groupby("legal_form")["approved"].mean()
    assert "whole quarter" in hint("fairness", whole.min() / whole.max(), eo)
    assert "demographic parity" in hint("fairness", di, rates.max() - rates.min())


# --- Tasks 10 and 11: written -------------------------------------------------------------------


def test_written_tasks_check_form():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith(("finding =", "memo =")):
            exec(cell.source, namespace)  # the lab's own model answers
    passes("review_finding", namespace["finding"])
    passes("memo", namespace["memo"])
    unaddressed = namespace["memo"].replace("Noor Haddad", "the leadership team")
    assert "not addressed" in hint("memo", unaddressed)
    assert "words" in hint("memo", "Approve it. " * 5)
    no_numbers = ("We recommend that the risk team reviews how the model treats sole traders before the next "
                  "release. The approval rates differ a lot between the two groups of applicants in recent weeks. "
                  "Good sole traders are turned away more often than good companies, which looks unfair to them. "
                  "The privacy lead should review any change, and declined applicants need a human review path. "
                  "The data cannot show how declined applicants would have behaved as merchants later on.")
    assert "fewer than two" in hint("review_finding", no_numbers)
