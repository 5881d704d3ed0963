"""The benchmark's entry point starts (the measurements themselves run in `make bench`)."""

from __future__ import annotations

import subprocess
import sys

from tpmcourse.paths import ROOT


def test_make_bench_entry_point_starts_and_names_its_parts():
    done = subprocess.run([sys.executable, "-m", "tpmcourse.bench", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "--only" in done.stdout and "--no-test" in done.stdout


def test_bench_refuses_an_unknown_part():
    done = subprocess.run([sys.executable, "-m", "tpmcourse.bench", "--only", "everything"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_the_grading_bench_takes_class_sizes_only_for_itself():
    done = subprocess.run([sys.executable, "-m", "tpmcourse.bench", "--only", "metrics", "--sizes", "3"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--sizes goes with --only grading" in done.stderr
    done = subprocess.run([sys.executable, "-m", "tpmcourse.bench", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert "grading" in done.stdout and "--sizes" in done.stdout


def test_a_bench_class_is_copies_of_the_reference_under_varied_names(tmp_path):
    from tpmcourse import labs
    from tpmcourse.bench.grading import make_class
    from tpmcourse.instructor.grade import scan_submissions

    lab = labs.find("reliability")
    folder = make_class(tmp_path / "class", lab, 30)
    found = scan_submissions(folder)
    assert len(found.submissions) == 30 and not found.skipped
    assert len({student for student, _ in found.submissions}) == 30
    assert all(path.read_bytes() == lab.notebook.read_bytes() for _, path in found.submissions)
