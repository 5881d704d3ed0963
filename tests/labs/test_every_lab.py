"""Rules every lab keeps, checked for all labs at once:

- every task's check is called in its lab notebook, and every call names a
  registered task; answers live only in cells tagged ``solution``;
- with the reference solutions every check prints ✅ (the stored outputs,
  which nbval proves current);
- with the solutions replaced by placeholders the notebook runs top to
  bottom without an exception and every check prints ❌, never ✅;
- no input a learner can type makes a check raise (hypothesis).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbclient import NotebookClient

from tpmcourse import checks
from tpmcourse.instructor import strip
from tpmcourse.paths import EXERCISES

LABS = sorted(EXERCISES.glob("lab*.ipynb"))
CALL = re.compile(r"""check\(\s*["']([a-z0-9_]+\.[a-z0-9_-]+)["']""")


def check_cells(nb):
    return [(call[1], c) for c in nb.cells
            if c.cell_type == "code" and (call := CALL.search(c.source))]


def lab_id(path: Path) -> str:
    return path.stem.split("_", 1)[1]


def output_text(cell) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def test_there_are_five_labs_with_tasks():
    assert len(LABS) >= 5, [p.name for p in LABS]
    for path in LABS:
        assert checks.tasks(lab_id(path)), f"{path.name}: no tasks registered for {lab_id(path)!r}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_every_task_is_checked_once_in_its_notebook(path):
    nb = nbformat.read(path, as_version=4)
    called = [tid for tid, _ in check_cells(nb)]
    registered = [t.id for t in checks.tasks(lab_id(path))]
    assert sorted(called) == sorted(registered), f"{path.name}: checks called {called}, tasks {registered}"
    assert any(strip.is_solution(c) for c in nb.cells), f"{path.name}: no cell tagged solution"
    unfolded = [i for i, c in enumerate(nb.cells) if strip.is_solution(c) and c.cell_type == "code"
                and "hide-cell" not in c.metadata.get("tags", [])]
    assert not unfolded, f"{path.name}: solution cells {unfolded} are not folded in the book (tag hide-cell)"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_reference_solutions_pass_every_check(path):
    nb = nbformat.read(path, as_version=4)
    for tid, cell in check_cells(nb):
        assert output_text(cell).startswith(checks.PASS), f"{path.name} {tid}: {output_text(cell)[:300]}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_placeholders_run_and_every_check_fails(path, tmp_path):
    student = strip.strip_solutions(nbformat.read(path, as_version=4))
    client = NotebookClient(student, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError if any cell fails
    errors = [o for c in student.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert not errors
    for tid, cell in check_cells(student):
        text = output_text(cell)
        assert text.startswith(checks.FAIL), f"{path.name} {tid} with a placeholder: {text[:300]}"


JUNK = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just(pd.DataFrame()), st.just(pd.Series(dtype=float)),
    st.just(pd.DataFrame({"x": [np.nan, 1.0]})), st.just(np.array([np.nan])),
    st.builds(lambda n, v: pd.DataFrame({"id": list(range(n)), "value": [v] * n}),
              st.integers(0, 4), st.floats(allow_nan=True)),
)


@pytest.mark.parametrize("task", checks.tasks(), ids=lambda t: t.id)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_junk_answers_fail_with_a_message_never_an_exception(task, data):
    answers = [data.draw(JUNK) for _ in task.variables]
    result = checks.evaluate(task.id, *answers)
    assert result.passed is False, f"{task.id} accepted {answers!r}"
    assert result.line.startswith(checks.FAIL + " ") and len(result.message) > 10
