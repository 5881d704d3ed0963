"""Tests for tpmcourse.decisions: RACI/DACI rules and weighted option scoring."""

import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from tpmcourse.decisions import (
    annotated_heatmap,
    assignment_problems,
    encode_assignments,
    role_load,
    validate_assignments,
    weight_sensitivity,
    weighted_scores,
)


def row(table: pd.DataFrame, label: str | float) -> list[Any]:
    """The row of ``table`` with this (unique) index label, as a list."""
    found = table.loc[label]
    assert isinstance(found, pd.Series), f"{label!r} labels more than one row"
    return found.tolist()


@pytest.fixture
def good_raci():
    return pd.DataFrame(
        {"Ana": ["A", "R"], "Ben": ["R", "A"], "Cy": ["C", "I"]},
        index=["Pick vendor", "Ship SSO"],
    )


@pytest.fixture
def daci():
    return pd.DataFrame(
        {"TPM": ["D"], "VP": ["A"], "EM": ["C"], "Sales": ["I"]},
        index=["SSO vs migration"],
    )


# --- RACI / DACI rules ------------------------------------------------------


def test_sound_matrix_has_no_problems(good_raci, daci):
    assert assignment_problems(good_raci, "RACI") == []
    assert assignment_problems(daci, "DACI") == []


def test_two_accountables_are_reported_with_names():
    m = pd.DataFrame({"Ana": ["A"], "Ben": ["A"], "Cy": ["R"]}, index=["Pick vendor"])
    problems = assignment_problems(m)
    assert len(problems) == 1
    assert "2 people are Accountable" in problems[0]
    assert "Ana, Ben" in problems[0]


def test_missing_accountable_and_responsible():
    m = pd.DataFrame({"Ana": ["C"], "Ben": ["I"]}, index=["Pick vendor"])
    problems = assignment_problems(m)
    assert len(problems) == 2
    assert "no Accountable" in problems[0]
    assert "no Responsible" in problems[1]


def test_daci_needs_exactly_one_driver():
    m = pd.DataFrame({"A1": ["D"], "A2": ["D"], "B": ["A"]}, index=["x"])
    assert assignment_problems(m, "DACI") == ["x: 2 Drivers; DACI expects exactly one."]


def test_person_without_any_role_is_flagged(good_raci):
    m = good_raci.assign(Dee=["", None])
    problems = assignment_problems(m)
    assert problems == ["Dee: has no role in any decision; remove them or give them one."]


def test_lowercase_and_spaces_are_accepted(good_raci):
    m = good_raci.apply(lambda c: c.str.lower().radd(" "))
    assert assignment_problems(m) == []


def test_validate_raises_listing_every_problem():
    m = pd.DataFrame({"Ana": ["A", "C"], "Ben": ["A", "I"]}, index=["p", "q"])
    with pytest.raises(ValueError, match=r"breaks 4 rule\(s\)"):
        validate_assignments(m)


def test_validate_returns_cleaned(good_raci):
    out = validate_assignments(good_raci.apply(lambda c: c.str.lower()))
    assert out.loc["Pick vendor", "Ana"] == "A"


def test_wrong_letter_for_scheme(daci):
    with pytest.raises(ValueError, match="not a RACI letter"):
        assignment_problems(daci, "RACI")


@pytest.mark.parametrize("bad", [None, [["A"]], "A"])
def test_matrix_type_errors(bad):
    with pytest.raises(TypeError):
        assignment_problems(bad)


def test_empty_matrix():
    with pytest.raises(ValueError, match="empty"):
        assignment_problems(pd.DataFrame())


def test_numeric_cell_is_type_error():
    with pytest.raises(TypeError, match="expected a letter"):
        assignment_problems(pd.DataFrame({"Ana": [1]}, index=["x"]))


def test_unknown_scheme(good_raci):
    with pytest.raises(ValueError, match="Unknown scheme"):
        assignment_problems(good_raci, "RAPID")
    with pytest.raises(TypeError):
        assignment_problems(good_raci, None)  # type: ignore[arg-type]  # wrong type on purpose


def test_encode_and_role_load(good_raci):
    enc = encode_assignments(good_raci)
    assert row(enc, "Pick vendor") == [4, 3, 2]
    assert row(enc, "Ship SSO") == [3, 4, 1]
    load = role_load(good_raci)
    assert row(load, "Ana") == [1, 1, 0, 0]  # R, A, C, I
    assert row(load, "Cy") == [0, 0, 1, 1]
    assert load.to_numpy().sum() == 6


# --- weighted scoring -------------------------------------------------------


@pytest.fixture
def options():
    return pd.DataFrame(
        {"cost": [2, 4], "speed": [5, 1]},
        index=["Buy", "Build"],
    )


def test_weighted_scores_by_hand(options):
    out = weighted_scores(options, {"cost": 3, "speed": 1})
    # weights rescale to 0.75 / 0.25: Buy 1.5 + 1.25 = 2.75; Build 3.0 + 0.25 = 3.25
    assert out.index.tolist() == ["Build", "Buy"]
    assert out.loc["Build", "total"] == pytest.approx(3.25)
    assert out.loc["Buy", "total"] == pytest.approx(2.75)
    assert out.loc["Buy", "cost"] == pytest.approx(1.5)


def test_weighted_scores_zero_weight_allowed(options):
    out = weighted_scores(options, {"cost": 0, "speed": 2})
    assert out.loc["Buy", "total"] == pytest.approx(5.0)


@pytest.mark.parametrize(
    "weights, exc, msg",
    [
        (None, TypeError, "None"),
        ([0.5, 0.5], TypeError, "dict"),
        ({}, ValueError, "empty"),
        ({"cost": 1}, ValueError, "no weight"),
        ({"cost": 1, "speed": 1, "risk": 1}, ValueError, "not columns"),
        ({"cost": -1, "speed": 2}, ValueError, r"weights\['cost'\] must be at least 0"),
        ({"cost": 0, "speed": 0}, ValueError, "add up to 0"),
        ({"cost": math.nan, "speed": 1}, ValueError, "finite"),
    ],
)
def test_weight_errors(options, weights, exc, msg):
    with pytest.raises(exc, match=msg):
        weighted_scores(options, weights)


def test_score_errors(options):
    with pytest.raises(TypeError):
        weighted_scores(None, {"cost": 1})  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="empty"):
        weighted_scores(pd.DataFrame(), {"cost": 1})
    with pytest.raises(ValueError, match="NaN"):
        weighted_scores(options.astype(float).replace(1.0, np.nan), {"cost": 1, "speed": 1})
    with pytest.raises(TypeError, match=r"column 'speed' of scores holds text, not numbers; remove the quotes"):
        weighted_scores(options.astype(object).replace(1, "high"), {"cost": 1, "speed": 1})


def test_sensitivity_by_hand(options):
    table = weight_sensitivity(options, {"cost": 1, "speed": 1}, "speed", [0.0, 0.5, 1.0])
    assert row(table, 0.0) == pytest.approx([2.0, 4.0])  # all cost
    assert row(table, 0.5) == pytest.approx([3.5, 2.5])
    assert row(table, 1.0) == pytest.approx([5.0, 1.0])  # all speed
    assert table.index.name == "speed share"


def test_sensitivity_keeps_other_proportions():
    s = pd.DataFrame({"a": [1], "b": [2], "c": [4]}, index=["x"])
    # other weights a:b = 1:3; at c share 0.2 -> a 0.2, b 0.6, c 0.2 -> 0.2 + 1.2 + 0.8
    table = weight_sensitivity(s, {"a": 1, "b": 3, "c": 5}, "c", [0.2])
    assert table.at[0.2, "x"] == pytest.approx(2.2)


def test_sensitivity_errors(options):
    with pytest.raises(ValueError, match="scores has no column 'risk'"):
        weight_sensitivity(options, {"cost": 1, "speed": 1}, "risk", [0.5])
    with pytest.raises(ValueError, match="between 0 and 1"):
        weight_sensitivity(options, {"cost": 1, "speed": 1}, "speed", [1.5])
    with pytest.raises(ValueError, match="empty"):
        weight_sensitivity(options, {"cost": 1, "speed": 1}, "speed", [])


# --- heatmap ------------------------------------------------------------------


def test_heatmap_writes_every_label(good_raci):
    import matplotlib.pyplot as plt

    ax = annotated_heatmap(encode_assignments(good_raci), labels=good_raci, title="t")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["A", "R", "C", "R", "A", "I"])
    assert ax.get_title() == "t"
    plt.close("all")


def test_heatmap_errors(good_raci):
    with pytest.raises(TypeError):
        annotated_heatmap(None)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="shape"):
        annotated_heatmap(encode_assignments(good_raci), labels=good_raci.iloc[:1])
