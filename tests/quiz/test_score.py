"""Grading: right answers pass, wrong ones get specific feedback, and odd
input (None, NaN, the wrong type) gets a message instead of an exception."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz.score import grade, parse_number

BANK = quizbank.load_bank(ROOT / "tests" / "fixtures" / "banks" / "ch99.yml")
SINGLE, MULTIPLE, NUMERIC, ORDERING = BANK.questions


def test_single_choice():
    assert grade(SINGLE, 1).correct is True
    wrong = grade(SINGLE, 0)
    assert wrong.correct is False and "Reach counts people" in wrong.feedback
    assert "reread" in grade(SINGLE, 2).feedback  # no specific feedback: generic hint
    assert grade(SINGLE, None).correct is None


def test_multiple_select():
    assert grade(MULTIPLE, [0, 1, 3]).correct is True
    extra = grade(MULTIPLE, [0, 1, 2, 3])
    assert extra.correct is False and "Job size is the divisor" in extra.feedback
    missed = grade(MULTIPLE, [0, 1])
    assert missed.correct is False and "You left out 1 option that belongs." in missed.feedback
    assert grade(MULTIPLE, []).correct is None


def test_numeric():
    assert grade(NUMERIC, 800).correct is True
    assert grade(NUMERIC, "800.4").correct is True
    assert grade(NUMERIC, "800 points").correct is True
    ambiguous = grade(NUMERIC, " 8,00 ")  # a decimal comma? never guessed, never graded
    assert ambiguous.correct is None and "did you mean 8.00? Use a point for decimals" in ambiguous.feedback
    assert grade(NUMERIC, 801).correct is False
    assert "fraction (0.8), not 80" in grade(NUMERIC, 80000).feedback
    assert "too low" in grade(NUMERIC, 700).feedback
    assert "factor of ten" in grade(NUMERIC, 8000).feedback


def test_headlines_are_words_not_emoji():
    assert (grade(SINGLE, 1).headline, grade(SINGLE, 0).headline, grade(SINGLE, None).headline) == (
        "Correct.", "Not yet.", "Not graded yet.")


def test_ordering():
    assert grade(ORDERING, ["Processor migration", "Ledger refactor", "Dark mode"]).correct is True
    wrong = grade(ORDERING, ["Ledger refactor", "Processor migration", "Dark mode"])
    assert wrong.correct is False and "1 of 3 items" in wrong.feedback
    assert "Position 1 should not be “Ledger refactor”" in wrong.feedback
    assert grade(ORDERING, ["Dark mode"] * 3).correct is None
    assert grade(ORDERING, None).correct is None


@pytest.mark.parametrize("value", [None, ..., "", "abc", float("nan"), math.inf, True, [], {}, object()])
def test_numbers_that_are_not_numbers(value):
    assert parse_number(value) is None
    assert grade(NUMERIC, value).correct is None


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(), st.lists(st.integers()),
                 st.lists(st.text()), st.booleans(), st.dictionaries(st.text(), st.integers())))
def test_no_input_makes_any_grader_raise(answer):
    for question in BANK.questions:
        result = grade(question, answer)
        assert result.correct in (True, False, None)
        assert isinstance(result.feedback, str)
