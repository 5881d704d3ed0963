"""Quizzes in the built book, in the system Chromium: a sample question of
every type on the real chapter pages, keyboard use, persistence across a
reload, the progress page with first-time, retry and revealed, the reader's
own shuffle, static pages that do not give the key away, and dark mode."""

from __future__ import annotations

import json
from statistics import mean

import pytest
import yaml

from browser import BOOK_HTML as HTML
from quizpage import answer, feedback, result
from tpmcourse.paths import COURSE
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import shuffle

pytestmark = pytest.mark.book  # reads the built book in _build/html

BANKS = quizbank.load_all()
OUTLINE = yaml.safe_load((COURSE / "outline.yml").read_text())
KEY = "tpmcourse.quiz.v1"


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
    assert feedback(page, q.id).startswith("Not yet.") and "Why:" not in feedback(page, q.id)
    answer(page, q, right=True)
    assert result(page, q.id) == "correct", feedback(page, q.id)
    assert feedback(page, q.id).startswith("Correct.") and "Why:" in feedback(page, q.id)
    assert page.get_attribute(f'[data-question="{q.id}"]', "data-status") == "retry"
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
    first, second, third, fourth = bank.questions[:4]
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    answer(page, first, right=True)
    answer(page, second, right=False)
    answer(page, third, right=False)
    answer(page, third, right=True)
    page.locator(f'[data-question="{fourth.id}"]').get_by_role("button", name="Show the worked answer").click()
    page.reload()
    assert result(page, first.id) == "correct" and result(page, second.id) == "incorrect"
    assert page.get_attribute(f'[data-question="{fourth.id}"]', "data-status") == "revealed"
    assert page.locator(".tpm-score").inner_text() == (
        f"Score: 1 of {len(bank.questions)} right first time, 1 right after a retry, 1 revealed.")
    page.goto(f"{book_url}/course/progress.html")
    row = page.locator(f'tr[data-chapter="{bank.chapter}"]')
    cells = {name: row.locator(f".tpm-{name}").inner_text() for name in ("answered", "first", "retry", "revealed")}
    assert cells == {"answered": "4", "first": "1", "retry": "1", "revealed": "1"}
    assert page.locator(".tpm-progress-summary").inner_text() == (
        "You have answered 4 questions: 1 right first time, 1 right after a retry, 1 revealed and 1 still open.")
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
    page.add_init_script(f"localStorage.setItem('{KEY}', JSON.stringify({{_seed: 77}}))")
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    shown = shuffle.order(q.id, len(q.options), 77)
    page.focus(f"#{q.id}-opt{shown[0]}")
    for _ in range(shown.index(right)):
        page.keyboard.press("ArrowDown")
    if shown.index(right) == 0:
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


def test_the_shipped_pages_do_not_give_the_key_away_by_order():
    """Before any script runs, the static HTML shows options in a shuffled order."""
    from bs4 import BeautifulSoup

    firsts, expected = [], []
    for chapter, bank in BANKS.items():
        soup = BeautifulSoup((HTML / page_of(chapter)).read_text(encoding="utf-8"), "html.parser")
        for q in bank.questions:
            if isinstance(q, quizbank.SingleChoice):
                shown = [int(str(i["value"])) for i in soup.select(f'[data-question="{q.id}"] .tpm-option input')]
                assert sorted(shown) == list(range(len(q.options))), q.id
                firsts.append(q.options[shown[0]].correct)
                expected.append(1 / len(q.options))
    assert len(firsts) >= 20 and abs(mean(firsts) - mean(expected)) < 0.15, mean(firsts)


def test_each_reader_gets_their_own_order_kept_across_reloads(page, book_url):
    bank = BANKS["ch01"]
    page.goto(f"{book_url}/{page_of(bank.chapter)}")
    seed = page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}'))._seed")
    ids = [q.id for q in bank.questions if q.type in ("single", "multiple")]

    def shown():
        return {qid: page.eval_on_selector_all(f'[data-question="{qid}"] .tpm-option input',
                                               "els => els.map(e => +e.value)") for qid in ids}

    before = shown()
    assert before == {qid: shuffle.order(qid, len(v), seed) for qid, v in before.items()}
    page.reload()
    assert shown() == before and page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}'))._seed") == seed
    assert json.dumps(before) != json.dumps({q: sorted(v) for q, v in before.items()})
