"""Reading a number a learner typed: "$6,526", "6 526", "39 ms", "67 percent".

This is the one specification of the parser. ``tpm-quiz.js`` has a line-by-line
port (``parseAnswer``), and both are held to the same table of cases in
``tests/quiz/number_cases.yml``, so Jupyter and the book read every answer
alike. The regular expressions use only syntax that Python and JavaScript read
the same way (ASCII digit classes, explicit space characters, no named groups).

A comma that may be a decimal comma ("0,67", "3,5", "1866,67") is never
guessed at: the answer is not graded and the learner is asked to use a point.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["number", "empty", "ambiguous", "unit", "invalid"]

# Spaces a learner or a word processor puts between digit groups: space,
# no-break space, thin space (U+2009), narrow no-break space (U+202F).
_SEP = " \u00a0\u2009\u202f"
_TRIM = re.compile("^[ \t\r\n\u00a0\u2009\u202f]+|[ \t\r\n\u00a0\u2009\u202f]+$")
_ANSWER = re.compile(
    "^([+\\-\u2212]?)[ \u00a0\u2009\u202f]*([$\u20ac\u00a3]?)[ \u00a0\u2009\u202f]*([+\\-\u2212]?)"
    "([0-9.,\u00a0\u2009\u202f ]*[0-9](?:[0-9.,\u00a0\u2009\u202f ]*[0-9.])?|[.][0-9]+)"
    "([eE][+\\-]?[0-9]+)?[ \u00a0\u2009\u202f]*([\\s\\S]*)$")
_PLAIN = re.compile("^(?:[0-9]+(?:[.][0-9]*)?|[.][0-9]+)$")
_COMMA_GROUPS = re.compile("^[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:[.][0-9]+)?$")
_SPACE_GROUPS = re.compile("^[1-9][0-9]{0,2}(?:[ \u00a0\u2009\u202f][0-9]{3})+(?:[.][0-9]+)?$")
# Decimal-comma styles: "0,67", "3,5", "1866,67", "1.866,67", "1 866,67".
_DECIMAL_COMMA = re.compile("^(?:[0-9]+|[1-9][0-9]{0,2}(?:[.][0-9]{3})+|[1-9][0-9]{0,2}"
                            "(?:[ \u00a0\u2009\u202f][0-9]{3})+),[0-9]+$")
# A tail with digits, signs or separators is a garbled number, not a unit.
_NOT_A_UNIT = re.compile("[0-9+\\-\u2212.,]")
_CURRENCY = ("$", "\u20ac", "\u00a3")
_PERCENT = ("%", "percent", "per cent", "pct")
# Other ways to write a unit, keyed by the unit's first word in lower case.
_ALIASES = {
    "ms": ("milliseconds", "millisecond", "msec"),
    "minutes": ("minute", "min", "mins"),
    "hours": ("hour", "h", "hr", "hrs"),
    "weeks": ("week", "wk", "wks"),
    "year": ("years", "yr"),
    "dollars": ("dollar", "usd"),
    "usd": ("dollars", "dollar"),
    "points": ("point", "pts", "pt"),
    "kg": ("kilograms", "kilogram"),
}

MESSAGES = {
    "empty": "Enter a number, then press Check.",
    "invalid": "Enter a number such as 1920, 6,526 or 12.5 (digits, an optional minus sign and a point "
               "for decimals), then press Check.",
    "ambiguous": "A comma here could be a decimal comma: did you mean {suggestion}? Use a point for "
                 "decimals (a comma only separates thousands, as in 6,526).",
    "unit": "Write the number alone, or followed by {unit}.",
    "no_unit": "Write the number alone: this answer has no unit.",
}


@dataclass(frozen=True)
class Parsed:
    """What a typed answer says: a number, or why it cannot be graded."""

    kind: Kind
    value: float | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "message": self.message}


def _words(text: str) -> str:
    """Lower case, each run of spaces as one space, no space at either end."""
    return _TRIM.sub("", re.sub("[ \u00a0\u2009\u202f]+", " ", text)).lower()


def accepted_units(unit: str) -> list[str]:
    """The texts (lower case) a learner may write after a number for this unit.

    Currency symbols are always accepted; "%" and "percent" only where the
    unit is "%"; otherwise the unit itself, its first word and that word's
    usual abbreviations ("39 ms", "5 hours", "6526 dollars").
    """
    unit = _words(unit or "")
    accepted: list[str] = list(_CURRENCY)
    if not unit:
        return accepted
    if unit in ("%", "percent") or unit.startswith("percent"):
        return accepted + list(_PERCENT)
    first = unit.split(" ")[0]
    for text in (unit, first, *_ALIASES.get(first, ())):
        if text not in accepted:
            accepted.append(text)
    return accepted


def parse(raw: Any, unit: str = "", accepted: list[str] | None = None) -> Parsed:
    """Read an answer: a number (``kind="number"``), or ``empty``, ``ambiguous``
    (a possible decimal comma, with a suggestion), ``unit`` (a unit this
    question does not take) or ``invalid``. Only a number is ever graded."""
    if accepted is None:
        accepted = accepted_units(unit)
    if raw is None:
        return Parsed("empty", None, MESSAGES["empty"])
    if isinstance(raw, bool):
        return Parsed("invalid", None, MESSAGES["invalid"])
    if isinstance(raw, (int, float)):
        value = float(raw)
        return Parsed("number", value) if math.isfinite(value) else Parsed("invalid", None, MESSAGES["invalid"])
    if not isinstance(raw, str):
        return Parsed("invalid", None, MESSAGES["invalid"])
    text = _TRIM.sub("", raw)
    if not text:
        return Parsed("empty", None, MESSAGES["empty"])
    match = _ANSWER.match(text)
    if not match:
        return Parsed("invalid", None, MESSAGES["invalid"])
    sign1, currency, sign2, digits, exponent, tail = match.groups()
    if sign1 and sign2:
        return Parsed("invalid", None, MESSAGES["invalid"])
    sign = "-" if (sign1 or sign2) in ("-", "\u2212") else ""
    tail = _words(tail)
    if tail and (tail not in accepted or (currency and tail in _CURRENCY)):
        if _NOT_A_UNIT.search(tail):
            return Parsed("invalid", None, MESSAGES["invalid"])
        unit = _TRIM.sub("", unit or "")
        return Parsed("unit", None, MESSAGES["unit"].format(unit=unit) if unit else MESSAGES["no_unit"])
    if exponent and not _PLAIN.match(digits):
        return Parsed("invalid", None, MESSAGES["invalid"])
    if _PLAIN.match(digits):
        number = digits
    elif _COMMA_GROUPS.match(digits):
        number = digits.replace(",", "")
    elif _SPACE_GROUPS.match(digits):
        number = re.sub("[ \u00a0\u2009\u202f]", "", digits)
    elif _DECIMAL_COMMA.match(digits):
        suggestion = sign + re.sub("[. \u00a0\u2009\u202f]", "", digits).replace(",", ".")
        return Parsed("ambiguous", None, MESSAGES["ambiguous"].format(suggestion=suggestion))
    else:
        return Parsed("invalid", None, MESSAGES["invalid"])
    value = float(sign + number + (exponent or ""))
    if not math.isfinite(value):
        return Parsed("invalid", None, MESSAGES["invalid"])
    return Parsed("number", value)
