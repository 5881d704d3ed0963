"""Instant, specific feedback for lab tasks.

A learner calls ``check("prioritization.rice", scored)`` after a task. The
check compares the answer with what the course computes from the same data
and shows one line: "Correct" and what was right, or "Not yet" and a specific
hint. It never raises: an unanswered cell (``...``/``None``), a wrong type or
shape, missing columns, NaN or an empty table each get their own message; the
input checks are :mod:`tpmcourse.validate`'s, so a check and a toolkit helper
word the same mistake the same way.

Every lab follows the same rules, written here once:

- **Tolerance** (:func:`agrees`): a number passes when it equals the reference
  at the precision the task displays, and always when it equals it at 4
  significant figures: ``|got - want| <= max(half a unit in the task's last
  displayed decimal, half a unit in the 4th significant figure of want)``
  (for 0.99925 that is 0.00005: 0.9993 passes, 0.999 does not, however close
  0.999 looks). A task declares its display precision in its
  registration (``display={"share_fast": 4}``); a task whose method leaves
  room (a simulation, a rounded-up sample size) adds its own ``slack``.
- **Diagnosis before hints** (:func:`miss_hint`): a value that fails only
  because it was rounded too far is told so first; a telling factor (×100,
  ×10, the reciprocal, the sign) is named only when the value matches it
  within the same tolerance, and never when the slip would look like the
  right answer; otherwise the hint says plainly what differs.
- **Numbers that differ look different** (:func:`show_pair`): whenever a hint
  shows the expected number beside the learner's, both get as many digits as
  it takes to tell them apart.
- **Numbers are numbers**: an answer written as text ("0.94") is refused
  with one message in every lab (:func:`need_number`, and the columns of
  :func:`need_numeric_column`).
- **Memos** (:func:`need_memo`): real sentences, a decision in any common
  phrasing, and numbers used in sentences.

Tasks are registered by the lab modules in ``tpmcourse.labs``; each names the
variables it reads (so the instructors' grader can run the same checks on a
submission's answers without trusting the submission's own check cells), the
display precision of its numbers, a function that returns its reference
answers, and the course helpers that would compute its answer in one call
(:mod:`tpmcourse.labs.shortcuts`).
"""

from __future__ import annotations

import functools
import html
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tpmcourse.validate import InputError, require_frame, require_number, require_numeric_column

#: The start of a result's plain-text line: ASCII words, so that every
#: console and every font shows them.
PASS, FAIL = "[PASS]", "[NOT YET]"

#: Set to "1" in the grader's sandbox, where the labs' check modules are not.
GRADING_ENV = "TPMCOURSE_GRADING"

#: The significant figures an answer must keep, whatever the task displays.
SIGNIFICANT = 4

#: The tolerance policy in the words every lab's introduction uses.
TOLERANCE_POLICY = (
    "A number passes when it equals the course's answer at the precision the task displays, "
    "and always when it keeps at least 4 significant figures, so rounding the way the page "
    "shows a value is fine; rounding further is not, and the check says so."
)
#: The policy for numbers written as text, in the words every lab uses.
TEXT_POLICY = ("Give numbers as numbers: an answer written as text, such as \"0.94\" or \"94%\", "
               "is refused in every task with the same message.")


class Hint(Exception):
    """Raised inside a check to fail it with a message meant for the learner."""


# --- results -------------------------------------------------------------------------------------

_ICON_PASS = ('<svg class="tpm-check-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" '
              'focusable="false" style="vertical-align:-3px"><circle cx="8" cy="8" r="8" fill="#1a7f37"/>'
              '<path d="M4.2 8.3l2.4 2.4 5-5" fill="none" stroke="#fff" stroke-width="2" '
              'stroke-linecap="round" stroke-linejoin="round"/></svg>')
_ICON_FAIL = ('<svg class="tpm-check-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" '
              'focusable="false" style="vertical-align:-3px"><circle cx="8" cy="8" r="8" fill="#b35900"/>'
              '<path d="M8 4v5" stroke="#fff" stroke-width="2" stroke-linecap="round"/>'
              '<circle cx="8" cy="11.8" r="1.2" fill="#fff"/></svg>')


@functools.cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # No raw HTML (a learner's text is escaped, never run) and no images.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_inline(text: str) -> str:
    """``text`` (Markdown: `code`, *emphasis*) as inline HTML, with any HTML in it escaped."""
    return str(_markdown().renderInline(text))


@dataclass(frozen=True)
class Result:
    task: str
    passed: bool
    message: str
    #: A one-line notice beside the verdict (a course helper computed the answer), or "".
    notice: str = ""

    @property
    def ok(self) -> bool:
        """The verdict as a stable machine-readable field (the same as ``passed``)."""
        return self.passed

    @property
    def status(self) -> str:
        return "correct" if self.passed else "not yet"

    @property
    def line(self) -> str:
        """The result as plain text: ``[PASS] message`` or ``[NOT YET] message``."""
        return f"{PASS if self.passed else FAIL} {self.message}"

    def __repr__(self) -> str:
        return self.line + (f"\nNote: {self.notice}" if self.notice else "")

    def _repr_html_(self) -> str:
        role = "status" if self.passed else "alert"
        label = "Correct" if self.passed else "Not yet"
        notice = (f'<br><span class="tpm-check-notice"><strong>Note:</strong> {markdown_inline(self.notice)}</span>'
                  if self.notice else "")
        return (f'<p class="tpm-check-result" role="{role}" data-task="{html.escape(self.task)}" '
                f'data-result="{"correct" if self.passed else "incorrect"}">'
                f'{_ICON_PASS if self.passed else _ICON_FAIL} <strong>{label}.</strong> '
                f'{markdown_inline(self.message)}{notice}</p>')


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
    #: Decimals the task displays, by variable ("share_fast") or column
    #: ("funnel.step_rate"): an answer rounded to them passes.
    display: Mapping[str, int] = field(default_factory=dict)
    #: The reference answers, in the order of ``variables`` (None for memos).
    reference: Callable[[], tuple[Any, ...]] | None = None
    #: Dotted names of course helpers that compute this task's answer in one
    #: call (:mod:`tpmcourse.labs.shortcuts`); a module's name covers all of it.
    shortcuts: tuple[str, ...] = ()

    def decimals(self, key: str) -> int | None:
        """The display precision declared for a variable or ``variable.column``."""
        return self.display.get(key)


REGISTRY: dict[str, Task] = {}


def task(lab: str, name: str, *, title: str, variables: Iterable[str], points: int = 1,
         objective: str | None = None, kind: str = "auto", varies_with_data: bool | None = None,
         display: Mapping[str, int] | None = None, reference: Callable[[], tuple[Any, ...]] | None = None,
         shortcuts: Iterable[str] = ()) -> Callable:
    """Register a check. The decorated function takes the answers (in the
    order of ``variables``), raises :class:`Hint` (or lets a validate
    ``InputError`` through) when something is wrong and returns the success message.
    ``varies_with_data`` defaults to True for computed answers and False for
    written ones; ``display``, ``reference`` and ``shortcuts`` are described on :class:`Task`."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        tid = f"{lab}.{name}"
        if tid in REGISTRY:
            raise ValueError(f"task {tid} is registered twice")
        varies = kind == "auto" if varies_with_data is None else varies_with_data
        REGISTRY[tid] = Task(tid, title, tuple(variables), fn, points, objective, kind, varies,
                             dict(display or {}), reference, tuple(shortcuts))
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


UNANSWERED = "is not answered yet"


def evaluate(task_id: str, *answers: Any) -> Result:
    """Run one check and return its result; never raises."""
    _load_labs()
    if task_id not in REGISTRY and os.environ.get(GRADING_ENV) == "1":
        return Result(task_id, False, "Checked by the grader once your notebook has run: the course's checks "
                                      "are not inside the grading sandbox.")
    if task_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none"
        return Result(task_id, False, f"There is no task called {task_id!r}. Known tasks: {known}.")
    t = REGISTRY[task_id]
    if len(answers) != len(t.variables):
        return Result(task_id, False, f"{t.title}: pass {len(t.variables)} answer(s) "
                                      f"({', '.join(t.variables)}), got {len(answers)}.")
    for name, value in zip(t.variables, answers, strict=True):
        if is_missing(value):
            return Result(task_id, False, f"{t.title}: {name} {UNANSWERED}. Replace the ... "
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
    """Check an answer and show the result (text in a console, HTML in Jupyter).

    In Jupyter the result also carries a one-line notice when the cell that
    produced the answer called a course helper that computes it
    (:func:`tpmcourse.labs.shortcuts.notice_for_kernel`); the verdict itself
    never depends on how the answer was made."""
    result = evaluate(task_id, *answers)
    try:
        from tpmcourse.labs.shortcuts import notice_for_kernel

        notice = notice_for_kernel(task_id)
    except Exception:
        notice = ""
    if notice:
        return Result(result.task, result.passed, result.message, notice)
    return result


# --- helpers that lab checks use to turn bad input into specific hints -------------


def need_frame(value: Any, name: str, columns: Iterable[str] = (), rows: int | None = None) -> pd.DataFrame:
    """A DataFrame with the given columns (and row count); an InputError (a "Not yet") otherwise."""
    return require_frame(value, name, columns, rows=rows)


def need_number(value: Any, name: str) -> float:
    """A finite real number; an InputError otherwise. Text that looks like a
    number ("0.25") is refused, in every lab with the same message."""
    return require_number(value, name)


def need_numeric_column(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    """A column of numbers without NaN, as floats; an InputError otherwise
    (also for numbers written as text)."""
    return require_numeric_column(frame, column, name)


def close(a: float, b: float, rel: float = 1e-3, abs_: float = 1e-9) -> bool:
    """Loose closeness, for spotting which slip an answer follows; verdicts use :func:`agrees`."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# --- the tolerance policy ------------------------------------------------------------------------


def _sig_unit(want: Any) -> Any:
    """Half a unit in the 4th significant figure of ``want`` (0 for 0), element by element."""
    magnitude = np.abs(np.asarray(want, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.where(magnitude > 0, magnitude, 1.0)))
    return np.where(magnitude > 0, 0.5 * 10.0 ** (exponent - (SIGNIFICANT - 1)), 0.0)


def tolerance(want: float, decimals: int | None = None, slack: float = 0.0) -> float:
    """How far an answer may be from ``want``: half a unit in the last
    displayed decimal, or in the 4th significant figure, whichever is looser
    (or the task's own ``slack``, where its method leaves room)."""
    allowed = float(_sig_unit(want))
    if decimals is not None:
        allowed = max(allowed, 0.5 * 10.0 ** -decimals)
    return max(allowed, slack)


def agrees(got: float, want: float, decimals: int | None = None, slack: float = 0.0) -> bool:
    """Whether ``got`` is ``want`` under the tolerance policy (:func:`tolerance`)."""
    if not (math.isfinite(got) and math.isfinite(want)):
        return False
    return abs(got - want) <= tolerance(want, decimals, slack) * (1 + 1e-9) + 1e-12 * max(1.0, abs(want))


def agree_mask(got: Any, want: Any, decimals: int | None = None, slack: float = 0.0) -> np.ndarray:
    """:func:`agrees` element by element, for two aligned arrays or Series."""
    g = np.asarray(got, dtype=float)
    w = np.asarray(want, dtype=float)
    allowed = np.maximum(_sig_unit(w), slack)
    if decimals is not None:
        allowed = np.maximum(allowed, 0.5 * 10.0 ** -decimals)
    with np.errstate(invalid="ignore"):
        return np.isfinite(g) & np.isfinite(w) & (
            np.abs(g - w) <= allowed * (1 + 1e-9) + 1e-12 * np.maximum(1.0, np.abs(w)))


def _shown_decimals(x: float) -> int | None:
    """How many decimals ``x`` keeps when written as briefly as Python writes it."""
    if not math.isfinite(x):
        return None
    text = repr(float(x))
    if "e" in text or "E" in text:
        mantissa, exponent = text.lower().split("e")
        digits = len(mantissa.split(".")[1].rstrip("0")) if "." in mantissa else 0
        return max(digits - int(exponent), 0)
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def rounded_to(got: float, want: float) -> int | None:
    """The decimals ``got`` keeps when it is ``want`` rounded to them and
    fails only for that; None when rounding does not explain the difference."""
    if got == 0 or not (math.isfinite(got) and math.isfinite(want)) or agrees(got, want):
        return None
    places = _shown_decimals(got)
    if places is None or places > 12:
        return None
    if places == 0 and float(want).is_integer():
        return None  # a whole number is not a rounded whole number
    if 10.0 ** -places > abs(want):
        return None  # rounding that keeps no significant figure is no longer the answer
    if abs(got - want) <= 0.5 * 10.0 ** -places * (1 + 1e-9) + 1e-12 * max(1.0, abs(want)):
        return places
    return None


def column_rounded_to(got: Any, want: Any, decimals: int | None = None) -> int | None:
    """The decimals a column of answers keeps when every cell that fails is
    its reference rounded to them (the column's most precise cell says how
    many decimals the learner kept); None when rounding does not explain it."""
    g = np.asarray(got, dtype=float).ravel()
    w = np.asarray(want, dtype=float).ravel()
    bad = np.isfinite(w) & ~agree_mask(g, w, decimals)
    if not bad.any() or not np.isfinite(g[bad]).all():
        return None
    shown = [_shown_decimals(float(x)) for x in g[np.isfinite(g)]]
    if any(p is None or p > 12 for p in shown):
        return None
    places = max(p for p in shown if p is not None)
    if places == 0 and np.all(w[bad] == np.round(w[bad])):
        return None
    unit = 0.5 * 10.0 ** -places
    if np.all(np.abs(g[bad] - w[bad]) <= unit * (1 + 1e-9) + 1e-12 * np.maximum(1.0, np.abs(w[bad]))) \
            and 10.0 ** -places <= np.nanmax(np.abs(w[bad])):
        return places
    return None


def keep_hint(decimals: int | None = None) -> str:
    """What to keep, in the policy's words."""
    if decimals is None:
        return f"keep at least {SIGNIFICANT} significant figures"
    return (f"keep at least {decimals} decimal{'s' if decimals != 1 else ''} "
            f"or {SIGNIFICANT} significant figures")


def rounding_hint(what: str, places: int, decimals: int | None = None) -> str:
    where = "a whole number" if places == 0 else f"{places} decimal{'s' if places != 1 else ''}"
    return (f"{what} looks rounded to {where}, which loses the precision the check needs: {keep_hint(decimals)} "
            f"(round only what you display, not the answer).")


def show_pair(want: float, got: float, decimals: int | None = None) -> tuple[str, str]:
    """``want`` and ``got`` written with enough digits to tell them apart
    (at least the task's display decimals or 4 significant figures)."""
    anchor = abs(want) or abs(got)  # the reference's own 4 significant figures come first
    places = SIGNIFICANT - 1 - math.floor(math.log10(anchor)) if anchor > 0 else 0
    places = max(places, 0, decimals or 0)

    def fmt(x: float, d: int) -> str:
        text = f"{x:,.{d}f}"
        return text[1:] if text.startswith("-") and float(x) == 0 else text

    for d in range(places, 18):
        a, b = fmt(want, d), fmt(got, d)
        if a != b or want == got:
            return a, b
    return repr(float(want)), repr(float(got))


def show(x: float, decimals: int | None = None) -> str:
    """One number written to the task's display decimals, or 4 significant figures."""
    return show_pair(x, x, decimals)[0]


#: Factors whose match names a slip: (factor, what the slip looks like).
_FACTORS: tuple[tuple[float, str], ...] = (
    (100, "a percentage where a fraction is expected (or ×100 twice)"),
    (0.01, "a fraction where a percentage is expected"),
    (1000, "a unit slip of 1,000 (kilo, milli, or seconds against milliseconds)"),
    (0.001, "a unit slip of 1,000 (kilo, milli, or seconds against milliseconds)"),
    (10, "a decimal point in the wrong place"),
    (0.1, "a decimal point in the wrong place"),
)


def miss_hint(got: float, want: float, what: str, decimals: int | None = None, *, rounding: bool = True) -> str:
    """Why ``got`` is not ``want``, diagnosed before any guess: rounding
    first (unless ``rounding`` is False: a table diagnoses it column by
    column), then a telling factor only when the value matches it under the
    tolerance policy (and the factor would not look like the answer itself),
    else plainly what differs."""
    places = rounded_to(got, want) if rounding else None
    if places is not None:
        return rounding_hint(what, places, decimals)
    if want != 0 and got != 0 and math.isfinite(got) and math.isfinite(want):
        for factor, slip in _FACTORS:
            if agrees(got, want * factor) and not agrees(want * factor, want, decimals):
                return f"{what} is {factor:g}× the expected value: it looks like {slip}."
        if agrees(got, -want) and not agrees(-want, want, decimals):
            return f"{what} has the right size but the wrong sign: subtract in the other order."
        if agrees(got, 1 / want) and abs(1 / want - want) > 0.05 * abs(want):
            return f"{what} is the reciprocal of the expected value: is the ratio upside down?"
    w, g = show_pair(want, got, decimals)
    return f"{what} should be {w}; yours is {g}."


def ratio_hint(got: float, expected: float, what: str, decimals: int | None = None) -> str:
    """The hint for a number that does not match (:func:`miss_hint`)."""
    return miss_hint(got, expected, what, decimals)


#: A likely slip: the value it produces and the hint for it, optionally with
#: the decimals a learner may have rounded the slipped value to (None: 4
#: significant figures only; by default the task's own display decimals).
Slip = tuple[float, str] | tuple[float, str, int | None]


def expect_number(got: float, want: float, name: str, slips: Iterable[Slip] = (), *,
                  decimals: int | None = None, slack: float = 0.0, then: str = "") -> None:
    """Nothing when ``got`` is ``want`` under the tolerance policy;
    otherwise, in this order: the rounding diagnosis, the hint of the first
    slip whose value ``got`` matches, or :func:`miss_hint` (``then`` is added
    to that last hint)."""
    if agrees(got, want, decimals, slack):
        return
    places = rounded_to(got, want)
    if places is not None:
        raise Hint(rounding_hint(name, places, decimals))
    for value, hint, *own in slips:
        if math.isfinite(value) and not agrees(value, want, decimals, slack) and \
                agrees(got, value, own[0] if own else decimals):
            raise Hint(hint)
    raise Hint(miss_hint(got, want, name, decimals) + then)


def expect_column(got: pd.Series, want: pd.Series, what: Callable[[Any], str] | str, *,
                  decimals: int | None = None, slack: float = 0.0,
                  slips: Iterable[tuple[Any, ...]] = (), column: str = "") -> None:
    """A column of numbers against the reference, aligned by position: the
    rounding diagnosis of the cells that fail, then the hint of a slip that
    every cell follows, then the first cell that differs (named by
    ``what(label)``). A slip is (its values, or whether it applies; its hint;
    optionally the decimals a learner may have rounded the slipped values to)."""
    g = np.asarray(got, dtype=float)
    w = np.asarray(want, dtype=float)
    ok = agree_mask(g, w, decimals, slack)
    if ok.all():
        return
    bad = np.flatnonzero(~ok)
    places = column_rounded_to(g, w, decimals)
    if places is not None:
        label = column or (what if isinstance(what, str) else "the column")
        raise Hint(rounding_hint(label, places, decimals))
    for values, hint, *own in slips:
        if isinstance(values, (bool, np.bool_)):
            if values:
                raise Hint(hint)
            continue
        alt = np.asarray(values, dtype=float)
        places = own[0] if own else decimals
        if alt.shape == g.shape and np.isfinite(alt).all() and agree_mask(g, alt, places, slack).all() \
                and not agree_mask(alt, w, decimals, slack).all():
            raise Hint(hint)
    first = int(bad[0])
    label = got.index[first] if isinstance(got, pd.Series) else first
    name = what(label) if callable(what) else f"{what} at {label}"
    raise Hint(miss_hint(float(g[first]), float(w[first]), name, decimals, rounding=False))


# --- written memos ----------------------------------------------------------------------------------

MEMO_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
MEMO_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

#: Words and phrases that state a decision anywhere in a sentence.
DECISION = re.compile(
    r"\b(recommend\w*|propos(?:e|es|ed|al|ing)|(?:i|we) (?:would )?suggest|(?:my|our) suggestion|"
    r"(?:i|we) (?:would )?(?:advise|urge)|decid(?:e|ed|ing)|decision|chose|choose|chosen|opt(?:ing)? for|"
    r"go(?:ing)? with|should|must|shall|approve|approval|(?:i|we) request|request(?:ed)? (?:that|approval)|"
    r"decisions? requested|ask\w* (?:you|the|for|that)|let's|let us|"
    r"(?:i|we|you|the team)\s+(?:will|would like to|need to|needs to|have to|has to|plan to|intend to|"
    r"are going to|am going to)|we'll|i'll|"
    r"(?:our|my|the) (?:plan|choice|call|decision|recommendation|proposal|ask) (?:is|would be|here is))\b",
    re.IGNORECASE)
#: Imperative verbs that start a decision sentence ("Move the retraining to ...").
IMPERATIVES = ("move", "ship", "roll out", "roll back", "roll", "delay", "pause", "launch", "keep", "drop", "postpone",
               "cut", "start", "stop", "hold", "freeze", "fund", "buy", "approve", "send", "release", "adopt",
               "extend", "rerun", "re-run", "continue", "proceed", "invest", "allocate", "give", "spend",
               "reserve", "run", "schedule", "book", "halt", "defer", "accept", "reject", "do not", "don't",
               "go ahead", "switch", "retrain", "replace", "remove", "lower", "raise", "set", "split", "put",
               "commit", "prioritize", "prioritise", "focus", "block", "limit", "share", "publish", "use")
_IMPERATIVE = re.compile(r"^(?:please\s+)?(?:" + "|".join(re.escape(v) for v in IMPERATIVES) + r")\b", re.I)
#: A label that announces the decision ("Decision: ...", "Recommendation - ...").
_LABEL = re.compile(r"^(?:decision|recommendation|proposal|verdict|the ask|ask|our call|bottom line)\s*[:\-–—]",
                    re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n\s*\n|\n\s*(?=[-*•]|\(?\d+[.)]\s)")
_LEAD = re.compile(r"^[\s\-*•#>_\"'(\[]*(?:\(?\d+[.)]\s*)?")

#: A memo's sentences must be real ones: these many words for a number to count as used in one.
SENTENCE_WORDS = 6
#: The most frequent word may be at most this share of a memo's words.
MAX_WORD_SHARE = 0.2
#: A memo needs at least this share of distinct words (at least half of the minimum length).
MIN_DISTINCT_SHARE = 0.5


def memo_sentences(text: str) -> list[str]:
    """The memo's sentences (and list items, and paragraphs without a full stop)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def states_decision(text: str) -> bool:
    """Whether a text states a decision: a decision word or phrase anywhere,
    a label such as "Decision:", or a sentence that starts with an imperative
    verb ("Move the retraining to ...", "Ship it")."""
    if DECISION.search(text):
        return True
    for sentence in memo_sentences(text):
        start = _LEAD.sub("", sentence)
        if _LABEL.match(start):
            return True
        start = re.sub(r"^\*\*[^*]+\*\*\s*", "", start)  # a bold heading in front of the sentence
        if _IMPERATIVE.match(start):
            return True
    return False


def numbers_in_sentences(text: str) -> set[str]:
    """The distinct numbers a memo uses in sentences of at least
    :data:`SENTENCE_WORDS` words with more words than numbers (a bare list
    of numbers does not count)."""
    found: set[str] = set()
    for sentence in memo_sentences(text):
        words = MEMO_WORD.findall(sentence)
        numbers = MEMO_NUMBER.findall(sentence)
        if len(words) >= SENTENCE_WORDS and len(words) > len(numbers):
            found.update(numbers)
    return found


def need_memo(text: Any, name: str, *, min_numbers: int, numbers_hint: str, min_words: int = 80,
              words_hint: str = "", decision_hint: str = "", decision: re.Pattern | None = None) -> tuple[int, int]:
    """The form of a written memo (checked before a human grades its content):
    text, enough words in real sentences (not padding), a stated decision in
    any common phrasing (:func:`states_decision`, or the lab's own
    ``decision`` pattern) and the numbers it rests on, used in sentences.
    Returns (words, distinct numbers); raises a Hint naming what is missing."""
    if not isinstance(text, str):
        raise Hint(f"{name} should be a string (your memo as text in quotes), not {type(text).__name__}.")
    words = MEMO_WORD.findall(text)
    if len(words) < min_words:
        raise Hint(f"{name} has {len(words)} words; write at least "
                   f"{min_words}{': ' + words_hint if words_hint else '.'}")
    lower = [w.lower() for w in words]
    distinct = set(lower)
    top, count = max(((w, lower.count(w)) for w in distinct), key=lambda pair: pair[1])
    if len(distinct) < MIN_DISTINCT_SHARE * min_words or count > MAX_WORD_SHARE * len(words):
        raise Hint(f"{name} repeats the same few words (\"{top}\" is {count} of its {len(words)}, and it has "
                   f"{len(distinct)} different words): write the memo in full sentences.")
    sentences = [s for s in memo_sentences(text) if len(MEMO_WORD.findall(s)) >= SENTENCE_WORDS]
    if len(sentences) < 3 or len(set(sentences)) < len(sentences):
        raise Hint(f"{name} needs at least three different full sentences; a repeated sentence or a list "
                   "of fragments is not a memo.")
    if not (states_decision(text) or (decision is not None and decision.search(text))):
        raise Hint(decision_hint or f"{name} describes but does not decide: say what you recommend "
                                    "(\"I recommend ...\", \"We should ...\", \"Decision: ...\").")
    numbers = numbers_in_sentences(text)
    if len(numbers) < min_numbers:
        raise Hint(numbers_hint + " Use each number in a sentence that says what it measures.")
    return len(words), len(numbers)


# --- judging a list of ids or a table of items the same way in every lab ---


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
