"""Guard rails for running a learner's notebook during grading.

The grader runs each submission in its own process, in a scratch folder,
with a time limit and (where Linux allows it) no network namespace at all.
Inside that process this module adds a Python audit hook (PEP 578), which no
code can remove once added: writing or deleting outside the scratch folder,
opening network connections and starting other programs are refused, and
each refusal is logged so the grade report can say what was attempted.
"""

from __future__ import annotations

import os
import sys

from tpmcourse.paths import ROOT

ENV = "TPMCOURSE_SANDBOX"
LOG = "violations.log"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_ALWAYS_OK = {"/dev/null", "/dev/tty"}
# Which path arguments of an audit event must lie inside the submission folder.
_PATH_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.truncate": (0,), "os.chmod": (0,),
    "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,),
    "os.rename": (0, 1), "shutil.move": (0, 1),  # moving a file away deletes it where it was
    "os.link": (1,), "os.symlink": (1,), "shutil.copyfile": (1,), "shutil.copytree": (1,),
}
# Harmless programs libraries ask about the machine with (matplotlib lists
# fonts with fc-list; platform.processor() runs uname); nothing else may run.
_ALLOWED_PROGRAMS = {"fc-list", "uname"}
_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                   "os.fork", "os.forkpty", "os.kill", "os.killpg", "pty.spawn"}


def _inside(path: object, root: str) -> bool:
    if not isinstance(path, (str, bytes, os.PathLike)):  # a file descriptor, or no path
        return True
    try:
        text = os.fsdecode(path)
    except TypeError:
        return True
    if text in _ALWAYS_OK:
        return True
    full = os.path.realpath(os.path.join(os.getcwd(), text)) if not os.path.isabs(text) else os.path.realpath(text)
    return full == root or full.startswith(root + os.sep)


def install(root: str | None = None) -> None:
    """Add the audit hook for this process; ``root`` is the scratch folder."""
    root = os.path.realpath(root or os.environ[ENV])
    log_path = os.path.join(root, LOG)
    real_open = open

    def refuse(what: str) -> None:
        try:
            with real_open(log_path, "a", encoding="utf-8") as log:
                log.write(what + "\n")
        finally:
            raise PermissionError(f"blocked by the course grader: {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = [*args, None, None, None][:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                      (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing and not _inside(path, root) and os.fsdecode(path) != log_path:
                refuse(f"write outside the submission folder: {os.fsdecode(path)}")
        elif event in _PATH_EVENTS:
            paths = [args[i] for i in _PATH_EVENTS[event] if i < len(args)]
            for path in paths:
                if isinstance(path, (str, bytes, os.PathLike)) and not _inside(path, root):
                    refuse(f"{event} outside the submission folder: {os.fsdecode(path)}")
        elif event in _PROCESS_EVENTS:
            program = os.path.basename(os.fsdecode(args[0])) if args and isinstance(args[0], (str, bytes)) else ""
            if event == "subprocess.Popen" and program in _ALLOWED_PROGRAMS:
                return
            refuse(f"starting or signalling another process ({event}{' ' + program if program else ''})")
        elif event in ("socket.connect", "socket.sendto", "socket.getaddrinfo"):
            refuse(f"network access ({event})")

    sys.addaudithook(hook)


def sitecustomize_source() -> str:
    """A sitecustomize.py that installs the guard in every Python the grader starts."""
    return (f"import os\nif os.environ.get({ENV!r}):\n"
            f"    import sys\n    sys.path.insert(0, {str(ROOT)!r})\n"
            f"    from tpmcourse.instructor.grade.sandbox import install\n    install()\n")
