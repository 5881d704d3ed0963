"""Question banks: one YAML file per chapter in ``course/quizzes/``.

Questions are data so that content authors never touch Python. Every bank is
validated against the models below before anything renders it; a problem is
reported with the file, the question id and what is wrong, and no question
is ever dropped silently.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from tpmcourse.paths import COURSE, apart_from_the_course
from tpmcourse.quiz.variants import HintSpec, Parameter, Variant, VariantError, make_variants

BANKS = COURSE / "quizzes"
ID = r"^ch\d\d-[a-z0-9][a-z0-9-]*$"


class BankError(ValueError):
    """A question bank that cannot be used; the message names file and question."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Option(_Strict):
    text: str = Field(min_length=1)
    correct: bool = False
    feedback: str | None = None


class _Question(_Strict):
    id: str = Field(pattern=ID)
    objective: str = Field(pattern=ID)
    prompt: str = Field(min_length=1)
    explanation: str = Field(min_length=1)


class SingleChoice(_Question):
    type: Literal["single"]
    options: list[Option] = Field(min_length=2)

    @model_validator(mode="after")
    def one_correct(self):
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"a single-choice question needs exactly 1 correct option, has {n}")
        _distinct([o.text for o in self.options], "option texts")
        return self


class MultipleSelect(_Question):
    type: Literal["multiple"]
    options: list[Option] = Field(min_length=3)

    @model_validator(mode="after")
    def some_correct(self):
        if not any(o.correct for o in self.options):
            raise ValueError("a multiple-select question needs at least 1 correct option")
        _distinct([o.text for o in self.options], "option texts")
        return self


class NumericHint(_Strict):
    """Feedback for a known wrong answer, e.g. a percentage given as a fraction.

    With parameters, ``formula`` computes the wrong answer for each variant
    (``value`` is then the default variant's, filled in by the question).
    """

    value: float | None = None
    formula: str | None = None
    feedback: str = Field(min_length=1)

    @model_validator(mode="after")
    def value_or_formula(self):
        if (self.value is None) == (self.formula is None):
            raise ValueError("a hint needs either a value or a formula")
        return self


class Numeric(_Question):
    """A number with a tolerance; optionally a family of variants.

    ``parameters`` and ``formula`` make variants (see :mod:`.variants`):
    ``answer`` stays the default variant's answer, checked against the formula.
    """

    type: Literal["numeric"]
    answer: float
    tolerance: float = Field(ge=0)
    unit: str = ""
    hints: list[NumericHint] = []
    parameters: dict[str, Parameter] = {}
    derived: dict[str, str] = {}
    formula: str | None = None
    variants: int = Field(default=6, ge=2, le=12)
    _rendered: list[Variant] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def finite(self):
        if not math.isfinite(self.answer) or not math.isfinite(self.tolerance):
            raise ValueError("answer and tolerance must be finite numbers")
        if (self.formula is None) != (not self.parameters):
            raise ValueError("parameters and formula go together: give both or neither")
        if self.derived and not self.parameters:
            raise ValueError("derived values need parameters and a formula")
        if self.formula is None:
            if any(h.formula is not None for h in self.hints):
                raise ValueError("a hint formula needs parameters and a formula")
            self._rendered = [Variant({}, self.answer, self.prompt, self.explanation,
                                      tuple((float(h.value or 0), h.feedback) for h in self.hints))]
            return self
        try:
            rendered = make_variants(self.id, self.parameters, self.derived, self.formula,
                                     [HintSpec(h.value, h.formula, h.feedback) for h in self.hints],
                                     self.prompt, self.explanation, self.tolerance, self.variants)
        except VariantError as exc:
            raise ValueError(str(exc)) from None
        default = rendered[0].answer
        if abs(default - self.answer) > self.tolerance + 1e-9:
            raise ValueError(f"answer {self.answer:g} does not match the formula with the default parameters "
                             f"({default:g})")
        self._rendered = rendered
        return self

    @property
    def is_parameterised(self) -> bool:
        return self.formula is not None

    def all_variants(self) -> list[Variant]:
        """Variant 0 has the chapter's numbers; a plain question has only that one."""
        return list(self._rendered)

    def variant(self, index: int = 0) -> Variant:
        """One variant; an index out of range falls back to the default."""
        return self._rendered[index] if 0 <= index < len(self._rendered) else self._rendered[0]

    def as_default(self) -> Numeric:
        """The default variant as a plain question, for exports that know no variants."""
        v = self._rendered[0]
        return Numeric(id=self.id, objective=self.objective, type="numeric", prompt=v.prompt,
                       explanation=v.explanation, answer=self.answer, tolerance=self.tolerance, unit=self.unit,
                       hints=[NumericHint(value=value, feedback=text) for value, text in v.hints])


class Ordering(_Question):
    type: Literal["ordering"]
    items: list[str] = Field(min_length=3, description="in the correct order")

    @model_validator(mode="after")
    def distinct(self):
        _distinct(self.items, "items")
        return self


Question = Annotated[SingleChoice | MultipleSelect | Numeric | Ordering, Field(discriminator="type")]
_QUESTION = TypeAdapter(Question)
# The discriminator values; pydantic also puts them in error locations.
QUESTION_TYPES = ("single", "multiple", "numeric", "ordering")


class Bank(_Strict):
    chapter: str = Field(pattern=r"^ch\d\d$")
    title: str = "Check your understanding"
    questions: list[Question] = Field(min_length=1)


def _distinct(values: list[str], what: str) -> None:
    seen = set()
    for value in values:
        if value.casefold() in seen:
            raise ValueError(f"{what} must be distinct; {value!r} appears twice")
        seen.add(value.casefold())


def describe(exc: ValidationError, hide: tuple[str, ...] = ()) -> str:
    """A pydantic error in one line: each field's path and message (path parts
    starting with one of ``hide``, such as a union's tag, left out)."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not (hide and str(p).startswith(hide)))
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def read_chapter_file(path: Path, key: str, error: type[ValueError]) -> tuple[dict, list]:
    """A chapter's YAML file (a question bank, written tasks) as its mapping and
    the non-empty list under ``key``; ``error`` names the file when it is not so."""
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise error(f"{name}: not valid YAML ({exc})") from None
    except OSError as exc:
        raise error(f"{name}: cannot be read ({exc.strerror})") from None
    if not isinstance(raw, dict):
        raise error(f"{name}: expected a mapping with 'chapter' and '{key}', got {type(raw).__name__}")
    items = raw.get(key)
    if not isinstance(items, list) or not items:
        raise error(f"{name}: '{key}' must be a non-empty list")
    return raw, items


def _describe(exc: ValidationError) -> str:
    return describe(exc, QUESTION_TYPES)


def load_bank(path: Path) -> Bank:
    """Read and validate one bank; raise BankError naming file and question."""
    name = path.name
    raw, questions = read_chapter_file(path, "questions", BankError)
    parsed = []
    for i, q in enumerate(questions, start=1):
        qid = q.get("id") if isinstance(q, dict) and q.get("id") else f"question {i}"
        if isinstance(q, dict) and q.get("type") not in QUESTION_TYPES:
            raise BankError(f"{name}: {qid}: type must be one of single, multiple, numeric, "
                            f"ordering (got {q.get('type')!r})")
        try:
            parsed.append(_QUESTION.validate_python(q))
        except ValidationError as exc:
            raise BankError(f"{name}: {qid}: {_describe(exc)}") from None
    try:
        bank = Bank.model_validate({**raw, "questions": parsed})
    except ValidationError as exc:
        raise BankError(f"{name}: {_describe(exc)}") from None
    expected = re.match(r"(ch\d\d)", name)
    if expected and expected[1] != bank.chapter:
        raise BankError(f"{name}: chapter is {bank.chapter!r} but the file is named for {expected[1]}")
    ids = [q.id for q in bank.questions]
    for q in bank.questions:
        if ids.count(q.id) > 1:
            raise BankError(f"{name}: {q.id}: question id is used more than once")
        if not q.id.startswith(bank.chapter + "-") or not q.objective.startswith(bank.chapter + "-"):
            raise BankError(f"{name}: {q.id}: id and objective must start with {bank.chapter}-")
    return bank


def load_all(folder: Path = BANKS) -> dict[str, Bank]:
    """Every bank by chapter id (``ch01`` ...), all validated."""
    banks = {}
    for path in sorted(folder.glob("*.yml")):
        bank = load_bank(path)
        banks[bank.chapter] = bank
    return banks


def load_chapter(chapter: str, folder: Path = BANKS) -> Bank:
    if not isinstance(chapter, str) or not re.fullmatch(r"ch\d\d", chapter):
        raise BankError(f"chapter must look like 'ch02', got {chapter!r}")
    path = folder / f"{chapter}.yml"
    if not path.exists():
        raise BankError((apart_from_the_course() if folder == BANKS else None)
                        or f"{chapter}.yml: no question bank for {chapter} in {folder}")
    return load_bank(path)
