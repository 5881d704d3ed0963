"""Quizzes in the built book, in the system Chromium: a sample question of
every type on the real chapter pages, keyboard use, persistence across a
reload, the progress page, and dark mode."""

from __future__ import annotations

import pytest
import yaml

from quizpage import answer, feedback, result
from tpmcourse.paths import COURSE
from tpmcourse.quiz import bank as quizbank

pytestmark = pytest.mark.book  # reads the built book in _build/html

BANKS = quizbank.load_all()
OUTLINE = yaml.safe_load((COURSE / "outline.yml").read_text())


def page_of(chapter: str) -> str:
    return OUTLINE["chapters"][int(chapter[2:]) - 1]["file"].replace(".ipynb", ".html")


def sample():
    """The first and last question of each type across the course."""
    picked: dict[tuple[str, str], tuple[str, quizbank.Question]] = {}
    for bank in BANKS.values():
        for q in bank.questions:
            picked.setdefault((q.type, "first"), (bank.chapter, q))
            picked[(q.type, "last")] = (bank.chapter, q)
    return sorted({(c, q.id): (c, q) for c, q in picked.values()}.values(), key=lambda cq: cq[1].id)


@pytest.mark.parametrize("chapter, q", sample(), ids=lambda v: getattr(v, "id", v))
def test_sample_question_right_and_wrong(page, book_url, chapter, q):
    page.goto(f"{book_url}/{page_of(chapter)}")
    answer(page, q, right=False)
    assert result(page, q.id) == "incorrect", feedback(page, q.id)
    assert feedback(page, q.id).startswith("❌")
    answer(page, q, right=True)
    assert result(page, q.id) == "correct", feedback(page, q.id)
    assert feedback(page, q.id).startswith("✅")
    assert page.console_errors == []


def test_every_chapter_page_carries_its_whole_quiz(page, book_url):
    for chapter, bank in BANKS.items():
        page.goto(f"{book_url}/{page_of(chapter)}")
        ids = page.eval_on_selector_all("[data-question]", "els => els.map(e => e.dataset.question)")
        assert ids == [q.id for q in bank.questions], chapter
        assert page.locator("button.tpm-check").count() == len(bank.questions)
    assert page.console_errors == []


def test_reload_and_progress_page(page, book_url):
    bank = BANKS["ch02"] if "ch02" in BANKS else next(iter(BANKS.values()))
    first, second = bank.questions[:2]
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    answer(page, first, right=True)
    answer(page, second, right=False)
    page.reload()
    assert result(page, first.id) == "correct" and result(page, second.id) == "incorrect"
    page.goto(f"{book_url}/course/progress.html")
    row = page.locator(f'tr[data-chapter="{bank.chapter}"]')
    assert row.locator(".tpm-answered").inner_text() == "2"
    assert row.locator(".tpm-correct").inner_text() == "1"
    assert "answered 2 questions, 1 of them correctly" in page.locator(".tpm-progress-summary").inner_text()
    page.get_by_role("button", name="Reset my progress").click()
    assert row.locator(".tpm-answered").inner_text() == "0"
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    assert result(page, first.id) is None
    assert page.context.cookies() == []
    assert page.console_errors == []


def test_keyboard_only_on_a_chapter_page(page, book_url):
    bank = next(iter(BANKS.values()))
    q = next(q for q in bank.questions if q.type == "single")
    right = next(i for i, o in enumerate(q.options) if o.correct)
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    page.focus(f"#{q.id}-opt0")
    for _ in range(right):
        page.keyboard.press("ArrowDown")
    if right == 0:
        page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.id") == f"{q.id}-opt{right}"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    assert result(page, q.id) == "correct"


def test_dark_mode_quiz_works_and_keeps_contrast(page, book_url):
    bank = next(iter(BANKS.values()))
    q = bank.questions[0]
    page.emulate_media(color_scheme="dark")
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    answer(page, q, right=True)
    assert result(page, q.id) == "correct"
    colors = page.eval_on_selector(f'[data-question="{q.id}"] .tpm-feedback',
                                   "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert colors[0] != colors[1]
    assert page.console_errors == []
