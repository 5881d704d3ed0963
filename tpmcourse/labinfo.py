"""What the instructors' commands need to know about each lab: its notebook,
its tasks and points, and the data files it reads."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import checks
from .paths import EXERCISES

DATA_CALL = re.compile(r"""data_file\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Lab:
    id: str
    notebook: Path
    title: str

    @property
    def tasks(self) -> list[checks.Task]:
        return checks.tasks(self.id)

    @property
    def points(self) -> int:
        return sum(t.points for t in self.tasks)

    def data_files(self) -> list[str]:
        """Data files the notebook reads through ``data_file("...")``."""
        nb = nbformat.read(self.notebook, as_version=4)
        found = {m for cell in nb.cells for m in DATA_CALL.findall(cell.source)}
        return sorted(found)


@functools.lru_cache(maxsize=1)
def _labs() -> tuple[Lab, ...]:
    found = []
    for path in sorted(EXERCISES.glob("lab*_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        title = next((line[2:].strip() for cell in nb.cells if cell.cell_type == "markdown"
                      for line in cell.source.splitlines() if line.startswith("# ")), path.stem)
        found.append(Lab(path.stem.split("_", 1)[1], path, title))
    return tuple(found)


def labs() -> list[Lab]:
    """Every lab, read once per process (grading asks for each submission)."""
    return list(_labs())


def find(name: str) -> Lab:
    """A lab by id (``metrics``), notebook stem (``lab2_metrics``) or number (``2``/``lab2``)."""
    for lab in labs():
        if name in (lab.id, lab.notebook.stem, lab.notebook.stem.split("_")[0],
                    lab.notebook.stem.split("_")[0].removeprefix("lab")):
            return lab
    known = ", ".join(lab.id for lab in labs())
    raise KeyError(f"no lab called {name!r}; the labs are: {known}")
