"""Re-identification risk in tabular data: k-anonymity, l-diversity and the
generalization and suppression steps that raise them.

Chapter 9 and the ethics labs use these helpers on Larkspur's synthetic
merchant table. A product manager rarely writes an anonymizer, but should be
able to check a claim such as "this export is anonymous" in a few lines, and
see what each generalization costs in detail.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from tpmcourse import validate as v
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
    "read_merchants_csv",
    "BUSINESS_SECTORS",
]


def _quasi_identifiers(df: object, quasi_identifiers: Sequence[str], *others: str) -> list[str]:
    """The quasi-identifier columns, as a list, after checking ``df`` has them (and ``others``) filled in:
    a blank can itself identify a record."""
    qi = v.require_sequence(quasi_identifiers, "quasi_identifiers")
    v.require_frame(df, "df", [*qi, *others], complete=True)
    return qi


def equivalence_classes(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> pd.DataFrame:
    """Every distinct combination of quasi-identifier values and how many rows share it.

    Rows in a class of size 1 are unique, so anyone who knows those values
    about a person can pick out that person's row. Sorted smallest first.
    """
    qi = _quasi_identifiers(df, quasi_identifiers)
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
    target_k = v.require_int(target_k, "target_k", minimum=1)
    sizes = equivalence_classes(df, quasi_identifiers)["class_size"]
    return {
        "rows": int(sizes.sum()),
        "classes": len(sizes),
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
    qi = _quasi_identifiers(df, quasi_identifiers, v.require_text(sensitive, "sensitive"))
    if sensitive in qi:
        raise v.InputError(f"{sensitive!r} cannot be both a quasi-identifier and the sensitive column.")
    return int(df.groupby(qi)[sensitive].nunique().min())


def _named(values: pd.Series, name: Hashable | None) -> pd.Series:
    """``values`` (a new Series made by a generalization step) named ``name``, the input column's name."""
    values.name = name
    return values


def generalize_postcode(values: pd.Series, keep: int) -> pd.Series:
    """Keep the first ``keep`` characters of each postal code and mask the rest with ``*``.

    "02139" with keep=3 becomes "021**": a wider area, so more merchants share it.
    """
    values = v.require_series(values, "values (the postcode column)", allow_empty=True)
    keep = v.require_int(keep, "keep (characters)", minimum=0)
    text = values.astype(str)
    return _named(text.map(lambda s: s[:keep] + "*" * max(len(s) - keep, 0)), values.name)


def generalize_year(values: pd.Series, width: int) -> pd.Series:
    """Replace each year by the band of ``width`` years that contains it, e.g. "1980-1989".

    Bands start at multiples of ``width`` so the same year always lands in the
    same band, whatever else is in the table.
    """
    values = v.require_series(values, "values (the year column)", allow_empty=True)
    width = v.require_int(width, "width (years)", minimum=1)
    if not pd.api.types.is_integer_dtype(values):
        raise v.InputError(
            f"The year column must hold whole numbers (it has dtype {values.dtype}); "
            "convert it with .astype(int) first."
        )
    start = (values // width) * width
    if width == 1:
        return _named(start.astype(str), values.name)
    return _named(start.astype(str) + "-" + (start + width - 1).astype(str), values.name)


def generalize_categories(values: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """Map detailed categories to broader ones, e.g. "bakery" to "food and drink".

    Every value must appear in ``mapping``: a silent gap would leave a rare,
    identifying category in a table you believe is generalized.
    """
    values = v.require_series(values, "values (the category column)", allow_empty=True)
    mapping = v.require_mapping(mapping, "mapping", "{'bakery': 'food and drink'}")
    unmapped = sorted(set(values.astype(str)) - set(mapping))
    if unmapped:
        raise v.InputError(f"These values have no broader category in the mapping: {unmapped}; add them to it.")
    return _named(values.astype(str).map(mapping), values.name)


def suppress_small_classes(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], k: int
) -> pd.DataFrame:
    """Drop the rows whose equivalence class has fewer than ``k`` rows.

    Suppression is the last resort after generalization: it protects the
    outliers by deleting them, which also removes them from any analysis.
    """
    qi = _quasi_identifiers(df, quasi_identifiers)
    k = v.require_int(k, "k", minimum=1)
    sizes = df.groupby(qi)[qi[0]].transform("size")
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


def read_merchants_csv(path: Path | None = None) -> pd.DataFrame:
    """Read the merchant table, keeping ZIP codes as text so "02139" keeps its leading zero."""
    path = Path(path) if path is not None else DATA / "merchants_quasi_identifiers.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make data` (or `tpmcourse data`) in the course folder to regenerate it."
        )
    dtypes: dict[str, type[str] | str] = {"zip_code": str, "owner_birth_year": "int64"}
    return pd.read_csv(path, dtype=dtypes)
