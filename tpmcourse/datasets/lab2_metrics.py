"""Lab 2's data: ``data/lab_events.csv``, a Larkspur product event log, and
``data/lab_experiment.csv``, an onboarding A/B test.

The event-log generator is vectorised (numpy arrays, no Python loop per user
or per event), so the same code writes the lab's small CSV and, for the
benchmark (``make bench``), logs of millions of events.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tpmcourse.datasets import Dataset, as_variant, redraw, stream
from tpmcourse.validate import require_int

#: Funnel steps, in order: (event name, label a TPM would put on a slide).
FUNNEL: tuple[tuple[str, str], ...] = (
    ("sign_up", "signed up"),
    ("invoice_sent", "sent an invoice"),
    ("activation", "received a first payment"),
    ("purchase", "bought a paid plan"),
)
FUNNEL_EVENTS: tuple[str, ...] = tuple(e for e, _ in FUNNEL)
EVENT_COLUMNS = ["user_id", "session_id", "event", "event_time"]
START = pd.Timestamp("2025-03-03")  # a Monday
WEEKS = 12

# Relative volume by weekday, Monday first: small businesses work weekdays.
_WEEKDAY = np.array([1.15, 1.2, 1.15, 1.1, 1.0, 0.55, 0.4])
# Relative volume by hour of day: office hours with a lunch dip.
_HOUR = np.array([0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 2.6, 3.0, 3.0, 2.6,
                  2.0, 2.6, 2.8, 2.6, 2.2, 1.6, 1.1, 0.9, 0.8, 0.6, 0.4, 0.2])


def _office_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds into a day, drawn from the office-hours profile."""
    hours = rng.choice(24, size=n, p=_HOUR / _HOUR.sum())
    return hours * 3600 + rng.integers(0, 3600, size=n)


def make_event_log(n_users: int = 6000, weeks: int = WEEKS, seed: int = 20250303,
                   start: pd.Timestamp | str = START) -> pd.DataFrame:
    """Synthetic Larkspur product events: one row per event.

    Columns ``user_id`` (merchant), ``session_id``, ``event`` (``sign_up``,
    ``invoice_sent``, ``activation`` = first payment received, ``purchase`` =
    paid-plan payment, renewed monthly) and ``event_time``. Sign-ups grow over
    the window and dip at weekends; activity decays week by week after
    sign-up towards a loyal plateau; events after the window are cut off, so
    recent cohorts look worse than they will turn out (right-censoring).
    """
    n_users = require_int(n_users, "n_users", minimum=1)
    weeks = require_int(weeks, "weeks", minimum=2)
    start = pd.Timestamp(start).normalize()
    start = start - pd.Timedelta(days=start.weekday())  # the Monday of that week
    rng = np.random.default_rng(seed)
    days = 7 * weeks
    end_s = days * 86400  # seconds after start; the log ends on the last Sunday

    # Sign-ups: growth of about 60% over the window, fewer at weekends.
    d = np.arange(days)
    w = (1 + 0.6 * d / days) * _WEEKDAY[d % 7]
    signup_day = np.sort(rng.choice(days, size=n_users, p=w / w.sum()))
    signup = signup_day * 86400 + _office_seconds(rng, n_users)
    partner = rng.random(n_users) < 0.3  # partner-channel merchants convert better

    # Funnel: first invoice, first payment received, paid plan.
    invoiced = rng.random(n_users) < np.where(partner, 0.82, 0.68)
    t_invoice = signup + rng.exponential(20 * 3600, n_users).astype(np.int64) + 60
    activated = invoiced & (rng.random(n_users) < np.where(partner, 0.70, 0.58))
    t_activ = t_invoice + rng.gamma(2.0, 1.6 * 86400, n_users).astype(np.int64)
    bought = activated & (rng.random(n_users) < 0.36)
    t_buy = t_activ + rng.gamma(2.0, 3.5 * 86400, n_users).astype(np.int64)

    # Engagement: activated merchants stay more; everyone decays to a plateau.
    q = np.where(activated, rng.beta(5, 3, n_users), rng.beta(1.5, 6, n_users))
    q = np.where(invoiced, q, 0.0)

    # Weekly activity (calendar weeks after the sign-up week).
    cohort = signup_day // 7
    k = np.arange(1, weeks)
    grid_u, grid_k = np.meshgrid(np.arange(n_users), k, indexing="ij")
    uu, kk = grid_u.ravel(), grid_k.ravel()
    p = q[uu] * (0.35 + 0.65 * 0.7 ** (kk - 1))
    active = (cohort[uu] + kk < weeks) & (rng.random(uu.size) < p)
    uu, kk = uu[active], kk[active]
    sessions = 1 + rng.poisson(0.4 + 1.2 * q[uu])
    su = np.repeat(uu, sessions)
    sweek = np.repeat(cohort[uu] + kk, sessions)
    sday = sweek * 7 + rng.choice(7, size=su.size, p=_WEEKDAY / _WEEKDAY.sum())
    stime = sday * 86400 + _office_seconds(rng, su.size)
    per_session = 1 + rng.poisson(0.6, su.size)
    ev_user = np.repeat(su, per_session)
    ev_session = np.repeat(np.arange(su.size), per_session)
    ev_time = np.repeat(stime, per_session) + rng.integers(0, 1800, ev_user.size)
    keep = ev_time > t_invoice[ev_user]  # repeat use only after the first invoice
    ev_user, ev_session, ev_time = ev_user[keep], ev_session[keep], ev_time[keep]

    # Paid plans renew every 30 days while the merchant stays (85% a month).
    renew1 = bought & (rng.random(n_users) < 0.85)
    renew2 = renew1 & (rng.random(n_users) < 0.85)

    n_act = su.size
    ids = np.arange(n_users)
    parts = [  # (user, session, event code, time)
        (ids, n_act + ids, 0, signup),
        (ids[invoiced], n_act + ids[invoiced], 1, t_invoice[invoiced]),
        (ev_user, ev_session, 1, ev_time),
        (ids[activated], n_act + n_users + ids[activated], 2, t_activ[activated]),
        (ids[bought], n_act + 2 * n_users + ids[bought], 3, t_buy[bought]),
        (ids[renew1], n_act + 3 * n_users + ids[renew1], 3, t_buy[renew1] + 30 * 86400),
        (ids[renew2], n_act + 4 * n_users + ids[renew2], 3, t_buy[renew2] + 60 * 86400),
    ]
    user = np.concatenate([p_[0] for p_ in parts])
    session = np.concatenate([p_[1] for p_ in parts])
    code = np.concatenate([np.full(len(p_[0]), p_[2], dtype=np.int8) for p_ in parts])
    secs = np.concatenate([p_[3] for p_ in parts]).astype(np.int64)
    inside = secs < end_s
    user, session, code, secs = user[inside], session[inside], code[inside], secs[inside]
    order = np.lexsort((code, user, secs))
    user, session, code, secs = user[order], session[order], code[order], secs[order]
    # Session ids in order of first appearance, so they read naturally.
    _, first, inverse = np.unique(session, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return pd.DataFrame({
        "user_id": 10001 + user,
        "session_id": 500001 + rank[inverse],
        "event": pd.Categorical.from_codes(code, categories=pd.Index(FUNNEL_EVENTS)),
        "event_time": np.datetime64(start, "s") + secs.astype("timedelta64[s]"),
    })


EXPERIMENT_SIZE = 8000


def make_experiment(n: int = EXPERIMENT_SIZE, seed: int = 37, as_variant: bool = False) -> pd.DataFrame:
    """An A/B test of a new onboarding checklist, one row per merchant.

    ``variant`` is ``control`` or ``treatment`` (a fair 50/50 coin, so the
    groups differ in size by chance only), ``channel`` is ``web`` or
    ``partner_api``, ``converted`` is 1 if the merchant received a first
    payment within 14 days of sign-up and ``support_contact`` is 1 if the
    merchant contacted support in that time (a guardrail). The checklist adds
    about 2.5 percentage points of conversion and nothing to support contacts.

    The draw keeps the lab's story (:func:`experiment_tells_the_story`: a
    lift that is significant at 5%, group sizes that show no sample ratio
    mismatch); if the draw from ``seed`` does not, the groups are drawn again
    from ``[seed, 1]``, ``[seed, 2]``... (the committed seed keeps its first draw;
    another size ``n`` is one draw). ``as_variant`` also redraws until the p-values and the control group's
    conversion differ from the committed experiment's by more than the checks accept.
    """
    n = require_int(n, "n", minimum=2)
    if n != EXPERIMENT_SIZE:  # the story's significance is the lab's sample size's
        return _draw_experiment(n, stream(seed))
    committed = _summary(make_experiment()) if as_variant else None
    return redraw(lambda attempt: _draw_experiment(n, stream(seed, attempt)),
                  lambda experiment: experiment_tells_the_story(experiment)
                  and (committed is None or _differs(_summary(experiment), committed)),
                  f"experiment from seed {seed}")


def _draw_experiment(n: int, rng: np.random.Generator) -> pd.DataFrame:
    treatment = rng.random(n) < 0.5
    partner = rng.random(n) < 0.3
    base = np.where(partner, 0.40, 0.27)
    converted = rng.random(n) < base + 0.025 * treatment
    contact = rng.random(n) < np.where(converted, 0.09, 0.14)
    day = np.sort(rng.integers(0, 21, n))
    return pd.DataFrame({
        "user_id": 30001 + np.arange(n),
        "signup_date": (pd.Timestamp("2025-04-07") + pd.to_timedelta(day, unit="D")).strftime("%Y-%m-%d"),
        "channel": np.where(partner, "partner_api", "web"),
        "variant": np.where(treatment, "treatment", "control"),
        "converted": converted.astype(int),
        "support_contact": contact.astype(int),
    })


def _summary(experiment: pd.DataFrame) -> tuple[float, float, float]:
    """The lift's z-test p-value (two-sided), the sample ratio check's
    p-value and the control group's conversion."""
    treated = experiment["variant"] == "treatment"
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    if min(n_t, n_c) == 0:
        return math.nan, math.nan, math.nan
    x_t, x_c = int(experiment.loc[treated, "converted"].sum()), int(experiment.loc[~treated, "converted"].sum())
    pooled = (x_t + x_c) / (n_t + n_c)
    z = (x_t / n_t - x_c / n_c) / math.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    half = (n_t + n_c) / 2
    chi2 = (n_t - half) ** 2 / half + (n_c - half) ** 2 / half  # one degree of freedom
    return math.copysign(math.erfc(abs(z) / math.sqrt(2)), z), math.erfc(math.sqrt(chi2 / 2)), x_c / n_c


def _differs(summary: tuple[float, float, float], committed: tuple[float, float, float]) -> bool:
    p_lift, p_ratio, control = summary
    p_lift_0, p_ratio_0, control_0 = committed
    return (abs(p_lift - p_lift_0) > 0.05 * abs(p_lift_0) and abs(p_ratio - p_ratio_0) > 0.05 * p_ratio_0
            and control != control_0)


def experiment_tells_the_story(experiment: pd.DataFrame) -> bool:
    """Whether an experiment keeps what Lab 2 concludes from it: the checklist
    lifts conversion, significantly at the 5% level (two-sided z-test of two
    proportions), and the group sizes are what a fair coin gives (a sample
    ratio check with p above 0.05, so ``srm_flag`` is clearly False)."""
    p_lift, p_ratio, _ = _summary(experiment)
    return 0 < p_lift < 0.05 and p_ratio > 0.05


EVENTS = Dataset("lab_events.csv", make_event_log,
                 "Larkspur product event log: sign-ups, invoices, first payments, paid plans (Lab 2)",
                 {"parse_dates": ["event_time"], "dtype": {"event": pd.CategoricalDtype(list(FUNNEL_EVENTS))}})
EXPERIMENT = Dataset("lab_experiment.csv", make_experiment,
                     "onboarding-checklist A/B test, one row per merchant (Lab 2)",
                     variant=as_variant("lab_experiment.csv"))

DATASETS: list[Dataset] = [EVENTS, EXPERIMENT]
