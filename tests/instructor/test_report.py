"""What `tpmcourse grade` writes for the instructor: a CSV no spreadsheet
runs as a formula, feedback files and a class report no student text can
inject into, one feedback file per exact name, nothing replaced without
--force, every file left ungraded reported with its reason, Canvas and Moodle
gradebook files, and no trace in the temporary folder.

Most tests build `Grade`s by hand from the real tasks of Lab 2 (or stand in
for `grade_one`), so they run no notebook; one runs the real grader."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from markdown_it import MarkdownIt

from tpmcourse import checks, labs
from tpmcourse.instructor import cli
from tpmcourse.instructor import grade as grading
from tpmcourse.instructor.grade import classreport, exports
from tpmcourse.instructor.grade.report import (
    FORMULA_START,
    Grade,
    TaskResult,
    feedback_filename,
    spreadsheet_cell,
    write_csv,
    write_feedback,
)

TASKS = {t.id.split(".")[1]: t for t in checks.tasks("metrics")}
POSSIBLE = sum(t.points for t in TASKS.values() if t.kind == "auto")  # 13
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "<script>alert('name')</script>",
    '<img src=x onerror="alert(1)">',
    "eve\nPoints: 13 of 13\n# Feedback for someone else",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
]


def result(name: str, passed: bool, message: str = "") -> TaskResult:
    """A task's result; a failed one without a hint is left unanswered, with the checks' own message."""
    task = TASKS[name]
    if not passed and not message:
        return TaskResult(task, False, checks.evaluate(task.id, *[None] * len(task.variables)).message)
    return TaskResult(task, passed, f"{task.title}: {message or 'right'}")


def lab2(student: str, passed: set[str], hints: dict[str, str] | None = None, status: str = "graded",
         message: str = "", file: str = "lab2_metrics.ipynb") -> Grade:
    hints = hints or {}
    return Grade(student, "metrics", file, status, message,
                 [result(name, name in passed, hints.get(name, "")) for name in TASKS])


def small_class() -> list[Grade]:
    """Five students: full marks, blank, two with the same slip (different
    numbers), one hostile name that timed out; plus an invalid and a skipped file."""
    everything = set(TASKS)
    return [
        lab2("ada", everything),
        lab2("bo", set()),
        lab2("cy", {"funnel_counts", "funnel_rates", "retention", "recommendation"},
             {"lift": "lift should be about 0.0412, yours is 0.39 (9.47× off).",
              "p_value": "p_value is 100× the expected value: looks like a percentage where a fraction is expected."}),
        lab2("dee", {"funnel_counts", "funnel_rates", "sql_funnel"},
             {"lift": "lift should be about 0.0412, yours is 0.41 (9.95× off).",
              "retention": "the week 1 column should start at 1.0, yours starts at 0.87."}),
        lab2(HOSTILE[1], {"funnel_counts"}, {"lift": '<img src=x onerror="alert(2)"> yours is 3'},
             status="timeout", message="cell 7 ran over 60 s and was interrupted; refused: <script>x</script>",
             file='<img src=x onerror="alert(3)">.ipynb'),
        Grade(HOSTILE[0], "", "oops.ipynb", "invalid", "not a valid notebook file (JSONDecodeError: …)"),
        Grade("eve", "", "eve_lab2.zip", "skipped", "an archive: unpack it first"),
    ]


# --- CSV: formulas ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_START)
def test_every_formula_prefix_is_neutralised(prefix):
    cell = spreadsheet_cell(f"{prefix}1+1")
    assert isinstance(cell, str) and cell.startswith("'"), repr(cell)
    assert cell[1:2] not in ("\t", "\r", "\n")  # and it stays on one line
    assert str(spreadsheet_cell(f"  {prefix}1+1")).startswith("'")


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell(2.5) == 2.5 and spreadsheet_cell(0) == 0
    assert spreadsheet_cell("ana") == "ana" and spreadsheet_cell("lab2_metrics.ipynb") == "lab2_metrics.ipynb"


def test_the_csv_has_no_formula_and_negative_points_stay_numbers(tmp_path):
    penalty = checks.Task("metrics.late", "Late penalty", ("late",), lambda late: "ok", points=-3)
    grades = [Grade(name, "metrics", f"{name}.ipynb", "graded", f"{name} said hi",
                    [TaskResult(penalty, True, "late")]) for name in HOSTILE]
    out = tmp_path / "grades.csv"
    write_csv(grades, out)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == len(HOSTILE) + 1
    for row in rows[1:]:
        for cell in (row[0], row[2], row[-1]):  # student, file, message: text a student controls
            assert not cell.startswith(FORMULA_START), cell
            assert "\n" not in cell and "\r" not in cell
        assert row[4] == "-3" and row[5] == "-3", row  # the task's points and the total: numbers
    assert ",-3,-3," in out.read_text(encoding="utf-8")  # written bare, not quoted as text


# --- feedback: escaping and names -------------------------------------------------------


class Elements(HTMLParser):
    """Every element and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


def parse(html_text: str) -> Elements:
    parser = Elements()
    parser.feed(html_text)
    parser.close()
    return parser


def assert_nothing_injected(doc: Elements) -> None:
    assert not {"script", "img", "iframe", "object", "embed"} & set(doc.tags), sorted(set(doc.tags))
    assert not [name for name, _ in doc.attrs if name.startswith("on")]
    assert not [v for name, v in doc.attrs if name in ("href", "src") and v.strip().lower().startswith(
        ("javascript:", "data:", "http"))]


def test_feedback_escapes_student_text_and_cannot_fake_its_structure(tmp_path):
    grades = [lab2(name, {"funnel_counts"}, {"lift": f"{name} yours is 3\n| fake | row |"}, message=name,
                   file=f"{name}.ipynb") for name in HOSTILE]
    written = write_feedback(grades, tmp_path)
    md = MarkdownIt("commonmark").enable("table")
    for student, path in written.items():
        text = path.read_text(encoding="utf-8")
        doc = parse(md.render(text))
        assert_nothing_injected(doc)
        assert [t for t in md.parse(text) if t.type in ("html_inline", "html_block")] == []
        lines = text.splitlines()
        assert [line for line in lines if line.startswith(("Status", "Points"))] == [
            f"Status: **graded**. Points: 1 of {POSSIBLE}."]
        assert [line for line in lines if line.startswith("#")] == [lines[0], "## Lab 2: Metrics analysis"]
        rows = [line for line in lines if line.startswith("|")]
        assert len(rows) == 2 + len(TASKS) and all(line.count(" | ") == 3 for line in rows[2:])
        assert doc.tags.count("tr") == 1 + len(TASKS)
        assert "alert" not in "".join(doc.attrs[i][1] for i in range(len(doc.attrs)))
        assert student.splitlines()[0][:6] in "".join(doc.text).replace("\\", "")  # still readable


def test_feedback_file_names_are_collision_free(tmp_path):
    names = ["a b", "a_b", "a-b", "A_B", "a.b", "ab", "", "..", "../x", "con", "Ana", "ana", "ana ",
             "Zoë", "Zoe", "学生", "x" * 300, *HOSTILE]
    files = [feedback_filename(n) for n in names]
    assert len({f.casefold() for f in files}) == len(names)  # also on a case-blind disk
    for f in files:
        assert f.endswith(".md") and len(f) < 60 and f == f.lower()
        assert all(c.isascii() and (c.isalnum() or c in "-.") for c in f), f
    assert feedback_filename("a b").startswith("a-b-") and feedback_filename("cy").startswith("cy-")
    written = write_feedback([Grade(n, "metrics", "f.ipynb") for n in names], tmp_path)
    assert len(list(tmp_path.glob("*.md"))) == len(names) == len(set(written.values()))
    for name, path in written.items():
        assert path.parent == tmp_path and path.name == feedback_filename(name)


# --- the class report -------------------------------------------------------------------


def test_class_report_numbers():
    stats = classreport.class_stats(small_class(), objective_texts={})
    assert stats.counts == {"graded": 4, "timeout": 1, "error": 0, "invalid": 1, "skipped": 1}
    (lab,) = stats.labs
    assert (lab.id, lab.possible) == ("metrics", POSSIBLE)
    # ada 13, bo 0, cy 1+2+2 = 5, dee 1+2+1 = 4, the hostile one 1
    assert sorted(lab.scores) == [0, 1, 4, 5, 13]
    assert len(lab.bins) == POSSIBLE + 1 and sum(b.count for b in lab.bins) == 5
    assert {b.label: b.count for b in lab.bins if b.count} == {"0": 1, "1": 1, "4": 1, "5": 1, "13": 1}
    assert lab.summary == {"mean": 4.6, "median": 4, "min": 0, "max": 13}
    rates = {r.key: (r.passed, r.attempted) for r in lab.tasks}
    assert rates["metrics.funnel_counts"] == (4, 5) and rates["metrics.lift"] == (1, 5)
    assert rates["metrics.retention"] == (2, 5) and rates["metrics.sql_funnel"] == (2, 5)
    assert rates["metrics.recommendation"] == (2, 5)
    # "yours is 0.39" and "yours is 0.41" are one misconception, seen twice
    top = lab.hints[0]
    assert (top.task, top.count, top.students) == ("metrics.lift", 2, 2)
    assert top.pattern == "lift should be about #, yours is # (#× off)."
    assert "0.0412" in top.example
    patterns = {(h.task, h.pattern): h.count for h in lab.hints}
    slip = "p_value is #× the expected value: looks like a percentage where a fraction is expected."
    assert patterns[("metrics.p_value", slip)] == 1
    assert not [h for h in lab.hints if "not answered" in h.pattern]  # counted per task instead
    unanswered = {r.key: r.unanswered for r in lab.tasks}
    assert unanswered["metrics.p_value"] == 3 and unanswered["metrics.lift"] == 1  # bo, dee, the hostile one; bo
    # per objective: every task that names it, across the scored submissions
    objectives = {r.key: (r.passed, r.attempted) for r in stats.objectives}
    funnel = [t for t in TASKS.values() if t.objective == "ch03-sql-funnel"]
    assert {t.id for t in funnel} == {"metrics.funnel_counts", "metrics.funnel_rates", "metrics.sql_funnel",
                                      "metrics.retention", "metrics.sql_cohorts"}
    assert objectives["ch03-sql-funnel"] == (4 + 3 + 2 + 2 + 1, 5 * 5)
    # what needs a look: the timeout (with its refused action), the invalid and the skipped file
    assert [(g.student, g.status) for g in stats.attention] == [
        (HOSTILE[1], "timeout"), (HOSTILE[0], "invalid"), ("eve", "skipped")]


def test_hint_numbers_are_normalised():
    same = ["yours is 0.41", "yours is 0.39", "yours is -12", "yours is 1,234.5", "yours is 3e-05"]
    assert {classreport.normalise_hint(m) for m in same} == {"yours is #"}
    assert classreport.normalise_hint("Task 6, lift: step2 is 12 % off", "Task 6, lift") == "step2 is # % off"


@pytest.fixture()
def report_page(tmp_path) -> Path:
    grades = small_class()
    feedback = write_feedback(grades, tmp_path / "grades_feedback")
    page = tmp_path / "grades_report.html"
    classreport.write_report(grades, page, feedback, absent=["zed"])
    return page


def test_class_report_escapes_student_text_and_links_every_feedback_file(report_page):
    text = report_page.read_text(encoding="utf-8")
    doc = parse(text)
    assert_nothing_injected(doc)
    assert {"h1", "h2", "h3", "table", "caption", "svg"} <= set(doc.tags)
    shown = "".join(doc.text)
    assert "<script>alert('name')</script>" in shown and 'onerror="alert(2)"' in shown  # shown, as text
    links = [v for name, v in doc.attrs if name == "href" and not v.startswith("#")]
    assert len(links) == 7  # one per student, none elsewhere
    for link in links:
        assert not urlparse(link).scheme and not link.startswith("/")
        assert (report_page.parent / unquote(link)).is_file(), link
    assert "zed" in shown and "no submission" in shown  # in the roster, nothing submitted


def test_class_report_charts_are_accessible(report_page):
    text = report_page.read_text(encoding="utf-8")
    doc = parse(text)
    svgs = text.count("<svg ")
    assert svgs == 3  # distribution, tasks, objectives
    assert text.count('role="img"') == svgs and text.count("<title id=") == svgs and text.count("<desc id=") == svgs
    assert ("scope", "col") in doc.attrs and ("scope", "row") in doc.attrs
    assert doc.tags.count("caption") == doc.tags.count("table")
    assert "prefers-color-scheme: dark" in text


def test_class_report_in_chromium_is_private_clean_and_accessible(page, report_page):
    from browser import axe_violations

    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_page.as_uri(), wait_until="load")
    assert page.locator("h1").inner_text() == "Class report"
    for mode in ("light", "dark"):
        page.emulate_media(color_scheme=mode)
        violations = axe_violations(page)
        assert not violations, f"{mode}: " + "; ".join(
            f"{v['id']} on {[n['target'] for n in v['nodes'][:3]]}" for v in violations)
    assert [u for u in requests if not u.startswith("file:")] == []
    assert page.console_errors == []
    assert page.evaluate("document.scripts.length") == 0


# --- Canvas and Moodle --------------------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas_and_moodle_without_a_roster(tmp_path):
    grades = small_class()
    notes = exports.write_exports(grades, tmp_path / "c.csv", tmp_path / "m.csv", None)
    canvas, moodle = read_rows(tmp_path / "c.csv"), read_rows(tmp_path / "m.csv")
    title = labs.find("metrics").title
    students = sorted({g.student for g in grades})
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title]
    assert canvas[1] == ["    Points Possible", "", "", "", "", str(POSSIBLE)]
    assert len(canvas) == 2 + len(students) and len(moodle) == 1 + len(students)
    assert moodle[0] == ["Full name", "Username", "Email address", "ID number", title]
    by_name = {row[1]: row for row in moodle[1:]}
    assert by_name["ada"][-1] == "13" and by_name["bo"][-1] == "0" and by_name["eve"][-1] == ""
    assert by_name["'" + HOSTILE[0]][-1] == ""  # invalid: no score; its name neutralised
    assert not any(cell.startswith(FORMULA_START) for row in canvas + moodle for cell in row[:-1])
    assert any("ids" in n and "--roster" in n for n in notes)


def test_canvas_and_moodle_with_a_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffstudent,lms_id,email,username,section\n"
                      "ada,1001,ada@example.edu,ada.l,A\nBo,1002,bo@example.edu,bo.k,A\n"
                      "cy,1003,cy@example.edu,cy.p,B\nzed,1009,zed@example.edu,zed.z,B\n", encoding="utf-8")
    people = exports.read_roster(roster)
    grades = [lab2("ada", set(TASKS)), lab2("bo", set()), lab2("cy", {"lift"}), lab2("dee", {"lift"})]
    notes = exports.write_exports(grades, tmp_path / "c.csv", tmp_path / "m.csv", people)
    canvas = {row[0]: row for row in read_rows(tmp_path / "c.csv")[2:]}
    moodle = {row[0]: row for row in read_rows(tmp_path / "m.csv")[1:]}
    assert canvas["ada"] == ["ada", "1001", "", "ada.l", "A", "13"]
    assert canvas["Bo"][1] == "1002" and canvas["Bo"][-1] == "0"  # "bo" matched ignoring case
    assert canvas["zed"][-1] == "" and canvas["dee"][1:5] == ["", "", "", ""]
    assert moodle["cy"] == ["cy", "cy.p", "cy@example.edu", "1003", "2"]
    assert len(canvas) == len(moodle) == 5  # the roster's four and dee
    assert any("'dee'" in n for n in notes) and any("'zed'" in n for n in notes)


@pytest.mark.parametrize("text, problem", [
    ("name,lms_id\nana,1\n", "needs a 'student' column"),
    ("student,section\nana,A\n", "needs at least one of"),
    ("student,lms_id\nana,1\nana,2\n", "listed twice"),
])
def test_unusable_rosters_are_refused(tmp_path, text, problem, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(exports.RosterError, match=problem):
        exports.read_roster(roster)
    (tmp_path / "subs").mkdir()
    assert cli.main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "g.csv"),
                     "--roster", str(roster)]) == 2
    assert problem in capsys.readouterr().err and not (tmp_path / "g.csv").exists()


# --- the folder: everything not graded is reported; nothing replaced without --force -----


def fake_grade_one(student: str, path: Path, *args, **kwargs) -> Grade:
    """Stands in for running the notebook: its score is in the file."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    passed = set(nb["metadata"].get("passed", []))
    return lab2(student, passed, file=path.name)


def notebook(path: Path, passed: tuple[str, ...] = ()) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["tpmcourse"] = {"lab": "metrics"}
    nb.metadata["passed"] = list(passed)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture()
def messy(tmp_path, monkeypatch):
    """A class folder with one of every kind of thing the grader does not grade."""
    subs = tmp_path / "subs"
    notebook(subs / "ana" / "lab2_metrics.ipynb", ("lift",))
    notebook(subs / "a b" / "lab2_metrics.ipynb", ("lift", "srm"))
    notebook(subs / "a_b" / "lab2_metrics.ipynb")
    notebook(subs / '=HYPERLINK("x","y")' / "lab2_metrics.ipynb")
    notebook(subs / "dup" / "lab2_metrics.ipynb")
    notebook(subs / "dup" / "lab2_metrics (1).ipynb")
    notebook(subs / "cy_lab2_metrics.ipynb", ("lift",))
    notebook(subs / "cy_metrics.ipynb")  # cy, lab 2, a second time
    notebook(tmp_path / "elsewhere" / "lab2_metrics.ipynb")
    (subs / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (subs / "lnk_lab2_metrics.ipynb").symlink_to(tmp_path / "elsewhere" / "lab2_metrics.ipynb")
    (subs / "zip_lab2.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    notebook(subs / "locked" / "lab2_metrics.ipynb")
    locked = subs / "locked" / "lab2_metrics.ipynb"
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: refuse it the way the disk would
        real_open = Path.open

        def refusing_open(self, *args, **kwargs):
            if self == locked:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refusing_open)
    os.mkfifo(subs / "pipe_lab2_metrics.ipynb")
    (subs / "ana" / "lab3.pdf").write_bytes(b"%PDF")
    (subs / "empty").mkdir()
    (subs / ".DS_Store").write_bytes(b"\0")
    notebook(subs / "ana" / ".ipynb_checkpoints" / "lab2_metrics-checkpoint.ipynb")
    monkeypatch.setattr(grading, "grade_one", fake_grade_one)
    yield subs
    locked.chmod(0o644)


SKIPPED = {  # file -> a phrase of its reason
    "linked": "symbolic link",
    "lnk_lab2_metrics.ipynb": "symbolic link",
    "zip_lab2.zip": "unpack it",
    "locked/lab2_metrics.ipynb": "cannot be read",
    "pipe_lab2_metrics.ipynb": "not a regular file",
    "ana/": "not notebooks",
    "empty/": "empty folder",
    "dup/lab2_metrics.ipynb": "2 submissions of lab metrics",
    "dup/lab2_metrics (1).ipynb": "2 submissions of lab metrics",
    "cy_lab2_metrics.ipynb": "2 submissions of lab metrics",
    "cy_metrics.ipynb": "2 submissions of lab metrics",
}


def test_every_skipped_item_is_in_the_summary_and_the_csv(messy, tmp_path, capsys):
    out = tmp_path / "out" / "grades.csv"
    assert cli.main(["grade", str(messy), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    skipped = {r["file"]: r for r in rows if r["status"] == "skipped"}
    assert set(skipped) == set(SKIPPED)
    for file, phrase in SKIPPED.items():
        assert phrase in skipped[file]["message"], (file, skipped[file]["message"])
        assert f"  - {file}: " in printed and phrase in printed
    assert f"Skipped {len(SKIPPED)} item(s)" in printed and "Ignored 2 hidden" in printed
    graded = sorted(r["student"] for r in rows if r["status"] == "graded")
    assert graded == ["'=HYPERLINK(\"x\",\"y\")", "a b", "a_b", "ana"]
    assert "lab3.pdf" in skipped["ana/"]["message"]
    # the outputs: feedback per exact student name, the class report, the gradebook files
    feedback = out.parent / "grades_feedback"
    assert (feedback / feedback_filename("a b")).exists() and (feedback / feedback_filename("a_b")).exists()
    assert "3 of 13" in (feedback / feedback_filename("a b")).read_text(encoding="utf-8")
    assert "0 of 13" in (feedback / feedback_filename("a_b")).read_text(encoding="utf-8")
    for name in ("grades_report.html", "grades_canvas.csv", "grades_moodle.csv"):
        assert (out.parent / name).stat().st_size > 0
    assert "Fill in their LMS ids" in printed


def test_nothing_is_replaced_without_force(messy, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert cli.main(["grade", str(messy), "--out", str(out)]) == 0
    out.write_text("student,total\nana,99  # my edit\n", encoding="utf-8")
    stale = tmp_path / "grades_feedback" / "old-format.md"
    stale.write_text("from an earlier run", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["grade", str(messy), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exist" in err and "--force" in err and str(out) in err
    assert out.read_text(encoding="utf-8").endswith("# my edit\n")
    # another --out is fine; so is --force, which also clears the earlier feedback files
    assert cli.main(["grade", str(messy), "--out", str(tmp_path / "again.csv")]) == 0
    assert cli.main(["grade", str(messy), "--out", str(out), "--force"]) == 0
    assert "my edit" not in out.read_text(encoding="utf-8") and not stale.exists()
    for kind in ("_feedback", "_report.html", "_canvas.csv", "_moodle.csv"):  # any one of them counts
        (tmp_path / f"solo{kind}").mkdir()
        assert cli.main(["grade", str(messy), "--out", str(tmp_path / "solo.csv")]) == 2, kind
        assert not (tmp_path / "solo.csv").exists()
        (tmp_path / f"solo{kind}").rmdir()


def test_outputs_inside_the_submissions_folder_are_refused(messy, capsys):
    assert cli.main(["grade", str(messy), "--out", str(messy / "grades.csv")]) == 2
    assert "inside the submissions folder" in capsys.readouterr().err
    assert not (messy / "grades.csv").exists()


# --- the real grader, end to end: hostile names, and nothing left in /tmp ------------------


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """The real command, in its own process, on two blank notebooks under
    hostile names, with TMPDIR pointing at a fresh folder; yields (that folder,
    the output folder, the summary, what was left in that folder once it ended)."""
    root = tmp_path_factory.mktemp("real")
    handout = root / "handout"
    assert cli.main(["assign", "metrics", "--out", str(handout)]) == 0
    blank = handout / labs.find("metrics").notebook.name
    subs = root / "subs"
    for who in ('=HYPERLINK("x","y")', "<em>bo"):
        (subs / who).mkdir(parents=True)
        (subs / who / blank.name).write_bytes(blank.read_bytes())
    out = root / "out"
    # A temporary folder like /tmp, which the sandbox's user can enter (pytest's own are private).
    scratch = Path(tempfile.mkdtemp(prefix="tpm-test-tmpdir-", dir="/tmp"))
    scratch.chmod(0o1777)
    try:
        done = subprocess.run([sys.executable, "-m", "tpmcourse.instructor.cli", "grade", str(subs), "--out",
                               str(out / "grades.csv"), "--workers", "2", "--timeout", "240"],
                              env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stderr
        yield scratch, out, done.stdout, sorted(p.name for p in scratch.iterdir())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_real_grading_writes_safe_outputs_and_no_temporary_file_of_its_own(real_run):
    _, out, printed, left = real_run
    assert "Graded 2 submission(s): 2 graded" in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "grades.csv", "grades_canvas.csv", "grades_feedback", "grades_moodle.csv", "grades_report.html"]
    assert [name for name in left if name.startswith(("tpm-grade-", "."))] == []
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert sorted((r["student"], r["status"], r["total"]) for r in rows) == [
        ("'=HYPERLINK(\"x\",\"y\")", "graded", "0"), ("<em>bo", "graded", "0")]
    assert_nothing_injected(parse((out / "grades_report.html").read_text(encoding="utf-8")))
    assert "<em>bo" in "".join(parse((out / "grades_report.html").read_text(encoding="utf-8")).text)


def test_real_grading_leaves_nothing_in_the_temporary_folder(real_run):
    *_, left = real_run
    assert left == []
