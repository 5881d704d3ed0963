"""The book's quiz script in a real browser (system Chromium), on a page
rendered from the test banks: grading, keyboard use, persistence, safety."""

from __future__ import annotations

import shutil

import pytest

from browser import serve
from quizpage import answer, feedback, result
from tpmcourse.book.assets import STATIC
from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import render as quizhtml

BANKS = ROOT / "tests" / "fixtures" / "banks"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quiz test</title>\
<link rel="icon" href="data:,">
<link rel="stylesheet" href="tpm-quiz.css"></head><body><main><h1>Quiz test</h1>{quiz}</main>
<script src="tpm-quiz.js"></script></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quizsite")
    for name in ("tpm-quiz.js", "tpm-quiz.css"):
        shutil.copy(STATIC / name, folder / name)
    for chapter in ("ch99", "ch98"):
        bank = quizbank.load_bank(BANKS / f"{chapter}.yml")
        (folder / f"{chapter}.html").write_text(PAGE.format(quiz=quizhtml.render(bank)), encoding="utf-8")
    with serve(folder) as url:
        yield url


BANK = quizbank.load_bank(BANKS / "ch99.yml")


@pytest.mark.parametrize("q", BANK.questions, ids=lambda q: q.type)
def test_right_and_wrong_answers(page, site, q):
    page.goto(f"{site}/ch99.html")
    answer(page, q, right=False)
    assert result(page, q.id) == "incorrect"
    assert feedback(page, q.id).startswith("❌ Not yet.")
    assert "Why:" in feedback(page, q.id)
    answer(page, q, right=True)
    assert result(page, q.id) == "correct"
    assert feedback(page, q.id).startswith("✅ Correct.")
    assert page.console_errors == []


def test_specific_feedback_matches_the_python_grader(page, site):
    page.goto(f"{site}/ch99.html")
    page.fill("#ch99-numeric-num", "80000")
    page.locator('[data-question="ch99-numeric"]').get_by_role("button", name="Check").click()
    assert "Use confidence as a fraction (0.8), not 80." in feedback(page, "ch99-numeric")
    page.check("#ch99-multiple-opt2")
    page.locator('[data-question="ch99-multiple"]').get_by_role("button", name="Check").click()
    text = feedback(page, "ch99-multiple")
    assert "“Job size” does not belong: Job size is the divisor" in text
    assert "You left out 3 options that belong." in text


def test_check_without_an_answer_asks_for_one(page, site):
    page.goto(f"{site}/ch99.html")
    page.locator('[data-question="ch99-ordering"]').get_by_role("button", name="Check").click()
    assert "Put all 3 items in order" in feedback(page, "ch99-ordering")
    assert result(page, "ch99-ordering") == "incorrect"


def test_keyboard_only(page, site):
    page.goto(f"{site}/ch99.html")
    page.keyboard.press("Tab")  # first radio of the first question
    assert page.evaluate("document.activeElement.id") == "ch99-single-opt0"
    page.keyboard.press("ArrowDown")  # moves to and selects the second option: Confidence
    assert page.evaluate("document.activeElement.id") == "ch99-single-opt1"
    page.keyboard.press("Tab")  # the Check button
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    assert result(page, "ch99-single") == "correct"
    page.focus("#ch99-ordering-item0")
    order = quizhtml.display_order("ch99-ordering", 3)
    for shown, idx in enumerate(order):
        page.focus(f"#ch99-ordering-item{shown}")
        for _ in range(idx + 1):  # option 0 is "Choose…"; each ArrowDown moves one position
            page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert result(page, "ch99-ordering") == "correct"


def test_reload_restores_results_and_score(page, site):
    page.goto(f"{site}/ch99.html")
    answer(page, BANK.questions[2], right=True)
    answer(page, BANK.questions[0], right=False)
    assert page.locator(".tpm-score-value").inner_text() == "1"
    page.reload()
    assert result(page, "ch99-numeric") == "correct"
    assert result(page, "ch99-single") == "incorrect"
    assert page.input_value("#ch99-numeric-num") == "800"
    assert page.locator(".tpm-score-value").inner_text() == "1"
    assert page.context.cookies() == []


def test_markup_in_a_bank_stays_inert(page, site):
    page.goto(f"{site}/ch98.html")
    page.check("#ch98-xss-opt0")
    page.locator('[data-question="ch98-xss"]').get_by_role("button", name="Check").click()
    page.locator("#ch98-xss-opt0 + label").hover()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("section.tpm-quiz img, section.tpm-quiz svg, section.tpm-quiz b").count() == 0
    assert "<script>window.__pwned = 1</script>" in page.locator("legend").inner_text()
    assert "onerror" in feedback(page, "ch98-xss")  # shown as text
    assert page.console_errors == []
