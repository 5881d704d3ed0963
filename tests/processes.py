"""The machine's processes, as the grader's tests need to see them: other
gradings (another test run, a helper's) may run at the same time, so a test
recognises its own sandboxes by a folder their command lines name."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def processes() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, command line)} of every process, from /proc."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = (int(stat.rpartition(")")[2].split()[1]), cmdline)
    return found


def mentioning(folder: Path) -> set[int]:
    """Processes whose command line names ``folder``. Point the grader's
    temporary folder there and these are its sandboxes (bwrap mounts the
    runner's stage and the package copy from it, and bwrap is also the init
    of each sandbox's PID namespace, so while any process of a sandbox lives,
    one of these does), even orphaned ones, and none of another run's."""
    return {pid for pid, (_, cmdline) in processes().items() if str(folder) in cmdline}


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
