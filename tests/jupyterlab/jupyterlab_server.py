"""A real JupyterLab server for the learner's-view tests.

One server per test session, on 127.0.0.1, on a free port, with a random
token. It serves what a learner opens: the learner edition of every chapter
and lab, side by side as `tpmcourse notebooks --out DIR` writes them (with
data/ beside them, as in a learner's handout); in source/, a copy of
chapter 02 as the repository holds it, to show what the learner edition
fixes; and in launch/, the tree Binder opens from the launch branch
(`tpmcourse launch-tree`: chapters/ and exercises/ side by side). Every place Jupyter writes to (config, data, runtime,
lab settings, workspaces, IPython's and matplotlib's folders) lies in the
same temporary folder, so neither the user's own Jupyter settings nor the
repository are read or written. The python3 kernel is this test run's own
interpreter (the venv's), declared in the temporary data folder, which
Jupyter is told to search before any other. The quiz's shuffle seed is
random per session and printed (set TPM_QUIZ_SEED to replay one). At the end
the server is asked to shut down (which stops its kernels), any process it
left is killed, and everything but the server's log is deleted.
"""

from __future__ import annotations

__all__ = ["LAUNCH_FOLDER", "SOURCE_FOLDER", "jupyterlab", "repository_leftovers"]  # what test modules import

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tpmcourse.book.learner_downloads import published_url
from tpmcourse.content import launch_tree, learner_edition
from tpmcourse.paths import CHAPTERS, DATA, ROOT

SOURCE_FOLDER = "source"  # the repository's chapter 02, as it was before the learner edition
LAUNCH_FOLDER = "launch"  # the launch branch's tree, which Binder opens
START_TIMEOUT = 120  # seconds; JupyterLab takes 10-20 s to start on a 2-core machine
# Names Jupyter leaves behind when it runs inside a folder: none may appear in the repository.
JUPYTER_LEFTOVERS = (".ipynb_checkpoints", ".virtual_documents", ".jupyter", ".local", ".ipython",
                     "Untitled.ipynb", ".jupyter_ystore.db")


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it listens, its token and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path
    quiz_seed: str

    def tree(self, name: str) -> str:
        """The URL a learner opens a notebook at (the token logs the browser in)."""
        return f"{self.url}/lab/tree/{name}?token={self.token}"

    def api(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """Every live process below `pid` (read from /proc; kernels run in sessions of their own)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _started(pid: int) -> str | None:
    """When a process started (field 22 of /proc/PID/stat), to tell it from a later one with its id."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _kill(processes: dict[int, str | None]) -> None:
    """Kill the processes that are still the ones seen before (same id, same start time)."""
    for pid, started in processes.items():
        if started is not None and _started(pid) == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _environment(base: Path) -> dict[str, str]:
    """The server's (and so its kernels') environment: every Jupyter folder under `base`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JPY_", "IPYTHON")) and k not in ("MPLCONFIGDIR", "PYTHONSTARTUP")}
    folders = {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "config/lab/user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "config/lab/workspaces",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
        "XDG_CACHE_HOME": "cache",
    }
    for variable, folder in folders.items():
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(base / folder)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # In a venv Jupyter searches the venv's folders first; the temporary ones (holding the
    # python3 kernel spec below and the lab settings) must come first.
    env["JUPYTER_PREFER_ENV_PATH"] = "0"
    # Options are shuffled and numeric questions drawn per render: a fresh seed for each
    # session, or the one given (to replay a failure, run with the seed it printed).
    env.setdefault("TPM_QUIZ_SEED", str(secrets.randbits(32)))
    # The kernel imports tpmcourse from the repository (an editable install): no bytecode there.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _configure(env: dict[str, str], port: int, token: str, root: Path) -> None:
    config = Path(env["JUPYTER_CONFIG_DIR"])
    (config / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "open_browser": False,
                      "root_dir": str(root), "terminals_enabled": False,
                      "allow_root": True},  # CI runs as root; the server listens on 127.0.0.1 only
        "IdentityProvider": {"token": token},
        "LabApp": {
            "expose_app_in_browser": True,  # the tests read the kernel's state from window.jupyterapp
            "news_url": None,               # nothing is fetched from outside the machine
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "extension_manager": "readonly",
        },
    }, indent=1), encoding="utf-8")
    # No "fetch news?" toast over the notebook; everything else is JupyterLab's default.
    notification = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    # The python3 kernel is this interpreter: the venv that has tpmcourse installed.
    spec = Path(env["JUPYTER_DATA_DIR"]) / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python",
    }), encoding="utf-8")


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory, repository_leftovers):
    """A JupyterLab server serving the learner edition of the chapters and labs (and data/,
    source/ with the repository's chapter 02, and launch/ with the launch branch's tree);
    yields a :class:`Lab`."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "learner"
    course = learner_edition.Course(published_url())
    written, _ = learner_edition.write_folder(root, course)
    assert {path.name for path in written} >= {path.name for path in CHAPTERS.glob("*.ipynb")}
    (root / SOURCE_FOLDER).mkdir()
    shutil.copy2(CHAPTERS / "02_responsibilities.ipynb", root / SOURCE_FOLDER / "02_responsibilities.ipynb")
    shutil.copytree(DATA, root / "data")
    launch_tree.write_tree(root / LAUNCH_FOLDER, course, "this test run", launch_tree.launch_branch())
    env = _environment(base)
    port, token = _free_port(), secrets.token_hex(24)
    _configure(env, port, token, root)
    log = base / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "jupyterlab"], cwd=root, env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    lab = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log, quiz_seed=env["TPM_QUIZ_SEED"])
    print(f"JupyterLab for the learner's-view tests: log in {log}, TPM_QUIZ_SEED={lab.quiz_seed}")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if lab.api("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        specs = json.loads(lab.api("/api/kernelspecs")[1])["kernelspecs"]
        assert specs["python3"]["spec"]["argv"][0] == sys.executable, (
            f"the python3 kernel is not this venv's Python: {specs['python3']['spec']['argv']}")
        yield lab
    finally:
        left = {pid: _started(pid) for pid in _descendants(process.pid)}
        if process.poll() is None:
            try:
                lab.api("/api/shutdown", method="POST")  # stops the kernels, then the server
                process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if process.poll() is None:
            left |= {pid: _started(pid) for pid in _descendants(process.pid)}
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        _kill(left)
        # Only the server's log stays, in pytest's own temporary folder (which keeps the last few runs).
        for path in base.iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path != log:
                path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def repository_leftovers():
    """Jupyter's leftovers already in the repository when the session started, to compare at the end."""
    def scan() -> set[str]:
        return {str(p.relative_to(ROOT)) for folder in (ROOT, CHAPTERS, DATA)
                for p in folder.iterdir() if p.name in JUPYTER_LEFTOVERS}
    before = scan()
    return before, scan
