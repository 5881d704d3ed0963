"""``tpmcourse assign``: student versions of labs and chapters, ready to hand out.

Labs: every ``solution`` cell becomes a placeholder, every output is cleared
(a check's passing message could reveal an answer), model answers and widget state
are removed.

Chapters (``--chapter N``): every exercise solution is removed (the
sphinx-exercise ``{solution}`` dropdowns, ``{solution-start}`` …
``{solution-end}`` ranges, and cells tagged ``solution``); the outputs that
could reveal one (the stored quiz, which carries its answers, widget views,
anything that repeats a removed line) are cleared, and the worked examples
keep theirs so the chapter still reads as in the book.

Either way the notebooks are the learner edition
(:mod:`tpmcourse.content.learner_edition`): citations, cross-references and
glossary terms render in JupyterLab, a link to another notebook of the handout
opens it, and a link to any other page goes to the published book. The data
files each notebook reads are copied, and the lot is zipped with a short
README for students. :mod:`tpmcourse.instructor.strip` does the removing.
"""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from tpmcourse import __version__, labs
from tpmcourse.content import learner_edition
from tpmcourse.instructor import strip
from tpmcourse.paths import COURSE, DATA, ROOT

COURSE_NAME = "Technical Product Management, hands-on"

README_HEAD = """# {course}: handout

This folder holds {contents} and the data they read (`data/`).

Install the course's Python package once (it provides the checks, the quizzes
and the helpers the notebooks import), e.g. in the course repository:
`make install`, or `pip install -e <course folder>`. Then start JupyterLab in this folder
(`jupyter lab`): with the course's package comes `jupyterlab-myst`, which shows
the notes, exercises, formulas, citations and glossary terms (hover over one
for its definition) and opens a link to another notebook of this folder.
"""

README_LABS = """
## Labs

1. Open a lab and work through the tasks in order. After each task, run its **check** cell:
   it answers Correct when your answer is right, or Not yet with a hint about what to look at.
2. Replace every `...` with your answer. Keep the variable names the task asks for:
   your instructor's grader reads them.
3. Hand in the `.ipynb` file(s) when you are done (outputs may stay in).

Labs: {labs}
"""

README_CHAPTERS = """
## Chapters

Each chapter is the book's chapter as a notebook, with its exercises but
without their solutions. Run the cells as you read; write your answer to each
exercise in a new cell under it, and hand in the notebook if your instructor
asks for it. The quiz at the end runs in Jupyter: run its cell.

Chapters: {chapters}
"""


class ChapterError(ValueError):
    """A chapter number that names no chapter; the message lists the chapters."""


@dataclass(frozen=True)
class Chapter:
    number: int
    notebook: Path
    title: str

    @property
    def id(self) -> str:
        """``ch02``: the prefix of its quiz bank, objectives and exercise labels."""
        return f"ch{self.number:02d}"

    def data_files(self) -> list[str]:
        """Data files the notebook reads through ``data_file("...")``."""
        nb = nbformat.read(self.notebook, as_version=4)
        return sorted({m for cell in nb.cells for m in labs.DATA_CALL.findall(cell.source)})


def chapters() -> list[Chapter]:
    """Every chapter, numbered in the order of ``course/outline.yml`` (as in the book)."""
    outline = yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))
    return [Chapter(number, ROOT / entry["file"], entry["title"])
            for number, entry in enumerate(outline["chapters"], start=1)]


def find_chapter(name: str) -> Chapter:
    """A chapter by number (``2``, ``02``) or id (``ch02``); ChapterError otherwise."""
    known = chapters()
    match = re.fullmatch(r"(?:ch)?0*(\d{1,3})", str(name).strip().lower())
    if match:
        for chapter in known:
            if chapter.number == int(match[1]):
                return chapter
    raise ChapterError(f"no chapter {name!r}: give a chapter number from 1 to {len(known)} (e.g. --chapter 2)")


def learner_course() -> learner_edition.Course:
    """What the learner edition looks names up in; links to book-only pages go to the published book."""
    from tpmcourse.book.learner_downloads import published_url  # the repository setting lives with the book

    return learner_edition.Course(published_url())


def _edition(nb: nbformat.NotebookNode, notebook: Path, course: learner_edition.Course | None,
             layout: dict[str, str] | None) -> nbformat.NotebookNode:
    """The learner edition of a student copy, linked to the notebooks of ``layout`` (default: itself)."""
    docname = learner_edition.docname_of(notebook)
    return learner_edition.learner_notebook(nb, docname, course or learner_course(),
                                            layout or learner_edition.flat_layout([docname]), name=notebook.name)


def student_version(lab: labs.Lab, course: learner_edition.Course | None = None,
                    layout: dict[str, str] | None = None) -> nbformat.NotebookNode:
    nb = strip.strip_solutions(nbformat.read(lab.notebook, as_version=4), lab.notebook.name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nb = _edition(nb, lab.notebook, course, layout)
    nb.metadata["tpmcourse"] = {"lab": lab.id, "version": __version__, "edition": "learner"}
    return nb


def student_chapter(chapter: Chapter, course: learner_edition.Course | None = None,
                    layout: dict[str, str] | None = None) -> nbformat.NotebookNode:
    nb = strip.student_copy(nbformat.read(chapter.notebook, as_version=4), chapter.notebook.name)
    nb = _edition(nb, chapter.notebook, course, layout)
    nb.metadata["tpmcourse"] = {"chapter": chapter.id, "version": __version__, "edition": "learner"}
    return nb


def handout(chosen: list[labs.Lab], out: Path, course: str = COURSE_NAME,
            chosen_chapters: list[Chapter] | None = None) -> Path:
    """Write the student versions, their data and a README into ``out``; return the zip's path."""
    chosen_chapters = chosen_chapters or []
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} is not empty: choose a new folder so nothing is overwritten")
    # Built in memory first, so a broken notebook leaves no half-written folder.
    notebooks: dict[str, nbformat.NotebookNode] = {}
    data: set[str] = set()
    learner = learner_course()
    layout = learner_edition.flat_layout(learner_edition.docname_of(notebook) for notebook in
                                         [*(lab.notebook for lab in chosen), *(c.notebook for c in chosen_chapters)])
    for lab in chosen:
        notebooks[lab.notebook.name] = student_version(lab, learner, layout)
        data.update(lab.data_files())
    for chapter in chosen_chapters:
        notebooks[chapter.notebook.name] = student_chapter(chapter, learner, layout)
        data.update(chapter.data_files())
    missing = sorted(name for name in data if not (DATA / name).exists())
    if missing:
        raise FileNotFoundError(f"data/{missing[0]} is missing: run `make data` (or `tpmcourse data`) first")
    out.mkdir(parents=True, exist_ok=True)
    (out / "data").mkdir()
    for name, nb in notebooks.items():
        nbformat.write(nb, out / name)
    for name in sorted(data):
        shutil.copy2(DATA / name, out / "data" / name)
    (out / "README.md").write_text(readme(chosen, chosen_chapters, course), encoding="utf-8")
    archive = out.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                zf.write(path, Path(out.name) / path.relative_to(out))
    return archive


def readme(chosen: list[labs.Lab], chosen_chapters: list[Chapter], course: str = COURSE_NAME) -> str:
    contents = ", ".join(part for part in (
        f"{len(chosen_chapters)} chapter notebook(s)" if chosen_chapters else "",
        f"{len(chosen)} lab notebook(s)" if chosen else "") if part)
    text = README_HEAD.format(course=course, contents=contents)
    if chosen:
        text += README_LABS.format(labs=", ".join(lab.notebook.name for lab in chosen))
    if chosen_chapters:
        text += README_CHAPTERS.format(chapters=", ".join(c.notebook.name for c in chosen_chapters))
    return text


def run(names: list[str], every: bool, out: Path, chapter_names: list[str] | None = None) -> int:
    """``tpmcourse assign``: exit status 0, or 2 with a message for bad input."""
    chapter_names = chapter_names or []
    if (every and names) or not (every or names or chapter_names):
        print("Name the labs to hand out (e.g. `tpmcourse assign metrics ethics --out handout`), "
              "use --all for every lab, or --chapter N for a chapter.", file=sys.stderr)
        return 2
    try:
        chosen = labs.labs() if every else [labs.find(name) for name in names]
        chosen_chapters = list(dict.fromkeys(find_chapter(name) for name in chapter_names))
        archive = handout(chosen, out, chosen_chapters=chosen_chapters)
    except (KeyError, ChapterError, strip.SolutionError, learner_edition.LearnerEditionError) as exc:
        print(f"✗ {exc.args[0]}", file=sys.stderr)
        return 2
    except OSError as exc:  # ours carry a message; the system's an errno and a reason
        reason = str(exc) if exc.errno is None else f"cannot write the handout to {out}: {exc.strerror}"
        print(f"✗ {reason}", file=sys.stderr)
        return 2
    parts = [f"{len(chosen)} lab(s)"] if chosen else []
    parts += [f"{len(chosen_chapters)} chapter(s)"] if chosen_chapters else []
    print(f"Wrote student notebooks for {' and '.join(parts)} with their data to {out}/ and {archive}")
    return 0
