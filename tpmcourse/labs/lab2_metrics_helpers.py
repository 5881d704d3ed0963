"""A Larkspur product event log and an onboarding experiment, for Lab 2.

The generator is vectorised (numpy arrays, no Python loop per user or per
event), so the same code writes the lab's small CSV and a log of a million
merchants for benchmarking::

    python -m tpmcourse.labs.lab2_metrics_helpers --users 1000000 --out /tmp/events.parquet

Funnels and weekly retention cohorts are computed twice, once with pandas
and once with DuckDB SQL, and the two give identical tables: the tests prove
it, and a benchmark can time them side by side at any size.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

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


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__}.")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}.")
    return int(value)


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
    n_users = _check_int("n_users", n_users, 1)
    weeks = _check_int("weeks", weeks, 2)
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
    uu, kk = np.meshgrid(np.arange(n_users), k, indexing="ij")
    uu, kk = uu.ravel(), kk.ravel()
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
        "event": pd.Categorical.from_codes(code, categories=list(FUNNEL_EVENTS)),
        "event_time": np.datetime64(start, "s") + secs.astype("timedelta64[s]"),
    })


def lab_events() -> pd.DataFrame:
    """The lab's event log, ``data/lab_events.csv``."""
    return make_event_log()


def make_experiment(n: int = 8000, seed: int = 37) -> pd.DataFrame:
    """An A/B test of a new onboarding checklist, one row per merchant.

    ``variant`` is ``control`` or ``treatment`` (a fair 50/50 coin, so the
    groups differ in size by chance only), ``channel`` is ``web`` or
    ``partner_api``, ``converted`` is 1 if the merchant received a first
    payment within 14 days of sign-up and ``support_contact`` is 1 if the
    merchant contacted support in that time (a guardrail). The checklist adds
    about 2.5 percentage points of conversion and nothing to support contacts.
    """
    n = _check_int("n", n, 2)
    rng = np.random.default_rng(seed)
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


# --- loading ------------------------------------------------------------------


def load_events(path: str | Path) -> pd.DataFrame:
    """Read an event log written by this module (CSV or Parquet)."""
    path = Path(path)
    if path.suffix == ".parquet":
        import duckdb

        return duckdb.read_parquet(str(path)).df()
    return pd.read_csv(path, parse_dates=["event_time"])


def _need_events(df: object) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected an event log DataFrame, got {type(df).__name__}.")
    missing = [c for c in ("user_id", "event", "event_time") if c not in df.columns]
    if missing:
        raise ValueError(f"the event log has no column {', '.join(missing)}.")
    if df.empty:
        raise ValueError("the event log is empty.")
    return df


# --- funnel -------------------------------------------------------------------


def _funnel_from_counts(users: list[int]) -> pd.DataFrame:
    table = pd.DataFrame({"step": list(FUNNEL_EVENTS), "users": np.asarray(users, dtype="int64")})
    counts = table["users"].astype(float)
    table["step_rate"] = (counts / counts.shift(1)).fillna(1.0)
    table["overall_rate"] = counts / counts.iloc[0]
    return table


def funnel_pandas(df: pd.DataFrame) -> pd.DataFrame:
    """Distinct users reaching each funnel step, the share of the previous
    step who reached it (``step_rate``) and the share of sign-ups
    (``overall_rate``); rates are fractions."""
    df = _need_events(df)
    counts = df.groupby(df["event"].astype(str), observed=True)["user_id"].nunique()
    return _funnel_from_counts([int(counts.get(e, 0)) for e in FUNNEL_EVENTS])


def _source(con, path_or_df: object) -> str:
    """Register the events as the view ``events``; returns its name."""
    if isinstance(path_or_df, (str, Path)):
        path = str(path_or_df).replace("'", "''")
        reader = "read_parquet" if str(path_or_df).endswith(".parquet") else "read_csv"
        con.execute(f"CREATE VIEW events AS SELECT user_id, event, "
                    f"CAST(event_time AS TIMESTAMP) AS event_time FROM {reader}('{path}')")
    else:
        df = _need_events(path_or_df)[["user_id", "event", "event_time"]].copy()
        df["event"] = df["event"].astype(str)
        df["event_time"] = pd.to_datetime(df["event_time"])
        con.register("events_df", df)
        con.execute("CREATE VIEW events AS SELECT * FROM events_df")
    return "events"


FUNNEL_SQL = """
SELECT step, users,
       COALESCE(users / LAG(users) OVER (ORDER BY position), 1.0) AS step_rate,
       users / FIRST_VALUE(users) OVER (ORDER BY position) AS overall_rate
FROM (
    SELECT s.position, s.step, COUNT(DISTINCT e.user_id) AS users
    FROM (SELECT UNNEST(?) AS step, GENERATE_SUBSCRIPTS(?, 1) AS position) AS s
    LEFT JOIN events AS e ON e.event = s.step
    GROUP BY s.position, s.step
)
ORDER BY position
"""


def funnel_duckdb(path_or_df: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The same table as :func:`funnel_pandas`, computed by DuckDB SQL over a
    CSV or Parquet file (or a DataFrame)."""
    import duckdb

    con = duckdb.connect()
    try:
        _source(con, path_or_df)
        steps = list(FUNNEL_EVENTS)
        out = con.execute(FUNNEL_SQL, [steps, steps]).df()
    finally:
        con.close()
    return _funnel_from_counts(out["users"].astype("int64").tolist())


# --- weekly retention cohorts ---------------------------------------------------


def _monday(ts: pd.Series) -> pd.Series:
    day = ts.dt.floor("D")
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _cohort_table(long: pd.DataFrame, last_week: pd.Timestamp) -> pd.DataFrame:
    """Pivot (cohort_week, week, users, cohort_size) rows into the retention
    table; cells after the end of the log are NaN, observed empty cells 0."""
    long = long.assign(cohort_week=pd.to_datetime(long["cohort_week"]))
    sizes = long.groupby("cohort_week")["cohort_size"].first()
    n_weeks = int((last_week - sizes.index.min()).days // 7) + 1
    table = (long.pivot(index="cohort_week", columns="week", values="users")
             .reindex(columns=range(n_weeks)).fillna(0))
    table = table.div(sizes.astype(float), axis=0)
    horizon = ((last_week - table.index).days // 7).to_numpy()
    table = table.mask(np.arange(n_weeks)[None, :] > horizon[:, None])
    table.index = table.index.strftime("%Y-%m-%d")
    table.index.name = "cohort_week"
    table.columns = pd.Index(range(n_weeks), name="weeks_since_signup")
    return table


def cohorts_pandas(df: pd.DataFrame) -> pd.DataFrame:
    """Weekly retention: rows are sign-up weeks (Monday, ``YYYY-MM-DD``),
    columns are calendar weeks since the sign-up week, values the fraction of
    the cohort with any event that week (NaN where the log has not reached)."""
    df = _need_events(df)
    times = pd.to_datetime(df["event_time"])
    week = _monday(times)
    events = pd.DataFrame({"user_id": df["user_id"].to_numpy(), "week": week.to_numpy()})
    is_signup = (df["event"].astype(str) == "sign_up").to_numpy()
    cohort = events[is_signup].groupby("user_id")["week"].min().rename("cohort_week")
    active = events.drop_duplicates().join(cohort, on="user_id", how="inner")
    active["week"] = (active["week"] - active["cohort_week"]).dt.days // 7
    long = active.groupby(["cohort_week", "week"]).size().rename("users").reset_index()
    long["cohort_size"] = long["cohort_week"].map(cohort.value_counts())
    return _cohort_table(long, week.max())


COHORTS_SQL = """
WITH signup AS (
    SELECT user_id, DATE_TRUNC('week', MIN(event_time)) AS cohort_week
    FROM events WHERE event = 'sign_up' GROUP BY user_id
), active AS (
    SELECT DISTINCT e.user_id, s.cohort_week,
           DATE_DIFF('day', s.cohort_week, DATE_TRUNC('week', e.event_time)) // 7 AS week
    FROM events AS e JOIN signup AS s USING (user_id)
), sizes AS (
    SELECT cohort_week, COUNT(*) AS cohort_size FROM signup GROUP BY cohort_week
)
SELECT a.cohort_week, a.week, COUNT(*) AS users, z.cohort_size
FROM active AS a JOIN sizes AS z USING (cohort_week)
GROUP BY a.cohort_week, a.week, z.cohort_size
ORDER BY a.cohort_week, a.week
"""


def cohorts_duckdb(path_or_df: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The same table as :func:`cohorts_pandas`, computed by DuckDB SQL."""
    import duckdb

    con = duckdb.connect()
    try:
        _source(con, path_or_df)
        long = con.execute(COHORTS_SQL).df()
        last = con.execute("SELECT DATE_TRUNC('week', MAX(event_time)) FROM events").fetchone()[0]
    finally:
        con.close()
    long["week"] = long["week"].astype("int64")
    return _cohort_table(long, pd.Timestamp(last))


def retention_heatmap(table: pd.DataFrame, ax=None, title: str = "Weekly retention by sign-up cohort"):
    """Draw a retention table as an annotated heatmap (percentages in cells)."""
    import matplotlib.pyplot as plt

    values = table.to_numpy(dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * len(table) + 1.6))
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, f"{100 * v:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 else "black")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in table.index])
    ax.set(xlabel="Weeks since the sign-up week", ylabel="Sign-up week (Monday)", title=title)
    ax.figure.colorbar(image, ax=ax, label="Share of cohort active", fraction=0.03)
    return ax


# --- command line ----------------------------------------------------------------


def write_events(df: pd.DataFrame, out: str | Path) -> Path:
    """Write an event log to CSV or (via DuckDB) Parquet, by file suffix."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        import duckdb

        frame = df.assign(event=df["event"].astype(str))
        con = duckdb.connect()
        try:
            con.register("frame", frame)
            con.execute(f"COPY frame TO '{str(out).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
        finally:
            con.close()
    else:
        df.to_csv(out, index=False)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tpmcourse.labs.lab2_metrics_helpers",
                                     description="Write a synthetic Larkspur event log.")
    parser.add_argument("--users", type=int, default=6000, help="number of merchants (default 6000)")
    parser.add_argument("--weeks", type=int, default=WEEKS, help="weeks of activity (default 12)")
    parser.add_argument("--seed", type=int, default=20250303)
    parser.add_argument("--out", required=True, help="output file, .csv or .parquet")
    args = parser.parse_args(argv)
    try:
        df = make_event_log(args.users, args.weeks, args.seed)
    except (TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = write_events(df, args.out)
    print(f"wrote {len(df):,} events for {args.users:,} merchants to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
