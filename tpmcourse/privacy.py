"""Re-identification risk in tabular data: k-anonymity, l-diversity and the
generalization and suppression steps that raise them.

Chapter 9 and the ethics labs use these helpers on Larkspur's synthetic
merchant table. A product manager rarely writes an anonymizer, but should be
able to check a claim such as "this export is anonymous" in a few lines, and
see what each generalization costs in detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tpmcourse.paths import DATA

__all__ = [
    "equivalence_classes",
    "k_anonymity",
    "anonymity_summary",
    "l_diversity",
    "generalize_postcode",
    "generalize_year",
    "generalize_categories",
    "suppress_small_classes",
    "make_merchants",
    "write_merchants_csv",
    "read_merchants_csv",
    "BUSINESS_SECTORS",
]


def _check_table(df: object, columns: Sequence[str], what: str = "table") -> pd.DataFrame:
    """Learner-facing validation shared by every function in this module."""
    if df is None:
        raise TypeError(f"The {what} is None: pass a pandas DataFrame.")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"The {what} must be a pandas DataFrame, not {type(df).__name__}.")
    if isinstance(columns, str):
        raise TypeError(
            f"Pass the column names as a list, e.g. [{columns!r}], not as a single string."
        )
    columns = list(columns)
    if not columns:
        raise ValueError("Name at least one column (the list of column names is empty).")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"The {what} has no column(s) {missing}; its columns are {list(df.columns)}."
        )
    if df.empty:
        raise ValueError(f"The {what} is empty: there are no rows to check.")
    nan_cols = [c for c in columns if df[c].isna().any()]
    if nan_cols:
        raise ValueError(
            f"Column(s) {nan_cols} contain missing values (NaN/None); fill or drop them first, "
            "because a blank can itself identify a record."
        )
    return df


def _check_series(values: object, what: str) -> pd.Series:
    if values is None:
        raise TypeError(f"The {what} is None: pass a pandas Series (one column of a table).")
    if not isinstance(values, pd.Series):
        raise TypeError(f"The {what} must be a pandas Series, not {type(values).__name__}.")
    if values.isna().any():
        raise ValueError(f"The {what} contains missing values (NaN/None); fill or drop them first.")
    return values


def equivalence_classes(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> pd.DataFrame:
    """Every distinct combination of quasi-identifier values and how many rows share it.

    Rows in a class of size 1 are unique, so anyone who knows those values
    about a person can pick out that person's row. Sorted smallest first.
    """
    _check_table(df, quasi_identifiers)
    qi = list(quasi_identifiers)
    sizes = df.groupby(qi, dropna=False).size().rename("class_size").reset_index()
    return sizes.sort_values(["class_size", *qi], kind="stable").reset_index(drop=True)


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """The k of a table: the size of its smallest equivalence class (Sweeney, 2002).

    A table is k-anonymous when every row shares its quasi-identifier values
    with at least k - 1 other rows.
    """
    return int(equivalence_classes(df, quasi_identifiers)["class_size"].min())


def anonymity_summary(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], target_k: int = 3
) -> dict[str, int]:
    """One line of evidence for a privacy review: rows, classes, k, unique rows,
    and how many rows sit in classes smaller than ``target_k`` (they would have
    to be generalized further or suppressed)."""
    if isinstance(target_k, bool) or not isinstance(target_k, (int, np.integer)):
        raise TypeError(f"target_k must be a whole number, not {type(target_k).__name__}.")
    if target_k < 1:
        raise ValueError("target_k must be at least 1.")
    sizes = equivalence_classes(df, quasi_identifiers)["class_size"]
    return {
        "rows": int(sizes.sum()),
        "classes": int(len(sizes)),
        "k": int(sizes.min()),
        "unique_rows": int((sizes == 1).sum()),
        f"rows_below_k{target_k}": int(sizes[sizes < target_k].sum()),
    }


def l_diversity(df: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> int:
    """The l of a table: the fewest distinct sensitive values found in any class.

    k-anonymity can still leak: if all rows of a class share the same
    sensitive value, knowing someone is in the class reveals it. l = 1 means
    at least one class is homogeneous (Machanavajjhala et al., 2007).
    """
    if not isinstance(sensitive, str):
        raise TypeError("Pass the sensitive column as a single column name (a string).")
    _check_table(df, [*quasi_identifiers, sensitive])
    qi = list(quasi_identifiers)
    if sensitive in qi:
        raise ValueError(f"{sensitive!r} cannot be both a quasi-identifier and the sensitive column.")
    return int(df.groupby(qi)[sensitive].nunique().min())


def generalize_postcode(values: pd.Series, keep: int) -> pd.Series:
    """Keep the first ``keep`` characters of each postal code and mask the rest with ``*``.

    "02139" with keep=3 becomes "021**": a wider area, so more merchants share it.
    """
    values = _check_series(values, "postcode column")
    if isinstance(keep, bool) or not isinstance(keep, (int, np.integer)):
        raise TypeError(f"keep must be a whole number of characters, not {type(keep).__name__}.")
    if keep < 0:
        raise ValueError("keep must be 0 or more characters.")
    text = values.astype(str)
    return text.map(lambda s: s[:keep] + "*" * max(len(s) - keep, 0)).rename(values.name)


def generalize_year(values: pd.Series, width: int) -> pd.Series:
    """Replace each year by the band of ``width`` years that contains it, e.g. "1980-1989".

    Bands start at multiples of ``width`` so the same year always lands in the
    same band, whatever else is in the table.
    """
    values = _check_series(values, "year column")
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)):
        raise TypeError(f"width must be a whole number of years, not {type(width).__name__}.")
    if width < 1:
        raise ValueError("width must be at least 1 year.")
    if not pd.api.types.is_integer_dtype(values):
        raise TypeError(
            f"The year column must hold whole numbers (it has dtype {values.dtype}); "
            "convert it with .astype(int) first."
        )
    start = (values // width) * width
    if width == 1:
        return start.astype(str).rename(values.name)
    return (start.astype(str) + "-" + (start + width - 1).astype(str)).rename(values.name)


def generalize_categories(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """Map detailed categories to broader ones, e.g. "bakery" to "food and drink".

    Every value must appear in ``mapping``: a silent gap would leave a rare,
    identifying category in a table you believe is generalized.
    """
    values = _check_series(values, "category column")
    if not isinstance(mapping, Mapping):
        raise TypeError(f"mapping must be a dict of detailed -> broad values, not {type(mapping).__name__}.")
    unmapped = sorted(set(values.astype(str)) - set(mapping))
    if unmapped:
        raise ValueError(f"These values have no broader category in the mapping: {unmapped}.")
    return values.astype(str).map(mapping).rename(values.name)


def suppress_small_classes(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], k: int
) -> pd.DataFrame:
    """Drop the rows whose equivalence class has fewer than ``k`` rows.

    Suppression is the last resort after generalization: it protects the
    outliers by deleting them, which also removes them from any analysis.
    """
    _check_table(df, quasi_identifiers)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be a whole number, not {type(k).__name__}.")
    if k < 1:
        raise ValueError("k must be at least 1.")
    sizes = df.groupby(list(quasi_identifiers))[list(quasi_identifiers)[0]].transform("size")
    return df[sizes >= k].reset_index(drop=True)


# Detailed business type -> broad sector, used to generalize the merchant table.
BUSINESS_SECTORS: dict[str, str] = {
    "bakery": "food and drink",
    "cafe": "food and drink",
    "food truck": "food and drink",
    "hair salon": "personal care",
    "nail studio": "personal care",
    "barber": "personal care",
    "plumber": "trades",
    "electrician": "trades",
    "locksmith": "trades",
    "florist": "retail",
    "bookshop": "retail",
    "bike repair": "retail",
    "bookkeeper": "professional services",
    "photographer": "professional services",
    "translator": "professional services",
}

_ZIPS = ["02138", "02139", "02140", "02141", "02143", "02144", "02145", "02446"]
_RISK_TIERS = ["low", "medium", "high"]


def make_merchants(n: int = 60, seed: int = 1) -> pd.DataFrame:
    """A synthetic table of Larkspur merchants in one US metro area.

    Columns: merchant_id, zip_code, business_type, owner_birth_year (the
    quasi-identifiers) and risk_tier (the sensitive attribute). Fully
    invented, generated from a fixed seed so it is the same on every machine.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be a positive whole number of merchants.")
    rng = np.random.default_rng(seed)
    types = list(BUSINESS_SECTORS)
    # A few common business types and ZIP codes, a long tail of rare ones:
    # that skew is what makes real tables easy to re-identify.
    type_p = np.array([6, 6, 1, 5, 2, 3, 4, 3, 1, 2, 1, 1, 3, 2, 1], dtype=float)
    zip_p = np.array([5, 6, 3, 2, 4, 3, 2, 1], dtype=float)
    df = pd.DataFrame(
        {
            "merchant_id": [f"M{i:04d}" for i in range(1, n + 1)],
            "zip_code": rng.choice(_ZIPS, size=n, p=zip_p / zip_p.sum()),
            "business_type": rng.choice(types, size=n, p=type_p / type_p.sum()),
            "owner_birth_year": rng.integers(1958, 2001, size=n),
            "risk_tier": rng.choice(_RISK_TIERS, size=n, p=[0.6, 0.3, 0.1]),
        }
    )
    df["owner_birth_year"] = df["owner_birth_year"].astype("int64")
    return df


def write_merchants_csv(path: Path | None = None, n: int = 60, seed: int = 1) -> Path:
    """Write ``data/merchants_quasi_identifiers.csv`` (or ``path``) and return where it went."""
    path = Path(path) if path is not None else DATA / "merchants_quasi_identifiers.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    make_merchants(n=n, seed=seed).to_csv(path, index=False)
    return path


def read_merchants_csv(path: Path | None = None) -> pd.DataFrame:
    """Read the merchant table, keeping ZIP codes as text so "02139" keeps its leading zero."""
    path = Path(path) if path is not None else DATA / "merchants_quasi_identifiers.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `python -m tpmcourse.privacy` from the course folder to regenerate it."
        )
    return pd.read_csv(path, dtype={"zip_code": str, "owner_birth_year": "int64"})


if __name__ == "__main__":  # python -m tpmcourse.privacy
    print(f"wrote {write_merchants_csv()}")
