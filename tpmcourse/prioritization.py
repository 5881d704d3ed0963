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

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from tpmcourse import validate as v

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


def _scores(df: object, divisor: str, *amounts: str) -> tuple[pd.Series, ...]:
    """The backlog's ``amounts`` columns (0 or more) then its ``divisor`` column (more than 0), as floats."""
    df = v.require_frame(df, "df", [*amounts, divisor])
    parts = [v.require_numeric_column(df, column, "df", minimum=0) for column in amounts]
    return (*parts, v.require_numeric_column(df, divisor, "df", above=0, hint="the score divides by it"))


def rice(df: pd.DataFrame, reach: str = "reach", impact: str = "impact", confidence: str = "confidence",
         effort: str = "effort") -> pd.Series:
    """RICE score = reach x impact x confidence / effort, one value per row.

    Confidence is a fraction between 0 and 1 (0.8, not 80): a percentage would
    silently inflate every score a hundredfold, so it is refused.
    """
    r, i, e = _scores(df, effort, reach, impact)
    c = v.require_numeric_column(df, confidence, "df", minimum=0, maximum=1,
                                 hint="a fraction: write 0.8 for 80%, or divide the column by 100")
    return (r * i * c / e).rename("rice")


def cost_of_delay(df: pd.DataFrame, value: str = "business_value", time: str = "time_criticality",
                  risk: str = "risk_reduction") -> pd.Series:
    """SAFe-style relative cost of delay: user-business value + time
    criticality + risk reduction / opportunity enablement (each usually a
    Fibonacci-like score such as 1, 2, 3, 5, 8, 13, 20)."""
    df = v.require_frame(df, "df", [value, time, risk])
    parts = [v.require_numeric_column(df, column, "df", minimum=0) for column in (value, time, risk)]
    return (parts[0] + parts[1] + parts[2]).rename("cost_of_delay")


def wsjf(df: pd.DataFrame, job_size: str = "job_size", value: str = "business_value",
         time: str = "time_criticality", risk: str = "risk_reduction") -> pd.Series:
    """Weighted shortest job first = cost of delay / job size, one value per row.

    Job size stands in for duration, so small jobs with the same cost of
    delay come first: that is the point of the framework.
    """
    (size,) = _scores(df, job_size)
    return (cost_of_delay(df, value, time, risk) / size).rename("wsjf")


def cd3(df: pd.DataFrame, cod: str = "cod_per_week", duration: str = "duration_weeks") -> pd.Series:
    """CD3 (cost of delay divided by duration): money lost per week of waiting,
    per week the team spends on the item. Higher goes first."""
    c, d = _scores(df, duration, cod)
    return (c / d).rename("cd3")


def rank(scores: pd.Series, ascending: bool = False) -> pd.Series:
    """Rank 1 = do first. Higher scores rank first unless ``ascending``;
    ties share the better rank (1, 2, 2, 4), so a tie is visible."""
    v.require_series(scores, "scores", numeric=True)
    name = f"{scores.name}_rank" if scores.name else "rank"
    return scores.rank(ascending=ascending, method="min").astype(int).rename(name)


def moscow_categories(df: pd.DataFrame, column: str = "moscow") -> pd.Series:
    """The MoSCoW column as an ordered category (Must < Should < Could < Won't).

    Accepts common spellings (``M``, ``must have``, ``Won't have this time``)
    and refuses anything else, naming the rows.
    """
    df = v.require_frame(df, "df", [column], complete=True)
    col = df[column]
    mapped = col.map(lambda v: _MOSCOW_ALIASES.get(str(v).strip().lower()))
    if mapped.isna().any():
        bad = sorted({str(v) for v in col[mapped.isna()]})
        raise v.InputError(f"column {column!r} of df has label(s) {bad}; use one of Must, Should, Could, Won't.")
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
    df = v.require_frame(df, "df", [column, effort])
    cats = moscow_categories(df, column)
    e = v.require_numeric_column(df, effort, "df", minimum=0)
    in_scope = e[cats != "Won't"].sum()
    if in_scope == 0:
        raise v.InputError(
            f"The Must, Should and Could items add up to zero {effort!r}; "
            "there is no timebox to share out."
        )
    table = (
        pd.DataFrame({"category": cats, "effort": e})
        .groupby("category", observed=False)
        .agg(items=("effort", "count"), effort=("effort", "sum"))
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
    for name, ranks in (("left", left), ("right", right)):
        v.require_series(ranks, name, numeric=True)
    v.require_series(labels, "labels")
    if not (left.index.equals(right.index) and left.index.equals(labels.index)):
        raise v.InputError("left, right and labels must describe the same items (the same index); "
                           "pass three columns of one table.")
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
