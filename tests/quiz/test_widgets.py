"""The Jupyter quiz, driven the way a learner would: set a control, press
Check, read the feedback. No browser or kernel needed."""

from __future__ import annotations

from tpmcourse import quiz
from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz.widgets import QuizWidget

BANK = quizbank.load_bank(ROOT / "tests" / "fixtures" / "banks" / "ch99.yml")


def fresh():
    widget = QuizWidget(BANK)
    return widget, widget.questions


def test_right_answers_score_and_explain():
    widget, (single, multiple, numeric, ordering) = fresh()
    single.control.value = 1
    single.check.click()
    assert single.feedback.value.startswith("✅ Correct.")
    assert "Why:" in single.feedback.value and "fraction, not a percentage" in single.feedback.value
    for box, value in zip(multiple.boxes, [True, True, False, True], strict=True):
        box.value = value
    multiple.check.click()
    numeric.control.value = "800"
    numeric.check.click()
    for select, item in zip(ordering.selects, ordering.order, strict=True):
        select.value = item + 1  # position = index in the correct order + 1
    ordering.check.click()
    assert all(q.result.correct for q in widget.questions)
    assert "Score: 4 of 4 correct" in widget.score.value


def test_wrong_answers_get_specific_feedback_and_retry_works():
    widget, (single, _, numeric, ordering) = fresh()
    single.control.value = 0
    single.check.click()
    assert single.feedback.value.startswith("❌ Not yet.")
    assert "Reach counts people" in single.feedback.value
    numeric.control.value = "80000"
    numeric.check.click()
    assert "fraction (0.8), not 80" in numeric.feedback.value
    assert "Score: 0 of 4" in widget.score.value
    numeric.control.value = "800"
    numeric.check.click()
    assert numeric.feedback.value.startswith("✅") and "Score: 1 of 4" in widget.score.value
    for select in ordering.selects:
        select.value = 1
    ordering.check.click()
    assert "each position can be used once" in ordering.feedback.value


def test_checking_with_no_answer_says_so():
    _, questions = fresh()
    for q in questions:
        q.check.click()
        assert q.feedback.value.startswith("❔ No answer yet.")
        assert "Why:" not in q.feedback.value


def test_markup_in_a_bank_is_shown_as_text():
    bank = quizbank.load_bank(ROOT / "tests" / "fixtures" / "banks" / "ch98.yml")
    widget = QuizWidget(bank)
    q = widget.questions[0]
    prompt = q.children[0].value
    assert "<script" not in prompt and "&lt;script&gt;" in prompt
    assert "<img" not in prompt
    q.control.value = 0
    q.check.click()
    assert "<img" not in q.feedback.value and "<svg" not in q.feedback.value


def test_the_widget_also_carries_the_books_static_quiz():
    data, _ = QuizWidget(BANK)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert 'data-question="ch99-single"' in data["text/html"]


def test_show_reports_a_bad_chapter_instead_of_raising():
    assert "Cannot show the quiz" in quiz.show("chapter two").value
    assert "no question bank for ch77" in quiz.show("ch77").value
