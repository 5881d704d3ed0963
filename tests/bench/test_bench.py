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
