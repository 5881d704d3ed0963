"""What grading produces: a grade per submission, written as one CSV for the
instructor's gradebook and one Markdown feedback file per student.

Everything a student controls (their name, a file name, an error message or
a hint that quotes their answer) is untrusted text here:

- in a CSV, a text cell that starts like a formula (``=``, ``+``, ``-``,
  ``@``, tab, carriage return) gets a leading ``'`` so Excel, LibreOffice and
  Sheets show it as text; numbers stay numbers;
- in a feedback file it is kept on one line and escaped, so it can neither
  inject HTML nor fake the file's structure (a heading, a "Points:" line, a
  table row);
- feedback file names are a readable slug plus a hash of the exact name, so
  "a b" and "a_b" (or "Ana" and "ana" on a case-blind disk) never share a file.

Files are written next to their final place and then renamed, so nothing is
left half-written, and nothing goes through the system's temporary folder.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tpmcourse import checks  # pandas and numpy: not for every sandbox's runner

STATUSES = ("graded", "timeout", "error", "invalid", "skipped")
SCORED = ("graded", "timeout", "error")  # statuses whose task results count

# A cell starting with one of these is a formula to a spreadsheet (the
# full-width forms too: some spreadsheets fold them to ASCII).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
# Inline Markdown: code, emphasis, links, table cells, strikethrough (an underscore
# inside a word, as in a variable name, emphasises nothing and stays as it is).
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


@dataclass
class TaskResult:
    task: checks.Task
    passed: bool
    message: str

    @property
    def points(self) -> int:
        return self.task.points if self.passed and self.task.kind == "auto" else 0


@dataclass
class Grade:
    student: str
    lab: str
    file: str
    status: str = "graded"
    message: str = ""
    results: list[TaskResult] = field(default_factory=list)
    fresh_data: bool = False  # run and checked on data regenerated with the instructor's seed

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def possible(self) -> int:
        return sum(r.task.points for r in self.results if r.task.kind == "auto")


# --- untrusted text -------------------------------------------------------------


def clean_text(value: object, limit: int | None = None) -> str:
    """One line of printable text: line breaks become spaces, control and
    bidirectional-override characters are dropped, bytes that are not UTF-8
    (a folder name can hold them) become �, and long text is cut with …."""
    text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", text)).replace("\t", " ")
    text = re.sub(r" {2,}", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


class Verbatim(str):
    """The grader's own text for a CSV cell, written exactly as it is (e.g.
    Canvas's ``"    Points Possible"``, whose leading spaces matter)."""


def spreadsheet_cell(value: object) -> object:
    """A value for a CSV cell: numbers as they are; text on one line, with a
    leading ``'`` when it would start a formula."""
    if isinstance(value, Verbatim):
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    raw = "" if value is None else str(value)
    text = clean_text(raw, 2000)
    if raw.lstrip(" ").startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return "'" + text
    return text


def md_text(value: object, limit: int | None = 500) -> str:
    """Untrusted text for a Markdown file: one line, no HTML (``<`` and ``&``
    as entities), and the characters that would make emphasis, code, links or
    table cells escaped."""
    text = clean_text(value, limit).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(lambda m: "\\" + m[0], text)


def feedback_filename(student: str) -> str:
    """``<slug>-<hash>.md``: readable, safe on every file system, and one file per exact name."""
    folded = unicodedata.normalize("NFKD", clean_text(student)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:40].strip("-") or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{slug}-{digest}.md"


# --- writing ----------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, FILE_MODE)  # mkstemp makes it private to its owner
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """CSV text with every cell made safe for a spreadsheet."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return buffer.getvalue()


def write_csv(grades: list[Grade], path: Path) -> None:
    task_ids: list[str] = []
    for g in grades:
        for r in g.results:
            if r.task.id not in task_ids:
                task_ids.append(r.task.id)
    rows: list[list[object]] = [["student", "lab", "file", "status", *task_ids, "total", "possible", "message"]]
    for g in sorted(grades, key=lambda g: (g.student, g.lab, g.file)):
        by_task: dict[str, object] = {r.task.id: ("rubric" if r.task.kind == "written" and r.passed else r.points)
                                      for r in g.results}
        scored = g.status != "skipped"
        rows.append([g.student, g.lab, g.file, g.status, *[by_task.get(t, "") for t in task_ids],
                     g.total if scored else "", g.possible if scored else "", g.message])
    write_atomically(path, csv_text(rows))


FRESH_DATA_NOTE = ("Your notebook was run on fresh data: new data files with the same columns and the same story "
                   "as the course's, and each answer was checked against what the course computes from those "
                   "files. Code that computes its answers passes; numbers typed in do not match.")


def feedback_markdown(student: str, items: list[Grade]) -> str:
    from tpmcourse import labs

    titles = {lab.id: lab.title for lab in labs.labs()}
    lines = [f"# Feedback for {md_text(student, 200)}", ""]
    for g in items:
        lines += [f"## {md_text(titles.get(g.lab, g.lab) or g.file, 200)}", ""]
        if g.status == "skipped":
            lines += ["Status: **skipped**: this file was not graded.", "", f"File: {md_text(g.file, 200)}.",
                      "", f"Why: {md_text(g.message)}", ""]
            continue
        lines += [f"Status: **{g.status}**. Points: {g.total} of {g.possible}.", "",
                  f"File: {md_text(g.file, 200)}."]
        if g.fresh_data:
            lines += ["", FRESH_DATA_NOTE]
        if g.message:
            lines += ["", f"Note: {md_text(g.message)}"]
        if g.results:
            lines += ["", "| Task | Result | Points | Feedback |", "|---|---|---|---|"]
            for r in g.results:
                mark = "Correct" if r.passed else "Not yet"
                pts = "graded with the rubric" if r.task.kind == "written" else f"{r.points} of {r.task.points}"
                lines.append(f"| {md_text(r.task.title, 200)} | {mark} | {pts} | {md_text(r.message)} |")
        lines.append("")
    return "\n".join(lines)


def write_feedback(grades: list[Grade], folder: Path) -> dict[str, Path]:
    """One Markdown file per student; returns where each student's file is."""
    folder.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[Grade]] = {}
    for g in grades:
        by_student.setdefault(g.student, []).append(g)
    written: dict[str, Path] = {}
    taken: set[str] = set()
    for student, items in by_student.items():
        name = feedback_filename(student)
        if name.casefold() in taken:  # a 40-bit hash collision: never share a file anyway
            name = name.removesuffix(".md") + f"-{len(taken)}.md"
        taken.add(name.casefold())
        items = sorted(items, key=lambda g: (g.lab, g.file))
        path = folder / name
        write_atomically(path, feedback_markdown(student, items))
        written[student] = path
    return written
