"""Product and reliability metrics for Chapter 3: funnels, error budgets and
the two experiment questions a TPM asks before and after an A/B test (how
small an effect can this traffic detect, and what does peeking cost).

A TPM quotes these numbers in planning meetings, so the arithmetic lives
here, tested, instead of being retyped (and mistyped) in every notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from tpmcourse import validate as v

#: The steps of a new Larkspur merchant's journey, in order.
FUNNEL_STEPS: tuple[str, ...] = ("signed_up", "verified", "first_invoice", "first_payment")

MINUTES_PER_DAY = 24 * 60


def funnel_conversion(counts: Mapping[str, int] | pd.Series) -> pd.DataFrame:
    """Step-by-step and overall conversion of a funnel, given the number of
    users who reached each step (in order). Shows where people drop out,
    which is what a PM needs to choose the step worth fixing first."""
    if not isinstance(counts, pd.Series):
        counts = v.require_mapping(counts, "counts", "{'signed_up': 500, 'verified': 410}")
    items = list(counts.items())
    if len(items) < 2:
        raise v.InputError(f"counts has {len(items)} step(s); a funnel needs at least two, in order.")
    steps = [str(step) for step, _ in items]
    values = [v.require_int(count, f"counts[{step!r}]", minimum=0) for step, count in items]
    if values[0] == 0:
        raise v.InputError("the first step has 0 users: there is no funnel to measure.")
    for (s1, v1), (s2, v2) in pairwise(zip(steps, values, strict=True)):
        if v2 > v1:
            raise v.InputError(
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
    slo = v.require_fraction(slo, "slo", "0.9995 for 99.95%")
    window_days = v.require_number(window_days, "window_days", above=0)
    return round((1 - slo) * window_days * MINUTES_PER_DAY, 4)


def burn_rate(bad_fraction: float, slo: float) -> float:
    """How fast errors spend the budget: 1.0 spends exactly the budget over the
    window; 10.0 would spend a 30-day budget in 3 days. Alerting on burn rate
    (not raw error counts) is the SRE practice this supports."""
    slo = v.require_fraction(slo, "slo", "0.9995 for 99.95%")
    bad_fraction = v.require_number(bad_fraction, "bad_fraction", minimum=0, maximum=1, hint="0.005 for 0.5%")
    return round(bad_fraction / (1 - slo), 4)


def error_budget_burn(
    daily_bad_minutes: Sequence[float], slo: float, window_days: float = 30
) -> pd.DataFrame:
    """Day-by-day error-budget ledger for an availability SLO: minutes of
    downtime each day, budget consumed and left, and the even-spend line to
    compare against. The table behind a burn chart."""
    slo = v.require_fraction(slo, "slo", "0.9995 for 99.95%")
    minutes = v.require_numbers(daily_bad_minutes, "daily_bad_minutes", minimum=0)
    window_days = v.require_number(window_days, "window_days", above=0)
    if len(minutes) > window_days:
        raise v.InputError(f"daily_bad_minutes has {len(minutes)} days but the window is only {window_days:g} days; "
                           "pass a longer window_days or fewer days.")
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


def minimum_detectable_effect(baseline: float, n_per_group: int, alpha: float = 0.05,
                              power: float = 0.8) -> float:
    """The smallest absolute lift in a conversion rate (0.01 is one point) that
    a two-sided test of two equal groups of ``n_per_group`` detects with the
    given power. Traffic is fixed more often than ambition is, so a TPM asks
    this before a test starts: if the answer is larger than any effect the
    change could plausibly have, the test is not worth running as planned.

    Inverts the sample-size calculation for Cohen's h, the effect size behind
    ``statsmodels``' ``proportion_effectsize``: h = 2·asin(√p1) − 2·asin(√p0).
    """
    from statsmodels.stats.power import NormalIndPower

    baseline = v.require_fraction(baseline, "baseline", "0.65 for 65% conversion")
    n = v.require_int(n_per_group, "n_per_group", minimum=2)
    alpha = v.require_fraction(alpha, "alpha", "0.05")
    power = v.require_fraction(power, "power", "0.8 for 80%")
    h = float(NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1))
    angle = np.arcsin(np.sqrt(baseline)) + h / 2
    if angle >= np.pi / 2:
        return round(1 - baseline, 6)  # not even a jump to 100% could be detected reliably
    return round(float(np.sin(angle) ** 2 - baseline), 6)


def peeking_simulation(days: int = 28, daily_per_group: int = 50, rate: float = 0.65,
                       experiments: int = 2000, alpha: float = 0.05, seed: int = 3) -> pd.DataFrame:
    """Simulate A/A tests (both groups get the same product, so every
    "significant" result is a false positive) and compare two habits: looking
    at a two-proportion z-test every day and stopping at the first p < alpha,
    against testing once. It shows why a dashboard checked daily declares far
    more winners than the nominal 5%, which is the case for a fixed horizon
    or a sequential method.

    One row per day: ``stopped_by_now_pct``, the share of experiments a daily
    peeker has already (wrongly) stopped, and ``significant_today_pct``, the
    share significant if that day were the only look.
    """
    from scipy.special import erfc

    days = v.require_int(days, "days", minimum=1, maximum=366)
    per_day = v.require_int(daily_per_group, "daily_per_group", minimum=1)
    rate = v.require_fraction(rate, "rate", "0.65 for 65% conversion")
    runs = v.require_int(experiments, "experiments", minimum=1, maximum=200_000)
    alpha = v.require_fraction(alpha, "alpha", "0.05")
    rng = np.random.default_rng(v.require_int(seed, "seed", minimum=0))
    conversions = rng.binomial(per_day, rate, size=(2, runs, days)).cumsum(axis=2)
    n = per_day * np.arange(1, days + 1)
    a, b = conversions[0] / n, conversions[1] / n
    pooled = (a + b) / 2
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (a - b) / se, 0.0)
    significant = erfc(np.abs(z) / np.sqrt(2)) < alpha  # two-sided p-value below alpha
    stopped = np.logical_or.accumulate(significant, axis=1)
    return pd.DataFrame({
        "day": np.arange(1, days + 1),
        "merchants_per_group": n,
        "stopped_by_now_pct": np.round(100 * stopped.mean(axis=0), 1),
        "significant_today_pct": np.round(100 * significant.mean(axis=0), 1),
    })
