"""Time-zone overlap for distributed teams (Chapter 7).

Meeting windows depend on the date (daylight-saving changes move them), so
the offsets come from the IANA time-zone database, not from a hard-coded list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

SLOTS_PER_HOUR = 2  # half-hour resolution, enough for UTC+5:30 (India)
SLOTS = 24 * SLOTS_PER_HOUR


def _check_offices(offices: object) -> list[tuple[str, str, float, float]]:
    if offices is None:
        raise TypeError("offices is None: pass a list of (name, time zone, start hour, end hour).")
    if isinstance(offices, (str, bytes)) or not isinstance(offices, Sequence):
        raise TypeError(f"offices must be a list of tuples, got {type(offices).__name__}.")
    if not offices:
        raise ValueError("offices is empty: pass at least one office.")
    checked = []
    for entry in offices:
        if not isinstance(entry, (tuple, list)) or len(entry) != 4:
            raise TypeError(
                f"each office must be (name, time zone, start hour, end hour), got {entry!r}."
            )
        name, tz, start, end = entry
        if not isinstance(name, str) or not name:
            raise TypeError(f"office name must be a non-empty string, got {name!r}.")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, TypeError, ValueError):
            raise ValueError(f"{name}: unknown time zone {tz!r}; use an IANA name such as 'Europe/Dublin'.") from None
        for label, hour in (("start", start), ("end", end)):
            if isinstance(hour, bool) or not isinstance(hour, (int, float)) or hour != hour:
                raise TypeError(f"{name}: {label} hour must be a number, got {hour!r}.")
            if not 0 <= hour <= 24 or (hour * SLOTS_PER_HOUR) % 1:
                raise ValueError(f"{name}: {label} hour must be 0-24 in half hours, got {hour}.")
        if end <= start:
            raise ValueError(f"{name}: end hour {end} must be after start hour {start}.")
        checked.append((name, tz, float(start), float(end)))
    names = [c[0] for c in checked]
    if len(set(names)) != len(names):
        raise ValueError("office names must be unique.")
    return checked


def _utc_offset_hours(tz: str, on: dt.date) -> float:
    noon = dt.datetime(on.year, on.month, on.day, 12, tzinfo=ZoneInfo(tz))
    return noon.utcoffset().total_seconds() / 3600


def _check_date(on: object) -> dt.date:
    if not isinstance(on, dt.date):
        raise TypeError(f"on must be a datetime.date, got {type(on).__name__}.")
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
    return f"{int(hour) % 24:02d}:{int(round((hour % 1) * 60)):02d}"


def _slot_set(utc_start: float, utc_end: float) -> set[int]:
    first = int(round(utc_start * SLOTS_PER_HOUR))
    last = int(round(utc_end * SLOTS_PER_HOUR))
    return {s % SLOTS for s in range(first, last)}


def overlap_matrix(offices: Sequence[tuple[str, str, float, float]], on: dt.date) -> pd.DataFrame:
    """Hours of shared working time for every pair of offices on a date:
    the number a TPM needs before promising a daily stand-up across sites."""
    table = working_slots(offices, on)
    sets = {r.office: _slot_set(r.utc_start_h, r.utc_end_h) for r in table.itertuples()}
    names = list(sets)
    data = [[len(sets[a] & sets[b]) / SLOTS_PER_HOUR for b in names] for a in names]
    return pd.DataFrame(data, index=pd.Index(names, name="office"), columns=names)


def coverage_by_hour(offices: Sequence[tuple[str, str, float, float]], on: dt.date) -> pd.DataFrame:
    """For each half hour of the UTC day, how many offices are working and
    which: shows any window where everyone is in, and the gaps nobody covers."""
    table = working_slots(offices, on)
    sets = {r.office: _slot_set(r.utc_start_h, r.utc_end_h) for r in table.itertuples()}
    rows = []
    for slot in range(SLOTS):
        who = [name for name, s in sets.items() if slot in s]
        rows.append({"utc": _fmt(slot / SLOTS_PER_HOUR), "offices_working": len(who), "who": ", ".join(who)})
    return pd.DataFrame(rows)


def plot_working_hours(table: pd.DataFrame, title: str, ax=None):
    """Horizontal bars of each office's working hours on a 0-24 UTC axis,
    labelled in text so the chart does not rely on colour. Returns the Axes."""
    import matplotlib.pyplot as plt

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be the DataFrame from working_slots(), got {type(table).__name__}.")
    missing = {"office", "local_hours", "utc_start_h", "utc_end_h"} - set(table.columns)
    if missing:
        raise ValueError(f"table is missing columns {sorted(missing)}: pass working_slots() output.")
    if table.empty:
        raise ValueError("table is empty: there are no offices to draw.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(table) + 1.6))
    hatches = ["//", "..", "xx", "\\\\", "--", "++"]
    for i, row in enumerate(table.itertuples()):
        start, end = row.utc_start_h, row.utc_end_h
        spans = [(start, min(end, 24) - start)] + ([(0, end - 24)] if end > 24 else [])
        ax.broken_barh(spans, (i - 0.35, 0.7), facecolors="white", edgecolors="black",
                       hatch=hatches[i % len(hatches)])
        ax.text(spans[0][0] + 0.15, i, f"{row.local_hours} local",
                va="center", fontsize=9, backgroundcolor="white")
    ax.set_yticks(range(len(table)), table["office"])
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 2))
    ax.set_xlabel("Hour of the day (UTC)")
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.grid(axis="x", linestyle=":")
    ax.set_title(title)
    return ax
