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

from tpmcourse import validate as v

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
    key = v.require_text(scheme, "scheme").strip().upper()
    if key not in SCHEMES:
        raise v.InputError(f"Unknown scheme {scheme!r}: use 'RACI' or 'DACI'.")
    return SCHEMES[key]


def _clean_matrix(matrix: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """Upper-case letters, blanks for 'no role', and a clear error for anything else."""
    letters = _scheme(scheme)
    allowed = f"use {', '.join(letters)} or leave blank"
    cleaned = v.require_frame(matrix, "matrix (one row per decision, one column per person)").copy().astype(object)
    for row in cleaned.index:
        for col in cleaned.columns:
            value = cleaned.at[row, col]
            if value is None or (isinstance(value, float) and np.isnan(value)):
                cleaned.at[row, col] = ""
                continue
            if not isinstance(value, str):
                raise v.InputError(f"matrix cell {row!r} / {col!r}: expected a letter ({allowed}), got {value!r}.")
            letter = value.strip().upper()
            if letter not in letters and letter != "":
                raise v.InputError(f"matrix cell {row!r} / {col!r}: {value!r} is not a {scheme.upper()} letter "
                                   f"({allowed}).")
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
        raise v.InputError(f"The {scheme.upper()} matrix breaks {len(problems)} rule(s):\n- " + "\n- ".join(problems))
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
    """One weight of 0 or more per criterion, not all 0; rescaled to add up to 1."""
    weights = v.require_mapping(weights, "weights", "{'cost': 0.4, 'speed': 0.6}")
    missing = [c for c in weights if c not in criteria]
    if missing:
        raise v.InputError(f"weights name criteria that are not columns of scores: {missing}.")
    unweighted = [c for c in criteria if c not in weights]
    if unweighted:
        raise v.InputError(f"scores has criteria with no weight: {unweighted}. Give each a weight (0 is allowed).")
    w = pd.Series({c: v.require_number(weights[c], f"weights[{c!r}]", minimum=0) for c in criteria}, dtype=float)
    if w.sum() == 0:
        raise v.InputError("weights add up to 0: at least one criterion must matter.")
    return w / w.sum()


def weighted_scores(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Score each option as the weighted sum of its criterion scores.

    Weights are rescaled to add up to 1, so ``{"cost": 2, "speed": 1}`` means
    cost counts twice as much as speed. Returns one column per criterion holding
    its *weighted contribution*, plus ``total``; rows sorted best first. Seeing
    the contributions shows which criterion actually decided the ranking.
    """
    numeric = v.require_numeric_columns(v.require_frame(scores, "scores"), "scores")
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
    numeric = v.require_numeric_columns(v.require_frame(scores, "scores"), "scores")
    w = _check_weights(weights, list(numeric.columns))
    v.require_columns(numeric, "scores", [criterion])
    shares = v.require_numbers(shares, "shares", minimum=0, maximum=1)
    others = w.drop(criterion)
    if len(others) == 0:
        raise v.InputError("sensitivity needs at least two criteria: add a column to scores.")
    # the other criteria keep their proportions; if they all weigh 0, they share the rest equally
    others = others / others.sum() if others.sum() else pd.Series(1.0 / len(others), index=others.index)
    rows = {}
    for share in shares:
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

    numeric = v.require_numeric_columns(v.require_frame(values, "values"), "values")
    if labels is not None and v.require_frame(labels, "labels").shape != values.shape:
        raise v.InputError(f"labels has shape {labels.shape} but values has shape {values.shape}; "
                           "pass one label per cell.")
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
