"""The course's generated data files, in one registry, so that `make data`
(`tpmcourse data`) rebuilds every one of them from fixed seeds and a test can
prove the committed files are exactly what the generators make."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tpmcourse.paths import DATA


@dataclass(frozen=True)
class Dataset:
    file: str
    make: Callable[[], pd.DataFrame]
    what: str


def _merchant_events() -> pd.DataFrame:
    from tpmcourse.metrics import synthetic_merchant_events

    return synthetic_merchant_events(n_merchants=400, seed=7)


def _merchants() -> pd.DataFrame:
    from tpmcourse.privacy import make_merchants

    return make_merchants(n=60, seed=1)


def _risk_decisions() -> pd.DataFrame:
    from tpmcourse.fairness import make_risk_decisions

    return make_risk_decisions(n=2000, seed=2017)


GENERATED = [
    Dataset("merchant_events_small.csv", _merchant_events, "onboarding funnel events (chapter 3)"),
    Dataset("merchants_quasi_identifiers.csv", _merchants, "merchant quasi-identifiers (chapter 9)"),
    Dataset("risk_decisions.csv", _risk_decisions, "risk-model screening decisions (chapter 9)"),
]


def registered() -> list[Dataset]:
    """The chapters' datasets above, then each lab module's ``DATASETS``."""
    import importlib

    from tpmcourse import labs

    found = list(GENERATED)
    for lab in labs.labs():
        found.extend(getattr(importlib.import_module(lab.module), "DATASETS", []))
    return found


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
