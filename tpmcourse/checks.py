"""Instant, specific feedback for lab tasks.

A learner calls ``check("prioritization.rice", scored)`` after a task. The
check compares the answer with what the course computes from the same data
and shows one line: ``✅`` and what was right, or ``❌`` and a specific hint.
It never raises: an unanswered cell (``...``/``None``), a wrong type or shape,
missing columns, NaN or an empty table each get their own ``❌`` message; the
input checks are :mod:`tpmcourse.validate`'s, so a check and a toolkit helper
word the same mistake the same way.

Tasks are registered by the lab modules in ``tpmcourse.labs``; each names the
variables it reads, so the instructors' grader can run the same checks on a
submission's answers without trusting the submission's own check cells.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tpmcourse.validate import InputError, require_frame, require_number, require_numeric_column

PASS, FAIL = "✅", "❌"


class Hint(Exception):
    """Raised inside a check to fail it with a message meant for the learner."""


@dataclass(frozen=True)
class Result:
    task: str
    passed: bool
    message: str

    @property
    def line(self) -> str:
        return f"{PASS if self.passed else FAIL} {self.message}"

    def __repr__(self) -> str:
        return self.line

    def _repr_html_(self) -> str:
        role = "status" if self.passed else "alert"
        label = "Correct" if self.passed else "Not yet"
        return (f'<p class="tpm-check-result" role="{role}" data-task="{html.escape(self.task)}" '
                f'data-result="{"correct" if self.passed else "incorrect"}">'
                f'<strong>{PASS if self.passed else FAIL} {label}:</strong> {html.escape(self.message)}</p>')


@dataclass(frozen=True)
class Task:
    id: str  # "lab.task"
    title: str
    variables: tuple[str, ...]
    evaluate: Callable[..., str]
    points: int = 1
    objective: str | None = None
    kind: str = "auto"  # "auto": computed answer; "written": memo checked for form, graded by rubric
    # Whether the right answer changes with the data, so that on fresh data
    # (tpmcourse.datasets.reading_from) an answer copied from the course's
    # data fails; False for memos and for picks the data does not decide.
    varies_with_data: bool = True


REGISTRY: dict[str, Task] = {}


def task(lab: str, name: str, *, title: str, variables: Iterable[str], points: int = 1,
         objective: str | None = None, kind: str = "auto", varies_with_data: bool | None = None) -> Callable:
    """Register a check. The decorated function takes the answers (in the
    order of ``variables``), raises :class:`Hint` (or lets a validate
    ``InputError`` through) when something is wrong and returns the success message.
    ``varies_with_data`` defaults to True for computed answers and False for
    written ones."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        tid = f"{lab}.{name}"
        if tid in REGISTRY:
            raise ValueError(f"task {tid} is registered twice")
        varies = kind == "auto" if varies_with_data is None else varies_with_data
        REGISTRY[tid] = Task(tid, title, tuple(variables), fn, points, objective, kind, varies)
        return fn

    return register


def _load_labs() -> None:
    from tpmcourse import labs

    labs.load_checks()


def tasks(lab: str | None = None) -> list[Task]:
    """Registered tasks, in registration order, optionally of one lab."""
    _load_labs()
    return [t for t in REGISTRY.values() if lab is None or t.id.split(".")[0] == lab]


def is_missing(value: Any) -> bool:
    return value is None or value is Ellipsis


def evaluate(task_id: str, *answers: Any) -> Result:
    """Run one check and return its result; never raises."""
    _load_labs()
    if task_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none"
        return Result(task_id, False, f"There is no task called {task_id!r}. Known tasks: {known}.")
    t = REGISTRY[task_id]
    if len(answers) != len(t.variables):
        return Result(task_id, False, f"{t.title}: pass {len(t.variables)} answer(s) "
                                      f"({', '.join(t.variables)}), got {len(answers)}.")
    for name, value in zip(t.variables, answers, strict=True):
        if is_missing(value):
            return Result(task_id, False, f"{t.title}: {name} is not answered yet. Replace the ... "
                                          f"placeholder in the task cell with your answer and run it again.")
    try:
        message = t.evaluate(*answers)
    except (Hint, InputError) as hint:  # an unusable answer is a hint, whoever noticed it
        return Result(task_id, False, f"{t.title}: {hint}")
    except Exception as exc:  # a learner's odd answer must never crash the check
        return Result(task_id, False, f"{t.title}: the check could not read your answer "
                                      f"({type(exc).__name__}: {exc}). Check its type and shape.")
    return Result(task_id, True, f"{t.title}: {message}")


def check(task_id: str, *answers: Any) -> Result:
    """Check an answer and show the result (text in a console, HTML in Jupyter)."""
    return evaluate(task_id, *answers)


# --- helpers that lab checks use to turn bad input into specific hints -------------


def need_frame(value: Any, name: str, columns: Iterable[str] = (), rows: int | None = None) -> pd.DataFrame:
    """A DataFrame with the given columns (and row count); an InputError (shown as a ❌) otherwise."""
    return require_frame(value, name, columns, rows=rows)


def need_number(value: Any, name: str) -> float:
    """A finite real number, also when written as text ("0.25"); an InputError otherwise."""
    return require_number(value, name, text_ok=True)


def need_numeric_column(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    """A column of numbers without NaN, as floats; an InputError otherwise."""
    return require_numeric_column(frame, column, name)


def close(a: float, b: float, rel: float = 1e-3, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def ratio_hint(got: float, expected: float, what: str) -> str:
    """A hint that names a likely slip when an answer is off by a telling factor."""
    if expected == 0 or got == 0:
        return f"{what} should be {expected:,.4g}, yours is {got:,.4g}."
    r = got / expected
    for factor, slip in [(100, "a percentage where a fraction is expected (or ×100 twice)"),
                         (0.01, "a fraction where a percentage is expected"),
                         (-1, "a sign flipped: subtract in the other order")]:
        if close(r, factor, rel=0.02):
            return f"{what} is {r:g}× the expected value: looks like {slip}."
    if close(got, 1 / expected, rel=0.02):
        return f"{what} is the reciprocal of the expected value: is the ratio upside down?"
    return f"{what} should be about {expected:,.4g}, yours is {got:,.4g} ({r:.2f}× off)."


MEMO_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
MEMO_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def need_memo(text: Any, name: str, *, decision: re.Pattern, decision_hint: str, min_numbers: int,
              numbers_hint: str, min_words: int = 80, words_hint: str = "") -> tuple[int, int]:
    """The form of a written memo (checked before a human grades its content):
    text, enough words, a stated decision and the numbers it rests on.
    Returns (words, distinct numbers); raises a Hint naming what is missing."""
    if not isinstance(text, str):
        raise Hint(f"{name} should be a string (your memo as text in quotes), not {type(text).__name__}.")
    words = MEMO_WORD.findall(text)
    if len(words) < min_words:
        raise Hint(f"{name} has {len(words)} words; write at least "
                   f"{min_words}{': ' + words_hint if words_hint else '.'}")
    if not decision.search(text):
        raise Hint(decision_hint)
    numbers = set(MEMO_NUMBER.findall(text))
    if len(numbers) < min_numbers:
        raise Hint(numbers_hint)
    return len(words), len(numbers)


# --- judging a number, a list of ids or a table of items the same way in every lab ---

#: A likely slip: the value it produces and the hint for it, optionally with
#: its own relative tolerance (a slip that rounds needs a looser one).
Slip = tuple[float, str] | tuple[float, str, float]


def expect_number(got: float, want: float, name: str, slips: Iterable[Slip] = (), *, rel: float = 1e-3,
                  abs_: float = 1e-9, near: Callable[[float, float], bool] | None = None, then: str = "") -> None:
    """Nothing when ``got`` is ``want``; otherwise the hint of the first slip
    whose value ``got`` matches, else how far off it is (``then`` is added to
    that last hint). ``near`` replaces the closeness test for lab-specific
    rounding."""
    def same(value: float, tolerance: float = rel) -> bool:
        return near(got, value) if near else close(got, value, rel=tolerance, abs_=abs_)

    if same(want):
        return
    for value, hint, *tolerance in slips:
        if math.isfinite(value) and same(value, *tolerance):
            raise Hint(hint)
    raise Hint(ratio_hint(got, want, name) + then)


def need_ids(value: object, name: str, known: Sequence[str], *, what: str = "id") -> list[str]:
    """A list of distinct ids, each one of ``known`` (a list, tuple, Series,
    array or set of strings)."""
    example = list(known[:2])
    if isinstance(value, (str, bytes)):
        raise Hint(f"`{name}` is one string; the task asks for a list of ids such as {example}.")
    if isinstance(value, pd.DataFrame):
        raise Hint(f"`{name}` is a DataFrame; pass its id column as a list: `list(table['id'])`.")
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        value = list(value)
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    if not isinstance(value, (list, tuple)):
        raise Hint(f"`{name}` should be a list of ids such as {example}, not {type(value).__name__}.")
    if not value:
        raise Hint(f"`{name}` is empty: no items were picked.")
    allowed = set(known)
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise Hint(f"`{name}` contains {item!r}, which is not a {what} (ids look like {example[0]!r}).")
    twice = next((item for k, item in enumerate(value) if item in value[:k]), None)
    if twice is not None:
        raise Hint(f"`{name}` lists {twice} twice; each item is done once.")
    return list(value)


def need_rows(value: object, name: str, ids: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """A table with an ``id`` column and ``columns``, exactly one row for each
    of ``ids`` and no other, returned indexed by id in the order of ``ids``."""
    frame = need_frame(value, name, ["id", *columns])
    got = frame["id"].astype(str)
    if got.duplicated().any():
        raise Hint(f"`{name}` lists {got[got.duplicated()].iloc[0]} more than once: keep one row per item.")
    allowed = set(ids)
    unknown = [i for i in got if i not in allowed]
    if unknown:
        raise Hint(f"`{name}` has a row {unknown[0]!r}, which is not in the data (ids run {ids[0]} to {ids[-1]}).")
    missing = [i for i in ids if i not in set(got)]
    if missing:
        raise Hint(f"`{name}` has {len(frame)} rows but no row for {', '.join(missing[:3])}: keep all {len(ids)} "
                   f"(did a filter or .head() drop some?).")
    return frame.assign(id=got).set_index("id").loc[list(ids)]


def row_of(table: pd.DataFrame, label: str) -> pd.Series:
    """The row labelled ``label`` of a table whose index holds each label once
    (``table.loc[label]``, which would be a table if the label repeated)."""
    row = table.loc[label]
    if isinstance(row, pd.DataFrame):
        raise AssertionError(f"{label!r} labels {len(row)} rows of the table, not one")
    return row
