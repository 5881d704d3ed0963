"""Lab 5's data: the risk register of the processor migration and the
Bramble launch (``data/lab_risks.csv``) and the migration plan with
three-point estimates (``data/lab_tasks.csv``)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset

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


def make_lab_risks(seed: int = 5) -> pd.DataFrame:
    """The Larkspur risk register for the migration and the Bramble launch.

    Scores are set by hand; money is an estimate with seeded noise around a
    central value (costs rounded to $5,000, probabilities to 0.01), as a
    register filled in by several owners would be.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for (rid, project, owner, text, like, imp, p, cost, mitigation, mcost, p_after) in _RISKS:
        prob = round(float(np.clip(p + rng.normal(0, 0.02), 0.02, 0.95)), 2)
        after = round(float(np.clip(p_after + rng.normal(0, 0.01), 0.01, prob - 0.01)), 2)
        occurs = int(round(cost * rng.lognormal(0, 0.08) / 5_000) * 5_000)
        spend = int(round(mcost * rng.lognormal(0, 0.05) / 1_000) * 1_000)
        rows.append({"id": rid, "project": project, "owner": owner, "description": text,
                     "likelihood": like, "impact": imp, "probability": prob, "cost_if_occurs": occurs,
                     "mitigation": mitigation, "mitigation_cost": spend,
                     "probability_after_mitigation": after})
    return pd.DataFrame(rows)


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


def make_lab_tasks() -> pd.DataFrame:
    """The migration plan: 13 tasks in working days, with predecessors.

    Durations are the team's three-point estimates, set by hand (there is
    nothing random to seed). Vendor- and partner-dependent tasks have long
    pessimistic tails, so the branch that finishes last changes from one
    simulated run to the next.
    """
    return pd.read_csv(io.StringIO(_TASKS), keep_default_na=False)


RISKS = Dataset("lab_risks.csv", make_lab_risks, "risk register for the migration and the Bramble launch (lab 5)")
TASKS = Dataset("lab_tasks.csv", make_lab_tasks, "migration plan with three-point estimates and dependencies (lab 5)",
                {"keep_default_na": False})

DATASETS: list[Dataset] = [RISKS, TASKS]
