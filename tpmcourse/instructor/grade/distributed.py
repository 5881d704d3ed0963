"""``tpmcourse grade --scheduler ADDRESS``: the same grading, spread over a
Dask cluster (``dask.distributed``) instead of this machine's cores.

Each submission is one task. It travels to a worker as data: the notebook's
bytes and its file name (workers need not share a disk with the instructor),
with the grading options and the fingerprint of the instructor's copy of the
course. On the worker, :func:`grade_submission` writes the bytes to a private
temporary folder and calls :func:`~tpmcourse.instructor.grade.grade_one`,
exactly as local grading does: the kernel runs in that worker's bubblewrap
sandbox with the same limits, and a worker that cannot isolate refuses (an
``error`` row) unless --unsafe-trusted-code was given. The grade comes back
as plain data (strings, booleans, lists: :func:`to_plain`), and the
instructor's machine rebuilds it (:func:`from_plain`) and writes every output
as local grading does.

Before anything is sent, every connected worker is checked
(:func:`check_worker`): it must be able to isolate submissions (exit status 3
otherwise) and run the same course (the package, the labs' data and reference
notebooks, Python and the libraries: :func:`course_fingerprint`; status 2
otherwise). A worker that joins later is checked by each of its tasks.

No row is ever lost: a task that fails (its worker died, an exception, the
result could not be read), or that cannot run because no worker is left,
becomes an ``error`` row for that submission, to grade again.

Dask is imported only here, and this module only with --scheduler.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpmcourse import labs
from tpmcourse.instructor.grade import (
    MAX_NOTEBOOK_BYTES,
    ClusterError,
    _lab_of,
    default_workers,
    grade_one,
    sandbox,
)
from tpmcourse.instructor.grade.report import SCORED, Grade, TaskResult
from tpmcourse.paths import DATA, ROOT

if TYPE_CHECKING:
    from distributed import Client, Future

CONNECT_TIMEOUT = 30.0  # seconds to reach the scheduler
WORKER_WAIT = 60.0  # seconds to wait for a first worker
CHECK_TIMEOUT = 300.0  # seconds for every worker to answer its check (the isolation probe starts a sandbox)
NO_WORKER_GRACE = 300.0  # seconds the cluster may have no worker before what is left becomes error rows
WATCH_EVERY = 5.0  # seconds between looks at the cluster while grading


# --- on the worker ----------------------------------------------------------------


def _digest(paths: list[Path], base: Path) -> str:
    found = hashlib.sha256()
    for path in sorted(paths):
        found.update(path.relative_to(base).as_posix().encode() + b"\0")
        try:
            found.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            found.update(b"missing")
    return found.hexdigest()[:16]


def _libraries() -> str:
    """Python's version and the installed versions of what the package declares it needs."""
    try:
        specs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    except (OSError, KeyError, ValueError):
        try:
            specs = importlib.metadata.requires("tpmcourse") or []
        except importlib.metadata.PackageNotFoundError:
            specs = []
    names = sorted({m[0].lower() for spec in specs if (m := re.match(r"[A-Za-z0-9._-]+", spec))})
    versions = [f"python=={sys.version_info.major}.{sys.version_info.minor}"]
    for name in names:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]


@functools.cache
def course_fingerprint() -> dict[str, str]:
    """What must be the same here and on every worker for a class to be graded
    alike: {part: short hash} of the tpmcourse package (the checks, the
    grader, the sandbox's limits), the labs' data files, the labs' reference
    notebooks (the expected answers' sizes come from them), and Python and the
    libraries' versions. Computed once per process."""
    package = ROOT / "tpmcourse"
    sources = [p for p in package.rglob("*.py") if "__pycache__" not in p.parts]
    data = sorted({DATA / name for lab in labs.labs() for name in lab.data_files()})
    return {
        "the tpmcourse package": _digest(sources, ROOT),
        "the labs' data files": _digest(data, ROOT),
        "the labs' reference notebooks": _digest([lab.notebook for lab in labs.labs()], ROOT),
        "Python or the libraries' versions": _libraries(),
    }


def _differences(expected: dict[str, str]) -> list[str]:
    own = course_fingerprint()
    return [part for part, value in expected.items() if own.get(part) != value]


_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _worker_slots() -> tuple[int, threading.BoundedSemaphore]:
    """How many submissions this worker process grades at once, whatever its
    thread count (as many as its machine's cores and memory hold:
    :func:`~tpmcourse.instructor.grade.default_workers`), and the semaphore
    that holds it to that; decided once per process."""
    global _slots
    with _slots_lock:
        if _slots is None:
            count = default_workers()
            _slots = (count, threading.BoundedSemaphore(count))
        return _slots


def check_worker(fingerprint: dict[str, str], unsafe_trusted_code: bool) -> dict[str, Any]:
    """Run on each worker before grading: whether it can isolate submissions
    (the sandbox probe), whether its course differs, and how many submissions
    it grades at once. Plain data."""
    return {"host": socket.gethostname(),
            "refusal": None if unsafe_trusted_code else sandbox.refusal(),
            "differs": _differences(fingerprint),
            "slots": _worker_slots()[0]}


def _safe_name(name: bytes) -> str:
    text = os.fsdecode(name)
    if not text or "/" in text or "\0" in text or text in (".", ".."):
        return "submission.ipynb"
    return text


def grade_submission(name: bytes, content: bytes, cell_timeout: int, total_timeout: int,
                     unsafe_trusted_code: bool, fingerprint: dict[str, str], data_seed: int | None = None
                     ) -> dict[str, Any]:
    """The task a worker runs for one submission: ``content`` (the notebook's
    bytes) saved as ``name`` in a private temporary folder, graded by
    :func:`~tpmcourse.instructor.grade.grade_one` (so in this worker's
    sandbox, with the same limits), the folder removed. Returns the grade as
    plain data (:func:`to_plain`); never raises."""
    host = socket.gethostname()
    try:
        differs = _differences(fingerprint)
        if differs:
            return {"lab": "", "status": "error", "results": [], "worker": host,
                    "message": f"not graded: worker {host} runs another copy of the course "
                               f"({', '.join(differs)} differ from the instructor's); install the same "
                               f"version on every worker and grade again"}
        with _worker_slots()[1]:
            folder = Path(tempfile.mkdtemp(prefix="tpm-submission-"))
            try:
                path = folder / _safe_name(name)
                path.write_bytes(content)
                grade = grade_one("", path, cell_timeout, total_timeout, unsafe_trusted_code=unsafe_trusted_code,
                                  data_seed=data_seed)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        return {**to_plain(grade), "worker": host}
    except Exception as exc:  # this submission's error, not the class's
        return {"lab": "", "status": "error", "results": [], "worker": host,
                "message": f"could not be graded on worker {host} ({type(exc).__name__}: {exc})"[:500]}


def to_plain(grade: Grade) -> dict[str, Any]:
    """A grade as data that any serializer carries: its lab, status, message
    and, per task, [task id, passed, message]."""
    return {"lab": grade.lab, "status": grade.status, "message": grade.message, "fresh_data": grade.fresh_data,
            "results": [[r.task.id, bool(r.passed), r.message] for r in grade.results]}


# --- on the instructor's machine -------------------------------------------------


def from_plain(student: str, file: str, data: object) -> Grade:
    """The grade a worker sent back, with this machine's tasks; an ``error``
    grade when it is not one (never raises)."""
    try:
        if not isinstance(data, dict):
            raise TypeError(f"a {type(data).__name__}, not a dict")
        lab, status, message, results = data["lab"], data["status"], data["message"], data["results"]
        if not (isinstance(lab, str) and isinstance(message, str) and isinstance(results, list)):
            raise TypeError("fields of the wrong type")
        if status not in (*SCORED, "invalid"):
            raise ValueError(f"status {status!r}")
        tasks = {t.id: t for t in labs.find(lab).tasks} if lab else {}
        grade = Grade(student, lab, file, status, message, fresh_data=data.get("fresh_data") is True)
        for task_id, passed, text in results:
            if not (isinstance(passed, bool) and isinstance(text, str)):
                raise TypeError("a task result of the wrong type")
            grade.results.append(TaskResult(tasks[task_id], passed, text))
        return grade
    except (KeyError, TypeError, ValueError) as exc:
        return Grade(student, "", file, "error", f"could not be graded: the worker's result could not be read "
                                                 f"({type(exc).__name__}: {exc})"[:500])


def _failed(student: str, path: Path, why: str) -> Grade:
    """The row of a submission whose task did not bring back a grade."""
    return Grade(student, _lab_of(path) or "", path.name, "error",
                 f"could not be graded on the cluster ({why}); grade it again")


def _connect(address: str) -> Client:
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"could not reach the Dask scheduler at {address} ({type(exc).__name__}: {exc}). "
                           f"Is `dask scheduler` running there, and reachable from this machine?") from None
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no worker (none joined within "
                           f"{WORKER_WAIT:.0f} s): start some with `dask worker {address}`") from exc
    return client


def _check_workers(client: Client, address: str, unsafe_trusted_code: bool) -> str:
    """Check every connected worker (on itself, as a task pinned to it); raise
    ClusterError when one cannot grade; say how the class will run."""
    nthreads = client.nthreads()
    fingerprint = course_fingerprint()
    checks = {worker: client.submit(check_worker, fingerprint, unsafe_trusted_code, workers=[worker],
                                    allow_other_workers=False, pure=False,
                                    key=f"tpmcourse-check-{secrets.token_hex(6)}")
              for worker in nthreads}
    deadline = time.monotonic() + CHECK_TIMEOUT  # whoever has not answered by then is named below
    while not all(f.done() for f in checks.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    reports: dict[str, dict] = {}
    unanswered = []
    for worker, future in checks.items():
        try:
            if not future.done():
                raise TimeoutError(f"no answer within {CHECK_TIMEOUT:.0f} s")
            reports[worker] = future.result()
        except Exception as exc:  # the worker left, or its check failed
            unanswered.append(f"{worker} ({type(exc).__name__}: {exc})"[:300])
    client.cancel(list(checks.values()))
    if unanswered:
        raise ClusterError(f"{len(unanswered)} worker(s) of the cluster at {address} did not answer their check: "
                           f"{'; '.join(unanswered)}")
    refused = [f"{w} on {r['host']}: {r['refusal']}" for w, r in reports.items() if r["refusal"]]
    if refused:
        raise ClusterError(f"{len(refused)} worker(s) of the cluster at {address} cannot isolate submissions, so "
                           f"grading was not started. " + " | ".join(refused), status=3)
    other = [f"{w} on {r['host']} ({', '.join(r['differs'])})" for w, r in reports.items() if r["differs"]]
    if other:
        raise ClusterError(f"{len(other)} worker(s) of the cluster at {address} run another copy of the course than "
                           f"this machine: {'; '.join(other)}. Grades would depend on the worker: install the same "
                           f"version of the course (and `make install`) on every worker, restart them and grade "
                           f"again.")
    at_once = 0
    for worker, report in reports.items():
        at_once += min(nthreads[worker], report["slots"])
        if nthreads[worker] > report["slots"]:
            print(f"⚠ worker {worker} on {report['host']} has {nthreads[worker]} threads, but cores and memory "
                  f"for {report['slots']} submissions at once: it grades {report['slots']} at once",
                  file=sys.stderr)
    hosts = len({r["host"] for r in reports.values()})
    return (f"on the Dask cluster at {address}: {len(reports)} worker(s) on {hosts} machine(s), "
            f"up to {at_once} submission(s) at once")


def _collect(client: Client, pending: dict[Future, tuple[str, Path]], progress: bool) -> list[Grade]:
    """Every task's grade, as each comes back; an error row for each that fails
    or that no worker is left to run. Each task leaves ``pending`` as its row is made."""
    from distributed import as_completed
    from tqdm import tqdm

    grades: list[Grade] = []
    done = as_completed(list(pending), loop=client.loop)
    bar = tqdm(total=len(pending), desc="grading", unit="notebook", disable=not progress, file=sys.stderr)
    alone_since: float | None = None
    next_look = time.monotonic() + WATCH_EVERY
    try:
        while pending:
            batch = done.next_batch(block=False)
            for future in batch:
                student, path = pending.pop(future)
                try:
                    grade = from_plain(student, path.name, future.result())
                    if grade.status == "error" and not grade.lab:  # refused before the worker read it
                        grade.lab = _lab_of(path) or ""
                except Exception as exc:  # the task failed: worker lost, exception, cancelled
                    grade = _failed(student, path, f"{type(exc).__name__}: {exc}"[:300])
                grades.append(grade)
                future.release()
                bar.update()
            if batch:
                continue
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + WATCH_EVERY
                try:
                    workers = len(client.nthreads())
                except Exception:  # the scheduler cannot be reached: as good as no worker
                    workers = 0
                alone_since = None if workers else alone_since or time.monotonic()
                if alone_since is not None and time.monotonic() - alone_since > NO_WORKER_GRACE:
                    client.cancel(list(pending))
                    for student, path in pending.values():
                        grades.append(_failed(student, path, f"no worker was left on the cluster for "
                                                             f"{NO_WORKER_GRACE:.0f} s"))
                        bar.update()
                    pending.clear()
            time.sleep(0.1)
    finally:
        bar.close()
    return grades


def grade_on_cluster(address: str, submissions: list[tuple[str, Path]], cell_timeout: int = 60,
                     total_timeout: int = 600, *, progress: bool = True,
                     unsafe_trusted_code: bool = False, data_seed: int | None = None) -> tuple[list[Grade], str]:
    """Grade ``submissions`` ((student, notebook) pairs) on the Dask cluster
    whose scheduler is at ``address``: one grade per submission, in any order,
    and how it ran (for the summary). Raises ClusterError, before anything is
    sent, when the scheduler cannot be reached, has no worker, or a worker
    cannot isolate submissions or runs another copy of the course."""
    client = _connect(address)
    futures: dict[Future, tuple[str, Path]] = {}  # the tasks whose grade has not come back
    try:
        ran = _check_workers(client, address, unsafe_trusted_code)
        fingerprint = course_fingerprint()
        run = secrets.token_hex(4)
        grades: list[Grade] = []
        for i, (student, path) in enumerate(submissions):
            try:
                with path.open("rb") as fh:  # one byte over the limit is enough for grade_one to refuse it
                    content = fh.read(MAX_NOTEBOOK_BYTES + 1)
            except OSError as exc:
                grades.append(Grade(student, "", path.name, "invalid",
                                    f"not a valid notebook file ({type(exc).__name__}: {str(exc)[:200]})"))
                continue
            future = client.submit(grade_submission, os.fsencode(path.name), content, cell_timeout, total_timeout,
                                   unsafe_trusted_code, fingerprint, data_seed, pure=False,
                                   key=f"tpmcourse-grade-{run}-{i}")
            futures[future] = (student, path)
        grades += _collect(client, futures, progress)
        return grades, ran
    finally:
        if futures:  # interrupted: nothing of this class keeps running on the cluster
            client.cancel(list(futures))
        client.close()
