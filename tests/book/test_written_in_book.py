"""Written tasks in the built book: each chapter page shows its task with the
rubric as a captioned table and the model answer in a closed dropdown; the
instructors' rubrics page repeats every rubric with its figures and model
answer; the assessment map lists each task under its objective."""

from __future__ import annotations

import re

import pytest
import yaml
from bs4 import BeautifulSoup

from browser import BOOK_HTML as HTML
from tpmcourse.paths import COURSE
from tpmcourse.quiz import written

pytestmark = pytest.mark.book  # reads the built book in _build/html

# A book built elsewhere (jupyter-book build --path-output DIR) is tested with
TASKS = written.load_all()
OUTLINE = yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))


def soup(path: str) -> BeautifulSoup:
    page = HTML / path
    assert page.exists(), f"{page} is not built: build the book first"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def words(node) -> str:
    """Visible text, whitespace collapsed and typographic apostrophes made plain."""
    return " ".join(node.get_text(" ").replace("\u2019", "'").split())


def plain_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", re.sub(r"[*_`|#>]", " ", text).lower())


def chapter_page(task: written.WrittenTask) -> str:
    return OUTLINE["chapters"][int(task.chapter[2:]) - 1]["file"].replace(".ipynb", ".html")


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_the_chapter_page_shows_the_task_and_its_rubric(task_id):
    task = TASKS[task_id]
    page = soup(chapter_page(task))
    section = page.find("section", id=f"written-{task_id}")
    assert section is not None, f"{task_id}: no task on {chapter_page(task)}"
    table = section.find("table", class_="tpm-written-rubric")
    assert table is not None and task_id in words(table.caption)
    body = table.find("tbody")
    assert body is not None
    rows = [words(tr.th) for tr in body.find_all("tr")]
    assert rows == [" ".join(c.criterion.split()) for c in task.rubric]
    assert section.find("h3") is not None
    # The code that shows it is removed from the page (remove-input).
    assert not [pre for pre in page.find_all("pre") if f'written.show("{task_id}")' in pre.get_text()]


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_the_model_answer_is_a_closed_dropdown_after_the_answer_note(task_id):
    task = TASKS[task_id]
    page = soup(chapter_page(task))
    titles = [a for a in page.find_all(class_="admonition")
              if f"Model answer to written task {task_id}" in words(a.find(class_="admonition-title") or a)]
    assert len(titles) == 1, f"{task_id}: model answer dropdown not found"
    assert "dropdown" in titles[0]["class"]
    text = words(page)
    assert f"Your answer to written task {task_id}" in text
    assert text.index(f"Written task {task_id}") < text.index(f"Your answer to written task {task_id}") \
        < text.index(f"Model answer to written task {task_id}")


def test_the_instructors_page_has_every_rubric_figure_and_model_answer():
    page = soup("instructors/rubrics.html")
    text = words(page)
    section = page.find(id="written-tasks-in-the-chapters")
    assert section is not None, "no section 'Written tasks in the chapters'"
    for task in TASKS.values():
        assert f"{task.id}: {task.title}" in words(section)
        tables = [t for t in section.find_all("table")
                  if [words(tr.find(["td", "th"])) for tr in t.find_all("tr")[1:]]
                  == [" ".join(c.criterion.split()) for c in task.rubric]]
        assert len(tables) == 1, f"{task.id}: rubric table not found on the instructors' page"
        answer = plain_words(task.model_answer)
        last = " ".join(answer[-12:])  # the model answer's closing words, in full
        assert last in " ".join(plain_words(text)), f"{task.id}: model answer missing"
    headings = [words(h) for h in page.find_all("h2")]
    assert headings[-1].startswith("Written tasks in the chapters"), "the section must end the page"


def test_the_assessment_map_has_a_column_of_written_tasks():
    page = soup("course/assessment-map.html")
    (table,) = [t for t in page.find_all("table") if "Written tasks (rubric-graded)" in words(t.find("tr"))]
    rows = table.find_all("tr")
    columns = [words(th) for th in rows[0].find_all("th")]
    col = columns.index("Written tasks (rubric-graded)")
    by_objective = {}
    for tr in rows[1:]:
        cells = tr.find_all("td")
        label = cells[1].find("code")
        by_objective[words(label)] = words(cells[col])
    for task in TASKS.values():
        assert task.id in by_objective[task.objective], f"{task.id} not listed for {task.objective}"
