"""Every memo check recognises a decision however it is phrased, and refuses
padding and memos that describe without deciding.

Each memo task has a base memo written without any decision: real sentences
with the numbers of its lab used in them. The base alone fails ("describes
but does not decide"); the base with any one decision sentence from the
table passes; padding (one word repeated, one sentence repeated, a bare list
of numbers) fails whatever decision it contains.
"""

from __future__ import annotations

import pytest

from tpmcourse import checks

MEMOS = [t for t in checks.tasks() if t.kind == "written"]

#: Descriptive memos, no decision in them, with the facts each memo check asks for.
BASE = {
    "prioritization.memo": (
        "Next quarter has 80 project weeks to split between features and the debt-and-reliability lane. At a "
        "share of 40%, 32 person-weeks go to debt, security and infrastructure, up from the 20% we agreed last "
        "quarter. No share can fund the processor migration: at about 97 person-weeks it is bigger than the "
        "whole quarter and is staffed as a project of its own. At 20% the debt lane addresses 166 points of "
        "cost of delay and 18 of the 64 feature weeks sit idle. At 40% the debt lane addresses 225 points, and "
        "the feature lane keeps 158,992 of expected impact, 848 below the table's peak. At 50% the debt lane "
        "addresses 247 points and features give up about 3,100 of impact. Bramble's multi-location invoicing "
        "sits in neither lane, because it waits on an 8-week schema split."),
    "metrics.recommendation": (
        "In the test, 33.9% of treatment merchants received a first payment within 14 days against 31.2% in "
        "control. That is a lift of 2.7 percentage points, with a 95% interval from 0.6 to 4.8 points and a "
        "two-sided p-value of 0.010. The groups held 4,046 and 3,954 merchants, a split within chance for a "
        "fair coin, and support contacts stayed at 13.2% in both groups. The test had about half of the 8,569 "
        "merchants per group that a two-point effect needs, so the true gain may be nearer one point. The "
        "change is cheap to build and easy to reverse."),
    "reliability.recommendation": (
        "June's availability was 99.925% against an objective of 99.95%, with 27 server errors against a "
        "budget of 18, so 150% of the error budget is spent. The 17 June migration alone spent 61% of it at a "
        "burn rate of 177 in 105 minutes. The ledger-core service causes an incident in 44% of its "
        "deployments against 18% for the team, with a lead time of 72 hours. Latency also missed: 94.25% of "
        "requests finished under 300 ms against a target of 95%. Single sign-on for Bramble touches only the "
        "payments-api, whose change failure rate is near the team's best."),
    "ethics.privacy_memo": (
        "As collected, the sign-up table has k = 1, and every one of the 4,000 merchants is unique on the four "
        "quasi-identifiers. Postcode plus birth year alone singles out 82 percent of them. Without the gender "
        "column, postal zone, ten-year birth bands and sector reach k = 5 after suppressing 166 rows, which is "
        "4.2 percent and under the limit of 5 percent. Keeping gender would leave 615 rows in small classes. "
        "The suppressed rows are mostly the youngest and oldest owners, 124 of the 166, so the study "
        "under-represents exactly those merchants."),
    "ethics.fairness_memo": (
        "Today sole traders are approved 50 percent of the time against 70 percent for companies, a parity gap "
        "of 0.194 and a disparate impact ratio of 0.72, which fails the four-fifths rule. Among good applicants, "
        "46 percent of sole traders are turned away against 26 percent of companies, a gap of 0.200. A threshold "
        "of 0.49 for sole traders brings the gap to 0.043 and the ratio to 0.94. The price is 30 more bad "
        "merchants approved per quarter, 148 instead of 118, in exchange for about 230 good sole traders who are "
        "no longer refused. One threshold for everyone at 0.55 approves 194 bad merchants and leaves a gap of "
        "0.155."),
    "ethics.carbon_memo": (
        "Each run of the weekly retraining uses 28.8 kWh wherever it runs. With the illustrative intensities "
        "that is 8.6 kg of CO2e today in eu-west at 09:00, and about 0.96 kg in eu-north from 02:00 UTC, an "
        "89 percent cut, or roughly 447 kg down to 50 kg a year. The data stays in the EU either way, and "
        "ca-central, slightly cleaner, is ruled out by residency. The eight jobs emit about 4,200 kg a year, "
        "and the Berlin office build server, always on with a PUE of 1.8, is 37 percent of that total."),
    "planning.recommendation": (
        "The processor migration as planned has about a 76% chance of finishing by the 30 June switch-off. The "
        "plan's single estimate of 81 working days with 11 days of slack hides the spread: in 10,000 simulated "
        "schedules the median run takes 87 days, and the date with 85% confidence is 3 July, three working days "
        "after v1 goes dark. In about 40% of runs processor certification or the partner beta sets the end "
        "date, not the adapter chain. Nine mitigations cost $299,000 and bring about $150,000 of net expected "
        "saving; R01 and R03 are among them."),
    "first_quarter.review_finding": (
        "Over the last four sign-up weeks Larkspur Risk approved sole traders at a disparate impact ratio of "
        "0.79 against limited companies, just under the four-fifths line, and creditworthy sole traders were "
        "approved 12 points less often than creditworthy companies. The gap is largest for the newest "
        "merchants, who have the shortest payment history. The data covers four weeks only, so the ratio "
        "moves with a few dozen decisions, and it says nothing about merchants the model never scored."),
    "first_quarter.memo": (
        "Noor, this memo is about the first quarter of 2026 on the Payments Platform. The team has 59.2 free "
        "person-weeks before 23 February, when the migration and single sign-on take all eight engineers. "
        "Weekly paying merchants fell by 6 in week 11 while active merchants rose, because fewer of them paid. "
        "The payment API burns its error budget at 1.05 times the sustainable rate over the last seven days. "
        "The migration has about a 76% chance of finishing before the 30 June switch-off. Larkspur Risk approves "
        "sole traders at a ratio of 0.79 against companies, under the four-fifths line. The options are to keep "
        "the plan as it is, to move one engineer from single sign-on to the migration, or to delay the Bramble "
        "pilot by a month, and each has a cost for Marco's deal or for the switch-off date. Priya and Dev have read "
        "these figures and agree with them; Lena has seen the fairness numbers. The quarter is smaller than the "
        "roadmap we showed in the autumn, and what waits for the migration now sits in the later column."),
}

#: The extra answers a memo check reads besides the memo.
EXTRA = {"prioritization.memo": (0.40,)}

#: What each memo decides, as a verb phrase (for the templates below).
ACTION = {
    "prioritization.memo": "give 40% of the quarter, 32 weeks, to debt and reliability",
    "metrics.recommendation": "roll the onboarding checklist out to every new merchant behind a flag",
    "reliability.recommendation": "pause ledger-core feature changes for the first two weeks of July",
    "ethics.privacy_memo": "send the agency the 5-anonymous extract and drop the gender field",
    "ethics.fairness_memo": "approve sole traders below 0.49 while companies stay at 0.35",
    "ethics.carbon_memo": "move the retraining to eu-north at 02:00 UTC from next month",
    "planning.recommendation": "fund the nine mitigations and book certification now",
    "first_quarter.review_finding": "retrain the model with a sole-trader threshold and have Lena review it monthly",
    "first_quarter.memo": "approve the plan as drafted and keep both migration engineers on it",
}

#: Ways to state a decision; {act} is the task's verb phrase, {Act} the same capitalised.
PHRASINGS = [
    "I recommend we {act}.",
    "I recommend that we {act}.",
    "My recommendation is to {act}.",
    "Recommendation: {act}.",
    "Decision: {act}.",
    "We decided to {act}.",
    "I have decided that we {act}.",
    "We should {act}.",
    "I think we should {act}.",
    "We will {act}.",
    "We'll {act}.",
    "I will {act} on Monday.",
    "I propose we {act}.",
    "My proposal is to {act}.",
    "I suggest we {act}.",
    "Let's {act}.",
    "Let us {act}.",
    "We go with the option to {act}.",
    "We are going to {act}.",
    "I ask the group to approve the plan to {act}.",
    "Please approve the plan to {act}.",
    "The team must {act}.",
    "We need to {act}.",
    "I would advise that we {act}.",
    "Our call is to {act}.",
    "{Act}.",
    "**Decision.** {Act}.",
    "Decision for the group: {act}.",
]
#: Imperatives that start a decision sentence, one for each verb the checks know (a selection).
IMPERATIVE = [
    "Move the retraining to eu-north next month.",
    "Ship the checklist to every merchant next week.",
    "Roll out the new threshold to all markets.",
    "Delay the schema migration by two weeks.",
    "Pause risky ledger-core deployments until July.",
    "Launch the beta with ten partners first.",
    "Keep the limited companies at their threshold.",
    "Drop the gender field from the form.",
    "Postpone the Bramble work by one sprint.",
    "Cut the debt share to 25% if the audit adds work.",
    "Start the certification request this week.",
    "Stop collecting the referral source.",
]


def memo_with(task_id: str, sentence: str) -> str:
    return sentence + " " + BASE[task_id]


def phrasings(task_id: str) -> list[str]:
    act = ACTION[task_id]
    return [p.format(act=act, Act=act[0].upper() + act[1:]) for p in PHRASINGS] + IMPERATIVE


def evaluate(task_id: str, memo: str) -> checks.Result:
    return checks.evaluate(task_id, memo, *EXTRA.get(task_id, ()))


def test_every_memo_task_has_a_base_and_an_action():
    assert {t.id for t in MEMOS} == set(BASE) == set(ACTION)
    assert all(len(phrasings(t.id)) >= 20 for t in MEMOS)


@pytest.mark.parametrize("task", MEMOS, ids=lambda t: t.id)
def test_a_memo_that_only_describes_is_refused(task):
    result = evaluate(task.id, BASE[task.id])
    assert not result.passed
    assert "decide" in result.message or "decision" in result.message, result.message


@pytest.mark.parametrize("task", MEMOS, ids=lambda t: t.id)
def test_every_common_phrasing_of_a_decision_is_recognised(task):
    refused = []
    for sentence in phrasings(task.id):
        result = evaluate(task.id, memo_with(task.id, sentence))
        if not result.passed:
            refused.append((sentence, result.message))
    assert not refused, refused


@pytest.mark.parametrize("task", MEMOS, ids=lambda t: t.id)
def test_padding_is_refused(task):
    decision = phrasings(task.id)[0]
    padding = {
        "one word": decision + " " + "we " * 90 + "1 2 3 4 5",
        "one sentence": " ".join([decision] + ["We have 28 weeks, 236 points and a 76% chance of 3 July."] * 12),
        "a bare list of numbers": memo_with(task.id, decision).split(".")[0] + ". " + " ".join(
            ["The team looked at the data for the quarter and wrote it up."] * 1
            + ["Our notes cover the work, the people and the plan in some detail here."] * 0)
        + " " + " ".join(f"word{i}" for i in range(90)) + "\n\n28, 236, 164,292, 35%, 76%, 3 July, 99.925%, 0.194.",
        "too short": decision + " 35%, 28 weeks, 236 points.",
        "not text": 42,
    }
    for what, memo in padding.items():
        result = checks.evaluate(task.id, memo, *EXTRA.get(task.id, ()))
        assert not result.passed, f"{task.id} accepted {what}"


def test_decision_recogniser_on_its_own():
    assert checks.states_decision("Move the retraining to eu-north.")
    assert checks.states_decision("- Ship it on Monday.")
    assert checks.states_decision("(1) Roll out the checklist.")
    assert checks.states_decision("Our recommendation is simple: ship.")
    assert not checks.states_decision("The retraining moved to eu-north last year. It was cheaper there.")
    assert not checks.states_decision("Availability was 99.925%. The budget is spent.")


def test_numbers_count_only_inside_sentences():
    assert checks.numbers_in_sentences("The budget of 18 requests was spent by 27 server errors.") == {"18", "27"}
    assert checks.numbers_in_sentences("18, 27, 150, 61.") == set()
