import datetime as dt

import matplotlib

matplotlib.use("Agg")
import pytest

from tpmcourse.teams import coverage_by_hour, overlap_matrix, plot_working_hours, working_slots

OFFICES = [
    ("San Francisco", "America/Los_Angeles", 9, 17),
    ("Dublin", "Europe/Dublin", 9, 17),
    ("Berlin", "Europe/Berlin", 9, 17),
    ("Bangalore", "Asia/Kolkata", 9, 17),
]
OCTOBER = dt.date(2025, 10, 15)  # all northern offices on summer time
MARCH = dt.date(2025, 3, 19)  # US on summer time, Europe not yet


def test_working_slots_offsets():
    t = working_slots(OFFICES, OCTOBER).set_index("office")
    assert t.loc["San Francisco", "utc_offset_h"] == -7
    assert t.loc["Bangalore", "utc_offset_h"] == 5.5
    assert t.loc["Bangalore", "utc_start_h"] == 3.5
    assert t.loc["Dublin", "utc_end_h"] == 16


def test_overlap_matrix_by_hand():
    m = overlap_matrix(OFFICES, OCTOBER)
    assert m.loc["Dublin", "Berlin"] == 7
    assert m.loc["Berlin", "Bangalore"] == 4.5
    assert m.loc["Dublin", "Bangalore"] == 3.5
    assert m.loc["San Francisco", "Dublin"] == 0
    assert m.loc["Bangalore", "Bangalore"] == 8


def test_daylight_saving_gap_changes_overlap():
    m = overlap_matrix(OFFICES, MARCH)
    assert m.loc["San Francisco", "Dublin"] == 1
    assert m.loc["Dublin", "Bangalore"] == 2.5


def test_wraparound_past_midnight_utc():
    offices = [("SF", "America/Los_Angeles", 8, 18), ("Dublin", "Europe/Dublin", 9, 17)]
    m = overlap_matrix(offices, dt.date(2025, 1, 15))  # SF 16:00-02:00 UTC
    assert m.loc["SF", "Dublin"] == 1
    cov = coverage_by_hour(offices, dt.date(2025, 1, 15)).set_index("utc")
    assert cov.loc["01:30", "who"] == "SF"
    assert cov.loc["02:00", "offices_working"] == 0


def test_coverage_counts():
    cov = coverage_by_hour(OFFICES, OCTOBER)
    assert len(cov) == 48
    assert cov["offices_working"].max() == 3
    assert (cov["offices_working"] == 0).sum() == 7  # 00:00-03:30 UTC


@pytest.mark.parametrize(
    "bad, exc",
    [
        (None, TypeError),
        ("Dublin", TypeError),
        ([], ValueError),
        ([("A", "Mars/Olympus", 9, 17)], ValueError),
        ([("A", "Europe/Dublin", 17, 9)], ValueError),
        ([("A", "Europe/Dublin", 9, float("nan"))], TypeError),
        ([("A", "Europe/Dublin", 9.25, 17)], ValueError),
        ([("A", "Europe/Dublin", 9)], TypeError),
        ([("A", "Europe/Dublin", 9, 17), ("A", "Europe/Berlin", 9, 17)], ValueError),
    ],
)
def test_bad_offices(bad, exc):
    with pytest.raises(exc):
        overlap_matrix(bad, OCTOBER)


def test_bad_date():
    with pytest.raises(TypeError):
        working_slots(OFFICES, "2025-10-15")


def test_plot_returns_axes_and_validates():
    ax = plot_working_hours(working_slots(OFFICES, OCTOBER), "t")
    assert ax.get_xlabel() == "Hour of the day (UTC)"
    with pytest.raises(TypeError):
        plot_working_hours(None, "t")
    with pytest.raises(ValueError):
        plot_working_hours(working_slots(OFFICES, OCTOBER).drop(columns="office"), "t")
