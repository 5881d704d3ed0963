"""Tests for tpmcourse.checks: the need_* helpers are validate's checks, and
evaluate() shows an unusable answer as a ❌ with the message, whether a check
raised a Hint or the validation layer raised an InputError."""

from __future__ import annotations

import pandas as pd
import pytest

from tpmcourse import checks
from tpmcourse import validate as v
from tpmcourse.prioritization import rice

LAB = "selftest"  # tasks registered here exist only while a test runs


@pytest.fixture
def register():
    """Register throw-away tasks (after the real labs, so evaluate's loading cannot clash), then drop them."""
    checks.tasks()
    added: list[str] = []

    def add(name: str, variables: list[str], fn) -> str:
        checks.task(LAB, name, title=f"Task {name}", variables=variables)(fn)
        added.append(f"{LAB}.{name}")
        return added[-1]

    yield add
    for task_id in added:
        checks.REGISTRY.pop(task_id, None)


def needs_a_share(share):
    return f"share {checks.need_number(share, 'share'):g} read"


def needs_a_table(scored):
    frame = checks.need_frame(scored, "scored", ["id", "score"], rows=2)
    return f"total {checks.need_numeric_column(frame, 'score', 'scored').sum():g}"


def scores_with_rice(backlog):
    return f"top RICE {rice(backlog).max():g}"  # a toolkit helper validating the learner's table


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("a quarter", "Task share: share should be a number, not text 'a quarter'"),
        (True, "Task share: share is True, a yes/no value"),
        (float("nan"), "Task share: share is NaN"),
        ([0.25], "Task share: share is a list; pass a single number"),
    ],
)
def test_input_error_from_a_need_helper_is_a_fail_line(register, answer, says):
    result = checks.evaluate(register("share", ["share"], needs_a_share), answer)
    assert not result.passed
    assert result.line == f"{checks.FAIL} {result.message}"
    assert result.message.startswith(says)
    assert "could not read your answer" not in result.message


def test_need_number_keeps_accepting_numbers_written_as_text(register):
    result = checks.evaluate(register("share", ["share"], needs_a_share), "0.25")
    assert result.passed and result.message == "Task share: share 0.25 read"


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (pd.DataFrame({"id": ["a", "b"]}), "scored has no column 'score'; it has 'id'"),
        (pd.DataFrame({"id": ["a"], "score": [1.0]}), "scored has 1 rows; expected 2"),
        (pd.DataFrame(columns=["id", "score"]), "scored is an empty table"),
        (pd.Series([1.0, 2.0]), "scored is a Series; pass a DataFrame with columns id, score"),
        (pd.DataFrame({"id": ["a", "b"], "score": [1.0, None]}), "column 'score' of scored has 1 missing (NaN)"),
        (pd.DataFrame({"id": ["a", "b"], "score": ["1", "2"]}), "column 'score' of scored holds"),
    ],
    ids=["missing column", "rows", "empty", "series", "NaN", "text"],
)
def test_table_problems_are_fail_lines(register, answer, says):
    result = checks.evaluate(register("table", ["scored"], needs_a_table), answer)
    assert not result.passed and says in result.message
    ok = checks.evaluate("selftest.table", pd.DataFrame({"id": ["a", "b"], "score": [1, 2.5]}))
    assert ok.passed and ok.message == "Task table: total 3.5"


def test_input_error_raised_by_a_toolkit_helper_is_a_fail_line(register):
    task_id = register("rice", ["backlog"], scores_with_rice)
    percent = pd.DataFrame({"reach": [100], "impact": [1], "confidence": [80], "effort": [2]})
    result = checks.evaluate(task_id, percent)
    assert not result.passed
    assert "column 'confidence' of df must be between 0 and 1 (a fraction: write 0.8 for 80%" in result.message
    assert checks.evaluate(task_id, percent.assign(confidence=0.8)).passed


@pytest.mark.parametrize("missing", [None, ...])
def test_unanswered_is_named_without_backticks(register, missing):
    result = checks.evaluate(register("share", ["share"], needs_a_share), missing)
    assert not result.passed
    assert result.message.startswith("Task share: share is not answered yet. Replace the ... placeholder")
    assert "`" not in result.message


def test_hints_and_other_errors_keep_their_own_lines(register):
    def hint(answer):
        raise checks.Hint("look again at the order")

    def crash(answer):
        return str(1 / 0)

    assert checks.evaluate(register("hint", ["answer"], hint), 1).message == "Task hint: look again at the order"
    crashed = checks.evaluate(register("crash", ["answer"], crash), 1)
    assert not crashed.passed and "could not read your answer (ZeroDivisionError" in crashed.message


def test_need_helpers_are_the_validation_layer():
    with pytest.raises(v.InputError, match="p is NaN"):
        checks.need_number(float("nan"), "p")
    with pytest.raises(v.InputError, match="df should be a pandas DataFrame, not None"):
        checks.need_frame(None, "df")
    with pytest.raises(v.InputError, match="column 'x' of df has 1 missing"):
        checks.need_numeric_column(pd.DataFrame({"x": [None, 1.0]}), "x", "df")
