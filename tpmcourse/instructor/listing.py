"""``tpmcourse list``: what the course holds, as an instructor plans with it."""

from __future__ import annotations

import yaml

from tpmcourse import labs
from tpmcourse.content import notebooks
from tpmcourse.paths import COURSE, ROOT
from tpmcourse.quiz import bank


def run() -> int:
    outline = yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))
    banks = bank.load_all()
    print("Chapters")
    print(f"  {'#':>2}  {'objectives':>10}  {'quiz':>4}  title")
    for number, chapter in enumerate(outline["chapters"], start=1):
        objectives = notebooks.objectives(notebooks.read(ROOT / chapter["file"]))
        quiz = len(banks[f"ch{number:02d}"].questions) if f"ch{number:02d}" in banks else 0
        print(f"  {number:>2}  {len(objectives):>10}  {quiz:>4}  {chapter['title']}")
    print("\nLabs")
    print(f"  {'id':<15} {'tasks':>5} {'points':>6}  notebook")
    for lab in labs.labs():
        written = sum(t.kind == "written" for t in lab.tasks)
        print(f"  {lab.id:<15} {len(lab.tasks):>5} {lab.points:>6}  {lab.notebook.name}"
              f"  ({written} written task{'s' if written != 1 else ''} graded with a rubric)")
    total = sum(len(b.questions) for b in banks.values())
    print(f"\n{len(outline['chapters'])} chapters, {total} quiz questions, {len(labs.labs())} labs.")
    return 0
