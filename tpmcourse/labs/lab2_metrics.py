"""Lab 2, metrics analysis: checks for ``exercises/lab2_metrics.ipynb``.

Every expected answer is computed here from the course's own copy of the
lab's data with :mod:`tpmcourse.labs.lab2_metrics_helpers`, statsmodels and
scipy; the hints name the slips that analysts actually make with funnels,
cohorts and A/B tests.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from tpmcourse.checks import (
    Hint,
    agree_mask,
    agrees,
    close,
    column_rounded_to,
    expect_column,
    expect_number,
    miss_hint,
    need_frame,
    need_memo,
    need_number,
    need_numeric_column,
    rounded_to,
    rounding_hint,
    show_pair,
    task,
)
from tpmcourse.datasets import cached
from tpmcourse.datasets.lab2_metrics import EVENTS, EXPERIMENT, FUNNEL_EVENTS
from tpmcourse.labs.lab2_metrics_helpers import cohorts_pandas, funnel_pandas
from tpmcourse.validate import require_bool

LAB = "metrics"
MDE = 0.02  # minimum detectable effect for the sample-size task (given in the task text)
ALPHA, POWER = 0.05, 0.8
SRM_THRESHOLD = 0.01

#: Decimals the reference solution displays (an answer rounded to them passes).
RATE_DECIMALS = 3  # funnel rates and the SQL cohorts' `retained`
RETENTION_DECIMALS = 2  # the retention table
P_DECIMALS = 4  # the conversion test's p-value
SRM_DECIMALS = 3  # the sample-ratio check's p-value
#: The interval of Task 6 may come from any of statsmodels' methods for a
#: difference of proportions; they agree to about this much.
CI_SLACK = 5e-4
#: Task 9 asks for a whole number of merchants, rounded up.
SAMPLE_SLACK = 1.01

H = "tpmcourse.labs.lab2_metrics_helpers"
FUNNEL_HELPERS = (f"{H}.funnel_pandas", f"{H}.funnel_duckdb", f"{H}.FUNNEL_SQL", f"{H}._funnel_from_counts")
COHORT_HELPERS = (f"{H}.cohorts_pandas", f"{H}.cohorts_duckdb", f"{H}.COHORTS_SQL", f"{H}._cohort_table")


# --- expected answers, computed once from the course's data ---------------------


@cached
def _events() -> pd.DataFrame:
    return EVENTS.read()


@cached
def _funnel() -> pd.DataFrame:
    return funnel_pandas(_events())


@cached
def _cohorts() -> pd.DataFrame:
    return cohorts_pandas(_events())


@cached
def _experiment() -> dict:
    df = EXPERIMENT.read()
    g = df.groupby("variant")
    n, conv = g.size(), g["converted"].sum()
    return {"n_t": int(n["treatment"]), "n_c": int(n["control"]),
            "x_t": int(conv["treatment"]), "x_c": int(conv["control"])}


def _rates() -> tuple[float, float]:
    e = _experiment()
    return e["x_t"] / e["n_t"], e["x_c"] / e["n_c"]


def expected_lift() -> float:
    p_t, p_c = _rates()
    return p_t - p_c


def expected_cis(alpha: float = ALPHA, methods: tuple[str, ...] = ("wald", "agresti-caffo", "newcomb", "score")
                 ) -> dict[str, tuple[float, float]]:
    from statsmodels.stats.proportion import confint_proportions_2indep

    e = _experiment()
    cis: dict[str, tuple[float, float]] = {}
    for m in methods:
        low, high = confint_proportions_2indep(e["x_t"], e["n_t"], e["x_c"], e["n_c"], method=m, compare="diff",
                                               alpha=alpha)
        cis[m] = (float(low), float(high))
    return cis


def expected_p_value(alternative: str = "two-sided") -> float:
    from statsmodels.stats.proportion import proportions_ztest

    e = _experiment()
    return float(proportions_ztest([e["x_t"], e["x_c"]], [e["n_t"], e["n_c"]],
                                   alternative=alternative)[1])


def expected_srm_p() -> float:
    from scipy.stats import chisquare

    e = _experiment()
    return float(chisquare([e["n_c"], e["n_t"]]).pvalue)


def expected_sample_size(baseline: float | None = None, mde: float = MDE, power: float = POWER,
                         alternative: str = "two-sided") -> float:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p0 = _rates()[1] if baseline is None else baseline
    h = proportion_effectsize(p0 + mde, p0)
    return float(NormalIndPower().solve_power(h, alpha=ALPHA, power=power, ratio=1,
                                              alternative=alternative))


# --- small helpers -----------------------------------------------------------


def _steps(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The funnel frame with its steps checked against the funnel's order."""
    frame = need_frame(frame, name, ["step", "users"])
    expected = list(FUNNEL_EVENTS)
    steps = [str(s) for s in frame["step"]]
    if sorted(steps) == sorted(expected) and steps != expected:
        raise Hint(f"`{name}` has the right steps in the wrong order ({', '.join(steps)}). "
                   f"A funnel reads top to bottom: {', '.join(expected)}.")
    if len(frame) != len(expected) or steps != expected:
        unknown = [s for s in steps if s not in expected]
        extra = f" Unknown step(s): {', '.join(map(repr, unknown))}." if unknown else ""
        raise Hint(f"`{name}` should have one row per funnel step, {', '.join(expected)} "
                   f"(the values of the `event` column), in that order; it has {steps[:6]}.{extra}")
    return frame


def _check_users(frame: pd.DataFrame, name: str) -> None:
    users = need_numeric_column(frame, "users", name).to_numpy()
    truth = _funnel()["users"].to_numpy(dtype=float)
    rows = _events()["event"].astype(str).value_counts()
    events = np.array([rows.get(s, 0) for s in FUNNEL_EVENTS], dtype=float)
    if agree_mask(users, truth).all():
        return
    if agree_mask(users, events).all():
        step = FUNNEL_EVENTS[int(np.argmax(events - truth))]
        raise Hint(f"those are event rows, not merchants: `{step}` has {int(events.max()):,} rows "
                   f"but far fewer distinct merchants (paid plans renew monthly, invoices repeat). "
                   f"Count distinct `user_id` per step (`nunique()` or COUNT(DISTINCT user_id)).")
    expect_column(pd.Series(users, index=list(FUNNEL_EVENTS)), pd.Series(truth, index=list(FUNNEL_EVENTS)),
                  lambda step: f"the number of merchants at step `{step}`", column="`users`")


def _as_table(value: object, name: str) -> pd.DataFrame:
    """A learner's retention table with string cohort labels and int columns."""
    table = need_frame(value, name)
    expected = _cohorts()
    if "cohort_week" in table.columns and table.index.dtype == "int64":
        table = table.set_index("cohort_week")
    index = table.index
    if isinstance(index, pd.DatetimeIndex):
        labels = index.strftime("%Y-%m-%d")
    else:
        try:
            with warnings.catch_warnings():  # odd labels are reported as a hint below
                warnings.simplefilter("ignore")
                labels = pd.to_datetime(pd.Index(index).astype(str)).strftime("%Y-%m-%d")
        except (ValueError, TypeError):
            raise Hint(f"the rows of `{name}` should be labelled by sign-up week (the Monday, e.g. "
                       f"{expected.index[0]}); its index holds {list(index[:3])}.") from None
    try:
        columns = [int(float(c)) for c in table.columns]
    except (ValueError, TypeError):
        raise Hint(f"the columns of `{name}` should be weeks since sign-up, 0 to "
                   f"{len(expected.columns) - 1}; it has {list(table.columns[:5])}.") from None
    out = table.copy()
    out.index, out.columns = labels, columns
    return out


@cached
def _cohorts_elapsed() -> pd.DataFrame:
    """The retention table with weeks counted as 7-day periods since each
    merchant's own sign-up time, not as calendar weeks: the usual slip."""
    events = _events()
    times = pd.to_datetime(events["event_time"])
    signup = times[events["event"].astype(str) == "sign_up"].groupby(events["user_id"]).min()
    first = events["user_id"].map(signup)
    monday = (signup.dt.floor("D") - pd.to_timedelta(signup.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    active = pd.DataFrame({"user_id": events["user_id"], "week": ((times - first).dt.days // 7)}).dropna()
    active = active[active["week"] >= 0].drop_duplicates()
    active["cohort_week"] = active["user_id"].map(monday)
    counts = active.groupby(["cohort_week", "week"]).size().unstack()
    table = counts.div(monday.value_counts(), axis=0)
    expected = _cohorts()
    return table.reindex(index=expected.index, columns=expected.columns).astype(float)


def _compare_tables(got: pd.DataFrame, name: str, where: str, decimals: int) -> str:
    """Compare a retention table (observed cells only) with the course's,
    under the tolerance policy at ``decimals``."""
    expected = _cohorts()
    missing = [c for c in expected.index if c not in got.index]
    if missing:
        raise Hint(f"`{name}` has no row for the cohort of {missing[0]} ({len(missing)} cohort(s) "
                   f"missing); expected {len(expected)} sign-up weeks from {expected.index[0]} "
                   f"to {expected.index[-1]}. Are you grouping by the Monday of the sign-up week?")
    if len(got.index) != len(expected.index):
        raise Hint(f"`{name}` has {len(got.index)} cohort rows; expected {len(expected)}, one "
                   f"per sign-up week. Is a cohort split over two labels?")
    got = got.reindex(index=expected.index, columns=expected.columns)
    for col in got.columns:
        if not pd.api.types.is_numeric_dtype(got[col]) or pd.api.types.is_bool_dtype(got[col]):
            raise Hint(f"column {col} of `{name}` holds {got[col].dtype} values, not numbers.")
    g = got.to_numpy(dtype=float)
    e = expected.to_numpy(dtype=float)
    seen = np.isfinite(e)
    if np.isnan(g[seen]).any():
        i, j = np.argwhere(seen & np.isnan(g))[0]
        raise Hint(f"`{name}` has no value for the {expected.index[i]} cohort in week {j}, a week "
                   f"the log covers; if nobody was active it should be 0, not missing.")
    col0 = g[:, 0]
    if np.nanmax(np.abs(g[seen])) > 1.0001:
        if agree_mask(g[seen], 100 * e[seen], decimals - 2).all():
            raise Hint(f"`{name}` holds percentages (week 0 is {col0[0]:g}); give fractions "
                       f"between 0 and 1, so week 0 is 1.0.")
        raise Hint(f"`{name}` has values above 1 (week 0 of {expected.index[0]} is {col0[0]:,.4g}): "
                   f"those look like merchant counts. Divide each row by its cohort size.")
    if not agree_mask(col0, np.ones_like(col0), decimals).all():
        k = int(np.argmax(np.abs(col0 - 1)))
        raise Hint(f"week 0 of the {expected.index[k]} cohort is {show_pair(1.0, float(col0[k]), decimals)[1]}, "
                   f"but every merchant is active in the week they sign up, so column 0 should be 1.0. Is the "
                   f"`sign_up` event left out of activity, or the denominator something other than "
                   f"the cohort's size?")
    wrong = seen & ~agree_mask(g, e, decimals)
    if wrong.any():
        cells = np.argwhere(wrong)
        places = column_rounded_to(np.where(seen, g, np.nan)[seen], e[seen], decimals)
        if places is not None:
            raise Hint(rounding_hint(f"`{name}`", places, decimals))
        elapsed = _cohorts_elapsed().to_numpy(dtype=float)
        comparable = seen & np.isfinite(elapsed)
        if agree_mask(g[comparable], elapsed[comparable], decimals).all():
            raise Hint(f"`{name}` counts weeks as 7-day periods from each merchant's own sign-up time. The task "
                       f"counts calendar weeks: the Monday of the event's week minus the Monday of the sign-up "
                       f"week, divided by 7{where}.")
        i, j = (int(k) for k in cells[0])
        w, y = show_pair(float(e[i, j]), float(g[i, j]), decimals)
        raise Hint(f"the {expected.index[i]} cohort in week {j} should be {w}; yours is {y} ({len(cells)} of the "
                   f"{int(seen.sum())} observed cells differ). Count each merchant once per week in which they have "
                   f"any event, and divide by the cohort's size.")
    unseen = ~seen & np.isfinite(g)
    if unseen.any() and np.nanmax(np.abs(g[unseen])) == 0:
        i, j = np.argwhere(unseen)[0]
        raise Hint(f"the {expected.index[i]} cohort has a 0 in week {j}, a week the log has not "
                   f"reached yet. Leave those cells empty (NaN): a 0 would read as 'everyone left'.")
    if unseen.any():
        raise Hint(f"`{name}` has values in weeks the log has not reached yet (after "
                   f"{expected.index[-1]}); those cells should be NaN.")
    return ""


def _check_rates(got: np.ndarray, want: np.ndarray, column: str, slips: list[tuple[np.ndarray, str]],
                 then: str = "") -> None:
    """A column of funnel rates: right to the display precision, or the
    rounding diagnosis, a slip every step after sign-up follows, or the step
    that differs. Only this column is judged (the caller judges the others)."""
    index = list(FUNNEL_EVENTS)
    if agree_mask(got, want, RATE_DECIMALS).all():
        return
    # sign-up is 1.0 by definition, whatever the slip made of it
    aligned = [(np.r_[got[:1], np.asarray(alt, dtype=float)[1:]], hint) for alt, hint in slips]
    try:
        expect_column(pd.Series(got, index=index), pd.Series(want, index=index),
                      lambda step: f"`{column}` at `{step}`", decimals=RATE_DECIMALS, slips=aligned,
                      column=f"`{column}`")
    except Hint as hint:
        raise Hint(f"{hint}{then}") from None


# --- Task 1: funnel counts ------------------------------------------------------


@task(LAB, "funnel_counts", title="Task 1, funnel counts", variables=["step_users"], points=1,
      objective="ch03-sql-funnel", reference=lambda: (_funnel()[["step", "users"]],), shortcuts=FUNNEL_HELPERS)
def check_funnel_counts(step_users):
    frame = _steps(step_users, "step_users")
    _check_users(frame, "step_users")
    f = _funnel()
    return (f"{f.users[0]:,} merchants signed up and {f.users[3]:,} bought a paid plan. Distinct "
            f"merchants, not event rows: every step is smaller than the one before it.")


# --- Task 2: funnel rates --------------------------------------------------------


@task(LAB, "funnel_rates", title="Task 2, funnel conversion", variables=["funnel"], points=2,
      objective="ch03-sql-funnel", display={"funnel.step_rate": RATE_DECIMALS, "funnel.overall_rate": RATE_DECIMALS},
      reference=lambda: (_funnel(),), shortcuts=FUNNEL_HELPERS)
def check_funnel_rates(funnel):
    frame = _steps(need_frame(funnel, "funnel", ["step", "users", "step_rate", "overall_rate"]), "funnel")
    _check_users(frame, "funnel")
    f = _funnel()
    for col in ("step_rate", "overall_rate"):
        if pd.isna(frame[col].iloc[0]) and not frame[col].iloc[1:].isna().any():
            raise Hint(f"the first row of `{col}` is NaN (nothing comes before sign-up, so the "
                       f"division had no previous step). Set it to 1.0: all sign-ups reached sign-up.")
    step = need_numeric_column(frame, "step_rate", "funnel").to_numpy()
    overall = need_numeric_column(frame, "overall_rate", "funnel").to_numpy()
    want_step, want_overall = f["step_rate"].to_numpy(), f["overall_rate"].to_numpy()
    _check_rates(step, want_step, "step_rate", [
        (100 * want_step, "`step_rate` is in percent (sign-up is 100); give fractions, so sign-up is 1.0."),
        (want_overall, ("`step_rate` divides every step by the sign-ups: that is `overall_rate`. "
                        "A step rate divides by the step just before it (activation / invoice_sent).")),
        (1 - want_step, ("`step_rate` holds the share who dropped out at each step (1 − rate); "
                         "the task asks for the share who went on.")),
        (1 / want_step, "`step_rate` is upside down (above 1): divide the later step by the earlier one."),
    ])
    _check_rates(overall, want_overall, "overall_rate", [
        (100 * want_overall, "`overall_rate` is in percent; give fractions, so sign-up is 1.0."),
        (want_step, ("`overall_rate` divides by the previous step: that is `step_rate`. "
                     "Overall conversion divides every step by the sign-ups.")),
    ])
    worst = int(np.argmin(want_step[1:])) + 1
    return (f"the weakest step is `{f.step[worst]}` ({want_step[worst]:.1%} of the step before), "
            f"and {want_overall[2]:.1%} of sign-ups are activated. Fix the weakest step first.")


# --- Task 3: retention cohorts ---------------------------------------------------


@task(LAB, "retention", title="Task 3, retention cohorts", variables=["retention"], points=2,
      objective="ch03-sql-funnel", display={"retention": RETENTION_DECIMALS}, reference=lambda: (_cohorts(),),
      shortcuts=COHORT_HELPERS)
def check_retention(retention):
    table = _as_table(retention, "retention")
    _compare_tables(table, "retention", "", RETENTION_DECIMALS)
    e = _cohorts()
    oldest = e.iloc[0]
    return (f"week 1 keeps {e[1].mean():.0%} of a cohort on average and the oldest cohort still "
            f"has {oldest.iloc[-1]:.0%} active in week {e.columns[-1]}: the curve flattens, so "
            f"retained merchants are a steady branch of the metric tree.")


# --- Task 4: funnel in SQL --------------------------------------------------------


@task(LAB, "sql_funnel", title="Task 4, funnel in SQL", variables=["funnel_sql"], points=1,
      objective="ch03-sql-funnel", display={"funnel_sql.step_rate": RATE_DECIMALS}, reference=lambda: (_funnel(),),
      shortcuts=FUNNEL_HELPERS)
def check_sql_funnel(funnel_sql):
    frame = need_frame(funnel_sql, "funnel_sql", ["step", "users", "step_rate"])
    frame = _steps(frame, "funnel_sql")
    _check_users(frame, "funnel_sql")
    step_rate = frame["step_rate"]
    if step_rate.iloc[1:].notna().all() and pd.isna(step_rate.iloc[0]):
        raise Hint("`step_rate` is NULL for sign-up: LAG() has no previous row there. "
                   "Wrap it in COALESCE(..., 1.0).")
    rate = need_numeric_column(frame, "step_rate", "funnel_sql").to_numpy()
    want = _funnel()["step_rate"].to_numpy()
    if np.all(rate[1:] == 0):
        raise Hint("every `step_rate` after sign-up is 0: integer division. Use `/` on doubles "
                   "(e.g. `users * 1.0 / LAG(users) OVER (...)`) rather than `//`.")
    _check_rates(rate, want, "step_rate", [
        (100 * want, "`step_rate` is in percent; return fractions, as in Task 2."),
        (_funnel()["overall_rate"].to_numpy(), ("`step_rate` divides by the sign-ups: LAG(users) takes the row "
                                                "just before, FIRST_VALUE(users) the first.")),
    ], then=" Order the window by funnel position: LAG(users) OVER (ORDER BY position).")
    return ("the SQL funnel matches the pandas one row for row. The same query runs unchanged on "
            "a Parquet file of millions of events, or in the warehouse.")


# --- Task 5: cohorts in SQL -------------------------------------------------------


def _long_cohorts() -> pd.DataFrame:
    """The retention table in SQL's long shape: cohort_week, week, retained (observed cells only)."""
    table = _cohorts()
    long = pd.DataFrame({"cohort_week": np.repeat(table.index.to_numpy(), table.shape[1]),
                         "week": np.tile(table.columns.to_numpy(), table.shape[0]),
                         "retained": table.to_numpy(dtype=float).ravel()}).dropna()
    return long.reset_index(drop=True)


@task(LAB, "sql_cohorts", title="Task 5, retention cohorts in SQL", variables=["cohorts_sql"],
      points=2, objective="ch03-sql-funnel", display={"cohorts_sql.retained": RATE_DECIMALS},
      reference=lambda: (_long_cohorts(),), shortcuts=COHORT_HELPERS)
def check_sql_cohorts(cohorts_sql):
    frame = need_frame(cohorts_sql, "cohorts_sql", ["cohort_week", "week", "retained"])
    if frame["retained"].isna().any():  # unobserved weeks written out as empty rows: harmless
        frame = need_frame(frame[frame["retained"].notna()], "cohorts_sql")
    weeks = need_numeric_column(frame, "week", "cohorts_sql")
    need_numeric_column(frame, "retained", "cohorts_sql")
    if (weeks != weeks.round()).any() or (weeks < 0).any():
        raise Hint("`week` should hold whole weeks since the sign-up week (0, 1, 2, ...); "
                   f"it has {sorted(set(weeks))[:4]}. Use DATE_DIFF('day', ...) // 7 on "
                   f"DATE_TRUNC('week', ...) values.")
    if frame.duplicated(["cohort_week", "week"]).any():
        raise Hint("`cohorts_sql` has more than one row for some (cohort_week, week) pair: "
                   "GROUP BY both columns.")
    try:
        labels = pd.to_datetime(frame["cohort_week"].astype(str))
    except (ValueError, TypeError):
        raise Hint("`cohort_week` should hold the Monday of each sign-up week "
                   f"(e.g. {_cohorts().index[0]}), not {frame['cohort_week'].iloc[0]!r}.") from None
    long = frame.assign(cohort_week=labels.dt.strftime("%Y-%m-%d"), week=weeks.astype(int))
    table = long.pivot(index="cohort_week", columns="week", values="retained")
    expected = _cohorts()
    table = table.reindex(columns=expected.columns)
    # Observed weeks with no active merchant have no row in SQL output; count them as 0.
    seen = expected.notna().reindex(index=table.index, fill_value=False)
    table = table.mask(seen & table.isna(), 0.0)
    _compare_tables(table.astype(float), "cohorts_sql",
                    " (in SQL: DATE_DIFF('day', cohort_week, DATE_TRUNC('week', event_time)) // 7)", RATE_DECIMALS)
    return ("the SQL cohorts match the pandas table cell for cell. Long format (one row per "
            "cohort and week) is how a warehouse returns it; pivot only for display.")


# --- Task 6: lift and its confidence interval ----------------------------------------


def _interval(value: object, name: str) -> tuple[float, float]:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise Hint(f"`{name}` should be a pair (low, high), e.g. the tuple that "
                   f"`confint_proportions_2indep` returns; got {type(value).__name__}.")
    if isinstance(value, pd.DataFrame):
        raise Hint(f"`{name}` is a DataFrame; give a pair of numbers (low, high).")
    items = list(np.asarray(value, dtype=object).ravel())
    if len(items) != 2:
        raise Hint(f"`{name}` should hold exactly two numbers, the low and high ends; it has {len(items)}.")
    low, high = need_number(items[0], f"{name}[0]"), need_number(items[1], f"{name}[1]")
    if low > high:
        raise Hint(f"`{name}` is ({low:.4g}, {high:.4g}): the low end is above the high end.")
    return low, high


@task(LAB, "lift", title="Task 6, lift and confidence interval", variables=["lift", "lift_ci"],
      points=2, objective="ch03-experiments", reference=lambda: (expected_lift(), expected_cis()["newcomb"]))
def check_lift(lift, lift_ci):
    got = need_number(lift, "lift")
    want = expected_lift()
    p_t, p_c = _rates()
    expect_number(got, want, "`lift`", [
        (p_t / p_c - 1, (f"{got:.4f} is the relative lift (treatment / control − 1). The task asks for the "
                         f"absolute difference in conversion, treatment minus control.")),
        (100 * (p_t / p_c - 1), ("that is the relative lift in percent; the task asks for the absolute "
                                 "difference of the two conversion rates, as a fraction.")),
        (100 * want, "`lift` is in percentage points; give a fraction (0.01 is one point)."),
        (-want, "`lift` is control minus treatment; the task asks for treatment minus control."),
    ], then=" Lift = treatment rate − control rate.")
    low, high = _interval(lift_ci, "lift_ci")
    cis = expected_cis()
    if any(agrees(low, lo, slack=CI_SLACK) and agrees(high, hi, slack=CI_SLACK) for lo, hi in cis.values()):
        lo, hi = cis["newcomb"]
        reading = ("The interval excludes 0 but its low end is small: the true gain could be under one point."
                   if 0 < lo < 0.01 else "The interval excludes 0." if lo > 0 or hi < 0 else
                   "The interval includes 0: the test cannot tell a gain from no effect.")
        return (f"{100 * want:+.1f} percentage points, 95% CI {100 * lo:+.1f} to {100 * hi:+.1f}. {reading}")
    lo, hi = cis["newcomb"]
    for end_got, end_want, which in ((low, lo, "low"), (high, hi, "high")):
        places = rounded_to(end_got, end_want)
        if places is not None and not agrees(end_got, end_want, slack=CI_SLACK):
            raise Hint(rounding_hint(f"the {which} end of `lift_ci`", places))
    if agrees(low, 100 * cis["wald"][0], slack=100 * CI_SLACK) and \
            agrees(high, 100 * cis["wald"][1], slack=100 * CI_SLACK):
        raise Hint("`lift_ci` is in percentage points; give fractions, like `lift`.")
    if not low <= got <= high:
        if low <= -got <= high:
            raise Hint(f"`lift_ci` ({low:.4f}, {high:.4f}) is the interval for control − treatment, "
                       f"so it does not contain your lift of {got:.4f}: pass the treatment counts first.")
        raise Hint(f"`lift_ci` ({low:.4f}, {high:.4f}) does not contain the lift {got:.4f}; an "
                   f"interval for the difference must. Is it the interval of one group's rate?")
    width = high - low
    for level in (0.90, 0.99, 0.80):
        lo_l, hi_l = expected_cis(1 - level, ("wald",))["wald"]
        if close(width, hi_l - lo_l, rel=0.03):
            raise Hint(f"`lift_ci` is a {level:.0%} interval (too {'narrow' if level < 0.95 else 'wide'}); "
                       f"the task asks for 95% (alpha=0.05).")
    want_low, got_low = show_pair(lo, low)
    want_high, got_high = show_pair(hi, high)
    raise Hint(f"`lift_ci` should run from about {want_low} to {want_high}; yours runs from {got_low} to "
               f"{got_high}. Use `confint_proportions_2indep` with the converted counts and group sizes.")


# --- Task 7: significance ----------------------------------------------------------


@task(LAB, "p_value", title="Task 7, significance test", variables=["p_value"], points=1,
      objective="ch03-experiments", display={"p_value": P_DECIMALS}, reference=lambda: (expected_p_value(),))
def check_p_value(p_value):
    got = need_number(p_value, "p_value")
    want = expected_p_value()
    if agrees(got, want, P_DECIMALS):
        return (f"p = {want:.3f} (two-sided): if the checklist did nothing, a gap this large would "
                f"turn up about once in {1 / want:,.0f} experiments.")
    places = rounded_to(got, want)
    if places is not None:
        raise Hint(rounding_hint("`p_value`", places, P_DECIMALS))
    if not 0 <= got <= 1:
        from statsmodels.stats.proportion import proportions_ztest

        e = _experiment()
        z = proportions_ztest([e["x_t"], e["x_c"]], [e["n_t"], e["n_c"]])[0]
        if agrees(abs(got), abs(z), 2):
            raise Hint(f"{got:.3f} is the z statistic; `proportions_ztest` returns (z, p): take the second.")
        raise Hint(f"a p-value lies between 0 and 1; `p_value` is {got:.4g}.")
    if agrees(got, 1 - want, P_DECIMALS):
        raise Hint("that is 1 − p. The p-value is the small number: the chance of a gap this large "
                   "if there were no effect.")
    if agrees(got, expected_p_value("larger"), P_DECIMALS) or agrees(got, expected_p_value("smaller"), P_DECIMALS):
        raise Hint("that is a one-sided p-value (half the two-sided one, or its complement). The "
                   "checklist could have hurt conversion too, so test two-sided (the default `alternative`).")
    if agrees(got, expected_srm_p(), SRM_DECIMALS):
        raise Hint("that is the p-value of the group sizes (the sample-ratio check, Task 8). Test "
                   "the converted counts against the group sizes.")
    if 1 < got / want < 1.15:
        raise Hint("close, but slightly larger: a continuity correction (e.g. `chi2_contingency` "
                   "default) or a different test. Use `proportions_ztest`.")
    raise Hint(miss_hint(got, want, "`p_value`", P_DECIMALS) + " Pass counts=[converted treatment, converted "
               "control] and nobs=[treatment size, control size] to `proportions_ztest`.")


# --- Task 8: sample ratio mismatch -------------------------------------------------


@task(LAB, "srm", title="Task 8, sample ratio mismatch", variables=["srm_p", "srm_flag"], points=1,
      objective="ch03-experiments", display={"srm_p": SRM_DECIMALS},
      reference=lambda: (expected_srm_p(), expected_srm_p() < SRM_THRESHOLD))
def check_srm(srm_p, srm_flag):
    got = need_number(srm_p, "srm_p")
    want = expected_srm_p()
    e = _experiment()
    if not agrees(got, want, SRM_DECIMALS):
        from scipy.stats import binomtest, chisquare

        if agrees(got, binomtest(e["n_t"], e["n_t"] + e["n_c"]).pvalue, SRM_DECIMALS):
            pass  # an exact binomial test answers the same question; accept it
        elif (places := rounded_to(got, want)) is not None:
            raise Hint(rounding_hint("`srm_p`", places, SRM_DECIMALS))
        elif agrees(got, float(chisquare([e["x_c"], e["x_t"]]).pvalue), SRM_DECIMALS):
            raise Hint("that tests the converted counts. A sample ratio check tests the number of "
                       "merchants ASSIGNED to each group against the planned 50/50 split.")
        elif got > 0.99:
            raise Hint(f"p = {got:.3f}: did you pass shares (0.5, 0.5) or rates to `chisquare`? "
                       f"It needs the counts of merchants in each group.")
        elif agrees(got, expected_p_value(), P_DECIMALS):
            raise Hint("that is the p-value of the conversion test (Task 7). Test the group sizes.")
        else:
            raise Hint(miss_hint(got, want, "`srm_p`", SRM_DECIMALS) + " Use `scipy.stats.chisquare([control "
                       "size, treatment size])`; equal expected counts are the default.")
    mismatch = want < SRM_THRESHOLD
    if require_bool(srm_flag, "srm_flag") != mismatch:
        if mismatch:
            raise Hint(f"p = {want:.2g} is below {SRM_THRESHOLD}: a gap of {abs(e['n_c'] - e['n_t'])} merchants "
                       f"in {e['n_c'] + e['n_t']:,} is not what a fair coin gives, so `srm_flag` is True.")
        raise Hint(f"p = {want:.2f} is above {SRM_THRESHOLD}: a gap of {abs(e['n_c'] - e['n_t'])} "
                   f"merchants in {e['n_c'] + e['n_t']:,} is what a fair coin gives. "
                   f"No mismatch, so `srm_flag` is False.")
    if mismatch:
        return (f"{e['n_c']:,} vs {e['n_t']:,} (p = {want:.2g}): the split is not what a fair coin gives, so "
                f"assignment or logging is broken and the conversion comparison cannot be trusted yet.")
    return (f"{e['n_c']:,} vs {e['n_t']:,} (p = {want:.2f}): no sign that assignment or logging "
            f"is broken, so the conversion comparison can be trusted.")


# --- Task 9: sample size -------------------------------------------------------------


@task(LAB, "sample_size", title="Task 9, sample size", variables=["n_per_group"], points=1,
      objective="ch03-experiments", reference=lambda: (math.ceil(expected_sample_size()),))
def check_sample_size(n_per_group):
    got = need_number(n_per_group, "n_per_group")
    want = expected_sample_size()
    e = _experiment()
    if agrees(got, want, slack=SAMPLE_SLACK):
        have = min(e["n_t"], e["n_c"])
        if have >= want:
            return (f"about {math.ceil(want):,} merchants per group to detect +2 points; this test had "
                    f"about {have:,}, enough for that size of effect.")
        return (f"about {math.ceil(want):,} merchants per group to detect +2 points; this test had "
                f"about {have:,}, so it was underpowered for that size of effect and a lift this "
                f"small could easily have been missed (or overstated).")
    p_t, p_c = _rates()
    slips = [
        (2 * want, "that is the total for both groups; the task asks per group."),
        (expected_sample_size(power=0.9), "that is for 90% power; the task asks for 80%."),
        (expected_sample_size(alternative="larger"), "that is a one-sided test; use two-sided."),
        (expected_sample_size(mde=MDE * p_c), ("that is for a 2% RELATIVE lift (2% of the baseline); "
                                               "the MDE is 2 percentage points, i.e. 0.02 added to the rate.")),
        (expected_sample_size(baseline=p_t), ("the baseline should be the control group's conversion, "
                                              "not the treatment's.")),
        (expected_sample_size(baseline=(e["x_t"] + e["x_c"]) / (e["n_t"] + e["n_c"])),
         "the baseline should be the control group's conversion, not the pooled rate."),
    ]
    for value, hint in slips:
        if agrees(got, value, slack=SAMPLE_SLACK):
            raise Hint(hint)
    from statsmodels.stats.power import NormalIndPower

    raw = NormalIndPower().solve_power(MDE, alpha=ALPHA, power=POWER, ratio=1)
    if agrees(got, raw, slack=SAMPLE_SLACK):
        raise Hint("you passed the raw difference 0.02 as the effect size. `NormalIndPower` wants "
                   "Cohen's h: `proportion_effectsize(baseline + 0.02, baseline)`.")
    raise Hint(miss_hint(got, want, "`n_per_group`"))


# --- Task 10: written recommendation ---------------------------------------------------

@task(LAB, "recommendation", title="Task 10, recommendation", variables=["memo"], points=3,
      objective="ch03-experiments", kind="written")
def check_recommendation(memo):
    need_memo(memo, "memo", min_numbers=2,
              words_hint="the decision, the numbers it rests on, the risks and what you would watch.",
              decision_hint="state the decision in plain words: ship, roll out, hold, extend or rerun.",
              numbers_hint="name the numbers the decision rests on (the lift, its interval, the p-value, "
                           "the sample sizes); your memo quotes fewer than two.")
    return ("the memo has the right form (a decision and the numbers behind it). It will be graded "
            "with the rubric: decision, evidence with uncertainty, SRM and guardrail, next step.")
