"""Larkspur's canonical facts, read from ``course/larkspur.yml``.

Chapters, labs and the running-example page read the fictional company's
figures from here instead of repeating literals, so that they cannot drift
apart::

    from tpmcourse.larkspur import facts
    facts().metrics["p99_latency_ms"].value      # 565
    facts().person("Lena").role                   # 'Head of privacy and ...'

``python -m tpmcourse.larkspur --write-page`` regenerates the marked block of
``course/running-example.md`` from the same file (``--check`` reports drift).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tpmcourse.paths import COURSE

FACTS_FILE = COURSE / "larkspur.yml"
PAGE_FILE = COURSE / "running-example.md"
START, END = "<!-- facts:start -->", "<!-- facts:end -->"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Company(_Strict):
    name: str
    founded: int
    employees: int
    markets: list[str]
    customers: str
    active_merchants: int
    invoices_per_month: int
    developer_partners: int
    regions: list[str]
    north_star: str


class Team(_Strict):
    id: str
    name: str
    lead: str | None = None
    engineers: int | None = None
    owns: list[str] = Field(default_factory=list)


class Person(_Strict):
    name: str
    role: str
    role_words: list[str]
    team: str | None = None

    @property
    def first(self) -> str:
        return self.name.split()[0]


class Product(_Strict):
    name: str
    does: str
    users: str


class Service(_Strict):
    name: str
    what: str


class Objective(_Strict):
    value: float
    unit: str
    window: str | None = None
    percentile: str | None = None


class Historical(_Strict):
    value: float | str
    when: str


class Also(_Strict):
    value: float | str
    why: str


class Metric(_Strict):
    """A figure the prose states, with the regular expressions that find it.

    Each pattern has one group, the figure (digits, or a number word such as
    "nine"); ``patterns_seconds`` are read in seconds and converted to the
    metric's unit (ms). ``tolerance`` is relative (0.05 accepts 5% either way).
    """
    label: str
    value: float | str
    unit: str
    window: str | None = None
    patterns: list[str]
    patterns_seconds: list[str] = Field(default_factory=list)
    historical: list[Historical] = Field(default_factory=list)
    also: list[Also] = Field(default_factory=list)
    skip: str | None = None
    tolerance: float = 0.0

    @model_validator(mode="after")
    def _patterns_compile(self) -> Metric:
        for p in [*self.patterns, *self.patterns_seconds, *([self.skip] if self.skip else [])]:
            try:
                compiled = re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a regular expression: {exc}") from exc
            if p != self.skip and compiled.groups != 1:
                raise ValueError(f"pattern {p!r} must have exactly one group (the number)")
        return self

    def accepted(self) -> list[float | str]:
        return [self.value, *(h.value for h in self.historical), *(a.value for a in self.also)]

    def agrees(self, found: float | str) -> bool:
        """Whether a figure found in the prose is this metric's value, a declared
        historical value or another declared figure."""
        for ok in self.accepted():
            if isinstance(ok, str) or isinstance(found, str):
                if str(found).strip().lower() == str(ok).strip().lower():
                    return True
            elif abs(found - ok) <= self.tolerance * abs(ok) + 1e-9:
                return True
        return False


class Contradiction(_Strict):
    """A claim the fact sheet rules out, found by a regular expression."""
    pattern: str
    why: str


class DataConflict(_Strict):
    """A figure that a lab's generated data encodes and that differs from the
    sheet; the guard test tolerates it only in the named file."""
    file: str
    check: str
    value: float | str
    why: str


class SwitchOff(_Strict):
    date: dt.date
    what: str
    months_from_chapter_2: int
    weeks_from_chapter_2: int


class Bramble(_Strict):
    locations: int
    sso_users: int
    value_per_year_usd: int
    deadline: str
    pilot_locations: int
    pilot_live: str
    sso: str
    multi_location: str


class EuResidency(_Strict):
    what: str
    when: str


class Timeline(_Strict):
    processor_switch_off: SwitchOff
    bramble: Bramble
    eu_residency: EuResidency


class FirstEstimate(_Strict):
    when: str
    most_likely_weeks: float
    pert_mean_weeks: float


class Migration(_Strict):
    backlog_id: str
    engineers: int
    effort_person_weeks: float
    duration_working_days: int
    start: dt.date
    planned_finish: dt.date
    slack_working_days: int
    first_estimate: FirstEstimate
    recommended_option: str
    recommendation: str


class SsoEstimate(_Strict):
    engineers: int
    duration_weeks: float


class Estimates(_Strict):
    processor_migration: Migration
    bramble_sso: SsoEstimate


class Facts(_Strict):
    company: Company
    joined: dt.date
    teams: list[Team]
    cast: list[Person]
    other_people: list[Person]
    products: list[Product]
    services: list[Service]
    objectives: dict[str, Objective]
    metrics: dict[str, Metric]
    checks: dict[str, Metric] = Field(default_factory=dict)
    contradictions: list[Contradiction] = Field(default_factory=list)
    data_conflicts: list[DataConflict] = Field(default_factory=list)
    latency_budget_ms: dict[str, int]
    timeline: Timeline
    estimates: Estimates
    allowed_names: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> Facts:
        team_ids = {t.id for t in self.teams}
        firsts: dict[str, str] = {}
        for p in [*self.cast, *self.other_people]:
            if p.team is not None and p.team not in team_ids:
                raise ValueError(f"{p.name}: team {p.team!r} is not one of {sorted(team_ids)}")
            if p.first in firsts:
                raise ValueError(f"first name {p.first!r} is used by both {firsts[p.first]} and {p.name}")
            firsts[p.first] = p.name
        for conflict in self.data_conflicts:
            if conflict.check not in self.checks and conflict.check not in self.metrics:
                raise ValueError(f"data_conflicts: {conflict.check!r} is not a metric or check")
        for claim in self.contradictions:
            re.compile(claim.pattern)
        names = {p.name for p in self.cast}
        for t in self.teams:
            if t.lead is not None and t.lead not in names:
                raise ValueError(f"team {t.id}: lead {t.lead!r} is not in the cast")
        return self

    def person(self, name: str) -> Person:
        """A cast member or other person by full or first name."""
        for p in [*self.cast, *self.other_people]:
            if name in (p.name, p.first):
                return p
        raise KeyError(f"{name!r} is not in {FACTS_FILE.name}'s cast")

    def team(self, team_id: str) -> Team:
        return next(t for t in self.teams if t.id == team_id)


class FactsError(ValueError):
    """The fact sheet is missing or does not match the schema."""


def load(path: Path = FACTS_FILE) -> Facts:
    """Read and validate a fact sheet; errors name the file and the field."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FactsError(f"{path}: the Larkspur fact sheet is missing") from exc
    except yaml.YAMLError as exc:
        raise FactsError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return Facts.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"field {'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors())
        raise FactsError(f"{path}: {problems}") from None


@lru_cache(maxsize=1)
def facts() -> Facts:
    """The course's fact sheet, read once."""
    return load(FACTS_FILE)


# ---------------------------------------------------------------- the page

def _n(x: float | str) -> str:
    if isinstance(x, str):
        return x
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows)]


def render_block(f: Facts | None = None) -> str:
    """The generated part of the running-example page (between the markers)."""
    f = f or facts()
    c, tl, mig = f.company, f.timeline, f.estimates.processor_migration
    b, so = tl.bramble, tl.processor_switch_off
    m = f.metrics
    out = [START,
           ("<!-- Generated from course/larkspur.yml by `python -m tpmcourse.larkspur --write-page`;"
           " edit the YAML, not this block. -->"), "",
           "## The company", "",
           (f"**{c.name}** sells a payments and invoicing platform to {c.customers} in "
           f"{', '.join('the ' + x for x in c.markets[:-1])} and the {c.markets[-1]}. It was founded in {c.founded}, "
           f"employs about {c.employees} people, and serves roughly {_n(c.active_merchants)} active "
           f"merchants who send about {c.invoices_per_month / 1e6:.1f} million invoices a month."), ""]
    out += _table(["Product", "What it does", "Who uses it"],
                  [[p.name, p.does, p.users] for p in f.products])
    out += ["", "## The platform", "",
            (f"Production runs in two cloud regions ({' and '.join(c.regions)}). The services you will "
            "meet by name:"), ""]
    out += _table(["Service", "What it is"], [[f"`{s.name}`", s.what] for s in f.services])
    av, lat = f.objectives["availability_slo"], f.objectives["latency_slo"]
    out += ["", (f"The payments API promises {av.value:g}% availability per {av.window} and a "
            f"{lat.percentile} latency under {lat.value:g} {lat.unit}."), "",
            "## Key figures", ""]
    rows = []
    for metric in m.values():
        hist = "; ".join(f"{_n(h.value)} {metric.unit} in {h.when}" for h in metric.historical)
        rows.append([metric.label, f"{_n(metric.value)} {metric.unit}", metric.window or "—", hist or "—"])
    out += _table(["Figure", "Value", "Measured", "Earlier"], rows)
    total = sum(f.latency_budget_ms.values())
    out += ["", (f"The p95 latency budget for *create payment* ({total} ms of the "
            f"{lat.value:g} ms objective, the rest in reserve):"), ""]
    out += _table(["Component", "Budget (ms)"], [[k, str(v)] for k, v in f.latency_budget_ms.items()])
    out += ["", "## You, and the people around you", "",
            (f"You joined in {f.joined:%B %Y} as the **technical product manager for the "
            "Payments Platform**: the API, the ledger, the risk-scoring service and the "
            "infrastructure under them. You work most closely with:"), ""]
    out += _table(["Person", "Role", "Team"],
                  [[p.name, p.role, f.team(p.team).name if p.team else "—"] for p in f.cast])
    out += ["", "Teams and sizes:", ""]
    out += _table(["Team", "Lead", "Size"],
                  [[t.name, t.lead or "—", f"{t.engineers} engineers" if t.engineers else "—"]
                   for t in f.teams if t.lead])
    out += ["", "## Timeline and estimates", "",
            (f"- **Processor switch-off:** {so.date:%d %B %Y}. {so.what}: "
            f"{so.months_from_chapter_2} months ({so.weeks_from_chapter_2} weeks) after your third week."),
            (f"- **The migration:** {mig.engineers} engineers, about {_n(mig.effort_person_weeks)} "
            f"person-weeks of effort; planned {mig.duration_working_days} working days from "
            f"{mig.start:%d %B %Y} to {mig.planned_finish:%d %B %Y}, leaving "
            f"{mig.slack_working_days} working days of slack. The first estimate, in "
            f"{mig.first_estimate.when}, was {_n(mig.first_estimate.most_likely_weeks)} weeks most likely "
            f"({mig.first_estimate.pert_mean_weeks} weeks PERT mean)."),
            f"- **Recommended sequencing:** {mig.recommendation}",
            (f"- **Bramble Bakeries:** {b.locations} locations and {_n(b.sso_users)} staff who will sign in "
            f"with SSO, worth about \\${_n(b.value_per_year_usd)} a year; needs multi-location invoicing and "
            f"single sign-on by the {b.deadline}. Pilot: {b.pilot_locations} locations, live in "
            f"{b.pilot_live}. SSO: {b.sso[0].lower() + b.sso[1:]}. Multi-location invoicing: "
            f"{b.multi_location[0].lower() + b.multi_location[1:]}."),
            f"- **EU data residency:** {tl.eu_residency.what}. {tl.eu_residency.when}.",
            "", END]
    return "\n".join(out)


def write_page(page: Path = PAGE_FILE, f: Facts | None = None) -> str:
    """The page text with the marked block regenerated."""
    text = page.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise FactsError(f"{page}: the markers {START} and {END} are missing")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return before + render_block(f) + after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tpmcourse.larkspur", description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write-page", action="store_true", help="rewrite course/running-example.md")
    group.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = parser.parse_args(argv)
    new = write_page()
    if args.check:
        if new != PAGE_FILE.read_text(encoding="utf-8"):
            print(f"{PAGE_FILE} is out of date: run python -m tpmcourse.larkspur --write-page")
            return 1
        return 0
    PAGE_FILE.write_text(new, encoding="utf-8")
    print(f"wrote {PAGE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
