"""Decision rights and option scoring: the mechanics behind Chapter 8.

Most cross-functional fights are not about the answer but about who gets to
give it. A RACI or DACI matrix writes that down, and it only helps if it obeys
a few rules (one accountable person per decision, someone who does the work).
These helpers check those rules so a learner can see *why* a matrix is broken,
and they score options against weighted criteria (build vs. buy) so that the
weights, not the loudest voice, carry the argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: Letters allowed in each scheme, with their meaning and a rank used when a
#: matrix is drawn as a heatmap (higher = more decision power).
SCHEMES: dict[str, dict[str, tuple[str, int]]] = {
    "RACI": {
        "R": ("Responsible", 3),
        "A": ("Accountable", 4),
        "C": ("Consulted", 2),
        "I": ("Informed", 1),
    },
    "DACI": {
        "D": ("Driver", 3),
        "A": ("Approver", 4),
        "C": ("Contributor", 2),
        "I": ("Informed", 1),
    },
}

#: For each scheme: (letter that must appear exactly once, letter that must
#: appear at least once) in every row.
_RULES = {"RACI": ("A", "R"), "DACI": ("A", "D")}


def _scheme(scheme: str) -> dict[str, tuple[str, int]]:
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be the text 'RACI' or 'DACI', got {type(scheme).__name__}.")
    key = scheme.strip().upper()
    if key not in SCHEMES:
        raise ValueError(f"Unknown scheme {scheme!r}: use 'RACI' or 'DACI'.")
    return SCHEMES[key]


def _clean_matrix(matrix: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """Upper-case letters, blanks for 'no role', and a clear error for anything else."""
    letters = _scheme(scheme)
    if matrix is None:
        raise TypeError("matrix is None: pass a DataFrame with one row per decision and one column per person.")
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"matrix must be a pandas DataFrame, got {type(matrix).__name__}.")
    if matrix.empty:
        raise ValueError("matrix is empty: it needs at least one decision (row) and one person (column).")
    cleaned = matrix.copy().astype(object)
    for row in cleaned.index:
        for col in cleaned.columns:
            value = cleaned.at[row, col]
            if value is None or (isinstance(value, float) and np.isnan(value)):
                cleaned.at[row, col] = ""
                continue
            if not isinstance(value, str):
                raise TypeError(f"{row!r} / {col!r}: expected a letter, got {value!r}.")
            letter = value.strip().upper()
            if letter not in letters and letter != "":
                allowed = ", ".join(letters)
                raise ValueError(
                    f"{row!r} / {col!r}: {value!r} is not a {scheme.upper()} letter (use {allowed} or leave blank)."
                )
            cleaned.at[row, col] = letter
    return cleaned


def assignment_problems(matrix: pd.DataFrame, scheme: str = "RACI") -> list[str]:
    """Every rule a RACI or DACI matrix breaks, as readable sentences.

    Rules, per decision (row): exactly one A (Accountable / Approver), because
    two approvers means nobody can close the decision; at least one R
    (RACI) or exactly one D (DACI), because somebody has to drive the work.
    Per person (column): nobody is listed with no role at all, which usually
    means they should not be on the matrix. An empty list means the matrix is
    sound.
    """
    cleaned = _clean_matrix(matrix, scheme)
    key = scheme.strip().upper()
    once, needed = _RULES[key]
    names = SCHEMES[key]
    problems: list[str] = []
    for row, values in cleaned.iterrows():
        letters = list(values)
        n_once = letters.count(once)
        if n_once == 0:
            problems.append(f"{row}: no {names[once][0]} ({once}); exactly one person must own the outcome.")
        elif n_once > 1:
            who = ", ".join(str(c) for c, v in values.items() if v == once)
            problems.append(f"{row}: {n_once} people are {names[once][0]} ({who}); there must be exactly one.")
        n_needed = letters.count(needed)
        if n_needed == 0:
            problems.append(f"{row}: no {names[needed][0]} ({needed}); someone has to do the work.")
        elif key == "DACI" and n_needed > 1:
            problems.append(f"{row}: {n_needed} Drivers; DACI expects exactly one.")
    for col in cleaned.columns:
        if (cleaned[col] == "").all():
            problems.append(f"{col}: has no role in any decision; remove them or give them one.")
    return problems


def validate_assignments(matrix: pd.DataFrame, scheme: str = "RACI") -> pd.DataFrame:
    """Return the cleaned matrix, or raise ``ValueError`` listing every problem."""
    problems = assignment_problems(matrix, scheme)
    if problems:
        raise ValueError(f"The {scheme.upper()} matrix breaks {len(problems)} rule(s):\n- " + "\n- ".join(problems))
    return _clean_matrix(matrix, scheme)


def encode_assignments(matrix: pd.DataFrame, scheme: str = "RACI") -> pd.DataFrame:
    """Turn letters into numbers (A=4, R/D=3, C=2, I=1, blank=0) for a heatmap."""
    cleaned = _clean_matrix(matrix, scheme)
    ranks = {letter: rank for letter, (_, rank) in _scheme(scheme).items()}
    ranks[""] = 0
    return cleaned.apply(lambda col: col.map(ranks)).astype(int)


def role_load(matrix: pd.DataFrame, scheme: str = "RACI") -> pd.DataFrame:
    """How many decisions each person holds each role in (people as rows).

    A person who is Accountable for most rows is a bottleneck; a person who is
    Consulted on everything is a meeting sink. The counts make both visible.
    """
    cleaned = _clean_matrix(matrix, scheme)
    letters = list(_scheme(scheme))
    counts = {letter: (cleaned == letter).sum(axis=0) for letter in letters}
    return pd.DataFrame(counts, index=cleaned.columns).astype(int)


def _check_weights(weights: Mapping[str, float], criteria: Sequence[str]) -> pd.Series:
    if weights is None:
        raise TypeError("weights is None: pass a dict such as {'cost': 0.4, 'speed': 0.6}.")
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights must be a dict of criterion -> weight, got {type(weights).__name__}.")
    if not weights:
        raise ValueError("weights is empty: give at least one criterion a weight.")
    missing = [c for c in weights if c not in criteria]
    if missing:
        raise ValueError(f"weights name criteria that are not columns of scores: {missing}.")
    unweighted = [c for c in criteria if c not in weights]
    if unweighted:
        raise ValueError(f"scores has criteria with no weight: {unweighted}. Give each a weight (0 is allowed).")
    w = pd.Series(weights, dtype=float).reindex(list(criteria))
    if w.isna().any() or not np.isfinite(w).all():
        raise ValueError("every weight must be a finite number (no NaN or infinity).")
    if (w < 0).any():
        raise ValueError("weights must not be negative.")
    if w.sum() == 0:
        raise ValueError("weights add up to 0: at least one criterion must matter.")
    return w / w.sum()


def _check_scores(scores: pd.DataFrame) -> pd.DataFrame:
    if scores is None:
        raise TypeError("scores is None: pass a DataFrame with one row per option and one column per criterion.")
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a pandas DataFrame, got {type(scores).__name__}.")
    if scores.empty:
        raise ValueError("scores is empty: it needs at least one option (row) and one criterion (column).")
    try:
        numeric = scores.astype(float)
    except (TypeError, ValueError):
        raise TypeError("every score must be a number.") from None
    if numeric.isna().any().any():
        where = [f"{numeric.index[r]} / {numeric.columns[c]}" for r, c in zip(*np.where(numeric.isna()))]
        raise ValueError(f"scores contain missing values (NaN) at rows/columns {where}; score every cell.")
    return numeric


def weighted_scores(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Score each option as the weighted sum of its criterion scores.

    Weights are rescaled to add up to 1, so ``{"cost": 2, "speed": 1}`` means
    cost counts twice as much as speed. Returns one column per criterion holding
    its *weighted contribution*, plus ``total``; rows sorted best first. Seeing
    the contributions shows which criterion actually decided the ranking.
    """
    numeric = _check_scores(scores)
    w = _check_weights(weights, list(numeric.columns))
    contrib = numeric.mul(w, axis=1)
    contrib["total"] = contrib.sum(axis=1)
    return contrib.sort_values("total", ascending=False, kind="stable")


def weight_sensitivity(
    scores: pd.DataFrame,
    weights: Mapping[str, float],
    criterion: str,
    shares: Sequence[float],
) -> pd.DataFrame:
    """Total score of every option as one criterion's share of the weight varies.

    For each share in ``shares`` (between 0 and 1) the chosen criterion gets
    that share of the total weight and the others split the rest in their
    original proportions. Use it to ask "how much would we have to care about
    time to market before buying beats building?" Rows: shares; columns: options.
    """
    numeric = _check_scores(scores)
    w = _check_weights(weights, list(numeric.columns))
    if criterion not in numeric.columns:
        raise ValueError(f"{criterion!r} is not a criterion; choose one of {list(numeric.columns)}.")
    if shares is None or len(shares) == 0:
        raise ValueError("shares is empty: give weights to try, e.g. [0.1, 0.2, ..., 0.9].")
    others = w.drop(criterion)
    if len(others) == 0:
        raise ValueError("sensitivity needs at least two criteria.")
    if others.sum() == 0:
        others = pd.Series(1.0 / len(others), index=others.index)
    else:
        others = others / others.sum()
    rows = {}
    for share in shares:
        share = float(share)
        if not 0.0 <= share <= 1.0 or np.isnan(share):
            raise ValueError(f"each share must be between 0 and 1, got {share}.")
        trial = (others * (1 - share)).reindex(numeric.columns).fillna(share)
        trial[criterion] = share
        rows[share] = numeric.mul(trial, axis=1).sum(axis=1)
    table = pd.DataFrame(rows).T
    table.index.name = f"{criterion} share"
    return table


def annotated_heatmap(
    values: pd.DataFrame,
    labels: pd.DataFrame | None = None,
    ax=None,
    cmap: str = "Blues",
    title: str = "",
):
    """Draw a grid of shaded cells with the value (or a label) written in each.

    Writing the letter or number in every cell means the chart does not rely on
    colour alone: a reader who cannot tell the shades apart still reads it.
    ``labels``, if given, must have the same shape as ``values``.
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if values is None or not isinstance(values, pd.DataFrame):
        raise TypeError("values must be a pandas DataFrame of numbers.")
    if values.empty:
        raise ValueError("values is empty: nothing to draw.")
    numeric = _check_scores(values)
    if labels is not None:
        if not isinstance(labels, pd.DataFrame):
            raise TypeError("labels must be a DataFrame with the same shape as values.")
        if labels.shape != values.shape:
            raise ValueError(f"labels has shape {labels.shape} but values has shape {values.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    data = numeric.to_numpy()
    ax.imshow(data, cmap=cmap, aspect="auto", vmin=0, vmax=max(float(data.max()), 1.0))
    ax.set_xticks(range(data.shape[1]), [str(c) for c in numeric.columns], rotation=30, ha="right")
    ax.set_yticks(range(data.shape[0]), [str(r) for r in numeric.index])
    high = data.min() + 0.6 * (data.max() - data.min())
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            text = str(labels.iat[i, j]) if labels is not None else f"{data[i, j]:g}"
            ax.text(j, i, text, ha="center", va="center", fontsize=11, fontweight="bold",
                    color="white" if data[i, j] > high else "black")
    if title:
        ax.set_title(title)
    return ax
