"""End to end, as an instructor would: hand out every lab, collect a class
folder (reference answers, blank, half done, and hostile submissions), grade
it, and check the CSV row by row."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from classroom import filled
from tpmcourse import labs
from tpmcourse.instructor import cli
from tpmcourse.instructor import strip as assign
from tpmcourse.instructor.grade.report import feedback_filename

LABS = labs.labs()
POSSIBLE = {lab.id: sum(t.points for t in lab.tasks if t.kind == "auto") for lab in LABS}


def with_cell(student_nb, source: str, at: int = 1):
    nb = nbformat.from_dict(json.loads(json.dumps(student_nb)))
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    return nb


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "handout"
    assert cli.main(["assign", "--all", "--out", str(out)]) == 0
    return out


def test_handout_has_every_lab_data_readme_and_zip(handout):
    names = sorted(p.name for p in handout.glob("*.ipynb"))
    assert names == sorted(lab.notebook.name for lab in LABS)
    for lab in LABS:
        for data in lab.data_files():
            assert (handout / "data" / data).exists(), data
    assert "check" in (handout / "README.md").read_text()
    with zipfile.ZipFile(handout.with_suffix(".zip")) as zf:
        assert {Path(n).name for n in zf.namelist()} >= set(names) | {"README.md"}


def test_no_trace_of_any_solution_in_the_handout(handout):
    text = "\n".join(p.read_text(encoding="utf-8", errors="ignore")
                     for p in handout.rglob("*") if p.suffix in (".ipynb", ".md"))
    checked = 0
    for lab in LABS:
        nb = nbformat.read(lab.notebook, as_version=4)
        given = "\n".join(c.source for c in nb.cells if not assign.is_solution(c))
        for cell in nb.cells:
            if not assign.is_solution(cell):
                continue
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) > 25 and not line.startswith(("#", "from ", "import ")) and line not in given:
                    checked += 1
                    assert json.dumps(line)[1:-1] not in text, f"{lab.id}: solution line leaked: {line}"
    assert checked > 100
    for path in handout.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
        assert "widgets" not in nb.metadata and nb.metadata["tpmcourse"]["lab"]
        assert not any("Model answer" in c.source or "{solution}" in c.source for c in nb.cells)


def test_assign_refuses_unknown_labs_and_used_folders(handout, capsys):
    assert cli.main(["assign", "nosuchlab", "--out", str(handout.parent / "x")]) == 2
    assert "no lab called 'nosuchlab'" in capsys.readouterr().err
    assert cli.main(["assign", "metrics", "--out", str(handout)]) == 2
    assert "not empty" in capsys.readouterr().err


@pytest.fixture(scope="module")
def graded(handout, tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    outside = root / "precious.txt"
    outside.write_text("do not delete")
    students = {lab.id: nbformat.read(handout / lab.notebook.name, as_version=4) for lab in LABS}
    for lab in LABS:
        for who, nb in [("ada", filled(students[lab.id], lab)), ("bo", students[lab.id]),
                        ("cy", filled(students[lab.id], lab, 0.5))]:
            (subs / who).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, subs / who / lab.notebook.name)
    lab = labs.find("metrics")
    good = filled(students["metrics"], lab)
    hostile = {
        "invalid": None,
        "loops": with_cell(good, "while True:\n    pass"),
        "raises": with_cell(good, "raise RuntimeError('oops')", at=len(good.cells) - 3),
        "chatty": with_cell(good, "print('x' * 3_000_000)"),
        "writer": with_cell(good, f"open({str(root / 'pwned.txt')!r}, 'w').write('pwned')"),
        "deleter": with_cell(good, f"import os\nos.remove({str(outside)!r})"),
        "cheater": with_cell(students["metrics"],
                             "import tpmcourse.checks as c\n"
                             "c.evaluate = lambda tid, *a: c.Result(tid, True, 'all good')\n"
                             "c.check = c.evaluate"),
    }
    for who, nb in hostile.items():
        path = subs / f"{who}_lab2_metrics.ipynb"
        if nb is None:
            path.write_text('{"cells": [oops')
        else:
            nbformat.write(nb, path)
    out = root / "grades.csv"
    assert cli.main(["grade", str(subs), "--out", str(out), "--cell-timeout", "10", "--timeout", "240"]) == 0
    rows = {(r["student"], r["lab"] or r["file"]): r for r in csv.DictReader(out.open(encoding="utf-8"))}
    return rows, root, outside


def test_reference_answers_get_full_marks(graded):
    rows, *_ = graded
    for lab in LABS:
        row = rows[("ada", lab.id)]
        assert row["status"] == "graded", row
        assert int(row["total"]) == int(row["possible"]) == POSSIBLE[lab.id], row


def test_blank_notebooks_get_zero(graded):
    rows, *_ = graded
    for lab in LABS:
        row = rows[("bo", lab.id)]
        assert (row["status"], int(row["total"])) == ("graded", 0), row


def test_half_done_notebooks_get_partial_credit(graded):
    rows, *_ = graded
    for lab in LABS:
        row = rows[("cy", lab.id)]
        assert row["status"] == "graded", row
        assert 0 < int(row["total"]) < POSSIBLE[lab.id], row


def test_hostile_submissions_get_their_status_and_no_free_points(graded):
    rows, root, outside = graded
    full = POSSIBLE["metrics"]
    assert rows[("invalid", "invalid_lab2_metrics.ipynb")]["status"] == "invalid"
    assert "not a valid notebook" in rows[("invalid", "invalid_lab2_metrics.ipynb")]["message"]
    loops = rows[("loops", "metrics")]
    assert loops["status"] == "timeout" and "interrupted" in loops["message"]
    raises = rows[("raises", "metrics")]
    assert raises["status"] == "error" and "RuntimeError: oops" in raises["message"]
    chatty = rows[("chatty", "metrics")]
    assert chatty["status"] == "error" and "printed more than" in chatty["message"]
    # The class folder does not exist in a submission's sandbox: the write and
    # the delete fail there, and the row says so (tests/instructor/test_isolation.py
    # tries much harder).
    writer = rows[("writer", "metrics")]
    assert writer["status"] == "error" and "raised FileNotFoundError" in writer["message"], writer
    assert not (root / "pwned.txt").exists()
    deleter = rows[("deleter", "metrics")]
    assert deleter["status"] == "error" and "raised FileNotFoundError" in deleter["message"], deleter
    assert outside.read_text() == "do not delete"
    for who in ("loops", "raises", "chatty", "writer", "deleter"):
        assert int(rows[(who, "metrics")]["total"]) == full, who  # their answers were right
    cheater = rows[("cheater", "metrics")]
    assert int(cheater["total"]) == 0, cheater


def test_feedback_report_per_student(graded):
    _, root, _ = graded
    text = (root / "grades_feedback" / feedback_filename("cy")).read_text(encoding="utf-8")
    assert text.startswith("# Feedback for cy") and "| Correct |" in text and "| Not yet |" in text
    assert not re.search("[\u2705\u274c\u2714\u2716\U0001F300-\U0001FAFF]", text), "an emoji needs an emoji font"
    assert "not answered yet" in text


def test_a_check_cell_run_in_the_sandbox_says_the_grader_checks_it(monkeypatch):
    """The labs' check modules are hidden from submissions, so a check cell run
    while grading cannot check; it says so instead of naming no task."""
    from tpmcourse import checks
    from tpmcourse.instructor.grade import sandbox

    env = sandbox.kernel_environment()
    assert env[checks.GRADING_ENV] == "1"
    monkeypatch.setattr(checks, "REGISTRY", {})
    monkeypatch.setattr(checks, "_load_labs", lambda: None)
    monkeypatch.setenv(checks.GRADING_ENV, "1")
    assert "Checked by the grader once your notebook has run" in checks.evaluate("metrics.lift", 1.0).message
    monkeypatch.delenv(checks.GRADING_ENV)
    assert "There is no task called 'metrics.lift'" in checks.evaluate("metrics.lift", 1.0).message
