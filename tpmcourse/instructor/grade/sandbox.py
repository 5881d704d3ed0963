"""Isolation from the operating system for a learner's notebook while it is graded.

A Python-level guard (an audit hook) is not isolation: code in the same
process can switch it off, or do its work through ctypes, another program or
a file the grader later reads. So a submission's kernel runs inside
bubblewrap (``bwrap``), in new user, PID, IPC, network, UTS and cgroup
namespaces, as an unprivileged user (65534, also outside when grading runs as
root), with nothing of the machine but:

- read only: ``/usr`` (and the ``/bin``, ``/lib*`` links), the few files of
  ``/etc`` that Python and matplotlib read, the Python install and its
  virtual environment, and a copy of ``tpmcourse`` without the labs'
  reference modules and without the grader (:func:`sandbox_package`);
- writable, each a size-capped tmpfs that vanishes with the sandbox:
  ``/home/student`` (the working folder, with the lab's data files copied
  in), ``/tmp``, ``/dev/shm`` and ``/run/kernel`` (the kernel's sockets);
- its own ``/proc`` and a minimal ``/dev``; no network but its own loopback.

Limits (:class:`Limits`) hold per process (rlimits: address space, CPU time,
file size, open files, processes in its user namespace) and, where
``/sys/fs/cgroup`` is writable, for the whole tree (memory, processes, CPU
share). Killing the sandbox's first process ends its PID namespace, and with
it every process the submission started.

The grader's own code (the runner, which keeps the record of what happened,
and the checks) runs outside. It reads no file the submission could write:
the kernel's answers come back over the kernel protocol. :func:`probe` checks
once per run that all this works on this machine; grading refuses to start
when it does not (see :func:`refusal`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tpmcourse

MiB, GiB = 2**20, 2**30
SANDBOX_UID = SANDBOX_GID = 65534
HOME = "/home/student"
KERNEL_DIR = "/run/kernel"
CONNECTION_FILE = "/run/kernel.json"
PACKAGE_ROOT = "/opt/tpmcourse"
#: The answers encoder (answers.py), importable inside the sandbox by this name.
ANSWERS_MODULE = "_tpm_answers"
NAMESPACES = ("user", "pid", "net", "ipc", "uts", "cgroup")
MIN_BWRAP = (0, 8, 0)  # --size for tmpfs, --disable-userns
HOW_TO_FIX = (
    "Install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install "
    "bubblewrap`) and allow unprivileged user namespaces (`sysctl user.max_user_namespaces` above 0; "
    "on Debian 11 and older `sudo sysctl -w kernel.unprivileged_userns_clone=1`; on Ubuntu 23.10+ "
    "bubblewrap's AppArmor profile, or `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`). "
    "Inside a container, run it with user namespaces allowed (e.g. Docker: "
    "`--security-opt seccomp=unconfined --security-opt apparmor=unconfined`)."
)


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Memory, processes and CPU share also hold
    for its whole process tree where a cgroup can be made."""

    memory: int = 2 * GiB  # address space per process (RLIMIT_AS); the tree's memory cgroup
    processes: int = 64  # processes and threads (RLIMIT_NPROC in its user namespace; pids cgroup)
    cpu_seconds: int = 900  # CPU time per process (RLIMIT_CPU)
    file_size: int = 64 * MiB  # largest file it may write (RLIMIT_FSIZE)
    open_files: int = 256  # RLIMIT_NOFILE
    scratch: int = 256 * MiB  # size of /home/student
    tmp: int = 64 * MiB  # size of /tmp
    shm: int = 16 * MiB  # size of /dev/shm
    cpus: float = 1.0  # CPU share of the tree (cgroup quota)

    def tree_memory(self) -> int:
        """The memory cgroup's limit: the processes' memory and the tmpfs folders' content."""
        return self.memory + self.scratch + self.tmp + self.shm + 64 * MiB

    def rlimits(self) -> dict[str, int]:
        return {"RLIMIT_AS": self.memory, "RLIMIT_NPROC": self.processes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_FSIZE": self.file_size, "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}

    def describe(self) -> str:
        return (f"memory {self.memory // MiB} MiB per process, {self.processes} processes, "
                f"{self.cpu_seconds} s CPU, files up to {self.file_size // MiB} MiB, "
                f"{self.scratch // MiB} MiB of working space")


#: The limits grading uses unless told otherwise (tests lower them).
DEFAULT_LIMITS = Limits()


# --- what the sandbox sees ----------------------------------------------------

_REFERENCE_MODULE = re.compile(r"lab\d+_\w+\.py")


def _copy_sources(src: Path, dest: Path, keep=lambda path: True) -> None:
    dest.mkdir()
    for path in sorted(src.iterdir()):
        if path.suffix == ".py" and path.is_file() and keep(path):
            shutil.copyfile(path, dest / path.name)


_package_lock = threading.Lock()


def sandbox_package() -> Path:
    """A folder to put on a sandboxed kernel's ``sys.path``: a copy of
    ``tpmcourse`` with what learners import (the toolkit modules, checks,
    paths, validate, datasets, ``labs/lab*_helpers``) and without the labs'
    reference modules (``labs/labN_name.py``, which compute the expected
    answers) and the grader; and the answers encoder as ``_tpm_answers``.
    Made once per process, removed at exit."""
    with _package_lock:
        return _sandbox_package()


@functools.lru_cache(maxsize=1)
def _sandbox_package() -> Path:
    src = Path(tpmcourse.__file__).parent
    root = Path(tempfile.mkdtemp(prefix="tpm-sandbox-package-"))
    atexit.register(shutil.rmtree, root, True)
    package = root / "tpmcourse"
    _copy_sources(src, package)
    _copy_sources(src / "labs", package / "labs", lambda p: not _is_reference(p))
    _copy_sources(src / "datasets", package / "datasets")
    shutil.copyfile(Path(__file__).with_name("answers.py"), root / f"{ANSWERS_MODULE}.py")
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return root


def _is_reference(path: Path) -> bool:
    """``labs/labN_name.py``: a lab's checks and the expected answers they compute."""
    return bool(_REFERENCE_MODULE.fullmatch(path.name)) and not path.stem.endswith("_helpers")


def hidden_modules() -> list[str]:
    """The modules of ``tpmcourse`` a sandboxed kernel must not import."""
    labs_dir = Path(tpmcourse.__file__).parent / "labs"
    found = [f"tpmcourse.labs.{p.stem}" for p in labs_dir.iterdir() if _is_reference(p)]
    return [*sorted(found), "tpmcourse.instructor", "tpmcourse.instructor.grade.answers"]


def python_roots() -> list[str]:
    """Folders the sandbox's Python needs besides /usr: its install and its
    virtual environment, each at the path it has outside."""
    roots: list[str] = []
    for prefix in (sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix):
        path = os.path.abspath(prefix)
        if path == "/usr" or path.startswith("/usr/") or path in roots:
            continue
        roots.append(path)
    roots.sort(key=len)
    return [r for i, r in enumerate(roots) if not any(r.startswith(o + "/") for o in roots[:i])]


_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "mime.types", "alternatives")
_SYSTEM_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


def _etc_files() -> dict[str, bytes]:
    return {
        "/etc/passwd": f"student:x:{SANDBOX_UID}:{SANDBOX_GID}:student:{HOME}:/bin/sh\n".encode(),
        "/etc/group": f"student:x:{SANDBOX_GID}:\n".encode(),
        "/etc/hosts": b"127.0.0.1 localhost sandbox\n::1 localhost\n",
        "/etc/nsswitch.conf": b"passwd: files\ngroup: files\nhosts: files\n",
        "/etc/hostname": b"sandbox\n",
    }


def kernel_environment(home: str = HOME, tmp: str = "/tmp", package: str = PACKAGE_ROOT) -> dict[str, str]:
    """The whole environment of a sandboxed kernel (nothing of the grader's)."""
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    return {
        "HOME": home, "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": tmp,
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": package, "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.config/matplotlib",
        "IPYTHONDIR": f"{home}/.ipython", "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter", "JUPYTER_PLATFORM_DIRS": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_MAX_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "TPMCOURSE_GRADING": "1",  # a check cell then says that the grader checks the answer
        "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MiB of address space per thread otherwise
    }


def _reachable(path: str, uid: int, gid: int) -> bool:
    """Whether ``uid`` can walk down to ``path`` and into it (every folder searchable)."""
    full = Path(os.path.realpath(path))
    for folder in [*reversed(full.parents), full]:
        try:
            st = os.stat(folder)
        except OSError:
            return False
        bit = 0o100 if st.st_uid == uid else 0o010 if st.st_gid == gid else 0o001
        if not st.st_mode & bit:
            return False
    return True


# --- mounts for the runner when it is root -----------------------------------

_CLONE_NEWNS, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x00020000, 4096, 0x4000, 1 << 18


def private_mounts_for(paths: list[str], stage: Path) -> dict[str, str]:
    """Run as root by the runner, before it starts any thread: give this
    process a mount namespace of its own and bind there each of ``paths``
    that the sandbox user cannot reach (e.g. a Python under /root, which is
    0700) at a folder under ``stage`` it can. Returns {path: where to bind
    it from}. The mounts end with the runner; nothing changes outside it."""
    unreachable = [p for p in paths if not _reachable(p, SANDBOX_UID, SANDBOX_GID)]
    if not unreachable:
        return {}
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), f"unshare(CLONE_NEWNS): {os.strerror(ctypes.get_errno())}")
    if libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), f"making / private: {os.strerror(ctypes.get_errno())}")
    sources = {}
    for i, path in enumerate(unreachable):
        target = stage / f"bind{i}"
        target.mkdir(mode=0o755)
        if libc.mount(os.fsencode(path), os.fsencode(target), None, _MS_BIND | _MS_REC, None) != 0:
            raise OSError(ctypes.get_errno(), f"bind {path}: {os.strerror(ctypes.get_errno())}")
        sources[path] = str(target)
    return sources


# --- cgroups ------------------------------------------------------------------


def _cgroup_parents() -> dict[str, Path]:
    """{controller: the grader's own cgroup folder} for the controllers a
    sandbox gets a group in: memory, pids and cpu (v1), or "unified" (v2)."""
    own: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return {}
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own.setdefault(controller, path)
    root = Path("/sys/fs/cgroup")
    if (root / "cgroup.controllers").exists():
        return {"unified": root / own[""].lstrip("/")} if "" in own else {}
    parents = {}
    for controller in ("memory", "pids", "cpu"):
        mount = next((root / name for name in (controller, "cpu,cpuacct", "cpuacct,cpu")
                      if (root / name / "cgroup.procs").exists() and controller in name.split(",")), None)
        if controller in own and mount is not None:
            parents[controller] = mount / own[controller].lstrip("/")
    return parents


@dataclass
class Cgroups:
    """A sandbox's cgroups, named by ``tag`` under the grader's own (v1: one
    per controller; v2: one group), where they can be made; empty otherwise."""

    tag: str
    dirs: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, tag: str, limits: Limits) -> Cgroups:
        groups = cls(tag)
        memory = limits.tree_memory()
        quota = max(1000, int(limits.cpus * 100_000))
        settings: dict[str, dict[str, object]] = {
            "unified": {"memory.max": memory, "memory.swap.max": 0, "pids.max": limits.processes + 8,
                        "cpu.max": f"{quota} 100000"},
            "memory": {"memory.limit_in_bytes": memory, "memory.memsw.limit_in_bytes": memory},
            "pids": {"pids.max": limits.processes + 8},
            "cpu": {"cpu.cfs_period_us": 100_000, "cpu.cfs_quota_us": quota},
        }
        for controller, parent in _cgroup_parents().items():
            path = parent / tag
            try:
                path.mkdir()
            except OSError as exc:
                groups.problems.append(f"{controller} cgroup: {exc.strerror}")
                continue
            groups.dirs[controller] = path
            for name, value in settings[controller].items():
                try:
                    (path / name).write_text(str(value))
                except OSError as exc:
                    if name not in ("memory.memsw.limit_in_bytes", "memory.swap.max"):  # no swap accounting
                        groups.problems.append(f"{controller} cgroup {name}: {exc.strerror}")
        if groups.problems:  # a group without its limit is no limit: use none rather than pretend
            groups.remove()
        return groups

    @classmethod
    def existing(cls, tag: str) -> Cgroups:
        return cls(tag, {c: p / tag for c, p in _cgroup_parents().items() if (p / tag).is_dir()})

    def procs_files(self) -> list[str]:
        return [str(p / "cgroup.procs") for p in self.dirs.values()]

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.dirs.values():
            with contextlib.suppress(OSError, ValueError):
                found |= {int(x) for x in (path / "cgroup.procs").read_text().split()}
        return found

    def memory_exhausted(self) -> bool | None:
        """Whether the tree hit its memory limit (the OOM killer ran in its
        group); None when there is no memory cgroup to tell."""
        for controller, name in (("memory", "memory.oom_control"), ("unified", "memory.events")):
            if controller in self.dirs:
                try:
                    return bool(re.search(r"oom_kill [1-9]", (self.dirs[controller] / name).read_text()))
                except OSError:
                    return None
        return None

    def kill_all(self, wait: float = 5.0) -> bool:
        """SIGKILL every process left in the groups; True when none is left."""
        deadline = time.monotonic() + wait
        while True:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                _kill_if_in(pid, self.tag)
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def remove(self) -> None:
        self.kill_all()
        for path in self.dirs.values():
            for _ in range(100):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.dirs = {}


def _kill_if_in(pid: int, tag: str) -> None:
    """SIGKILL ``pid`` if it is (still) in one of the cgroups named ``tag``: the
    check is made on a pidfd, so a number reused by another process is spared."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        if f"/{tag}" in Path(f"/proc/{pid}/cgroup").read_text():
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep_cgroups(tag: str) -> None:
    """Kill and remove what is left of a sandbox's cgroups (its runner may have been killed)."""
    Cgroups.existing(tag).remove()


# --- starting a sandbox ------------------------------------------------------

# Runs as the grader (root or not) between fork and bwrap: joins the cgroups,
# leaves root for the sandbox user, then becomes bwrap. Standard library only.
_OUTER = """
import json, os, sys
procs, uid, gid, argv = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
for path in procs:
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
if uid >= 0:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
os.execv(argv[0], argv)
"""

# Runs inside the sandbox, as the sandbox user: sets the per-process limits,
# then becomes the program (the kernel).
_INNER = """
import json, os, resource, sys
for name, value in json.loads(sys.argv[1]).items():
    limit = getattr(resource, name)
    hard = resource.getrlimit(limit)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(limit, (value, value))
os.execv(sys.argv[2], sys.argv[2:])
"""


def bwrap_version(path: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x or 0) for x in found.groups()) if found else None


class Sandbox:
    """One running sandbox (or, with ``isolated=False``, a plain process in a
    scratch folder, for ``--unsafe-trusted-code``). Used by the runner."""

    def __init__(self, *, isolated: bool, limits: Limits, package: str, data: dict[str, str], tag: str,
                 stage: Path, binds: dict[str, str] | None = None) -> None:
        self.isolated, self.limits, self.package, self.data, self.tag = isolated, limits, package, data, tag
        self.stage = stage
        self.binds = binds or {}
        self.process: subprocess.Popen | None = None
        self.child_pid: int | None = None  # the sandbox's first process (PID 1 inside), outside's numbering
        self.cgroups = Cgroups(tag)
        self.stderr_head = b""
        self._drainer: threading.Thread | None = None
        self._child_fd: int | None = None  # a pidfd of child_pid: signals reach that process, never a reused pid
        self._fds: list[int] = []
        self.scratch = stage / "scratch"  # only without isolation: the kernel's folders, outside

    # Paths as the program inside sees them, and as the runner reaches them.
    def inside(self, path: str) -> str:
        return path if self.isolated else str(self.scratch) + path

    def outside(self, path: str) -> str:
        if not self.isolated:
            return str(self.scratch) + path
        return f"/proc/{self.child_pid}/root{path}"

    def _fd(self, content: bytes) -> int:
        fd = os.memfd_create("tpm-sandbox-file", 0)
        os.write(fd, content)
        os.lseek(fd, 0, os.SEEK_SET)
        self._fds.append(fd)
        return fd

    def _bwrap_argv(self, program: list[str], files: dict[str, bytes], info_fd: int) -> list[str]:
        bwrap = shutil.which("bwrap") or "bwrap"
        lim = self.limits
        argv = [bwrap, "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup", "--disable-userns", "--die-with-parent", "--new-session",
                "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID), "--hostname", "sandbox", "--clearenv"]
        for key, value in kernel_environment().items():
            argv += ["--setenv", key, value]
        # /tmp first: the Python install or venv may live under the host's /tmp (a
        # fresh clone in /tmp/x/repo), and a bind must land on top of the tmpfs, not under it.
        argv += ["--size", str(lim.tmp), "--perms", "0700", "--tmpfs", "/tmp"]
        argv += ["--ro-bind", "/usr", "/usr"]
        for name in _SYSTEM_LINKS:
            path = f"/{name}"
            if os.path.islink(path):
                argv += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                argv += ["--ro-bind", path, path]
        for root in python_roots():
            argv += ["--ro-bind", self.binds.get(root, root), root]
        argv += ["--ro-bind", self.binds.get(self.package, self.package), PACKAGE_ROOT, "--dir", "/etc"]
        for name in _ETC:
            argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        for dest, content in {**_etc_files(), **files}.items():
            argv += ["--perms", "0444" if dest.startswith("/etc/") else "0400",
                     "--ro-bind-data", str(self._fd(content)), dest]
        argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(lim.shm), "--tmpfs", "/dev/shm",
                 "--remount-ro", "/dev",
                 "--size", str(MiB), "--perms", "0700", "--tmpfs", KERNEL_DIR,
                 "--size", str(lim.scratch), "--perms", "0700", "--tmpfs", HOME, "--dir", f"{HOME}/data"]
        for name, source in self.data.items():
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
            self._fds.append(fd)
            argv += ["--perms", "0644", "--file", str(fd), f"{HOME}/data/{name}"]
        argv += ["--remount-ro", "/", "--chdir", HOME, "--info-fd", str(info_fd), "--",
                 *self._inner(program)]
        return argv

    def _inner(self, program: list[str]) -> list[str]:
        return [sys.executable, "-I", "-S", "-c", _INNER, json.dumps(self.limits.rlimits()), *program]

    def _prepare_scratch(self, files: dict[str, bytes]) -> None:
        for sub in ("home/student/data", "tmp", "run/kernel"):
            (self.scratch / sub).mkdir(parents=True, exist_ok=True)
        for name, source in self.data.items():
            shutil.copyfile(source, self.scratch / "home/student/data" / name)
        for dest, content in files.items():
            Path(self.outside(dest)).write_bytes(content)

    def start(self, program: list[str], files: dict[str, bytes], *, capture_stdout: bool = False,
              timeout: float = 60) -> None:
        """Start ``program`` (its argv inside) with ``files`` ({path inside: content}, read only)."""
        root = os.geteuid() == 0
        self.cgroups = Cgroups.create(self.tag, self.limits) if root else Cgroups(self.tag)
        stdout = subprocess.PIPE if capture_stdout else subprocess.DEVNULL
        if self.isolated:
            read_info, write_info = os.pipe()
            argv = self._bwrap_argv(program, files, write_info)
            uid, gid = (SANDBOX_UID, SANDBOX_GID) if root else (-1, -1)
            launcher = [sys.executable, "-I", "-S", "-c", _OUTER, json.dumps(self.cgroups.procs_files()),
                        str(uid), str(gid), *argv]
            self.process = subprocess.Popen(launcher, stdin=subprocess.DEVNULL, stdout=stdout,
                                            stderr=subprocess.PIPE, pass_fds=(*self._fds, write_info))
            os.close(write_info)
            self._drain_stderr()
            info = _read_all(read_info, timeout)
            try:
                self.child_pid = int(json.loads(info)["child-pid"])
                self._child_fd = os.pidfd_open(self.child_pid)
            except (ValueError, KeyError, TypeError, OSError):
                self.kill()
                raise RuntimeError("the sandbox did not start: " + self.stderr_text()) from None
        else:
            self._prepare_scratch(files)
            env = kernel_environment(self.inside(HOME), self.inside("/tmp"), self.package)
            launcher = [sys.executable, "-I", "-S", "-c", _OUTER, json.dumps(self.cgroups.procs_files()),
                        "-1", "-1", *self._inner(program)]
            self.process = subprocess.Popen(launcher, stdin=subprocess.DEVNULL, stdout=stdout,
                                            stderr=subprocess.PIPE, env=env, cwd=self.inside(HOME))
            self.child_pid = self.process.pid
            self._drain_stderr()
        for fd in self._fds:
            os.close(fd)
        self._fds = []

    def _drain_stderr(self) -> None:
        """Keep the first 4 kB of what the sandbox writes on stderr (bwrap's own
        errors), drop the rest, so it can neither block nor fill memory."""
        assert self.process is not None and self.process.stderr is not None
        pipe = self.process.stderr

        def drain() -> None:
            while chunk := pipe.read(65536):
                if len(self.stderr_head) < 4096:
                    self.stderr_head += chunk[: 4096 - len(self.stderr_head)]

        self._drainer = threading.Thread(target=drain, daemon=True)
        self._drainer.start()

    def stderr_text(self) -> str:
        """bwrap's own message (or the last line kept) of what the sandbox wrote on stderr."""
        if self._drainer is not None and not self.alive():
            self._drainer.join(timeout=2)
        lines = self.stderr_head.decode("utf-8", "replace").strip().splitlines()
        found = next((line for line in lines if line.startswith("bwrap:")), lines[-1] if lines else "no message")
        return found[:300]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """Stop everything: bwrap (its PID namespace goes with its first
        process), then whatever is left in the cgroups."""
        if self._child_fd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._child_fd, signal.SIGKILL)
            os.close(self._child_fd)
            self._child_fd = None
        if self.process is not None:
            with contextlib.suppress(OSError):
                self.process.kill()  # bwrap, or the kernel without isolation; a no-op once reaped
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.cgroups.remove()
        reap_orphans()


_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphans of this process's descendants (the sandbox's first process, when
    bwrap dies before it) become its children, to be reaped by it rather than
    left as zombies for the machine's init. Linux only; a no-op elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(wait: float = 5.0) -> None:
    """Reap every child process left (dead or dying), for at most ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)


def _read_all(fd: int, timeout: float) -> bytes:
    """Read a pipe to its end, for at most ``timeout`` seconds and 64 kB."""
    import select

    data = b""
    deadline = time.monotonic() + timeout
    try:
        while len(data) < 65536:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data


def pin_socket(path: str) -> int:
    """An O_PATH descriptor of the unix socket at ``path``, refused if it is a
    link or not a socket; connecting through ``/proc/self/fd/N`` then reaches
    that socket whatever later happens to the name."""
    fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
    if not stat.S_ISSOCK(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a socket")
    return fd


# --- the probe ----------------------------------------------------------------

#: Runs inside a sandbox built exactly as for a submission, and says what it sees.
PROBE_SOURCE = r"""
import json, os, resource, socket, sys
out = {"uid": os.getuid(), "gid": os.getgid(),
       "ns": {n: os.stat(f"/proc/self/ns/{n}").st_ino for n in ("user", "pid", "net", "ipc", "uts", "cgroup")},
       "interfaces": sorted(name for _, name in socket.if_nameindex())}
checks = json.loads(sys.argv[1])
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1).close()
    out["network"] = True
except OSError:
    out["network"] = False
out["visible"] = [p for p in checks["hidden_paths"] if os.path.lexists(p)]
out["hidden_importable"] = []
try:
    import tpmcourse.checks, tpmcourse.paths
    out["package"] = tpmcourse.__file__
except Exception as exc:
    out["package"] = None
    out["package_error"] = f"{type(exc).__name__}: {exc}"
import importlib.util
for name in checks["hidden_modules"]:
    try:
        if importlib.util.find_spec(name) is not None:
            out["hidden_importable"].append(name)
    except Exception:
        pass
for place in ("/", "/usr", "/etc", checks["prefix"]):
    try:
        open(os.path.join(place, ".tpm-probe"), "w").close()
        out.setdefault("writable", []).append(place)
    except OSError:
        pass
st = os.statvfs(os.environ["HOME"])
out["home_bytes"] = st.f_blocks * st.f_frsize
out["rlimits"] = {n: resource.getrlimit(getattr(resource, n))[0] for n in checks["rlimits"]}
print(json.dumps(out))
"""


@dataclass
class Probe:
    ok: bool
    problems: list[str]
    details: dict


def probe_in_runner(job: dict) -> dict:
    """The probe's work, run by the runner (so with the same mounts): start a
    sandbox whose program is :data:`PROBE_SOURCE`, compare what it reports with
    what it should see. Returns {"ok", "problems", "details"}."""
    problems: list[str] = []
    details: dict = {}
    limits = Limits(**job["limits"])
    stage = Path(job["stage"])
    marker = stage / "host-marker"
    marker.write_text("the sandbox must not see this")
    box = Sandbox(isolated=True, limits=limits, package=job["package"], data={}, tag=job["tag"], stage=stage,
                  binds=job.get("binds"))
    repo = Path(tpmcourse.__file__).parent.parent
    hidden = [repo / "tpmcourse", repo / "exercises", repo / "chapters", repo / "data", repo / ".git", marker,
              Path(tempfile.gettempdir()), Path("/root"), Path("/home"), Path("/var"), Path("/srv"), Path("/mnt")]
    checks = {"hidden_paths": [str(p) for p in hidden],
              "hidden_modules": hidden_modules(), "prefix": sys.prefix, "rlimits": list(limits.rlimits())}
    # Folders the sandbox has of its own (/tmp, /home) or above its Python's mounts are
    # checked by what is in them: the marker in the host's /tmp, the repository's folders.
    its_own = {"/tmp", "/home", *(str(Path(r).parent) for r in python_roots())}
    checks["hidden_paths"] = [p for p in checks["hidden_paths"] if os.path.lexists(p) and p not in its_own
                              and not any(r == p or r.startswith(p + "/") for r in python_roots())]
    try:
        box.start([sys.executable, "-c", PROBE_SOURCE, json.dumps(checks)], {}, capture_stdout=True)
        assert box.process is not None and box.process.stdout is not None
        host_uid = _uid_of(box.child_pid)
        out, _ = box.process.communicate(timeout=60)
    except Exception as exc:
        box.kill()
        return {"ok": False, "problems": [f"bubblewrap could not start a sandbox ({exc})"], "details": details}
    details["cgroups"] = sorted(box.cgroups.dirs) or ["none (rlimits only)"]
    details["cgroup_problems"] = box.cgroups.problems
    box.kill()
    try:
        seen = json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        why = f"the probe inside the sandbox printed no report (bwrap said: {box.stderr_text()})"
        return {"ok": False, "problems": [why], "details": details}
    details["seen"] = seen
    own = {n: os.stat(f"/proc/self/ns/{n}").st_ino for n in NAMESPACES}
    shared = [n for n in NAMESPACES if seen["ns"].get(n) == own[n]]
    if shared:
        problems.append("no separate namespace for " + ", ".join(shared))
    if seen["uid"] != SANDBOX_UID or seen["gid"] != SANDBOX_GID:
        problems.append(f"runs as uid {seen['uid']} inside, not {SANDBOX_UID}")
    if os.geteuid() == 0 and host_uid not in (None, SANDBOX_UID):
        problems.append(f"runs as uid {host_uid} outside, not {SANDBOX_UID}")
    if seen["network"] or set(seen["interfaces"]) - {"lo"}:
        problems.append(f"has network access (interfaces: {', '.join(seen['interfaces'])})")
    if seen["visible"]:
        problems.append("sees " + ", ".join(seen["visible"]))
    if not seen.get("package"):
        problems.append(f"cannot import tpmcourse ({seen.get('package_error')})")
    if seen["hidden_importable"]:
        problems.append("can import " + ", ".join(seen["hidden_importable"]))
    if seen.get("writable"):
        problems.append("can write to " + ", ".join(seen["writable"]))
    if abs(seen["home_bytes"] - limits.scratch) > MiB:
        problems.append(f"its working folder holds {seen['home_bytes']} bytes, not {limits.scratch}")
    wrong = [n for n, v in seen["rlimits"].items() if v < 0 or v > limits.rlimits()[n]]
    if wrong:
        problems.append("limits not applied: " + ", ".join(wrong))
    return {"ok": not problems, "problems": problems, "details": details}


def _uid_of(pid: int | None) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^Uid:\s+(\d+)", status, re.M)
    return int(found.group(1)) if found else None


_probe_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _cached_probe() -> Probe:
    if not sys.platform.startswith("linux"):
        return Probe(False, [f"submissions can only be isolated on Linux (this is {sys.platform})"], {})
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Probe(False, ["bubblewrap (bwrap) is not installed"], {})
    version = bwrap_version(bwrap)
    if version is None or version < MIN_BWRAP:
        shown = ".".join(map(str, version)) if version else "unknown"
        need = ".".join(map(str, MIN_BWRAP))
        why = f"bubblewrap {shown} is too old: {need} or newer is needed (size-limited tmpfs, --disable-userns)"
        return Probe(False, [why], {})
    from tpmcourse.instructor.grade import runner

    result = runner.run_job({"mode": "probe", "limits": asdict(DEFAULT_LIMITS)}, timeout=120)
    if not isinstance(result, dict) or "ok" not in result:
        return Probe(False, [f"the probe did not finish ({result.get('failure', 'no report')})"], {})
    return Probe(bool(result["ok"]), list(result["problems"]), dict(result.get("details", {})))


def probe() -> Probe:
    """Whether submissions can be isolated here: bwrap is installed and recent
    enough, and a sandbox built as for a submission has its own user, PID,
    network, IPC, UTS and cgroup namespaces, runs as uid 65534 (outside too,
    when grading runs as root), has no network, cannot see the course, the
    grader's files or the host's /tmp, can import tpmcourse but not the labs'
    reference modules, can write only its tmpfs folders, and has its limits.
    Done once per process."""
    with _probe_lock:
        return _cached_probe()


def refusal() -> str | None:
    """The message grading stops with when submissions cannot be isolated here, else None."""
    result = probe()
    if result.ok:
        return None
    return ("Grading refused: submissions cannot be isolated on this machine (" + "; ".join(result.problems)
            + "). A learner's notebook would run with the grader's rights: it could read other submissions, "
              "change files and grades, or stop the machine. " + HOW_TO_FIX
            + " Only if you trust every submission, grade with --unsafe-trusted-code.")
