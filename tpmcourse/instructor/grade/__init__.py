"""``tpmcourse grade``: grade a folder of submitted lab notebooks.

Each submission's kernel runs isolated from the machine by bubblewrap
(tpmcourse.instructor.grade.sandbox): its own namespaces, an unprivileged
user, no network, nothing of the course, the grader or the other submissions
in sight, size-capped scratch space, memory, process and time limits. The
grader's runner (tpmcourse.instructor.grade.runner) drives it cell by cell
over the kernel protocol and keeps the record; the learner's answers come
back over that protocol as JSON. Then the course's own checks, in a
separate, limited process (tpmcourse.instructor.grade.checker), grade those
answers: a submission's check cells (which a learner can edit) are never
trusted. One bad submission never stops the others. Grading refuses to start
where the isolation does not work, unless told --unsafe-trusted-code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tpmcourse import labs
from tpmcourse.instructor.grade import checker, classreport, exports, fresh, runner, sandbox
from tpmcourse.instructor.grade.report import STATUSES, Grade, TaskResult, clean_text, write_csv, write_feedback

if TYPE_CHECKING:
    import nbformat
# nbformat (in _read_notebook) and the answers' decoder (pandas) are imported where they are used:
# every sandbox's runner (python -m tpmcourse.instructor.grade.runner) imports this package first,
# and starts in 0.1 s instead of 0.5 s without them.

MAX_NOTEBOOK_BYTES = 20_000_000
MAX_ANSWERS_BYTES = 16_000_000  # the answers' JSON, as the kernel sends it


IGNORED_NAMES = ("__MACOSX", "Thumbs.db", "desktop.ini")  # besides names starting with a dot
ARCHIVES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar")


@dataclass
class Found:
    """What a submissions folder holds: notebooks to grade, and everything not
    graded with the reason (as ``skipped`` grades, so they reach the CSV)."""
    submissions: list[tuple[str, Path]] = field(default_factory=list)
    skipped: list[Grade] = field(default_factory=list)
    ignored: int = 0  # hidden files and folders (.DS_Store, .ipynb_checkpoints, ...), __MACOSX


def _student_of(rel: Path) -> str:
    """``<student>/...`` or ``<student>_<lab>.ipynb``."""
    if len(rel.parts) > 1:
        return rel.parts[0]
    stem = Path(rel.name).stem
    for lab in labs.labs():
        for suffix in (lab.notebook.stem, lab.id):
            stem = stem.replace(suffix, "")
    return stem.strip("_- .") or Path(rel.name).stem


def _unreadable(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    """A notebook file as nbformat reads it (undecodable bytes replaced, not fatal)."""
    import nbformat

    return nbformat.reads(path.read_text(encoding="utf-8", errors="replace"), as_version=4)


def _lab_of(path: Path) -> str | None:
    """The lab a notebook is for, as grading will see it; None when it cannot tell."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        lab = _identify_lab(_read_notebook(path), path)
    except Exception:
        return None
    return lab.id if lab else None


def scan_submissions(folder: Path) -> Found:
    """Walk the folder without following links; every file that is not graded
    is reported: links, unreadable files, archives (not opened: unpack them
    first), other files, empty student folders, and a student's second
    submission of a lab (then neither copy is graded: which one counts is the
    instructor's call)."""
    found = Found()
    notebooks: list[tuple[str, Path]] = []
    others: dict[str, list[str]] = {}
    students_with_files: set[str] = set()
    student_dirs: list[str] = []

    def skip(rel: Path, reason: str, lab: str = "") -> None:
        found.skipped.append(Grade(_student_of(rel), lab, rel.as_posix(), "skipped", reason))

    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skip(current.relative_to(folder), f"this folder cannot be read ({exc.strerror or type(exc).__name__})")
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            rel = path.relative_to(folder)
            if entry.name.startswith(".") or entry.name in IGNORED_NAMES:
                found.ignored += 1
                continue
            if len(rel.parts) > 1:
                students_with_files.add(rel.parts[0])
            if entry.is_symlink():
                skip(rel, "a symbolic link, not followed: copy the file or folder itself into the submissions")
            elif entry.is_dir(follow_symlinks=False):
                if len(rel.parts) == 1:
                    student_dirs.append(entry.name)
                subfolders.append(path)
            elif not entry.is_file(follow_symlinks=False):
                skip(rel, "not a regular file (a pipe, socket or device)")
            elif entry.name.lower().endswith(".ipynb"):
                problem = _unreadable(path)
                if problem:
                    skip(rel, f"this notebook cannot be read ({problem})")
                else:
                    notebooks.append((_student_of(rel), path))
            elif entry.name.lower().endswith(ARCHIVES):
                skip(rel, "an archive: the grader does not open archives; unpack it into the submissions folder "
                          "(one folder per student) and grade again")
            elif len(rel.parts) > 1:
                others.setdefault(rel.parts[0], []).append(Path(*rel.parts[1:]).as_posix())
            else:
                skip(rel, "not a notebook (.ipynb), so not graded")
        stack.extend(reversed(subfolders))

    with_notebooks = {student for student, path in notebooks if len(path.relative_to(folder).parts) > 1}
    for student, files in others.items():
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        why = "no notebook in this folder; not graded: " if student not in with_notebooks else \
            "not notebooks (.ipynb), so not graded: "
        found.skipped.append(Grade(student, "", f"{student}/", "skipped", why + shown))
    for student in student_dirs:
        if student not in students_with_files:
            found.skipped.append(Grade(student, "", f"{student}/", "skipped", "an empty folder: no notebook"))

    by_lab: dict[tuple[str, str], list[Path]] = {}
    for student, path in notebooks:
        lab = _lab_of(path)
        if lab is not None:
            by_lab.setdefault((student, lab), []).append(path)
    twice = {path: (lab, paths) for (_, lab), paths in by_lab.items() if len(paths) > 1 for path in paths}
    for student, path in sorted(notebooks, key=lambda item: item[1]):
        if path in twice:
            lab, paths = twice[path]
            names = ", ".join(p.relative_to(folder).as_posix() for p in paths)
            skip(path.relative_to(folder), f"{len(paths)} submissions of lab {lab} by this student ({names}): "
                                           f"none was graded; keep the one that counts and grade again", lab)
        else:
            found.submissions.append((student, path))
    found.skipped.sort(key=lambda g: (g.student, g.file))
    return found


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook) pairs to grade: ``folder/<student>/*.ipynb`` or ``folder/<student>_<lab>.ipynb``."""
    return scan_submissions(folder).submissions


def _identify_lab(nb: nbformat.NotebookNode, path: Path) -> labs.Lab | None:
    meta = nb.metadata.get("tpmcourse", {})
    if isinstance(meta, dict) and isinstance(meta.get("lab"), str):
        try:
            return labs.find(meta["lab"])
        except KeyError:
            return None
    for lab in labs.labs():
        sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        if lab.notebook.stem in path.stem or f'check("{lab.id}.' in sources:
            return lab
    return None


UNSAFE_NOTE = "UNSAFE: run without isolation (--unsafe-trusted-code)"
_reference_locks: dict[tuple[str, bool, int | None], threading.Lock] = {}
_reference_sizes: dict[tuple[str, bool, int | None], dict[str, int | None]] = {}
_locks_lock = threading.Lock()


def _code_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    return [(i, str(c.source)) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _answer_names(lab: labs.Lab) -> list[str]:
    return sorted({v for t in lab.tasks for v in t.variables})


def _execute(lab: labs.Lab, cells: list[tuple[int, str]], cell_timeout: int, total_timeout: int, max_output: int,
             isolated: bool, data: dict[str, str]) -> dict:
    """Run code cells as the lab's notebook (in a sandbox unless ``isolated`` is
    False) with ``data`` (file name -> path) as its data files: the runner's
    record, or {"failure": ...}."""
    limits = sandbox.DEFAULT_LIMITS  # CPU time per process: at least the submission's time limit
    limits = dataclasses.replace(limits, cpu_seconds=max(limits.cpu_seconds, total_timeout + 30))
    job = {"mode": "notebook", "isolated": isolated, "cells": cells, "names": _answer_names(lab),
           "data": data,
           "cell_timeout": cell_timeout, "total_timeout": total_timeout, "max_output": max_output,
           "max_answers": MAX_ANSWERS_BYTES, "limits": dataclasses.asdict(limits)}
    return runner.run_job(job, timeout=total_timeout + 60)


def _answers_of(record: dict) -> dict | None:
    """The answers the runner brought back (JSON values, not yet decoded), or None."""
    text = record.get("answers")
    if not isinstance(text, str) or len(text) > MAX_ANSWERS_BYTES:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def reference_sizes(lab: labs.Lab, cell_timeout: int = 60, total_timeout: int = 600, isolated: bool = True,
                    data_seed: int | None = None) -> dict[str, int | None]:
    """The size of each answer of the lab's reference solution (its notebook in
    exercises/), run exactly as a submission is, once per process: a
    learner's answer far larger than it is refused before it is checked. Also
    a self-test of the sandbox: if the reference does not run cleanly there,
    the instructor is told (on stderr) once. ``data_seed``: on that fresh data."""
    key = (lab.id, isolated, data_seed)
    with _locks_lock:
        lock = _reference_locks.setdefault(key, threading.Lock())
    with lock:
        if key in _reference_sizes:
            return _reference_sizes[key]
        from tpmcourse.instructor.grade import answers

        nb = _read_notebook(lab.notebook)
        record = _execute(lab, _code_cells(nb), cell_timeout, total_timeout, 100_000_000, isolated,
                          fresh.data_files(lab, data_seed)[0])
        values = _answers_of(record) or {}
        sizes: dict[str, int | None] = {}
        for name in _answer_names(lab):
            try:
                sizes[name] = checker.size_of(answers.decode(values[name])) if name in values else None
            except Exception:
                sizes[name] = None
        problems = _problems(Grade("", lab.id, ""), record, cell_timeout, total_timeout, 100_000_000)
        if problems or not values:
            print(f"⚠ lab {lab.id}: its reference solution did not run cleanly in the grader's sandbox ("
                  f"{'; '.join(problems) or 'no answers'}): are the limits too tight? Answers of this lab are "
                  f"checked without comparing their size to the reference's.", file=sys.stderr)
        _reference_sizes[key] = sizes
        return sizes


def _problems(grade: Grade, record: dict, cell_timeout: int, total_timeout: int, max_output: int) -> list[str]:
    """What went wrong while the notebook ran, from the runner's record; sets the grade's status."""
    problems: list[str] = []

    def worse(status: str) -> None:
        if grade.status == "graded":
            grade.status = status

    if "failure" in record:
        grade.status = "timeout" if record.get("killed") else "error"
        problems.append(f"stopped after {total_timeout} s" if record.get("killed")
                        else f"the notebook could not be run ({record['failure']})")
        return problems
    died = f": {record['died_of']}" if record.get("died_of") else ""
    if record.get("startup_error"):
        grade.status = "error"
        problems.append(f"the notebook could not be run ({record['startup_error']}{died})")
    if record.get("total_timeout"):
        grade.status = "timeout"
        problems.append(f"stopped after {total_timeout} s")
    if record.get("stuck") is not None:
        grade.status = "timeout"
        problems.append(f"cell {record['stuck']} ran over {cell_timeout} s and did not stop when interrupted: "
                        f"its kernel was stopped and the cells after it did not run")
    if record.get("timeouts"):
        worse("timeout")
        more = f" (and {len(record['timeouts']) - 1} more)" if len(record["timeouts"]) > 1 else ""
        problems.append(f"cell {record['timeouts'][0]} ran over {cell_timeout} s and was interrupted{more}")
    if record.get("overflow"):
        worse("error")
        problems.append(f"printed more than {max_output:,} bytes; the rest was dropped")
    if record.get("dead") is not None:
        worse("error")
        problems.append(f"the kernel died during cell {record['dead']}{died}; the cells after it did not run")
    if record.get("errors"):
        worse("error")
        index, text = record["errors"][0]
        more = f" (and {len(record['errors']) - 1} more cell(s) raised)" if len(record["errors"]) > 1 else ""
        problems.append(f"cell {index} raised {text}{more}")
    return problems


def _isolation_ready(unsafe_trusted_code: bool) -> bool:
    """Probe once, before grading: refuse (with what is missing and how to get
    it) when submissions cannot be isolated, unless the instructor trusts them."""
    if unsafe_trusted_code:
        print("⚠ --unsafe-trusted-code: submissions run WITHOUT isolation, with your rights (files, network, "
              "processes); every row of the grades says so.", file=sys.stderr)
        return True
    refused = sandbox.refusal()
    if refused:
        print(f"✗ {refused}", file=sys.stderr)
        return False
    groups = [g for g in sandbox.probe().details.get("cgroups", []) if not g.startswith("none")]
    tree = (f"whole-tree limits by cgroup ({', '.join(groups)})" if groups
            else "no writable cgroup here, so per-process limits only (a submission's processes together may "
                 "use more memory)")
    print(f"Submissions run isolated by bubblewrap: {sandbox.DEFAULT_LIMITS.describe()}; {tree}.", file=sys.stderr)
    return True


def grade_one(student: str, path: Path, cell_timeout: int = 60, total_timeout: int = 600,
              max_output: int = 1_000_000, *, unsafe_trusted_code: bool = False,
              data_seed: int | None = None) -> Grade:
    """Grade one submitted notebook; never raises. Its code runs in a sandbox
    (:mod:`.sandbox`), or, with ``unsafe_trusted_code``, as a plain process
    with the grader's rights, which the grade's message then says. With
    ``data_seed``, on the lab's data regenerated for that seed (:mod:`.fresh`),
    and checked against the answers computed from it."""
    grade = _grade_one(student, path, cell_timeout, total_timeout, max_output, not unsafe_trusted_code, data_seed)
    if unsafe_trusted_code:
        grade.message = UNSAFE_NOTE + (f"; {grade.message}" if grade.message else "")
    return grade


def _grade_one(student: str, path: Path, cell_timeout: int, total_timeout: int, max_output: int,
               isolated: bool, data_seed: int | None) -> Grade:
    grade = Grade(student, "", path.name)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"the file is over {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        import nbformat

        nb = _read_notebook(path)
        nbformat.validate(nb)
    except Exception as exc:
        grade.status, grade.message = "invalid", f"not a valid notebook file ({type(exc).__name__}: {str(exc)[:200]})"
        return grade
    lab = _identify_lab(nb, path)
    if lab is None:
        grade.status, grade.message = "invalid", "not one of the course's labs (no tpmcourse lab metadata or checks)"
        return grade
    grade.lab = lab.id
    try:
        refused = sandbox.refusal() if isolated else None
        if refused:
            grade.status, grade.message = "error", f"not graded: {refused}"
            return grade
        data, checked_against = fresh.data_files(lab, data_seed)
        grade.fresh_data = checked_against is not None
        cells = _code_cells(nb)
        record = _execute(lab, cells, cell_timeout, total_timeout, max_output, isolated, data)
        problems = _problems(grade, record, cell_timeout, total_timeout, max_output)
        values = _answers_of(record)
        if values is None:
            note = record.get("answers_note")
            problems.append("no answers could be read" + (f" ({note})" if note else ""))
            values = {}
        expected = reference_sizes(lab, cell_timeout, total_timeout, isolated, data_seed)
        work = checker.checker()
        used = work.shortcuts([t.id for t in lab.tasks], [source for _, source in cells])
        if isinstance(used, str):
            problems.append(f"its code could not be read for course helpers ({used})")
            used = {}
        for task in lab.tasks:
            given = [values.get(name, {"__missing__": True}) for name in task.variables]
            passed, message = work.check(task.id, given, [expected.get(name) for name in task.variables],
                                         data=checked_against)
            if task.id in used:
                passed, message = False, shortcut_message(task.title, used[task.id])
            grade.results.append(TaskResult(task, passed, message))
        if used:
            problems.append(f"answers computed by a course helper, no points: {', '.join(sorted(used))}")
        grade.message = "; ".join(problems)
    except Exception as exc:  # the grader's own failure is this submission's error, not the batch's
        grade.status, grade.message = "error", f"could not be graded ({type(exc).__name__}: {exc})"
    return grade


def shortcut_message(title: str, helpers: list[str]) -> str:
    names = ", ".join(f"`{h}`" for h in helpers)
    return (f"{title}: no points: the answer comes from {names}, a course helper that computes it in one call. "
            f"Compute it yourself with the tools the task names.")


@dataclass
class Outputs:
    """Everything ``tpmcourse grade`` writes, named after the CSV."""
    csv: Path
    feedback: Path
    report: Path
    canvas: Path
    moodle: Path

    @classmethod
    def beside(cls, out_csv: Path, feedback_dir: Path | None = None) -> Outputs:
        def named(suffix: str) -> Path:
            return out_csv.with_name(out_csv.stem + suffix)

        return cls(out_csv, feedback_dir or named("_feedback"), named("_report.html"), named("_canvas.csv"),
                   named("_moodle.csv"))

    def all(self) -> list[Path]:
        return [self.csv, self.feedback, self.report, self.canvas, self.moodle]

    def existing(self) -> list[Path]:
        return [p for p in self.all() if p.exists() or p.is_symlink()]


class OutputsExist(FileExistsError):
    """Grading would replace earlier outputs (maybe edited by hand) and --force was not given."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        names = ", ".join(f"{p}/" if p.is_dir() else str(p) for p in paths)
        super().__init__(f"{names} already exist{'s' if len(paths) == 1 else ''}: grading again would replace "
                         f"{'it' if len(paths) == 1 else 'them'}, and any edits made since. Add --force to "
                         f"replace {'it' if len(paths) == 1 else 'them'}, or choose another --out.")


class ClusterError(RuntimeError):
    """The Dask cluster given with --scheduler cannot grade this class (raised
    before any submission is sent); ``status`` is the command's exit status:
    3 when a worker cannot isolate submissions, 2 otherwise."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Outcome:
    grades: list[Grade]
    found: Found
    outputs: Outputs
    notes: list[str]
    ran: str = ""  # where and how many at once, for the summary


def per_worker_memory() -> int:
    """What one submission being graded may use at most: its sandbox's memory
    cgroup (processes and the files in its folders, about 2.4 GiB); the runner
    and the checks outside it use little beside."""
    return sandbox.DEFAULT_LIMITS.tree_memory()


def _cgroup_headroom(parents: dict[str, Path] | None = None, root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Memory this process's cgroup (and those above it) still allows, or None
    without a limit: in a container /proc/meminfo shows the host's memory.
    The group's reclaimable file cache counts as free. ``parents``: the
    process's own group per controller (default: read from /proc/self/cgroup)."""
    parents = sandbox._cgroup_parents() if parents is None else parents
    files = (("unified", "memory.max", "memory.current", "inactive_file"),
             ("memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"))
    for controller, limit_name, usage_name, cache_name in files:
        folder = parents.get(controller)
        if folder is None:
            continue
        mount = root if controller == "unified" else root / controller
        headroom: int | None = None
        for level in [folder, *folder.parents]:
            if not level.is_relative_to(mount):
                break
            try:
                limit, usage = (int((level / name).read_text()) for name in (limit_name, usage_name))
            except (OSError, ValueError):  # "max" (no limit), or no such file at this level
                continue
            if limit >= 2**60:  # cgroup v1's way of saying no limit
                continue
            cache = 0
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (level / "memory.stat").read_text()
                cache = int(next(line.split()[1] for line in stat.splitlines() if line.split()[0] == cache_name))
            left = limit - usage + cache
            headroom = left if headroom is None else min(headroom, left)
        return headroom
    return None


def available_memory() -> int | None:
    """Memory this machine (and its container, if any) can still give, in bytes; None if it cannot tell."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    headroom = _cgroup_headroom()
    if headroom is not None:
        found.append(headroom)
    return max(0, min(found)) if found else None


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """Submissions graded at once by default: one per usable core, as many as
    the available memory holds at a sandbox's limits, and at least one."""
    memory = available_memory()
    by_memory = usable_cores() if memory is None else memory // per_worker_memory()
    return max(1, min(usable_cores(), by_memory))


def _grade_locally(submissions: list[tuple[str, Path]], workers: int, cell_timeout: int, total_timeout: int,
                   progress: bool, unsafe_trusted_code: bool, data_seed: int | None) -> list[Grade]:
    from tqdm import tqdm

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_one, s, p, cell_timeout, total_timeout, unsafe_trusted_code=unsafe_trusted_code,
                               data_seed=data_seed) for s, p in submissions]
        return [f.result() for f in tqdm(futures, desc="grading", unit="notebook", disable=not progress,
                                         file=sys.stderr)]


def grade_and_write(folder: Path, outputs: Outputs, workers: int | None = None, cell_timeout: int = 60,
                    total_timeout: int = 600, progress: bool = True, *, force: bool = False,
                    roster: exports.Roster | None = None, unsafe_trusted_code: bool = False,
                    scheduler: str | None = None, data_seed: int | None = None) -> Outcome:
    """Grade every submission and write the CSV, the feedback files, the class
    report and the gradebook exports. Raises OutputsExist, before grading
    anything, if one of them exists and ``force`` is not set.

    Here, ``workers`` submissions at once (default :func:`default_workers`);
    with ``scheduler``, on the Dask cluster at that address instead
    (:mod:`.distributed`; raises ClusterError, before grading anything,
    when the cluster cannot grade). With ``data_seed``, every lab runs and is
    checked on its data regenerated for that seed (:mod:`.fresh`)."""
    existing = outputs.existing()
    if existing and not force:
        raise OutputsExist(existing)
    found = scan_submissions(folder)
    if scheduler:
        from tpmcourse.instructor.grade import distributed

        grades, ran = distributed.grade_on_cluster(scheduler, found.submissions, cell_timeout, total_timeout,
                                                   progress=progress, unsafe_trusted_code=unsafe_trusted_code,
                                                   data_seed=data_seed)
    else:
        workers = workers or default_workers()
        try:
            grades = _grade_locally(found.submissions, workers, cell_timeout, total_timeout, progress,
                                    unsafe_trusted_code, data_seed)
        finally:
            fresh.cleanup()
        ran = f"on this machine, up to {workers} submission(s) at once"
    notes = [fresh_data_note(data_seed)] if data_seed is not None else []
    grades += found.skipped
    write_csv(grades, outputs.csv)
    if outputs.feedback.is_dir():  # --force: drop earlier feedback files, or a student left out would keep theirs
        for old in outputs.feedback.glob("*.md"):
            if old.is_file() and not old.is_symlink():
                old.unlink()
    feedback = write_feedback(grades, outputs.feedback)
    notes += exports.write_exports(grades, outputs.canvas, outputs.moodle, roster)
    absent = exports.gradebook(grades, roster).absent if roster else []
    classreport.write_report(grades, outputs.report, feedback, absent, notes[:1] if data_seed is not None else [])
    return Outcome(grades, found, outputs, notes, ran)


def grade_folder(folder: Path, out_csv: Path, feedback_dir: Path | None = None, workers: int | None = None,
                 cell_timeout: int = 60, total_timeout: int = 600, progress: bool = True, *, force: bool = False,
                 roster: exports.Roster | None = None, unsafe_trusted_code: bool = False,
                 scheduler: str | None = None, data_seed: int | None = None) -> list[Grade]:
    """Grade a folder and write every output beside ``out_csv``; the grades, skipped items included."""
    return grade_and_write(folder, Outputs.beside(out_csv, feedback_dir), workers, cell_timeout, total_timeout,
                           progress, force=force, roster=roster, unsafe_trusted_code=unsafe_trusted_code,
                           scheduler=scheduler, data_seed=data_seed).grades


def fresh_data_note(seed: int) -> str:
    """For the instructor only (the summary and the class report, never a student's feedback)."""
    return (f"Graded on fresh data, seed {seed}: keep it private; to grade again on the same data, add "
            f"--fresh-data --seed {seed}.")


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def run(submissions: Path, out: Path, workers: int | None, cell_timeout: int, total_timeout: int, *,
        force: bool = False, roster: Path | None = None, unsafe_trusted_code: bool = False,
        scheduler: str | None = None, fresh_data: bool = False, seed: int | None = None) -> int:
    """``tpmcourse grade``: grade a folder, print a summary; 2 when it is not a
    folder, when an output exists (without --force) or the roster is unusable,
    or (with ``scheduler``) when the cluster cannot be reached or its workers
    run another copy of the course; 3 when submissions cannot be isolated here,
    or on a worker of the cluster (unless ``unsafe_trusted_code``). ``fresh_data``:
    on each lab's data regenerated for ``seed`` (default: a new secret one)."""
    if scheduler and workers:
        print("✗ --workers is for grading on this machine: on a Dask cluster, each worker's --nthreads says how "
              "many submissions it grades at once", file=sys.stderr)
        return 2
    if seed is not None and not fresh_data:
        print("✗ --seed chooses the fresh data: add --fresh-data (or leave --seed out)", file=sys.stderr)
        return 2
    if seed is not None and not 0 < seed < fresh.SEED_LIMIT:
        print(f"✗ --seed {seed}: give a whole number from 1 to {fresh.SEED_LIMIT - 1:,}", file=sys.stderr)
        return 2
    if workers is not None and workers < 1:
        print(f"✗ --workers {workers}: give at least 1", file=sys.stderr)
        return 2
    if not submissions.is_dir():
        print(f"✗ {submissions} is not a folder of submissions", file=sys.stderr)
        return 2
    if out.is_dir() or out.suffix.lower() != ".csv":
        print(f"✗ --out {out} should name a CSV file to write, such as grades.csv", file=sys.stderr)
        return 2
    outputs = Outputs.beside(out)
    if any(_inside(p, submissions) for p in outputs.all()):
        print(f"✗ {out} is inside the submissions folder {submissions}: write the grades somewhere else "
              f"(a second run would take them for submissions)", file=sys.stderr)
        return 2
    if outputs.existing() and not force:
        print(f"✗ {OutputsExist(outputs.existing())}", file=sys.stderr)
        return 2
    try:
        people = exports.read_roster(roster) if roster else None
    except exports.RosterError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    if scheduler and not unsafe_trusted_code:  # nothing runs here: each worker is probed instead
        print("Submissions run on the cluster's workers, each isolated by bubblewrap there (every worker is "
              "checked before grading starts).", file=sys.stderr)
    elif not _isolation_ready(unsafe_trusted_code):
        return 3
    try:
        outcome = grade_and_write(submissions, outputs, workers, cell_timeout, total_timeout, force=force,
                                  roster=people, unsafe_trusted_code=unsafe_trusted_code, scheduler=scheduler,
                                  data_seed=(seed or fresh.new_seed()) if fresh_data else None)
    except OutputsExist as exc:  # written by someone else while grading ran
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the grades could not be written: say where, without a traceback
        print(f"✗ could not write the grades: {exc}", file=sys.stderr)
        return 2
    except ClusterError as exc:  # before anything was graded: nothing written
        print(f"✗ {exc}", file=sys.stderr)
        return exc.status
    print(summary(outcome))
    return 0


def summary(outcome: Outcome) -> str:
    """What the instructor reads at the end: counts, every item not graded and why, where the files are."""
    graded = [g for g in outcome.grades if g.status != "skipped"]
    counts = {s: sum(g.status == s for g in graded) for s in STATUSES}
    lines = [f"Graded {len(graded)} submission(s): " + (", ".join(f"{n} {s}" for s, n in counts.items() if n)
                                                         or "none")]
    if outcome.ran:
        lines.append(f"Graded {outcome.ran}.")
    skipped = outcome.found.skipped
    if skipped:
        lines.append(f"Skipped {len(skipped)} item(s), not graded (also in the CSV, status 'skipped'):")
        lines += [f"  - {clean_text(g.file, 120)}: {clean_text(g.message, 400)}" for g in skipped]
    if outcome.found.ignored:
        lines.append(f"Ignored {outcome.found.ignored} hidden file(s) or folder(s) (names starting with a dot, "
                     f"such as .ipynb_checkpoints; __MACOSX).")
    o = outcome.outputs
    lines += [f"Grades: {o.csv}", f"Feedback per student: {o.feedback}/", f"Class report: {o.report}",
              f"Gradebook imports: {o.canvas} (Canvas), {o.moodle} (Moodle)"]
    lines += outcome.notes
    return "\n".join(lines)
