"""Group fairness metrics for a yes/no screening decision, and a threshold
sweep that shows how they trade off against each other and against losses.

Chapter 9 and the ethics labs use these on Larkspur Risk's synthetic sign-up
decisions (sole traders vs limited companies). The convention throughout:
``decision`` is 1 when the applicant gets the favorable outcome (approved),
``label`` is 1 when the applicant turned out to be a good merchant, and a risk
``score`` is higher for riskier applicants unless you say otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from tpmcourse import validate as v
from tpmcourse.paths import DATA

__all__ = [
    "group_rates",
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "disparate_impact_ratio",
    "passes_four_fifths",
    "apply_threshold",
    "threshold_sweep",
    "read_risk_decisions_csv",
]


def _yes_no(df: pd.DataFrame, column: str) -> pd.Series:
    """A yes/no column as 0/1 ints (1 = approved, or a good outcome); True/False also works."""
    if pd.api.types.is_bool_dtype(df[column]):
        return df[column].astype(int)
    return v.require_numeric_column(df, column, "df", minimum=0, maximum=1, whole=True,
                                    hint="1 for yes, 0 for no").astype(int)


def group_rates(
    df: pd.DataFrame, group: str, decision: str, label: str | None = None
) -> pd.DataFrame:
    """Per group: size, approvals and selection rate; with ``label``, also the
    base rate of good outcomes, the true positive rate (good applicants
    approved) and the false positive rate (bad applicants approved)."""
    cols = [group, decision] + ([label] if label is not None else [])
    v.require_frame(df, "df", cols, complete=True)  # a fairness metric on partial data misleads
    d = _yes_no(df, decision)
    out = pd.DataFrame({"n": df.groupby(group).size(), "approved": d.groupby(df[group]).sum()})
    out["selection_rate"] = out["approved"] / out["n"]
    if label is not None:
        y = _yes_no(df, label)
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
        raise v.InputError(
            f"column {group!r} of df has only one group ({list(rates.index)}); a fairness gap needs two or more."
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
        raise v.InputError(f"Group(s) {empty} have no applicants with {label} == 1, so no true positive rate.")
    return float(rates["tpr"].max() - rates["tpr"].min())


def disparate_impact_ratio(df: pd.DataFrame, group: str, decision: str) -> float:
    """Lowest selection rate divided by the highest (1 means parity; below 0.8
    fails the four-fifths rule of thumb)."""
    rates = group_rates(df, group, decision)
    _need_two_groups(rates, group)
    top = rates["selection_rate"].max()
    if top == 0:
        raise v.InputError("No group has any approvals, so the ratio is undefined.")
    return float(rates["selection_rate"].min() / top)


def passes_four_fifths(ratio: float, threshold: float = 0.8) -> bool:
    """True when a disparate impact ratio is at least ``threshold`` (the
    four-fifths rule of the US Uniform Guidelines, a screening heuristic, not a verdict)."""
    ratio = v.require_number(ratio, "ratio", minimum=0, maximum=1, hint="lowest rate / highest rate")
    return bool(ratio >= v.require_number(threshold, "threshold", minimum=0, maximum=1))


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
    v.require_frame(df, "df", [score] + ([group] if group is not None else []), complete=True)
    s = v.require_numeric_column(df, score, "df")
    t: pd.Series | float  # one threshold per row (per group), or one for everyone
    if isinstance(threshold, Mapping):
        if group is None:
            raise v.InputError("Per-group thresholds need the group column: pass group='...'.")
        missing = sorted(set(df[group].astype(str)) - set(threshold))
        if missing:
            raise v.InputError(f"No threshold given for group(s) {missing}; add them to threshold.")
        numbers = {g: v.require_number(t, f"threshold[{g!r}]") for g, t in threshold.items()}
        t = df[group].astype(str).map(numbers).astype(float)
    else:
        t = v.require_number(threshold, "threshold", hint="or a dict of group -> number")
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
    v.require_frame(df, "df", [group, score, label], complete=True)
    thresholds = v.require_numbers(thresholds, "thresholds")
    y = _yes_no(df, label)
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


def read_risk_decisions_csv(path: Path | None = None) -> pd.DataFrame:
    """Read the screening decisions, ``data/risk_decisions.csv`` by default: the file
    :func:`tpmcourse.datasets.ch09_risk_decisions.make_risk_decisions` generates (``make data``)."""
    path = Path(path) if path is not None else DATA / "risk_decisions.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make data` (or `tpmcourse data`) in the course folder to regenerate it."
        )
    return pd.read_csv(path)
