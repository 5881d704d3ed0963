"""Numeric questions with variants: the default is the chapter's numbers,
every variant is complete and gradable, and an author's mistake is reported
with the file and the question, never as a traceback."""

from __future__ import annotations

import re

import pytest

from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import numbers
from tpmcourse.quiz.score import grade
from tpmcourse.quiz.variants import Parameter

BANKS = quizbank.load_all()
NUMERIC = [q for b in BANKS.values() for q in b.questions if isinstance(q, quizbank.Numeric)]
VARIED = [q for q in NUMERIC if q.is_parameterised]

GOOD = """chapter: ch05
questions:
  - id: ch05-q1
    type: numeric
    objective: ch05-plan
    prompt: "Reach {reach}, effort {effort}. What is reach per effort?"
    parameters:
      reach: {default: 3600, values: [2400, 3600, 4800]}
      effort: {default: 1.5, min: 1, max: 3, step: 0.5}
    derived:
      flipped: effort / reach
    formula: reach / effort
    answer: 2400
    tolerance: 1
    hints:
      - formula: reach * effort
        feedback: "You multiplied by {effort}."
    explanation: "{reach} / {effort} = {answer}."
"""


def load(tmp_path, text):
    path = tmp_path / "ch05.yml"
    path.write_text(text, encoding="utf-8")
    return quizbank.load_bank(path)


def test_at_least_a_third_of_numeric_questions_have_variants():
    assert len(NUMERIC) >= 20 and len(VARIED) * 3 >= len(NUMERIC), (len(VARIED), len(NUMERIC))


@pytest.mark.parametrize("q", VARIED, ids=lambda q: q.id)
def test_variants_are_complete_distinct_and_gradable(q):
    variants = q.all_variants()
    assert 5 <= len(variants) <= 8
    assert variants[0].answer == pytest.approx(q.answer, abs=q.tolerance), "variant 0 is the chapter's numbers"
    assert len({round(v.answer, 6) for v in variants}) == len(variants)
    for i, v in enumerate(variants):
        for text in (v.prompt, v.explanation, *(f for _, f in v.hints)):
            assert not re.search(r"[{}]", text), f"{q.id} variant {i}: an unfilled placeholder in {text!r}"
        assert grade(q, f"{v.answer:.6f}", i).correct is True
        assert grade(q, v.answer + 10 * q.tolerance + abs(v.answer) + 1, i).correct is False
        for value, feedback in v.hints:
            assert grade(q, value, i).feedback == feedback, f"{q.id} variant {i}: hint {value}"
    assert variants[1].prompt != variants[0].prompt, "a new variant shows new numbers"


def test_the_example_bank_renders_variants(tmp_path):
    q = load(tmp_path, GOOD).questions[0]
    assert isinstance(q, quizbank.Numeric)
    first, *others = q.all_variants()
    assert first.prompt == "Reach 3,600, effort 1.5. What is reach per effort?"
    assert first.explanation == "3,600 / 1.5 = 2,400." and first.hints == ((5400.0, "You multiplied by 1.5."),)
    assert len(others) == 5 and q.variant(99) == first
    plain = q.as_default()
    assert plain.prompt == first.prompt and plain.hints[0].value == 5400 and not plain.is_parameterised


@pytest.mark.parametrize("change, message", [
    (("formula: reach / effort", "formula: reach / efort"),
     "ch05.yml: ch05-q1: formula: 'reach / efort': unknown name 'efort' (declared: effort, flipped, reach)"),
    (("formula: reach / effort", "formula: __import__('os').getcwd()"),
     "ch05.yml: ch05-q1: formula: '__import__('os').getcwd()': only these functions may be called"),
    (("formula: reach / effort", "formula: reach / (effort - 1.5)"),
     "ch05.yml: ch05-q1: with reach = 3,600, effort = 1.5: 'reach / (effort - 1.5)' divides by zero"),
    (("formula: reach / effort", "formula: sqrt(1.5 - effort) + reach"),
     "has no finite value"),
    (('"{reach} / {effort} = {answer}."', '"{reach} / {cost} = {answer}."'),
     ("ch05.yml: ch05-q1: explanation: placeholder {cost} is not a parameter (declared: reach, effort, flipped, "
      "answer)")),
    (('"You multiplied by {effort}."', '"You multiplied by {effort:q}."'),
     "ch05.yml: ch05-q1: hints.0.feedback: placeholder {effort:q} has a format that is not a number format"),
    (('"Reach {reach}, effort', '"Reach {reach, effort'), "ch05.yml: ch05-q1: prompt: a '{' or '}' that is not"),
    (("answer: 2400", "answer: 2500"),
     "ch05.yml: ch05-q1: answer 2500 does not match the formula with the default parameters (2400)"),
    (("reach: {default: 3600, values", "reach: {default: 3000, values"),
     "ch05.yml: ch05-q1: parameters.reach: the default 3,000 is not one of its values"),
    (("effort: {default: 1.5, min: 1, max: 3, step: 0.5}", "effort: {default: 1.5}"),
     "ch05.yml: ch05-q1: parameters.effort: give values, or all of min, max and step"),
    (("      - formula: reach * effort\n", "      - value: 2400\n"),
     "ch05.yml: ch05-q1: with the default parameters, a hint's value (2,400) equals the answer"),
    (("      flipped: effort / reach\n", "      answer: effort / reach\n"), "'answer' cannot name a parameter"),
    (("    formula: reach / effort\n", ""), "parameters and formula go together"),
    (("reach: {default: 3600, values: [2400, 3600, 4800]}", "reach: {default: 3600, values: [3600, 3600.0]}"),
     "variants have distinct answers and hints"),
])
def test_mistakes_name_the_file_and_question(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(quizbank.BankError) as err:
        load(tmp_path, GOOD.replace(old, new))
    assert message in str(err.value)
    assert "Traceback" not in str(err.value)


def test_fewer_values_than_variants_is_explained(tmp_path):
    text = GOOD.replace("reach: {default: 3600, values: [2400, 3600, 4800]}",
                        "reach: {default: 3600, values: [3600, 4800]}")
    text = text.replace("effort: {default: 1.5, min: 1, max: 3, step: 0.5}", "effort: {default: 1.5, values: [1.5, 3]}")
    with pytest.raises(quizbank.BankError, match="only 4 of 6 variants"):
        load(tmp_path, text)
    q = load(tmp_path, text.replace("    answer: 2400", "    variants: 4\n    answer: 2400")).questions[0]
    assert isinstance(q, quizbank.Numeric) and len(q.all_variants()) == 4


def test_a_hint_formula_needs_parameters(tmp_path):
    plain = ("chapter: ch05\nquestions:\n  - {id: ch05-q1, type: numeric, objective: ch05-a, prompt: P, answer: 1,"
             " tolerance: 0, explanation: E, hints: [{formula: '2', feedback: F}]}\n")
    with pytest.raises(quizbank.BankError, match=r"ch05\.yml: ch05-q1: a hint formula needs parameters"):
        load(tmp_path, plain)
    with pytest.raises(quizbank.BankError, match="a hint needs either a value or a formula"):
        load(tmp_path, plain.replace("{formula: '2', feedback: F}", "{value: 2, formula: '2', feedback: F}"))


def test_a_plain_question_keeps_its_braces_and_has_one_variant(tmp_path):
    text = ("chapter: ch05\nquestions:\n  - {id: ch05-q1, type: numeric, objective: ch05-a, prompt: 'Set {x}',"
            " answer: 1, tolerance: 0, explanation: E}\n")
    q = load(tmp_path, text).questions[0]
    assert isinstance(q, quizbank.Numeric) and [v.prompt for v in q.all_variants()] == ["Set {x}"]


def test_parameter_grids():
    assert Parameter(default=1, min=1, max=2, step=0.25).grid() == [1, 1.25, 1.5, 1.75, 2]
    assert Parameter(default=2, values=[2, 1, 2]).grid() == [2, 1]


def test_ambiguous_numbers_are_never_graded():
    q = next(q for q in NUMERIC if q.id == "ch03-q5")
    result = grade(q, "0,67")
    assert result.correct is None and "did you mean 0.67? Use a point for decimals" in result.feedback
    assert grade(q, "67 percent").correct is True and grade(q, "67%").correct is True
    money = next(q for q in NUMERIC if q.id == "ch02-q1")
    assert grade(money, "$6,526").correct is True and grade(money, "6 526").correct is True
    assert numbers.parse("1866,67").kind == "ambiguous"
