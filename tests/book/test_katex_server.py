"""The build-time KaTeX server is reached even when it listens late (a race in
sphinxcontrib-katex that failed whole book builds on a busy machine)."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest
import sphinxcontrib.katex as katex

from tpmcourse.book import katex_server


@pytest.fixture()
def socket_path():
    # AF_UNIX paths are limited to ~100 bytes: pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="tpm-katex-") as folder:
        yield Path(folder) / "katex.sock"


def test_connect_waits_for_a_server_that_binds_before_it_listens(socket_path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path))  # the file exists now, but nothing listens: connect is refused
    with pytest.raises(ConnectionRefusedError):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(socket_path))
        finally:
            probe.close()
    timer = threading.Timer(0.3, server.listen)
    timer.start()
    try:
        sock = katex_server.connect(socket_path, time.monotonic() + 5)
        assert sock.gettimeout() is None  # blocking again, as sphinxcontrib-katex expects
        sock.close()
    finally:
        timer.join()
        server.close()


def test_connect_gives_up_at_the_deadline(socket_path):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        katex_server.connect(socket_path, start + 0.2)
    assert time.monotonic() - start < 2


def test_the_extension_installs_the_retrying_start():
    katex_server.install()
    assert katex.KaTeXServer.start_server_process.__func__ is katex_server.start_server_process
