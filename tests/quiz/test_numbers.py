"""Reading typed numbers: the shared table of cases (tests/quiz/number_cases.yml),
which the browser test also runs through tpm-quiz.js, and the rules around it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tpmcourse.quiz import numbers

CASES = yaml.safe_load((Path(__file__).parent / "number_cases.yml").read_text(encoding="utf-8"))["cases"]


def case_id(case: dict) -> str:
    return f"{case['input']!r}[{case.get('unit', '')}]"


def test_the_table_is_broad():
    kinds = {c["kind"] for c in CASES}
    assert len(CASES) >= 40 and kinds == {"number", "ambiguous", "unit", "empty", "invalid"}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_case_in_the_shared_table(case):
    result = numbers.parse(case["input"], case.get("unit", ""))
    assert result.kind == case["kind"], result
    if case["kind"] == "number":
        assert result.value == case["value"] and result.message == ""
    else:
        assert result.value is None and result.message
    if case["kind"] == "ambiguous":
        assert f"did you mean {case['suggestion']}? Use a point for decimals" in result.message


def test_units_are_taken_only_where_the_question_has_them():
    assert "%" in numbers.accepted_units("%") and "percent" in numbers.accepted_units("%")
    assert "%" not in numbers.accepted_units("ms") and "%" not in numbers.accepted_units("")
    assert {"ms", "milliseconds"} <= set(numbers.accepted_units("ms"))
    assert {"points (max 5)", "points", "pts"} <= set(numbers.accepted_units("points (max 5)"))
    assert numbers.parse("39 ms", "ms").value == 39 and numbers.parse("39 ms", "").kind == "unit"
    assert "ms" in numbers.parse("39 kg", "ms").message


def test_numbers_from_code_are_taken_as_they_are():
    assert numbers.parse(800).value == 800.0 and numbers.parse(0.5).value == 0.5
    for junk in (True, float("nan"), float("inf"), [], {}, object()):
        assert numbers.parse(junk).kind == "invalid"
    assert numbers.parse(None).kind == "empty"


@given(st.text())
def test_any_text_gets_a_result_and_only_numbers_a_value(text):
    result = numbers.parse(text, "ms")
    assert result.kind in ("number", "ambiguous", "unit", "empty", "invalid")
    assert (result.value is not None) == (result.kind == "number")
