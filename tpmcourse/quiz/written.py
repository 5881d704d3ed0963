"""Written tasks: the rubric-graded work a chapter asks for (a memo, a plan, a
map, interview answers), one YAML file per chapter in ``course/written/``.

Some objectives promise written or drawn work, which a multiple-choice
question cannot show; each of them gets a task here, with the rubric the
learner sees before writing and an instructor grades with. Tasks are data,
like the question banks (:mod:`.bank`): a content author edits YAML, and a
problem is reported with the file, the task id and what is wrong.

One task reaches four places, all generated from its YAML:

- the chapter, through a ``remove-input`` code cell, ``written.show("ch06-w1")``,
  whose output is accessible HTML (prompt, length, what to hand in, rubric
  table) that the book and JupyterLab both render;
- the Markdown cell tagged ``written-answer`` right after it, where the
  learner writes (:func:`answer_cell`);
- the model answer, a dropdown in a Markdown cell tagged ``solution``
  (:func:`solution_cell`), which a term's book and ``tpmcourse assign`` remove;
- the instructors' rubrics page and the assessment map (:func:`as_myst`).

``python -m tpmcourse.quiz.written NOTEBOOK`` rewrites a notebook's
model-answer cells from the YAML after an edit; ``--add ch06-w1`` first puts a
new task's three cells at the end of the chapter's exercises.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tpmcourse.paths import COURSE
from tpmcourse.quiz.bank import describe, read_chapter_file

if TYPE_CHECKING:  # imported where notebooks are edited: a chapter's kernel only shows tasks, and
    import nbformat  # nbformat's schema validation costs seconds to import

FOLDER = COURSE / "written"
ID = r"^ch\d\d-w\d+$"
OBJECTIVE_ID = r"^ch\d\d-[a-z0-9][a-z0-9-]*$"
ANSWER_TAG = "written-answer"
QUIZ_HEADING = "## Check your understanding"
SOLUTION_TAG = "solution"  # what tpmcourse.instructor.strip and the term's book remove
SHOW_CALL = re.compile(r"""\bwritten\.show\(\s*["'](?P<id>ch\d\d-w\d+)["']\s*\)""")
LEVELS = (("excellent", "Excellent (2)"), ("adequate", "Adequate (1)"), ("needs_work", "Needs work (0)"))
FORMS = {"text": "prose", "table": "a table", "sketch": "a sketch described in words"}
# Objectives whose text promises written, drawn or spoken work: only a task
# that produces that work can show them, never a multiple-choice question.
WRITTEN_VERBS = re.compile(r"^(write|draw|answer)\b|\bwrite (it|them) up\b", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,%$-]*")

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


class WrittenError(ValueError):
    """A written-task file that cannot be used; the message names file and task."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Criterion(_Strict):
    """One row of a rubric, scored 2, 1 or 0 as in ``instructors/rubrics.md``."""

    criterion: str = Field(min_length=1)
    excellent: str = Field(min_length=1)
    adequate: str = Field(min_length=1)
    needs_work: str = Field(min_length=1)


class Words(_Strict):
    min: int = Field(ge=20)
    max: int = Field(le=2000)

    @model_validator(mode="after")
    def ordered(self):
        if self.min >= self.max:
            raise ValueError(f"words: min ({self.min}) must be below max ({self.max})")
        return self


class WrittenTask(_Strict):
    id: str = Field(pattern=ID)
    objective: str = Field(pattern=OBJECTIVE_ID)
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    words: Words
    form: Literal["text", "table", "sketch"]
    hand_in: str = Field(min_length=1)
    rubric: list[Criterion] = Field(min_length=3, max_length=5)
    figures: list[str] = Field(min_length=1)
    model_answer: str = Field(min_length=1)

    @model_validator(mode="after")
    def consistent(self):
        names = [c.criterion.casefold() for c in self.rubric]
        if len(set(names)) != len(names):
            raise ValueError("rubric criteria must have distinct names")
        n = word_count(self.model_answer)
        if not self.words.min <= n <= self.words.max:
            raise ValueError(f"the model answer has {n} words, outside the task's own range "
                             f"{self.words.min}–{self.words.max}")
        return self

    @property
    def chapter(self) -> str:
        return self.id.split("-")[0]

    @property
    def marks(self) -> int:
        return 2 * len(self.rubric)


class WrittenFile(_Strict):
    chapter: str = Field(pattern=r"^ch\d\d$")
    tasks: list[WrittenTask] = Field(min_length=1)


def word_count(text: str) -> int:
    """Words as a reader counts them: Markdown table rules and markup left out."""
    text = re.sub(r"^\s*\|?[\s:|-]+\|?\s*$", " ", text, flags=re.MULTILINE)
    return len(WORD.findall(re.sub(r"[*_`#>|]", " ", text)))


def needs_written_task(objective_text: str) -> bool:
    """Whether an objective promises written, drawn or spoken work
    ("Write a ...", "Draw a ...", "Answer a ...", "... and write it up")."""
    return bool(WRITTEN_VERBS.search(objective_text.strip()))


def load_file(path: Path) -> WrittenFile:
    """Read and validate one chapter's tasks; raise WrittenError naming file and task."""
    name = path.name
    raw, tasks = read_chapter_file(path, "tasks", WrittenError)
    parsed = []
    for i, t in enumerate(tasks, start=1):
        tid = t.get("id") if isinstance(t, dict) and t.get("id") else f"task {i}"
        if not isinstance(t, dict):
            raise WrittenError(f"{name}: {tid}: expected a mapping of fields, got {type(t).__name__}")
        try:
            parsed.append(WrittenTask.model_validate(t))
        except ValidationError as exc:
            raise WrittenError(f"{name}: {tid}: {describe(exc)}") from None
    try:
        written = WrittenFile.model_validate({**raw, "tasks": parsed})
    except ValidationError as exc:
        raise WrittenError(f"{name}: {describe(exc)}") from None
    expected = re.match(r"(ch\d\d)", name)
    if expected and expected[1] != written.chapter:
        raise WrittenError(f"{name}: chapter is {written.chapter!r} but the file is named for {expected[1]}")
    seen: set[str] = set()
    for task in written.tasks:
        if task.id in seen:
            raise WrittenError(f"{name}: {task.id}: task id is used more than once")
        seen.add(task.id)
        if task.chapter != written.chapter or not task.objective.startswith(written.chapter + "-"):
            raise WrittenError(f"{name}: {task.id}: id and objective must start with {written.chapter}-")
    return written


def load_all(folder: Path | None = None) -> dict[str, WrittenTask]:
    """Every task by id, in chapter order, all validated."""
    found: dict[str, WrittenTask] = {}
    for path in sorted((folder or FOLDER).glob("*.yml")):
        for task in load_file(path).tasks:
            if task.id in found:
                raise WrittenError(f"{path.name}: {task.id}: task id is also used in another file")
            found[task.id] = task
    return found


def find(task_id: str, folder: Path | None = None) -> WrittenTask:
    """One task by id; WrittenError for a malformed id or an unknown task."""
    if not isinstance(task_id, str) or not re.fullmatch(ID, task_id):
        raise WrittenError(f"a written task id looks like 'ch06-w1', got {task_id!r}")
    folder = folder or FOLDER
    path = folder / f"{task_id.split('-')[0]}.yml"
    if not path.exists():
        raise WrittenError(f"{path.name}: no written tasks for {task_id.split('-')[0]} in {folder}")
    tasks = {t.id: t for t in load_file(path).tasks}
    if task_id not in tasks:
        raise WrittenError(f"{path.name}: no task {task_id!r} (it has {', '.join(tasks)})")
    return tasks[task_id]


# --- the learner's view: one HTML fragment for the book and JupyterLab -----------------


def _block(text: str) -> str:
    return _MD.render(text or "")


def _inline(text: str) -> str:
    return _MD.renderInline(text or "")


def _words(task: WrittenTask) -> str:
    return f"{task.words.min}–{task.words.max} words"


# JupyterLab right-aligns table cells and loads none of the book's styles: prose
# in a rubric reads from the left, top-aligned, in both front ends.
_CELL = ' style="text-align: left; vertical-align: top"'


def rubric_table(task: WrittenTask) -> str:
    """The rubric as a real table: a caption, column headers and row headers."""
    head = "".join(f'<th scope="col"{_CELL}>{label}</th>' for _, label in LEVELS)
    rows = "".join(
        f'<tr><th scope="row"{_CELL}>{_inline(c.criterion)}</th>'
        + "".join(f"<td{_CELL}>{_inline(getattr(c, key))}</td>" for key, _ in LEVELS) + "</tr>"
        for c in task.rubric)
    caption = (f"Rubric for written task {task.id}: each criterion scores excellent (2), adequate (1) "
               f"or needs work (0), {task.marks} marks in all")
    return (f'<table class="tpm-written-rubric table"><caption style="text-align: left">{html.escape(caption)}'
            f'</caption><thead><tr><th scope="col"{_CELL}>Criterion</th>{head}</tr></thead><tbody>{rows}</tbody>'
            f"</table>")


def task_html(task: WrittenTask) -> str:
    """The task as the learner sees it; never the model answer or the figures to check.

    MathJax-ignoring classes keep "$23,500 ... $35,000" from being typeset as
    mathematics in JupyterLab. Headings start at level 3, under the chapter's
    "Exercises" section.
    """
    hid = html.escape(f"written-{task.id}", quote=True)
    meta = (f"<p class=\"tpm-written-meta\"><strong>Length:</strong> {_words(task)}. "
            f"<strong>Form:</strong> {FORMS[task.form]}. "
            f"<strong>Hand in:</strong> {_inline(task.hand_in)}</p>")
    return (f'<section class="tpm-written tex2jax_ignore mathjax_ignore" id="{hid}" '
            f'aria-labelledby="{hid}-title" data-task="{html.escape(task.id, quote=True)}" '
            f'data-objective="{html.escape(task.objective, quote=True)}">'
            f'<h3 id="{hid}-title">Written task {html.escape(task.id)}: {_inline(task.title)}</h3>'
            f'<div class="tpm-written-prompt">{_block(task.prompt)}</div>{meta}'
            f'<h4>How your answer is graded</h4>'
            f"<p>Your instructor scores each criterion in the table below and adds the marks. Read it before "
            f"you write: it says what a strong answer does. In the notebook, write your answer in the cell "
            f"that follows this task.</p>"
            f"{rubric_table(task)}</section>")


def task_text(task: WrittenTask) -> str:
    return (f"Written task {task.id}: {task.title} ({_words(task)}; rubric of {len(task.rubric)} criteria, "
            f"{task.marks} marks)")


class TaskView:
    """What ``show`` returns: HTML for the book and JupyterLab, a line of text elsewhere."""

    def __init__(self, body: str, text: str) -> None:
        self.body, self.text = body, text

    def _repr_html_(self) -> str:
        return self.body

    def __repr__(self) -> str:
        return self.text


def show(task_id: str, folder: Path | None = None) -> TaskView:
    """A written task for a chapter cell; a wrong id or a broken file shows a
    message, not a traceback."""
    try:
        task = find(task_id, folder)
    except WrittenError as exc:
        message = f"Cannot show the written task: {exc}"
        return TaskView(f"<p><strong>Cannot show the written task:</strong> {html.escape(str(exc))}</p>", message)
    return TaskView(task_html(task), task_text(task))


# --- notebook cells and the instructors' page (MyST) --------------------------------------


def _myst(text: str) -> str:
    """YAML Markdown as MyST reads it: a dollar sign is money, not mathematics."""
    return re.sub(r"(?<!\\)\$", r"\\$", text.strip())


def answer_source(task: WrittenTask) -> str:
    return (f"**Your answer to written task {task.id}** ({_words(task)}). In Jupyter, double-click this cell "
            f"and replace this paragraph with your answer; it is saved in the notebook you hand in. "
            f"Reading the book? Download the notebook with the button at the top of the page.")


def solution_source(task: WrittenTask) -> str:
    body = _myst(task.model_answer)
    return (f":::::{{admonition}} Model answer to written task {task.id}\n:class: dropdown\n\n"
            f"{body}\n\n"
            f"Read it after writing your own. It is one answer that scores full marks, not the only one.\n"
            f":::::")


def show_source(task: WrittenTask) -> str:
    return f'from tpmcourse.quiz import written\n\nwritten.show("{task.id}")'


def cells(task: WrittenTask) -> list[nbformat.NotebookNode]:
    """The three cells a chapter holds for a task, in order: the task, the
    learner's answer and the model answer."""
    import nbformat

    shown = nbformat.v4.new_code_cell(show_source(task))
    shown.metadata = {"tags": ["remove-input"]}
    answer = nbformat.v4.new_markdown_cell(answer_source(task))
    answer.metadata = {"tags": [ANSWER_TAG]}
    solution = nbformat.v4.new_markdown_cell(solution_source(task))
    solution.metadata = {"tags": [SOLUTION_TAG]}
    return [shown, answer, solution]


def notebook_problems(nb: nbformat.NotebookNode, name: str = "notebook") -> list[str]:
    """Where a notebook's task cells do not follow the YAML: each task's cell
    must be followed by its answer cell and its model answer, unchanged."""
    problems = []
    for i, cell in enumerate(nb.cells):
        match = SHOW_CALL.search(cell.source) if cell.cell_type == "code" else None
        if not match:
            continue
        try:
            task = find(match["id"])
        except WrittenError as exc:
            problems.append(f"{name}, cell {i + 1}: {exc}")
            continue
        after = nb.cells[i + 1:i + 3]
        if "remove-input" not in cell.metadata.get("tags", []):
            problems.append(f"{name}, cell {i + 1}: {task.id}'s cell needs the tag remove-input")
        if len(after) < 1 or ANSWER_TAG not in after[0].metadata.get("tags", []) or after[0].cell_type != "markdown":
            problems.append(f"{name}, cell {i + 2}: {task.id} needs a Markdown cell tagged {ANSWER_TAG} next")
        if (len(after) < 2 or after[1].cell_type != "markdown" or SOLUTION_TAG not in after[1].metadata.get("tags", [])
                or after[1].source != solution_source(task)):
            problems.append(f"{name}, cell {i + 3}: {task.id}'s model answer is missing or differs from "
                            f"the YAML: run python -m tpmcourse.quiz.written {name}")
    return problems


def sync(path: Path) -> int:
    """Rewrite the model-answer cells of a notebook from the YAML, adding the
    answer and model-answer cells after a task cell that lacks them; the
    learner's answer cell, once there, is left alone. Returns cells changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = 0
    i = 0
    while i < len(nb.cells):
        cell = nb.cells[i]
        match = SHOW_CALL.search(cell.source) if cell.cell_type == "code" else None
        if match:
            task = find(match["id"])
            fresh = cells(task)
            nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            if nxt is None or ANSWER_TAG not in nxt.metadata.get("tags", []):
                nb.cells.insert(i + 1, fresh[1])
                changed += 1
            sol = nb.cells[i + 2] if i + 2 < len(nb.cells) else None
            if sol is None or SOLUTION_TAG not in sol.metadata.get("tags", []) or sol.cell_type != "markdown":
                nb.cells.insert(i + 2, fresh[2])
                changed += 1
            elif sol.source != fresh[2].source:
                sol.source = fresh[2].source
                changed += 1
            i += 3
            continue
        i += 1
    if changed:
        nbformat.write(nb, path)
    return changed


def add(path: Path, task_id: str) -> bool:
    """Put a task's three cells at the end of a chapter's exercises, just before
    its quiz ("## Check your understanding"); False if the task is already there."""
    import nbformat

    task = find(task_id)
    nb = nbformat.read(path, as_version=4)
    if any(c.cell_type == "code" and (m := SHOW_CALL.search(c.source)) and m["id"] == task.id for c in nb.cells):
        return False
    quiz = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(QUIZ_HEADING)]
    if not quiz:
        raise WrittenError(f"{path.name}: no {QUIZ_HEADING!r} cell to put {task.id} before")
    nb.cells[quiz[0]:quiz[0]] = cells(task)
    nbformat.write(nb, path)
    return True


def _table_row(cells_: list[str]) -> str:
    return "| " + " | ".join(_myst(c).replace("|", "\\|").replace("\n", " ") for c in cells_) + " |"


def as_myst(tasks: list[WrittenTask], chapter_docs: dict[str, str]) -> str:
    """The instructors' section: per task, what is asked, the figures to check
    against, the rubric in the shape of ``instructors/rubrics.md`` and the model
    answer. ``chapter_docs`` maps ``ch06`` to the chapter's document path."""
    lines: list[str] = []
    for task in tasks:
        number = int(task.chapter[2:])
        doc = chapter_docs.get(task.chapter)
        where = f"{{doc}}`Chapter {number} <{doc}>`" if doc else f"Chapter {number}"
        lines += [f"### {task.id}: {_myst(task.title)} ({task.marks} marks)", "",
                  (f"{where}, objective `{task.objective}`. Learners hand in {FORMS[task.form]}, "
                   f"{_words(task)}: {_myst(task.hand_in)}"), "",
                  "**The task as learners see it.**", ""]
        lines += ["> " + line if line.strip() else ">" for line in _myst(task.prompt).splitlines()]
        lines += ["", "**Figures to check against.**", ""]
        lines += [f"- {_myst(f)}" for f in task.figures]
        lines += ["", "| Criterion | Excellent (2) | Adequate (1) | Needs work (0) |", "|---|---|---|---|"]
        lines += [_table_row([c.criterion, c.excellent, c.adequate, c.needs_work]) for c in task.rubric]
        lines += ["", f"**Model answer** ({word_count(task.model_answer)} words, {task.marks} marks)", ""]
        lines += ["> " + line if line.strip() else ">" for line in _myst(task.model_answer).splitlines()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m tpmcourse.quiz.written NOTEBOOK... [--add TASK_ID]``: refresh
    task cells from the YAML, after adding a new task's cells with ``--add``."""
    args = list(sys.argv[1:] if argv is None else argv)
    new = []
    while "--add" in args:
        at = args.index("--add")
        new.append(args[at + 1] if at + 1 < len(args) else "")
        del args[at:at + 2]
    paths = [Path(p) for p in args]
    if not paths or (new and len(paths) != 1):
        print("Name the chapter notebooks to refresh, e.g. chapters/06_career_progression.ipynb "
              "(one notebook with --add ch06-w1)", file=sys.stderr)
        return 2
    try:
        for task_id in new:
            added = add(paths[0], task_id)
            print(f"{paths[0]}: {task_id} {'added' if added else 'is already there'}")
        for path in paths:
            print(f"{path}: {sync(path)} cell(s) written")
    except (WrittenError, OSError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
