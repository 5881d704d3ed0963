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


@pytest.mark.parametrize("text", ["0.25", "25%", "1,000", " 0.25 "])
def test_need_number_refuses_numbers_written_as_text_with_one_message(register, text):
    result = checks.evaluate(register("share", ["share"], needs_a_share), text)
    assert not result.passed
    assert result.message == (f"Task share: share should be a number, not text {text!r}; {v.TEXT_FIX}.")
    assert checks.evaluate("selftest.share", 0.25).message == "Task share: share 0.25 read"


# --- the tolerance policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(("got", "want", "decimals", "agrees"), [
    (0.9425, 0.94247, None, True),      # 4 significant figures
    (0.94, 0.94247, None, False),       # 2 are not enough
    (0.94, 0.94247, 2, True),           # ...unless the task displays 2 decimals
    (0.9993, 0.99925, None, True),
    (0.999, 0.99925, None, False),      # near 1, 4 significant figures is not "0.05% off"
    (2.83, 2.8333, 2, True),
    (1273000, 1272550, None, True),
    (1272000, 1272550, None, False),
    (0.0, 0.0, None, True),
    (1e-13, 0.0, None, True),
    (1e-9, 0.0, None, False),
    (0.0004, 0.0, 3, True),
    (0.001, 0.0, 3, False),
])
def test_agrees_is_the_display_precision_or_four_significant_figures(got, want, decimals, agrees):
    assert checks.agrees(got, want, decimals) is agrees
    assert bool(checks.agree_mask([got], [want], decimals)[0]) is agrees


def test_rounding_is_diagnosed_before_anything_else():
    assert checks.rounded_to(0.94, 0.94247) == 2
    assert checks.rounded_to(0.999, 0.99925) == 3
    assert checks.rounded_to(1.0, 0.823) is None  # no significant figure left: not "rounded"
    assert checks.rounded_to(20.0, 18.0) is None  # whole numbers are not rounded whole numbers
    assert "looks rounded to 2 decimals" in checks.miss_hint(0.94, 0.94247, "`x`")
    assert "keep at least 4 decimals or 4 significant figures" in checks.miss_hint(0.94, 0.94247, "`x`", 4)


def test_a_factor_is_named_only_when_the_value_matches_it():
    assert "100×" in checks.miss_hint(94.247, 0.94247, "`x`")
    assert "reciprocal" in checks.miss_hint(1 / 0.2, 0.2, "`x`")
    # both near 1: the reciprocal says nothing, so the hint says what differs
    near_one = checks.miss_hint(1 / 0.99925, 0.99925, "`x`")
    assert "reciprocal" not in near_one and "; yours is 1.00" in near_one
    assert "wrong sign" in checks.miss_hint(-3.5, 3.5, "`x`")
    plain = checks.miss_hint(0.5, 0.94247, "`x`")
    assert plain == "`x` should be 0.9425; yours is 0.5000."


def test_expect_column_blames_only_a_column_that_is_off():
    want = pd.Series([0.71433, 0.59193, 0.32913], index=["a", "b", "c"])
    checks.expect_column(want.round(3), want, "rate", decimals=3)  # within its display precision
    with pytest.raises(checks.Hint, match="looks rounded to 2 decimals"):
        checks.expect_column(want.round(2), want, "rate", decimals=3, column="`rate`")
    with pytest.raises(checks.Hint, match="in percent"):
        checks.expect_column(100 * want, want, "rate", decimals=3, slips=[(100 * want, "in percent")])
    with pytest.raises(checks.Hint, match=r"rate at b should be 0\.5919; yours is 0\.6000"):
        checks.expect_column(want.replace(0.59193, 0.6), want, "rate", decimals=3)


# --- what a result looks like ----------------------------------------------------------------------------


def test_a_result_shows_words_not_emoji_and_renders_markdown(register):
    def with_code(answer):
        raise checks.Hint("`share` is <b>odd</b> & *wrong*")

    failed = checks.evaluate(register("md", ["share"], with_code), 1)
    assert failed.line == "[NOT YET] Task md: `share` is <b>odd</b> & *wrong*"
    assert failed.ok is False and failed.status == "not yet"
    page = failed._repr_html_()
    assert "<code>share</code>" in page and "<em>wrong</em>" in page
    assert "&lt;b&gt;odd&lt;/b&gt; &amp;" in page and "<b>" not in page
    assert "Not yet." in page and "<svg" in page and 'data-result="incorrect"' in page
    passed = checks.evaluate(register("fine", ["share"], needs_a_share), 0.25)
    assert passed.line.startswith("[PASS] ") and "Correct." in passed._repr_html_()
    for text in (failed.line, repr(failed), passed.line, failed._repr_html_(), passed._repr_html_()):
        assert not any(ord(ch) > 0x2FFF for ch in text), text  # no emoji, no symbol a font may lack


def test_a_notice_is_a_second_line():
    result = checks.Result("lab.task", True, "Task: right", "this answer comes from `helper`")
    assert repr(result) == "[PASS] Task: right\nNote: this answer comes from `helper`"
    assert '<span class="tpm-check-notice"><strong>Note:</strong> this answer comes from <code>helper</code>' \
        in result._repr_html_()


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
