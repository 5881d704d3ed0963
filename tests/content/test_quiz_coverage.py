"""Every chapter has a quiz that assesses every one of its objectives, and
every chapter page carries that quiz, with a stored output that is current."""

from __future__ import annotations

import pytest

from tpmcourse.content import assessment
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import render as quizhtml

CHAPTERS = [f"ch{n:02d}" for n in range(1, 11)]


@pytest.fixture(scope="module")
def banks():
    return quizbank.load_all()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_a_varied_bank(banks, chapter):
    assert chapter in banks, f"course/quizzes/{chapter}.yml is missing"
    types = [q.type for q in banks[chapter].questions]
    assert len(types) >= 6, f"{chapter}: {len(types)} questions, need 6"
    assert {"single", "multiple"} <= set(types), f"{chapter}: types {set(types)}"
    assert {"numeric", "ordering"} & set(types), f"{chapter}: no numeric or ordering question"


def test_all_four_types_are_used(banks):
    used = {q.type for bank in banks.values() for q in bank.questions}
    assert used == {"single", "multiple", "numeric", "ordering"}


def test_every_objective_is_assessed():
    missing = assessment.unassessed()
    assert not missing, f"objectives with no quiz question: {missing}"


def test_every_question_names_a_real_objective():
    unknown = assessment.unknown_objectives()
    assert not unknown, f"questions naming an unknown objective: {unknown}"


def test_wrong_options_explain_themselves(banks):
    silent = [q.id for bank in banks.values() for q in bank.questions
              if q.type in ("single", "multiple")
              for o in q.options if not o.correct and not o.feedback]
    assert not silent, f"wrong options without feedback: {sorted(set(silent))}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_carries_its_current_quiz(chapter_notebooks, banks, chapter):
    path = next(p for p in chapter_notebooks if p.startswith(f"chapters/{chapter[2:]}_"))
    cells = [c for c in chapter_notebooks[path].cells
             if c.cell_type == "code" and f'show("{chapter}")' in c.source]
    assert len(cells) == 1, f"{path}: needs one cell calling show(\"{chapter}\")"
    stored = [o for o in cells[0].outputs if "text/html" in o.get("data", {})]
    assert stored, f"{path}: the quiz cell has no stored HTML output; run make outputs"
    assert stored[0]["data"]["text/html"] == quizhtml.render(banks[chapter]), (
        f"{path}: the stored quiz is older than course/quizzes/{chapter}.yml; run make outputs")
