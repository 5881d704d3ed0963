"""``tpmcourse grade --fresh-data`` end to end, on the real grader and its sandbox.

Two labs, three learners each: ``honest`` hands in the reference code,
``copier`` hands in a blank student copy plus one cell that sets every answer
to the exact values the reference computes on the course's data (what a
learner copies from the book, from stored outputs or from a classmate), and
``blank`` hands in the student copy. Graded on the course's data, the copier
earns full marks, which shows that its answers are faithful copies. Graded
with ``--fresh-data``, honest code keeps full marks and the copier earns
only the points of the tasks whose answer does not depend on the data.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import pickle
import re
import tempfile
from pathlib import Path

import nbformat
import pytest

from classroom import filled, run_solution
from tpmcourse import labs
from tpmcourse.instructor import cli

LABS = [labs.find("metrics"), labs.find("reliability")]
SEED = 4242


def copied_answers_cell(lab: labs.Lab) -> str:
    """A code cell setting every answer of ``lab`` to the value its reference
    computes on the course's data, byte for byte (pickled, so tables keep
    their index and types)."""
    with tempfile.TemporaryDirectory() as folder:
        namespace = run_solution(lab, Path(folder))
    names = sorted({name for task in lab.tasks for name in task.variables})
    lines = ["import pickle"]
    lines += [f"{name} = pickle.loads({pickle.dumps(namespace[name])!r})" for name in names]
    return "\n".join(lines)


def rows_of(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["student"], r["lab"]): r for r in csv.DictReader(path.open(encoding="utf-8"))}


def auto_points(lab: labs.Lab, row: dict[str, str], varying: bool | None = None) -> int:
    return sum(int(row[t.id]) for t in lab.tasks
               if t.kind == "auto" and (varying is None or t.varies_with_data == varying))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("fresh-class")
    handout = root / "handout"
    assert cli.main(["assign", *[lab.id for lab in LABS], "--out", str(handout)]) == 0
    subs = root / "submissions"
    for lab in LABS:
        student = nbformat.read(handout / lab.notebook.name, as_version=4)
        copier = nbformat.from_dict(json.loads(json.dumps(student)))
        copier.cells.append(nbformat.v4.new_code_cell(copied_answers_cell(lab)))
        for who, nb in [("honest", filled(student, lab)), ("copier", copier), ("blank", student)]:
            (subs / who).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, subs / who / lab.notebook.name)
    before = set(Path(tempfile.gettempdir()).glob("tpm-fresh-data-*"))
    plain, fresh = root / "plain.csv", root / "fresh.csv"
    assert cli.main(["grade", str(subs), "--out", str(plain), "--timeout", "300"]) == 0
    return subs, plain, fresh, before


@pytest.fixture(scope="module")
def fresh_run(graded):
    """The same class graded on fresh data: exit status, the summary printed, /tmp before."""
    subs, _, fresh, before = graded
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = cli.main(["grade", str(subs), "--out", str(fresh), "--timeout", "300", "--fresh-data",
                           "--seed", str(SEED)])
    return status, printed.getvalue(), before


def test_copied_answers_are_faithful_on_the_course_data(graded):
    _, plain, *_ = graded
    rows = rows_of(plain)
    for lab in LABS:
        possible = sum(t.points for t in lab.tasks if t.kind == "auto")
        assert auto_points(lab, rows[("copier", lab.id)]) == possible, rows[("copier", lab.id)]
        assert auto_points(lab, rows[("honest", lab.id)]) == possible, rows[("honest", lab.id)]


def test_on_fresh_data_honest_code_passes_and_copies_earn_nothing_that_varies(graded, fresh_run):
    _, _, fresh, _ = graded
    status, _, _ = fresh_run
    assert status == 0
    rows = rows_of(fresh)
    for lab in LABS:
        possible = sum(t.points for t in lab.tasks if t.kind == "auto")
        honest, copier, blank = (rows[(who, lab.id)] for who in ("honest", "copier", "blank"))
        assert honest["status"] == "graded" and auto_points(lab, honest) == possible, honest
        assert auto_points(lab, copier, varying=True) == 0, copier
        fixed = sum(t.points for t in lab.tasks if t.kind == "auto" and not t.varies_with_data)
        assert auto_points(lab, copier, varying=False) == fixed, copier
        assert auto_points(lab, blank) == 0, blank
    assert any(not t.varies_with_data and t.kind == "auto" for lab in LABS for t in lab.tasks), \
        "one lab should show a task that fresh data cannot change"


def test_the_seed_is_told_to_the_instructor_only(graded, fresh_run):
    _, _, fresh, _ = graded
    _, printed, _ = fresh_run
    assert f"seed {SEED}" in printed and f"--fresh-data --seed {SEED}" in printed
    report = fresh.with_name("fresh_report.html").read_text(encoding="utf-8")
    assert f"seed {SEED}" in report
    for path in fresh.with_name("fresh_feedback").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "fresh data" in text and str(SEED) not in text, path.name
    assert str(SEED) not in fresh.read_text(encoding="utf-8")


def test_fresh_data_folders_are_removed(graded, fresh_run):
    *_, before = fresh_run
    left = set(Path(tempfile.gettempdir()).glob("tpm-fresh-data-*")) - before
    assert not left, left


@pytest.mark.parametrize("argv, message", [
    (["--seed", "7"], "add --fresh-data"),
    (["--fresh-data", "--seed", "0"], "whole number from 1"),
    (["--fresh-data", "--seed", str(2**40)], "whole number from 1"),
])
def test_bad_seed_options_are_refused_before_grading(tmp_path, capsys, argv, message):
    (tmp_path / "subs").mkdir()
    assert cli.main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "g.csv"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


def test_a_lab_that_reads_fresh_data_gets_other_numbers(tmp_path):
    """The folders the sandbox is given really differ from the course's data."""
    from tpmcourse.instructor.grade import fresh
    from tpmcourse.paths import DATA

    lab = LABS[0]
    try:
        files, folder = fresh.data_files(lab, SEED)
        assert folder is not None and set(files) == set(lab.data_files())
        for name, path in files.items():
            assert Path(path).read_bytes() != (DATA / name).read_bytes(), name
            assert not re.search(str(SEED), path)
        assert fresh.data_files(lab, None) == ({n: str(DATA / n) for n in lab.data_files()}, None)
    finally:
        fresh.cleanup()
    assert not folder.exists()
