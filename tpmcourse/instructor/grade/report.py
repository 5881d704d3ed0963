"""What grading produces: a grade per submission, written as one CSV for the
instructor's gradebook and one Markdown feedback file per student."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from tpmcourse import checks

STATUSES = ("graded", "timeout", "error", "invalid")


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

    @property
    def total(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def possible(self) -> int:
        return sum(r.task.points for r in self.results if r.task.kind == "auto")


def write_csv(grades: list[Grade], path: Path) -> None:
    task_ids: list[str] = []
    for g in grades:
        for r in g.results:
            if r.task.id not in task_ids:
                task_ids.append(r.task.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "lab", "file", "status", *task_ids, "total", "possible", "message"])
        for g in sorted(grades, key=lambda g: (g.student, g.lab, g.file)):
            by_task = {r.task.id: ("rubric" if r.task.kind == "written" and r.passed else r.points)
                       for r in g.results}
            writer.writerow([g.student, g.lab, g.file, g.status, *[by_task.get(t, "") for t in task_ids],
                             g.total, g.possible, g.message])


def write_feedback(grades: list[Grade], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[Grade]] = {}
    for g in grades:
        by_student.setdefault(g.student, []).append(g)
    for student, items in by_student.items():
        lines = [f"# Feedback for {student}", ""]
        for g in items:
            lines += [f"## {g.lab or g.file}", "", f"Status: **{g.status}**. Points: {g.total} of {g.possible}."]
            if g.message:
                lines += ["", f"Note: {g.message}"]
            lines += ["", "| Task | Result | Points | Feedback |", "|---|---|---|---|"]
            for r in g.results:
                mark = "✅" if r.passed else "❌"
                pts = "graded with the rubric" if r.task.kind == "written" else f"{r.points} of {r.task.points}"
                lines.append(f"| {r.task.title} | {mark} | {pts} | {r.message.replace('|', '/')} |")
            lines.append("")
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in student)
        (folder / f"{safe}.md").write_text("\n".join(lines), encoding="utf-8")
