"""Grading on a Dask cluster (``tpmcourse grade --scheduler``) gives a class
the same grades as grading on this machine.

One small class of one lab (reference answers, blank, half done, a notebook
that raises) is graded twice: here, and on a local Dask cluster of two worker
processes, each grading in its own bubblewrap sandboxes. Two more
submissions meet a failing task on the cluster: one task raises, and one
kills its worker process. The CSVs must agree row for row, every submission
must have a row (the failed tasks' are ``error`` rows), and after the cluster
closes no process and no temporary folder of the grading is left. Also: the
default number of workers, the refusals before anything is sent (no
scheduler, a worker that cannot isolate, a worker with another copy of the
course), and that grading without --scheduler does not import Dask.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path

import nbformat
import pytest
from test_grade import with_cell

from classroom import filled
from processes import Watch, descendants, mentioning, process_table
from tpmcourse import labs
from tpmcourse.instructor import cli
from tpmcourse.instructor import grade as grading
from tpmcourse.instructor.grade import distributed, sandbox
from tpmcourse.instructor.grade.report import Grade, TaskResult

LAB = labs.find("reliability")  # the fastest lab to grade
FULL = sum(t.points for t in LAB.tasks if t.kind == "auto")
# On fresh data: each worker regenerates the lab's data for the seed, and must grade as this machine does.
OPTIONS = ["--cell-timeout", "30", "--timeout", "240", "--fresh-data", "--seed", "777"]
FAILING = ("crash", "killer")  # their tasks fail on the cluster (see sabotaged)


def sabotaged(real):
    """The task the cluster runs, except for two submissions: ``crash``'s raises
    (a failure of the task, not of the grading inside it), and ``killer``'s
    ends its worker process at once, as a lost machine would (after running
    the process's exit handlers, so it leaves no sandbox copy behind). Made
    here, so Dask ships it to the workers by value."""

    def task(name: bytes, content: bytes, *args):
        if name.startswith(b"crash"):
            raise RuntimeError("this task failed (simulated)")
        if name.startswith(b"killer"):
            atexit._run_exitfuncs()
            os._exit(1)
        return real(name, content, *args)

    return task


def tree(before: Collection[int] = ()) -> dict[int, str]:
    """This process's descendants, but multiprocessing's resource tracker, which
    the cluster's first worker starts and which stays until this process ends,
    and the processes ``before`` with their own (the worker's browser, whose
    helpers come and go)."""
    return {pid: p.cmdline for pid, p in descendants(process_table(), skip=before).items()
            if "multiprocessing.resource_tracker" not in p.cmdline}


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    return {r["student"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}


@pytest.fixture(scope="module")
def cluster_class(tmp_path_factory):
    """The class, graded here and on a two-worker local cluster."""
    from dask import config
    from distributed import LocalCluster

    assert sandbox.probe().ok, sandbox.refusal()  # `make sandbox` / .ci/run install bubblewrap
    root = tmp_path_factory.mktemp("distributed")
    handout = root / "handout"
    assert cli.main(["assign", LAB.id, "--out", str(handout)]) == 0
    blank = nbformat.read(handout / LAB.notebook.name, as_version=4)
    good = filled(blank, LAB)
    notebooks = {"ada": good, "bo": blank, "cy": filled(blank, LAB, 0.5),
                 "raises": with_cell(good, "raise RuntimeError('oops')", at=len(good.cells)),
                 "crash": good, "killer": good}
    subs = root / "submissions"
    subs.mkdir()
    for student, nb in notebooks.items():
        nbformat.write(nb, subs / f"{student}_{LAB.notebook.name}")

    here = root / "here.csv"
    assert cli.main(["grade", str(subs), "--out", str(here), "--workers", "2", *OPTIONS]) == 0

    # The workers' temporary folder (their sandboxes' copies of the package, the
    # runners' stages, the notebooks they receive): checked empty at the end.
    work_tmp = Path(tempfile.mkdtemp(prefix="tpm-dask-test-"))
    work_tmp.chmod(0o755)
    children = set(tree())
    watch = Watch(work_tmp)
    out = root / "cluster.csv"
    started = time.monotonic()
    # One worker death fails its task at once; each worker holds only the task it runs.
    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
    try:
        with config.set(settings), pytest.MonkeyPatch.context() as mp:
            mp.setattr(distributed, "grade_submission", sabotaged(distributed.grade_submission))
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                              local_directory=str(root / "dask"), env={"TMPDIR": str(work_tmp)}) as cluster:
                address, printed = cluster.scheduler_address, io.StringIO()
                with contextlib.redirect_stdout(printed):
                    code = cli.main(["grade", str(subs), "--out", str(out), "--scheduler", address, *OPTIONS])
        seconds = time.monotonic() - started
        left_in_tmp = sorted(p.name for p in work_tmp.iterdir())
    finally:
        seen_running = watch.close()
        shutil.rmtree(work_tmp, ignore_errors=True)
    deadline = time.monotonic() + 10
    while (tree(before=children) or mentioning(work_tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    new_children = tree(before=children)
    return {"code": code, "address": address, "printed": printed.getvalue(), "here": read_rows(here),
            "cluster": read_rows(out) if out.exists() else {},
            "students": set(notebooks), "left_in_tmp": left_in_tmp, "new_children": new_children,
            "sandboxes_left": mentioning(work_tmp), "sandboxes_seen": seen_running, "seconds": seconds, "root": root}


def test_every_submission_has_a_row_and_the_cluster_grades_as_this_machine_does(cluster_class):
    here, there = cluster_class["here"], cluster_class["cluster"]
    assert cluster_class["code"] == 0
    assert "Graded 6 submission(s): 3 graded, 3 error\n" in cluster_class["printed"]
    assert (f"Graded on the Dask cluster at {cluster_class['address']}: 2 worker(s) on 1 machine(s), "
            f"up to 2 submission(s) at once.") in cluster_class["printed"]
    assert set(here) == set(there) == cluster_class["students"]
    assert (here["ada"]["status"], int(here["ada"]["total"])) == ("graded", FULL)
    assert (here["bo"]["status"], int(here["bo"]["total"])) == ("graded", 0)
    assert here["cy"]["status"] == "graded" and 0 < int(here["cy"]["total"]) < FULL
    assert here["raises"]["status"] == "error" and "RuntimeError: oops" in here["raises"]["message"]
    assert int(here["raises"]["total"]) == FULL
    for student in cluster_class["students"] - set(FAILING):
        assert there[student] == here[student], student  # every column: status, points, message
    print(f"graded {len(there)} submissions on the cluster in {cluster_class['seconds']:.0f} s")


def test_a_failed_task_is_an_error_row_for_its_submission(cluster_class):
    there = cluster_class["cluster"]
    crash, killer = there["crash"], there["killer"]
    assert (crash["lab"], crash["status"], crash["total"]) == (LAB.id, "error", "0"), crash
    assert "could not be graded on the cluster (RuntimeError: this task failed (simulated))" in crash["message"]
    assert (killer["lab"], killer["status"]) == (LAB.id, "error"), killer
    assert "could not be graded on the cluster (KilledWorker" in killer["message"], killer
    assert all("grade it again" in r["message"] for r in (crash, killer))
    feedback = cluster_class["root"] / "cluster_feedback"
    assert len(list(feedback.glob("*.md"))) == len(cluster_class["students"])


def test_what_ran_before_is_not_counted_but_what_starts_now_is():
    """As a worker's browser does, a process that ran before starts a child late: not the
    cluster's. A process started after the snapshot, and its children, are counted."""
    old = subprocess.Popen(["sh", "-c", "sleep 0.3; sleep 30; true"], start_new_session=True)
    new = None
    try:
        before = set(tree())
        assert old.pid in before
        new = subprocess.Popen(["sh", "-c", "sleep 30; true"], start_new_session=True)
        deadline = time.monotonic() + 10
        while len(descendants(process_table(), root=old.pid)) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        late = set(descendants(process_table(), root=old.pid))
        assert late, "the old process started no child"
        started = tree(before=before)
        assert new.pid in started and not late & set(started)
        assert late <= set(tree())  # without the snapshot, the late child counts
    finally:
        for process in (old, new):
            if process is not None:
                os.killpg(process.pid, signal.SIGKILL)  # with its sleeps
                process.wait()


def test_nothing_is_left_after_the_cluster_closes(cluster_class):
    assert cluster_class["left_in_tmp"] == []
    assert not cluster_class["new_children"], cluster_class["new_children"]
    assert cluster_class["sandboxes_seen"], "no sandbox of the workers' was seen while grading"
    assert not cluster_class["sandboxes_left"]


# --- before anything is sent ---------------------------------------------------------


@pytest.fixture(scope="module")
def small_cluster(tmp_path_factory):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                      local_directory=str(tmp_path_factory.mktemp("dask-small"))) as cluster:
        yield cluster.scheduler_address


@pytest.fixture()
def one_submission(tmp_path):
    subs = tmp_path / "submissions"
    subs.mkdir()
    shutil.copyfile(LAB.notebook, subs / f"ada_{LAB.notebook.name}")
    return subs, tmp_path / "grades.csv"


def test_an_unreachable_scheduler_is_refused(one_submission, monkeypatch, capsys):
    subs, out = one_submission
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 3)
    assert cli.main(["grade", str(subs), "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    assert f"could not reach the Dask scheduler at tcp://127.0.0.1:{port}" in capsys.readouterr().err
    assert not out.exists()


def test_workers_and_a_scheduler_do_not_go_together(one_submission, capsys):
    subs, out = one_submission
    assert cli.main(["grade", str(subs), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1", "--workers", "3"]) == 2
    assert "--nthreads" in capsys.readouterr().err


def test_a_worker_that_cannot_isolate_stops_grading_before_it_starts(small_cluster, one_submission, monkeypatch,
                                                                      capsys):
    subs, out = one_submission
    real = distributed.check_worker

    def cannot_isolate(fingerprint, unsafe):  # shipped by value: the worker answers as one without bubblewrap
        return {**real(fingerprint, True), "refusal": "Grading refused: bubblewrap (bwrap) is not installed"}

    monkeypatch.setattr(distributed, "check_worker", cannot_isolate)
    assert cli.main(["grade", str(subs), "--out", str(out), "--scheduler", small_cluster]) == 3
    err = capsys.readouterr().err
    assert "1 worker(s) of the cluster" in err and "cannot isolate submissions" in err and "bwrap" in err
    assert not out.exists()


def test_a_worker_with_another_copy_of_the_course_stops_grading(small_cluster, one_submission, monkeypatch,
                                                                capsys):
    subs, out = one_submission
    ours = distributed.course_fingerprint()
    monkeypatch.setattr(distributed, "course_fingerprint",
                        lambda: {**ours, "the labs' data files": "0123456789abcdef"})
    assert cli.main(["grade", str(subs), "--out", str(out), "--scheduler", small_cluster]) == 2
    err = capsys.readouterr().err
    assert "run another copy of the course" in err and "the labs' data files" in err
    assert "the tpmcourse package" not in err and not out.exists()


def test_submissions_left_with_no_worker_become_error_rows(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    monkeypatch.setattr(distributed, "NO_WORKER_GRACE", 1.0)
    monkeypatch.setattr(distributed, "WATCH_EVERY", 0.2)
    path = tmp_path / f"ada_{LAB.notebook.name}"
    shutil.copyfile(LAB.notebook, path)
    with (LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster,
          Client(cluster, set_as_default=False) as client):
        pending = {client.submit(distributed.grade_submission, path.name.encode(), path.read_bytes(), 30, 240,
                                 False, distributed.course_fingerprint(), pure=False): ("ada", path)}
        started = time.monotonic()
        rows = distributed._collect(client, pending, progress=False)
    assert time.monotonic() - started < 30 and not pending
    assert [(r.student, r.lab, r.status) for r in rows] == [("ada", LAB.id, "error")]
    assert "no worker was left on the cluster for 1 s" in rows[0].message


# --- pieces ----------------------------------------------------------------------------


def test_a_grade_travels_back_as_plain_data():
    task = LAB.tasks[0]
    grade = Grade("ada", LAB.id, "ada.ipynb", "timeout", "cell 3 ran over", [TaskResult(task, True, "✅ right")])
    plain = distributed.to_plain(grade)
    assert plain == {"lab": LAB.id, "status": "timeout", "message": "cell 3 ran over", "fresh_data": False,
                     "results": [[task.id, True, "✅ right"]]}
    back = distributed.from_plain("ada", "ada.ipynb", plain)
    assert back == grade
    for broken in (None, {**plain, "status": "skipped"}, {**plain, "results": [["no.such.task", True, ""]]},
                   {**plain, "results": [[task.id, "yes", ""]]}, {"lab": LAB.id}):
        row = distributed.from_plain("ada", "ada.ipynb", broken)
        assert (row.status, row.total) == ("error", 0) and "could not be read" in row.message, broken


def test_the_default_workers_are_the_cores_that_memory_can_feed(monkeypatch):
    gib = 2**30
    monkeypatch.setattr(grading, "usable_cores", lambda: 8)
    for memory, expected in ((64 * gib, 8), (10 * gib, 4), (gib, 1), (0, 1), (None, 8)):
        monkeypatch.setattr(grading, "available_memory", lambda memory=memory: memory)
        assert grading.default_workers() == expected, memory
    assert 2.3 * gib < grading.per_worker_memory() < 2.5 * gib
    monkeypatch.undo()
    assert 1 <= grading.default_workers() <= len(os.sched_getaffinity(0))
    assert grading.available_memory() is not None


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_container_memory_limit_caps_the_workers(tmp_path, version):
    """In a container /proc/meminfo shows the host's memory: the cgroup's limit
    (the tightest of the group and those above it) counts, its file cache free."""
    gib = 2**30
    names = {"v1": ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
             "v2": ("memory.max", "memory.current", "inactive_file")}[version]
    mount = tmp_path / "memory" if version == "v1" else tmp_path
    own = mount / "machine" / "grader"
    own.mkdir(parents=True)
    for level, limit, usage in ((mount / "machine", 6 * gib, 3 * gib), (own, 8 * gib, gib)):
        (level / names[0]).write_text(f"{limit}\n")
        (level / names[1]).write_text(f"{usage}\n")
        (level / "memory.stat").write_text(f"{names[2]} {gib // 2}\nactive_file 0\n")
    (mount / names[0]).write_text("max\n" if version == "v2" else "9223372036854771712\n")
    (mount / names[1]).write_text(f"{50 * gib}\n")
    parents = {"memory" if version == "v1" else "unified": own}
    assert grading._cgroup_headroom(parents, tmp_path) == 3 * gib + gib // 2  # the parent's limit binds
    assert grading._cgroup_headroom({}, tmp_path) is None


def test_grading_here_says_how_many_ran_and_does_not_import_dask(tmp_path):
    subs = tmp_path / "submissions"
    subs.mkdir()
    code = ("import sys\nfrom tpmcourse.instructor import cli\n"
            f"assert cli.main(['grade', {str(subs)!r}, '--out', {str(tmp_path / 'g.csv')!r}, '--workers', '3', "
            "'--unsafe-trusted-code']) == 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Graded 0 submission(s): none\nGraded on this machine, up to 3 submission(s) at once." in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
