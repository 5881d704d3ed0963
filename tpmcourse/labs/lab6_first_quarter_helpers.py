"""Helpers for Lab 6, the capstone (``exercises/lab6_first_quarter.ipynb``).

The capstone plans a quarter from Larkspur's fact sheet, so the facts it
needs (the team, the committed migration and single sign-on work, the
quarter and the switch-off) are read here from ``course/larkspur.yml`` once,
never typed into the notebook: when the sheet changes, the lab follows.
The other helpers only show answers (lanes of a roadmap, the metric tree as
text); none of them computes a task's answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from tpmcourse import larkspur
from tpmcourse.validate import InputError, require_frame

__all__ = ["QuarterFacts", "lane_table", "quarter_facts", "tree_text"]

#: The roadmap's lanes, in the order a roadmap shows them.
LANES = ("now", "next", "later")


@dataclass(frozen=True)
class QuarterFacts:
    """What the fact sheet says about the quarter the capstone plans."""

    team: str  # the team whose backlog is planned
    team_engineers: int
    migration_start: date
    migration_engineers: int
    sso_engineers: int
    sso_weeks: float
    quarter_start: date
    quarter_end: date
    switch_off: date
    cpo: str  # the chief product officer, who reads the memo

    def as_table(self) -> pd.DataFrame:
        """The facts as a two-column table, for the notebook to show."""
        return pd.DataFrame({"fact": list(self.__dataclass_fields__),
                             "value": [getattr(self, name) for name in self.__dataclass_fields__]})


def _quarter(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    after = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def quarter_facts() -> QuarterFacts:
    """The capstone's facts, from ``course/larkspur.yml``: the quarter planned
    is the calendar quarter in which the processor migration starts."""
    facts = larkspur.facts()
    team = next(t for t in facts.teams if t.id == "payments-platform")
    if team.engineers is None:
        raise InputError("the fact sheet gives no engineer count for the Payments Platform team")
    migration = facts.estimates.processor_migration
    sso = facts.estimates.bramble_sso
    cpo = next(p.name for p in facts.cast if p.role.lower() == "chief product officer")
    start, end = _quarter(migration.start)
    return QuarterFacts(team.name, team.engineers, migration.start, migration.engineers, sso.engineers,
                        sso.duration_weeks, start, end, facts.timeline.processor_switch_off.date, cpo)


def lane_table(backlog: pd.DataFrame, lanes: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """A roadmap as one table: the backlog rows named in ``lanes``
    (``{"now": [...], "next": [...], "later": [...]}``), with their lane, in
    lane order and, within a lane, in the order given."""
    backlog = require_frame(backlog, "backlog", ("id", "title", "effort"))
    by_id = backlog.set_index("id")
    rows = []
    for lane in LANES:
        for position, item in enumerate(lanes.get(lane, ()), start=1):
            if item not in by_id.index:
                raise InputError(f"{item!r} in lane {lane!r} is not a backlog id")
            rows.append({"lane": lane, "position": position, "id": item,
                         "title": by_id.loc[item, "title"], "effort": by_id.loc[item, "effort"]})
    return pd.DataFrame(rows, columns=["lane", "position", "id", "title", "effort"])


def tree_text(north_star: str, inputs: Sequence[tuple[str, float]], guardrails: Sequence[str] = ()) -> str:
    """A metric tree as indented text, for a reader who cannot see a diagram:
    the north star, each input with its contribution, then the guardrails."""
    lines = [north_star]
    for name, contribution in inputs:
        shown = "n/a" if not math.isfinite(contribution) else f"{contribution:+.1f}"
        lines.append(f"  ├─ {name}: {shown}")
    lines.extend(f"  ╞═ guardrail: {g}" for g in guardrails)
    return "\n".join(lines)
