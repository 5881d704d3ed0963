"""Check helpers that several labs share, so that a learner's table of items,
list of ids or single number is judged, and its slip named, the same way in
every lab. Each raises :class:`~tpmcourse.checks.Hint` with what to fix."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from tpmcourse.checks import Hint, close, need_frame, ratio_hint

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
