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


@pytest.mark.parametrize(
    ("office", "column", "expected"),
    [("San Francisco", "utc_offset_h", -7), ("Bangalore", "utc_offset_h", 5.5), ("Bangalore", "utc_start_h", 3.5),
     ("Dublin", "utc_end_h", 16)],
)
def test_working_slots_offsets(office, column, expected):
    assert working_slots(OFFICES, OCTOBER).set_index("office").loc[office, column] == expected


@pytest.mark.parametrize(
    ("on", "pair", "hours"),
    [
        (OCTOBER, ("Dublin", "Berlin"), 7),
        (OCTOBER, ("Berlin", "Bangalore"), 4.5),
        (OCTOBER, ("Dublin", "Bangalore"), 3.5),
        (OCTOBER, ("San Francisco", "Dublin"), 0),
        (OCTOBER, ("Bangalore", "Bangalore"), 8),
        (MARCH, ("San Francisco", "Dublin"), 1),  # daylight saving: the US has moved, Europe not yet
        (MARCH, ("Dublin", "Bangalore"), 2.5),
    ],
)
def test_overlap_matrix_by_hand(on, pair, hours):
    assert overlap_matrix(OFFICES, on).loc[pair] == hours


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
    ("bad", "exc", "says"),
    [
        (None, TypeError, "offices should be a list or an array, not None"),
        ("Dublin", TypeError, "offices should be a list or an array, not text"),
        ([], ValueError, "offices is empty"),
        ([("A", "Mars/Olympus", 9, 17)], ValueError, "A: unknown time zone 'Mars/Olympus'"),
        ([("A", "Europe/Dublin", 17, 9)], ValueError, "A: end hour 9 must be after start hour 17"),
        ([("A", "Europe/Dublin", 9, float("nan"))], TypeError, "A: end hour is NaN"),
        ([("A", "Europe/Dublin", 9.25, 17)], ValueError, "A: start hour must be on the hour or half hour"),
        ([("A", "Europe/Dublin", 9)], TypeError, "offices[0] should be (name, time zone, start hour, end hour)"),
        ([("A", "Europe/Dublin", 9, 17), ("A", "Europe/Berlin", 9, 17)], ValueError, "office names must be unique"),
    ],
)
def test_bad_offices(bad, exc, says):
    with pytest.raises(exc) as info:
        overlap_matrix(bad, OCTOBER)
    assert says in str(info.value)


def test_bad_date():
    with pytest.raises(TypeError):
        working_slots(OFFICES, "2025-10-15")  # type: ignore[arg-type]  # wrong type on purpose


def test_plot_returns_axes_and_validates():
    ax = plot_working_hours(working_slots(OFFICES, OCTOBER), "t")
    assert ax.get_xlabel() == "Hour of the day (UTC)"
    with pytest.raises(TypeError):
        plot_working_hours(None, "t")  # type: ignore[arg-type]  # wrong type on purpose
    with pytest.raises(ValueError):
        plot_working_hours(working_slots(OFFICES, OCTOBER).drop(columns="office"), "t")
