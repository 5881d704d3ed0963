"""The book's quiz script in a real browser (system Chromium), on pages
rendered from the test banks and the course's banks: grading, attempts and
reveal, the reader's shuffle, keyboard use, persistence, safety, and parity
with the Python it mirrors (the number parser's shared table, the shuffle,
and the feedback markup for every question of the course)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from browser import axe_violations, serve
from quizpage import answer, feedback, result
from tpmcourse.book.assets import STATIC
from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import numbers, shuffle
from tpmcourse.quiz import render as quizhtml
from tpmcourse.quiz.attempts import Attempts
from tpmcourse.quiz.score import grade

BANKS = ROOT / "tests" / "fixtures" / "banks"
COURSE = quizbank.load_all()
CASES = yaml.safe_load((Path(__file__).parent / "number_cases.yml").read_text(encoding="utf-8"))["cases"]
KEY = "tpmcourse.quiz.v1"
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quiz test</title>\
<link rel="icon" href="data:,">
<link rel="stylesheet" href="tpm-quiz.css"></head><body><main><h1>Quiz test</h1>{quiz}</main>
<script src="tpm-quiz.js"></script></body></html>"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quizsite")
    for name in ("tpm-quiz.js", "tpm-quiz.css"):
        shutil.copy(STATIC / name, folder / name)
    for chapter in ("ch99", "ch98"):
        bank = quizbank.load_bank(BANKS / f"{chapter}.yml")
        (folder / f"{chapter}.html").write_text(PAGE.format(quiz=quizhtml.render(bank)), encoding="utf-8")
    for chapter, bank in COURSE.items():
        (folder / f"{chapter}.html").write_text(PAGE.format(quiz=quizhtml.render(bank)), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(folder):
    with serve(folder) as url:
        yield url


BANK = quizbank.load_bank(BANKS / "ch99.yml")


def with_seed(page, seed: int) -> None:
    """Give the reader a known shuffle seed before the page's script runs."""
    page.add_init_script(f"try {{ if (!localStorage.getItem('{KEY}')) "
                         f"localStorage.setItem('{KEY}', JSON.stringify({{_seed: {seed}}})); }} catch (e) {{}}")


def shown_options(page, qid: str) -> list[int]:
    return page.eval_on_selector_all(f'[data-question="{qid}"] .tpm-option input', "els => els.map(e => +e.value)")


def click(page, qid: str, button: str = "Check") -> None:
    page.locator(f'[data-question="{qid}"]').get_by_role("button", name=button).click()


@pytest.mark.parametrize("q", BANK.questions, ids=lambda q: q.type)
def test_right_and_wrong_answers(page, site, q):
    page.goto(f"{site}/ch99.html")
    answer(page, q, right=False)
    assert result(page, q.id) == "incorrect"
    assert feedback(page, q.id).startswith("Not yet.")
    assert "Why:" not in feedback(page, q.id), "a first wrong answer never shows the explanation"
    answer(page, q, right=True)
    assert result(page, q.id) == "correct"
    assert feedback(page, q.id).startswith("Correct.") and "Why:" in feedback(page, q.id)
    assert page.get_attribute(f'[data-question="{q.id}"]', "data-status") == "retry"
    assert page.console_errors == []


def test_a_second_wrong_answer_reveals_and_the_score_says_so(page, site):
    page.goto(f"{site}/ch99.html")
    q = BANK.questions[0]
    answer(page, q, right=False)
    answer(page, q, right=False)
    text = feedback(page, q.id)
    assert "Why:" in text and "Worked answer shown: this question counts as revealed." in text
    assert page.get_attribute(f'[data-question="{q.id}"]', "data-status") == "revealed"
    answer(page, q, right=True)
    assert page.get_attribute(f'[data-question="{q.id}"]', "data-status") == "revealed", "no credit after a reveal"
    answer(page, BANK.questions[2], right=True)
    assert page.locator(".tpm-score").inner_text() == (
        "Score: 1 of 4 right first time, 0 right after a retry, 1 revealed.")
    assert not page.locator('[data-question="ch99-single"] button.tpm-reveal').is_visible()


def test_show_the_worked_answer_button(page, site):
    page.goto(f"{site}/ch99.html")
    click(page, "ch99-ordering", "Show the worked answer")
    text = feedback(page, "ch99-ordering")
    assert text.startswith("Why:") and "revealed" in text
    assert page.evaluate("document.activeElement.classList.contains('tpm-feedback')"), "focus stays nearby"
    assert page.locator(".tpm-score").inner_text().endswith("1 revealed.")


def test_specific_feedback_matches_the_python_grader(page, site):
    page.goto(f"{site}/ch99.html")
    page.fill("#ch99-numeric-num", "80000")
    click(page, "ch99-numeric")
    assert "Use confidence as a fraction (0.8), not 80." in feedback(page, "ch99-numeric")
    page.check("#ch99-multiple-opt2")
    click(page, "ch99-multiple")
    text = feedback(page, "ch99-multiple")
    assert "“Job size” does not belong: Job size is the divisor" in text
    assert "You left out 3 options that belong." in text


def test_check_without_an_answer_asks_for_one_and_counts_nothing(page, site):
    page.goto(f"{site}/ch99.html")
    click(page, "ch99-ordering")
    assert "Put all 3 items in order" in feedback(page, "ch99-ordering")
    assert result(page, "ch99-ordering") is None
    page.fill("#ch99-numeric-num", "0,8")
    click(page, "ch99-numeric")
    assert "did you mean 0.8? Use a point for decimals" in feedback(page, "ch99-numeric")
    page.fill("#ch99-numeric-num", "0,8")
    click(page, "ch99-numeric")
    assert "Why:" not in feedback(page, "ch99-numeric"), "ambiguous input is never an attempt"
    page.reload()
    assert result(page, "ch99-numeric") is None


def test_keyboard_only(page, site):
    with_seed(page, 5)
    page.goto(f"{site}/ch99.html")
    single = shuffle.order("ch99-single", 3, 5)
    assert shown_options(page, "ch99-single") == single
    page.keyboard.press("Tab")  # first radio of the first question, in the shown order
    assert page.evaluate("document.activeElement.id") == f"ch99-single-opt{single[0]}"
    for _ in range(single.index(1)):  # option 1 is the right one: Confidence
        page.keyboard.press("ArrowDown")
    if single.index(1) == 0:
        page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.id") == "ch99-single-opt1"
    page.keyboard.press("Tab")  # the Check button
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    assert result(page, "ch99-single") == "correct"
    page.keyboard.press("Tab")  # the reveal button is gone once the explanation shows
    assert page.evaluate("document.activeElement.textContent") != "Show the worked answer"
    order = quizhtml.display_order("ch99-ordering", 3)
    for shown, idx in enumerate(order):
        page.focus(f"#ch99-ordering-item{shown}")
        for _ in range(idx + 1):  # option 0 is "Choose…"; each ArrowDown moves one position
            page.keyboard.press("ArrowDown")
    page.focus("#ch99-ordering-item0")
    page.locator('[data-question="ch99-ordering"] button.tpm-check').focus()
    page.keyboard.press("Space")
    assert result(page, "ch99-ordering") == "correct"


def test_reload_restores_results_score_and_order(page, site):
    page.goto(f"{site}/ch99.html")
    order = shown_options(page, "ch99-multiple")
    answer(page, BANK.questions[2], right=True)
    answer(page, BANK.questions[0], right=False)
    score = "Score: 1 of 4 right first time, 0 right after a retry, 0 revealed."
    assert page.locator(".tpm-score").inner_text() == score
    page.reload()
    assert result(page, "ch99-numeric") == "correct"
    assert result(page, "ch99-single") == "incorrect" and "Why:" not in feedback(page, "ch99-single")
    assert page.input_value("#ch99-numeric-num") == "800"
    assert page.locator(".tpm-score").inner_text() == score
    assert shown_options(page, "ch99-multiple") == order, "the reader's order is stable across reloads"
    assert page.context.cookies() == []


def test_each_reader_has_their_own_stable_shuffle(browser, site):
    seeds, orders = [], []
    for _ in range(4):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{site}/ch02.html")
        seed = page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}'))._seed")
        shown = {q.id: shown_options(page, q.id) for q in COURSE["ch02"].questions if q.type == "single"}
        assert shown == {qid: shuffle.order(qid, len(o), seed) for qid, o in shown.items()}
        seeds.append(seed)
        orders.append(shown)
        context.close()
    assert len(set(seeds)) == 4 and len({json.dumps(o) for o in orders}) > 1


def test_without_storage_the_quiz_still_works(browser, site):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("Object.defineProperty(window, 'localStorage', "
                         "{get() { throw new DOMException('denied', 'SecurityError'); }});")
    page.goto(f"{site}/ch99.html")
    assert sorted(shown_options(page, "ch99-single")) == [0, 1, 2]
    answer(page, BANK.questions[0], right=True)
    assert result(page, "ch99-single") == "correct" and errors == []
    context.close()


def test_from_disk_the_quiz_works(page, folder):
    page.goto((folder / "ch99.html").as_uri())
    answer(page, BANK.questions[1], right=True)
    assert result(page, "ch99-multiple") == "correct" and page.console_errors == []


def test_new_numbers_after_a_reveal(page, site):
    q = COURSE["ch01"].questions[1]
    assert isinstance(q, quizbank.Numeric) and q.is_parameterised
    page.goto(f"{site}/ch01.html")
    root = f'[data-question="{q.id}"]'
    new = page.locator(f"{root} button.tpm-new")
    assert not new.is_visible()
    click(page, q.id, "Show the worked answer")
    assert new.is_visible()
    new.click()
    variant = page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}'))['{q.id}'].variant")
    assert variant != 0
    prompt = page.locator(f"{root} .tpm-prompt").inner_html()
    assert prompt == page.evaluate("html => { const d = document.createElement('div'); d.innerHTML = html; "
                                   "return d.innerHTML; }", quizhtml.inline(q.variant(variant).prompt))
    assert page.input_value(f"#{q.id}-num") == "" and feedback(page, q.id) == ""
    page.fill(f"#{q.id}-num", f"{q.variant(variant).answer:g}")
    click(page, q.id)
    assert result(page, q.id) == "correct"
    assert page.get_attribute(root, "data-status") == "revealed"
    page.reload()
    assert q.variant(variant).explanation.split(" ")[3] in page.locator(f"{root} .tpm-feedback").inner_text()


def test_markup_in_a_bank_stays_inert(page, site):
    page.goto(f"{site}/ch98.html")
    page.check("#ch98-xss-opt0")
    click(page, "ch98-xss")
    page.locator("#ch98-xss-opt0 + label").hover()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("section.tpm-quiz img, section.tpm-quiz svg, section.tpm-quiz b").count() == 0
    assert "<script>window.__pwned = 1</script>" in page.locator("legend").inner_text()
    assert "onerror" in feedback(page, "ch98-xss")  # shown as text
    assert page.console_errors == []


def test_the_quiz_page_is_accessible(page, site):
    page.goto(f"{site}/ch99.html")
    answer(page, BANK.questions[0], right=False)
    click(page, "ch99-ordering", "Show the worked answer")
    violations = axe_violations(page)
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]


# ------------------------------------------------- parity with the Python --

def test_the_number_table_reads_the_same_in_javascript(page, site):
    page.goto(f"{site}/ch99.html")
    inputs = [[c["input"], c.get("unit", ""), numbers.accepted_units(c.get("unit", ""))] for c in CASES]
    got = page.evaluate("([cases, messages]) => cases.map(([raw, unit, accepted]) => "
                        "tpmQuiz.parseAnswer(raw, unit, accepted, messages))", [inputs, numbers.MESSAGES])
    for case, js in zip(CASES, got, strict=True):
        assert js == numbers.parse(case["input"], case.get("unit", "")).as_dict(), case
        assert js["kind"] == case["kind"], case


def test_the_shuffle_is_the_same_in_javascript(page, site):
    page.goto(f"{site}/ch99.html")
    keys = [(q.id, len(getattr(q, "options", getattr(q, "items", [])))) for b in COURSE.values()
            for q in b.questions if q.type != "numeric"]
    for seed in (0, 1, 7, 123456789, 2**32 - 1):
        js = page.evaluate("([keys, seed]) => keys.map(([k, n]) => tpmQuiz.order(k, n, seed, false))", [keys, seed])
        assert js == [shuffle.order(k, n, seed) for k, n in keys], seed
    draws = page.evaluate("() => { const d = tpmQuiz.mulberry32(99); return [d(), d(), d()]; }")
    python = shuffle.mulberry32(99)
    assert draws == [python(), python(), python()]
    assert page.evaluate("tpmQuiz.fnv1a('1:ch01-q1')") == shuffle.fnv1a("1:ch01-q1")


def wrong_answer(q) -> object:
    """A wrong answer in the grader's form, and the same answer for the page."""
    if isinstance(q, quizbank.SingleChoice):
        return next(i for i, o in enumerate(q.options) if not o.correct)
    if isinstance(q, quizbank.MultipleSelect):
        correct = [i for i, o in enumerate(q.options) if o.correct]
        wrong = [i for i, o in enumerate(q.options) if not o.correct]
        return sorted([*correct[:-1], *wrong[:1]])
    if isinstance(q, quizbank.Numeric):
        return f"{q.answer + 10 * q.tolerance + abs(q.answer) + 1:g}"
    return list(reversed(q.items))


def give(page, q, given) -> None:
    if isinstance(q, quizbank.SingleChoice):
        page.check(f"#{q.id}-opt{given}")
    elif isinstance(q, quizbank.MultipleSelect):
        for i in range(len(q.options)):
            page.set_checked(f"#{q.id}-opt{i}", i in given)
    elif isinstance(q, quizbank.Numeric):
        page.fill(f"#{q.id}-num", given)
    else:
        for shown, idx in enumerate(quizhtml.display_order(q.id, len(q.items))):
            page.select_option(f"#{q.id}-item{shown}", str(len(q.items) - idx))
    click(page, q.id)


@pytest.mark.parametrize("chapter", sorted(COURSE))
def test_every_question_gives_the_python_feedback_and_no_early_explanation(page, site, chapter):
    """Both front ends, every question: the same markup after one wrong answer
    (targeted feedback only) and after a second (the explanation, revealed)."""
    page.goto(f"{site}/{chapter}.html")
    normalise = "html => { const d = document.createElement('div'); d.innerHTML = html; return d.innerHTML; }"
    for q in COURSE[chapter].questions:
        given = wrong_answer(q)
        state = Attempts()
        explanation = quizhtml.inline(q.variant(0).explanation if isinstance(q, quizbank.Numeric) else q.explanation)
        for attempt in (1, 2):
            give(page, q, given)
            python = grade(q, given)
            assert python.correct is False, q.id
            state.record(python)
            expected = page.evaluate(normalise, quizhtml.feedback_html(python, explanation, state))
            shown = page.locator(f'[data-question="{q.id}"] .tpm-feedback').inner_html()
            assert shown == expected, f"{q.id}, attempt {attempt}"
            assert ('class="tpm-why"' in shown) == (attempt == 2), f"{q.id}, attempt {attempt}"
            assert not EMOJI.search(page.locator(f'[data-question="{q.id}"]').inner_text())
    assert page.console_errors == []
