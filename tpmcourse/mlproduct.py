"""Choosing a decision threshold for a classifier by business cost (Chapter 7).

Precision and recall only become a product decision once each kind of error
has a price; this module turns scores, labels and prices into the table a
TPM and a data scientist can argue over.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np
import pandas as pd

from tpmcourse import validate as v

# A column of labels or of numbers: a list (or tuple), a NumPy array or a pandas Series.
Labels = Sequence[int] | np.ndarray | pd.Series
Numbers = Sequence[float] | np.ndarray | pd.Series


def synthetic_scores(n: int = 2000, fraud_rate: float = 0.04, seed: int = 42) -> pd.DataFrame:
    """Made-up model scores for Larkspur payments, each labelled fraud (1) or
    legitimate (0). Fraud scores skew high and legitimate ones low, with
    overlap, as real models do. Deterministic for a given seed."""
    n = v.require_int(n, "n", minimum=10)
    fraud_rate = v.require_fraction(fraud_rate, "fraud_rate", "0.04 for 4%")
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < fraud_rate).astype(int)
    score = np.where(label == 1, rng.beta(4, 2.5, n), rng.beta(2, 6, n))
    return pd.DataFrame({"is_fraud": label, "score": np.round(score, 4)})


def _labels(y_true: object, n: int) -> np.ndarray:
    """True outcomes as 0/1 ints, one per score: 1 (or True) marks the positive (bad) case."""
    labels = v.require_sequence(y_true, "y_true")
    if len(labels) != n:
        raise v.InputError(f"y_true has {len(labels)} values but scores has {n}; pass one label per score.")
    bad = [i for i, y in enumerate(labels) if not (isinstance(y, (Real, np.bool_)) and y in (0, 1))]
    if bad:
        raise v.InputError(f"y_true must contain only 0 (negative) and 1 (positive); see position(s) {bad[:5]}.")
    return np.asarray(labels, dtype=float).astype(int)


def threshold_table(
    y_true: Labels,
    scores: Numbers,
    thresholds: Numbers,
    cost_fp: float,
    cost_fn: float,
) -> pd.DataFrame:
    """Confusion counts, precision, recall and total cost of errors at each
    threshold (flag when score >= threshold). cost_fp is the price of flagging
    a good case; cost_fn the price of missing a bad one."""
    s = np.asarray(v.require_numbers(scores, "scores"))
    y = _labels(y_true, len(s))
    v.require_number(cost_fp, "cost_fp", minimum=0)  # validated, not converted: int prices keep int costs
    v.require_number(cost_fn, "cost_fn", minimum=0)
    rows = []
    for t in v.require_numbers(thresholds, "thresholds"):
        flagged = s >= t
        tp = int(np.sum(flagged & (y == 1)))
        fp = int(np.sum(flagged & (y == 0)))
        fn = int(np.sum(~flagged & (y == 1)))
        tn = int(np.sum(~flagged & (y == 0)))
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        rows.append(
            {
                "threshold": round(float(t), 3),
                "flagged": tp + fp,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "cost": round(fp * cost_fp + fn * cost_fn, 2),
            }
        )
    return pd.DataFrame(rows)


def best_threshold(table: pd.DataFrame) -> pd.Series:
    """The row of a threshold_table with the lowest total cost (the lowest
    threshold wins a tie, because it catches at least as many bad cases)."""
    v.require_frame(table, "table (the output of threshold_table())", ["threshold", "cost"])
    v.require_numeric_columns(table, "table", ["threshold", "cost"])
    ordered = table.sort_values(["cost", "threshold"], kind="stable")
    return ordered.iloc[0]
