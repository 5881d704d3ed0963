"""The hands-on labs, found once from their notebooks.

Each notebook ``exercises/labN_name.ipynb`` has one module here of the same
name, ``tpmcourse.labs.labN_name``, that registers its tasks' checks and holds
its reference answers; helpers only that lab uses sit beside it in
``labN_name_helpers``; the check helpers every lab uses are in
:mod:`tpmcourse.checks`. A lab's data is generated in :mod:`tpmcourse.datasets` and its
expected answers read the course's own copy of it, wherever the kernel runs.
Everything that needs the list of labs (the checks, the instructors'
commands, the assessment map) asks :func:`labs`.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tpmcourse.paths import EXERCISES

if TYPE_CHECKING:
    from tpmcourse.checks import Task

DATA_CALL = re.compile(r"""data_file\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Lab:
    id: str  # "metrics": the prefix of its task ids
    notebook: Path
    title: str

    @property
    def module(self) -> str:
        """The module that registers this lab's checks (named after the notebook)."""
        return f"{__name__}.{self.notebook.stem}"

    @property
    def tasks(self) -> list[Task]:
        from tpmcourse import checks

        return checks.tasks(self.id)

    @property
    def points(self) -> int:
        return sum(t.points for t in self.tasks)

    def data_files(self) -> list[str]:
        """Data files the notebook reads through ``data_file("...")``."""
        found = {m for _, source in _cells(self.notebook) for m in DATA_CALL.findall(source)}
        return sorted(found)


def _cells(path: Path) -> list[tuple[str, str]]:
    """Each cell's type and source, read as plain JSON: this module is imported in
    every lab's kernel, and nbformat's schema validation costs seconds to import."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(cell["cell_type"], "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
            for cell in nb["cells"]]


def _title(cells: list[tuple[str, str]], default: str) -> str:
    return next((line[2:].strip() for kind, source in cells if kind == "markdown"
                 for line in source.splitlines() if line.startswith("# ")), default)


@functools.cache
def _labs() -> tuple[Lab, ...]:
    found = []
    for path in sorted(EXERCISES.glob("lab*_*.ipynb")):
        found.append(Lab(path.stem.split("_", 1)[1], path, _title(_cells(path), path.stem)))
    return tuple(found)


def labs() -> list[Lab]:
    """Every lab, read once per process (grading asks for each submission)."""
    return list(_labs())


@functools.cache
def load_checks() -> None:
    """Import every lab's module once, so its tasks are registered."""
    for lab in _labs():
        importlib.import_module(lab.module)


def find(name: str) -> Lab:
    """A lab by id (``metrics``), notebook stem (``lab2_metrics``) or number (``2``/``lab2``)."""
    for lab in labs():
        number = lab.notebook.stem.split("_")[0]
        if name in (lab.id, lab.notebook.stem, number, number.removeprefix("lab")):
            return lab
    known = ", ".join(lab.id for lab in labs())
    raise KeyError(f"no lab called {name!r}; the labs are: {known}")
