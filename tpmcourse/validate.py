"""The one validation layer for everything a learner or an author passes in.

A learner who passes ``None``, ``...``, a bool, text, NaN or an empty table
to a helper or a check gets one kind of message, in one voice, saying what
to pass instead. Helpers let :class:`InputError` propagate (it is both a
``TypeError`` and a ``ValueError``, so code that catches either keeps
working); lab checks turn it into a failed check (Not yet) with the message (``tpmcourse.checks``).

Bounds are written the same way everywhere: ``minimum``/``maximum`` are
inclusive, ``above``/``below`` exclusive, and ``hint`` adds the domain's own
advice ("write 0.8 for 80%") to an out-of-range or not-a-number message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd


class InputError(TypeError, ValueError):
    """Unusable input; the message names the input and says what to pass instead."""


#: The one fix for a number written as text, in every message that refuses one.
TEXT_FIX = "remove the quotes (and any % sign or thousands separator) so that it is the number itself"


def _kind(value: object) -> str:
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (not answered yet)"
    if value is pd.NA or value is pd.NaT:
        return "a missing value (NA)"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def _show(value: object, width: int = 40) -> str:
    """A short repr that cannot itself fail (a huge int or a broken __repr__ must not hide the message)."""
    try:
        text = repr(value)
    except Exception:  # any failure just means "show the type instead"
        text = f"<{type(value).__name__}>"
    return text if len(text) <= width else text[: width - 1] + "…"


def _describe(value: object) -> str:
    """The kind of a value and, where it adds anything, its short repr: "text 'abc'", "float nan", "None"."""
    plain = value is None or value is Ellipsis or value is pd.NA or value is pd.NaT
    shown = "" if plain else _show(value)
    return _kind(value) if plain or "\n" in shown else f"{_kind(value)} {shown}"


def _rule(minimum: float | None, maximum: float | None, above: float | None, below: float | None,
          whole: bool = False) -> str:
    """The allowed range in words: 'between 0 and 1', 'more than 0', 'a whole number from 1 to 5', '0 or 1'."""
    if whole and minimum is not None and maximum == minimum + 1:
        return f"{minimum:g} or {maximum:g}"
    if minimum is not None and maximum is not None:
        parts = [f"from {minimum:g} to {maximum:g}" if whole else f"between {minimum:g} and {maximum:g}"]
    elif above is not None and below is not None:
        parts = [f"strictly between {above:g} and {below:g}"]
    else:
        parts = [f"{word} {bound:g}" for word, bound in (("at least", minimum), ("more than", above),
                                                        ("at most", maximum), ("less than", below))
                 if bound is not None]
    rule = " and ".join(parts)
    if not whole:
        return rule
    return f"a whole number {rule}" if rule.startswith("from") else ", ".join(filter(None, ["a whole number", rule]))


def _outside(values: np.ndarray, minimum: float | None, maximum: float | None, above: float | None,
             below: float | None, whole: bool = False) -> np.ndarray:
    """Which values break the bounds (NaN breaks none: missing values have their own message)."""
    bad = np.zeros(values.shape, dtype=bool)
    for bound, breaks in ((minimum, np.less), (maximum, np.greater), (above, np.less_equal),
                          (below, np.greater_equal)):
        if bound is not None:
            bad |= breaks(values, bound)
    if whole:
        bad |= values != np.round(values)
    return bad


def _with(hint: str) -> str:
    return f" ({hint})" if hint else ""


def _listing(labels: Iterable[object], most: int = 20) -> str:
    names = [repr(str(label)) for label in labels]
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")


# --- tables and columns ---------------------------------------------------------------------------


def require_frame(value: object, name: str, columns: Iterable[Any] = (), *, rows: int | None = None,
                  allow_empty: bool = False, complete: bool = False) -> pd.DataFrame:
    """A DataFrame with these columns (and this many rows), or an InputError saying what is off.

    ``complete`` also refuses missing values (NaN/None) in the named columns, for
    results that would mislead if computed on part of the data.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    if isinstance(value, pd.Series) and columns:
        raise InputError(f"{name} is a Series; pass a DataFrame with columns {', '.join(map(str, columns))} "
                         "(try .to_frame() or .reset_index()).")
    if not isinstance(value, pd.DataFrame):
        raise InputError(f"{name} should be a pandas DataFrame, not {_describe(value)}.")
    if value.empty and not allow_empty:
        raise InputError(f"{name} is an empty table: did a filter remove every row? Pass at least one row.")
    require_columns(value, name, columns)
    if rows is not None and len(value) != rows:
        raise InputError(f"{name} has {len(value)} rows; expected {rows}, one per item.")
    if complete:
        for column in columns:
            _refuse_missing(value[column], f"column {column!r} of {name}")
    return value


def require_columns(frame: pd.DataFrame, name: str, columns: Iterable[Any]) -> None:
    """Every named column is present, exactly once."""
    columns = list(columns)
    for column in columns:
        try:
            hash(column)
        except TypeError:
            raise InputError(f"{name}: column names must be single labels such as 'id', not {_describe(column)}; "
                             "pass one name, or a list of names where a list is asked for.") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} has no column {', '.join(map(repr, missing))}; it has {_listing(frame.columns)}.")
    twice = set(frame.columns[frame.columns.duplicated()])
    doubled = [c for c in columns if c in twice]
    if doubled:
        raise InputError(f"{name} has more than one column named {', '.join(map(repr, doubled))}; "
                         "rename or drop the copies.")


def _refuse_missing(series: pd.Series, what: str) -> None:
    missing = series.isna().to_numpy()
    if missing.any():
        raise InputError(f"{what} has {int(missing.sum())} missing (NaN) value(s), in rows "
                         f"{list(series.index[missing])[:5]}: fill or drop them first.")


def _real_or_missing(item: object) -> bool:
    return item is None or (isinstance(item, Real) and not isinstance(item, (bool, np.bool_)))


def _numbers(series: pd.Series, what: str, *, allow_nan: bool = False, minimum: float | None = None,
             maximum: float | None = None, above: float | None = None, below: float | None = None,
             whole: bool = False, hint: str = "") -> pd.Series:
    """The series as finite floats within bounds (NaN only if allowed), or an InputError naming the rows."""
    if series.dtype == object and series.map(_real_or_missing).all():  # e.g. numbers left in a transposed table
        series = series.astype(float)
    if pd.api.types.is_bool_dtype(series):
        raise InputError(f"{what} holds True/False values, not numbers; use .astype(int) if 1 and 0 are meant.")
    text = series.map(lambda item: isinstance(item, (str, bytes))).any() if series.dtype == object else \
        pd.api.types.is_string_dtype(series.dtype)
    if text:
        raise InputError(f"{what} holds text, not numbers{_with(hint)}; {TEXT_FIX}, or convert the column "
                         "with pd.to_numeric.")
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_complex_dtype(series):
        raise InputError(f"{what} holds {series.dtype} values, not numbers{_with(hint)}; remove units or % signs, "
                         "or convert it with pd.to_numeric.")
    if not allow_nan:
        _refuse_missing(series, what)
    values = series.astype(float)
    array = values.to_numpy()
    if np.isinf(array).any():
        raise InputError(f"{what} has infinite values, in rows {list(series.index[np.isinf(array)])[:5]}: "
                         "a calculation divided by zero. Pass finite numbers.")
    bad = _outside(array, minimum, maximum, above, below, whole)
    if bad.any():
        raise InputError(f"{what} must be {_rule(minimum, maximum, above, below, whole)}{_with(hint)}; "
                         f"see row(s) {list(series.index[bad])[:10]}.")
    return values


def require_numeric_column(frame: pd.DataFrame, column: Any, name: str, *, allow_nan: bool = False,
                           minimum: float | None = None, maximum: float | None = None,
                           above: float | None = None, below: float | None = None, whole: bool = False,
                           hint: str = "") -> pd.Series:
    """A column of finite real numbers (not yes/no values) within bounds, as floats; NaN refused unless allowed."""
    require_columns(frame, name, [column])
    return _numbers(frame[column], f"column {column!r} of {name}", allow_nan=allow_nan, minimum=minimum,
                    maximum=maximum, above=above, below=below, whole=whole, hint=hint)


def require_numeric_columns(frame: pd.DataFrame, name: str, columns: Iterable[Any] | None = None,
                            **limits: Any) -> pd.DataFrame:
    """The named columns (all by default) numeric, with :func:`require_numeric_column`'s keywords; as floats."""
    columns = list(frame.columns if columns is None else columns)
    for column in columns:
        require_numeric_column(frame, column, name, **limits)
    return frame[columns].astype(float)


def require_series(value: object, name: str, *, numeric: bool = False, allow_nan: bool = False,
                   allow_empty: bool = False) -> pd.Series:
    """A pandas Series (one column of a table), returned as given; with ``numeric``, of finite numbers."""
    if not isinstance(value, pd.Series):
        raise InputError(f"{name} should be a pandas Series (one column of a table, e.g. df['score']), "
                         f"not {_describe(value)}.")
    if value.empty and not allow_empty:
        raise InputError(f"{name} is empty: it needs at least one value.")
    if numeric:
        _numbers(value, name, allow_nan=allow_nan)
    elif not allow_nan:
        _refuse_missing(value, name)
    return value


# --- single values ---------------------------------------------------------------------------------

_CONTAINERS = (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list, tuple, dict, set, frozenset)


def require_number(value: object, name: str, *, minimum: float | None = None, maximum: float | None = None,
                   above: float | None = None, below: float | None = None, text_ok: bool = False,
                   hint: str = "") -> float:
    """A finite real number within bounds; yes/no values, containers, NaN and infinity are refused.

    Text is refused too ("0.25" is not a number), with :data:`TEXT_FIX`; ``text_ok``
    accepts a number written as text, for the rare input that is read from a file.
    """
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} is {value}, a yes/no value; pass a number.")
    if isinstance(value, _CONTAINERS):
        raise InputError(f"{name} is a {type(value).__name__}; pass a single number.")
    if isinstance(value, (complex, np.complexfloating)):
        raise InputError(f"{name} is the complex number {value}; pass a real number.")
    if isinstance(value, (str, bytes, np.str_, np.bytes_)) and not text_ok:
        raise InputError(f"{name} should be a number, not text {_show(value)}; {TEXT_FIX}.")
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise InputError(f"{name} is {_show(value)}, too large to compute with; pass a smaller number.") from None
    except (TypeError, ValueError):
        raise InputError(f"{name} should be a number, not {_describe(value)}.") from None
    if math.isnan(number):
        raise InputError(f"{name} is NaN: a calculation used a missing value or 0/0. Pass a finite number.")
    if math.isinf(number):
        raise InputError(f"{name} is {number}: a calculation divided by zero. Pass a finite number.")
    if _outside(np.array(number), minimum, maximum, above, below):
        raise InputError(f"{name} must be {_rule(minimum, maximum, above, below)}{_with(hint)}, got {number:g}.")
    return number


def require_fraction(value: object, name: str, example: str = "0.25 for 25%") -> float:
    """A number strictly between 0 and 1 (an SLO, a share, a probability)."""
    return require_number(value, name, above=0, below=1, hint=f"a fraction, e.g. {example}")


def require_int(value: object, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number within bounds (3.0 is accepted as 3; 3.5 is not)."""
    number = require_number(value, name, minimum=minimum, maximum=maximum)
    if number != int(number):
        raise InputError(f"{name} must be a whole number, got {number:g}.")
    return int(number)


def require_bool(value: object, name: str) -> bool:
    """True or False, not a number or text that merely looks like one."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} should be True or False, not {_describe(value)}.")
    return bool(value)


def require_text(value: object, name: str, *, allow_empty: bool = False) -> str:
    """A string (a name, a title, a label); blank only if allowed."""
    if not isinstance(value, str):
        raise InputError(f"{name} should be text (a string in quotes), not {_describe(value)}.")
    if not allow_empty and not value.strip():
        raise InputError(f"{name} is empty: write something.")
    return value


# --- collections -----------------------------------------------------------------------------------


def require_mapping(value: object, name: str, example: str = "") -> Mapping[Any, Any]:
    """A non-empty dict-like value."""
    hint = f" such as {example}" if example else ""
    if not isinstance(value, Mapping):
        raise InputError(f"{name} should be a dict{hint}, not {_describe(value)}.")
    if not value:
        raise InputError(f"{name} is empty: give it at least one entry{hint}.")
    return value


def require_sequence(value: object, name: str, *, allow_empty: bool = False) -> list[Any]:
    """A list-like value (list, tuple, 1-D array, Series, iterator), not text or a table; returned as a list."""
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise InputError(f"{name} should be a one-dimensional list or array, not an array of shape {value.shape}.")
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray, pd.Series, pd.Index,
                                                                 Iterator)):
        raise InputError(f"{name} should be a list or an array, not {_describe(value)}.")
    items = list(value)
    if not items and not allow_empty:
        raise InputError(f"{name} is empty: it needs at least one value.")
    return items


def require_numbers(value: object, name: str, *, minimum: float | None = None,
                    maximum: float | None = None) -> list[float]:
    """A non-empty list-like of finite numbers within bounds, as floats; a bad item is named by position."""
    return [require_number(item, f"{name}[{i}]", minimum=minimum, maximum=maximum)
            for i, item in enumerate(require_sequence(value, name))]
