"""The grading tier (tests/tiers.py): a test that runs submissions in the sandbox is
marked, whether it grades itself, through a fixture, or through a helper of its
module; ``make check`` leaves the tier out; and a sandbox started by an unmarked
test fails that test (the rule reads source, so a call it cannot see is caught)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tiers import grades, grading_functions, guard
from tpmcourse.paths import ROOT

SAMPLE = '''
import pytest
from tpmcourse.instructor import cli
from tpmcourse.instructor.grade import grade_one, sandbox

def grade_folder(folder):
    return cli.main(["grade", str(folder), "--out", "g.csv"])

def helper_of_helper(folder):
    return grade_folder(folder)

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return helper_of_helper(tmp_path_factory.mktemp("x"))

@pytest.fixture()
def plain():
    return 1

def test_through_a_fixture(graded):
    assert graded == 0

def test_direct(tmp_path):
    assert grade_one("ada", tmp_path / "x.ipynb").status

def test_probe():
    assert sandbox.probe().ok

def test_subprocess():
    subprocess.run([sys.executable, "-m", "tpmcourse", "grade", "subs"])

def test_assign_only(plain):
    assert cli.main(["assign", "metrics", "--out", "x"]) == 0
'''


def test_the_rule_follows_fixtures_helpers_and_the_command(tmp_path):
    path = tmp_path / "test_sample.py"
    path.write_text(SAMPLE, encoding="utf-8")
    assert grading_functions(path) == {"grade_folder", "helper_of_helper", "graded", "test_direct", "test_probe",
                                       "test_subprocess"}
    assert grades(path, "test_through_a_fixture", ("graded", "tmp_path_factory"))
    assert not grades(path, "test_assign_only", ("plain",))
    assert not grades(tmp_path / "chapter.ipynb", "Cell 0", ())


def test_a_sandbox_started_outside_the_tier_fails_the_test():
    with pytest.raises(AssertionError, match=r"not in the grading tier: mark it @pytest\.mark\.grading"):
        guard(False, "tests/x.py::test_y")
    guard(True, "tests/x.py::test_y")


def test_the_guard_is_on_in_the_suite():
    """This test is outside the tier, so a sandbox it starts through a call the rule cannot read
    (here, a name put together at run time) fails before anything starts."""
    from tpmcourse.instructor.grade import runner

    start = getattr(runner, "run" + "_job")  # not a call the rule can read, as a helper elsewhere would be
    with pytest.raises(AssertionError, match=r"test_the_guard_is_on_in_the_suite runs a submission in the sandbox"):
        start({"mode": "probe"}, timeout=1)


def test_make_check_leaves_the_slow_tiers_out():
    """What make check runs, as make itself expands it (-n: printed, not run)."""
    recipe = subprocess.run(["make", "-n", "--no-print-directory", "check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60).stdout
    assert '-m "not browser and not book and not grading"' in recipe
    assert "lint" in recipe and "--nbval" in recipe


def test_make_checks_selection_leaves_out_the_graders_and_the_book_even_unbuilt(tmp_path):
    """Collected as make check collects them, on a clone where no book is built yet: the class
    gradings are left out and the hand-out and CLI tests kept; nothing in tests/book/ fails to
    collect, and all of it is left out (a fresh clone's make check found two that were not)."""
    import os

    env = {**os.environ, "TPM_BOOK_HTML": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "pytest", "tests/instructor", "tests/book", "--collect-only", "-q",
                          "-m", "not browser and not book and not grading", "-p", "no:cacheprovider",
                          "-p", "no:xdist"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0 and "ERROR" not in run.stdout, run.stdout[-3000:]
    collected = {line.split("[")[0] for line in run.stdout.splitlines() if "::" in line}
    for graded in ("test_grade.py::test_reference_answers_get_full_marks",
                   "test_isolation.py::test_no_network",
                   "test_distributed.py::test_every_submission_has_a_row_and_the_cluster_grades_as_this_machine_does",
                   "test_fresh_grading.py::test_fresh_data_folders_are_removed",
                   "test_report.py::test_real_grading_leaves_nothing_in_the_temporary_folder"):
        assert f"tests/instructor/{graded}" not in collected, graded
    for plain in ("test_grade.py::test_handout_has_every_lab_data_readme_and_zip",
                  "test_distributed.py::test_a_grade_travels_back_as_plain_data"):
        assert f"tests/instructor/{plain}" in collected, plain
    assert not [c for c in collected if c.startswith("tests/book/")]
