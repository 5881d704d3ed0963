"""Tests for tpmcourse.privacy: values worked out by hand on a four-row table."""

import pandas as pd
import pytest

from tpmcourse.privacy import (
    BUSINESS_SECTORS,
    anonymity_summary,
    equivalence_classes,
    generalize_categories,
    generalize_postcode,
    generalize_year,
    k_anonymity,
    l_diversity,
    read_merchants_csv,
    suppress_small_classes,
)

QI = ["zip_code", "business_type", "owner_birth_year"]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zip_code": ["02139", "02139", "02138", "02141"],
            "business_type": ["bakery", "bakery", "cafe", "plumber"],
            "owner_birth_year": [1980, 1980, 1985, 1990],
            "risk_tier": ["low", "high", "low", "low"],
        }
    )


def generalized(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(
        zip_code=generalize_postcode(df["zip_code"], 3),
        business_type=generalize_categories(df["business_type"], BUSINESS_SECTORS),
        owner_birth_year=generalize_year(df["owner_birth_year"], 10),
    )


def test_equivalence_classes_counts_each_combination(table):
    classes = equivalence_classes(table, QI)
    assert classes["class_size"].tolist() == [1, 1, 2]
    assert classes["class_size"].sum() == 4


def test_k_anonymity_raw_table_is_one(table):
    assert k_anonymity(table, QI) == 1
    # On the two identical rows alone, k is 2.
    assert k_anonymity(table.iloc[:2], QI) == 2


def test_generalizers_produce_expected_values(table):
    assert generalize_postcode(table["zip_code"], 3).tolist() == ["021**"] * 4
    assert generalize_postcode(pd.Series(["SW1A"]), 2).tolist() == ["SW**"]
    assert generalize_year(table["owner_birth_year"], 10).tolist() == [
        "1980-1989", "1980-1989", "1980-1989", "1990-1999"
    ]
    assert generalize_year(pd.Series([1999]), 20).tolist() == ["1980-1999"]
    assert generalize_categories(table["business_type"], BUSINESS_SECTORS).tolist() == [
        "food and drink", "food and drink", "food and drink", "trades"
    ]


def test_generalization_then_suppression_reaches_k3(table):
    g = generalized(table)
    assert k_anonymity(g, QI) == 1  # the plumber is still alone
    kept = suppress_small_classes(g, QI, 2)
    assert len(kept) == 3
    assert k_anonymity(kept, QI) == 3


def test_anonymity_summary(table):
    g = generalized(table)
    assert anonymity_summary(g, QI, target_k=3) == {
        "rows": 4, "classes": 2, "k": 1, "unique_rows": 1, "rows_below_k3": 1
    }


def test_l_diversity(table):
    g = suppress_small_classes(generalized(table), QI, 2)
    assert l_diversity(g, QI, "risk_tier") == 2
    assert l_diversity(g.assign(risk_tier="low"), QI, "risk_tier") == 1


def test_errors_are_learner_facing(table):
    with pytest.raises(TypeError, match="DataFrame"):
        k_anonymity([1, 2], QI)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(TypeError, match="None"):
        k_anonymity(None, QI)  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError, match="no column"):
        k_anonymity(table, ["zip"])
    with pytest.raises(ValueError, match="empty"):
        k_anonymity(table.iloc[0:0], QI)
    with pytest.raises(ValueError, match=r"column 'zip_code' of df has 1 missing \(NaN\)"):
        k_anonymity(table.assign(zip_code=[None, "1", "2", "3"]), QI)
    with pytest.raises(TypeError, match="list"):
        k_anonymity(table, "zip_code")
    with pytest.raises(ValueError, match="no broader category"):
        generalize_categories(pd.Series(["dentist"]), BUSINESS_SECTORS)
    with pytest.raises(TypeError, match="whole numbers"):
        generalize_year(pd.Series(["1980"]), 10)
    with pytest.raises(ValueError, match="at least 1"):
        generalize_year(table["owner_birth_year"], 0)
    with pytest.raises(ValueError, match="at least 1"):
        suppress_small_classes(table, QI, 0)
    with pytest.raises(ValueError, match="both"):
        l_diversity(table, QI, "zip_code")


def test_missing_merchant_file_says_how_to_regenerate_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"run `make data`.* to regenerate it"):
        read_merchants_csv(tmp_path / "nope.csv")
