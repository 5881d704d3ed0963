"""Choosing a decision threshold for a classifier by business cost (Chapter 7).

Precision and recall only become a product decision once each kind of error
has a price; this module turns scores, labels and prices into the table a
TPM and a data scientist can argue over.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd


def synthetic_scores(n: int = 2000, fraud_rate: float = 0.04, seed: int = 42) -> pd.DataFrame:
    """Made-up model scores for Larkspur payments, each labelled fraud (1) or
    legitimate (0). Fraud scores skew high and legitimate ones low, with
    overlap, as real models do. Deterministic for a given seed."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}.")
    if n < 10:
        raise ValueError(f"n must be at least 10, got {n}.")
    if isinstance(fraud_rate, bool) or not isinstance(fraud_rate, (int, float)):
        raise TypeError(f"fraud_rate must be a number, got {type(fraud_rate).__name__}.")
    if not 0 < fraud_rate < 1:
        raise ValueError(f"fraud_rate must be between 0 and 1, got {fraud_rate}.")
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < fraud_rate).astype(int)
    score = np.where(label == 1, rng.beta(4, 2.5, n), rng.beta(2, 6, n))
    return pd.DataFrame({"is_fraud": label, "score": np.round(score, 4)})


def _check_inputs(y_true: object, scores: object) -> tuple[np.ndarray, np.ndarray]:
    for name, value in (("y_true", y_true), ("scores", scores)):
        if value is None:
            raise TypeError(f"{name} is None: pass a list or array.")
        if isinstance(value, (str, bytes)) or not isinstance(
            value, (Sequence, np.ndarray, pd.Series)
        ):
            raise TypeError(f"{name} must be a list, array or Series, got {type(value).__name__}.")
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(scores, dtype=float)
    if y.size == 0:
        raise ValueError("y_true is empty: there is nothing to evaluate.")
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"y_true and scores must be 1-D and the same length ({y.size} vs {s.size}).")
    if np.isnan(y).any() or np.isnan(s).any():
        raise ValueError("y_true or scores contains NaN: drop or fix those rows first.")
    if not np.isin(y, [0, 1]).all():
        raise ValueError("y_true must contain only 0 (negative) and 1 (positive).")
    return y.astype(int), s


def threshold_table(
    y_true: Sequence[int],
    scores: Sequence[float],
    thresholds: Sequence[float],
    cost_fp: float,
    cost_fn: float,
) -> pd.DataFrame:
    """Confusion counts, precision, recall and total cost of errors at each
    threshold (flag when score >= threshold). cost_fp is the price of flagging
    a good case; cost_fn the price of missing a bad one."""
    y, s = _check_inputs(y_true, scores)
    for name, cost in (("cost_fp", cost_fp), ("cost_fn", cost_fn)):
        if isinstance(cost, bool) or not isinstance(cost, (int, float)):
            raise TypeError(f"{name} must be a number, got {type(cost).__name__}.")
        if math.isnan(cost) or cost < 0:
            raise ValueError(f"{name} must be a number >= 0, got {cost}.")
    if thresholds is None or isinstance(thresholds, (str, bytes)) or len(thresholds) == 0:
        raise ValueError("thresholds must be a non-empty list of numbers between 0 and 1.")
    rows = []
    for t in thresholds:
        if isinstance(t, bool) or not isinstance(t, (int, float, np.floating)) or t != t:
            raise TypeError(f"threshold {t!r} is not a number.")
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
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame from threshold_table(), got {type(table).__name__}.")
    if table.empty:
        raise ValueError("table is empty: build it with threshold_table() first.")
    if not {"threshold", "cost"} <= set(table.columns):
        raise ValueError("table needs 'threshold' and 'cost' columns: pass threshold_table() output.")
    if table["cost"].isna().any():
        raise ValueError("table has NaN costs: check the inputs to threshold_table().")
    ordered = table.sort_values(["cost", "threshold"], kind="stable")
    return ordered.iloc[0]
