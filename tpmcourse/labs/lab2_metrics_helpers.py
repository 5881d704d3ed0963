"""Funnels and weekly retention cohorts for Lab 2, computed twice: once with
pandas and once with DuckDB SQL over a CSV or Parquet file.

The two give identical tables: the tests prove it, and the benchmark
(``make bench``) times them side by side at any size. The event log itself is
generated in :mod:`tpmcourse.datasets.lab2_metrics`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tpmcourse.datasets.lab2_metrics import FUNNEL_EVENTS
from tpmcourse.validate import require_frame

#: The columns every function here needs from an event log.
EVENT_FIELDS = ("user_id", "event", "event_time")


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
    df = require_frame(df, "the event log", EVENT_FIELDS)
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
        df = require_frame(path_or_df, "the event log", EVENT_FIELDS)[list(EVENT_FIELDS)].copy()
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
    cohorts = pd.DatetimeIndex(table.index)
    horizon = ((last_week - cohorts).days // 7).to_numpy()
    table = table.mask(np.arange(n_weeks)[None, :] > horizon[:, None])
    table.index = cohorts.strftime("%Y-%m-%d")
    table.index.name = "cohort_week"
    table.columns = pd.Index(range(n_weeks), name="weeks_since_signup")
    return table


def cohorts_pandas(df: pd.DataFrame) -> pd.DataFrame:
    """Weekly retention: rows are sign-up weeks (Monday, ``YYYY-MM-DD``),
    columns are calendar weeks since the sign-up week, values the fraction of
    the cohort with any event that week (NaN where the log has not reached)."""
    df = require_frame(df, "the event log", EVENT_FIELDS)
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
        # An aggregate without GROUP BY returns exactly one row.
        last = con.execute("SELECT DATE_TRUNC('week', MAX(event_time)) FROM events").fetchall()[0][0]
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


# --- event-log files, CSV or Parquet (the benchmark's logs are millions of rows) --------


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


def load_events(path: str | Path) -> pd.DataFrame:
    """Read an event log written by :func:`write_events` (CSV or Parquet)."""
    path = Path(path)
    if path.suffix == ".parquet":
        import duckdb

        return duckdb.read_parquet(str(path)).df()
    return pd.read_csv(path, parse_dates=["event_time"])
