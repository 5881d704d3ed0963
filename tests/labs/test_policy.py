"""One policy for every numeric answer in every lab, tested over every task:

- each computed task declares its reference answers, and they pass;
- every number of a reference answer rounded to 4 significant figures, and
  every number a task displays rounded to its display decimals, passes;
- a number rounded further fails, and the hint says it was rounded;
- a number written as text fails in every task with the same message, as a
  single answer or as a column of a table;
- no hint shows the expected number and the learner's as the same text, and
  no lab module formats such a pair by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tpmcourse import checks
from tpmcourse.validate import TEXT_FIX

AUTO = [t for t in checks.tasks() if t.kind == "auto"]
LAB_MODULES = sorted((Path(checks.__file__).parent / "labs").glob("lab*_*.py"))


def sig(x: float, digits: int = checks.SIGNIFICANT) -> float:
    """``x`` rounded to ``digits`` significant figures."""
    return float(f"{x:.{digits - 1}e}") if x else 0.0


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def transform(answers: tuple, fn: Callable[[float], float], only: Callable[[str], bool] = lambda key: True) -> tuple:
    """The answers with ``fn`` applied to every float they hold (keys: ``variable`` or ``variable.column``)."""
    out: list[Any] = []
    for name, value in answers:
        if is_number(value) and only(name) and isinstance(value, (float, np.floating)):
            value = fn(float(value))
        elif isinstance(value, pd.DataFrame):
            value = value.copy()
            for column in numeric_columns(value):
                if only(f"{name}.{column}") and pd.api.types.is_float_dtype(value[column]):
                    value[column] = value[column].map(lambda x: fn(x) if np.isfinite(x) else x)
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f" and only(name):
            value = np.vectorize(fn)(value)
        elif isinstance(value, tuple) and all(is_number(v) for v in value) and only(name):
            value = tuple(fn(float(v)) for v in value)
        out.append(value)
    return tuple(out)


def named(task: checks.Task) -> tuple:
    assert task.reference is not None
    return tuple(zip(task.variables, task.reference(), strict=True))


def test_every_computed_task_declares_reference_answers_that_pass():
    missing = [t.id for t in AUTO if t.reference is None]
    assert not missing, missing
    for task in AUTO:
        result = checks.evaluate(task.id, *task.reference())  # type: ignore[misc]
        assert result.passed, result.line


def numeric_tasks() -> list[checks.Task]:
    found = []
    for task in AUTO:
        answers = named(task)
        if any(isinstance(v, (float, np.floating)) or (isinstance(v, pd.DataFrame) and any(
                pd.api.types.is_float_dtype(v[c]) for c in numeric_columns(v))) or
               (isinstance(v, np.ndarray) and v.dtype.kind == "f") or
               (isinstance(v, tuple) and any(isinstance(x, float) for x in v)) for _, v in answers):
            found.append(task)
    return found


NUMERIC = numeric_tasks()


def test_most_computed_tasks_have_numbers_to_round():
    assert len(NUMERIC) >= 30, [t.id for t in NUMERIC]


@pytest.mark.parametrize("task", NUMERIC, ids=lambda t: t.id)
def test_four_significant_figures_always_pass(task):
    answers = transform(named(task), sig)
    result = checks.evaluate(task.id, *answers)
    assert result.passed, result.line


def rounder(decimals: int) -> Callable[[float], float]:
    """Rounding to ``decimals`` places, as a one-argument function."""
    return lambda x: round(x, decimals)


@pytest.mark.parametrize("task", [t for t in NUMERIC if t.display], ids=lambda t: t.id)
def test_the_display_precision_passes(task):
    for key, decimals in task.display.items():
        answers = transform(named(task), rounder(decimals), only=key.__eq__)
        result = checks.evaluate(task.id, *answers)
        assert result.passed, f"{key} rounded to {decimals} decimals: {result.line}"
    every = transform(named(task), float, only=lambda k: False)
    for key, decimals in task.display.items():
        every = transform(tuple(zip(task.variables, every, strict=True)), rounder(decimals), only=key.__eq__)
    assert checks.evaluate(task.id, *every).passed


def coarser(value: float, decimals: int | None) -> tuple[float, int] | None:
    """``value`` rounded to fewer decimals than the task allows, if that changes it beyond the tolerance."""
    if not value or not math.isfinite(value):
        return None
    needed = checks.SIGNIFICANT - 1 - math.floor(math.log10(abs(value)))
    if decimals is not None:
        needed = min(needed, decimals)
    places = needed - 1
    if 10.0 ** -places > abs(value) / 10 or places < 0:
        return None
    rounded = round(value, places)
    return (rounded, places) if not checks.agrees(rounded, value, decimals) else None


def scalar_keys(task: checks.Task) -> Iterator[tuple[int, str]]:
    for k, (name, value) in enumerate(named(task)):
        if isinstance(value, (float, np.floating)):
            yield k, name


def rounding_further_fails_and_says_so(task: checks.Task) -> int:
    """Round each number of the task's reference one place further than
    allowed: the check must refuse it and name the rounding. Returns how many
    numbers could be tried (some tasks have none that change)."""
    tried = 0
    for k, name in scalar_keys(task):
        want = float(task.reference()[k])  # type: ignore[misc]
        found = coarser(want, task.decimals(name))
        if found is None:
            continue
        answers = list(task.reference())  # type: ignore[misc]
        answers[k] = found[0]
        result = checks.evaluate(task.id, *answers)
        slack_tasks = {"planning.deadline", "planning.confidence_date", "metrics.sample_size"}
        if task.id in slack_tasks and result.passed:
            continue  # a method tolerance wider than the rounding
        assert not result.passed, f"{name} = {found[0]} accepted"
        assert "looks rounded" in result.message and "significant figures" in result.message, result.message
        tried += 1
    for name, value in named(task):
        if not isinstance(value, pd.DataFrame):
            continue
        for column in numeric_columns(value):
            if not pd.api.types.is_float_dtype(value[column]) or not reads(task, name, column):
                continue
            decimals = task.decimals(f"{name}.{column}")
            largest = float(value[column].abs().max())
            if not largest:
                continue
            places = checks.SIGNIFICANT - 1 - math.floor(math.log10(largest))
            places = (places if decimals is None else min(places, decimals)) - 1
            if places < 0:
                continue  # rounding to tens is not a slip this policy names
            frame = value.copy()
            frame[column] = value[column].round(places)
            answers = [frame if n == name else v for n, v in named(task)]
            result = checks.evaluate(task.id, *answers)
            if result.passed:
                continue  # rounding one place further stays within the tolerance for every cell
            assert "looks rounded" in result.message, result.message
            tried += 1
    return tried


def test_rounding_further_fails_and_says_so():
    tried = {task.id: rounding_further_fails_and_says_so(task) for task in NUMERIC}
    assert sum(n > 0 for n in tried.values()) >= 12, tried  # tasks with a number that rounding changes


# --- numbers written as text --------------------------------------------------------------------


def text_cases() -> list[tuple[checks.Task, int, str]]:
    cases: list[tuple[checks.Task, int, str]] = []
    for task in AUTO:
        for k, (name, value) in enumerate(named(task)):
            if is_number(value):
                cases.append((task, k, name))
    return cases


@pytest.mark.parametrize(("task", "k", "name"), text_cases(), ids=lambda x: getattr(x, "id", str(x)))
def test_a_number_written_as_text_is_refused_with_one_message(task, k, name):
    answers = list(task.reference())
    answers[k] = str(answers[k])
    result = checks.evaluate(task.id, *answers)
    assert not result.passed, f"{task.id} accepted {name} as text"
    assert f"{name} should be a number, not text" in result.message and TEXT_FIX in result.message, result.message


def reads(task: checks.Task, name: str, column: str) -> bool:
    """Whether the task's check reads ``column`` of the answer ``name`` (it fails without it)."""
    answers = [v.drop(columns=[column]) if n == name else v for n, v in named(task)]
    return not checks.evaluate(task.id, *answers).passed


def column_text_cases() -> list[tuple[checks.Task, int, str]]:
    cases: list[tuple[checks.Task, int, str]] = []
    for task in AUTO:
        for k, (name, value) in enumerate(named(task)):
            if isinstance(value, pd.DataFrame):
                cases.extend((task, k, c) for c in numeric_columns(value) if reads(task, name, c))
    return cases


@pytest.mark.parametrize(("task", "k", "column"), column_text_cases(), ids=lambda x: getattr(x, "id", str(x)))
def test_a_column_of_numbers_written_as_text_is_refused(task, k, column):
    answers = list(task.reference())
    frame = answers[k].copy()
    frame[column] = frame[column].map(str)
    answers[k] = frame
    result = checks.evaluate(task.id, *answers)
    assert not result.passed
    assert "holds text, not numbers" in result.message or "not numbers" in result.message, result.message


def test_the_text_policy_covers_every_lab():
    labs = {t.id.split(".")[0] for t, _, _ in text_cases()}
    assert labs == {t.id.split(".")[0] for t in AUTO}


# --- numbers that differ look different ---------------------------------------------------------

PAIR = re.compile(r"should (?:be|run from)(?: about)? (-?[\d,]*\.?\d+)[;,]? (?:yours|your\b.*?) is (-?[\d,]*\.?\d+)")


def near_misses(task: checks.Task) -> Iterator[tuple]:
    """Answers a hair off the reference: one number moved by 3 units in its 4th significant figure."""
    base = named(task)
    for k, (_name, value) in enumerate(base):
        for factor in (1.0015, 0.9985, 1.2):
            if is_number(value) and not isinstance(value, (int, np.integer)):
                answers = [v for _, v in base]
                answers[k] = float(value) * factor
                yield tuple(answers)
            elif isinstance(value, pd.DataFrame):
                for column in numeric_columns(value):
                    frame = value.copy()
                    frame[column] = frame[column].astype(float)
                    frame.loc[frame.index[-1], column] = float(frame[column].iloc[-1]) * factor
                    answers = [v for _, v in base]
                    answers[k] = frame
                    yield tuple(answers)


@pytest.mark.parametrize("task", AUTO, ids=lambda t: t.id)
def test_no_hint_shows_two_numbers_that_look_equal(task):
    for answers in near_misses(task):
        result = checks.evaluate(task.id, *answers)
        if result.passed:
            continue
        for want, got in PAIR.findall(result.message):
            assert want != got, result.message


def test_show_pair_always_tells_numbers_apart():
    rng = np.random.default_rng(1)
    for _ in range(2000):
        want = float(rng.choice([1, -1]) * 10.0 ** rng.uniform(-6, 7))
        got = want * (1 + float(rng.choice([1, -1])) * 10.0 ** rng.uniform(-9, 0))
        if got == want:
            continue
        a, b = checks.show_pair(want, got, int(rng.integers(0, 5)))
        assert a != b, (want, got, a, b)
    assert checks.show_pair(0.94247, 0.9425) == ("0.94247", "0.94250")
    assert checks.show_pair(2.8333, 2.83, 2) == ("2.833", "2.830")


@pytest.mark.parametrize("module", LAB_MODULES, ids=lambda p: p.stem)
def test_no_lab_formats_an_expected_and_a_learner_number_by_hand(module):
    """Hints that show both numbers go through checks.show_pair (or miss_hint), never a fixed format."""
    source = module.read_text(encoding="utf-8")
    by_hand = re.findall(r"yours is \{[^}]*:[^}]*\}|should be \{[^}]*:[^}]*\}[^\"]*yours", source)
    assert not by_hand, by_hand
