"""Chapter 3's onboarding funnel, ``data/merchant_events_small.csv``: made-up
Larkspur onboarding events (one row per merchant per step reached), so
learners can practise funnel SQL without real customer data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset
from tpmcourse.metrics import FUNNEL_STEPS
from tpmcourse.validate import require_int


def synthetic_merchant_events(n_merchants: int = 400, seed: int = 7) -> pd.DataFrame:
    """Each merchant signs up through the web or a partner, then reaches each
    next step with a fixed chance by channel, 1 to 72 hours after the last."""
    n_merchants = require_int(n_merchants, "n_merchants", minimum=1)
    rng = np.random.default_rng(seed)
    # Chance of moving on from each step to the next, by sign-up channel.
    pass_rates = {"web": (0.78, 0.70, 0.62), "partner_api": (0.86, 0.82, 0.74)}
    start = pd.Timestamp("2025-03-03")
    rows = []
    for i in range(n_merchants):
        merchant_id = f"M{i + 1:04d}"
        channel = "partner_api" if rng.random() < 0.3 else "web"
        country = rng.choice(["US", "UK", "DE", "IE", "FR"], p=[0.45, 0.25, 0.12, 0.08, 0.10])
        when = start + pd.Timedelta(hours=int(rng.integers(0, 28 * 24)))
        rows.append((merchant_id, channel, country, FUNNEL_STEPS[0], when))
        for step, rate in zip(FUNNEL_STEPS[1:], pass_rates[channel], strict=True):
            if rng.random() >= rate:
                break
            when = when + pd.Timedelta(hours=int(rng.integers(1, 72)))
            rows.append((merchant_id, channel, country, step, when))
    events = pd.DataFrame(rows, columns=["merchant_id", "channel", "country", "event", "event_time"])
    events["event_time"] = events["event_time"].dt.strftime("%Y-%m-%d %H:%M")
    return events


EVENTS = Dataset("merchant_events_small.csv", synthetic_merchant_events, "onboarding funnel events (chapter 3)")

DATASETS: list[Dataset] = [EVENTS]
