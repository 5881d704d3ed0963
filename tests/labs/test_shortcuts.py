"""Shortcuts: the course helpers that compute a task's answer in one call are
found in a cell's code however they are imported or called, the helpers a
task offers are not, the reference solutions use none, and in Jupyter the
check adds a one-line notice without changing its verdict."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tpmcourse import checks, labs
from tpmcourse.instructor import strip
from tpmcourse.labs import shortcuts
from tpmcourse.paths import EXERCISES

H2 = "tpmcourse.labs.lab2_metrics_helpers"

#: task -> a cell that answers it with a ruled-out helper, and the helper it must name
H1 = "tpmcourse.labs.lab1_prioritization_helpers"
H3 = "tpmcourse.labs.lab3_reliability_helpers"


def code(*lines: str) -> str:
    return "\n".join(lines)


SHORTCUTS = {
    "prioritization.weighted": (code(f"from {H1} import weighted_score",
                                     "weighted = backlog.assign(weighted_score=weighted_score(backlog, w))"),
                                "weighted_score"),
    "prioritization.greedy": (code(f"import {H1} as h", "greedy_pick = h.greedy_pick(order, efforts, 21)"),
                              "greedy_pick"),
    "prioritization.optimum": (code("from tpmcourse.labs import lab1_prioritization",
                                    "best_pick = lab1_prioritization.best_expected()"), "best_expected"),
    "prioritization.order": (code(f"from {H1} import topological_order as topo", "build_order = topo(items, deps)"),
                             "topological_order"),
    "metrics.funnel_counts": (code(f"from {H2} import funnel_pandas", "step_users = funnel_pandas(events)"),
                              "funnel_pandas"),
    "metrics.funnel_rates": (code(f"import {H2}", f"funnel = {H2}.funnel_pandas(events)"), "funnel_pandas"),
    "metrics.retention": (code(f"from {H2} import *", "retention = cohorts_pandas(events)"), "cohorts_pandas"),
    "metrics.sql_funnel": (code(f"from {H2} import FUNNEL_SQL", "funnel_sql = duckdb.sql(FUNNEL_SQL).df()"),
                           "FUNNEL_SQL"),
    "metrics.sql_cohorts": (code("import importlib", f"m = importlib.import_module('{H2}')",
                                 "cohorts_sql = m.cohorts_duckdb(p)"), "cohorts_duckdb"),
    "metrics.lift": (code("from tpmcourse.labs.lab2_metrics import expected_lift", "lift = expected_lift()"),
                     "expected_lift"),
    "metrics.p_value": (code("import tpmcourse.labs.lab2_metrics as m", "p_value = getattr(m, 'expected_p_value')()"),
                        "expected_p_value"),
    "reliability.percentiles": (code(f"from {H3} import latency_percentiles",
                                     "p50, p95, p99 = latency_percentiles(log['latency_ms'])"), "latency_percentiles"),
    "reliability.availability": (code("from tpmcourse.labs import lab3_reliability_helpers as r",
                                      "avail = r.availability(log)"), "availability"),
    "reliability.dora": (code(f"from {H3} import dora_metrics", "dora = dora_metrics(deployments, incidents)"),
                         "dora_metrics"),
    "ethics.stop_collecting": (code("from tpmcourse.labs.lab4_ethics_helpers import fields_without_purpose",
                                    "stop_collecting = fields_without_purpose()"), "fields_without_purpose"),
    "planning.simulation": (code("from tpmcourse.labs.lab5_planning_helpers import simulate",
                                 "sim_days = simulate(tasks, N_SIMS, SEED)"), "simulate"),
    "planning.mitigations": (code("from tpmcourse.labs.lab5_planning import mitigation_table",
                                  "worth_buying = list(mitigation_table(risks).query('buy').id)"), "mitigation_table"),
}


@pytest.mark.parametrize("task_id", sorted(SHORTCUTS))
def test_a_ruled_out_helper_is_found_however_it_is_reached(task_id):
    source, helper = SHORTCUTS[task_id]
    found = shortcuts.shortcut_calls(task_id, source)
    assert any(name.endswith("." + helper) for name in found), found


def test_helpers_a_task_offers_are_not_shortcuts():
    assert shortcuts.shortcut_calls("planning.pert", "estimates = pert_table(tasks)",
                                    {"pert_table": "tpmcourse.risk.pert_table"}) == []
    assert shortcuts.shortcut_calls("planning.critical_path",
                                    code("from tpmcourse.labs.lab5_planning_helpers import critical_path",
                                         "path = critical_path(tasks, means)")) == []
    assert shortcuts.shortcut_calls("ethics.sweep",
                                    code("from tpmcourse.labs.lab4_ethics_helpers import group_threshold_sweep",
                                         "sweep = group_threshold_sweep(s, 'a', 'b', 'c', 'd', t, {})")) == []
    # a helper is ruled out only for the task that asks to build it
    assert shortcuts.shortcut_calls("metrics.lift", f"from {H2} import funnel_pandas") == []


def test_a_namespace_resolves_names_imported_in_other_cells():
    from tpmcourse.labs.lab2_metrics_helpers import funnel_pandas

    found = shortcuts.shortcut_calls("metrics.funnel_counts", "step_users = fp(events)[['step', 'users']]",
                                     {"fp": funnel_pandas, "events": object()})
    assert found == [f"{H2}.funnel_pandas"]
    assert shortcuts.shortcut_calls("metrics.funnel_counts", "this is not python (") == []


def test_many_tasks_rule_out_a_helper_and_every_task_rules_out_the_reference_answers():
    auto = [t for t in checks.tasks() if t.kind == "auto"]
    assert sum(bool(t.shortcuts) for t in auto) >= 18
    modules = {lab.module for lab in labs.labs()}
    for task in checks.tasks():
        assert modules <= set(shortcuts.forbidden(task.id))
        for name in task.shortcuts:
            assert shortcuts.canonical(name) != name or "." in name  # names a real object or a constant


def test_answer_cell_is_the_last_cell_that_assigns_an_answer():
    cells = ["x = 1", "y = 2", "for i in range(3):\n    x = i", "def f():\n    x = 5", "print(x)"]
    assert shortcuts.answer_cell(["x"], cells) == 2
    assert shortcuts.answer_cell(["z"], cells) is None


@pytest.mark.parametrize("lab", labs.labs(), ids=lambda lab: lab.id)
def test_reference_solutions_use_no_shortcut(lab):
    nb = nbformat.read(lab.notebook, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert shortcuts.graded_shortcuts([t.id for t in lab.tasks], sources) == {}


def test_a_notebook_is_read_cell_by_cell_with_its_imports():
    cells = [f"from {H2} import funnel_pandas as fp", "step_users = fp(events)[['step', 'users']]",
             "check('metrics.funnel_counts', step_users)"]
    assert shortcuts.graded_shortcuts(["metrics.funnel_counts"], cells) == {
        "metrics.funnel_counts": [f"{H2}.funnel_pandas"]}


@pytest.mark.parametrize("lab", labs.labs(), ids=lambda lab: lab.id)
def test_each_lab_introduction_names_the_ruled_out_helpers(lab):
    nb = nbformat.read(lab.notebook, as_version=4)
    intro = nb.cells[0].source
    assert shortcuts.POLICY in intro
    for task in lab.tasks:
        for name in task.shortcuts:
            short = name.rsplit(".", 1)[1]
            if short.startswith("_"):
                continue  # private: no learner is told it exists
            assert f"`{short}`" in intro, f"{lab.id}: the introduction does not name {name}"


def test_outside_ipython_the_notice_is_silent():
    assert shortcuts.notice_for_kernel("metrics.funnel_counts") == ""
    result = checks.check("metrics.funnel_counts", None)
    assert result.notice == "" and not result.passed


def test_in_jupyter_check_adds_a_notice_but_keeps_its_verdict(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in (
        code("import pandas as pd", "from tpmcourse.checks import check", "from tpmcourse.paths import data_file",
             f"from {H2} import funnel_pandas", "events = pd.read_csv(data_file('lab_events.csv'))"),
        "step_users = funnel_pandas(events)[['step', 'users']]",
        "check('metrics.funnel_counts', step_users)",
        ("step_users = events.groupby('event')['user_id'].nunique().reindex("
         "['sign_up', 'invoice_sent', 'activation', 'purchase']).rename('users').rename_axis('step').reset_index()"),
        "check('metrics.funnel_counts', step_users)",
    )]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(EXERCISES)}}).execute()

    def shown(cell):
        data = cell.outputs[0]["data"]
        return data["text/plain"], data["text/html"]

    text, page = shown(nb.cells[2])
    assert text.startswith(checks.PASS) and "Note: this answer comes from" in text and "funnel_pandas" in text
    assert "tpm-check-notice" in page and "<code>" in page
    text, page = shown(nb.cells[4])
    assert text.startswith(checks.PASS) and "Note:" not in text


def test_student_copies_still_run_without_notices():
    for lab in labs.labs():
        student = strip.strip_solutions(nbformat.read(lab.notebook, as_version=4))
        sources = [c.source for c in student.cells if c.cell_type == "code"]
        assert shortcuts.graded_shortcuts([t.id for t in lab.tasks], sources) == {}


# --- what the grader uses: graded_shortcuts ------------------------------------------------------

SETUP = "import pandas as pd\nfrom tpmcourse.labs.lab2_metrics_helpers import funnel_pandas, retention_heatmap\n"


@pytest.mark.parametrize("cells, flagged", [
    ([SETUP, "funnel = funnel_pandas(events)"], True),
    ([SETUP, "x = funnel_pandas(events)", "y = x.copy()", "funnel = y"], True),  # followed through two names
    ([SETUP, "import tpmcourse.labs.lab2_metrics_helpers as t\nfunnel = t.funnel_pandas(events)"], True),
    ([SETUP, "funnel = step_users.copy()"], False),  # imported by the set-up cell, never used
    ([SETUP, "check = funnel_pandas(events)", "funnel = step_users.copy()"], False),  # used, not for the answer
])
def test_the_grader_follows_the_answer_back_to_the_helper(cells, flagged):
    found = shortcuts.graded_shortcuts(["metrics.funnel_rates"], cells)
    assert bool(found) is flagged, found
    if flagged:
        assert found == {"metrics.funnel_rates": ["tpmcourse.labs.lab2_metrics_helpers.funnel_pandas"]}


def test_code_that_does_not_parse_is_no_shortcut():
    cells = [SETUP, "funnel = (" * 10_000, "funnel = funnel_pandas(events\x00)"]
    assert shortcuts.graded_shortcuts(["metrics.funnel_rates"], cells) == {}
