"""Risk registers, risk matrices and three-point (PERT) estimates.

A risk register is a table, so the helpers here take a pandas DataFrame with
one row per risk. Scores use the common 1-5 likelihood and 1-5 impact scales
(score = likelihood x impact, 1 to 25); expected cost uses a probability
between 0 and 1 and a cost in money. PERT turns optimistic / most likely /
pessimistic guesses into a mean and a spread you can add up across tasks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from tpmcourse import validate as v

__all__ = [
    "LEVELS",
    "RESPONSES",
    "PertEstimate",
    "expected_cost",
    "pert",
    "pert_table",
    "pert_total",
    "plot_risk_matrix",
    "probability_within",
    "risk_level",
    "risk_score",
]

#: Score bands on the 5x5 matrix: upper bound (inclusive) and name.
LEVELS: tuple[tuple[int, str], ...] = ((4, "low"), (9, "medium"), (16, "high"), (25, "critical"))
#: The four classic responses to a risk.
RESPONSES: tuple[str, ...] = ("avoid", "reduce", "transfer", "accept")


def _on_scale(df: pd.DataFrame, column: str) -> pd.Series:
    """A 1-5 likelihood or impact column, as ints."""
    return v.require_numeric_column(df, column, "df", minimum=1, maximum=5, whole=True).astype(int)


def risk_score(
    df: pd.DataFrame, likelihood: str = "likelihood", impact: str = "impact"
) -> pd.Series:
    """Likelihood x impact on 1-5 scales: a score from 1 to 25 per risk.

    The score orders risks for discussion; it is not money. Use
    :func:`expected_cost` when you can put a probability and a cost on a risk.
    """
    df = v.require_frame(df, "df", [likelihood, impact])
    like, imp = _on_scale(df, likelihood), _on_scale(df, impact)
    return (like * imp).rename("score")


@overload
def risk_level(score: pd.Series) -> pd.Series: ...
@overload
def risk_level(score: float) -> str: ...
def risk_level(score: float | pd.Series) -> str | pd.Series:
    """Name the band of a 1-25 score: low (1-4), medium (5-9), high (10-16)
    or critical (17-25). Works on one number or a Series of them."""
    if isinstance(score, pd.Series):
        return score.map(risk_level).rename("level")
    v.require_number(score, "score", minimum=1, maximum=25, hint="likelihood x impact on 1-5 scales")
    for upper, name in LEVELS:
        if score <= upper:
            return name
    raise AssertionError("unreachable")  # pragma: no cover


def expected_cost(
    df: pd.DataFrame, probability: str = "probability", cost: str = "cost"
) -> pd.Series:
    """Probability x cost if it happens: what the risk costs on average.

    Probability is a fraction from 0 to 1 (0.25, not 25).
    """
    df = v.require_frame(df, "df", [probability, cost])
    p = v.require_numeric_column(df, probability, "df", minimum=0, maximum=1, hint="write 0.25 for 25%")
    c = v.require_numeric_column(df, cost, "df", minimum=0)
    return (p * c).rename("expected_cost")


@dataclass(frozen=True)
class PertEstimate:
    """A three-point estimate summarized as a mean and a standard deviation."""

    mean: float
    sd: float

    @property
    def variance(self) -> float:
        return self.sd**2


def pert(optimistic: float, most_likely: float, pessimistic: float) -> PertEstimate:
    """PERT (beta) estimate: mean = (o + 4m + p) / 6, sd = (p - o) / 6.

    The weights pull the mean toward the most likely value but let a long
    pessimistic tail move it, which a single-point guess never shows.
    """
    o = v.require_number(optimistic, "optimistic", minimum=0, hint="a duration")
    m = v.require_number(most_likely, "most_likely")
    p = v.require_number(pessimistic, "pessimistic")
    if not o <= m <= p:
        raise v.InputError(
            "Expected optimistic <= most_likely <= pessimistic, "
            f"got {o}, {m}, {p}; check the order of the three numbers."
        )
    return PertEstimate(mean=(o + 4 * m + p) / 6, sd=(p - o) / 6)


def pert_table(df: pd.DataFrame, optimistic: str = "optimistic", most_likely: str = "most_likely",
               pessimistic: str = "pessimistic") -> pd.DataFrame:
    """The table with ``mean`` and ``sd`` columns added, one PERT estimate per task."""
    columns = [optimistic, most_likely, pessimistic]
    df = v.require_frame(df, "df", columns)
    cols = [v.require_numeric_column(df, c, "df") for c in columns]
    estimates = [pert(o, m, p) for o, m, p in zip(*cols, strict=True)]
    out = df.copy()
    out["mean"] = [e.mean for e in estimates]
    out["sd"] = [e.sd for e in estimates]
    return out


def pert_total(df: pd.DataFrame, **columns: str) -> PertEstimate:
    """Estimate of a sequence of tasks: means add, and so do variances
    (assuming the tasks' overruns are independent, which is optimistic)."""
    table = pert_table(df, **columns)
    return PertEstimate(
        mean=float(table["mean"].sum()), sd=math.sqrt(float((table["sd"] ** 2).sum()))
    )


def probability_within(estimate: PertEstimate, limit: float) -> float:
    """Chance the work finishes within ``limit`` under a normal approximation."""
    if not isinstance(estimate, PertEstimate):
        raise v.InputError(f"estimate should be a PertEstimate (from pert() or pert_total()), "
                           f"not {type(estimate).__name__}.")
    limit = v.require_number(limit, "limit")
    if estimate.sd == 0:
        return 1.0 if limit >= estimate.mean else 0.0
    z = (limit - estimate.mean) / estimate.sd
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def plot_risk_matrix(
    df: pd.DataFrame,
    likelihood: str = "likelihood",
    impact: str = "impact",
    label: str = "id",
    ax: Axes | None = None,
) -> Axes:
    """Draw the 5x5 likelihood-impact matrix with each risk as a labelled point.

    Each cell shows its score, and the bands are shaded in greys, so the
    reading never depends on colour; risks that share a cell are spread out.
    """
    df = v.require_frame(df, "df", [likelihood, impact, label])
    risk_score(df, likelihood, impact)  # validates both scales before drawing
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    shades = {"low": "0.97", "medium": "0.88", "high": "0.75", "critical": "0.6"}
    for x in range(1, 6):
        for y in range(1, 6):
            ax.add_patch(plt.Rectangle((x - 0.5, y - 0.5), 1, 1,
                                       facecolor=shades[risk_level(x * y)],
                                       edgecolor="white", linewidth=2))
            ax.text(x + 0.42, y - 0.42, str(x * y), ha="right", va="bottom",
                    fontsize=8, color="0.25")
    cells = df.assign(_x=df[likelihood].astype(int), _y=df[impact].astype(int))
    for _, group in cells.groupby(["_x", "_y"], sort=True):
        n = len(group)
        offsets = np.linspace(-0.25, 0.25, n) if n > 1 else [0.0]
        for dy, (_, row) in zip(offsets, group.iterrows(), strict=True):
            ax.plot(row["_x"], row["_y"] + dy, marker="o", color="black", markersize=6)
            ax.text(row["_x"] + 0.08, row["_y"] + dy, str(row[label]),
                    va="center", ha="left", fontsize=9, fontweight="bold")
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6), ["1 rare", "2", "3", "4", "5 almost\ncertain"])
    ax.set_yticks(range(1, 6), ["1 minor", "2", "3", "4", "5 severe"])
    ax.set_xlabel("Likelihood (1-5)")
    ax.set_ylabel("Impact (1-5)")
    ax.set_aspect("equal")
    return ax
