"""The one validation layer for everything a learner or an author passes in.

A learner who passes ``None``, ``...``, a bool, text, NaN or an empty table
to a helper or a check gets one kind of message, in one voice, saying what
to pass instead. Helpers let :class:`InputError` propagate (it is both a
``TypeError`` and a ``ValueError``, so code that catches either keeps
working); lab checks turn it into a ❌ with the message (``tpmcourse.checks``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


class InputError(TypeError, ValueError):
    """Unusable input; the message names the input and says what to pass instead."""


def _kind(value: object) -> str:
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (not answered yet)"
    return type(value).__name__


def require_frame(value: object, name: str, columns: Iterable[str] = (), *, rows: int | None = None,
                  allow_empty: bool = False) -> pd.DataFrame:
    """A DataFrame with these columns (and this many rows), or an InputError saying what is off."""
    columns = list(columns)
    if isinstance(value, pd.Series) and columns:
        raise InputError(f"{name} is a Series; pass a DataFrame with columns {', '.join(columns)} "
                         "(try .to_frame() or .reset_index()).")
    if not isinstance(value, pd.DataFrame):
        raise InputError(f"{name} should be a pandas DataFrame, not {_kind(value)}.")
    if value.empty and not allow_empty:
        raise InputError(f"{name} is an empty table: did a filter remove every row?")
    require_columns(value, name, columns)
    if rows is not None and len(value) != rows:
        raise InputError(f"{name} has {len(value)} rows; expected {rows}, one per item.")
    return value


def require_columns(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    """Every named column is present."""
    for column in columns:
        if not isinstance(column, str):
            raise InputError(f"column names must be text, got {column!r} ({_kind(column)}).")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} has no column {', '.join(map(repr, missing))}; it has "
                         f"{', '.join(map(repr, map(str, frame.columns)))}.")


def require_numeric_column(frame: pd.DataFrame, column: str, name: str, *, allow_nan: bool = False) -> pd.Series:
    """A column of real numbers (not yes/no values), as floats; NaN refused unless allowed."""
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise InputError(f"column {column!r} of {name} holds {series.dtype} values, not numbers.")
    if not allow_nan and series.isna().any():
        where = list(frame.index[series.isna()])[:5]
        raise InputError(f"column {column!r} of {name} has {int(series.isna().sum())} missing (NaN) "
                         f"value(s), in rows {where}.")
    return series.astype(float)


def require_numeric_columns(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    for column in columns:
        require_numeric_column(frame, column, name)


def require_number(value: object, name: str, *, minimum: float | None = None, maximum: float | None = None,
                   text_ok: bool = False) -> float:
    """A finite real number within bounds; yes/no values, containers and NaN are refused.

    ``text_ok`` accepts a number written as text ("0.25"), as lab checks do.
    """
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} is {value}, a yes/no value; pass a number.")
    if isinstance(value, (pd.Series, pd.DataFrame, list, tuple, dict, set, np.ndarray)):
        raise InputError(f"{name} is a {type(value).__name__}; pass a single number.")
    if isinstance(value, str) and not text_ok:
        raise InputError(f"{name} should be a number, not text {value!r:.40}.")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} should be a number, not {_kind(value)} {value!r:.40}.") from None
    if not math.isfinite(number):
        raise InputError(f"{name} is {number}: a calculation divided by zero or used a missing value.")
    if minimum is not None and number < minimum:
        raise InputError(f"{name} must be at least {minimum:g}, got {number:g}.")
    if maximum is not None and number > maximum:
        raise InputError(f"{name} must be at most {maximum:g}, got {number:g}.")
    return number


def require_fraction(value: object, name: str, example: str = "0.25 for 25%") -> float:
    """A number strictly between 0 and 1 (an SLO, a share, a probability)."""
    number = require_number(value, name)
    if not 0 < number < 1:
        raise InputError(f"{name} must be a fraction between 0 and 1 (e.g. {example}), got {number:g}.")
    return number


def require_int(value: object, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number within bounds (3.0 is accepted as 3; 3.5 is not)."""
    number = require_number(value, name, minimum=minimum, maximum=maximum)
    if number != int(number):
        raise InputError(f"{name} must be a whole number, got {number:g}.")
    return int(number)


def require_bool(value: object, name: str) -> bool:
    """True or False, not a number or text that merely looks like one."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} should be True or False, not {_kind(value)}.")
    return bool(value)


def require_text(value: object, name: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InputError(f"{name} should be text (a string in quotes), not {_kind(value)}.")
    if not allow_empty and not value.strip():
        raise InputError(f"{name} is empty: write something.")
    return value


def require_mapping(value: object, name: str, example: str = "") -> Mapping[Any, Any]:
    """A non-empty dict-like value."""
    hint = f" such as {example}" if example else ""
    if not isinstance(value, Mapping):
        raise InputError(f"{name} should be a dict{hint}, not {_kind(value)}.")
    if not value:
        raise InputError(f"{name} is empty: give it at least one entry{hint}.")
    return value


def require_sequence(value: object, name: str, *, allow_empty: bool = False) -> list[Any]:
    """A list-like value (list, tuple, array, Series), not text; returned as a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray, pd.Series, pd.Index)):
        raise InputError(f"{name} should be a list or an array, not {_kind(value)}.")
    items = list(value)
    if not items and not allow_empty:
        raise InputError(f"{name} is empty: it needs at least one value.")
    return items


def check_number(name: str, value: object) -> float:
    """A finite real number (kept for the helpers that name the input first)."""
    return require_number(value, name)
