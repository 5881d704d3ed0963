"""Small helpers for Lab 4 (ethical case studies); its three synthetic data
sets are generated in :mod:`tpmcourse.datasets.lab4_ethics`.

The helpers fill gaps that :mod:`tpmcourse.privacy`, :mod:`tpmcourse.fairness`
and :mod:`tpmcourse.carbon` leave: the data inventory behind the
"what should we stop collecting" decision, a sweep of one group's threshold
while the other group's stays fixed, and the average carbon intensity a job
sees over the hours it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from tpmcourse.fairness import apply_threshold, group_rates
from tpmcourse.validate import InputError, require_frame, require_int, require_number, require_numbers

__all__ = [
    "USER_QUASI_IDENTIFIERS",
    "COLLECTION_PURPOSES",
    "DATA_INVENTORY",
    "fields_without_purpose",
    "group_threshold_sweep",
    "window_intensity",
]

# --- Case (a): privacy -------------------------------------------------------------

#: What an outsider could know about a merchant from public sources (a shop
#: front, the company register, a social profile): the columns k is measured on.
USER_QUASI_IDENTIFIERS = ["postcode", "owner_birth_date", "owner_gender", "business_type"]

#: The purposes Larkspur states for its EU sign-up form.
COLLECTION_PURPOSES = {
    "identity": "verify the owner's identity, as anti-money-laundering law requires",
    "contract": "run the merchant's contract and pay out its money",
    "risk": "screen sign-ups for fraud and set payout holds",
    "invoicing": "set up invoice templates and tax settings",
}

#: Every column of ``lab_users.csv`` and what it is used for today, as the
#: teams told Lena Hoffmann in the data audit. ``purpose`` names one of
#: :data:`COLLECTION_PURPOSES`, or ``None`` when the use is outside them.
DATA_INVENTORY = pd.DataFrame(
    [
        ("merchant_id", "internal key that links a merchant's records", "contract"),
        ("signed_up", "start date of the merchant's contract", "contract"),
        ("postcode", "address check during identity verification", "identity"),
        ("owner_birth_date", "identity verification required by anti-money-laundering law", "identity"),
        ("owner_gender", "nothing: left over from a salutation field on the old form", None),
        ("business_type", "invoice templates and VAT settings; a Larkspur Risk feature", "invoicing"),
        ("legal_form", "tax settings; a Larkspur Risk feature", "invoicing"),
        ("employees", "the sales team's lead scoring", None),
        ("expected_monthly_volume_eur", "Larkspur Risk payout holds", "risk"),
        ("referral_source", "marketing attribution", None),
    ],
    columns=["column", "used_for_today", "purpose"],
)


def fields_without_purpose(inventory: pd.DataFrame = DATA_INVENTORY,
                           purposes: Iterable[str] = COLLECTION_PURPOSES) -> list[str]:
    """Columns whose only use is outside the stated purposes: stop collecting them."""
    allowed = set(purposes)
    return [c for c, p in zip(inventory["column"], inventory["purpose"], strict=True) if p not in allowed]


# --- Case (b): fairness ------------------------------------------------------------


def group_threshold_sweep(df: pd.DataFrame, group: str, score: str, label: str,
                          sweep_group: str, thresholds: Iterable[float],
                          fixed: Mapping[str, float]) -> pd.DataFrame:
    """Move one group's threshold while the others stay at ``fixed``.

    One row per threshold of ``sweep_group``: each group's approval rate and
    true positive rate, the demographic parity difference, equal opportunity
    difference, disparate impact ratio, and bad applicants approved.
    """
    thresholds = require_numbers(thresholds, "thresholds")
    rows = []
    for t in thresholds:
        cut = {**{str(k): float(v) for k, v in fixed.items()}, str(sweep_group): t}
        d = apply_threshold(df, score, cut, group=group)
        frame = pd.DataFrame({group: df[group], "approved": d, label: df[label]})
        rates = group_rates(frame, group, "approved", label)
        row: dict[str, float] = {"threshold": t}
        for g, r in rates.iterrows():
            row[f"approval_rate_{g}"] = float(r["selection_rate"])
            row[f"tpr_{g}"] = float(r["tpr"])
        row["dp_difference"] = float(rates["selection_rate"].max() - rates["selection_rate"].min())
        row["eo_difference"] = float(rates["tpr"].max() - rates["tpr"].min())
        row["di_ratio"] = float(rates["selection_rate"].min() / rates["selection_rate"].max())
        row["bad_approved"] = int(((d == 1) & (df[label] == 0)).sum())
        rows.append(row)
    return pd.DataFrame(rows)


# --- Case (c): environmental impact ------------------------------------------------


def window_intensity(grid: pd.DataFrame, region: str, start_hour: int, hours: float) -> float:
    """Average carbon intensity (g/kWh) a job sees in ``region`` from
    ``start_hour`` (UTC) for ``hours`` hours, wrapping past midnight.

    A 5-hour job starting at 22:00 runs 22, 23, 0, 1 and 2; a job of 1.5 hours
    counts its second hour at half weight.
    """
    grid = require_frame(grid, "grid", ["region", "hour_utc", "carbon_intensity_g_per_kwh"])
    profile = grid[grid["region"] == region].set_index("hour_utc")["carbon_intensity_g_per_kwh"]
    if len(profile) != 24 or set(profile.index) != set(range(24)):
        known = sorted(grid["region"].unique())
        raise InputError(f"No complete 24-hour profile for region {region!r}; regions: {known}.")
    hour = require_int(start_hour, "start_hour", minimum=0, maximum=23)
    left = require_number(hours, "hours", above=0)
    total, weight = 0.0, 0.0
    while left > 1e-12:
        w = min(1.0, left)
        total += w * float(profile[hour % 24])
        weight += w
        left -= w
        hour += 1
    return total / weight
