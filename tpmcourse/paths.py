"""Where the course's files live, found from the package so that notebooks,
tests and the CLI agree whatever the current directory is."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
EXERCISES = ROOT / "exercises"
DATA = ROOT / "data"
COURSE = ROOT / "course"


def course_data(name: str) -> Path:
    """The course's own copy of a data file, whatever the current directory:
    expected answers are computed from it, never from a learner's edited copy.
    A clear error when it is missing."""
    path = DATA / name
    if not path.exists():
        raise FileNotFoundError(
            f"data/{name} is missing: run `make data` (or `tpmcourse data`) in the course folder to regenerate it."
        )
    return path


def data_file(name: str) -> Path:
    """Path of a data file for a learner: ``data/`` beside the notebook first
    (as in a student bundle), else the course's own (:func:`course_data`)."""
    local = Path.cwd() / "data" / name
    return local if local.exists() else course_data(name)
