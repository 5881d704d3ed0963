"""The machine's processes, as the grader's tests need to see them: other
gradings (another test run, a helper's) may run at the same time, so a test
recognises its own sandboxes by a folder their command lines name, or by
descent from the test's own process."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Process:
    parent: int
    cmdline: str
    uid: int  # the larger of the real and effective uid
    pid_ns: int | None  # the inode of its PID namespace, when readable


def process_table() -> dict[int, Process]:
    """Every process, from /proc (those that end while it is read are left out)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry.name}/status").read_text()
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        try:
            pid_ns: int | None = os.stat(f"/proc/{entry.name}/ns/pid").st_ino
        except OSError:
            pid_ns = None
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        uid = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.M)
        if ppid and uid:
            found[int(entry.name)] = Process(int(ppid[1]), cmdline, max(int(uid[1]), int(uid[2])), pid_ns)
    return found


def processes() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, command line)} of every process."""
    return {pid: (p.parent, p.cmdline) for pid, p in process_table().items()}


def descendants(table: dict[int, Process], root: int | None = None,
                skip: Collection[int] = ()) -> dict[int, Process]:
    """The processes descending from ``root`` (default: this process), but those in ``skip`` and
    theirs: a test that asks what it started skips what ran before (a browser of the same worker
    may start a helper process at any time)."""
    found: dict[int, Process] = {}
    parents = [os.getpid() if root is None else root]
    while parents:
        parent = parents.pop()
        for pid, process in table.items():
            if process.parent == parent and pid not in found and pid not in skip:
                found[pid] = process
                parents.append(pid)
    return found


def mentioning(folder: Path) -> set[int]:
    """Processes whose command line names ``folder``. Point the grader's
    temporary folder there and these are its sandboxes (bwrap mounts the
    runner's stage and the package copy from it, and bwrap is also the init
    of each sandbox's PID namespace, so while any process of a sandbox lives,
    one of these does), even orphaned ones, and none of another run's."""
    return {pid for pid, (_, cmdline) in processes().items() if str(folder) in cmdline}


def wait_until_gone(folder: Path, seconds: float = 10) -> set[int]:
    """Wait (up to ``seconds``) for the sandboxes naming ``folder`` to end; those still left."""
    deadline = time.monotonic() + seconds
    while mentioning(folder) and time.monotonic() < deadline:
        time.sleep(0.2)
    return mentioning(folder)


class Watch:
    """Samples, while grading runs, which sandboxes naming ``folder`` are seen
    (so that seeing none afterwards means something)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.seen, self.stop = folder, set[int](), False
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.stop:
            self.seen |= mentioning(self.folder)
            time.sleep(0.2)

    def close(self) -> set[int]:
        self.stop = True
        self.thread.join()
        return self.seen
