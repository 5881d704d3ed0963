"""Lab 5's data: the risk register of the processor migration and the
Bramble launch (``data/lab_risks.csv``) and the migration plan with
three-point estimates (``data/lab_tasks.csv``)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset, as_variant, redraw, stream

# id, project, owner, description, likelihood, impact, central probability,
# central cost if it occurs, mitigation, central mitigation cost, central probability after
_RISKS = [
    ("R01", "migration", "Priya", "Cutover slips past the v1 switch-off and card payments stop",
     2, 5, 0.12, 2_400_000, "Start shadow traffic six weeks earlier and pre-book a cutover window", 120_000, 0.04),
    ("R02", "migration", "You", "Processor certification queue delays sign-off",
     4, 2, 0.55, 90_000, "Pay for the processor's expedited certification review", 25_000, 0.30),
    ("R03", "migration", "Dev", "Retry gaps on v2 create duplicate card charges",
     3, 4, 0.30, 350_000, "Idempotency keys on every v2 call and a duplicate-charge monitor", 40_000, 0.06),
    ("R04", "migration", "Dev", "v2 webhook payloads break invoice status updates",
     4, 2, 0.50, 45_000, "Contract tests against recorded v2 webhooks", 14_000, 0.15),
    ("R05", "migration", "Tom", "Old Larkspur Go versions keep calling a v1-only endpoint",
     4, 4, 0.60, 220_000, "Forced-upgrade prompt and a server-side proxy for old app versions", 60_000, 0.20),
    ("R06", "migration", "Priya", "Only Dev understands the ledger posting code the adapter touches",
     3, 3, 0.35, 110_000, "Pairing rotation and a written runbook for the posting code", 21_000, 0.20),
    ("R07", "migration", "Dev", "Reconciliation finds v1/v2 rounding differences in amounts",
     3, 2, 0.35, 30_000, "Property-based tests on currency rounding", 7_000, 0.10),
    ("R08", "migration", "Dev", "Sandbox behaves differently from v2 production",
     4, 3, 0.50, 150_000, "Zero-amount authorizations against v2 production during shadow traffic", 30_000, 0.20),
    ("R09", "migration", "You", "Partner plugins pin the v1 webhook format",
     3, 3, 0.30, 80_000, "Send both webhook formats for 60 days after cutover", 35_000, 0.10),
    ("R10", "migration", "Lena", "EU strong customer authentication behaves differently on v2",
     2, 4, 0.15, 300_000, "EU test cards and a 3-D Secure test plan", 15_000, 0.05),
    ("R11", "bramble", "Dev", "Bramble's identity provider needs SAML features we lack",
     3, 3, 0.30, 120_000, "One-week spike against Bramble's identity provider", 10_000, 0.15),
    ("R12", "bramble", "Sam", "Multi-location invoicing slips past Q3 and Bramble does not sign",
     3, 5, 0.30, 1_500_000, "Move one engineer from latency work to Bramble for a quarter", 180_000, 0.20),
    ("R13", "bramble", "Dev", "300 Bramble locations exceed per-account API rate limits",
     2, 3, 0.15, 60_000, "Load test with 300 simulated locations", 12_000, 0.05),
    ("R14", "bramble", "Priya", "Migration and Bramble compete for the same two engineers",
     5, 3, 0.75, 80_000, "Hire two contractors for the Bramble user interface", 140_000, 0.35),
    ("R15", "bramble", "Tom", "Support is not trained for multi-location billing questions",
     4, 2, 0.55, 25_000, "Training session and saved replies for support", 5_000, 0.20),
    ("R16", "bramble", "Sam", "Franchisees' imported records have inconsistent tax IDs",
     3, 2, 0.40, 35_000, "Validation at import and a cleaning script", 7_000, 0.15),
]


#: Facts of the lab's task text that the plan is forecast against: the team's
#: first day, the day the processor switches v1 off, and the Monte Carlo run.
MIGRATION_START, SWITCH_OFF = "2026-02-23", "2026-06-30"
FORECAST_SEED, FORECAST_RUNS = 2026, 10_000


def make_lab_risks(seed: int = 5, as_variant: bool = False) -> pd.DataFrame:
    """The Larkspur risk register for the migration and the Bramble launch.

    Scores are set by hand; money is an estimate with seeded noise around a
    central value (costs rounded to $5,000, probabilities to 0.01), as a
    register filled in by several owners would be.

    ``as_variant`` makes the register as another planning session would
    have filled it in: wider noise on probabilities and costs, and each
    risk's likelihood score read from its probability (the bands the
    committed register follows), so scores move with the numbers. It is
    drawn again (from ``[seed, 1]``, ``[seed, 2]``...) until it keeps the
    lab's story and its scores and top five by expected cost differ from the
    committed register's (:func:`register_tells_the_story`).
    """
    if not as_variant:
        return _draw_register(np.random.default_rng(seed), spread=1.0, rescore=False)
    committed = make_lab_risks()
    return redraw(lambda attempt: _draw_register(stream(seed, attempt), spread=3.0, rescore=True),
                  lambda register: register_tells_the_story(register, committed), f"risk register from seed {seed}")


#: Likelihood score (1 to 5) for a probability, as the committed register scores them.
_LIKELIHOOD_BANDS = ((0.05, 1), (0.25, 2), (0.45, 3), (0.70, 4), (1.0, 5))


def _likelihood(probability: float) -> int:
    return next(score for upper, score in _LIKELIHOOD_BANDS if probability <= upper)


def _draw_register(rng: np.random.Generator, spread: float, rescore: bool) -> pd.DataFrame:
    rows = []
    for (rid, project, owner, text, like, imp, p, cost, mitigation, mcost, p_after) in _RISKS:
        prob = round(float(np.clip(p + rng.normal(0, 0.02 * spread), 0.02, 0.95)), 2)
        after = round(float(np.clip(p_after + rng.normal(0, 0.01 * spread), 0.01, prob - 0.01)), 2)
        occurs = int(round(cost * rng.lognormal(0, 0.08 * spread) / 5_000) * 5_000)
        spend = int(round(mcost * rng.lognormal(0, 0.05 * spread) / 1_000) * 1_000)
        rows.append({"id": rid, "project": project, "owner": owner, "description": text,
                     "likelihood": _likelihood(prob) if rescore else like, "impact": imp,
                     "probability": prob, "cost_if_occurs": max(occurs, 5_000),
                     "mitigation": mitigation, "mitigation_cost": max(spend, 1_000),
                     "probability_after_mitigation": after})
    return pd.DataFrame(rows)


def _expected(register: pd.DataFrame) -> pd.Series:
    return pd.Series((register["probability"] * register["cost_if_occurs"]).to_numpy(), index=register["id"])


def register_tells_the_story(register: pd.DataFrame, committed: pd.DataFrame | None = None) -> bool:
    """Whether a register keeps what Lab 5 finds in it: some mitigations are
    worth buying and some are not (their cost exceeds the expected cost they
    remove; each by $500 or more, so none only breaks even), and the risk
    that would cost most if it happened is not in the top five by score
    (scores hide money). With ``committed``, also that the
    scores (likelihood x impact) and the order of the top five by expected
    cost differ from it, so answers copied from the committed register fail."""
    reduction = (register["probability"] - register["probability_after_mitigation"]) * register["cost_if_occurs"]
    net = reduction - register["mitigation_cost"]
    worth = int((net > 0).sum())
    clear_cut = bool((net.abs() >= 500).all())  # no mitigation that only breaks even, to the rounding
    score = pd.Series((register["likelihood"] * register["impact"]).to_numpy(), index=register["id"])
    fifth = score.sort_values(ascending=False).iloc[4]
    costliest = str(register["id"].iloc[int(register["cost_if_occurs"].to_numpy().argmax())])
    story = 3 <= worth <= len(register) - 3 and clear_cut and score[costliest] < fifth
    if committed is None or not story:
        return story
    scores_differ = not score.equals(
        pd.Series((committed["likelihood"] * committed["impact"]).to_numpy(), index=committed["id"]))
    top_differs = list(_expected(register).nlargest(5).index) != list(_expected(committed).nlargest(5).index)
    return scores_differ and top_differs


#: The migration plan as the team wrote it down: three-point estimates in
#: working days, predecessors separated by ";".
_TASKS = """\
id,task,team,optimistic,most_likely,pessimistic,predecessors
T01,Inventory v1 calls and their owners,platform,3,5,8,
T02,Map v1 to v2 differences,platform,5,8,14,T01
T03,Get v2 sandbox and production credentials,processor,3,5,20,T01
T04,Build the v2 adapter,platform,15,22,38,T02
T05,Idempotency keys and retries,platform,6,9,16,T02
T06,v2 webhook handlers,platform,5,8,15,T02
T07,Larkspur Go: replace the v1-only endpoint,mobile,10,15,35,T04
T08,Sandbox integration tests,platform,6,9,15,T03;T04;T05;T06
T09,Processor certification,processor,8,12,40,T08
T10,Shadow traffic and reconciliation,platform,15,20,28,T08
T11,Partner beta of v2 webhooks and plugin updates,partners,25,35,70,T06
T12,Runbooks and on-call drills,platform,3,5,8,T10
T13,Staged cutover,platform,5,8,14,T07;T09;T11;T12
"""


def make_lab_tasks(seed: int | None = None) -> pd.DataFrame:
    """The migration plan: 13 tasks in working days, with predecessors.

    Durations are the team's three-point estimates, set by hand (with
    ``seed=None``, nothing random). Vendor- and partner-dependent tasks have
    long pessimistic tails, so the branch that finishes last changes from one
    simulated run to the next.

    With a seed, the same plan as another team would have estimated it: each
    task's three points scaled by a common factor (lognormal, about 15%) and
    each by its own (about 8%), rounded to whole days. It is drawn again
    (from ``[seed, 1]``, ``[seed, 2]``...) until it keeps the lab's story
    and its forecast differs from the committed plan's by more than the
    checks' tolerances (:func:`plan_tells_the_story`).
    """
    plan = pd.read_csv(io.StringIO(_TASKS), keep_default_na=False)
    if seed is None:
        return plan
    return redraw(lambda attempt: _re_estimate(plan, stream(seed, attempt)),
                  lambda variant: plan_tells_the_story(variant, plan), f"migration plan from seed {seed}")


def _re_estimate(plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    points = plan[["optimistic", "most_likely", "pessimistic"]].to_numpy(dtype=float)
    scaled = points * rng.lognormal(0, 0.15, (len(plan), 1)) * rng.lognormal(0, 0.08, points.shape)
    days = np.sort(np.maximum(np.round(scaled), 1).astype(int), axis=1)
    days[:, 2] = np.maximum(days[:, 2], days[:, 0] + 1)  # optimistic < pessimistic
    return plan.assign(optimistic=days[:, 0], most_likely=days[:, 1], pessimistic=days[:, 2])


def deadline_days() -> int:
    """Working days (Monday to Friday) from the first day up to and including the switch-off."""
    end = np.datetime64(SWITCH_OFF) + np.timedelta64(1, "D")
    return int(np.busday_count(np.datetime64(MIGRATION_START), end))


def _forecast(plan: pd.DataFrame) -> tuple[float, float, float]:
    """The plan's PERT length, and its chance of finishing by the switch-off
    and 85th percentile in the lab's own Monte Carlo run (the same draws)."""
    o, m, p = (plan[c].to_numpy(dtype=float) for c in ("optimistic", "most_likely", "pessimistic"))
    preds = [[int(d[1:]) - 1 for d in str(text).split(";") if d] for text in plan["predecessors"]]

    def length(durations: np.ndarray) -> np.ndarray:
        finish = np.zeros_like(durations)
        for k, before in enumerate(preds):  # the plan lists every task after its predecessors
            start = finish[..., before].max(axis=-1) if before else 0.0
            finish[..., k] = start + durations[..., k]
        return finish.max(axis=-1)

    runs = length(np.random.default_rng(FORECAST_SEED).triangular(o, m, p, size=(FORECAST_RUNS, len(plan))))
    planned = float(length((o + 4 * m + p) / 6))
    return planned, float(np.mean(runs <= deadline_days())), float(np.percentile(runs, 85))


def plan_tells_the_story(plan: pd.DataFrame, committed: pd.DataFrame | None = None) -> bool:
    """Whether a plan keeps what Lab 5 finds in it: the deterministic (PERT)
    plan finishes before the switch-off, yet the simulated chance of doing
    so is only between 55% and 93%. With ``committed``, also that this chance
    and the 85th percentile differ from the committed plan's by more than
    the checks accept (0.015 and one day), so copied answers fail."""
    planned, on_time, p85 = _forecast(plan)
    story = planned < deadline_days() and 0.55 <= on_time <= 0.93
    if committed is None or not story:
        return story
    _, on_time_0, p85_0 = _forecast(committed)
    return abs(on_time - on_time_0) > 0.03 and abs(p85 - p85_0) > 2.5


RISKS = Dataset("lab_risks.csv", make_lab_risks, "risk register for the migration and the Bramble launch (lab 5)",
                variant=as_variant("lab_risks.csv"))
TASKS = Dataset("lab_tasks.csv", make_lab_tasks, "migration plan with three-point estimates and dependencies (lab 5)",
                {"keep_default_na": False})

DATASETS: list[Dataset] = [RISKS, TASKS]
