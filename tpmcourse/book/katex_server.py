"""Start sphinxcontrib-katex's build-time KaTeX server without a race.

sphinxcontrib-katex 0.9.11 waits for the server's unix socket file to exist,
then connects once. Node creates the file when it binds, a moment before it
listens; on a busy machine the connect lands in between and the whole book
build fails with ``ConnectionRefusedError``. This module retries the connect
until the same startup deadline, which is all the fix needs.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from subprocess import PIPE, Popen
from typing import Any

import sphinxcontrib.katex as katex

POLL = 0.005  # seconds between tries


def connect(socket_path: Path, deadline: float) -> socket.socket:
    """A connected unix socket, trying until ``deadline`` (time.monotonic()) while
    the file is missing or the server is not listening yet; TimeoutError after."""
    while True:
        if socket_path.is_socket():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(deadline - time.monotonic(), POLL))
                sock.connect(str(socket_path))
            except (ConnectionRefusedError, FileNotFoundError):
                sock.close()  # bound but not listening yet: try again
            except BaseException:
                sock.close()
                raise
            else:
                sock.settimeout(None)
                return sock
        if time.monotonic() > deadline:
            raise TimeoutError(f"no KaTeX server listening on {socket_path}")
        time.sleep(POLL)


def start_server_process(cls: Any, rundir: Path, timeout: float) -> tuple[Popen[bytes], socket.socket]:
    """Drop-in for ``KaTeXServer.start_server_process``, with the retrying connect."""
    socket_path = Path(rundir) / "katex.sock"
    process = Popen(cls.build_command(socket=socket_path), stdin=PIPE, stdout=PIPE, cwd=rundir)
    try:
        return process, connect(socket_path, time.monotonic() + timeout)
    except TimeoutError:
        process.kill()
        raise cls.timeout_error(timeout) from None


def install() -> None:
    """Use the retrying start for every KaTeX server this process starts."""
    katex.KaTeXServer.start_server_process = classmethod(start_server_process)
