"""Submissions made from the labs' reference notebooks, for the grader's tests."""

from __future__ import annotations

import contextlib
import json
import re
import warnings
from pathlib import Path
from typing import Any

import nbformat

from tpmcourse import labs
from tpmcourse.instructor import strip

CHECK_CALL = re.compile(r"""^\s*check\(\s*["']""", re.M)


def reference_sources(lab: labs.Lab) -> dict[str, str]:
    """The lab's solution code cells by cell id."""
    nb = nbformat.read(lab.notebook, as_version=4)
    return {c.id: c.source for c in nb.cells if strip.is_solution(c) and c.cell_type == "code"}


def filled(student_nb: nbformat.NotebookNode, lab: labs.Lab, share: float = 1.0) -> nbformat.NotebookNode:
    """A student copy whose first ``share`` of answer cells hold the reference answers."""
    nb = nbformat.from_dict(json.loads(json.dumps(student_nb)))
    sources = reference_sources(lab)
    answer_cells = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    for cell in answer_cells[: round(len(answer_cells) * share)]:
        cell.source = sources[cell.id]
    return nb


def run_solution(lab: labs.Lab, folder: Path) -> dict[str, Any]:
    """The namespace of ``lab``'s reference solution run with ``folder`` as the
    current directory (so ``data_file`` reads ``folder/data`` when it exists,
    the course's data otherwise). The check cells are left out: a test runs
    the checks itself, against the data it chooses."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict[str, Any] = {"__name__": "__main__"}
    nb = nbformat.read(lab.notebook, as_version=4)
    with contextlib.chdir(folder), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plt.show() on Agg, pandas' future warnings
        for number, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and not CHECK_CALL.search(cell.source):
                exec(compile(cell.source, f"{lab.notebook.name}, cell {number}", "exec"), namespace)
        plt.close("all")
    return namespace
