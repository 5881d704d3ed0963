"""The instructors' schedules (instructors/schedules.md) add up, and use the
times the course states: each chapter's "Time to learn", each lab's "Time
needed", one quiz per chapter. A chapter that grows, or a lab that is added,
fails here until the schedules follow, rather than leaving a stale plan.
"""

from __future__ import annotations

import re

import pytest

from tpmcourse.content import notebooks
from tpmcourse.paths import EXERCISES, ROOT

PAGE = (ROOT / "instructors" / "schedules.md").read_text(encoding="utf-8")
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
LABS = sorted(EXERCISES.glob("lab*_*.ipynb"))
WORDS = {"one": 1, "two": 2, "three": 3}
QUIZ_MINUTES = 15


def stated_minutes(path, label: str) -> int:
    """The minutes a notebook states after ``label`` (in minutes, or "about two hours")."""
    text = "\n".join(c.source for c in notebooks.read(path).cells[:3])
    m = re.search(label + r"\W+(?:about |About )?(\d+|one|two|three) (minutes|hours?)", text)
    assert m, f"{path.name}: no {label!r} with a time"
    n = int(m[1]) if m[1].isdigit() else WORDS[m[1]]
    return n * 60 if m[2].startswith("hour") else n


def minutes(text: str) -> int:
    """Minutes in "2 h 5 min", "3 h", "45 min"."""
    h = re.search(r"(\d+) h\b", text)
    m = re.search(r"(\d+) min", text)
    assert h or m, text
    return (int(h[1]) * 60 if h else 0) + (int(m[1]) if m else 0)


def table_after(heading: str) -> list[list[str]]:
    """The rows of the first table under ``heading``, as stripped cells."""
    section = PAGE.split(heading, 1)[1]
    lines = section.split("\n\n| ", 1)[1].splitlines()
    rows = []
    for line in ["| " + lines[0], *lines[1:]]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[2:]  # without the header and the rule


COUNTED = {row[0]: minutes(row[1]) for row in table_after("## How the times are counted")}


def test_each_chapter_is_counted_at_its_time_to_learn():
    for number, path in enumerate(CHAPTERS, start=1):
        assert COUNTED.get(f"Chapter {number}") == stated_minutes(path, "Time to learn"), path.name


def test_each_lab_is_counted_at_its_time_needed():
    labs = {key: value for key, value in COUNTED.items() if key.startswith("Lab ")}
    assert len(labs) == len(LABS), sorted(labs)
    for number, path in enumerate(LABS, start=1):
        row = next(key for key in labs if key.startswith(f"Lab {number},"))
        assert labs[row] == stated_minutes(path, "Time needed"), path.name


def totals() -> tuple[int, int, int]:
    reading = sum(stated_minutes(p, "Time to learn") for p in CHAPTERS)
    labs = sum(stated_minutes(p, "Time needed") for p in LABS)
    return reading, QUIZ_MINUTES * len(CHAPTERS), labs


def test_the_totals_sentence_adds_up():
    reading, quizzes, labs = totals()
    m = re.search(r"Reading takes ([\d,]+) minutes, quizzes (\d+) and labs (\d+): \*\*([\d,]+) minutes, or\s+"
                  r"(\d+) hours (\d+) minutes\*\*", PAGE)
    assert m, "the sentence with the total time is gone"
    stated = [int(x.replace(",", "")) for x in m.groups()]
    whole = reading + quizzes + labs
    assert stated == [reading, quizzes, labs, whole, whole // 60, whole % 60]


@pytest.mark.parametrize("heading", ["## 6-week schedule", "## 10-week schedule"])
def test_a_schedule_covers_everything_once_and_each_week_adds_up(heading):
    rows = table_after(heading)
    weeks, total = rows[:-1], rows[-1]
    read = [m for row in weeks for m in re.findall(r"Ch\. (\d+) \((\d+) min\)", row[1])]
    assert sorted(int(ch) for ch, _ in read) == list(range(1, len(CHAPTERS) + 1)), f"{heading}: chapters"
    for ch, stated in read:
        assert int(stated) == COUNTED[f"Chapter {ch}"], f"{heading}: Ch. {ch} at {stated} min"
    labs = [int(n) for row in weeks for n in re.findall(r"Lab (\d+),", row[3])]
    assert sorted(labs) == list(range(1, len(LABS) + 1)), f"{heading}: labs"
    for row in weeks:
        parts = [int(x) for cell in row[1:4] for x in re.findall(r"\((\d+) min\)", cell)]
        assert sum(parts) == minutes(row[-1]), f"{heading}, week {row[0]}: {parts} is not {row[-1]}"
    reading, quizzes, lab_minutes = totals()
    assert [minutes(c) for c in (total[1], total[2], total[3], total[-1])] == [
        reading, quizzes, lab_minutes, reading + quizzes + lab_minutes], f"{heading}: the totals row"


def test_the_check_bites_on_a_stale_time():
    assert minutes("2 h 5 min") == 125 and minutes("3 h") == 180 and minutes("45 min") == 45
    row = next(r for r in table_after("## 10-week schedule") if r[0] == "3")
    stale = row[1].replace(f"({COUNTED['Chapter 3']} min)", f"({COUNTED['Chapter 3'] - 30} min)")
    parts = [int(x) for cell in (stale, row[2], row[3]) for x in re.findall(r"\((\d+) min\)", cell)]
    assert sum(parts) != minutes(row[-1])
