"""Product and reliability metrics for Chapter 3: funnels and error budgets.

A TPM quotes these numbers in planning meetings, so the arithmetic lives
here, tested, instead of being retyped (and mistyped) in every notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from tpmcourse.validate import check_number

#: The steps of a new Larkspur merchant's journey, in order.
FUNNEL_STEPS: tuple[str, ...] = ("signed_up", "verified", "first_invoice", "first_payment")

MINUTES_PER_DAY = 24 * 60




def _check_slo(slo: object) -> float:
    slo = check_number("slo", slo)
    if not 0 < slo < 1:
        raise ValueError(
            f"slo must be a fraction between 0 and 1 (e.g. 0.9995 for 99.95%), got {slo}."
        )
    return slo


def funnel_conversion(counts: Mapping[str, int] | pd.Series) -> pd.DataFrame:
    """Step-by-step and overall conversion of a funnel, given the number of
    users who reached each step (in order). Shows where people drop out,
    which is what a PM needs to choose the step worth fixing first."""
    if counts is None:
        raise TypeError("counts is None: pass a mapping of step name to count.")
    if not isinstance(counts, (Mapping, pd.Series)):
        raise TypeError(
            f"counts must be a dict or pandas Series of step -> count, got {type(counts).__name__}."
        )
    items = list(counts.items())
    if len(items) < 2:
        raise ValueError("a funnel needs at least two steps.")
    steps, values = [], []
    for step, value in items:
        value = check_number(f"count for step {step!r}", value)
        if value < 0 or value != int(value):
            raise ValueError(f"count for step {step!r} must be a whole number >= 0, got {value}.")
        steps.append(str(step))
        values.append(int(value))
    if values[0] == 0:
        raise ValueError("the first step has 0 users: there is no funnel to measure.")
    for (s1, v1), (s2, v2) in zip(zip(steps, values), zip(steps[1:], values[1:])):
        if v2 > v1:
            raise ValueError(
                f"step {s2!r} ({v2}) has more users than the step before it, {s1!r} ({v1}): "
                "check the step order or the counting."
            )
    table = pd.DataFrame({"step": steps, "merchants": values})
    previous = table["merchants"].shift(1)
    table["step_conversion_pct"] = (100 * table["merchants"] / previous).round(1)
    table.loc[0, "step_conversion_pct"] = 100.0
    table["overall_conversion_pct"] = (100 * table["merchants"] / values[0]).round(1)
    table["dropped"] = (previous - table["merchants"]).fillna(0).astype(int)
    return table


def allowed_downtime_minutes(slo: float, window_days: float = 30) -> float:
    """Minutes of full unavailability an availability SLO allows in a window:
    the error budget expressed as time, e.g. 99.95% over 30 days -> 21.6."""
    slo = _check_slo(slo)
    window_days = check_number("window_days", window_days)
    if window_days <= 0:
        raise ValueError(f"window_days must be positive, got {window_days}.")
    return round((1 - slo) * window_days * MINUTES_PER_DAY, 4)


def burn_rate(bad_fraction: float, slo: float) -> float:
    """How fast errors spend the budget: 1.0 spends exactly the budget over the
    window; 10.0 would spend a 30-day budget in 3 days. Alerting on burn rate
    (not raw error counts) is the SRE practice this supports."""
    slo = _check_slo(slo)
    bad_fraction = check_number("bad_fraction", bad_fraction)
    if not 0 <= bad_fraction <= 1:
        raise ValueError(f"bad_fraction must be between 0 and 1, got {bad_fraction}.")
    return round(bad_fraction / (1 - slo), 4)


def error_budget_burn(
    daily_bad_minutes: Sequence[float], slo: float, window_days: int = 30
) -> pd.DataFrame:
    """Day-by-day error-budget ledger for an availability SLO: minutes of
    downtime each day, budget consumed and left, and the even-spend line to
    compare against. The table behind a burn chart."""
    slo = _check_slo(slo)
    if daily_bad_minutes is None:
        raise TypeError("daily_bad_minutes is None: pass a list of minutes per day.")
    if isinstance(daily_bad_minutes, (str, bytes)) or not isinstance(
        daily_bad_minutes, (Sequence, np.ndarray, pd.Series)
    ):
        raise TypeError(
            f"daily_bad_minutes must be a list of numbers, got {type(daily_bad_minutes).__name__}."
        )
    minutes = [check_number(f"day {i + 1}", m) for i, m in enumerate(daily_bad_minutes)]
    if not minutes:
        raise ValueError("daily_bad_minutes is empty: pass at least one day.")
    if any(m < 0 for m in minutes):
        raise ValueError("daily_bad_minutes cannot be negative.")
    if len(minutes) > window_days:
        raise ValueError(f"{len(minutes)} days given but the window is only {window_days} days.")
    budget = allowed_downtime_minutes(slo, window_days)
    days = np.arange(1, len(minutes) + 1)
    consumed = np.cumsum(minutes)
    return pd.DataFrame(
        {
            "day": days,
            "bad_minutes": np.round(minutes, 2),
            "consumed_minutes": np.round(consumed, 2),
            "remaining_minutes": np.round(budget - consumed, 2),
            "remaining_pct": np.round(100 * (budget - consumed) / budget, 1),
            "even_spend_pct": np.round(100 * (1 - days / window_days), 1),
        }
    )


def synthetic_merchant_events(n_merchants: int = 400, seed: int = 7) -> pd.DataFrame:
    """Made-up Larkspur onboarding events (one row per merchant per step
    reached) so learners can practise funnel SQL without real customer data."""
    if isinstance(n_merchants, bool) or not isinstance(n_merchants, int):
        raise TypeError(f"n_merchants must be an int, got {type(n_merchants).__name__}.")
    if n_merchants < 1:
        raise ValueError("n_merchants must be at least 1.")
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
        for step, rate in zip(FUNNEL_STEPS[1:], pass_rates[channel]):
            if rng.random() >= rate:
                break
            when = when + pd.Timedelta(hours=int(rng.integers(1, 72)))
            rows.append((merchant_id, channel, country, step, when))
    events = pd.DataFrame(rows, columns=["merchant_id", "channel", "country", "event", "event_time"])
    events["event_time"] = events["event_time"].dt.strftime("%Y-%m-%d %H:%M")
    return events
