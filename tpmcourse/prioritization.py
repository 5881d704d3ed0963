"""Scoring a backlog with the prioritization frameworks of Chapter 2.

RICE, WSJF, cost of delay, CD3 and MoSCoW all reduce a judgment to a little
arithmetic. The arithmetic is easy; the mistakes are in the inputs (a
confidence typed as 80 instead of 0.8, an effort of zero, a blank cell). So
every function here checks its table first and says in plain words what is
wrong, then does the sum. All functions take a pandas DataFrame with one row
per backlog item and return a Series (or a small DataFrame) aligned with it,
so results can be added back as columns and compared.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

__all__ = [
    "MOSCOW_ORDER",
    "cd3",
    "cost_of_delay",
    "moscow_categories",
    "moscow_summary",
    "plot_rank_comparison",
    "rank",
    "rice",
    "wsjf",
]

MOSCOW_ORDER: tuple[str, ...] = ("Must", "Should", "Could", "Won't")
_MOSCOW_ALIASES = {
    "m": "Must", "must": "Must", "must have": "Must",
    "s": "Should", "should": "Should", "should have": "Should",
    "c": "Could", "could": "Could", "could have": "Could",
    "w": "Won't", "won't": "Won't", "wont": "Won't", "won't have": "Won't",
    "won’t": "Won't", "won't have this time": "Won't",
}


def _check_table(df: object, columns: Sequence[str]) -> pd.DataFrame:
    """Raise a clear error unless ``df`` is a non-empty DataFrame with ``columns``."""
    if df is None:
        raise TypeError("Expected a pandas DataFrame of backlog items, got None.")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"Expected a pandas DataFrame of backlog items, got {type(df).__name__}."
        )
    if df.empty:
        raise ValueError("The backlog table is empty: add at least one item (row).")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"The backlog table is missing column(s) {missing}; "
            f"it has {list(df.columns)}."
        )
    return df


def _numeric(df: pd.DataFrame, column: str) -> pd.Series:
    """The column as floats, or a clear error naming the bad rows."""
    col = df[column]
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        raise TypeError(
            f"Column {column!r} must hold numbers, but it has type {col.dtype}; "
            "check for text such as '3 weeks' or '80%'."
        )
    if col.isna().any():
        rows = list(col.index[col.isna()])
        raise ValueError(f"Column {column!r} has missing values (NaN) in row(s) {rows}.")
    return col.astype(float)


def _non_negative(values: pd.Series, column: str) -> None:
    if (values < 0).any():
        rows = list(values.index[values < 0])
        raise ValueError(f"Column {column!r} must not be negative; see row(s) {rows}.")


def _positive(values: pd.Series, column: str, what: str) -> None:
    if (values <= 0).any():
        rows = list(values.index[values <= 0])
        raise ValueError(
            f"Column {column!r} ({what}) must be greater than zero, because the score "
            f"divides by it; see row(s) {rows}."
        )


def rice(
    df: pd.DataFrame,
    reach: str = "reach",
    impact: str = "impact",
    confidence: str = "confidence",
    effort: str = "effort",
) -> pd.Series:
    """RICE score = reach x impact x confidence / effort, one value per row.

    Confidence is a fraction between 0 and 1 (0.8, not 80): a percentage would
    silently inflate every score a hundredfold, so it is refused.
    """
    df = _check_table(df, [reach, impact, confidence, effort])
    r, i, c, e = (_numeric(df, col) for col in (reach, impact, confidence, effort))
    for values, col in ((r, reach), (i, impact), (c, confidence)):
        _non_negative(values, col)
    if (c > 1).any():
        rows = list(c.index[c > 1])
        raise ValueError(
            f"Column {confidence!r} must be a fraction between 0 and 1 (write 0.8 for "
            f"80%); row(s) {rows} are above 1. Divide the column by 100."
        )
    _positive(e, effort, "effort")
    return (r * i * c / e).rename("rice")


def cost_of_delay(
    df: pd.DataFrame,
    value: str = "business_value",
    time: str = "time_criticality",
    risk: str = "risk_reduction",
) -> pd.Series:
    """SAFe-style relative cost of delay: user-business value + time
    criticality + risk reduction / opportunity enablement (each usually a
    Fibonacci-like score such as 1, 2, 3, 5, 8, 13, 20)."""
    df = _check_table(df, [value, time, risk])
    parts = [_numeric(df, col) for col in (value, time, risk)]
    for values, col in zip(parts, (value, time, risk), strict=True):
        _non_negative(values, col)
    return (parts[0] + parts[1] + parts[2]).rename("cost_of_delay")


def wsjf(
    df: pd.DataFrame,
    job_size: str = "job_size",
    value: str = "business_value",
    time: str = "time_criticality",
    risk: str = "risk_reduction",
) -> pd.Series:
    """Weighted shortest job first = cost of delay / job size, one value per row.

    Job size stands in for duration, so small jobs with the same cost of
    delay come first: that is the point of the framework.
    """
    df = _check_table(df, [job_size, value, time, risk])
    size = _numeric(df, job_size)
    _positive(size, job_size, "job size")
    return (cost_of_delay(df, value, time, risk) / size).rename("wsjf")


def cd3(
    df: pd.DataFrame,
    cod: str = "cod_per_week",
    duration: str = "duration_weeks",
) -> pd.Series:
    """CD3 (cost of delay divided by duration): money lost per week of waiting,
    per week the team spends on the item. Higher goes first."""
    df = _check_table(df, [cod, duration])
    c, d = _numeric(df, cod), _numeric(df, duration)
    _non_negative(c, cod)
    _positive(d, duration, "duration")
    return (c / d).rename("cd3")


def rank(scores: pd.Series, ascending: bool = False) -> pd.Series:
    """Rank 1 = do first. Higher scores rank first unless ``ascending``;
    ties share the better rank (1, 2, 2, 4), so a tie is visible."""
    if scores is None or not isinstance(scores, pd.Series):
        raise TypeError(
            f"Expected a pandas Series of scores, got {type(scores).__name__}."
        )
    if scores.empty:
        raise ValueError("There are no scores to rank.")
    if not pd.api.types.is_numeric_dtype(scores) or pd.api.types.is_bool_dtype(scores):
        raise TypeError(f"Scores must be numbers, but they have type {scores.dtype}.")
    if scores.isna().any():
        raise ValueError("Some scores are missing (NaN); score every item before ranking.")
    name = f"{scores.name}_rank" if scores.name else "rank"
    return scores.rank(ascending=ascending, method="min").astype(int).rename(name)


def moscow_categories(df: pd.DataFrame, column: str = "moscow") -> pd.Series:
    """The MoSCoW column as an ordered category (Must < Should < Could < Won't).

    Accepts common spellings (``M``, ``must have``, ``Won't have this time``)
    and refuses anything else, naming the rows.
    """
    df = _check_table(df, [column])
    col = df[column]
    if col.isna().any():
        rows = list(col.index[col.isna()])
        raise ValueError(f"Column {column!r} has missing MoSCoW labels in row(s) {rows}.")
    mapped = col.map(lambda v: _MOSCOW_ALIASES.get(str(v).strip().lower()))
    if mapped.isna().any():
        bad = sorted({str(v) for v in col[mapped.isna()]})
        raise ValueError(
            f"Column {column!r} has label(s) {bad}; use one of Must, Should, Could, Won't."
        )
    return pd.Series(
        pd.Categorical(mapped, categories=list(MOSCOW_ORDER), ordered=True),
        index=df.index,
        name=column,
    )


def moscow_summary(
    df: pd.DataFrame,
    column: str = "moscow",
    effort: str = "effort",
) -> pd.DataFrame:
    """Effort per MoSCoW category, Must first, and each category's share of
    the timebox (the Must, Should and Could effort; Won't is listed with its
    effort but takes no share, since it is out of this timebox).

    DSDM's rule of thumb keeps Must-haves to about 60% of the timebox, so the
    Shoulds and Coulds are the contingency.
    """
    df = _check_table(df, [column, effort])
    cats = moscow_categories(df, column)
    e = _numeric(df, effort)
    _non_negative(e, effort)
    in_scope = e[cats != "Won't"].sum()
    if in_scope == 0:
        raise ValueError(
            f"The Must, Should and Could items add up to zero {effort!r}; "
            "there is no timebox to share out."
        )
    table = (
        pd.DataFrame({"category": cats, "effort": e})
        .groupby("category", observed=False)["effort"]
        .agg(items="count", effort="sum")
    )
    table["share_of_timebox"] = (table["effort"] / in_scope).round(3)
    table.loc["Won't", "share_of_timebox"] = 0.0
    table.index = table.index.astype(str)
    table.index.name = "category"
    return table


def plot_rank_comparison(
    left: pd.Series,
    right: pd.Series,
    labels: pd.Series,
    left_title: str = "RICE rank",
    right_title: str = "WSJF rank",
    ax: Axes | None = None,
) -> Axes:
    """Slope chart of two rankings of the same items: one line per item from
    its rank on the left to its rank on the right, labelled on both ends, so a
    steep line shows at a glance where the frameworks disagree."""
    for name, s in (("left", left), ("right", right), ("labels", labels)):
        if not isinstance(s, pd.Series):
            raise TypeError(f"{name} must be a pandas Series, got {type(s).__name__}.")
    if not (left.index.equals(right.index) and left.index.equals(labels.index)):
        raise ValueError("left, right and labels must describe the same items (same index).")
    if left.isna().any() or right.isna().any():
        raise ValueError("Ranks must not be missing (NaN).")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    n = int(max(left.max(), right.max()))
    for idx in left.index:
        a, b = left[idx], right[idx]
        moved = abs(a - b) >= 3
        ax.plot(
            [0, 1], [a, b],
            color="black" if moved else "grey",
            linestyle="-" if moved else "--",
            linewidth=2.2 if moved else 1.0,
            marker="o",
        )
        ax.text(-0.04, a, f"{labels[idx]} ({a})", ha="right", va="center", fontsize=9)
        ax.text(1.04, b, f"({b}) {labels[idx]}", ha="left", va="center", fontsize=9)
    ax.set_xlim(-0.9, 1.9)
    ax.set_ylim(n + 0.7, 0.3)
    ax.set_xticks([0, 1], [left_title, right_title], fontsize=10)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel("Rank (1 = do first)")
    return ax
