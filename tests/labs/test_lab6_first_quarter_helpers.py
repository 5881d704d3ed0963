"""Unit tests for tpmcourse.labs.lab6_first_quarter_helpers: the capstone's
facts come from the fact sheet, quarters are calendar quarters, and the
display helpers show what they are given."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tpmcourse import larkspur
from tpmcourse.labs import lab6_first_quarter_helpers as h
from tpmcourse.validate import InputError


def test_facts_come_from_the_sheet():
    sheet = larkspur.facts()
    f = h.quarter_facts()
    migration = sheet.estimates.processor_migration
    assert f.migration_start == migration.start and f.migration_engineers == migration.engineers
    assert f.sso_engineers == sheet.estimates.bramble_sso.engineers
    assert f.switch_off == sheet.timeline.processor_switch_off.date
    assert f.team_engineers == next(t.engineers for t in sheet.teams if t.id == "payments-platform")
    assert f.quarter_start <= f.migration_start <= f.quarter_end
    assert f.cpo in {p.name for p in sheet.cast}
    table = f.as_table()
    assert list(table.columns) == ["fact", "value"] and "switch_off" in set(table["fact"])


@pytest.mark.parametrize("day, first, last", [
    (date(2026, 2, 23), date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30)),
    (date(2025, 11, 5), date(2025, 10, 1), date(2025, 12, 31)),
    (date(2025, 7, 1), date(2025, 7, 1), date(2025, 9, 30)),
])
def test_quarters_are_calendar_quarters(day, first, last):
    assert h._quarter(day) == (first, last)


def test_lane_table_keeps_lane_and_given_order():
    backlog = pd.DataFrame({"id": ["B-01", "B-02", "B-03"], "title": ["a", "b", "c"], "effort": [1, 2, 3]})
    table = h.lane_table(backlog, {"later": ["B-01"], "now": ["B-03", "B-02"]})
    assert list(table["id"]) == ["B-03", "B-02", "B-01"]
    assert list(table["lane"]) == ["now", "now", "later"] and list(table["position"]) == [1, 2, 1]
    with pytest.raises(InputError, match="not a backlog id"):
        h.lane_table(backlog, {"now": ["B-99"]})
    with pytest.raises(InputError):
        h.lane_table(pd.DataFrame({"id": ["B-01"]}), {"now": ["B-01"]})


def test_tree_text_shows_signs_and_guardrails():
    text = h.tree_text("north star", [("a", 2.04), ("b", -1.0), ("c", float("nan"))], ["g"])
    assert text.splitlines() == ["north star", "  ├─ a: +2.0", "  ├─ b: -1.0", "  ├─ c: n/a", "  ╞═ guardrail: g"]
