"""Grading quiz answers: pure functions shared by the Jupyter widgets and the
tests, mirrored by the book's ``tpmcourse/book/static/tpm-quiz.js``.

An answer is whatever a learner's control produced: an option index, a set of
indices, a number or text, a list of items. Any other input (None, the wrong
type, NaN) gets a clear "not answered yet" message, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tpmcourse.quiz.bank import MultipleSelect, Numeric, Ordering, Question, SingleChoice

CORRECT = "✅ Correct."
INCORRECT = "❌ Not yet."


@dataclass(frozen=True)
class Result:
    correct: bool | None  # None: nothing gradable was given
    feedback: str  # Markdown, specific to the answer

    @property
    def headline(self) -> str:
        if self.correct is None:
            return "❔ No answer yet."
        return CORRECT if self.correct else INCORRECT


def _indices(answer: Any, n: int) -> set[int] | None:
    if isinstance(answer, (int, str)) and not isinstance(answer, bool):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)):
        return None
    out = set()
    for a in answer:
        try:
            i = int(a)
        except (TypeError, ValueError):
            return None
        if not 0 <= i < n:
            return None
        out.add(i)
    return out


def grade_single(q: SingleChoice, answer: Any) -> Result:
    chosen = _indices(answer, len(q.options))
    if not chosen or len(chosen) != 1:
        return Result(None, "Choose one option, then press Check.")
    option = q.options[chosen.pop()]
    if option.correct:
        return Result(True, option.feedback or "")
    return Result(False, option.feedback or "That option does not fit: reread the question and the options.")


def grade_multiple(q: MultipleSelect, answer: Any) -> Result:
    chosen = _indices(answer, len(q.options))
    if not chosen:
        return Result(None, "Select every option that applies, then press Check.")
    wrong = [q.options[i] for i in sorted(chosen) if not q.options[i].correct]
    missed = [o for o in q.options if o.correct and q.options.index(o) not in chosen]
    if not wrong and not missed:
        return Result(True, "")
    lines = []
    for option in wrong:
        lines.append(f"“{option.text}” does not belong"
                     + (f": {option.feedback}" if option.feedback else "."))
    if missed:
        lines.append(f"You left out {len(missed)} option{'s' if len(missed) > 1 else ''} that belong.")
    return Result(False, " ".join(lines))


def parse_number(answer: Any) -> float | None:
    """A learner's number: accepts 1920, '1,920', ' 12.5 ', '12.5%'; not NaN or bools."""
    if isinstance(answer, bool) or answer is None:
        return None
    if isinstance(answer, str):
        answer = answer.strip().replace(",", "").replace("_", "").rstrip("%").strip()
        if not answer:
            return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def grade_numeric(q: Numeric, answer: Any) -> Result:
    value = parse_number(answer)
    if value is None:
        return Result(None, "Enter a number (digits only, e.g. 1920 or 12.5), then press Check.")
    if abs(value - q.answer) <= q.tolerance + 1e-9:
        return Result(True, "")
    for hint in q.hints:
        if abs(value - hint.value) <= max(q.tolerance, 1e-9 * abs(hint.value)):
            return Result(False, hint.feedback)
    direction = "high" if value > q.answer else "low"
    ratio = value / q.answer if q.answer else None
    extra = ""
    if ratio and (ratio >= 9.5 or ratio <= 0.105):
        extra = " It is off by about a factor of ten or more: check units and percentages."
    return Result(False, f"Your answer is too {direction}.{extra}")


def grade_ordering(q: Ordering, answer: Any) -> Result:
    if not isinstance(answer, (list, tuple)) or len(answer) != len(q.items):
        return Result(None, f"Put all {len(q.items)} items in order, then press Check.")
    if sorted(map(str, answer)) != sorted(q.items):
        return Result(None, "Give each item its own position: each position can be used once.")
    right = sum(a == b for a, b in zip(answer, q.items, strict=True))
    if right == len(q.items):
        return Result(True, "")
    first = next(i for i, (a, b) in enumerate(zip(answer, q.items, strict=True)) if a != b)
    return Result(False, f"{right} of {len(q.items)} items are in the right place. "
                         f"Position {first + 1} should not be “{answer[first]}”.")


def grade(q: Question, answer: Any) -> Result:
    """Grade any question type."""
    graders: dict[str, Callable[[Any, Any], Result]] = {"single": grade_single, "multiple": grade_multiple,
               "numeric": grade_numeric, "ordering": grade_ordering}
    return graders[q.type](q, answer)
