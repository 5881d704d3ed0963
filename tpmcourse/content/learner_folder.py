"""``tpmcourse notebooks --out DIR``: the learner edition of every chapter and lab, in one folder.

For a learner who cloned the repository: the notebooks in ``chapters/`` and
``exercises/`` are the book's sources, whose citations, cross-references and
glossary terms only the book resolves. The folder this writes holds the same
notebooks side by side as :mod:`tpmcourse.content.learner_edition` rewrites
them, so in JupyterLab a link to another chapter or lab opens that notebook,
and a link to a page that is not a notebook opens the published book.

A notebook already in the folder may hold the learner's work: it is kept, and
named, unless ``--force``. The notebooks read their data from ``data/`` beside
them if there is one, else from the course's own (:func:`tpmcourse.paths.data_file`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tpmcourse.content import learner_edition


def course_linking_to(book_url: str | None) -> learner_edition.Course:
    """The course as the learner edition reads it, its links to other pages going to ``book_url``
    (default: the published book of the course's repository setting)."""
    if book_url is None:
        from tpmcourse.book.learner_downloads import published_url  # the repository setting lives there

        book_url = published_url()
    return learner_edition.Course(learner_edition.checked_book_url(book_url))


def run(out: Path, force: bool = False, book_url: str | None = None) -> int:
    """Exit status 0, or 2 with a message (never a traceback) for what cannot be done."""
    try:
        course = course_linking_to(book_url)
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(None, f"{out} is a file, not a folder")
        written, kept = learner_edition.write_folder(out, course, force=force)
    except learner_edition.LearnerEditionError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"✗ cannot write the notebooks to {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote {len(written)} notebook(s) to {out}/. Open them with: jupyter lab {out}")
    if kept:
        print(f"Kept {len(kept)} notebook(s) already there, which may hold your work: "
              + ", ".join(path.name for path in kept)
              + ". Delete one to get a fresh copy, or use --force to replace them all.")
    return 0
