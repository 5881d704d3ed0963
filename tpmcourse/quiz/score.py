"""Grading quiz answers: pure functions shared by the Jupyter widgets and the
tests, mirrored by the book's ``tpmcourse/book/static/tpm-quiz.js``.

An answer is whatever a learner's control produced: an option (its index in
the bank, whatever position it was shown in), a set of options, a number or
text, a list of items. Any other input (None, the wrong type, NaN) gets a
clear message, never an exception. The fixed texts are in :data:`MESSAGES`,
which the book's page carries, so both front ends say the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tpmcourse.quiz import numbers
from tpmcourse.quiz.bank import MultipleSelect, Numeric, Ordering, Question, SingleChoice

CORRECT = "Correct."
INCORRECT = "Not yet."
NOT_GRADED = "Not graded yet."
MESSAGES = {
    "choose_one": "Choose one option, then press Check.",
    "select_some": "Select every option that applies, then press Check.",
    "no_fit": "That option does not fit: reread the question and the options.",
    "not_belong": "“{option}” does not belong",
    "left_out_1": "You left out 1 option that belongs.",
    "left_out": "You left out {n} options that belong.",
    "too": "Your answer is too {direction}.",
    "tenfold": "It is off by about a factor of ten or more: check units and percentages.",
    "order_all": "Put all {n} items in order, then press Check.",
    "order_once": "Give each item its own position: each position can be used once.",
    "in_place": "{right} of {n} items are in the right place. Position {first} should not be “{item}”.",
}


@dataclass(frozen=True)
class Result:
    correct: bool | None  # None: nothing gradable was given, and no attempt is counted
    feedback: str  # Markdown, specific to the answer

    @property
    def headline(self) -> str:
        if self.correct is None:
            return NOT_GRADED
        return CORRECT if self.correct else INCORRECT


def _indices(answer: Any, n: int) -> set[int] | None:
    if isinstance(answer, (int, str)) and not isinstance(answer, bool):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)):
        return None
    out = set()
    for a in answer:
        if isinstance(a, bool):
            return None
        try:
            i = int(a)
        except (TypeError, ValueError, OverflowError):
            return None
        if not 0 <= i < n:
            return None
        out.add(i)
    return out


def grade_single(q: SingleChoice, answer: Any) -> Result:
    chosen = _indices(answer, len(q.options))
    if not chosen or len(chosen) != 1:
        return Result(None, MESSAGES["choose_one"])
    option = q.options[chosen.pop()]
    if option.correct:
        return Result(True, option.feedback or "")
    return Result(False, option.feedback or MESSAGES["no_fit"])


def grade_multiple(q: MultipleSelect, answer: Any) -> Result:
    chosen = _indices(answer, len(q.options))
    if not chosen:
        return Result(None, MESSAGES["select_some"])
    lines = []
    for i in sorted(chosen):
        option = q.options[i]
        if not option.correct:
            line = MESSAGES["not_belong"].format(option=option.text)
            lines.append(f"{line}: {option.feedback}" if option.feedback else f"{line}.")
    missed = sum(1 for i, o in enumerate(q.options) if o.correct and i not in chosen)
    if missed:
        lines.append(MESSAGES["left_out_1"] if missed == 1 else MESSAGES["left_out"].format(n=missed))
    return Result(not lines, " ".join(lines))


def parse_number(answer: Any, unit: str = "") -> float | None:
    """A learner's number, or None when it cannot be graded (see :mod:`.numbers`)."""
    return numbers.parse(answer, unit).value


def grade_numeric(q: Numeric, answer: Any, variant: int = 0) -> Result:
    parsed = numbers.parse(answer, q.unit)
    if parsed.kind != "number" or parsed.value is None:
        return Result(None, parsed.message)
    value = parsed.value
    v = q.variant(variant)
    if abs(value - v.answer) <= q.tolerance + 1e-9:
        return Result(True, "")
    for hint_value, feedback in v.hints:
        if abs(value - hint_value) <= max(q.tolerance, 1e-9 * abs(hint_value)):
            return Result(False, feedback)
    text = MESSAGES["too"].format(direction="high" if value > v.answer else "low")
    ratio = value / v.answer if v.answer else None
    if ratio and (ratio >= 9.5 or ratio <= 0.105):
        text += " " + MESSAGES["tenfold"]
    return Result(False, text)


def grade_ordering(q: Ordering, answer: Any) -> Result:
    n = len(q.items)
    if not isinstance(answer, (list, tuple)) or len(answer) != n:
        return Result(None, MESSAGES["order_all"].format(n=n))
    if sorted(map(str, answer)) != sorted(q.items):
        return Result(None, MESSAGES["order_once"])
    right = sum(a == b for a, b in zip(answer, q.items, strict=True))
    if right == n:
        return Result(True, "")
    first = next(i for i, (a, b) in enumerate(zip(answer, q.items, strict=True)) if a != b)
    return Result(False, MESSAGES["in_place"].format(right=right, n=n, first=first + 1, item=answer[first]))


def grade(q: Question, answer: Any, variant: int = 0) -> Result:
    """Grade any question type; ``variant`` picks a numeric question's numbers."""
    if isinstance(q, Numeric):
        return grade_numeric(q, answer, variant)
    graders: dict[str, Callable[[Any, Any], Result]] = {
        "single": grade_single, "multiple": grade_multiple, "ordering": grade_ordering}
    return graders[q.type](q, answer)
