"""Gradebook files a learning platform imports: Canvas and Moodle.

Both hold one row per student and one column per lab, with the points from
the automatically checked tasks (written memos are graded with the rubric,
outside these files). Students map to the platform's ids through an optional
roster CSV::

    student,lms_id,email,username
    ana,48213,ana@example.edu,ana.k

``student`` is the name as it appears in the submissions (a folder name, or
the start of a file name); ``name``, ``section``, ``sis_user_id`` and
``sis_login_id`` are read too when present. Without a roster the files carry
the submission names and empty ids, to be filled in before importing.

- Canvas (Grades ▸ Import): ``Student,ID,SIS User ID,SIS Login ID,Section``
  then one column per assignment, a second row ``Points Possible``, then one
  row per student. A column named after an assignment Canvas does not know
  creates it; rename a header to ``<name> (<id>)`` as in Canvas's own export
  to update an existing assignment instead.
- Moodle (Grades ▸ Import ▸ CSV file): one header row, one row per student
  with ``Username``, ``Email address`` and ``ID number`` to identify them by,
  and one column per lab to map to a grade item.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from tpmcourse import labs
from tpmcourse.instructor.grade.report import SCORED, Grade, Verbatim, clean_text, csv_text, write_atomically

ROSTER_ID_COLUMNS = ("lms_id", "email", "username", "sis_user_id", "sis_login_id")
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_FIXED = ["Full name", "Username", "Email address", "ID number"]


class RosterError(ValueError):
    """A roster that cannot be used, with a message for the instructor."""


@dataclass
class Person:
    student: str
    lms_id: str = ""
    email: str = ""
    username: str = ""
    name: str = ""
    section: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""


@dataclass
class Roster:
    people: list[Person] = field(default_factory=list)

    def match(self, students: list[str]) -> dict[str, Person]:
        """The roster entry of each submission's student: the exact name, else
        the one entry with the same name ignoring case and surrounding spaces
        that no other student matched exactly."""
        exact = {p.student: p for p in self.people}
        found = {s: exact[s] for s in students if s in exact}
        claimed = {id(p) for p in found.values()}
        for s in students:
            if s in found:
                continue
            key = s.strip().casefold()
            close = [p for p in self.people if p.student.strip().casefold() == key and id(p) not in claimed]
            if len(close) == 1:
                found[s] = close[0]
                claimed.add(id(close[0]))
        return found


def read_roster(path: Path) -> Roster:
    """Read and check a roster; a RosterError names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"the roster {path} cannot be read ({type(exc).__name__}: {exc})") from exc
    reader = csv.DictReader(text.splitlines())
    columns = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    if "student" not in columns:
        raise RosterError(f"the roster {path} needs a 'student' column (found: {', '.join(columns) or 'none'})")
    if not any(c in columns for c in ROSTER_ID_COLUMNS):
        raise RosterError(f"the roster {path} needs at least one of the columns {', '.join(ROSTER_ID_COLUMNS)}")
    roster = Roster()
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        values = {key: (row.get(original) or "").strip() for key, original in columns.items()}
        student = (row.get(columns["student"]) or "").strip()
        if not student:
            if any(values.values()):
                raise RosterError(f"the roster {path}, line {line}: the 'student' cell is empty")
            continue
        if student in seen:
            raise RosterError(f"the roster {path}, line {line}: {student!r} is listed twice")
        seen.add(student)
        roster.people.append(Person(student, **{k: values.get(k, "") for k in (
            "lms_id", "email", "username", "name", "section", "sis_user_id", "sis_login_id")}))
    return roster


@dataclass
class Gradebook:
    """Points per student and lab, in the order the files list them."""
    labs: list[labs.Lab]
    possible: dict[str, int]
    people: list[Person]
    points: dict[tuple[str, str], int]  # (student, lab id) -> points
    unmatched: list[str]  # submission names not in the roster
    absent: list[str]  # roster students without any submission


def gradebook(grades: list[Grade], roster: Roster | None) -> Gradebook:
    lab_ids = {g.lab for g in grades if g.lab and g.status in SCORED}
    course_labs = [lab for lab in labs.labs() if lab.id in lab_ids]
    possible = {lab.id: sum(t.points for t in lab.tasks if t.kind == "auto") for lab in course_labs}
    points: dict[tuple[str, str], int] = {}
    students = sorted({g.student for g in grades})
    matched = roster.match(students) if roster else {}
    by_student = {s: matched.get(s) or Person(s) for s in students}
    unmatched = [s for s in students if roster is not None and s not in matched]
    people = [*roster.people, *[by_student[s] for s in unmatched]] if roster else list(by_student.values())
    for g in grades:
        if g.lab in possible and g.status in SCORED:
            points[(by_student[g.student].student, g.lab)] = g.total
    claimed = {id(p) for p in matched.values()}
    absent = [p.student for p in roster.people if id(p) not in claimed] if roster else []
    return Gradebook(course_labs, possible, people, points, unmatched, absent)


def _cell(book: Gradebook, person: Person, lab: labs.Lab) -> object:
    return book.points.get((person.student, lab.id), "")


def canvas_csv(book: Gradebook) -> str:
    points_possible = [Verbatim("    Points Possible"), "", "", "", ""]  # as Canvas's own export writes it
    rows: list[list[object]] = [[*CANVAS_FIXED, *[lab.title for lab in book.labs]],
                                [*points_possible, *[book.possible[lab.id] for lab in book.labs]]]
    for p in book.people:
        rows.append([p.name or p.student, p.lms_id, p.sis_user_id, p.sis_login_id or p.username or p.email,
                     p.section, *[_cell(book, p, lab) for lab in book.labs]])
    return csv_text(rows)


def moodle_csv(book: Gradebook, roster_given: bool) -> str:
    rows: list[list[object]] = [[*MOODLE_FIXED, *[lab.title for lab in book.labs]]]
    for p in book.people:
        username = p.username if roster_given else p.student
        rows.append([p.name or p.student, username, p.email, p.lms_id, *[_cell(book, p, lab) for lab in book.labs]])
    return csv_text(rows)


def write_exports(grades: list[Grade], canvas: Path, moodle: Path, roster: Roster | None) -> list[str]:
    """Write both files; returns what the instructor must know before importing them."""
    book = gradebook(grades, roster)
    write_atomically(canvas, canvas_csv(book))
    write_atomically(moodle, moodle_csv(book, roster is not None))
    notes = []
    if roster is None:
        notes.append("No --roster given: the Canvas and Moodle files name students as in the submissions, "
                     "with empty ids. Fill in their LMS ids (or grade again with --roster roster.csv) "
                     "before importing.")
    if book.unmatched:
        notes.append(f"Not in the roster, so with empty ids in the Canvas and Moodle files: "
                     f"{_names(book.unmatched)}.")
    if book.absent:
        notes.append(f"In the roster but with no submission (empty cells): {_names(book.absent)}.")
    return notes


def _names(names: list[str]) -> str:
    return ", ".join(repr(clean_text(n, 80)) for n in names)
