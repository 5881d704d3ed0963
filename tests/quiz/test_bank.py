"""Question banks: valid ones load; broken ones name the file and question."""

from __future__ import annotations

import pytest

from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank

FIXTURES = ROOT / "tests" / "fixtures" / "banks"

GOOD = """chapter: ch05
questions:
  - id: ch05-q1
    type: single
    objective: ch05-plan
    prompt: Pick one.
    options: [{text: A, correct: true}, {text: B}]
    explanation: Because.
"""


def write(tmp_path, text, name="ch05.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_bank_has_every_type():
    bank = quizbank.load_bank(FIXTURES / "ch99.yml")
    assert [q.type for q in bank.questions] == ["single", "multiple", "numeric", "ordering"]
    numeric = bank.questions[2]
    assert isinstance(numeric, quizbank.Numeric) and numeric.hints[0].value == 80000


def test_a_valid_minimal_bank_loads(tmp_path):
    bank = quizbank.load_bank(write(tmp_path, GOOD))
    first = bank.questions[0]
    assert bank.chapter == "ch05" and isinstance(first, quizbank.SingleChoice) and first.options[0].correct


@pytest.mark.parametrize("change, message", [
    (("type: single", "type: essay"), "ch05.yml: ch05-q1: type must be one of"),
    (("{text: B}", "{text: B, correct: true}"),
     "ch05.yml: ch05-q1: a single-choice question needs exactly 1 correct option, has 2"),
    (("    explanation: Because.\n", ""), "ch05.yml: ch05-q1: explanation: Field required"),
    (("objective: ch05-plan", "objective: Plan"), "ch05.yml: ch05-q1: objective: String should match pattern"),
    (("objective: ch05-plan", "objective: ch04-plan"), "ch05.yml: ch05-q1: id and objective must start with ch05-"),
    (("{text: B}", "{text: a}"), "option texts must be distinct"),
    (("prompt: Pick one.", "prompt: Pick one.\n    colour: red"),
     "ch05.yml: ch05-q1: colour: Extra inputs are not permitted"),
    (("chapter: ch05", "chapter: ch06"), "ch05.yml: chapter is 'ch06' but the file is named for ch05"),
    (("  - id: ch05-q1\n", "  - id: ch05-q1\n    tolerance: -1\n"), "ch05.yml: ch05-q1:"),
])
def test_broken_banks_are_reported_precisely(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(quizbank.BankError) as err:
        quizbank.load_bank(write(tmp_path, GOOD.replace(old, new)))
    assert message in str(err.value)


@pytest.mark.parametrize("text, message", [
    ("- a list\n", "expected a mapping"),
    ("chapter: ch05\nquestions: []\n", "'questions' must be a non-empty list"),
    ("chapter: [unclosed\n", "not valid YAML"),
    (GOOD + GOOD.split("questions:\n")[1], "ch05-q1: question id is used more than once"),
])
def test_malformed_files(tmp_path, text, message):
    with pytest.raises(quizbank.BankError, match=message):
        quizbank.load_bank(write(tmp_path, text))


def test_numeric_and_ordering_rules(tmp_path):
    numeric = GOOD.replace("type: single", "type: numeric").replace(
        "options: [{text: A, correct: true}, {text: B}]", "answer: .nan\n    tolerance: 1")
    with pytest.raises(quizbank.BankError, match="answer and tolerance must be finite"):
        quizbank.load_bank(write(tmp_path, numeric))
    ordering = GOOD.replace("type: single", "type: ordering").replace(
        "options: [{text: A, correct: true}, {text: B}]", "items: [A, B, A]")
    with pytest.raises(quizbank.BankError, match="items must be distinct"):
        quizbank.load_bank(write(tmp_path, ordering))


def test_load_chapter_rejects_bad_ids(tmp_path):
    with pytest.raises(quizbank.BankError, match="chapter must look like 'ch02'"):
        quizbank.load_chapter(None)  # type: ignore[arg-type]  # a wrong type, on purpose
    with pytest.raises(quizbank.BankError, match="no question bank for ch07"):
        quizbank.load_chapter("ch07", tmp_path)
