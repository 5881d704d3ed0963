"""Numeric questions with new numbers: the same reasoning, other values.

A numeric question may declare ``parameters`` (each with a default and a
list or range of values) and a ``formula`` for its answer; its prompt,
explanation and hint feedback are then templates with ``{name}`` or
``{name:format}`` placeholders. The bank renders a fixed set of variants when
it is loaded: variant 0 uses the defaults, which are the numbers the chapter
tells, and the others are drawn with a generator seeded by the question id,
so every build and every reader sees the same set.

Everything is checked here, once: formulas (see :mod:`.formula`), names,
placeholders, and every variant's answer and hints. A variant whose answer
equals an earlier one, or whose hints collide with the answer or with each
other, is not used (its feedback would mislead); too few usable variants is
an error the author can fix by widening the values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tpmcourse.quiz.formula import FUNCTIONS, Formula, FormulaError, parse

NAME = r"^[a-z][a-z0-9_]*$"
RESERVED = {"answer", *FUNCTIONS}
# {name} or {name:format}; the format is a Python number format such as ",.0f".
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
_FORMAT = re.compile(r"^[<>=^]?[+\- ]?#?0?[0-9]*[,_]?(?:\.[0-9]+)?[eEfFgG%]?$")
_TRIES = 500


class VariantError(ValueError):
    """A parameterised question that cannot be rendered; says what and where."""


class Parameter(BaseModel):
    """One number of a question that varies: ``values`` or ``min``/``max``/``step``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default: float
    values: list[float] | None = Field(default=None, min_length=2)
    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def one_kind(self):
        ranged = (self.min, self.max, self.step)
        if self.values is not None and any(v is not None for v in ranged):
            raise ValueError("give either values or min, max and step, not both")
        if self.values is None and any(v is None for v in ranged):
            raise ValueError("give values, or all of min, max and step")
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ValueError("max must be greater than min")
        if not any(abs(v - self.default) < 1e-9 for v in self.grid()):
            raise ValueError(f"the default {_fmt(self.default)} is not one of its values")
        return self

    def grid(self) -> list[float]:
        """Every value the parameter may take."""
        if self.values is not None:
            return list(dict.fromkeys(self.values))
        assert self.min is not None and self.max is not None and self.step is not None
        count = round((self.max - self.min) / self.step) + 1
        return [round(self.min + k * self.step, 10) for k in range(count) if self.min + k * self.step
                <= self.max + 1e-9]


@dataclass(frozen=True)
class Variant:
    """One rendered version of a numeric question (Markdown text, numbers)."""

    values: Mapping[str, float]
    answer: float
    prompt: str
    explanation: str
    hints: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class HintSpec:
    value: float | None
    formula: str | None
    feedback: str


def _fixed(hint: HintSpec) -> float:
    if hint.value is None:
        raise VariantError("a hint needs a value or a formula")
    return float(hint.value)


def _clean(value: float) -> float:
    """12 significant digits: 0.3 × 80,000 is 24,000, not 23,999.999999999996."""
    return float(f"{value:.12g}")


def _fmt(value: float) -> str:
    """A number as prose writes it: 3,200,000, 0.5, 1,866.67."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """The (name, format) pairs of a template; VariantError for stray braces."""
    rest = _PLACEHOLDER.sub("", template)
    if "{" in rest or "}" in rest:
        raise VariantError("a '{' or '}' that is not a placeholder; write placeholders as {name} or "
                           "{name:,.0f}")
    return [(m[1], m[2]) for m in _PLACEHOLDER.finditer(template)]


def fill(template: str, values: Mapping[str, float]) -> str:
    """The template with each placeholder replaced by its formatted value."""

    def one(match: re.Match[str]) -> str:
        value = values[match[1]]
        return _fmt(value) if match[2] is None else format(value, match[2])

    return _PLACEHOLDER.sub(one, template)


def _check_templates(fields: Mapping[str, str], names: Sequence[str]) -> None:
    for where, template in fields.items():
        try:
            found = placeholders(template)
        except VariantError as exc:
            raise VariantError(f"{where}: {exc}") from None
        for name, spec in found:
            if name not in names:
                raise VariantError(f"{where}: placeholder {{{name}}} is not a parameter "
                                   f"(declared: {', '.join(names)})")
            if spec is not None:
                if not _FORMAT.match(spec):
                    raise VariantError(f"{where}: placeholder {{{name}:{spec}}} has a format that is not a "
                                       "number format such as ',.0f'")
                try:
                    format(1234.5, spec)
                except ValueError:
                    raise VariantError(f"{where}: placeholder {{{name}:{spec}}} has an invalid format") from None


def _compile(parameters: Mapping[str, Parameter], derived: Mapping[str, str], formula: str,
             hints: Sequence[HintSpec]) -> tuple[dict[str, Formula], Formula, list[Formula | None]]:
    for name in (*parameters, *derived):
        if not re.match(NAME, name) or name in RESERVED:
            raise VariantError(f"'{name}' cannot name a parameter: use lower-case letters, digits and _, "
                               f"and none of {', '.join(sorted(RESERVED))}")
    if set(parameters) & set(derived):
        raise VariantError(f"'{sorted(set(parameters) & set(derived))[0]}' is both a parameter and derived")
    known = list(parameters)
    compiled: dict[str, Formula] = {}
    for name, source in derived.items():
        try:
            compiled[name] = parse(source, known)
        except FormulaError as exc:
            raise VariantError(f"derived.{name}: {exc}") from None
        known.append(name)
    try:
        answer = parse(formula, known)
    except FormulaError as exc:
        raise VariantError(f"formula: {exc}") from None
    hint_formulas: list[Formula | None] = []
    for i, hint in enumerate(hints):
        try:
            hint_formulas.append(parse(hint.formula, known) if hint.formula is not None else None)
        except FormulaError as exc:
            raise VariantError(f"hints.{i}.formula: {exc}") from None
    return compiled, answer, hint_formulas


def make_variants(qid: str, parameters: Mapping[str, Parameter], derived: Mapping[str, str], formula: str,
                  hints: Sequence[HintSpec], prompt: str, explanation: str, tolerance: float,
                  count: int) -> list[Variant]:
    """Check a parameterised question and render ``count`` distinct variants."""
    if not parameters:
        raise VariantError("a formula needs parameters")
    compiled, answer_formula, hint_formulas = _compile(parameters, derived, formula, hints)
    names = [*parameters, *derived, "answer"]
    _check_templates({"prompt": prompt, "explanation": explanation,
                      **{f"hints.{i}.feedback": h.feedback for i, h in enumerate(hints)}}, names)

    def render(chosen: dict[str, float]) -> Variant:
        values = dict(chosen)
        try:
            for name, f in compiled.items():
                values[name] = _clean(f(values))
            answer = _clean(answer_formula(values))
            hint_values = [_clean(f(values)) if f is not None else _fixed(h)
                           for f, h in zip(hint_formulas, hints, strict=True)]
        except FormulaError as exc:
            shown = ", ".join(f"{k} = {_fmt(v)}" for k, v in chosen.items())
            raise VariantError(f"with {shown}: {exc}") from None
        values["answer"] = answer
        return Variant(values, answer, fill(prompt, values), fill(explanation, values),
                       tuple((v, fill(h.feedback, values)) for v, h in zip(hint_values, hints, strict=True)))

    def clashes(v: Variant, earlier: list[Variant]) -> str | None:
        gap = tolerance + 1e-9
        for value, _ in v.hints:
            if abs(value - v.answer) <= gap:
                return f"a hint's value ({_fmt(value)}) equals the answer"
        for i, (a, _) in enumerate(v.hints):
            for b, _ in v.hints[i + 1:]:
                if abs(a - b) <= gap:
                    return f"two hints have the same value ({_fmt(a)})"
        if any(abs(v.answer - e.answer) <= gap for e in earlier):
            return "its answer equals another variant's"
        return None

    default = render({k: p.default for k, p in parameters.items()})
    problem = clashes(default, [])
    if problem:
        raise VariantError(f"with the default parameters, {problem}")
    made = [default]
    seen = {tuple(default.values[k] for k in parameters)}
    rng = random.Random(f"variants:{qid}")
    grids = {k: p.grid() for k, p in parameters.items()}
    for _ in range(_TRIES):
        if len(made) >= count:
            break
        chosen = {k: rng.choice(grid) for k, grid in grids.items()}
        key = tuple(chosen.values())
        if key in seen:
            continue
        seen.add(key)
        variant = render(chosen)
        if clashes(variant, made) is None:
            made.append(variant)
    if len(made) < count:
        raise VariantError(f"only {len(made)} of {count} variants have distinct answers and hints; give the "
                           "parameters more values")
    return made
