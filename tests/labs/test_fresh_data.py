"""Grading on fresh data: answers copied from the course's data earn nothing,
honest code earns everything.

Each lab's reference solution (the notebook's code cells, check calls left
out) runs twice in this process, the way a learner's notebook runs: once on
the course's committed data, once in a folder whose ``data/`` holds a variant
written with an instructor's seed (``datasets.write_all(folder, seed)``).
Then, under ``datasets.reading_from(folder)``, so that the expected answers
come from the variant:

- every task's answer computed on the variant passes its check;
- every task marked ``varies_with_data`` fails with the answer computed on
  the committed data (a copied or hard-coded answer), and every task not
  marked so passes with it (its right answer really does not change).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classroom import run_solution
from tpmcourse import checks, datasets, labs

#: Instructor seeds: any integer makes a variant; these two are the ones tested.
SEEDS = (101, 20260)
TASKS = checks.tasks()


def answers(namespace: dict[str, Any], task: checks.Task) -> list[Any]:
    return [namespace[name] for name in task.variables]


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """Each lab's answers computed on the course's own data."""
    folder = tmp_path_factory.mktemp("course")
    return {lab.id: run_solution(lab, folder) for lab in labs.labs()}


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def fresh(request, tmp_path_factory) -> tuple[Path, dict[str, dict[str, Any]]]:
    """A bundle whose data/ is the variant of ``seed``, and each lab's answers computed on it."""
    folder = tmp_path_factory.mktemp(f"fresh{request.param}")
    datasets.write_all(folder / "data", seed=request.param)
    return folder / "data", {lab.id: run_solution(lab, folder) for lab in labs.labs()}


def test_some_tasks_do_not_vary_and_most_do():
    fixed = [t.id for t in TASKS if not t.varies_with_data]
    assert all(t.varies_with_data for t in TASKS if t.kind == "auto" and t.id not in fixed)
    assert {t.id for t in TASKS if t.kind == "written"} <= set(fixed)
    assert len(fixed) < len(TASKS) / 3, fixed


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.id)
def test_answers_computed_on_fresh_data_pass(fresh, task):
    data, answered = fresh
    with datasets.reading_from(data):
        result = checks.evaluate(task.id, *answers(answered[task.id.split(".")[0]], task))
    assert result.passed, result.message


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.id)
def test_copied_answers_fail_exactly_where_the_data_varies(fresh, committed, task):
    data, _ = fresh
    copied = answers(committed[task.id.split(".")[0]], task)
    assert checks.evaluate(task.id, *copied).passed, "the committed answer fails on the committed data"
    with datasets.reading_from(data):
        result = checks.evaluate(task.id, *copied)
    if task.varies_with_data:
        assert not result.passed, f"{task.id} varies with the data, but the copied answer passes: {result.message}"
    else:
        assert result.passed, f"{task.id} is marked as not varying, but the copied answer fails: {result.message}"
