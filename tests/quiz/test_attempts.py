"""Attempts and reveal, on every question of the course: a wrong answer gets
only its own feedback, the worked explanation comes after a second wrong
answer or on request, and the score tells first-time, retry and revealed apart."""

from __future__ import annotations

import pytest

from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import render as quizhtml
from tpmcourse.quiz.attempts import Attempts, summary
from tpmcourse.quiz.score import Result
from tpmcourse.quiz.widgets import QuestionWidget, QuizWidget

BANKS = quizbank.load_all()
QUESTIONS = [q for b in BANKS.values() for q in b.questions]


def set_answer(w: QuestionWidget, right: bool, option: int | None = None) -> None:
    """Answer a question widget right or wrong, the way a learner would."""
    q = w.question
    if isinstance(q, (quizbank.SingleChoice, quizbank.MultipleSelect)):
        correct = [i for i, o in enumerate(q.options) if o.correct]
        wrong = [i for i, o in enumerate(q.options) if not o.correct]
        if isinstance(q, quizbank.SingleChoice):
            pick = correct if right else [wrong[0] if option is None else option]
        else:
            pick = correct if right else [*correct[:-1], *wrong[:1]]
        for i, box in enumerate(w.boxes):
            box.value = i in pick
    elif isinstance(q, quizbank.Numeric):
        answer = q.variant(w.state.variant).answer
        w.control.value = f"{answer:.6f}" if right else f"{answer + 10 * q.tolerance + abs(answer) + 1:.6f}"
    else:
        for select, idx in zip(w.selects, w.order, strict=True):
            select.value = idx + 1 if right else len(q.items) - idx
        if not right and w.answer() == list(q.items):  # cannot happen for n >= 2, but be sure
            w.selects[0].value, w.selects[1].value = w.selects[1].value, w.selects[0].value


def explanation_of(w: QuestionWidget) -> str:
    q = w.question
    text = q.variant(w.state.variant).explanation if isinstance(q, quizbank.Numeric) else q.explanation
    return quizhtml.inline(text)


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_a_wrong_answer_never_shows_the_explanation(q):
    wrongs = ([i for i, o in enumerate(q.options) if not o.correct] if isinstance(q, quizbank.SingleChoice)
              else [None])
    for option in wrongs:  # every wrong option of a single-choice question
        w = QuestionWidget(q, 1, seed=7)
        set_answer(w, right=False, option=option)
        result = w._check()
        assert result.correct is False, (q.id, result)
        assert explanation_of(w) not in w.feedback.value and "Why:" not in w.feedback.value, q.id
        assert not w.state.status and w.reveal.layout.display != "none"
        set_answer(w, right=False, option=option)
        w._check()
        assert explanation_of(w) in w.feedback.value and w.state.status in ("revealed",), q.id
        assert quizhtml.attempts.REVEALED_NOTE in w.feedback.value


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_right_first_time_and_after_a_retry(q):
    w = QuestionWidget(q, 1, seed=3)
    set_answer(w, right=True)
    assert w._check().correct is True and w.state.status == "first"
    assert explanation_of(w) in w.feedback.value
    w = QuestionWidget(q, 1, seed=3)
    set_answer(w, right=False)
    w._check()
    set_answer(w, right=True)
    w._check()
    assert w.state.status == "retry" and explanation_of(w) in w.feedback.value


def test_the_rules():
    right, wrong, nothing = Result(True, ""), Result(False, "no"), Result(None, "type a number")
    st = Attempts()
    st.record(nothing)
    assert (st.status, st.tries, st.answered) == ("", 0, False), "an ungradable answer is not an attempt"
    st.record(wrong)
    assert (st.status, st.tries, st.explained) == ("", 1, False)
    st.record(right)
    assert (st.status, st.explained) == ("retry", True)
    st.record(wrong)
    st.reveal()
    assert st.status == "retry", "what happened first stays"
    st = Attempts()
    st.reveal()
    st.record(right)
    assert st.status == "revealed"
    st.new_numbers(3)
    assert (st.variant, st.tries, st.explained, st.status) == (3, 0, False, "revealed")
    assert summary(["first", "retry", "revealed", "", "first"], 6) == (
        "Score: 2 of 6 right first time, 1 right after a retry, 1 revealed.")


def test_the_score_line_in_jupyter():
    bank = BANKS["ch01"]
    quiz = QuizWidget(bank, seed=5)
    first, second, third = quiz.questions[:3]
    set_answer(first, right=True)
    first.check.click()
    set_answer(second, right=False)
    second.check.click()
    set_answer(second, right=True)
    second.check.click()
    third.reveal.click()
    assert "Why:" in third.feedback.value
    assert third.state.status == "revealed" and third.reveal.layout.display == "none"
    assert f"Score: 1 of {len(bank.questions)} right first time, 1 right after a retry, 1 revealed." in (
        quiz.score.value)
    assert quiz.correct == 2


def test_new_numbers_after_a_reveal_in_jupyter():
    q = next(q for q in BANKS["ch01"].questions if isinstance(q, quizbank.Numeric) and q.is_parameterised)
    quiz = QuizWidget(BANKS["ch01"], seed=9)
    w = next(w for w in quiz.questions if w.question is q)
    assert w.new.layout.display == "none"
    before = w.state.variant
    w.reveal.click()
    assert w.new.layout.display != "none"
    w.new.click()
    assert w.state.variant != before and w.state.status == "revealed" and not w.state.explained
    assert w.feedback.value == "" and w.control.value == ""
    assert quizhtml.inline(q.variant(w.state.variant).prompt) in w.prompt.value
    set_answer(w, right=True)
    assert w._check().correct is True and w.state.status == "revealed"


def test_jupyter_draws_a_fresh_variant_per_render():
    q = next(q for q in BANKS["ch02"].questions if isinstance(q, quizbank.Numeric) and q.is_parameterised)
    drawn = {QuestionWidget(q, 1, seed=s).state.variant for s in range(40)}
    assert len(drawn) >= 3
