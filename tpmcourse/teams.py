"""Time-zone overlap for distributed teams (Chapter 7).

Meeting windows depend on the date (daylight-saving changes move them), so
the offsets come from the IANA time-zone database, not from a hard-coded list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from tpmcourse import validate as v

SLOTS_PER_HOUR = 2  # half-hour resolution, enough for UTC+5:30 (India)
SLOTS = 24 * SLOTS_PER_HOUR


def _check_offices(offices: object) -> list[tuple[str, str, float, float]]:
    """Offices as (name, IANA time zone, start hour, end hour), hours on the half hour, names unique."""
    checked = []
    for i, entry in enumerate(v.require_sequence(offices, "offices")):
        if not isinstance(entry, (tuple, list)) or len(entry) != 4:
            raise v.InputError(f"offices[{i}] should be (name, time zone, start hour, end hour), "
                               f"e.g. ('Dublin', 'Europe/Dublin', 9, 17); got {entry!r}.")
        name, tz, start, end = entry
        v.require_text(name, f"offices[{i}] name")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, TypeError, ValueError):
            raise v.InputError(f"{name}: unknown time zone {tz!r}; use an IANA name such as 'Europe/Dublin'.") from None
        for label, hour in (("start", start), ("end", end)):
            hour = v.require_number(hour, f"{name}: {label} hour", minimum=0, maximum=24)
            if (hour * SLOTS_PER_HOUR) % 1:
                raise v.InputError(f"{name}: {label} hour must be on the hour or half hour (e.g. 9.5), got {hour:g}.")
        if end <= start:
            raise v.InputError(f"{name}: end hour {end} must be after start hour {start}.")
        checked.append((name, tz, float(start), float(end)))
    names = [c[0] for c in checked]
    if len(set(names)) != len(names):
        raise v.InputError(f"office names must be unique; {sorted({n for n in names if names.count(n) > 1})} "
                           "appear more than once.")
    return checked


def _utc_offset_hours(tz: str, on: dt.date) -> float:
    noon = dt.datetime(on.year, on.month, on.day, 12, tzinfo=ZoneInfo(tz))
    offset = noon.utcoffset()
    assert offset is not None  # an aware datetime (ZoneInfo) always has an offset
    return offset.total_seconds() / 3600


def _check_date(on: object) -> dt.date:
    if not isinstance(on, dt.date):
        raise v.InputError(f"on should be a datetime.date such as dt.date(2025, 10, 15), not {type(on).__name__}.")
    return on


def working_slots(offices: Sequence[tuple[str, str, float, float]], on: dt.date) -> pd.DataFrame:
    """Each office's working day in UTC on a given date, as UTC start/end hours
    (end may pass 24, meaning it runs into the next UTC day)."""
    on = _check_date(on)
    rows = []
    for name, tz, start, end in _check_offices(offices):
        offset = _utc_offset_hours(tz, on)
        utc_start = (start - offset) % 24
        rows.append(
            {
                "office": name,
                "time_zone": tz,
                "utc_offset_h": offset,
                "local_hours": f"{_fmt(start)}-{_fmt(end)}",
                "utc_start_h": utc_start,
                "utc_end_h": utc_start + (end - start),
            }
        )
    return pd.DataFrame(rows)


def _fmt(hour: float) -> str:
    return f"{int(hour) % 24:02d}:{round((hour % 1) * 60):02d}"


def _slot_set(utc_start: float, utc_end: float) -> set[int]:
    first = round(utc_start * SLOTS_PER_HOUR)
    last = round(utc_end * SLOTS_PER_HOUR)
    return {s % SLOTS for s in range(first, last)}


def _office_slots(table: pd.DataFrame) -> dict[str, set[int]]:
    """Office name -> the UTC half-hour slots it works, from a working_slots() table."""
    return {
        str(office): _slot_set(start, end)
        for office, start, end in zip(
            table["office"], table["utc_start_h"].to_numpy(float), table["utc_end_h"].to_numpy(float), strict=True
        )
    }


def overlap_matrix(offices: Sequence[tuple[str, str, float, float]], on: dt.date) -> pd.DataFrame:
    """Hours of shared working time for every pair of offices on a date:
    the number a TPM needs before promising a daily stand-up across sites."""
    sets = _office_slots(working_slots(offices, on))
    names = list(sets)
    data = [[len(sets[a] & sets[b]) / SLOTS_PER_HOUR for b in names] for a in names]
    return pd.DataFrame(data, index=pd.Index(names, name="office"), columns=names)


def coverage_by_hour(offices: Sequence[tuple[str, str, float, float]], on: dt.date) -> pd.DataFrame:
    """For each half hour of the UTC day, how many offices are working and
    which: shows any window where everyone is in, and the gaps nobody covers."""
    sets = _office_slots(working_slots(offices, on))
    rows = []
    for slot in range(SLOTS):
        who = [name for name, s in sets.items() if slot in s]
        rows.append({"utc": _fmt(slot / SLOTS_PER_HOUR), "offices_working": len(who), "who": ", ".join(who)})
    return pd.DataFrame(rows)


def plot_working_hours(table: pd.DataFrame, title: str, ax=None):
    """Horizontal bars of each office's working hours on a 0-24 UTC axis,
    labelled in text so the chart does not rely on colour. Returns the Axes."""
    import matplotlib.pyplot as plt

    v.require_frame(table, "table (the output of working_slots())",
                    ["office", "local_hours", "utc_start_h", "utc_end_h"])
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(table) + 1.6))
    hatches = ["//", "..", "xx", "\\\\", "--", "++"]
    starts, ends = table["utc_start_h"].to_numpy(float), table["utc_end_h"].to_numpy(float)
    rows = zip(starts, ends, table["local_hours"], strict=True)
    for i, (start, end, local_hours) in enumerate(rows):
        spans = [(start, min(end, 24) - start)] + ([(0, end - 24)] if end > 24 else [])
        ax.broken_barh(spans, (i - 0.35, 0.7), facecolors="white", edgecolors="black",
                       hatch=hatches[i % len(hatches)])
        ax.text(spans[0][0] + 0.15, i, f"{local_hours} local",
                va="center", fontsize=9, backgroundcolor="white")
    ax.set_yticks(range(len(table)), table["office"])
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 2))
    ax.set_xlabel("Hour of the day (UTC)")
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.grid(axis="x", linestyle=":")
    ax.set_title(title)
    return ax
