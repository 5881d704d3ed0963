"""Every submission's sandbox is started by a runner process of its own
(tpmcourse/instructor/grade/runner.py), so what the runner imports is paid
once per submission: it must not import the data stack or nbformat, which
it never uses (0.4 s of a 2 s submission when it did)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "numpy", "nbformat", "jsonschema", "scipy", "matplotlib", "duckdb")


def test_the_runner_imports_nothing_heavy():
    probe = ("import json, sys, tpmcourse.instructor.grade.runner\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_the_probe_sees_a_heavy_import():
    """The test above can fail: the same probe notices pandas once something imports it."""
    probe = ("import json, sys, tpmcourse.instructor.grade.runner, tpmcourse.instructor.grade.answers\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "pandas" in json.loads(out)
