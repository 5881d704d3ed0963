"""The chapters' generators (tpmcourse.datasets.ch03_funnel, ch09_merchants,
ch09_risk_decisions): seeded, shaped as the chapters promise, and refusing
sizes that make no table; the chapters' readers get the committed files back."""

from __future__ import annotations

import pandas as pd
import pytest

from tpmcourse.datasets.ch03_funnel import synthetic_merchant_events
from tpmcourse.datasets.ch09_merchants import make_merchants
from tpmcourse.datasets.ch09_risk_decisions import make_risk_decisions
from tpmcourse.fairness import read_risk_decisions_csv
from tpmcourse.metrics import FUNNEL_STEPS
from tpmcourse.privacy import BUSINESS_SECTORS, read_merchants_csv


def test_funnel_events_are_seeded_and_monotone():
    a = synthetic_merchant_events(50, seed=1)
    pd.testing.assert_frame_equal(a, synthetic_merchant_events(50, seed=1))
    assert not a.equals(synthetic_merchant_events(50, seed=2))
    counts = a["event"].value_counts()
    assert counts["signed_up"] == 50
    steps = [counts.get(s, 0) for s in FUNNEL_STEPS]
    assert steps == sorted(steps, reverse=True)


def test_merchants_are_seeded_and_keep_their_zip_codes():
    a = make_merchants()
    pd.testing.assert_frame_equal(a, make_merchants())
    assert len(a) == 60 and a["merchant_id"].is_unique
    assert set(a["business_type"]) <= set(BUSINESS_SECTORS)
    back = read_merchants_csv()  # what chapter 9 reads
    assert back["zip_code"].str.len().eq(5).all()  # leading zeros survive
    pd.testing.assert_frame_equal(back, a, check_dtype=False)


def test_risk_decisions_are_seeded_and_approve_below_the_threshold():
    a = make_risk_decisions()
    pd.testing.assert_frame_equal(a, make_risk_decisions())
    assert len(a) == 2000 and set(a["legal_form"]) == {"sole_trader", "limited_company"}
    assert (a["approved"] == (a["risk_score"] < 0.35).astype(int)).all()
    pd.testing.assert_frame_equal(read_risk_decisions_csv(), a, check_dtype=False)


@pytest.mark.parametrize("make, too_small", [(synthetic_merchant_events, 0), (make_merchants, 0),
                                             (make_risk_decisions, 9)])
@pytest.mark.parametrize("bad", ["too small", 2.5, "10", True, None])
def test_bad_sizes_are_refused(make, too_small, bad):
    with pytest.raises((TypeError, ValueError)):
        make(too_small if bad == "too small" else bad)
