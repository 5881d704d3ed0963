"""``tpmcourse quiz-export``: chapters' quizzes as files a learning platform
imports, Canvas (IMS QTI 1.2, a ``.zip``) or Moodle (Moodle XML, a ``.xml``).

One file per chapter. With one chapter ``--out`` names the file (or a folder
to put it in); with several it names a folder. Every bank is validated and
every file is built before anything is written, so bad input leaves nothing
behind. The format logic is in :mod:`tpmcourse.quiz.export`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tpmcourse.instructor.assign import Chapter, ChapterError, chapters, find_chapter
from tpmcourse.quiz import bank, export

BANKS = bank.BANKS  # where the banks are read from (tests point it elsewhere)
PLATFORM = {"qti": "Canvas (IMS QTI 1.2: Settings > Import course content > QTI .zip file)",
            "moodle": "Moodle (Question bank > Import > Moodle XML format)"}


def file_name(chapter: Chapter, fmt: str) -> str:
    return f"{chapter.id}_{fmt}{export.FORMATS[fmt]}"


def title(chapter: Chapter) -> str:
    return f"Chapter {chapter.number} quiz: {chapter.title}"


def destinations(chosen: list[Chapter], fmt: str, out: Path) -> list[Path]:
    """Where each chapter's file goes; ValueError for an ``--out`` that does not fit."""
    suffix = export.FORMATS[fmt]
    folder = out.is_dir() or (not out.exists() and not out.suffix)
    if len(chosen) == 1 and not folder:
        if out.suffix.lower() != suffix:
            raise ValueError(f"--out {out}: a {fmt} export is a {suffix} file (e.g. --out "
                             f"{file_name(chosen[0], fmt)}), or give a folder")
        return [out]
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: with {len(chosen)} chapters, give a folder (one file per chapter)")
    return [out / file_name(chapter, fmt) for chapter in chosen]


def run(chapter_names: list[str], every: bool, fmt: str, out: Path, ordering_as: str = "ordering") -> int:
    """``tpmcourse quiz-export``: exit status 0, or 2 with a message for bad input."""
    if every == bool(chapter_names):
        print("Name the chapters whose quiz to export (e.g. `tpmcourse quiz-export --chapter 2 "
              "--format qti --out ch02.zip`) or use --all.", file=sys.stderr)
        return 2
    if fmt not in export.FORMATS:
        print(f"✗ --format {fmt}: choose one of {', '.join(export.FORMATS)}", file=sys.stderr)
        return 2
    try:
        chosen = chapters() if every else list(dict.fromkeys(find_chapter(n) for n in chapter_names))
        files = {}
        for chapter, path in zip(chosen, destinations(chosen, fmt, out), strict=True):
            loaded = bank.load_chapter(chapter.id, BANKS)
            files[path] = (export.export(loaded, fmt, title(chapter), ordering_as), len(loaded.questions))
    except (ChapterError, bank.BankError, export.ExportError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    for path, (data, _) in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            print(f"✗ cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    questions = sum(n for _, n in files.values())
    print(f"Wrote {len(files)} quiz file(s), {questions} questions, for {PLATFORM[fmt]}:")
    for path in files:
        print(f"  {path}")
    if fmt == "moodle" and ordering_as == "ordering":
        print("Ordering questions use Moodle's Ordering question type (standard from Moodle 4.4, the "
              "qtype_ordering plugin before); use --moodle-ordering matching for a site without it.")
    return 0
