"""The course's generated data files, in one home, so that `make data`
(`tpmcourse data`) rebuilds every one of them from fixed seeds and a test can
prove the committed files are exactly what the generators make.

Each family module here makes one group of files and is named after who reads
them (``ch03_funnel``, ``lab2_metrics``...); it lists its files in
``DATASETS``. The constants that describe the data (its start date, its
endpoints, its file names) live in the family module, and the labs import
them from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import pandas as pd

from tpmcourse.paths import DATA, course_data

#: Every family module, in the order `make data` writes them. Listed by hand:
#: a new module makes no file until it is named here.
FAMILIES: tuple[str, ...] = (
    "ch03_funnel",
    "ch09_merchants",
    "ch09_risk_decisions",
    "lab1_prioritization",
    "lab2_metrics",
    "lab3_reliability",
    "lab4_ethics",
    "lab5_planning",
)

_READ: dict[str, pd.DataFrame] = {}


@dataclass(frozen=True)
class Dataset:
    """One generated file: its name, the generator that makes it (called with
    its defaults), what it holds, and the ``read_csv`` options that read it
    back as the labs expect (postcodes as text, blanks kept as "")."""

    file: str
    make: Callable[[], pd.DataFrame]
    what: str
    read_options: Mapping[str, Any] = field(default_factory=dict)

    def read(self) -> pd.DataFrame:
        """The course's own committed copy, never a learner's ``./data/``, so an
        expected answer does not depend on where the kernel started. Read once
        per process; each caller gets a copy it may change."""
        if self.file not in _READ:
            _READ[self.file] = pd.read_csv(course_data(self.file), **self.read_options)
        return _READ[self.file].copy()


def registered() -> list[Dataset]:
    """Every family module's ``DATASETS``, in the order of :data:`FAMILIES`."""
    return [d for family in FAMILIES for d in import_module(f"{__name__}.{family}").DATASETS]


def write_all(folder: Path = DATA) -> list[Path]:
    """Regenerate every generated data file; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in registered():
        path = folder / dataset.file
        dataset.make().to_csv(path, index=False)
        written.append(path)
    return written


def run(folder: Path = DATA) -> int:
    """``tpmcourse data`` (``make data``): the one way to regenerate the data files."""
    for path in write_all(folder):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0
