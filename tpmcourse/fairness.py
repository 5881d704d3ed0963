"""Group fairness metrics for a yes/no screening decision, and a threshold
sweep that shows how they trade off against each other and against losses.

Chapter 9 and the ethics labs use these on Larkspur Risk's synthetic sign-up
decisions (sole traders vs limited companies). The convention throughout:
``decision`` is 1 when the applicant gets the favorable outcome (approved),
``label`` is 1 when the applicant turned out to be a good merchant, and a risk
``score`` is higher for riskier applicants unless you say otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tpmcourse.paths import DATA

__all__ = [
    "group_rates",
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "disparate_impact_ratio",
    "passes_four_fifths",
    "apply_threshold",
    "threshold_sweep",
    "make_risk_decisions",
    "write_risk_decisions_csv",
    "read_risk_decisions_csv",
]


def _check_table(df: object, columns: Sequence[str]) -> pd.DataFrame:
    if df is None:
        raise TypeError("The table is None: pass a pandas DataFrame.")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"The table must be a pandas DataFrame, not {type(df).__name__}.")
    for c in columns:
        if not isinstance(c, str):
            raise TypeError(f"Column names must be strings, got {c!r} ({type(c).__name__}).")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"The table has no column(s) {missing}; its columns are {list(df.columns)}.")
    if df.empty:
        raise ValueError("The table is empty: there are no decisions to measure.")
    nan_cols = [c for c in columns if df[c].isna().any()]
    if nan_cols:
        raise ValueError(
            f"Column(s) {nan_cols} contain missing values (NaN/None); a fairness metric on "
            "partial data is misleading, so fill or drop those rows first."
        )
    return df


def _check_binary(df: pd.DataFrame, column: str) -> pd.Series:
    values = df[column]
    if pd.api.types.is_bool_dtype(values):
        return values.astype(int)
    if not pd.api.types.is_numeric_dtype(values):
        raise TypeError(f"Column {column!r} must hold 0/1 (or True/False), not {values.dtype} values.")
    bad = sorted(set(values.unique()) - {0, 1})
    if bad:
        raise ValueError(f"Column {column!r} must hold only 0 and 1; it also holds {bad[:5]}.")
    return values.astype(int)


def _check_score(df: pd.DataFrame, column: str) -> pd.Series:
    values = df[column]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        raise TypeError(f"Score column {column!r} must be numeric, not {values.dtype}.")
    return values.astype(float)


def group_rates(
    df: pd.DataFrame, group: str, decision: str, label: str | None = None
) -> pd.DataFrame:
    """Per group: size, approvals and selection rate; with ``label``, also the
    base rate of good outcomes, the true positive rate (good applicants
    approved) and the false positive rate (bad applicants approved)."""
    cols = [group, decision] + ([label] if label is not None else [])
    _check_table(df, cols)
    d = _check_binary(df, decision)
    out = pd.DataFrame({"n": df.groupby(group).size(), "approved": d.groupby(df[group]).sum()})
    out["selection_rate"] = out["approved"] / out["n"]
    if label is not None:
        y = _check_binary(df, label)
        good, bad = y == 1, y == 0
        out["base_rate"] = y.groupby(df[group]).mean()
        pos = good.groupby(df[group]).sum()
        neg = bad.groupby(df[group]).sum()
        out["tpr"] = (d[good].groupby(df[group][good]).sum() / pos).reindex(out.index)
        out["fpr"] = (d[bad].groupby(df[group][bad]).sum() / neg).reindex(out.index)
    out.index.name = group
    return out


def _need_two_groups(rates: pd.DataFrame, group: str) -> None:
    if len(rates) < 2:
        raise ValueError(
            f"Column {group!r} has only one group ({list(rates.index)}); a fairness gap needs two or more."
        )


def demographic_parity_difference(df: pd.DataFrame, group: str, decision: str) -> float:
    """Highest minus lowest selection rate across groups (0 means parity)."""
    rates = group_rates(df, group, decision)
    _need_two_groups(rates, group)
    return float(rates["selection_rate"].max() - rates["selection_rate"].min())


def equal_opportunity_difference(
    df: pd.DataFrame, group: str, decision: str, label: str
) -> float:
    """Highest minus lowest true positive rate across groups: do good
    applicants get approved equally often whatever their group? (Hardt et al., 2016)"""
    rates = group_rates(df, group, decision, label)
    _need_two_groups(rates, group)
    if rates["tpr"].isna().any():
        empty = list(rates.index[rates["tpr"].isna()])
        raise ValueError(f"Group(s) {empty} have no applicants with {label} == 1, so no true positive rate.")
    return float(rates["tpr"].max() - rates["tpr"].min())


def disparate_impact_ratio(df: pd.DataFrame, group: str, decision: str) -> float:
    """Lowest selection rate divided by the highest (1 means parity; below 0.8
    fails the four-fifths rule of thumb)."""
    rates = group_rates(df, group, decision)
    _need_two_groups(rates, group)
    top = rates["selection_rate"].max()
    if top == 0:
        raise ValueError("No group has any approvals, so the ratio is undefined.")
    return float(rates["selection_rate"].min() / top)


def passes_four_fifths(ratio: float, threshold: float = 0.8) -> bool:
    """True when a disparate impact ratio is at least ``threshold`` (the
    four-fifths rule of the US Uniform Guidelines, a screening heuristic, not a verdict)."""
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float, np.floating)):
        raise TypeError(f"ratio must be a number, not {type(ratio).__name__}.")
    if np.isnan(ratio) or not 0 <= ratio <= 1:
        raise ValueError(f"ratio must be between 0 and 1 (lowest rate / highest rate), got {ratio}.")
    return bool(ratio >= threshold)


def apply_threshold(
    df: pd.DataFrame,
    score: str,
    threshold: float | Mapping[str, float],
    group: str | None = None,
    higher_is_riskier: bool = True,
) -> pd.Series:
    """Approve (1) or not (0) each applicant by comparing its score with a threshold.

    With a risk score, applicants strictly below the threshold are approved.
    Pass a dict of group -> threshold (and ``group``) to use one threshold
    per group, the threshold-level mitigation discussed in Chapter 9.
    """
    _check_table(df, [score] + ([group] if group is not None else []))
    s = _check_score(df, score)
    if isinstance(threshold, Mapping):
        if group is None:
            raise ValueError("Per-group thresholds need the group column: pass group='...'.")
        missing = sorted(set(df[group].astype(str)) - set(threshold))
        if missing:
            raise ValueError(f"No threshold given for group(s) {missing}.")
        t = df[group].astype(str).map(threshold).astype(float)
    elif isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)):
        raise TypeError(f"threshold must be a number or a dict of numbers, not {type(threshold).__name__}.")
    else:
        if np.isnan(threshold):
            raise ValueError("threshold is NaN; pass a number.")
        t = float(threshold)
    approved = s < t if higher_is_riskier else s >= t
    return approved.astype(int).rename("approved")


def threshold_sweep(
    df: pd.DataFrame,
    group: str,
    score: str,
    label: str,
    thresholds: Iterable[float],
    higher_is_riskier: bool = True,
) -> pd.DataFrame:
    """One row per threshold: each group's approval rate and true positive rate,
    the three gap metrics, and how many bad applicants were approved (the
    losses side of the trade-off)."""
    _check_table(df, [group, score, label])
    thresholds = list(thresholds)
    if not thresholds:
        raise ValueError("Give at least one threshold to sweep.")
    y = _check_binary(df, label)
    rows = []
    for t in thresholds:
        d = apply_threshold(df, score, t, higher_is_riskier=higher_is_riskier)
        frame = pd.DataFrame({group: df[group], "approved": d, label: y})
        rates = group_rates(frame, group, "approved", label)
        row: dict[str, float] = {"threshold": float(t)}
        for g, r in rates.iterrows():
            row[f"approval_rate_{g}"] = r["selection_rate"]
            row[f"tpr_{g}"] = r["tpr"]
        row["dp_difference"] = demographic_parity_difference(frame, group, "approved")
        row["eo_difference"] = equal_opportunity_difference(frame, group, "approved", label)
        top = rates["selection_rate"].max()
        row["di_ratio"] = float(rates["selection_rate"].min() / top) if top > 0 else float("nan")
        row["bad_approved"] = int(((d == 1) & (y == 0)).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def make_risk_decisions(n: int = 2000, seed: int = 2017, threshold: float = 0.35) -> pd.DataFrame:
    """Synthetic Larkspur Risk screening results for new sign-ups.

    Columns: applicant_id, legal_form ("sole_trader" / "limited_company"),
    risk_score (0-1, higher is riskier), good_outcome (1 = no loss in the first
    six months) and approved (1 if risk_score < ``threshold``). The two groups
    have similar good-outcome rates, but good sole traders score as riskier
    because the model leans on features (company-registry age, filed accounts)
    that sole traders simply do not have. Invented data from a fixed seed.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 10:
        raise ValueError("n must be a whole number of at least 10 applicants.")
    rng = np.random.default_rng(seed)
    sole = rng.random(n) < 0.55
    good = np.where(sole, rng.random(n) < 0.90, rng.random(n) < 0.92)
    score = np.where(
        good,
        np.where(sole, rng.beta(2.6, 5.0, n), rng.beta(2.0, 6.0, n)),
        np.where(sole, rng.beta(5.2, 3.0, n), rng.beta(5.0, 3.0, n)),
    )
    df = pd.DataFrame(
        {
            "applicant_id": [f"A{i:05d}" for i in range(1, n + 1)],
            "legal_form": np.where(sole, "sole_trader", "limited_company"),
            "risk_score": np.round(score, 3),
            "good_outcome": good.astype(int),
        }
    )
    df["approved"] = (df["risk_score"] < threshold).astype(int)
    return df


def write_risk_decisions_csv(path: Path | None = None, **kwargs: object) -> Path:
    """Write ``data/risk_decisions.csv`` (or ``path``) and return where it went."""
    path = Path(path) if path is not None else DATA / "risk_decisions.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    make_risk_decisions(**kwargs).to_csv(path, index=False)  # type: ignore[arg-type]
    return path


def read_risk_decisions_csv(path: Path | None = None) -> pd.DataFrame:
    """Read the screening decisions written by :func:`write_risk_decisions_csv`."""
    path = Path(path) if path is not None else DATA / "risk_decisions.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `python -m tpmcourse.fairness` from the course folder to regenerate it."
        )
    return pd.read_csv(path)


if __name__ == "__main__":  # python -m tpmcourse.fairness
    print(f"wrote {write_risk_decisions_csv()}")
