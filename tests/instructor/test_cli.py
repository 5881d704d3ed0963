"""The tpmcourse command: clear messages and exit codes, never a traceback."""

from __future__ import annotations

import shutil

import nbformat

from tpmcourse.instructor import cli
from tpmcourse.paths import ROOT


def test_outputs_refreshes_a_notebook(tmp_path, capsys):
    copy = tmp_path / "tiny.ipynb"
    nb = nbformat.read(ROOT / "tests" / "fixtures" / "tiny.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(nb, copy)
    assert cli.main(["outputs", str(copy)]) == 0
    refreshed = nbformat.read(copy, as_version=4)
    assert refreshed.cells[1].outputs[0]["text"] == "the answer is 42\n"
    assert "1 of 1 notebooks executed" in capsys.readouterr().out


def test_outputs_reports_bad_paths_and_failing_notebooks(tmp_path, capsys):
    broken = tmp_path / "broken.ipynb"
    shutil.copy(ROOT / "tests" / "fixtures" / "tiny.ipynb", broken)
    nb = nbformat.read(broken, as_version=4)
    nb.cells[1].source = "1 / 0"
    nbformat.write(nb, broken)
    code = cli.main(["outputs", str(tmp_path / "missing.ipynb"), str(broken)])
    err = capsys.readouterr().err
    assert code == 1
    assert "missing.ipynb: not a notebook file" in err
    assert "broken.ipynb: CellExecutionError" in err
