"""``tpmcourse grade``: grade a folder of submitted lab notebooks.

Each submission runs in its own process, in a scratch folder, with a time
limit, no network and an audit hook that refuses writes and deletes outside
that folder (tpmcourse.instructor.grade.sandbox). Then the course's own checks, in this
process, grade the answers the notebook computed: a submission's check cells
(which a learner can edit) are never trusted. One bad submission never stops
the others.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from tpmcourse import checks, labs
from tpmcourse.instructor.grade import answers, sandbox
from tpmcourse.instructor.grade.report import STATUSES, Grade, TaskResult, write_csv, write_feedback
from tpmcourse.paths import DATA

MAX_NOTEBOOK_BYTES = 20_000_000
MAX_ANSWERS_BYTES = 50_000_000


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook) pairs: ``folder/<student>/*.ipynb`` or ``folder/<student>_<lab>.ipynb``."""
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(folder)
        if len(rel.parts) > 1:
            student = rel.parts[0]
        else:
            stem = path.stem
            for lab in labs.labs():
                for suffix in (lab.notebook.stem, lab.id):
                    stem = stem.replace(suffix, "")
            student = stem.strip("_- .") or path.stem
        found.append((student, path))
    return found


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


def _scratch(lab: labs.Lab, nb: nbformat.NotebookNode) -> Path:
    root = Path(tempfile.mkdtemp(prefix="tpm-grade-"))
    (root / "data").mkdir()
    for name in lab.data_files():
        if (DATA / name).exists():
            shutil.copy2(DATA / name, root / "data" / name)
    nbformat.write(nb, root / "submission.ipynb")
    names = sorted({v for t in lab.tasks for v in t.variables})
    (root / "names.json").write_text(json.dumps(names))
    site = root / "_site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(sandbox.sitecustomize_source())
    for sub in ("home", "tmp", "mpl", "ipython", "runtime"):
        (root / sub).mkdir()
    kernel_env = {
        sandbox.ENV: str(root), "PYTHONPATH": str(site), "HOME": str(root / "home"),
        "TMPDIR": str(root / "tmp"), "MPLCONFIGDIR": str(root / "mpl"), "MPLBACKEND": "Agg",
        "IPYTHONDIR": str(root / "ipython"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    (root / "kernel_env.json").write_text(json.dumps(kernel_env))
    return root


@functools.lru_cache(maxsize=1)
def network_namespace_prefix() -> tuple[str, ...]:
    """``unshare --net`` where this machine allows it (Linux, as root): the
    submission then has no network interface at all. Elsewhere the audit hook
    alone refuses network access."""
    if not (sys.platform.startswith("linux") and shutil.which("unshare") and os.geteuid() == 0):
        return ()
    probe = subprocess.run(["unshare", "--net", "--", "true"], capture_output=True)
    return ("unshare", "--net", "--") if probe.returncode == 0 else ()


def _run(root: Path, cell_timeout: int, total_timeout: int, max_output: int) -> tuple[dict, bool]:
    """Start the runner in its own process group (and network namespace where possible)."""
    cmd = [*network_namespace_prefix(), sys.executable, "-m", "tpmcourse.instructor.grade.runner",
           str(root), str(cell_timeout), str(max_output)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH"))}
    env["JUPYTER_RUNTIME_DIR"] = str(root / "runtime")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(timeout=total_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return {}, True
    run_file = root / "run.json"
    return (json.loads(run_file.read_text()) if run_file.exists() else {}), False


def grade_one(student: str, path: Path, cell_timeout: int = 60, total_timeout: int = 600,
              max_output: int = 1_000_000) -> Grade:
    """Grade one submitted notebook; never raises."""
    grade = Grade(student, "", path.name)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"the file is over {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        nb = nbformat.reads(path.read_text(encoding="utf-8", errors="replace"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        grade.status, grade.message = "invalid", f"not a valid notebook file ({type(exc).__name__}: {str(exc)[:200]})"
        return grade
    lab = _identify_lab(nb, path)
    if lab is None:
        grade.status, grade.message = "invalid", "not one of the course's labs (no tpmcourse lab metadata or checks)"
        return grade
    grade.lab = lab.id
    root = _scratch(lab, nb)
    try:
        report, killed = _run(root, cell_timeout, total_timeout, max_output)
        problems = []
        log = root / sandbox.LOG
        violations = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if killed:
            grade.status = "timeout"
            problems.append(f"stopped after {total_timeout} s")
        elif report.get("timeouts"):
            grade.status = "timeout"
            problems.append(f"cell {report['timeouts'][0]} ran over {cell_timeout} s and was interrupted")
        if violations:
            grade.status = "error" if grade.status == "graded" else grade.status
            more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
            problems.append(f"refused: {violations[0]}{more}")
        if report.get("overflow"):
            grade.status = "error" if grade.status == "graded" else grade.status
            problems.append(f"printed more than {max_output:,} bytes; the rest was dropped")
        if report.get("dead"):
            grade.status = "error" if grade.status == "graded" else grade.status
            problems.append("the kernel died")
        if report.get("errors"):
            grade.status = "error" if grade.status == "graded" else grade.status
            index, text = report["errors"][0]
            problems.append(f"cell {index} raised {text}")
        values = _read_answers(root / "answers.json")
        if values is None:
            if not report and not killed:
                grade.status = "error"
                problems.append("the notebook could not be run (the grader's runner did not start)")
            else:
                problems.append("no answers could be read")
            values = {}
        for task in lab.tasks:
            given = [values.get(name) for name in task.variables]
            result = checks.evaluate(task.id, *given)
            grade.results.append(TaskResult(task, result.passed, result.message))
        grade.message = "; ".join(problems)
    except Exception as exc:  # the grader's own failure is this submission's error, not the batch's
        grade.status, grade.message = "error", f"could not be graded ({type(exc).__name__}: {exc})"
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return grade


def _read_answers(path: Path) -> dict | None:
    if not path.exists() or path.stat().st_size > MAX_ANSWERS_BYTES:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    out = {}
    for name, value in raw.items():
        try:
            out[str(name)] = answers.decode(value)
        except Exception:
            out[str(name)] = answers.Unsupported("unreadable")
    return out


def grade_folder(folder: Path, out_csv: Path, feedback_dir: Path | None = None, workers: int | None = None,
                 cell_timeout: int = 60, total_timeout: int = 600, progress: bool = True) -> list[Grade]:
    from tqdm import tqdm

    submissions = find_submissions(folder)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_one, s, p, cell_timeout, total_timeout) for s, p in submissions]
        grades = [f.result() for f in tqdm(futures, desc="grading", unit="notebook", disable=not progress,
                                           file=sys.stderr)]
    write_csv(grades, out_csv)
    write_feedback(grades, feedback_dir or out_csv.with_name(out_csv.stem + "_feedback"))
    return grades


def run(submissions: Path, out: Path, workers: int | None, cell_timeout: int, total_timeout: int) -> int:
    """``tpmcourse grade``: grade a folder, print a summary; 2 when it is not a folder."""
    if not submissions.is_dir():
        print(f"✗ {submissions} is not a folder of submissions", file=sys.stderr)
        return 2
    grades = grade_folder(submissions, out, workers=workers, cell_timeout=cell_timeout, total_timeout=total_timeout)
    counts = {s: sum(g.status == s for g in grades) for s in STATUSES}
    print(f"Graded {len(grades)} submission(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    print(f"Grades: {out}; feedback per student: {out.with_name(out.stem + '_feedback')}/")
    return 0
