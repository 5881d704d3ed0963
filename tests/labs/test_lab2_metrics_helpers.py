"""The Lab 2 event-log generator (tpmcourse.datasets.lab2_metrics) and the
lab's pandas/DuckDB funnels and cohorts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tpmcourse.checks import row_of
from tpmcourse.datasets.lab2_metrics import EVENT_COLUMNS, FUNNEL_EVENTS, START, WEEKS, make_event_log, make_experiment
from tpmcourse.labs.lab2_metrics_helpers import (
    cohorts_duckdb,
    cohorts_pandas,
    funnel_duckdb,
    funnel_pandas,
    load_events,
    retention_heatmap,
    write_events,
)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return make_event_log()


def tiny() -> pd.DataFrame:
    """A log small enough to work out by hand."""
    rows = [
        (1, 1, "sign_up", "2025-03-03 09:00"),       # Monday, week of 03-03
        (1, 1, "invoice_sent", "2025-03-03 09:30"),
        (1, 2, "invoice_sent", "2025-03-04 10:00"),
        (1, 3, "activation", "2025-03-06 11:00"),
        (1, 4, "purchase", "2025-03-07 12:00"),
        (1, 5, "invoice_sent", "2025-03-11 09:00"),  # week 1
        (1, 6, "purchase", "2025-03-12 09:00"),      # a second purchase row
        (2, 7, "sign_up", "2025-03-05 14:00"),
        (2, 8, "invoice_sent", "2025-03-09 18:00"),  # Sunday: still week 0
        (3, 9, "sign_up", "2025-03-12 08:00"),       # week of 03-10
    ]
    df = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    df["event_time"] = pd.to_datetime(df["event_time"])
    return df


def test_funnel_by_hand():
    f = funnel_pandas(tiny())
    assert list(f["step"]) == list(FUNNEL_EVENTS)
    assert list(f["users"]) == [3, 2, 1, 1]
    assert f["step_rate"].tolist() == pytest.approx([1, 2 / 3, 1 / 2, 1])
    assert f["overall_rate"].tolist() == pytest.approx([1, 2 / 3, 1 / 3, 1 / 3])


def test_cohorts_by_hand():
    c = cohorts_pandas(tiny())
    assert list(c.index) == ["2025-03-03", "2025-03-10"]
    assert c.columns.equals(pd.Index([0, 1]))  # weeks since sign-up
    assert row_of(c, "2025-03-03").tolist() == [1.0, 0.5]  # user 1 back in week 1, user 2 not
    later = row_of(c, "2025-03-10")
    assert later.loc[0] == 1.0
    assert math.isnan(later.loc[1])                        # the log has not reached it


def test_pandas_and_duckdb_agree_by_hand(tmp_path):
    path = write_events(tiny(), tmp_path / "tiny.csv")
    pd.testing.assert_frame_equal(funnel_pandas(tiny()), funnel_duckdb(path))
    pd.testing.assert_frame_equal(cohorts_pandas(tiny()), cohorts_duckdb(path))


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_pandas_and_duckdb_agree_on_the_lab_log(log, tmp_path, suffix):
    path = write_events(log, tmp_path / f"events.{suffix}")
    pd.testing.assert_frame_equal(funnel_pandas(log), funnel_duckdb(path), check_exact=True)
    pd.testing.assert_frame_equal(funnel_pandas(log), funnel_duckdb(log), check_exact=True)
    pd.testing.assert_frame_equal(cohorts_pandas(log), cohorts_duckdb(path))
    pd.testing.assert_frame_equal(cohorts_pandas(log), cohorts_pandas(load_events(path)))


def test_generator_is_deterministic_and_seeded():
    a = make_event_log(500, seed=1)
    pd.testing.assert_frame_equal(a, make_event_log(500, seed=1))
    assert not a.equals(make_event_log(500, seed=2))


def test_lab_log_is_consistent(log):
    assert list(log.columns) == EVENT_COLUMNS
    assert log["user_id"].nunique() == 6000
    assert (log[log.event == "sign_up"].groupby("user_id").size() == 1).all()
    assert (log[log.event == "activation"].groupby("user_id").size() == 1).all()
    assert log["event_time"].min() >= START
    assert log["event_time"].max() < START + pd.Timedelta(weeks=WEEKS)
    first = log.groupby(["user_id", "event"], observed=True)["event_time"].min().unstack()
    both = first.dropna(subset=["activation"])
    assert (both["sign_up"] < both["invoice_sent"]).all()
    assert (both["invoice_sent"] < both["activation"]).all()
    bought = first.dropna(subset=["purchase"])
    assert (bought["activation"] < bought["purchase"]).all()
    # Plans renew, so purchase rows outnumber purchasing merchants.
    assert (log.event == "purchase").sum() > 1.3 * log.loc[log.event == "purchase", "user_id"].nunique()


def test_lab_log_is_realistic(log):
    signups = log[log.event == "sign_up"]
    by_day = signups.groupby(signups.event_time.dt.day_of_week).size()
    assert by_day[[5, 6]].max() < 0.7 * by_day[[0, 1, 2, 3, 4]].min()  # weekend dip
    weekly = signups.groupby(signups.event_time.dt.to_period("W")).size()
    assert weekly.iloc[-3:].mean() > 1.3 * weekly.iloc[:3].mean()      # growth
    f = funnel_pandas(log)
    assert list(f["users"]) == sorted(f["users"], reverse=True)
    assert 0.3 < f["overall_rate"].iloc[2] < 0.55
    c = cohorts_pandas(log)
    assert (c[0] == 1).all()
    means = c.mean()
    assert means[1] > means[3] > means[8] > 0.08  # decay towards a plateau
    assert means[1] - means[3] > means[8] - means[11]


def test_lab_log_is_small(log, tmp_path):
    path = write_events(log, tmp_path / "events.csv")
    assert path.stat().st_size < 2_000_000


def test_experiment_has_a_modest_real_lift_and_no_srm():
    from scipy.stats import chisquare
    from statsmodels.stats.proportion import proportions_ztest

    e = make_experiment()
    g = e.groupby("variant")
    n, x = g.size(), g["converted"].sum()
    assert n.sum() == 8000 and n["control"] != n["treatment"]
    assert chisquare(n.to_numpy()).pvalue > 0.1
    lift = x["treatment"] / n["treatment"] - x["control"] / n["control"]
    assert 0.015 < lift < 0.04
    assert proportions_ztest(x[["treatment", "control"]], n[["treatment", "control"]])[1] < 0.05
    assert set(e.columns) == {"user_id", "signup_date", "channel", "variant", "converted", "support_contact"}


def test_parquet_round_trip_at_scale(tmp_path):
    """What the benchmark does: a log of 20,000 merchants to Parquet and back, same funnel either way."""
    out = write_events(make_event_log(20_000), tmp_path / "big.parquet")
    back = load_events(out)
    assert back["user_id"].nunique() == 20000
    pd.testing.assert_frame_equal(funnel_pandas(back), funnel_duckdb(out))


def test_generator_scales_without_a_loop_per_event():
    df = make_event_log(200_000, seed=5)  # ~1.2 million events; seconds, not minutes
    assert len(df) > 1_000_000
    assert df["event_time"].is_monotonic_increasing


@pytest.mark.parametrize("bad, exc", [(None, TypeError), ("10", TypeError), (True, TypeError),
                                      (0, ValueError), (2.5, TypeError)])
def test_bad_sizes_are_refused(bad, exc):
    with pytest.raises(exc):
        make_event_log(bad)


@pytest.mark.parametrize("bad", [None, pd.DataFrame(), pd.DataFrame({"x": [1]}), [1, 2]])
def test_bad_logs_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        funnel_pandas(bad)
    with pytest.raises((TypeError, ValueError)):
        cohorts_pandas(bad)


def test_heatmap_draws_every_observed_cell(log):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = cohorts_pandas(log)
    ax = retention_heatmap(table)
    assert len(ax.texts) == int(np.isfinite(table.to_numpy()).sum())
    assert ax.texts[0].get_text() == "100"
    plt.close(ax.figure)
