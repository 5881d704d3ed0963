"""The class report: one self-contained HTML page an instructor looks at
after grading (``grades_report.html`` beside ``grades.csv``).

It shows, per lab, how scores are distributed, which tasks and learning
objectives the class passed, the hints the checks gave most often (the
class's misconceptions: identical failing messages grouped per task, numbers
taken out so "yours is 0.41" and "yours is 0.39" count together), the
submissions that need a look, and a link to every student's feedback file.

Like the book, the page loads nothing from anywhere: inline CSS, charts as
inline SVG drawn here, no script at all (a Content-Security-Policy says so
too). It follows the reader's light or dark setting, and every chart has a
text alternative and its numbers in a table beside it. All text a student
controls is escaped.
"""

from __future__ import annotations

import html
import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING
from urllib.parse import quote

from tpmcourse import labs
from tpmcourse.instructor.grade.report import SCORED, STATUSES, Grade, clean_text, write_atomically

if TYPE_CHECKING:
    from tpmcourse import checks

NUMBER = re.compile(r"(?<![A-Za-z_\d])[-+−]?(?:\d[\d,_]*)?\.?\d+(?:[eE][-+]?\d+)?")
TOP_HINTS = 8  # hints shown per lab
UNANSWERED = " is not answered yet."  # the checks' message for an answer left as `...`
# No script, nothing from the network: even text that slipped through escaping could not run or load.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


# --- the numbers --------------------------------------------------------------------


@dataclass
class Bin:
    label: str
    count: int


@dataclass
class Rate:
    """How many of the scored submissions passed a task or an objective."""
    key: str
    label: str
    passed: int
    attempted: int
    detail: str = ""
    unanswered: int = 0  # failed because the answer was left as the placeholder

    @property
    def share(self) -> float:
        return self.passed / self.attempted if self.attempted else 0.0


@dataclass
class Hint:
    task: str  # task id
    title: str
    pattern: str  # the message with its numbers replaced by #
    example: str  # one message as a student saw it
    count: int
    students: int


@dataclass
class LabStats:
    id: str
    title: str
    possible: int
    scores: list[int]
    bins: list[Bin]
    tasks: list[Rate]
    hints: list[Hint]

    @property
    def summary(self) -> dict[str, float]:
        if not self.scores:
            return {}
        return {"mean": statistics.fmean(self.scores), "median": statistics.median(self.scores),
                "min": min(self.scores), "max": max(self.scores)}


@dataclass
class ClassStats:
    students: list[str]
    counts: dict[str, int]
    labs: list[LabStats]
    objectives: list[Rate]
    attention: list[Grade]
    absent: list[str] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)


def normalise_hint(message: str, title: str = "") -> str:
    """A failing message with the task's title and every number taken out."""
    text = clean_text(message)
    if title and text.startswith(f"{title}:"):
        text = text[len(title) + 1:].strip()
    return re.sub(r"\s+", " ", NUMBER.sub("#", text)).strip()


def _bins(scores: list[int], possible: int) -> list[Bin]:
    """One bar per point up to 20 points; ten bars of 10 % above that."""
    if possible <= 20:
        counts = Counter(min(max(s, 0), possible) for s in scores)
        return [Bin(str(p), counts.get(p, 0)) for p in range(possible + 1)]
    counts = Counter(min(int(10 * s / possible), 9) if possible else 0 for s in scores)
    return [Bin(f"{10 * b}–{10 * b + 9 if b < 9 else 100} %", counts.get(b, 0)) for b in range(10)]


def _objective_texts() -> dict[str, str]:
    """Objective label → its text, from the chapters; empty if they cannot be read."""
    try:
        from tpmcourse.content import assessment, notebooks

        return {o.label: o.text for path in assessment.chapter_files()
                for o in notebooks.objectives(notebooks.read(path))}
    except Exception:
        return {}


def class_stats(grades: list[Grade], absent: list[str] | None = None,
                objective_texts: dict[str, str] | None = None) -> ClassStats:
    """Everything the page shows, computed from the grades alone."""
    scored = [g for g in grades if g.status in SCORED and g.lab and g.results]
    known = {lab.id: lab for lab in labs.labs()}
    lab_ids = sorted({g.lab for g in scored}, key=lambda i: (list(known).index(i) if i in known else 99, i))
    lab_stats = []
    for lab_id in lab_ids:
        rows = [g for g in scored if g.lab == lab_id]
        tasks: dict[str, checks.Task] = {}
        for g in rows:
            for r in g.results:
                tasks.setdefault(r.task.id, r.task)
        possible = max(g.possible for g in rows)
        scores = [g.total for g in rows]
        rates = []
        hints: list[Hint] = []
        for task in tasks.values():
            results = [(g, r) for g in rows for r in g.results if r.task.id == task.id]
            detail = "form only; content graded with the rubric" if task.kind == "written" else \
                f"{task.points} point{'s' if task.points != 1 else ''}"
            unanswered = sum(not r.passed and UNANSWERED in r.message for _, r in results)
            rates.append(Rate(task.id, task.title, sum(r.passed for _, r in results), len(results), detail,
                              unanswered))
            groups: dict[str, list[tuple[Grade, str]]] = {}
            for g, r in results:
                if not r.passed and UNANSWERED not in r.message:  # a placeholder is no misconception
                    shown = clean_text(r.message)
                    if shown.startswith(f"{task.title}:"):
                        shown = shown[len(task.title) + 1:].strip()
                    groups.setdefault(normalise_hint(r.message, task.title), []).append((g, shown))
            for pattern, items in groups.items():
                hints.append(Hint(task.id, task.title, pattern, items[0][1], len(items),
                                  len({g.student for g, _ in items})))
        order = {t: i for i, t in enumerate(tasks)}
        hints.sort(key=lambda h: (-h.count, order[h.task], h.pattern))
        title = known[lab_id].title if lab_id in known else lab_id
        lab_stats.append(LabStats(lab_id, title, possible, scores, _bins(scores, possible), rates,
                                  hints[:TOP_HINTS]))
    texts = _objective_texts() if objective_texts is None else objective_texts
    by_objective: dict[str, list[tuple[str, bool]]] = {}
    task_names: dict[str, list[str]] = {}
    for g in scored:
        for r in g.results:
            if r.task.objective:
                by_objective.setdefault(r.task.objective, []).append((r.task.id, r.passed))
                names = task_names.setdefault(r.task.objective, [])
                name = f"{r.task.title} ({r.task.id.split('.')[0]})"
                if name not in names:
                    names.append(name)
    objectives = [Rate(label, texts.get(label, ""), sum(p for _, p in items), len(items),
                       "; ".join(task_names[label])) for label, items in sorted(by_objective.items())]
    attention = sorted((g for g in grades if g.status != "graded" or g.message),
                       key=lambda g: (g.status == "skipped", g.student, g.lab, g.file))
    counts = dict.fromkeys(STATUSES, 0)
    for g in grades:
        counts[g.status] = counts.get(g.status, 0) + 1
    return ClassStats(sorted({g.student for g in grades}), counts, lab_stats, objectives, attention,
                      list(absent or []), list(grades))


# --- the page ---------------------------------------------------------------------------

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>$title</title>
<style>
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1c1f; --muted: #4a5260; --line: #c9ced6;
  --bar: #2457a6; --bar2: #8fb0e0; --pass: #1c6b36; --fail: #a4251c; --warn: #7a4d00; --link: #0b4fb3;
  --panel: #f3f5f8; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15171b; --fg: #e7e9ee; --muted: #b3bac6; --line: #454b55; --bar: #7fb0ff; --bar2: #3d5f95;
    --pass: #8ed6a4; --fail: #ffb4ab; --warn: #f5c26b; --link: #9cc3ff; --panel: #1f2329; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--line); }
h3 { margin-top: 1.75rem; }
p.meta, .muted { color: var(--muted); }
a { color: var(--link); }
a:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; padding: 0;
  list-style: none; }
.cards li { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: .6rem .8rem; }
.cards strong { display: block; font-size: 1.6rem; }
.figure { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.25fr); gap: 1.5rem; align-items: start; }
@media (max-width: 60rem) { .figure { grid-template-columns: 1fr; } }
svg { width: 100%; max-width: 40rem; height: auto; display: block; margin: .5rem 0; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg .axis { stroke: var(--line); } svg .bar { fill: var(--bar); } svg .track { fill: var(--panel); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
th[scope="row"] { font-weight: normal; } th[scope="row"] strong { font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; } .wrap { overflow-wrap: anywhere; }
table.wide { width: auto; } table.wide th, table.wide td { padding: .25rem .45rem; }
.status-graded { color: var(--pass); } .status-error, .status-invalid { color: var(--fail); }
.status-timeout, .status-skipped { color: var(--warn); }
code { font-size: .95em; }
</style>
</head>
<body>
<main>
<h1>$title</h1>
<p class="meta">$meta</p>
$body
</main>
</body>
</html>
""")


def esc(value: object, limit: int | None = 500) -> str:
    """Untrusted text for HTML: one line, escaped (quotes included)."""
    return html.escape(clean_text(value, limit), quote=True)


def pct(share: float) -> str:
    return f"{100 * share:.0f} %"


Cell = tuple[str, str]  # (already escaped html, css class: "num", "wrap", "nowrap" or "")


def _cls(name: str) -> str:
    return f' class="{name}"' if name else ""


def _table(caption: str, headers: list[Cell], rows: list[list[Cell]]) -> str:
    """A table of already-escaped cells; the first cell of each row is its header."""
    head = "".join(f'<th scope="col"{_cls(cls)}>{text}</th>' for text, cls in headers)
    body = []
    for row in rows:
        (first, first_cls), *rest = row
        cells = "".join(f"<td{_cls(cls)}>{text}</td>" for text, cls in rest)
        body.append(f'<tr><th scope="row"{_cls(first_cls)}>{first}</th>{cells}</tr>')
    return (f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _wide_table(caption: str, corner: str, labels: list[str], row: str, values: list[int]) -> str:
    """A two-row table, one column per value (a distribution's numbers under its chart)."""
    head = "".join(f'<th scope="col" class="num">{html.escape(label)}</th>' for label in labels)
    cells = "".join(f'<td class="num">{v}</td>' for v in values)
    return (f'<table class="wide"><caption>{caption}</caption><thead><tr><th scope="col">{corner}</th>{head}'
            f'</tr></thead><tbody><tr><th scope="row">{row}</th>{cells}</tr></tbody></table>')


class _Charts:
    """Inline SVG charts, each with a title and a description for screen readers."""

    def __init__(self) -> None:
        self.count = 0

    def _open(self, width: int, height: int, title: str, desc: str) -> str:
        self.count += 1
        cid = f"chart{self.count}"
        return (f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
                f'xmlns="http://www.w3.org/2000/svg"><title id="{cid}-t">{title}</title>'
                f'<desc id="{cid}-d">{desc}</desc>')

    def columns(self, bins: list[Bin], title: str, desc: str, x_label: str) -> str:
        """Vertical bars: how many submissions got each score."""
        width, height, left, bottom, top = 520, 230, 34, 42, 14
        peak = max((b.count for b in bins), default=0) or 1
        step = (width - left - 8) / max(len(bins), 1)
        plot = height - bottom - top
        parts = [self._open(width, height, title, desc), '<g aria-hidden="true">',
                 f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}"/>',
                 f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
                 f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>']
        every = 1 if len(bins) <= 16 else 2
        for i, b in enumerate(bins):
            h = plot * b.count / peak
            x = left + i * step + step * 0.12
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{height - bottom - h:.1f}" width="{step * 0.76:.1f}" '
                         f'height="{h:.1f}"/>')
            if b.count:
                parts.append(f'<text x="{x + step * 0.38:.1f}" y="{height - bottom - h - 3:.1f}" '
                             f'text-anchor="middle">{b.count}</text>')
            if i % every == 0:
                parts.append(f'<text x="{x + step * 0.38:.1f}" y="{height - bottom + 15}" '
                             f'text-anchor="middle">{html.escape(b.label)}</text>')
        parts.append(f'<text x="{left + (width - left) / 2:.0f}" y="{height - 6}" text-anchor="middle">'
                     f'{html.escape(x_label)}</text></g></svg>')
        return "".join(parts)

    def rates(self, rates: list[Rate], title: str, desc: str) -> str:
        """Horizontal bars from 0 to 100 %, one per task or objective."""
        row, label_w, width = 26, 150, 470
        height = row * len(rates) + 24
        parts = [self._open(width, height, title, desc), '<g aria-hidden="true">']
        for i, r in enumerate(rates):
            y = 6 + i * row
            bar_w = width - label_w - 60
            label = clean_text(r.key.split(".", 1)[-1], 28)
            parts += [f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{html.escape(label)}</text>',
                      f'<rect class="track" x="{label_w}" y="{y + 2}" width="{bar_w}" height="16"/>',
                      f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{bar_w * r.share:.1f}" height="16"/>',
                      f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{pct(r.share)}</text>']
        parts.append("</g></svg>")
        return "".join(parts)


def _feedback_href(path: Path, report: Path) -> str:
    rel = os.path.relpath(path, report.parent)
    return quote(Path(rel).as_posix())


def _status(status: str) -> str:
    return f'<span class="status-{html.escape(status)}">{html.escape(status)}</span>'


def render(stats: ClassStats, feedback: dict[str, Path], report: Path, title: str = "Class report",
           notes: list[str] | None = None) -> str:
    """The page as a string (``feedback``: each student's feedback file; links are relative to ``report``;
    ``notes``: lines of plain text about the whole run, shown under the date)."""
    charts = _Charts()
    out: list[str] = []
    total = sum(stats.counts.values())
    cards = [("students", len(stats.students)), ("files", total)]
    cards += [(s, n) for s, n in stats.counts.items() if n or s == "graded"]
    out.append('<h2 id="overview">At a glance</h2><ul class="cards">' + "".join(
        f"<li><strong>{n}</strong>{html.escape(label)}</li>" for label, n in cards) + "</ul>")
    if stats.attention or stats.absent:
        out.append(f'<p><a href="#attention">{len(stats.attention) + len(stats.absent)} item(s) need your '
                   f"attention</a>: timeouts, errors, refused actions, invalid or skipped files.</p>")
    if not stats.labs:
        out.append("<p>No submission could be scored, so there are no score distributions or pass rates.</p>")

    for lab in stats.labs:
        out.append(f'<h2 id="lab-{esc(lab.id)}">{esc(lab.title)}</h2>')
        s = lab.summary
        out.append(f"<p>{len(lab.scores)} scored submission(s), out of {lab.possible} automatically checked "
                   f"points: mean {s['mean']:.1f}, median {s['median']:g}, lowest {s['min']:g}, "
                   f"highest {s['max']:g}.</p>")
        out.append("<h3>Score distribution</h3>")
        described = "; ".join(f"{b.label}: {b.count}" for b in lab.bins if b.count)
        chart = charts.columns(lab.bins, f"Score distribution, {esc(lab.title)}",
                               f"Submissions per score out of {lab.possible}: {esc(described)}.",
                               f"points out of {lab.possible}")
        table = _wide_table(f"Submissions per score, {esc(lab.title)}", "Points", [b.label for b in lab.bins],
                            "Submissions", [b.count for b in lab.bins])
        out.append(f"{chart}{table}")

        out.append("<h3>Pass rate per task</h3>")
        described = "; ".join(f"{esc(r.label)}: {pct(r.share)}" for r in lab.tasks)
        chart = charts.rates(lab.tasks, f"Pass rate per task, {esc(lab.title)}", f"{described}.")
        table = _table(f"Pass rate per task, {esc(lab.title)}",
                       [("Task", ""), ("Passed", "num"), ("Rate", "num"), ("Not answered", "num")],
                       [[(f"<strong>{esc(r.label)}</strong><br><span class=muted>{esc(r.detail)}</span>", ""),
                         (f"{r.passed} of {r.attempted}", "num"), (pct(r.share), "num"), (str(r.unanswered), "num")]
                        for r in lab.tasks])
        out.append(f'<div class="figure">{chart}{table}</div>')

        out.append("<h3>Most frequent hints</h3>")
        if lab.hints:
            out.append("<p>The hints the checks gave most often: each line groups identical messages "
                       "(numbers shown as #), with one as a student saw it. Answers left unanswered are "
                       "counted in the table above, not here.</p>")
            hint_rows: list[list[Cell]] = [
                [(f"<strong>{esc(h.pattern)}</strong><br><span class=muted>e.g. “{esc(h.example)}”</span>", "wrap"),
                 (esc(h.title), ""), (str(h.count), "num"), (str(h.students), "num")] for h in lab.hints]
            out.append(_table(f"Most frequent hints, {esc(lab.title)}",
                              [("Hint", ""), ("Task", ""), ("Times", "num"), ("Students", "num")], hint_rows))
        else:
            out.append("<p>No hints to show: every failed task was left unanswered, or none failed.</p>")

    if stats.objectives:
        out.append('<h2 id="objectives">Pass rate per learning objective</h2>')
        out.append("<p>All the tasks that assess an objective, across labs: passed results out of all "
                   "results.</p>")
        described = "; ".join(f"{esc(r.key)}: {pct(r.share)}" for r in stats.objectives)
        chart = charts.rates(stats.objectives, "Pass rate per learning objective", f"{described}.")
        table = _table("Pass rate per learning objective",
                       [("Objective", ""), ("Tasks", ""), ("Passed", "num"), ("Rate", "num")],
                       [[(f"<strong><code>{esc(r.key)}</code></strong>" + (f"<br>{esc(r.label)}" if r.label else ""),
                          ""), (esc(r.detail), ""), (f"{r.passed} of {r.attempted}", "num"), (pct(r.share), "num")]
                        for r in stats.objectives])
        out.append(f"{chart}{table}")

    out.append('<h2 id="attention">Needs attention</h2>')
    if stats.attention or stats.absent:
        rows = [[(esc(g.student, 120), "wrap"), (esc(g.lab or "–"), "nowrap"), (esc(g.file, 200), "wrap"),
                 (_status(g.status), "nowrap"), (esc(g.message, 600), "wrap")] for g in stats.attention]
        rows += [[(esc(s, 120), "wrap"), ("–", ""), ("–", ""), (_status("missing"), "nowrap"),
                  ("in the roster, but no submission was found", "")] for s in stats.absent]
        out.append(_table("Submissions that timed out, raised, were refused something, were invalid or skipped",
                          [("Student", ""), ("Lab", ""), ("File", ""), ("Status", ""), ("What happened", "")],
                          rows))
    else:
        out.append("<p>Nothing: every submission ran cleanly.</p>")

    out.append('<h2 id="students">Students</h2>')
    titles = {lab.id: lab.title.split(":")[0] for lab in stats.labs}  # "Lab 2"
    possible = {lab.id: lab.possible for lab in stats.labs}
    rows = []
    for student in stats.students:
        link = feedback.get(student)
        name = esc(student, 120)
        row: list[Cell] = [(f'<a href="{_feedback_href(link, report)}">{name}</a>' if link else name, "wrap")]
        mine = [g for g in stats.grades if g.student == student]
        for lab_id in titles:
            shown = []
            for g in (g for g in mine if g.lab == lab_id):
                if g.status in SCORED and g.results:
                    shown.append(f"{g.total} / {possible[lab_id]}" + (f" ({_status(g.status)})"
                                                                       if g.status != "graded" else ""))
                else:
                    shown.append(_status(g.status))
            row.append((", ".join(shown) or "–", "num"))
        other = Counter(g.status for g in mine if g.lab not in titles)
        row.append((", ".join(f"{n} {_status(s)}" for s, n in sorted(other.items())) or "–", ""))
        rows.append(row)
    out.append(_table("Points per student and lab (each name links to the student's feedback file)",
                      [("Student", ""), *[(esc(t), "num") for t in titles.values()], ("Not scored", "")], rows))
    meta = f"Made by <code>tpmcourse grade</code> on {datetime.now():%Y-%m-%d %H:%M}."
    meta += "".join(f"<br>{html.escape(note)}" for note in notes or [])
    return PAGE.substitute(title=html.escape(title), meta=meta, body="\n".join(out), csp=CSP)


def write_report(grades: list[Grade], path: Path, feedback: dict[str, Path],
                 absent: list[str] | None = None, notes: list[str] | None = None) -> ClassStats:
    """Compute the class's numbers and write the page to ``path``."""
    stats = class_stats(grades, absent)
    write_atomically(path, render(stats, feedback, path, notes=notes))
    return stats
