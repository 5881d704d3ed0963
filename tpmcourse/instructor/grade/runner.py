"""Run one submission's code cells, one by one, in a sandboxed kernel, and
keep the record of what happened.

The grader starts this module as a process of its own (:func:`run_job`): the
job comes as JSON on stdin, the record goes back as JSON on stdout. It is the
grader's trusted code and runs outside the sandbox (:mod:`.sandbox`), which
starts the kernel; the two talk only over the kernel protocol, on unix
sockets in the sandbox's ``/run/kernel`` that the runner pins (by descriptor)
before any of the submission's code has run. So the record (which cells ran,
raised, ran over their time and were interrupted, or would not stop) is
written from what the runner itself saw and timed, and the learner's answers
come back as the result of a request, as size-capped JSON text parsed as data
(never from a file the submission could write, link or block).
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from queue import Empty
from typing import Any, ClassVar

from tpmcourse.instructor.grade import sandbox

RUNNER_MEMORY = 3 * sandbox.GiB  # the runner's own address space: a flood from a kernel stops it, not the grader
INTERRUPT_GRACE = 5.0  # seconds a kernel has to stop after an interrupt before it is killed
STARTUP_TIMEOUT = 120.0
EXTRACT_TIMEOUT = 30.0
MAX_JOB_BYTES = 64 * sandbox.MiB
_counter = itertools.count()


class KernelDied(Exception):
    pass


class _Stop(Exception):
    """Stop running cells (the record says why)."""


def _client_class() -> type:
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.connect import channel_socket_types

    class PinnedClient(BlockingKernelClient):
        """Connects each channel to a socket pinned by descriptor, with a cap
        on the size of a message and on how many wait unread."""

        pinned: dict[str, str]
        max_message: dict[str, int]

        def _create_connected_socket(self, channel: str, identity: bytes | None = None) -> Any:
            sock = self.context.socket(channel_socket_types[channel])
            sock.linger = 0
            sock.maxmsgsize = self.max_message[channel]
            sock.rcvhwm = 16
            if identity:
                sock.identity = identity
            sock.connect(self.pinned[channel])
            return sock

    return PinnedClient


class Run:
    """One notebook in one sandbox, as a sequence of requests with deadlines."""

    PORTS: ClassVar[dict[str, int]] = {"shell": 1, "iopub": 2, "stdin": 3, "control": 4, "hb": 5}

    def __init__(self, job: dict, box: sandbox.Sandbox) -> None:
        self.job, self.box = job, box
        self.cell_timeout = float(job["cell_timeout"])
        self.deadline = time.monotonic() + float(job["total_timeout"])
        self.max_output = int(job["max_output"])
        self.max_answers = int(job["max_answers"])
        self.output_bytes = 0
        self.record: dict[str, Any] = {
            "isolated": box.isolated, "started": False, "startup_error": None, "cells_run": 0, "errors": [],
            "timeouts": [], "stuck": None, "total_timeout": False, "dead": None, "died_of": None,
            "overflow": False, "answers": None, "answers_after": None, "answers_note": None,
        }
        self.kc: Any = None
        self._pins: list[int] = []

    # --- connection ----------------------------------------------------------

    def start(self) -> None:
        key = secrets.token_hex(32)
        conn = {"transport": "ipc", "ip": self.box.inside(sandbox.KERNEL_DIR) + "/k", "key": key,
                "signature_scheme": "hmac-sha256", "kernel_name": "python3",
                **{f"{ch}_port": port for ch, port in self.PORTS.items()}}
        program = [sys.executable, "-m", "ipykernel_launcher", "-f", self.box.inside(sandbox.CONNECTION_FILE),
                   "--HistoryManager.enabled=False", "--IPKernelApp.log_level=CRITICAL"]
        startup = min(STARTUP_TIMEOUT, self.deadline - time.monotonic())
        self.box.start(program, {sandbox.CONNECTION_FILE: json.dumps(conn).encode()}, timeout=startup)
        # The kernel makes its sockets before it runs anything of the submission's:
        # pin them now, so no later rename or link can redirect the runner.
        wanted = ("shell", "iopub", "control")
        paths = {ch: self.box.outside(f"{sandbox.KERNEL_DIR}/k-{self.PORTS[ch]}") for ch in wanted}
        until = time.monotonic() + startup
        while not all(os.path.lexists(p) for p in paths.values()):
            if not self.box.alive():
                raise RuntimeError(f"the kernel stopped while starting ({self.box.stderr_text()})")
            if time.monotonic() > until:
                raise RuntimeError(f"the kernel did not start within {startup:.0f} s")
            time.sleep(0.05)
        pinned = {}
        for ch, path in paths.items():
            fd = sandbox.pin_socket(path)
            self._pins.append(fd)
            pinned[ch] = f"ipc:///proc/self/fd/{fd}"
        kc = _client_class()()
        kc.load_connection_info({**conn, "ip": "unused"})
        kc.pinned = pinned
        kc.max_message = {"shell": 4 * self.max_answers + sandbox.MiB, "control": sandbox.MiB,
                          "iopub": max(16 * sandbox.MiB, 2 * self.max_output)}
        self.kc = kc
        msg_id = self._send("shell", "kernel_info_request", {})
        try:
            reply = self._reply(msg_id, time.monotonic() + startup, retry=("kernel_info_request", {}))
        except KernelDied:
            raise RuntimeError(f"the kernel stopped while starting ({self.box.stderr_text()})") from None
        if reply is None:
            raise RuntimeError(f"the kernel did not answer within {startup:.0f} s")
        self.record["started"] = True

    def close(self) -> None:
        if self.kc is not None:
            for name in ("shell", "iopub", "control"):
                channel = getattr(self.kc, f"_{name}_channel", None)
                if channel is not None:
                    channel.close()
            self.kc.context.destroy(linger=0)
        for fd in self._pins:
            os.close(fd)
        self._pins = []

    # --- messages -------------------------------------------------------------

    def _send(self, channel: str, msg_type: str, content: dict) -> str:
        msg = self.kc.session.msg(msg_type, content)
        getattr(self.kc, f"{channel}_channel").send(msg)
        return str(msg["header"]["msg_id"])

    def _drain_output(self) -> None:
        """Read what the kernel published (output), only to count its size."""
        channel = self.kc.iopub_channel
        for _ in range(500):
            if not channel.msg_ready():
                return
            try:
                msg = channel.get_msg(timeout=0)
            except Empty:
                return
            except Exception:  # a forged or broken message: dropped
                continue
            if msg.get("msg_type") in ("stream", "display_data", "execute_result", "error", "update_display_data"):
                self.output_bytes += len(json.dumps(msg.get("content", {}), default=str))
                if self.output_bytes > self.max_output:
                    self.record["overflow"] = True

    def _reply(self, msg_id: str, until: float, retry: tuple[str, dict] | None = None) -> dict | None:
        """The reply to ``msg_id`` on the shell channel, or None at ``until``;
        raises KernelDied when the sandbox ends first."""
        channel = self.kc.shell_channel
        last_sent = time.monotonic()
        while True:
            self._drain_output()
            if not self.box.alive():
                raise KernelDied()
            left = until - time.monotonic()
            if left <= 0:
                return None
            if retry and time.monotonic() - last_sent > 1:  # a kernel still starting may miss a request
                msg_id, last_sent = self._send("shell", *retry), time.monotonic()
            try:
                msg = channel.get_msg(timeout=min(left, 0.1))
            except Empty:
                continue
            except Exception:
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id and str(msg.get("msg_type", "")).endswith(
                    "_reply"):
                return msg

    def _execute(self, content: dict, seconds: float) -> tuple[str, dict]:
        """Run one request; ("ok"|"error"|"interrupted"|"stuck"|"total", reply content)."""
        msg_id = self._send("shell", "execute_request", {"silent": False, "store_history": True,
                                                         "user_expressions": {}, "allow_stdin": False,
                                                         "stop_on_error": False, **content})
        until = min(time.monotonic() + seconds, self.deadline)
        reply = self._reply(msg_id, until)
        if reply is None:
            total = time.monotonic() >= self.deadline
            self._send("control", "interrupt_request", {})
            reply = self._reply(msg_id, time.monotonic() + INTERRUPT_GRACE)
            if reply is None:
                return ("total" if total else "stuck"), {}
            return ("total" if total else "interrupted"), reply.get("content", {})
        body = reply.get("content", {})
        return ("error" if body.get("status") == "error" else "ok"), body

    # --- the notebook -------------------------------------------------------------

    def cells(self, cells: list[tuple[int, str]], names: list[str]) -> None:
        for index, source in cells:
            try:
                outcome, body = self._execute({"code": source}, self.cell_timeout)
            except KernelDied:
                self.record["dead"] = index
                raise _Stop() from None
            self.record["cells_run"] += 1
            if outcome == "total":
                self.record["total_timeout"] = True
                raise _Stop()
            if outcome == "stuck":
                self.record["stuck"] = index
                raise _Stop()
            if outcome == "interrupted":
                self.record["timeouts"].append(index)
            elif outcome == "error":
                text = f"{body.get('ename', 'Error')}: {body.get('evalue', '')}"
                self.record["errors"].append([index, text[:300]])
            self.answers(names, index)

    def answers(self, names: list[str], after: int) -> None:
        """Ask the kernel for the learner's answers (after every cell, so a
        later cell that hangs or kills the kernel costs nothing already answered)."""
        expr = f"__import__({sandbox.ANSWERS_MODULE!r}).dumps({names!r}, globals(), {self.max_answers})"
        try:
            outcome, body = self._execute({"code": "", "silent": True, "store_history": False,
                                           "user_expressions": {"answers": expr}}, EXTRACT_TIMEOUT)
        except KernelDied:
            self.record["dead"] = after
            raise _Stop() from None
        if outcome in ("stuck", "total"):
            self.record["stuck" if outcome == "stuck" else "total_timeout"] = after if outcome == "stuck" else True
            self.record["answers_note"] = "reading the answers did not finish"
            raise _Stop()
        result = body.get("user_expressions", {}).get("answers", {}) if outcome == "ok" else {}
        if not isinstance(result, dict) or result.get("status") != "ok":
            ename = result.get("ename", "no reply") if isinstance(result, dict) else "no reply"
            self.record["answers_note"] = f"the answers could not be read after cell {after} ({ename})"
            return
        try:
            self.record["answers"] = parse_answers(result.get("data", {}).get("text/plain"), self.max_answers)
            self.record["answers_after"] = after
            self.record["answers_note"] = None
        except ValueError as exc:
            self.record["answers_note"] = f"the answers after cell {after} were not readable ({exc})"


def parse_answers(text: object, limit: int) -> str:
    """The JSON text of the answers from a kernel's reply (a Python string
    literal, as IPython shows a str), checked to be a JSON object of at most
    ``limit`` bytes. Raises ValueError otherwise."""
    if not isinstance(text, str) or text[:1] not in ("'", '"'):
        raise ValueError("not a string")
    if len(text) > 4 * limit + 16:
        raise ValueError(f"over {limit:,} bytes")
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ValueError("not a string literal") from exc
    if not isinstance(value, str) or len(value.encode("utf-8", "replace")) > limit:
        raise ValueError(f"not a string of at most {limit:,} bytes")
    try:
        data = json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise ValueError("not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return value


def run_notebook(job: dict) -> dict:
    limits = sandbox.Limits(**job["limits"])
    box = sandbox.Sandbox(isolated=job["isolated"], limits=limits, package=job["package"], data=job["data"],
                          tag=job["tag"], stage=Path(job["stage"]), binds=job.get("binds"))
    run = Run(job, box)
    try:
        run.start()
        run.cells([(int(i), str(s)) for i, s in job["cells"]], list(job["names"]))
    except _Stop:
        pass
    except Exception as exc:
        if not run.record["started"]:
            run.record["startup_error"] = (f"{exc}" or type(exc).__name__)[:500]
        else:
            run.record["startup_error"] = f"the runner failed ({type(exc).__name__}: {exc})"[:500]
    finally:
        run.close()
        exhausted = box.cgroups.memory_exhausted()
        box.kill()
        status = box.process.returncode if box.process is not None else None
    if run.record["dead"] is not None or (run.record["startup_error"] and run.record["started"] is False):
        run.record["died_of"] = _cause(status, exhausted, limits)
    return run.record


def _cause(status: int | None, memory_exhausted: bool | None, limits: sandbox.Limits) -> str | None:
    """Why the kernel died, from bwrap's exit status and the memory cgroup (None: it cannot tell)."""
    if memory_exhausted:
        return (f"the memory limit of its processes together ({limits.tree_memory() // sandbox.MiB} MiB, "
                f"files in its folders included) was reached")
    killed = "it was killed (SIGKILL)" if memory_exhausted is False else "it was killed (out of memory?)"
    signals = {signal.SIGXCPU: f"its CPU time limit ({limits.cpu_seconds} s) was reached",
               signal.SIGKILL: killed, signal.SIGSEGV: "it crashed (segmentation fault)"}
    if status is None:
        return None
    number = -status if status < 0 else status - 128 if status > 128 else 0
    if number in signals:
        return signals[signal.Signals(number)]
    return f"exit status {status}" if status else None


def main() -> int:
    """``python -m tpmcourse.instructor.grade.runner``: a job on stdin, its record on stdout."""
    import resource

    job = json.loads(sys.stdin.buffer.read(MAX_JOB_BYTES))
    sandbox.become_subreaper()
    # Before any thread exists: the mounts (as root), then the runner's own memory cap.
    roots = [*sandbox.python_roots(), job["package"]]
    if os.geteuid() == 0 and (job.get("isolated") or job["mode"] == "probe"):
        job["binds"] = sandbox.private_mounts_for(roots, Path(job["stage"]))
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]  # kept: the sandbox sets its own, lower or higher
    resource.setrlimit(resource.RLIMIT_AS, (RUNNER_MEMORY if hard == resource.RLIM_INFINITY
                                            else min(RUNNER_MEMORY, hard), hard))
    result = sandbox.probe_in_runner(job) if job["mode"] == "probe" else run_notebook(job)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


def run_job(job: dict, timeout: float) -> dict:
    """Run a job in a runner process of its own (in the grader), for at most
    ``timeout`` seconds: the record, or {"failure": why} when the runner
    itself failed or was stopped (then ``killed`` says whether it overran)."""
    stage = Path(tempfile.mkdtemp(prefix="tpm-grade-"))
    stage.chmod(0o755)
    tag = f"tpmcourse-grade-{os.getpid()}-{next(_counter)}-{secrets.token_hex(3)}"
    job = {"limits": asdict(sandbox.DEFAULT_LIMITS), **job, "stage": str(stage), "tag": tag,
           "package": str(sandbox.sandbox_package())}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH", "IPYTHON"))}
    proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(json.dumps(job).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"failure": f"the grader's runner did not finish within {timeout:.0f} s", "killed": True}
    finally:
        sandbox.sweep_cgroups(tag)
        # In the grader's own mount namespace the runner's bind mounts do not
        # exist: removing the stage cannot reach into what they showed.
        shutil.rmtree(stage, ignore_errors=True)
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return {"failure": f"the grader's runner stopped (exit status {proc.returncode}: {last[0][:300]})"}
    return result


if __name__ == "__main__":
    sys.exit(main())
