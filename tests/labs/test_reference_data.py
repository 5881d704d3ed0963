"""Expected answers come from the course's own data, wherever the kernel starts.

A student bundle has its own ``data/`` beside the notebook, which
``data_file`` prefers; a learner may have edited it. The checks must still
judge against the course's copy (``paths.course_data``). Each case below runs
in a fresh process whose current directory holds a doctored ``data/`` file:
the answer computed from the course's data passes, the one computed from the
doctored copy fails.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tpmcourse.paths import course_data

# file -> how to doctor it, so that every answer computed from it changes
DOCTORED = {
    "lab_backlog.csv": lambda df: df.assign(reach=df["reach"] * 3),
    "lab_events.csv": lambda df: df.iloc[len(df) // 3:],
    "lab_latency.csv": lambda df: df.assign(latency_ms=df["latency_ms"] + 250),
    "lab_screening.csv": lambda df: df.assign(approved=1),
    "lab_risks.csv": lambda df: df.assign(probability=df["probability"] / 2),
}

# One task per lab, answered from `pd.read_csv(source(file))` the way the notebook would.
ANSWER = r'''
import json, sys
import pandas as pd
from tpmcourse.checks import evaluate
from tpmcourse.fairness import disparate_impact_ratio
from tpmcourse.labs.lab2_metrics_helpers import funnel_pandas
from tpmcourse.paths import course_data, data_file
from tpmcourse.prioritization import rank, rice

def answers(source):
    backlog = pd.read_csv(source("lab_backlog.csv"), keep_default_na=False)
    events = pd.read_csv(source("lab_events.csv"))
    latency = pd.read_csv(source("lab_latency.csv"))["latency_ms"]
    screening = pd.read_csv(source("lab_screening.csv"))
    risks = pd.read_csv(source("lab_risks.csv"))
    ratio = disparate_impact_ratio(screening, "legal_form", "approved")
    cost = risks["probability"] * risks["cost_if_occurs"]
    return {
        "prioritization.rice": [backlog[["id"]].assign(rice=rice(backlog), rice_rank=rank(rice(backlog)))],
        "metrics.funnel_counts": [funnel_pandas(events)[["step", "users"]]],
        "reliability.percentiles": list(latency.quantile([0.5, 0.95, 0.99])),
        "ethics.four_fifths": [ratio, bool(ratio >= 0.8)],
        "planning.expected_cost": [risks[["id"]].assign(expected_cost=cost), float(cost.sum())],
    }

doctored = {name: str(data_file(name)) for name in sys.argv[1:]}
course, local = answers(course_data), answers(data_file)
print(json.dumps({"reads": doctored,
                  "course": {t: evaluate(t, *a).passed for t, a in course.items()},
                  "local": {t: evaluate(t, *a).passed for t, a in local.items()}}))
'''


@pytest.fixture(scope="module")
def run_in_bundle(tmp_path_factory):
    """Run the answers in a folder whose data/ holds the doctored files."""
    folder = tmp_path_factory.mktemp("bundle")
    (folder / "data").mkdir()
    for name, doctor in DOCTORED.items():
        doctor(pd.read_csv(course_data(name))).to_csv(folder / "data" / name, index=False)
    out = subprocess.run([sys.executable, "-c", ANSWER, *DOCTORED], cwd=folder, check=True,
                         capture_output=True, text=True)
    return folder, json.loads(out.stdout.strip().splitlines()[-1])


def test_the_bundle_really_shadows_the_course_data(run_in_bundle):
    folder, result = run_in_bundle
    assert result["reads"] == {name: str(folder / "data" / name) for name in DOCTORED}


@pytest.mark.parametrize("task", ["prioritization.rice", "metrics.funnel_counts", "reliability.percentiles",
                                  "ethics.four_fifths", "planning.expected_cost"])
def test_reference_answers_ignore_the_current_directory(run_in_bundle, task):
    _, result = run_in_bundle
    assert result["course"][task], f"{task}: the course's right answer fails when run beside a doctored data/"
    assert not result["local"][task], f"{task}: an answer from the doctored data/ passes, so the check read it"
