"""A submission is isolated from the machine, the grader and its classmates.

One class is graded once, with the real grader and the real sandbox (small
limits, short timeouts): legitimate work (reference answers, blank, half
done) beside one submission per known attack on the grader. Then, row by
row: each attack got the status it earned and no point it did not, and
after grading nothing outside the sandbox changed, no process of the
sandbox's user is left, every student has a row and classmates kept their
marks. Also: grading refuses to start where the isolation does not work,
unless --unsafe-trusted-code is given (and then says so on every row).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

import classroom
from processes import Watch, descendants, process_table, processes, wait_until_gone
from tpmcourse import labs
from tpmcourse.instructor import cli
from tpmcourse.instructor.grade import sandbox
from tpmcourse.instructor.grade.report import feedback_filename
from tpmcourse.paths import ROOT

LAB = labs.find("metrics")
FULL = sum(t.points for t in LAB.tasks if t.kind == "auto")
LIMITS = sandbox.Limits(memory=sandbox.GiB, processes=64, cpu_seconds=120, file_size=64 * sandbox.MiB,
                        scratch=256 * sandbox.MiB, tmp=64 * sandbox.MiB)
CELL_TIMEOUT = 10

def copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def filled(student_nb, share: float = 1.0):
    """The handout with its first ``share`` of answer cells holding the reference answers."""
    return classroom.filled(student_nb, LAB, share)


def then(nb, source: str):
    """The notebook with one more code cell at its end."""
    nb = copy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: its kind and, for a file, a hash of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[rel] = "dir"
    return found


class Listener:
    """A TCP server on the host's loopback that counts who reaches it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


class KernelWatch:
    """Samples, while grading runs, who the kernels of this test's sandboxes
    (processes descending from this one, in another PID namespace: other
    gradings may run on the machine at the same time) run as outside."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}  # pid: uid
        self.own_pid_ns = os.stat("/proc/self/ns/pid").st_ino
        self.stop = False
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.stop:
            for pid, process in descendants(process_table()).items():
                if process.pid_ns != self.own_pid_ns and "ipykernel_launcher" in process.cmdline:
                    self.seen[pid] = process.uid
            time.sleep(0.2)

    def close(self) -> None:
        self.stop = True
        self.thread.join()

# A learner who lets the course's own helper compute a task's answer.
SHORTCUT = """
import tpmcourse.labs.lab2_metrics_helpers as tools
computed = tools.funnel_pandas(events)
funnel = computed
"""


def attacks(good, blank, outside: Path, classmate_file: Path, class_root: Path, port: int) -> dict:
    """One notebook per attack on the grader, by the student's name."""
    out = str(outside)
    # Its own Python and virtual environment are mounted where they are outside
    # (e.g. /root/.pyenv/..., /work/main/.venv): the folders above them exist,
    # holding nothing else.
    spy = f"""
import os, re, sys
found = []
for path in [{str(class_root)!r}, {str(classmate_file)!r}, {str(ROOT / "exercises")!r}, {str(ROOT / "chapters")!r},
             {str(ROOT / "tpmcourse")!r}, {str(ROOT / ".git")!r}, {str(ROOT / "data")!r}]:
    if os.path.lexists(path):
        found.append(path)
pythons = {{os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}}
for top in ["/tmp", "/run", "/home", "/dev/shm", "/opt", "/etc", "/work", "/root", "/srv", "/var", "/mnt"]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(folder, d)) not in pythons]
        for name in files + dirs:
            path = os.path.join(folder, name)
            if name.endswith((".ipynb", ".pyc")) or path.endswith("labs/lab2_metrics.py") \\
                    or re.fullmatch(r"kernel-.*\\.json", name) \\
                    or (top in ("/tmp", "/run", "/dev/shm") and name.startswith(("tpm", "pytest"))) \\
                    or (top == "/home" and not path.startswith("/home/student")) \\
                    or (top in ("/work", "/root", "/srv", "/var", "/mnt") and name in files):
                found.append(path)
for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]:
    try:
        cmd = open(f"/proc/{{pid}}/cmdline", "rb").read()
    except OSError:
        continue
    if b"ipykernel" in cmd:
        found.append(f"another kernel: {{cmd[:80]}}")
assert not found, found
"""
    return {
        # Running programs: they run, but inside the sandbox, as nobody, and reach nothing.
        "ctypes": then(good, f"""
import ctypes
libc = ctypes.CDLL(None)
libc.system(b"touch /outside {out}/pwned; rm -rf {out}; id -u > /home/student/system-ran")
libc.unlink(b"{out}/precious.txt")
assert open("/home/student/system-ran").read().strip() == "65534"
"""),
        "spawnv": then(good, f"""
import os, multiprocessing.util as mpu
pid = mpu.spawnv_passfds(b"/bin/sh", [b"/bin/sh", b"-c", b"touch {out}/pwned; rm -rf {out}; id -u > spawned"], ())
os.waitpid(pid, 0)
assert open("spawned").read().strip() == "65534"
"""),
        "toolname": then(good, f"""
import os, subprocess
os.makedirs("bin", exist_ok=True)
with open("bin/fc-list", "w") as fh:
    fh.write("#!/bin/sh\\nrm -rf {out}\\ntouch /outside {out}/pwned\\nid -u\\n")
os.chmod("bin/fc-list", 0o755)
os.environ["PATH"] = os.path.abspath("bin") + ":" + os.environ["PATH"]
assert subprocess.run(["fc-list"], capture_output=True, text=True).stdout.strip() == "65534"
import matplotlib.font_manager
"""),
        # Tampering with what runs inside the kernel: the grader checks outside.
        "tamper": then(blank, """
import gc, sys, _tpm_answers, tpmcourse.checks as c
c.evaluate = lambda tid, *a: c.Result(tid, True, "all good")
c.check = c.evaluate
_tpm_answers.dumps = lambda names, ns, limit=0: '{"lift": -1.0, "memo": "launch", "step_users": {"__frame__": "x"}}'
assert not [o for o in gc.get_objects() if callable(o) and getattr(o, "__name__", "") == "hook"]
"""),
        # Forging the record: a clean run.json and answers.json beside a killed kernel.
        "forger": then(blank, """
import json, os, signal
json.dump({"errors": [], "timeouts": [], "dead": False}, open("run.json", "w"))
json.dump({"lift": 0.0123, "memo": "ship it"}, open("answers.json", "w"))
open("violations.log", "w").close()
os.kill(os.getpid(), signal.SIGKILL)
"""),
        # Paths out of the folder: through dir_fd, hard links, /proc.
        "paths": then(good, f"""
import os
results = []
root = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
attempts = [lambda: os.unlink({out[1:] + "/precious.txt"!r}, dir_fd=root),
            lambda: os.link({out + "/precious.txt"!r}, "stolen"),
            lambda: os.link("/opt/tpmcourse/tpmcourse/checks.py", "linked.py"),
            lambda: os.open({out[1:] + "/precious.txt"!r}, os.O_WRONLY | os.O_TRUNC, dir_fd=root),
            lambda: open("/proc/1/root{out}/precious.txt", "w"),
            lambda: open("/opt/tpmcourse/tpmcourse/checks.py", "a")]
for attempt in attempts:
    try:
        attempt()
        results.append("worked")
    except OSError as exc:
        results.append(type(exc).__name__)
assert "worked" not in results, results
raise OSError("refused: " + ", ".join(results))
"""),
        # Links and pipes where the old grader read its files: it reads none now.
        "links": then(good, f"""
import os
os.symlink("{out}/precious.txt", "run.json")
os.symlink("{out}/precious.txt", "answers.json")
os.symlink("/dev/zero", "answers.json.zero")
os.mkfifo("violations.log")
os.mkfifo("/tmp/run.json")
"""),
        # Classmates: nothing of theirs (folders, notebooks, kernels, keys) is in sight.
        "spy": then(good, spy),
        # Full marks for nothing: the solutions and the reference answers are not there.
        "solution": then(blank, """
import json, tpmcourse.paths
nb = json.load(open(tpmcourse.paths.EXERCISES / "lab2_metrics.ipynb"))
for cell in nb["cells"]:
    if cell["cell_type"] == "code":
        exec("".join(cell["source"]), globals())
"""),
        "reference": then(blank, """
from tpmcourse.labs import lab2_metrics as ref
lift = ref.expected_lift()
"""),
        # Stopping the class: an answer to blow up the grader's checks.
        "huge": then(blank, """
import pandas as pd
cohorts_sql = pd.DataFrame({"cohort_week": [f"2025-{i:05d}" for i in range(20_000)], "week": range(20_000),
                            "retained": 0.5})
"""),
        # Outliving grading: processes that would stay.
        "forkbomb": then(good, """
import os, time
while True:
    if os.fork() == 0:
        time.sleep(3600)
        os._exit(0)
"""),
        "sleepers": then(good, """
import subprocess
sleepers = [subprocess.Popen(["sleep", "3600"], start_new_session=True, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(250)]
"""),
        # Limits: memory, disk, time.
        "memory": then(good, "hog = bytearray(6 * 2**30)"),
        "memtree": then(good, """
import os, time
kids = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        block = b"\\1" * (300 * 2**20)
        time.sleep(1)
        os._exit(0)
    kids.append(pid)
killed = sum(os.WIFSIGNALED(os.waitpid(pid, 0)[1]) for pid in kids)
assert killed == 0, f"{killed} of 6 children were killed by the memory limit"
"""),
        "bigfile": then(good, """
with open("big.bin", "wb") as fh:
    for _ in range(1024):
        fh.write(b"\\0" * 2**20)
"""),
        "filler": then(good, """
for i in range(100):
    with open(f"part{i}.bin", "wb") as fh:
        fh.write(b"\\0" * (50 * 2**20))
"""),
        "stubborn": then(good, """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""),
        # The network.
        "network": then(blank, f"""
import socket
reached = []
for target in [("127.0.0.1", {port}), ("192.0.2.1", 80), ("1.1.1.1", 53)]:
    try:
        socket.create_connection(target, timeout=3).close()
        reached.append(target)
    except OSError:
        pass
try:
    socket.getaddrinfo("example.com", 80)
    reached.append("dns")
except OSError:
    pass
assert not reached, reached
socket.create_connection(("127.0.0.1", {port}), timeout=3)
"""),
    }


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    assert sandbox.probe().ok, sandbox.refusal()  # `make sandbox` / .ci/run install bubblewrap
    root = tmp_path_factory.mktemp("isolation")
    handout = root / "handout"
    assert cli.main(["assign", LAB.id, "--out", str(handout)]) == 0
    blank = nbformat.read(handout / LAB.notebook.name, as_version=4)
    good = filled(blank)
    outside = root / "outside"
    (outside / "nested").mkdir(parents=True)
    (outside / "precious.txt").write_text("do not delete")
    (outside / "nested" / "grades.bin").write_bytes(bytes(range(256)) * 64)
    classmate_file = root / "runtime" / "kernel-classmate.json"
    classmate_file.parent.mkdir()
    classmate_file.write_text(json.dumps({"key": "secret", "transport": "ipc"}))
    subs = root / "submissions"
    listener = Listener()
    notebooks = {"ada": good, "bo": blank, "cy": filled(blank, 0.5), "helper": then(good, SHORTCUT),
                 **attacks(good, blank, outside, classmate_file, root, listener.port)}
    for student, nb in notebooks.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / LAB.notebook.name)
    before = snapshot(outside)
    outside_root_existed = os.path.lexists("/outside")
    out = root / "grades.csv"
    watch = KernelWatch()
    # The grader's temporary folder (runners' stages, the package copies): every
    # sandbox of this class names it on its command line, and no other's does.
    work_tmp = Path(tempfile.mkdtemp(prefix="tpm-isolation-test-"))
    work_tmp.chmod(0o755)  # as /tmp: the sandbox user passes through it to its own stage
    sandboxes = Watch(work_tmp)
    started = time.monotonic()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sandbox, "DEFAULT_LIMITS", LIMITS)
            mp.setattr(tempfile, "tempdir", str(work_tmp))
            code = cli.main(["grade", str(subs), "--out", str(out), "--cell-timeout", str(CELL_TIMEOUT),
                             "--timeout", "120", "--workers", "2"])
        seconds = time.monotonic() - started
        sandboxes_left = {pid: processes().get(pid) for pid in wait_until_gone(work_tmp)}
        left_in_tmp = sorted(p.name for p in work_tmp.iterdir())
    finally:
        sandboxes_seen = sandboxes.close()
        shutil.rmtree(work_tmp, ignore_errors=True)
    watch.close()
    listener.close()
    assert code == 0
    rows = {r["student"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    return {"rows": rows, "root": root, "outside": outside, "before": before, "students": set(notebooks),
            "outside_root_existed": outside_root_existed, "listener": listener, "left_in_tmp": left_in_tmp,
            "sandboxes_seen": sandboxes_seen, "sandboxes_left": sandboxes_left,
            "watch": watch, "seconds": seconds, "feedback": root / "grades_feedback"}


def row(graded, student):
    return graded["rows"][student]


def test_every_student_has_a_row_and_classmates_keep_their_marks(graded_class):
    rows = graded_class["rows"]
    assert set(rows) == graded_class["students"]
    assert (row(graded_class, "ada")["status"], int(row(graded_class, "ada")["total"])) == ("graded", FULL)
    assert (row(graded_class, "bo")["status"], int(row(graded_class, "bo")["total"])) == ("graded", 0)
    assert row(graded_class, "cy")["status"] == "graded" and 0 < int(row(graded_class, "cy")["total"]) < FULL
    print(f"graded {len(rows)} submissions in {graded_class['seconds']:.0f} s")


def test_nothing_outside_the_sandbox_was_touched(graded_class):
    assert snapshot(graded_class["outside"]) == graded_class["before"]
    assert not list(graded_class["root"].rglob("pwned*"))
    if not graded_class["outside_root_existed"]:
        assert not os.path.lexists("/outside")


def test_an_answer_a_course_helper_computed_earns_nothing(graded_class):
    """The helper is imported under another name and its result passed
    through a second variable: the grader follows both, and only that task
    loses its points."""
    r = row(graded_class, "helper")
    task = next(t for t in LAB.tasks if t.id == "metrics.funnel_rates")
    assert r["status"] == "graded" and r[task.id] == "0" and int(r["total"]) == FULL - task.points, r
    assert "computed by a course helper, no points: metrics.funnel_rates" in r["message"]
    feedback = (graded_class["feedback"] / feedback_filename("helper")).read_text(encoding="utf-8")
    assert "no points: the answer comes from" in feedback and "funnel_pandas" in feedback


def test_no_process_of_the_sandboxes_is_left(graded_class):
    assert len(graded_class["sandboxes_seen"]) >= 3, "too few sandboxes were seen for the test to mean much"
    assert not graded_class["sandboxes_left"]
    assert graded_class["left_in_tmp"] == []  # stages, package copies, fresh data: all removed


def test_kernels_ran_as_the_sandbox_user_outside_too(graded_class):
    seen = graded_class["watch"].seen
    assert seen, "no sandboxed kernel was seen running"
    if os.geteuid() == 0:
        assert set(seen.values()) == {sandbox.SANDBOX_UID}, seen


@pytest.mark.parametrize("student", ["ctypes", "spawnv", "toolname", "links", "spy"])
def test_programs_links_and_prying_reach_nothing(graded_class, student):
    """Each of these ran its attack to the end (its own checks inside passed)
    and changed nothing; its answers were right, so it keeps full marks."""
    r = row(graded_class, student)
    assert (r["status"], int(r["total"])) == ("graded", FULL), r


def test_paths_out_through_dir_fd_links_and_proc_are_refused(graded_class):
    r = row(graded_class, "paths")
    assert r["status"] == "error" and "raised OSError: refused: " in r["message"], r
    assert "worked" not in r["message"] and int(r["total"]) == FULL


@pytest.mark.parametrize("student", ["tamper", "forger", "solution", "reference"])
def test_no_points_without_the_work(graded_class, student):
    assert int(row(graded_class, student)["total"]) == 0, row(graded_class, student)


def test_what_the_cheats_ran_into(graded_class):
    assert row(graded_class, "tamper")["status"] == "graded"
    forger = row(graded_class, "forger")
    assert forger["status"] == "error" and "the kernel died during cell" in forger["message"], forger
    solution = row(graded_class, "solution")
    assert solution["status"] == "error" and "raised FileNotFoundError" in solution["message"], solution
    reference = row(graded_class, "reference")
    assert reference["status"] == "error", reference
    unknown = r"raised (ModuleNotFoundError|ImportError: cannot import name 'lab2_metrics')"
    assert re.search(unknown, reference["message"]), reference


def test_a_huge_answer_is_refused_before_it_is_checked(graded_class):
    r = row(graded_class, "huge")
    assert (r["status"], int(r["total"])) == ("graded", 0), r
    text = (graded_class["feedback"] / feedback_filename("huge")).read_text(encoding="utf-8")
    assert "20,000 rows" in text and "more than 10× the size of the expected answer" in text


def test_processes_are_capped_and_none_outlives_grading(graded_class):
    for student in ("forkbomb", "sleepers"):
        r = row(graded_class, student)
        assert r["status"] == "error" and "Resource temporarily unavailable" in r["message"], r
        assert int(r["total"]) == FULL


def test_memory_and_disk_limits_refuse_and_only_that_submission_pays(graded_class):
    memory = row(graded_class, "memory")
    assert memory["status"] == "error" and "raised MemoryError" in memory["message"], memory
    bigfile = row(graded_class, "bigfile")
    assert bigfile["status"] == "error" and "File too large" in bigfile["message"], bigfile
    filler = row(graded_class, "filler")
    assert filler["status"] == "error" and "No space left on device" in filler["message"], filler
    for r in (memory, bigfile, filler):
        assert int(r["total"]) == FULL
    memtree = row(graded_class, "memtree")
    if "memory" in sandbox.probe().details.get("cgroups", []):  # the tree's memory cgroup works here
        assert memtree["status"] == "error" and "killed by the memory limit" in memtree["message"], memtree


def test_a_cell_that_ignores_interrupts_is_stopped_and_reported(graded_class):
    r = row(graded_class, "stubborn")
    assert r["status"] == "timeout", r
    assert f"ran over {CELL_TIMEOUT} s and did not stop when interrupted" in r["message"]
    assert int(r["total"]) == FULL  # what it had answered before still counts


def test_no_network(graded_class):
    r = row(graded_class, "network")
    assert r["status"] == "error" and "raised ConnectionRefusedError" in r["message"], r
    assert graded_class["listener"].connections == 0


def test_the_probe_checks_what_a_submission_sees():
    result = sandbox.probe()
    seen = result.details["seen"]
    assert result.ok and seen["uid"] == sandbox.SANDBOX_UID and seen["interfaces"] == ["lo"]
    assert seen["package"].startswith(sandbox.PACKAGE_ROOT) and not seen["hidden_importable"]
    assert not seen["visible"] and not seen.get("writable")


@pytest.fixture()
def two_submissions(tmp_path):
    handout = tmp_path / "handout"
    assert cli.main(["assign", LAB.id, "--out", str(handout)]) == 0
    blank = nbformat.read(handout / LAB.notebook.name, as_version=4)
    subs = tmp_path / "submissions"
    for student, nb in {"ada": filled(blank), "bo": blank}.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / LAB.notebook.name)
    return subs


def test_grading_refuses_without_isolation_unless_told_the_code_is_trusted(two_submissions, monkeypatch, capsys):
    missing = sandbox.Probe(False, ["bubblewrap (bwrap) is not installed"], {})
    monkeypatch.setattr(sandbox, "probe", lambda: missing)
    out = two_submissions.parent / "grades.csv"
    assert cli.main(["grade", str(two_submissions), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "Grading refused" in err and "bubblewrap (bwrap) is not installed" in err
    assert "apt-get install bubblewrap" in err and "--unsafe-trusted-code" in err
    assert not out.exists()

    monkeypatch.setattr(sandbox, "DEFAULT_LIMITS", LIMITS)
    assert cli.main(["grade", str(two_submissions), "--out", str(out), "--unsafe-trusted-code",
                     "--cell-timeout", str(CELL_TIMEOUT), "--timeout", "120"]) == 0
    assert "WITHOUT isolation" in capsys.readouterr().err
    rows = {r["student"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert all(r["message"].startswith("UNSAFE") for r in rows.values()), rows
    assert int(rows["ada"]["total"]) == FULL and int(rows["bo"]["total"]) == 0


def test_no_mount_hides_an_earlier_one(tmp_path, monkeypatch):
    """bubblewrap applies its mounts in order: a tmpfs mounted after a bind hides
    it. A Python environment under the host's /tmp (a fresh clone in /tmp/x/repo)
    must stay visible, so every tmpfs comes before any bind that lies inside it."""
    monkeypatch.setattr(sandbox, "python_roots", lambda: ["/tmp/x/repo/.venv", "/opt/python"])
    box = sandbox.Sandbox(isolated=True, limits=sandbox.Limits(), package=str(tmp_path), data={},
                          tag="order-test", stage=tmp_path)
    try:
        argv = box._bwrap_argv(["true"], {}, info_fd=0)
    finally:
        for fd in box._fds:
            os.close(fd)
    mounts = [(i, argv[i], argv[i + 1] if argv[i] == "--tmpfs" else argv[i + 2])
              for i in range(len(argv) - 2) if argv[i] in ("--tmpfs", "--ro-bind", "--bind", "--file")]
    for i, kind, dest in mounts:
        if kind != "--tmpfs":
            continue
        covered = [d for j, k, d in mounts if j < i and (d == dest or d.startswith(dest.rstrip("/") + "/"))]
        assert covered == [], f"--tmpfs {dest} would hide {covered}"
    assert any(dest == "/tmp/x/repo/.venv" for _, _, dest in mounts)
