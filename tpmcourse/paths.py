"""Where the course's files live, found from the package so that notebooks,
tests and the CLI agree whatever the current directory is."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
EXERCISES = ROOT / "exercises"
DATA = ROOT / "data"
COURSE = ROOT / "course"


def apart_from_the_course() -> str | None:
    """Why the course's files cannot be found, when the package was installed without them
    (``pip install .`` copies the package alone; Binder used to run it after ``-e .``); else None."""
    if (ROOT / "_toc.yml").exists():
        return None
    return (f"tpmcourse is installed apart from its course folder ({ROOT} holds no _toc.yml), so it cannot "
            "find the course's data and question banks. Install it from the course folder with "
            "`pip install -e .` (as `make book` and `make test` do), then restart the kernel.")


def course_data(name: str) -> Path:
    """The course's own copy of a data file, whatever the current directory:
    expected answers are computed from it, never from a learner's edited copy.
    A clear error when it is missing."""
    path = DATA / name
    if not path.exists():
        raise FileNotFoundError(apart_from_the_course() or (
            f"data/{name} is missing: run `make data` (or `tpmcourse data`) in the course folder to regenerate it."
        ))
    return path


def data_file(name: str) -> Path:
    """Path of a data file for a learner: ``data/`` beside the notebook first
    (as in a student bundle), else the course's own (:func:`course_data`)."""
    local = Path.cwd() / "data" / name
    return local if local.exists() else course_data(name)
