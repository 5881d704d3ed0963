"""Which quiz questions, lab tasks and written tasks assess which learning
objective: computed from the chapters, the question banks, the labs' checks
and the chapters' written tasks (``course/written/``), so the instructors'
table can never go stale."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from tpmcourse import checks
from tpmcourse.content import notebooks
from tpmcourse.paths import COURSE, ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import written as writtentasks


@dataclass
class Row:
    chapter: str
    label: str
    text: str
    questions: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)  # lab task ids, "lab.task"
    written: list[str] = field(default_factory=list)  # chapters' rubric-graded written tasks, "ch06-w1"

    @property
    def assessed(self) -> bool:
        return bool(self.questions or self.tasks or self.written)

    @property
    def shown_by_work(self) -> bool:
        """Assessed by work the learner produces (a lab task or a written task),
        which is what an objective promising written or drawn work needs."""
        return bool(self.tasks or self.written)


def chapter_files() -> list:
    outline = yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))
    return [ROOT / chapter["file"] for chapter in outline["chapters"]]


def objective_map() -> list[Row]:
    """One row per objective of every chapter, in course order."""
    banks = quizbank.load_all()
    lab_tasks = checks.tasks()
    written = list(writtentasks.load_all().values())
    rows = []
    for number, path in enumerate(chapter_files(), start=1):
        cid = f"ch{number:02d}"
        objectives = notebooks.objectives(notebooks.read(path))
        bank = banks.get(cid)
        for obj in objectives:
            qs = [q.id for q in bank.questions if q.objective == obj.label] if bank else []
            ts = [t.id for t in lab_tasks if t.objective == obj.label]
            ws = [w.id for w in written if w.objective == obj.label]
            rows.append(Row(cid, obj.label, obj.text, qs, ts, ws))
    return rows


def unassessed() -> list[str]:
    return [r.label for r in objective_map() if not r.assessed]


def unknown_objectives() -> list[str]:
    """Questions that name an objective no chapter declares."""
    known = {r.label for r in objective_map()}
    from_quizzes = [f"{q.id} → {q.objective}" for bank in quizbank.load_all().values()
                     for q in bank.questions if q.objective not in known]
    from_labs = [f"{t.id} → {t.objective}" for t in checks.tasks() if t.objective not in known]
    from_written = [f"{w.id} → {w.objective}" for w in writtentasks.load_all().values() if w.objective not in known]
    return from_quizzes + from_labs + from_written


def written_work_missing() -> list[str]:
    """Objectives that promise written, drawn or spoken work
    (:func:`tpmcourse.quiz.written.needs_written_task`) but are assessed only by
    quiz questions, which cannot show it."""
    return [r.label for r in objective_map() if writtentasks.needs_written_task(r.text) and not r.shown_by_work]
