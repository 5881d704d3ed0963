"""Written tasks: every objective that promises written, drawn or spoken work
is assessed by work a learner produces; each task sits in exactly one chapter
cell, followed by the learner's answer cell and the model answer that term
books and handouts remove; broken task files name the file and the task."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from tpmcourse.book import solutions
from tpmcourse.content import assessment
from tpmcourse.instructor import assign, strip
from tpmcourse.paths import ROOT
from tpmcourse.quiz import written

TASKS = written.load_all()
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
OBJECTIVES = {r.label: r for r in assessment.objective_map()}
# Objectives the rule finds that are knowingly not yet assessed by written work
# (none today). The test fails as soon as one is covered, so an entry cannot
# outlive its gap, and fails for any new gap.
AWAITING: set[str] = set()

GOOD = """chapter: ch05
tasks:
  - id: ch05-w1
    objective: ch05-portfolio
    title: A case study
    prompt: Write it.
    words: {min: 20, max: 60}
    form: text
    hand_in: the case study.
    rubric:
      - {criterion: Problem, excellent: a, adequate: b, needs_work: c}
      - {criterion: Options, excellent: a, adequate: b, needs_work: c}
      - {criterion: Decision, excellent: a, adequate: b, needs_work: c}
    figures: [Ten merchants.]
    model_answer: >-
      One two three four five six seven eight nine ten eleven twelve thirteen
      fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one.
"""


def write(tmp_path: Path, text: str, name: str = "ch05.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def model_lines(task: written.WrittenTask, nb: nbformat.NotebookNode | None = None) -> list[str]:
    """Lines of the model answer long enough that finding one elsewhere is a
    leak, less any the chapter itself also says (a table's header row)."""
    solution = written.solution_source(task)
    rest = "\n".join(c.source for c in nb.cells if c.source != solution) if nb is not None else ""
    return [line.strip() for line in task.model_answer.splitlines()
            if len(line.strip()) > 40 and line.strip() not in rest]


def plain_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", re.sub(r"[*_`|#>]", " ", text).lower())


def runs(text: str, n: int = 10) -> set[str]:
    """Every run of ``n`` words of a Markdown text, markup left out."""
    words = plain_words(text)
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def show_cells(nb: nbformat.NotebookNode, task_id: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (m := written.SHOW_CALL.search(c.source)) and m["id"] == task_id]


def stored_html(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.get("outputs", []))


# --- coverage ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Write a one-page decision memo", True),
    ("Draw a power/interest map of a product's stakeholders", True),
    ("Answer a system design question and a STAR-format behavioral question", True),
    ("Translate an engineering problem into business terms and write it up for an executive reader.", True),
    ("Compute an error budget and a burn rate", False),
    ("Explain which skills transfer, and why people rewrite their CVs", False),
    ("Choose a tool and justify the choice in writing", False),
])
def test_the_rule_for_objectives_that_promise_written_work(text, expected):
    assert written.needs_written_task(text) is expected


def test_the_five_objectives_of_the_brief_are_found_by_the_rule():
    five = {"ch02-translate", "ch02-stakeholders", "ch06-first-90-days", "ch08-decision-memo",
            "ch10-interview-answers"}
    assert five <= {label for label, row in OBJECTIVES.items() if written.needs_written_task(row.text)}


def test_every_objective_that_promises_written_work_is_assessed_by_work():
    missing = set(assessment.written_work_missing())
    assert missing - AWAITING == set(), f"objectives assessed only by quiz questions: {sorted(missing - AWAITING)}"
    assert AWAITING - missing == set(), f"now covered, remove from AWAITING: {sorted(AWAITING - missing)}"


def test_objectives_assessed_only_by_quizzes_get_a_written_task_not_just_a_lab():
    for label, row in OBJECTIVES.items():
        if written.needs_written_task(row.text) and not row.tasks and label not in AWAITING:
            assert row.written, f"{label} promises written work and has no written task"


def test_every_task_names_an_objective_of_its_own_chapter():
    assert TASKS, "no written tasks found"
    for task in TASKS.values():
        assert task.objective in OBJECTIVES, f"{task.id}: no chapter declares {task.objective}"
        assert OBJECTIVES[task.objective].chapter == task.chapter
    assert not [u for u in assessment.unknown_objectives() if re.match(r"ch\d\d-w\d", u)]


def test_the_assessment_map_lists_each_task_under_its_objective():
    for task in TASKS.values():
        assert task.id in OBJECTIVES[task.objective].written
    listed = [w for row in OBJECTIVES.values() for w in row.written]
    assert sorted(listed) == sorted(TASKS)


# --- chapters ----------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_each_task_is_shown_in_exactly_one_chapter_cell_of_its_chapter(task_id):
    uses = {path.name: show_cells(nbformat.read(path, as_version=4), task_id) for path in CHAPTERS}
    found = {name: cells for name, cells in uses.items() if cells}
    assert sum(len(c) for c in found.values()) == 1, f"{task_id} is shown in {found or 'no chapter'}"
    (name,) = found
    assert name.startswith(task_id[2:4] + "_"), f"{task_id} is shown in {name}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_task_cells_follow_the_yaml(path):
    nb = nbformat.read(path, as_version=4)
    assert written.notebook_problems(nb, path.name) == []


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_the_stored_output_is_the_task_with_its_rubric(task_id):
    task = TASKS[task_id]
    nb = nbformat.read(ROOT / "chapters" / next(p.name for p in CHAPTERS if p.name.startswith(task_id[2:4] + "_")),
                       as_version=4)
    cell = nb.cells[show_cells(nb, task_id)[0]]
    assert "remove-input" in cell.metadata.get("tags", [])
    assert stored_html(cell) == written.task_html(task), f"{task_id}: rerun `tpmcourse outputs` on the chapter"
    answer = nb.cells[show_cells(nb, task_id)[0] + 1]
    assert answer.cell_type == "markdown" and written.ANSWER_TAG in answer.metadata["tags"]


def test_a_changed_model_answer_is_found_and_synced(tmp_path):
    source = next(p for p in CHAPTERS if p.name.startswith("06_"))
    copy = tmp_path / source.name
    nb = nbformat.read(source, as_version=4)
    i = show_cells(nb, "ch06-w1")[0]
    nb.cells[i + 2].source = "An old model answer."
    nb.cells[i + 1].source = "My own answer, which sync must keep."
    nbformat.write(nb, copy)
    assert written.notebook_problems(nbformat.read(copy, as_version=4), copy.name)
    assert written.sync(copy) == 1
    synced = nbformat.read(copy, as_version=4)
    assert written.notebook_problems(synced, copy.name) == []
    assert synced.cells[i + 1].source == "My own answer, which sync must keep."


def test_sync_adds_missing_cells(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(written.show_source(TASKS["ch06-w1"]))])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert written.sync(path) == 2
    assert [c.cell_type for c in nbformat.read(path, as_version=4).cells] == ["code", "markdown", "markdown"]


def test_add_puts_a_tasks_cells_at_the_end_of_the_exercises(tmp_path):
    source = next(p for p in CHAPTERS if p.name.startswith("06_"))
    nb = nbformat.read(source, as_version=4)
    i = show_cells(nb, "ch06-w1")[0]
    del nb.cells[i:i + 3]
    path = tmp_path / source.name
    nbformat.write(nb, path)
    assert written.add(path, "ch06-w1") is True
    again = nbformat.read(path, as_version=4)
    j = show_cells(again, "ch06-w1")[0]
    assert again.cells[j + 3].source.startswith(written.QUIZ_HEADING)
    assert written.notebook_problems(again, path.name) == []
    assert written.add(path, "ch06-w1") is False


# --- what learners get, and what handouts and term books leave out -----------------------


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_the_learners_view_is_accessible_and_holds_no_answer(task_id):
    task = TASKS[task_id]
    page = written.show(task_id)._repr_html_()
    outline = _Outline()
    outline.feed(page)
    names = [t for t, _ in outline.tags]
    assert names.count("h3") == 1 and "table" in names and "caption" in names and "thead" in names
    assert all(a.get("scope") in ("col", "row") for t, a in outline.tags if t == "th")
    assert sum(1 for t, a in outline.tags if t == "th" and a.get("scope") == "row") == len(task.rubric)
    text = " ".join("".join(outline.text).split())
    for criterion in task.rubric:
        assert criterion.criterion in text and criterion.needs_work.split()[0] in text
    assert f"{task.words.min}–{task.words.max} words" in text
    shown = " ".join(plain_words(text))
    given = runs(" ".join([task.prompt, task.hand_in, *(f"{c.excellent} {c.adequate}" for c in task.rubric)]))
    for run in runs(task.model_answer) - given:
        assert run not in shown, f"{task_id}: the model answer is in the learner's view: {run}"
    for figure in task.figures:
        assert figure not in text, f"{task_id}: a figure to check is in the learner's view"
    assert "<script" not in page and "onerror" not in page


@pytest.mark.parametrize("bad", [None, ..., math.nan, 6, "", "ch06", "ch06-w9", "ch99-w1", "<b>x</b>"])
def test_show_answers_bad_input_with_a_message(bad):
    view = written.show(bad)
    assert "Cannot show the written task" in view._repr_html_() and "Cannot show" in repr(view)
    assert "<b>x</b>" not in view._repr_html_()


def test_markup_in_a_task_is_shown_as_text(tmp_path):
    write(tmp_path, GOOD.replace("prompt: Write it.", "prompt: 'Write <script>alert(1)</script> it.'"))
    page = written.show("ch05-w1", tmp_path)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("chapter", [c for c in assign.chapters() if any(t[2:4] == f"{c.number:02d}" for t in TASKS)],
                         ids=lambda c: c.id)
def test_handouts_keep_the_answer_cell_and_drop_the_model_answer(chapter):
    student = assign.student_chapter(chapter)
    original = nbformat.read(chapter.notebook, as_version=4)
    text = json.dumps(student)
    for task in TASKS.values():
        if task.chapter != chapter.id:
            continue
        i = show_cells(student, task.id)
        assert len(i) == 1, f"{task.id}: the task cell is missing from the handout"
        assert stored_html(student.cells[i[0]]) == written.task_html(task), \
            f"{task.id}: the task's rubric was cleared from the handout"
        answer = student.cells[i[0] + 1]
        assert written.ANSWER_TAG in answer.metadata.get("tags", []) and answer.source == written.answer_source(task)
        assert model_lines(task, original), f"{task.id}: nothing to look for"
        for line in model_lines(task, original):
            assert json.dumps(line)[1:-1] not in text, f"{task.id}: model answer leaked: {line[:60]}"


@pytest.mark.parametrize("chapter", [c for c in assign.chapters() if any(t[2:4] == f"{c.number:02d}" for t in TASKS)],
                         ids=lambda c: c.id)
def test_a_terms_book_keeps_the_task_and_drops_the_model_answer(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    term = solutions.term_notebook(nb, chapter.notebook.name)
    text = json.dumps(term)
    for task in TASKS.values():
        if task.chapter == chapter.id:
            (i,) = show_cells(term, task.id)
            assert stored_html(term.cells[i]) == written.task_html(task)
            assert term.cells[i + 1].source == written.answer_source(task)
            assert not [c for c in term.cells if strip.is_solution(c)]
            assert model_lines(task, nb), f"{task.id}: nothing to look for"
            for line in model_lines(task, nb):
                assert json.dumps(line)[1:-1] not in text, f"{task.id}: model answer in the term's book"


def test_the_instructors_section_has_every_rubric_and_model_answer():
    text = written.as_myst(list(TASKS.values()), {"ch02": "/chapters/02_responsibilities"})
    for task in TASKS.values():
        assert f"### {task.id}: " in text
        for c in task.rubric:
            assert re.search(rf"^\| {re.escape(written._myst(c.criterion))} \| .+ \| .+ \| .+ \|$", text, re.M)
        for figure in task.figures:
            assert written._myst(figure).replace("|", "\\|") in text
    assert "{doc}`Chapter 2 </chapters/02_responsibilities>`" in text
    assert re.search(r"(?<!\\)\$\d", text) is None, "a dollar sign MyST would read as mathematics"


# --- schema errors -------------------------------------------------------------------------


def test_a_valid_file_loads(tmp_path):
    (task,) = written.load_file(write(tmp_path, GOOD)).tasks
    assert task.chapter == "ch05" and task.marks == 6 and task.form == "text"


@pytest.mark.parametrize("change, message", [
    (("    rubric:\n", "    rubric_:\n"), "ch05.yml: ch05-w1: rubric: Field required"),
    (("      - {criterion: Decision, excellent: a, adequate: b, needs_work: c}\n", ""),
     "ch05.yml: ch05-w1: rubric: List should have at least 3 items"),
    (("{criterion: Options, excellent: a, adequate: b, needs_work: c}", "{criterion: Options, excellent: a}"),
     "ch05.yml: ch05-w1: rubric.1.adequate: Field required"),
    (("{criterion: Options,", "{criterion: Problem,"), "ch05.yml: ch05-w1: rubric criteria must have distinct names"),
    (("{min: 20, max: 60}", "{min: 60, max: 20}"), "ch05.yml: ch05-w1: words"),
    (("{min: 20, max: 60}", "{min: 30, max: 60}"), "the model answer has 21 words, outside the task's own range 30–60"),
    (("form: text", "form: essay"), "ch05.yml: ch05-w1: form: Input should be 'text', 'table' or 'sketch'"),
    (("id: ch05-w1", "id: ch06-w1"), "ch05.yml: ch06-w1: id and objective must start with ch05-"),
    (("id: ch05-w1", "id: ch05-memo"), "ch05.yml: ch05-memo: id: String should match pattern"),
    (("    figures: [Ten merchants.]\n", "    figures: []\n"),
     "ch05.yml: ch05-w1: figures: List should have at least 1"),
    (("    title: A case study\n", "    title: A case study\n    points: 10\n"),
     "ch05.yml: ch05-w1: points: Extra inputs are not permitted"),
    (("chapter: ch05", "chapter: ch06"), "ch05.yml: chapter is 'ch06' but the file is named for ch05"),
    (("tasks:\n", "tasks: 3\nnot_tasks:\n"), "ch05.yml: 'tasks' must be a non-empty list"),
    (("    prompt: Write it.\n", "    prompt: [Write, it\n"), "ch05.yml: not valid YAML"),
])
def test_a_broken_file_names_the_file_the_task_and_the_problem(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(written.WrittenError) as err:
        written.load_file(path)
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)
    shown = written.show("ch05-w1", tmp_path)
    assert "Cannot show the written task" in shown._repr_html_()


def test_a_file_that_is_not_a_mapping_or_has_a_bad_task(tmp_path):
    with pytest.raises(written.WrittenError, match=r"ch05\.yml: expected a mapping"):
        written.load_file(write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(written.WrittenError, match=r"ch05\.yml: task 1: expected a mapping of fields, got str"):
        written.load_file(write(tmp_path, "chapter: ch05\ntasks: [oops]\n"))


def test_a_task_id_used_twice_is_an_error(tmp_path):
    twice = GOOD + GOOD.split("tasks:\n", 1)[1]
    with pytest.raises(written.WrittenError, match=r"ch05\.yml: ch05-w1: task id is used more than once"):
        written.load_file(write(tmp_path, twice))


def test_the_command_reports_a_missing_notebook_without_a_traceback(tmp_path, capsys):
    assert written.main([str(tmp_path / "missing.ipynb")]) == 2
    assert "✗" in capsys.readouterr().err
    assert written.main([]) == 2
