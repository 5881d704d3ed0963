"""The Jupyter quiz, driven the way a learner would: tick a box, press
Check, read the feedback. No browser or kernel needed (the widgets' DOM is
checked in a browser by test_widgets_in_browser.py)."""

from __future__ import annotations

import json
import re

from tpmcourse import quiz
from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz.widgets import QuizWidget

BANK = quizbank.load_bank(ROOT / "tests" / "fixtures" / "banks" / "ch99.yml")
# Emoji and other pictographs, which render as empty boxes without an emoji font.
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")


def fresh(seed: int = 1):
    widget = QuizWidget(BANK, seed=seed)
    return widget, widget.questions


def test_right_answers_score_and_explain():
    widget, (single, multiple, numeric, ordering) = fresh()
    single.boxes[1].value = True
    single.check.click()
    assert "<strong>Correct.</strong>" in single.feedback.value and 'data-verdict="correct"' in single.feedback.value
    assert "Why:" in single.feedback.value and "fraction, not a percentage" in single.feedback.value
    for box, value in zip(multiple.boxes, [True, True, False, True], strict=True):
        box.value = value
    multiple.check.click()
    numeric.control.value = "800"
    numeric.check.click()
    for select, item in zip(ordering.selects, ordering.order, strict=True):
        select.value = item + 1  # position = index in the correct order + 1
    ordering.check.click()
    assert all(q.result and q.result.correct for q in widget.questions)
    assert "Score: 4 of 4 right first time, 0 right after a retry, 0 revealed." in widget.score.value


def test_wrong_answers_get_specific_feedback_and_a_retry_counts_as_one():
    widget, (single, _, numeric, ordering) = fresh()
    single.boxes[0].value = True
    single.check.click()
    assert "<strong>Not yet.</strong>" in single.feedback.value and "Reach counts people" in single.feedback.value
    assert "Why:" not in single.feedback.value
    numeric.control.value = "80000"
    numeric.check.click()
    assert "fraction (0.8), not 80" in numeric.feedback.value and "Why:" not in numeric.feedback.value
    assert "Score: 0 of 4 right first time" in widget.score.value
    numeric.control.value = "800"
    numeric.check.click()
    assert "<strong>Correct.</strong>" in numeric.feedback.value
    assert "Score: 0 of 4 right first time, 1 right after a retry" in widget.score.value
    for select in ordering.selects:
        select.value = 1
    ordering.check.click()
    assert "each position can be used once" in ordering.feedback.value
    assert ordering.state.tries == 0, "an answer that cannot be graded is not an attempt"


def test_single_choice_keeps_one_box_ticked():
    _, (single, *_) = fresh()
    single.boxes[0].value = True
    single.boxes[2].value = True
    assert [b.value for b in single.boxes] == [False, False, True] and single.answer() == 2


def test_checking_with_no_answer_says_so():
    _, questions = fresh()
    for q in questions:
        q.check.click()
        assert "<strong>Not graded yet.</strong>" in q.feedback.value
        assert "Why:" not in q.feedback.value and q.state.tries == 0


def test_a_decimal_comma_is_not_an_attempt():
    _, (_, _, numeric, _) = fresh()
    numeric.control.value = "0,8"
    numeric.check.click()
    assert "did you mean 0.8? Use a point for decimals" in numeric.feedback.value and numeric.state.tries == 0


def test_markdown_is_rendered_and_markup_in_a_bank_is_shown_as_text():
    _, (single, multiple, *_) = fresh()
    assert "<strong>RICE</strong>" in single.prompt.value and "**" not in single.prompt.value
    assert any("<code>" in w.value for w in [multiple.prompt])
    bank = quizbank.load_bank(ROOT / "tests" / "fixtures" / "banks" / "ch98.yml")
    q = QuizWidget(bank, seed=1).questions[0]
    assert "<script" not in q.prompt.value and "&lt;script&gt;" in q.prompt.value
    assert "<img" not in q.prompt.value
    assert all("<b " not in b.description for b in q.boxes if b.description_allow_html)
    assert not q.boxes[0].description_allow_html, "markup shown as text, never as HTML"
    q.boxes[0].value = True
    q.check.click()
    assert "<img" not in q.feedback.value and "<svg" not in q.feedback.value


def test_options_are_labelled_controls_that_wrap():
    _, (single, multiple, numeric, ordering) = fresh()
    for box in single.boxes + multiple.boxes:
        assert not box.indent and box.layout.width == "100%" and "tpm-option" in box._dom_classes
    assert all(s.layout.width == "100%" for s in ordering.selects)
    markdown = [b for b in multiple.boxes if b.description_allow_html]
    assert [b.description for b in multiple.boxes if not b.description_allow_html] == [
        "User-business value", "Time criticality", "Job size", "Risk reduction or opportunity enablement"]
    assert not markdown, "plain text stays plain, so its hover title reads well"
    money = QuizWidget(quizbank.load_all()["ch10"], seed=1).questions[3]
    dollars = [b.description for b in money.boxes if "$" in b.description]
    assert dollars and all(d.startswith('<span class="tex2jax_ignore mathjax_ignore">') for d in dollars), (
        "JupyterLab must not typeset $200,000 to $300,000 as mathematics")
    assert "max-content" not in json.dumps([w.get_state() for w in (single, multiple, numeric, ordering)],
                                           default=str)


def test_no_emoji_anywhere_in_the_widget():
    widget, questions = fresh()
    for q in questions:
        q.check.click()
        q.reveal.click()
    texts = [widget.score.value, *(q.feedback.value for q in questions), *(q.prompt.value for q in questions)]
    assert not any(EMOJI.search(t) for t in texts)
    assert not EMOJI.search(quiz.show("ch77").value)


def test_the_widget_also_carries_the_books_static_quiz():
    data, _ = QuizWidget(BANK)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert 'data-question="ch99-single"' in data["text/html"]


def test_stored_outputs_do_not_depend_on_the_render():
    """nbval compares text/html and text/plain; the shuffle and the variant are per render."""
    first, _ = QuizWidget(BANK, seed=1)._repr_mimebundle_()
    second, _ = QuizWidget(BANK, seed=2)._repr_mimebundle_()
    assert first["text/html"] == second["text/html"] and first["text/plain"] == second["text/plain"]


def test_show_reports_a_bad_chapter_instead_of_raising():
    assert "Cannot show the quiz" in quiz.show("chapter two").value
    assert "no question bank for ch77" in quiz.show("ch77").value
