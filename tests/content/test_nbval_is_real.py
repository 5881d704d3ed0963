"""nbval's comparison is what keeps the book honest: the book shows stored
outputs, and nbval proves they are what the code produces. This test proves
the proof: a notebook whose stored output was altered must fail nbval."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat

from tpmcourse.paths import ROOT

SOURCE = ROOT / "tests" / "fixtures" / "tiny.ipynb"


def run_nbval(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         "-p", "no:cacheprovider", "-q"],
        capture_output=True, text=True, cwd=path.parent, timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},  # the summary line is read
    )


def test_unchanged_notebook_passes(tmp_path):
    copy = tmp_path / "unchanged.ipynb"
    shutil.copy(SOURCE, copy)
    result = run_nbval(copy)
    assert result.returncode == 0, result.stdout[-2000:]


def test_a_changed_stored_output_fails(tmp_path):
    nb = nbformat.read(SOURCE, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.outputs)
    output = cell.outputs[0]
    if "text" in output:
        output["text"] = output["text"].replace("42", "43")
    else:
        output["data"]["text/plain"] = output["data"]["text/plain"].replace("42", "43")
    copy = tmp_path / "tampered.ipynb"
    nbformat.write(nb, copy)
    result = run_nbval(copy)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout


def test_every_chapter_notebook_is_collected_by_make_test():
    makefile = (ROOT / "Makefile").read_text()
    recipe = subprocess.run(["make", "-n", "--no-print-directory", "test"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60).stdout  # as make expands it (-n: printed, not run)
    assert "--nbval " in recipe and "chapters" in recipe and "exercises" in recipe
    assert "--nbval-lax" not in makefile
