"""Chapter 9's screening decisions, ``data/risk_decisions.csv``: Larkspur
Risk's yes/no decisions on new sign-ups, with the proxy bias against sole
traders that the fairness section measures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset
from tpmcourse.validate import require_int


def make_risk_decisions(n: int = 2000, seed: int = 2017, threshold: float = 0.35) -> pd.DataFrame:
    """Synthetic Larkspur Risk screening results for new sign-ups.

    Columns: applicant_id, legal_form ("sole_trader" / "limited_company"),
    risk_score (0-1, higher is riskier), good_outcome (1 = no loss in the first
    six months) and approved (1 if risk_score < ``threshold``). The two groups
    have similar good-outcome rates, but good sole traders score as riskier
    because the model leans on features (company-registry age, filed accounts)
    that sole traders simply do not have. Invented data from a fixed seed.
    """
    n = require_int(n, "n", minimum=10)
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


DECISIONS = Dataset("risk_decisions.csv", make_risk_decisions, "risk-model screening decisions (chapter 9)")

DATASETS: list[Dataset] = [DECISIONS]
