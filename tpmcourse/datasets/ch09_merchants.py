"""Chapter 9's merchant table, ``data/merchants_quasi_identifiers.csv``:
Larkspur merchants in one US metro area, with the quasi-identifiers that
k-anonymity is measured on and a sensitive risk tier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset
from tpmcourse.privacy import BUSINESS_SECTORS
from tpmcourse.validate import require_int

_ZIPS = ["02138", "02139", "02140", "02141", "02143", "02144", "02145", "02446"]
_RISK_TIERS = ["low", "medium", "high"]


def make_merchants(n: int = 60, seed: int = 1) -> pd.DataFrame:
    """A synthetic table of Larkspur merchants in one US metro area.

    Columns: merchant_id, zip_code, business_type, owner_birth_year (the
    quasi-identifiers) and risk_tier (the sensitive attribute). Fully
    invented, generated from a fixed seed so it is the same on every machine.
    """
    n = require_int(n, "n", minimum=1)
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


MERCHANTS = Dataset("merchants_quasi_identifiers.csv", make_merchants, "merchant quasi-identifiers (chapter 9)",
                    {"dtype": {"zip_code": str}})

DATASETS: list[Dataset] = [MERCHANTS]
