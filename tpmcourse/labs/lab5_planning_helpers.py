"""Delivery schedules as task networks: critical path, Monte Carlo forecasts
and working-day calendars.

A plan is a table with one row per task: an ``id``, three-point durations
(``optimistic``, ``most_likely``, ``pessimistic``) and ``predecessors``, the
ids of the tasks that must finish first, separated by ``;`` (empty when the
task can start at once). Tasks on parallel branches run at the same time, so
a project's length is the longest path through the network, not the sum of
its tasks. Under uncertainty the longest path changes from run to run, which
is why the chance of meeting a deadline has to be simulated, not added up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from graphlib import CycleError, TopologicalSorter

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from tpmcourse.validate import InputError, require_frame, require_int, require_number, require_numeric_column

__all__ = [
    "METHODS",
    "criticality",
    "critical_path",
    "draw_durations",
    "earliest_finish",
    "percentile_table",
    "plot_finish_distribution",
    "predecessors",
    "project_duration",
    "simulate",
    "topological_order",
    "working_day_date",
    "working_days_until",
]

#: How a Monte Carlo run draws one task's duration from its three points.
METHODS: tuple[str, ...] = ("triangular", "pert")
THREE_POINTS: tuple[str, str, str] = ("optimistic", "most_likely", "pessimistic")


def _plan(tasks: object, columns: Sequence[str] = ("id", "predecessors")) -> pd.DataFrame:
    """The task plan with these columns and one row per task id."""
    tasks = require_frame(tasks, "the task plan", columns)
    ids = tasks["id"].astype(str)
    if ids.duplicated().any():
        raise InputError(f"Task ids must be unique; repeated: {sorted(set(ids[ids.duplicated()]))}.")
    return tasks


def predecessors(tasks: pd.DataFrame, column: str = "predecessors") -> dict[str, list[str]]:
    """Each task's predecessors as a list of ids, read from ``"T01;T02"`` strings.

    Raises a clear error for an id that is not in the plan.
    """
    tasks = _plan(tasks, ("id", column))
    ids = [str(i) for i in tasks["id"]]
    known = set(ids)
    out: dict[str, list[str]] = {}
    for tid, raw in zip(ids, tasks[column], strict=True):
        text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
        preds = [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]
        unknown = [p for p in preds if p not in known]
        if unknown:
            raise InputError(f"Task {tid} depends on unknown task(s) {unknown}.")
        if tid in preds:
            raise InputError(f"Task {tid} cannot depend on itself.")
        out[tid] = preds
    return out


def topological_order(tasks: pd.DataFrame) -> list[str]:
    """Task ids ordered so that every task comes after its predecessors, wave
    by wave (``graphlib``): first the tasks that can start at once, then those
    that only waited for them, and so on; within a wave, the table's order.
    Raises ``ValueError`` naming a cycle."""
    preds = predecessors(tasks)
    row = {tid: k for k, tid in enumerate(preds)}
    sorter = TopologicalSorter(preds)
    try:
        sorter.prepare()
    except CycleError as cycle:
        raise InputError(f"The plan has a dependency cycle: {' -> '.join(cycle.args[1])}.") from None
    done: list[str] = []
    while sorter.is_active():
        wave = sorted(sorter.get_ready(), key=row.__getitem__)
        done.extend(wave)
        sorter.done(*wave)
    return done


def _durations(tasks: pd.DataFrame, durations: object) -> np.ndarray:
    values = durations.to_numpy() if isinstance(durations, (pd.Series, pd.DataFrame)) else durations
    array = np.asarray(values, dtype=float)
    if array.ndim not in (1, 2) or array.shape[-1] != len(tasks):
        raise InputError(
            f"Durations must have one value per task ({len(tasks)}) in the plan's row order, "
            f"as a 1-D array or a 2-D array with one row per simulation; got shape {array.shape}."
        )
    if not np.isfinite(array).all() or (array < 0).any():
        raise InputError("Durations must be finite and not negative.")
    return array


def earliest_finish(tasks: pd.DataFrame, durations: object) -> np.ndarray:
    """Forward pass: the earliest day each task can finish.

    ``durations`` holds one duration per task in the plan's row order: a 1-D
    array for one scenario, or a 2-D array (simulations x tasks) for many at
    once. A task starts when the last of its predecessors finishes.
    """
    array = _durations(tasks, durations)
    preds = predecessors(tasks)
    index = {tid: i for i, tid in enumerate(preds)}
    finish = np.zeros_like(array)
    for tid in topological_order(tasks):
        i = index[tid]
        start = np.zeros(array.shape[:-1]) if array.ndim == 2 else 0.0
        for p in preds[tid]:
            start = np.maximum(start, finish[..., index[p]])
        finish[..., i] = start + array[..., i]
    return finish


def project_duration(tasks: pd.DataFrame, durations: object) -> float | np.ndarray:
    """Length of the project: the latest finish over all tasks (one number
    for 1-D durations, one per simulation for 2-D)."""
    finish = earliest_finish(tasks, durations)
    return float(finish.max()) if finish.ndim == 1 else finish.max(axis=-1)


def _longest_paths(tasks: pd.DataFrame, array: np.ndarray) -> list[list[str]]:
    """The longest path of each scenario (each row of a 2-D array of
    durations), first task to last. The forward pass runs once for all
    scenarios; where two predecessors tie, the earlier row of the plan wins."""
    finish = earliest_finish(tasks, array)
    preds = predecessors(tasks)
    ids = list(preds)
    row = {tid: k for k, tid in enumerate(ids)}
    return [_path_ending(ends, preds, ids, row) for ends in finish]


def _path_ending(ends: np.ndarray, preds: dict[str, list[str]], ids: list[str], row: dict[str, int]) -> list[str]:
    """Back from the task that finishes last, the predecessor that finishes last, each time."""
    current = ids[int(np.argmax(ends))]
    path = [current]
    while preds[current]:
        current = max(preds[current], key=lambda p: (ends[row[p]], -row[p]))
        path.append(current)
    return path[::-1]


def critical_path(tasks: pd.DataFrame, durations: object) -> list[str]:
    """Ids of the tasks on the longest path, first to last, for one scenario
    (1-D durations). Where two predecessors tie, the earlier row wins."""
    array = _durations(tasks, durations)
    if array.ndim != 1:
        raise InputError("critical_path takes one scenario: a 1-D array of durations.")
    return _longest_paths(tasks, array[None, :])[0]


def criticality(tasks: pd.DataFrame, durations: object) -> pd.Series:
    """Share of simulations (2-D durations) in which each task is on the critical path."""
    array = _durations(tasks, durations)
    paths = _longest_paths(tasks, array[None, :] if array.ndim == 1 else array)
    counts = dict.fromkeys((str(i) for i in tasks["id"]), 0)
    for path in paths:
        for tid in path:
            counts[tid] += 1
    return pd.Series({k: v / len(paths) for k, v in counts.items()}, name="criticality")


def _three_points(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tasks = _plan(tasks, ("id", *THREE_POINTS))
    o, m, p = (require_numeric_column(tasks, name, "the task plan").to_numpy() for name in THREE_POINTS)
    if not ((o <= m) & (m <= p) & (o < p) & (o >= 0)).all():
        raise InputError("Each task needs 0 <= optimistic <= most_likely <= pessimistic, "
                         "with optimistic < pessimistic.")
    return o, m, p


def draw_durations(tasks: pd.DataFrame, n: int = 10_000, seed: int = 0,
                   method: str = "triangular") -> np.ndarray:
    """``n`` random durations for every task: an array of shape (n, tasks).

    ``"triangular"`` is one call,
    ``np.random.default_rng(seed).triangular(o, m, p, size=(n, len(tasks)))``,
    so a learner who makes that call gets exactly these numbers.
    ``"pert"`` draws from the PERT-beta distribution, whose mean is the PERT
    mean (o + 4m + p) / 6; the triangular mean (o + m + p) / 3 leans further
    into a long pessimistic tail.
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}.")
    n = require_int(n, "n", minimum=1)
    o, m, p = _three_points(tasks)
    rng = np.random.default_rng(seed)
    size = (n, len(o))
    if method == "triangular":
        return rng.triangular(o, m, p, size=size)
    alpha = 1 + 4 * (m - o) / (p - o)
    beta = 1 + 4 * (p - m) / (p - o)
    return o + (p - o) * rng.beta(alpha, beta, size=size)


def simulate(tasks: pd.DataFrame, n: int = 10_000, seed: int = 0,
             method: str = "triangular") -> np.ndarray:
    """Monte Carlo forecast: ``n`` simulated project lengths (the longest path
    of each run, so whichever branch is late that time sets the end)."""
    draws = draw_durations(tasks, n, seed, method)  # 2-D: one row per run
    return earliest_finish(tasks, draws).max(axis=-1)


def _day(value: object) -> np.datetime64:
    if not isinstance(value, (str, date, np.datetime64, int, float, np.integer)):
        raise InputError(f"Not a date: {value!r}.")
    try:
        return np.datetime64(pd.Timestamp(value).date(), "D")
    except (TypeError, ValueError) as exc:
        raise InputError(f"Not a date: {value!r}.") from exc


def working_days_until(start: object, end: object) -> int:
    """Working days (Monday to Friday) from ``start`` up to and including ``end``."""
    return int(np.busday_count(_day(start), _day(end) + np.timedelta64(1, "D")))


def working_day_date(start: object, days: float) -> pd.Timestamp:
    """The date on which work of ``days`` working days, begun on the morning
    of ``start``, is finished (end of that day). 1 day finishes on the start
    day; a fraction of a day counts as a whole day."""
    days = require_number(days, "days", minimum=0)
    first = np.busday_offset(_day(start), 0, roll="forward")
    steps = max(math.ceil(round(float(days), 9)) - 1, 0)
    return pd.Timestamp(np.busday_offset(first, steps, roll="forward"))


def percentile_table(sim_days: object, deadline_days: float, start: object,
                     levels: Sequence[int] = (10, 50, 85, 95)) -> pd.DataFrame:
    """The numbers behind a forecast chart: working days and finish date at
    each confidence level, and the chance of finishing by the deadline."""
    sims = np.asarray(sim_days, dtype=float)
    rows = []
    for level in levels:
        days = float(np.percentile(sims, level))
        rows.append({"confidence": f"{level}%", "working_days": round(days, 1),
                     "finished_by": working_day_date(start, days).date().isoformat()})
    on_time = float(np.mean(sims <= deadline_days))
    rows.append({"confidence": f"{on_time:.0%} (deadline)", "working_days": float(deadline_days),
                 "finished_by": working_day_date(start, deadline_days).date().isoformat()})
    return pd.DataFrame(rows)


def plot_finish_distribution(sim_days: object, deadline_days: float, ax: Axes | None = None,
                             confidence: float = 0.85, bins: int = 40) -> Axes:
    """Histogram of simulated project lengths with the cumulative share
    finished (right axis), a solid line at the deadline and a dashed line at
    the ``confidence`` level. Greys and line styles, so it reads without colour."""
    sims = np.asarray(sim_days, dtype=float)
    if sims.ndim != 1 or sims.size == 0 or not np.isfinite(sims).all():
        raise InputError("sim_days must be a non-empty 1-D array of finite durations.")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(sims, bins=bins, color="0.8", edgecolor="0.5")
    ax.set_xlabel("Project length (working days)")
    ax.set_ylabel("Simulations")
    cdf = ax.twinx()
    xs = np.sort(sims)
    curve, = cdf.plot(xs, np.arange(1, xs.size + 1) / xs.size, color="black", linewidth=1.5,
                      label="Share of runs finished (right axis)")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.4)  # headroom for the legend
    cdf.set_ylim(0, 1.4)
    cdf.set_yticks(np.linspace(0, 1, 6))
    cdf.set_ylabel("Share finished (cumulative)")
    on_time = float(np.mean(sims <= deadline_days))
    level = float(np.percentile(sims, confidence * 100))
    deadline = ax.axvline(deadline_days, color="black", linewidth=2.5,
                          label=f"Deadline, {deadline_days:g} days: {on_time:.0%} of runs on time")
    sure = ax.axvline(level, color="black", linestyle="--", linewidth=1.5,
                      label=f"{confidence:.0%} of runs finish within {level:.1f} days")
    cdf.legend(handles=[deadline, sure, curve], loc="upper left", fontsize=9, framealpha=1)
    return ax
