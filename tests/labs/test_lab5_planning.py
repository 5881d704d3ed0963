"""Lab 5 (risk and delivery planning): every check passes a right answer and
names the likely slip for each wrong one. Expected values are worked out by
hand from the data file where that is practical."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest

from labcheck import checker
from tpmcourse.labs import lab5_planning
from tpmcourse.labs.lab5_planning_helpers import critical_path, draw_durations, project_duration, working_day_date
from tpmcourse.paths import EXERCISES, course_data
from tpmcourse.risk import pert_table


@pytest.fixture(scope="module")
def risks() -> pd.DataFrame:
    return pd.read_csv(course_data("lab_risks.csv"))


@pytest.fixture(scope="module")
def tasks() -> pd.DataFrame:
    return pd.read_csv(course_data("lab_tasks.csv"))


@pytest.fixture(scope="module")
def sims() -> np.ndarray:
    return lab5_planning.reference_simulation()


passes, hint = checker("planning")


# --- data --------------------------------------------------------------------------------


def test_data_are_what_the_lab_describes(risks, tasks):
    assert 12 <= len(risks) <= 20 and 10 <= len(tasks) <= 15
    assert risks["likelihood"].between(1, 5).all() and risks["impact"].between(1, 5).all()
    assert risks["probability"].between(0, 1).all()
    assert (risks["probability_after_mitigation"] < risks["probability"]).all()
    assert set(risks["project"]) == {"migration", "bramble"}
    assert (tasks["optimistic"] < tasks["pessimistic"]).all()
    # Parallel branches: some task has more than one predecessor.
    assert tasks["predecessors"].fillna("").str.contains(";").any()


def test_data_keep_the_decisions_clear(risks):
    """No buy/skip decision and no top-five boundary is a near-tie, so the
    tasks have one clear answer."""
    table = lab5_planning.mitigation_table(risks)
    assert (table["net"].abs() >= 500).all()
    score = risks["likelihood"] * risks["impact"]
    assert sorted(score, reverse=True)[4] > sorted(score, reverse=True)[5]
    cost = table["expected_before"].sort_values(ascending=False).to_numpy()
    assert cost[4] - cost[5] > 1_000


def test_notebook_setup_uses_the_lab_facts():
    nb = nbformat.read(EXERCISES / "lab5_planning.ipynb", as_version=4)
    setup = next(c.source for c in nb.cells if c.cell_type == "code" and "START" in c.source)
    for fact in (lab5_planning.START, lab5_planning.SWITCH_OFF, str(lab5_planning.SEED), f"{lab5_planning.N_SIMS:_}"):
        assert fact in setup


def test_deadline_is_working_days():
    # 23 Feb to 30 Jun 2026: 18 weeks (90 days) to Fri 26 Jun, then Mon 29 and Tue 30 Jun.
    assert lab5_planning.deadline_days() == 92


# --- Task 1 ------------------------------------------------------------------------------


def scored_answer(risks):
    out = risks[["id"]].copy()
    out["score"] = risks["likelihood"] * risks["impact"]
    out["level"] = pd.cut(out["score"], [0, 4, 9, 16, 25], labels=["low", "medium", "high", "critical"]).astype(str)
    return out


def test_scores_pass(risks):
    message = passes("scores", scored_answer(risks))
    assert "R01" in message and "'high'" in message


def test_scores_added_instead_of_multiplied(risks):
    wrong = scored_answer(risks).assign(score=risks["likelihood"] + risks["impact"])
    assert "likelihood + impact" in hint("scores", wrong)


def test_scores_name_the_wrong_risk(risks):
    wrong = scored_answer(risks)
    wrong.loc[wrong["id"] == "R05", "score"] = 15
    assert "R05 should be 16" in hint("scores", wrong)


def test_scores_wrong_level(risks):
    wrong = scored_answer(risks)
    wrong.loc[wrong["id"] == "R01", "level"] = "medium"  # score 10 is high
    assert "R01 has score 10" in hint("scores", wrong)


def test_scores_missing_row_and_columns(risks):
    assert "R01 more than once" in hint("scores", pd.concat([scored_answer(risks).iloc[:-1],
                                                             scored_answer(risks).iloc[:1]]))
    assert "15 rows" in hint("scores", scored_answer(risks).iloc[:-1])
    renamed = scored_answer(risks).assign(id=lambda d: d["id"].str.replace("R16", "R17"))
    assert "R16" in hint("scores", renamed)
    assert "'level'" in hint("scores", scored_answer(risks).drop(columns="level"))


# --- Task 2 ------------------------------------------------------------------------------


def costed_answer(risks, probability=None):
    p = risks["probability"] if probability is None else probability
    return pd.DataFrame({"id": risks["id"], "expected_cost": p * risks["cost_if_occurs"]})


def test_expected_cost_pass(risks):
    good = costed_answer(risks)
    # R01: 0.10 x $2,355,000 = $235,500
    assert good.loc[0, "expected_cost"] == pytest.approx(235_500)
    assert "R12 alone" in passes("expected_cost", good, good["expected_cost"].sum())


def test_expected_cost_percentage(risks):
    wrong = costed_answer(risks, risks["probability"] * 100)
    assert "100×" in hint("expected_cost", wrong, wrong["expected_cost"].sum())


def test_expected_cost_impact_scale(risks):
    wrong = pd.DataFrame({"id": risks["id"], "expected_cost": risks["probability"] * risks["impact"]})
    assert "impact score" in hint("expected_cost", wrong, 1.0)


def test_expected_cost_likelihood_as_probability(risks):
    wrong = costed_answer(risks, risks["likelihood"])
    assert "likelihood score" in hint("expected_cost", wrong, 1.0)


def test_expected_cost_after_mitigation(risks):
    wrong = costed_answer(risks, risks["probability_after_mitigation"])
    assert "probability_after_mitigation" in hint("expected_cost", wrong, 1.0)


def test_expected_cost_total_is_mean_or_worst_case(risks):
    good = costed_answer(risks)
    assert "mean" in hint("expected_cost", good, good["expected_cost"].mean())
    assert "every risk happened" in hint("expected_cost", good, risks["cost_if_occurs"].sum())
    assert "100×" in hint("expected_cost", good, good["expected_cost"].sum() * 100)


# --- Task 3 ------------------------------------------------------------------------------


BUY = ["R01", "R03", "R04", "R05", "R08", "R10", "R11", "R15", "R16"]


def test_mitigations_by_hand(risks):
    r = risks.set_index("id")
    # R01: (0.10 - 0.03) x 2,355,000 = 164,850 > 123,000; R12: (0.28 - 0.20) x 1,505,000 = 120,400 < 163,000
    assert (r.loc["R01", "probability"] - r.loc["R01", "probability_after_mitigation"]) * \
        r.loc["R01", "cost_if_occurs"] == pytest.approx(164_850)
    table = lab5_planning.mitigation_table(risks)
    assert table.loc[table["buy"], "id"].tolist() == BUY
    assert table.loc[table["buy"], "net"].sum() == pytest.approx(150_150)


def test_mitigations_pass():
    assert "R12" in passes("mitigations", BUY, 150_150)
    passes("mitigations", set(BUY), 150_150.0)


def test_mitigations_one_that_loses_money():
    message = hint("mitigations", [*BUY, "R14"], 150_150)
    assert "R14" in message and "loses money" in message


def test_mitigations_missing_one():
    assert "R10's mitigation is missing" in hint("mitigations", [b for b in BUY if b != "R10"], 150_150)


def test_mitigations_net_saving_slips(risks):
    table = lab5_planning.mitigation_table(risks)
    assert "subtract" in hint("mitigations", BUY, table.loc[table["buy"], "reduction"].sum())
    assert "including those that lose money" in hint("mitigations", BUY, table["net"].sum())
    assert "wrong sign" in hint("mitigations", BUY, -150_150)


def test_mitigations_unknown_id():
    assert "'R99'" in hint("mitigations", [*BUY, "R99"], 150_150)


# --- Task 4 ------------------------------------------------------------------------------


SCORE_TOP = ["R05", "R12", "R14", "R03", "R08"]  # 16, 15, 15, 12, 12
COST_TOP = ["R12", "R01", "R05", "R03", "R08"]  # $421,400, $235,500, $126,000, $111,600, $64,800


def test_top_risks_pass():
    message = passes("top_risks", SCORE_TOP, COST_TOP)
    assert "R01 (score 10" in message and "R14 (score 15" in message
    passes("top_risks", ["R05", "R14", "R12", "R08", "R03"], COST_TOP)  # ties in either order


def test_top_risks_swapped_lists():
    assert "by expected cost" in hint("top_risks", COST_TOP, COST_TOP)
    assert "top five by score" in hint("top_risks", SCORE_TOP, SCORE_TOP)


def test_top_risks_cost_if_occurs_and_ascending(risks):
    by_occurs = risks.nlargest(5, "cost_if_occurs")["id"].tolist()
    assert "cost_if_occurs" in hint("top_risks", SCORE_TOP, by_occurs)
    smallest = costed_answer(risks).nsmallest(5, "expected_cost")["id"].tolist()
    assert "ascending=False" in hint("top_risks", SCORE_TOP, smallest)


def test_top_risks_order_and_length():
    assert "largest expected cost down" in hint("top_risks", SCORE_TOP, COST_TOP[::-1])
    assert "highest score down" in hint("top_risks", SCORE_TOP[::-1], COST_TOP)
    assert "top 5" in hint("top_risks", SCORE_TOP[:3], COST_TOP)
    assert "R01 has score 10" in hint("top_risks", ["R05", "R12", "R14", "R03", "R01"], COST_TOP)


# --- Task 5 ------------------------------------------------------------------------------


def test_pert_pass_and_by_hand(tasks):
    table = pert_table(tasks)
    # T11: (25 + 4 x 35 + 70) / 6 = 39.17, sd (70 - 25) / 6 = 7.5
    row = table.set_index("id").loc["T11"]
    assert row["mean"] == pytest.approx(235 / 6) and row["sd"] == pytest.approx(7.5)
    assert "T11" in passes("pert", table)


def test_pert_plain_average_and_most_likely(tasks):
    table = pert_table(tasks)
    avg = table.assign(mean=(tasks["optimistic"] + tasks["most_likely"] + tasks["pessimistic"]) / 3)
    assert "plain average" in hint("pert", avg)
    assert "most_likely column" in hint("pert", table.assign(mean=tasks["most_likely"]))


def test_pert_variance_and_double_sd(tasks):
    table = pert_table(tasks)
    assert "variances" in hint("pert", table.assign(sd=table["sd"] ** 2))
    assert "/ 3" in hint("pert", table.assign(sd=table["sd"] * 2))


# --- Task 6 ------------------------------------------------------------------------------


PATH = ["T01", "T02", "T04", "T08", "T10", "T12", "T13"]
# 5.17 + 8.5 + 23.5 + 9.5 + 20.5 + 5.17 + 8.5 = 80.83
PLANNED = (31 + 51 + 141 + 57 + 123 + 31 + 51) / 6


def test_critical_path_pass(tasks):
    assert critical_path(tasks, pert_table(tasks)["mean"]) == PATH
    assert "80.8 working days" in passes("critical_path", PATH, PLANNED)


def test_critical_path_every_task_and_sum_of_means(tasks):
    assert "parallel branches" in hint("critical_path", tasks["id"].tolist(), PLANNED)
    assert "adds every task's mean" in hint("critical_path", PATH, pert_table(tasks)["mean"].sum())


def test_critical_path_most_likely_and_order(tasks):
    assert "wrong order" in hint("critical_path", PATH[::-1], PLANNED)
    ml_sum = tasks.set_index("id").loc[PATH, "most_likely"].sum()
    assert "most likely" in hint("critical_path", PATH, ml_sum)


def test_critical_path_missing_and_extra_task():
    assert "T10" in hint("critical_path", [t for t in PATH if t != "T10"], PLANNED)
    assert "T09 is not on the critical path" in hint(
        "critical_path", ["T01", "T02", "T04", "T08", "T09", "T10", "T12", "T13"], PLANNED)


# --- Task 7 ------------------------------------------------------------------------------


def test_simulation_pass(tasks, sims):
    rng = np.random.default_rng(lab5_planning.SEED)
    draws = rng.triangular(tasks["optimistic"], tasks["most_likely"], tasks["pessimistic"],
                           size=(lab5_planning.N_SIMS, len(tasks)))
    mine = project_duration(tasks, draws)
    assert isinstance(mine, np.ndarray)  # one length per run
    np.testing.assert_allclose(mine, sims)
    assert "10,000 runs" in passes("simulation", mine)
    passes("simulation", pd.Series(mine))
    passes("simulation", list(mine))


def test_simulation_tolerates_another_seed(tasks):
    passes("simulation", project_duration(tasks, draw_durations(tasks, lab5_planning.N_SIMS, seed=99)))


def test_simulation_sum_of_all_tasks(tasks):
    draws = draw_durations(tasks, lab5_planning.N_SIMS, lab5_planning.SEED)
    assert "parallel branches" in hint("simulation", draws.sum(axis=1))


def test_simulation_only_the_critical_path(tasks):
    draws = draw_durations(tasks, lab5_planning.N_SIMS, lab5_planning.SEED)
    index = [tasks["id"].tolist().index(t) for t in PATH]
    assert "only the Task 6 critical path" in hint("simulation", draws[:, index].sum(axis=1))


def test_simulation_pert_beta_and_constant(tasks):
    assert "PERT-beta" in hint("simulation", lab5_planning.reference_simulation("pert"))
    assert "same" in hint("simulation", np.full(lab5_planning.N_SIMS, PLANNED))


def test_simulation_shapes(tasks):
    draws = draw_durations(tasks, lab5_planning.N_SIMS, lab5_planning.SEED)
    assert "task durations" in hint("simulation", draws)
    assert "exactly 10,000" in hint("simulation", np.arange(100.0))
    assert "DataFrame" in hint("simulation", pd.DataFrame({"x": np.arange(10.0)}))


# --- Task 8 ------------------------------------------------------------------------------


def test_deadline_pass(sims):
    p = float(np.mean(sims <= 92))
    assert 0.7 < p < 0.8
    assert "76%" in passes("deadline", p)
    passes("deadline", p + 0.01)  # a different seed or draw order is fine


def test_deadline_percentage_and_complement(sims):
    p = float(np.mean(sims <= 92))
    assert "percentage" in hint("deadline", p * 100)
    assert "chance of being late" in hint("deadline", 1 - p)
    assert "between 0 and 1" in hint("deadline", 250)


def test_deadline_normal_approximation(tasks):
    table = pert_table(tasks).set_index("id").loc[PATH]
    z = (92 - table["mean"].sum()) / math.sqrt((table["sd"] ** 2).sum())
    normal = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    assert "normal approximation" in hint("deadline", normal)


def test_deadline_all_or_nothing():
    assert "sim_days <= deadline_days" in hint("deadline", 1.0)


# --- Task 9 ------------------------------------------------------------------------------


def test_confidence_date_pass(sims):
    days = float(np.percentile(sims, 85))
    date = working_day_date(lab5_planning.START, days)
    assert date == pd.Timestamp("2026-07-03")
    assert "after the switch-off" in passes("confidence_date", days, date)
    passes("confidence_date", days, "2026-07-03")
    passes("confidence_date", days, date.date())


def test_confidence_date_wrong_percentile(sims):
    date = "2026-07-03"
    assert "15th percentile" in hint("confidence_date", np.percentile(sims, 15), date)
    assert "average" in hint("confidence_date", sims.mean(), date)
    assert "85, not 0.85" in hint("confidence_date", np.percentile(sims, 0.85), date)
    assert "deterministic plan" in hint("confidence_date", PLANNED, date)


def test_confidence_date_calendar_days(sims):
    days = float(np.percentile(sims, 85))
    calendar = pd.Timestamp(lab5_planning.START) + pd.Timedelta(days=math.ceil(days))
    assert "calendar days" in hint("confidence_date", days, calendar)
    assert "YYYY-MM-DD" in hint("confidence_date", days, "3 July")
    assert "a number" in hint("confidence_date", days, 94)
    assert "before the migration starts" in hint("confidence_date", days, "2025-01-01")


# --- Task 10 -----------------------------------------------------------------------------

GOOD_MEMO = (
    "I recommend we approve the nine mitigations worth buying and book processor certification now. "
    "The plan has a 76% chance of finishing by the 30 June switch-off; the 85% date is 3 July. "
    "The mitigations cost $299,000 and save $150,000 net in expected cost. The single estimate of 81 working "
    "days hides the spread: the median simulated run takes 87 days, and in about 40% of runs certification or "
    "the partner beta sets the end date rather than the adapter chain. I will re-run the forecast every week "
    "and report when the date we are 85% sure of moves inside the switch-off."
)


def test_recommendation_pass():
    assert "rubric" in passes("recommendation", GOOD_MEMO)


def test_recommendation_form_hints():
    assert "words" in hint("recommendation", "We should do it. 76% by 30 June.")
    no_decision = (GOOD_MEMO.replace("I recommend we approve", "Here are").replace("I will re-run", "Re-running")
                   .replace("and report", "and reporting"))
    assert "decision" in hint("recommendation", no_decision)
    no_numbers = "".join(ch for ch in GOOD_MEMO if not ch.isdigit()).replace("$", "")
    assert "numbers" in hint("recommendation", no_numbers)
    no_percent = GOOD_MEMO.replace("76%", "three in four").replace("85%", "eighty-five in a hundred").replace(
        "40%", "two in five")
    assert "percentage" in hint("recommendation", no_percent)
    padded = " ".join(["I recommend we finish in 94 days by 3 July, saving 76% of $150,000."] * 9)
    assert "repeated sentence" in hint("recommendation", padded) or "same few words" in hint("recommendation", padded)
    assert "string" in hint("recommendation", 42)
