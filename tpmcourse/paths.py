"""Where the course's files live, found from the package so that notebooks,
tests and the CLI agree whatever the current directory is."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
EXERCISES = ROOT / "exercises"
DATA = ROOT / "data"
COURSE = ROOT / "course"


def data_file(name: str) -> Path:
    """Path of a data file: ``data/`` beside the notebook first (as in a student
    bundle), else the course's own ``data/``; a clear error when it is missing."""
    for candidate in (Path.cwd() / "data" / name, DATA / name):
        if candidate.exists():
            return candidate
    path = DATA / name
    if not path.exists():
        raise FileNotFoundError(
            f"data/{name} is missing: run `make data` (or `tpmcourse data`) in the course folder to regenerate it."
        )
    return path
