"""What a learner's copy of each lab says: the same policy in every
introduction, a check cell after every answer cell that promises one, every
name an answer cell offers explained by its task, and no finding that gives
an answer away."""

from __future__ import annotations

import re

import nbformat
import pytest

from tpmcourse import checks, labs
from tpmcourse.instructor import strip
from tpmcourse.labs import shortcuts

LABS = labs.labs()
CHECK = re.compile(r"""\bcheck\(\s*["']""")
ANSWER_NAME = re.compile(r"^(\w+) = \.\.\.$", re.M)


def student(lab: labs.Lab) -> nbformat.NotebookNode:
    return strip.student_copy(nbformat.read(lab.notebook, as_version=4), lab.notebook.name)


def is_answer(cell) -> bool:
    return cell.cell_type == "code" and "answer" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_introduction_states_the_same_policies(lab):
    intro = nbformat.read(lab.notebook, as_version=4).cells[0].source
    for policy in (checks.TOLERANCE_POLICY, checks.TEXT_POLICY, shortcuts.POLICY):
        assert policy in intro, f"{lab.id}: {policy[:40]}..."
    assert "✅" not in intro and "❌" not in intro


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_an_answer_cell_that_says_run_the_check_cell_is_followed_by_one(lab):
    cells = [c for c in student(lab).cells if c.cell_type == "code"]
    for k, cell in enumerate(cells):
        if is_answer(cell) and "run the check cell" in cell.source:
            following = cells[k + 1] if k + 1 < len(cells) else None
            assert following is not None and CHECK.search(following.source), \
                f"{lab.id}: no check cell after the answer cell\n{cell.source}"


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_name_an_answer_cell_offers_is_explained_by_its_task(lab):
    unexplained = []
    text = ""
    for cell in student(lab).cells:
        if cell.cell_type == "markdown":
            text += cell.source
        elif CHECK.search(cell.source):
            text = ""  # a new task starts after each check
        elif is_answer(cell):
            unexplained += [(name, cell.source) for name in ANSWER_NAME.findall(cell.source)
                            if f"`{name}`" not in text]
        else:
            text += "\n".join(line for line in cell.source.splitlines() if line.lstrip().startswith("#"))
    assert not unexplained, unexplained


#: Numbers the findings of each lab state; none may reach a learner's copy.
ANSWERS = {
    "prioritization": ["201 points", "206", "118 weeks"],
    "metrics": ["8,569", "2.7 points", "0.010"],
    "reliability": ["99.925%", "150%", "burn rate of 177"],
    "ethics": ["82.3", "0.49", "89 percent"],
    "planning": ["$150,000", "87 days", "3 July"],
    "first_quarter": ["59.2 person-weeks", "about 22.3", "1.05 times"],
}


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_findings_that_give_answers_away_are_not_in_the_student_copy(lab):
    copy = student(lab)
    text = "\n".join(c.source for c in copy.cells if c.cell_type == "markdown")
    found = [a for a in ANSWERS[lab.id] if a in text]
    assert not found, f"{lab.id}: the student copy states {found}"
    teacher = "\n".join(c.source for c in nbformat.read(lab.notebook, as_version=4).cells)
    assert all(a in teacher for a in ANSWERS[lab.id]), "the findings moved: update ANSWERS"
    headings = [c.source for c in copy.cells if c.cell_type == "markdown" and "## What you found" in c.source]
    for heading in headings:
        assert not re.search(r"\d", heading.split("## What you found", 1)[1]), heading
