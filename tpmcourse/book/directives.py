"""Read phase: directives that turn the course's data files into pages, so
content authors edit YAML and the book is never out of step with it."""

from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from tpmcourse import labs
from tpmcourse.content import assessment, glossary
from tpmcourse.paths import ROOT
from tpmcourse.quiz import attempts
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import written as writtentasks


class CourseGlossary(SphinxDirective):
    """``{course-glossary}``: every term from ``course/glossary/*.yml``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = glossary.COURSE / "glossary"
        for path in folder.glob("*.yml"):
            self.env.note_dependency(str(path))
        try:
            terms = glossary.load_all(folder)
        except glossary.GlossaryError as exc:
            raise self.error(f"course glossary: {exc}") from None
        holder = nodes.container()
        source = StringList(glossary.as_myst(terms).splitlines(), "course/glossary")
        self.state.nested_parse(source, 0, holder)
        return list(holder.children)


class QuizProgress(SphinxDirective):
    """``{quiz-progress}``: a table of every chapter's quiz that the browser
    fills in from the reader's own localStorage: how many questions were
    answered, and how many were right first time, right after a retry, or
    revealed (the worked answer shown first)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        for path in quizbank.BANKS.glob("*.yml"):
            self.env.note_dependency(str(path))
        try:
            banks = quizbank.load_all()
        except quizbank.BankError as exc:
            raise self.error(f"quiz progress: {exc}") from None
        rows = []
        for chapter, bank in banks.items():
            ids = " ".join(q.id for q in bank.questions)
            rows.append(f'<tr data-chapter="{chapter}" data-questions="{html.escape(ids)}">'
                        f'<th scope="row">Chapter {int(chapter[2:])}</th>'
                        f'<td class="tpm-answered">0</td><td class="tpm-first">0</td>'
                        f'<td class="tpm-retry">0</td><td class="tpm-revealed">0</td>'
                        f'<td>{len(bank.questions)}</td></tr>')
        markup = ('<p class="tpm-progress-summary" aria-live="polite">Progress appears here once '
                  'you answer a question.</p>'
                  f'<table class="tpm-progress table" data-summary="{html.escape(attempts.PROGRESS)}">'
                  '<caption>Quiz progress by chapter, kept only in this browser</caption><thead><tr>'
                  '<th scope="col">Chapter</th><th scope="col">Answered</th>'
                  '<th scope="col">Right first time</th><th scope="col">Right after a retry</th>'
                  '<th scope="col">Revealed</th><th scope="col">Questions</th></tr></thead><tbody>'
                  + "".join(rows) +
                  '</tbody></table><p><button type="button" class="tpm-progress-reset">'
                  'Reset my progress</button> <span class="tpm-progress-status" '
                  'aria-live="polite"></span></p>')
        return [nodes.raw("", markup, format="html")]


class AssessmentMap(SphinxDirective):
    """``{assessment-map}``: objectives and the quiz questions and lab tasks
    that assess them; ``{assessment-map} ch02`` for one chapter."""

    has_content = False
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        chapter = self.arguments[0] if self.arguments else None
        sources = [*quizbank.BANKS.glob("*.yml"), *assessment.chapter_files(),
                   *Path(labs.__file__).parent.glob("*.py"), *writtentasks.FOLDER.glob("*.yml")]
        for path in sources:
            self.env.note_dependency(str(path))
        app = self.env.app
        objective_map = getattr(app, "tpm_objective_map", None)
        if objective_map is None:  # once per build, not once per table
            objective_map = assessment.objective_map()
            app.tpm_objective_map = objective_map  # type: ignore[attr-defined]  # see pages.reset_build_state
        rows = [r for r in objective_map if chapter in (None, r.chapter)]
        if not rows:
            raise self.error(f"assessment-map: no objectives for {chapter!r}")
        lines = ["| Chapter | Objective | Quiz questions | Lab tasks | Written tasks (rubric-graded) |",
                 "|---|---|---|---|---|"]
        for row in rows:
            qs = ", ".join(f"`{q}`" for q in row.questions) or "none"
            ts = ", ".join(f"`{t}`" for t in row.tasks) or "none"
            ws = ", ".join(f"`{w}`" for w in row.written) or "none"
            text = row.text.replace("|", "\\|")
            lines.append(f"| {int(row.chapter[2:])} | `{row.label}` {text} | {qs} | {ts} | {ws} |")
        holder = nodes.container()
        self.state.nested_parse(StringList(lines, "course/assessment-map"), 0, holder)
        return list(holder.children)


class WrittenRubrics(SphinxDirective):
    """``{written-rubrics}``: every chapter's written task for instructors, from
    ``course/written/*.yml``: what learners are asked, the figures to check
    against, the rubric and the model answer, one section per task."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        for path in writtentasks.FOLDER.glob("*.yml"):
            self.env.note_dependency(str(path))
        try:
            tasks = list(writtentasks.load_all().values())
        except writtentasks.WrittenError as exc:
            raise self.error(f"written tasks: {exc}") from None
        if not tasks:
            raise self.error(f"written-rubrics: no written tasks in {writtentasks.FOLDER}")
        docs = {f"ch{number:02d}": "/" + path.relative_to(ROOT).with_suffix("").as_posix()
                for number, path in enumerate(assessment.chapter_files(), start=1)}
        holder = nodes.container()
        source = StringList(writtentasks.as_myst(tasks, docs).splitlines(), "course/written")
        self.state.nested_parse(source, 0, holder, match_titles=True)
        return list(holder.children)
