"""Tests for tpmcourse.fairness: an eight-applicant table worked out by hand.

Group A: labels 1,1,1,0 and decisions 1,1,0,1 -> selection 3/4, TPR 2/3, FPR 1.
Group B: labels 1,1,0,0 and decisions 1,0,0,0 -> selection 1/4, TPR 1/2, FPR 0.
"""

import pandas as pd
import pytest

from tpmcourse import fairness
from tpmcourse import validate as v


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["A"] * 4 + ["B"] * 4,
            "label": [1, 1, 1, 0, 1, 1, 0, 0],
            "decision": [1, 1, 0, 1, 1, 0, 0, 0],
            "score": [0.1, 0.2, 0.6, 0.3, 0.2, 0.5, 0.7, 0.9],
        }
    )


def test_group_rates(df):
    r = fairness.group_rates(df, "group", "decision", "label")
    assert r.loc["A", "n"] == 4 and r.loc["A", "approved"] == 3
    assert r.loc["A", "selection_rate"] == pytest.approx(0.75)
    assert r.loc["B", "selection_rate"] == pytest.approx(0.25)
    assert r.loc["A", "tpr"] == pytest.approx(2 / 3)
    assert r.loc["B", "tpr"] == pytest.approx(0.5)
    assert r.loc["A", "fpr"] == pytest.approx(1.0)
    assert r.loc["B", "fpr"] == pytest.approx(0.0)
    assert r.loc["B", "base_rate"] == pytest.approx(0.5)


def test_gap_metrics(df):
    assert fairness.demographic_parity_difference(df, "group", "decision") == pytest.approx(0.5)
    assert fairness.equal_opportunity_difference(df, "group", "decision", "label") == pytest.approx(1 / 6)
    assert fairness.disparate_impact_ratio(df, "group", "decision") == pytest.approx(1 / 3)


def test_four_fifths():
    assert fairness.passes_four_fifths(0.8) is True
    assert fairness.passes_four_fifths(0.79) is False
    assert fairness.passes_four_fifths(0.65 / 0.80) is True  # the chapter's worked example, 0.8125
    with pytest.raises(ValueError, match="between 0 and 1"):
        fairness.passes_four_fifths(1.25)
    with pytest.raises(TypeError, match="number"):
        fairness.passes_four_fifths("0.9")  # type: ignore[arg-type]  # wrong type on purpose


def test_apply_threshold_single_and_per_group(df):
    assert fairness.apply_threshold(df, "score", 0.5).tolist() == [1, 1, 0, 1, 1, 0, 0, 0]
    assert fairness.apply_threshold(df, "score", 0.5, higher_is_riskier=False).tolist() == [0, 0, 1, 0, 0, 1, 1, 1]
    per_group = fairness.apply_threshold(df, "score", {"A": 0.15, "B": 0.6}, group="group")
    assert per_group.tolist() == [1, 0, 0, 0, 1, 1, 0, 0]
    with pytest.raises(ValueError, match="No threshold given"):
        fairness.apply_threshold(df, "score", {"A": 0.5}, group="group")
    with pytest.raises(ValueError, match="group column"):
        fairness.apply_threshold(df, "score", {"A": 0.5, "B": 0.5})


def test_threshold_sweep(df):
    sweep = fairness.threshold_sweep(df, "group", "score", "label", [0.5, 1.0])
    first = sweep.iloc[0]
    assert first["approval_rate_A"] == pytest.approx(0.75)
    assert first["dp_difference"] == pytest.approx(0.5)
    assert first["eo_difference"] == pytest.approx(1 / 6)
    assert first["di_ratio"] == pytest.approx(1 / 3)
    assert first["bad_approved"] == 1
    last = sweep.iloc[1]  # everyone approved: no gaps, both bad applicants of B and one of A approved
    assert last["dp_difference"] == pytest.approx(0.0)
    assert last["di_ratio"] == pytest.approx(1.0)
    assert last["bad_approved"] == 3


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda df: fairness.group_rates({"a": 1}, "group", "decision"),  # type: ignore[arg-type]  # a dict on purpose
         "df should be a pandas DataFrame, not dict"),
        (lambda df: fairness.group_rates(df, "legal_form", "decision"), "df has no column 'legal_form'"),
        (lambda df: fairness.group_rates(df.iloc[0:0], "group", "decision"), "df is an empty table"),
        (lambda df: fairness.group_rates(df.assign(decision=[1, None, 0, 1, 1, 0, 0, 0]), "group", "decision"),
         "column 'decision' of df has 1 missing (NaN)"),
        (lambda df: fairness.group_rates(df.assign(decision=[2, 1, 0, 1, 1, 0, 0, 0]), "group", "decision"),
         "column 'decision' of df must be 0 or 1 (1 for yes, 0 for no); see row(s) [0]"),
        (lambda df: fairness.group_rates(df.assign(decision=["yes"] * 8), "group", "decision"),
         "holds text, not numbers (1 for yes, 0 for no); remove the quotes"),
        (lambda df: fairness.demographic_parity_difference(df.assign(group="A"), "group", "decision"),
         "column 'group' of df has only one group"),
        (lambda df: fairness.apply_threshold(df.assign(score="high"), "score", 0.5),
         "column 'score' of df holds"),
        (lambda df: fairness.apply_threshold(df, "score",
                                             {"A": 0.5, "B": "high"},  # type: ignore[dict-item]  # text on purpose
                                             group="group"),
         "threshold['B'] should be a number, not text 'high'"),
        (lambda df: fairness.threshold_sweep(df, "group", "score", "label", []), "thresholds is empty"),
    ],
    ids=["not a table", "no column", "empty", "NaN", "not 0/1", "text", "one group", "text score",
         "text threshold", "no thresholds"],
)
def test_errors_are_learner_facing(df, call, says):
    with pytest.raises(v.InputError) as info:
        call(df)
    assert says in str(info.value)


def test_missing_decisions_file_says_how_to_regenerate_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"run `make data`.* to regenerate it"):
        fairness.read_risk_decisions_csv(tmp_path / "nope.csv")
