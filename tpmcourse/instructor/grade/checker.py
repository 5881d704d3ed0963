"""The course's checks, run for the grader in a process of its own, with a
memory cap and a time limit per check.

A learner's answer is data, but checking it computes: a table ten thousand
times the expected size can make a check's pivot or join need gigabytes or
minutes. So (1) an answer much larger than the reference solution's is
refused with a clear message before any check sees it (:func:`too_big`), and
(2) the checks themselves run in a worker process (one per grading thread,
reused: the labs' expected answers are computed once in it) that is killed
and replaced when a check overruns its time or dies of its memory cap. The
worker reads one request per line on stdin and writes one result per line.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

CHECK_MEMORY = 4 * 2**30  # address space of the worker
CHECK_TIMEOUT = 30.0  # seconds per check (the first check of a lab also computes its expected answers)
SIZE_FACTOR = 10  # an answer may be this many times the reference answer's size
MIN_ITEMS = 1_000  # ...and always this many rows, values or items
MIN_TEXT = 100_000  # ...and characters of text
MAX_RESULT_LINE = 64 * 2**20


def size_of(value: Any, depth: int = 0) -> int:
    """How much there is to check: a table's values (rows × columns), an
    array's or series' values, a container's items (nested ones counted),
    a text's characters; 1 for anything else."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return int(value.shape[0]) * max(1, int(value.shape[1]))
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return int(value.size)
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) + (sum(size_of(v, depth + 1) for v in value) if depth < 4 else 0)
    return 1


def describe_size(value: Any) -> str:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return f"{value.shape[0]:,} rows × {value.shape[1]:,} columns"
    if isinstance(value, str):
        return f"{len(value):,} characters"
    return f"{size_of(value):,} values"


def too_big(value: Any, expected: int | None) -> str | None:
    """Why ``value`` is too large to check against a reference answer of
    size ``expected`` (None: no reference size known), or None."""
    text = isinstance(value, (str, bytes))
    allowed = max(SIZE_FACTOR * (expected or 0), MIN_TEXT if text else MIN_ITEMS)
    size = size_of(value)
    if size <= allowed:
        return None
    return (f"has {describe_size(value)}, more than {SIZE_FACTOR}× the size of the expected answer "
            f"({expected:,}), so the grader did not check it: look for a missing filter, groupby or "
            f"aggregation" if expected else f"has {describe_size(value)}, too large for the grader to check")


def check_request(request: dict) -> dict:
    """One task's check: decode the answers, refuse oversized ones, evaluate."""
    from tpmcourse import checks
    from tpmcourse.instructor.grade import answers

    task = next((t for t in checks.tasks() if t.id == request["task"]), None)
    if task is None:
        return {"passed": False, "message": f"no task called {request['task']!r}"}
    values = []
    for name, raw, expected in zip(task.variables, request["values"], request["expected"], strict=True):
        try:
            value = answers.decode(raw)
        except (ValueError, TypeError, RecursionError, MemoryError) as exc:
            value = answers.Unsupported(f"unreadable ({type(exc).__name__})")
        except Exception as exc:  # pandas' own errors on a malformed table
            value = answers.Unsupported(f"unreadable ({type(exc).__name__})")
        if isinstance(value, answers.Unsupported) and value.type_name.startswith("too large"):
            return {"passed": False, "message": f"{task.title}: `{name}` is {value.type_name}."}
        problem = too_big(value, expected)
        if problem:
            return {"passed": False, "message": f"{task.title}: `{name}` {problem}."}
        values.append(value)
    _read_data_from(request.get("data"))
    result = checks.evaluate(task.id, *values)
    return {"passed": bool(result.passed), "message": str(result.message)}


def shortcuts_request(request: dict) -> dict:
    """Which tasks' answers came from a course helper that computes them
    (:func:`tpmcourse.labs.shortcuts.graded_shortcuts`): the submission's code
    is parsed here, under this process's limits, never in the grader."""
    from tpmcourse.labs import shortcuts

    cells = [c for c in request["cells"] if isinstance(c, str)]
    return {"shortcuts": shortcuts.graded_shortcuts([str(t) for t in request["tasks"]], cells)}


_data = contextlib.ExitStack()
_data_folder: list[str | None] = [None]


def _read_data_from(folder: str | None) -> None:
    """Make the checks read ``folder`` (None: the course's data) from now on.
    The worker stays in one folder while requests name it, so the expected
    answers computed from it are kept between checks."""
    if folder == _data_folder[0]:
        return
    from tpmcourse import datasets

    _data.close()
    _data_folder[0] = None
    if folder is not None:
        _data.enter_context(datasets.reading_from(folder))
        _data_folder[0] = folder


def serve() -> int:
    """The worker: requests on stdin, results on stdout, one JSON per line."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (CHECK_MEMORY if hard == resource.RLIM_INFINITY
                                            else min(CHECK_MEMORY, hard), hard))
    out = sys.stdout
    sys.stdout = sys.stderr  # a check that prints must not break the protocol
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            result = shortcuts_request(request) if "cells" in request else check_request(request)
        except MemoryError:
            result = {"passed": False, "message": "the check ran out of memory on this answer"}
        except Exception as exc:  # the worker's own failure is this check's, not the batch's
            result = {"passed": False, "message": f"the check failed ({type(exc).__name__}: {exc})"[:500]}
        out.write(json.dumps(result) + "\n")
        out.flush()
    return 0


class Checker:
    """A worker process and the protocol to it, restarted after any failure."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.buffer = b""

    def _start(self) -> subprocess.Popen:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
        self.buffer = b""
        return subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=env, start_new_session=True)

    def _ask(self, request: dict, timeout: float) -> dict | str:
        """One request to the worker and its answer as a dict; or, when there
        is none, what happened: "stopped", "died" (out of memory?), "timeout"
        or "nonsense". The worker is closed after any failure."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            self.close()
            return "stopped"
        line = self._readline(timeout)
        if line is None:
            died = self.proc.poll() is not None
            self.close()
            return "died" if died else "timeout"
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.close()
            return "nonsense"
        return answer

    def check(self, task_id: str, values: list, expected: list[int | None], timeout: float = CHECK_TIMEOUT,
              data: Path | None = None) -> tuple[bool, str]:
        """Check one task's answers (as the runner brought them back) against
        the answers computed from ``data`` (None: the course's data/)."""
        result = self._ask({"task": task_id, "values": values, "expected": expected,
                            "data": None if data is None else str(data)}, timeout)
        if isinstance(result, dict) and {"passed", "message"} <= result.keys():
            return bool(result["passed"]), str(result["message"])
        if result in ("died", "timeout"):
            why = "stopped (out of memory?)" if result == "died" else f"took over {timeout:.0f} s and was stopped"
            return False, f"the check of this answer {why}: the answer is probably far larger than asked for"
        self.close()
        what = "stopped" if result == "stopped" else "answered nonsense"
        return False, f"the grader's check process {what}; this task could not be checked"

    def shortcuts(self, task_ids: list[str], cells: list[str], timeout: float = CHECK_TIMEOUT
                  ) -> dict[str, list[str]] | str:
        """{task id: helpers} for the tasks whose answer a course helper
        computed in the submission's ``cells``; or why it could not be told."""
        result = self._ask({"tasks": task_ids, "cells": cells}, timeout)
        found = result.get("shortcuts") if isinstance(result, dict) else None
        if isinstance(found, dict) and all(isinstance(v, list) for v in found.values()):
            return {str(k): [str(h) for h in v] for k, v in found.items()}
        if result in ("died", "timeout"):
            return f"reading the code took over {timeout:.0f} s or too much memory"
        self.close()
        return "the grader's check process " + ("stopped" if result == "stopped" else "answered nonsense")

    def _readline(self, timeout: float) -> bytes | None:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or len(self.buffer) > MAX_RESULT_LINE or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    pipe.close()
            self.proc = None

    def __del__(self) -> None:
        self.close()


_local = threading.local()
_all: weakref.WeakSet[Checker] = weakref.WeakSet()


def checker() -> Checker:
    """This thread's worker (made on first use; ends with the thread or the grader)."""
    found = getattr(_local, "checker", None)
    if found is None:
        found = _local.checker = Checker()
        _all.add(found)
    return found


@atexit.register
def _close_all() -> None:
    for item in list(_all):
        item.close()


if __name__ == "__main__":
    sys.exit(serve())
