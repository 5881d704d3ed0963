"""Shared set-up for browser tests: a static server on 127.0.0.1 and the
system Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tpmcourse.paths import ROOT

#: The built book the tests read: ``_build/html`` (made by ``make book``), or
#: another build named by ``TPM_BOOK_HTML`` (for example a term's book).
BOOK_HTML = Path(os.environ.get("TPM_BOOK_HTML") or ROOT / "_build" / "html")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


#: The axe-core impacts a page may not have (minor and moderate ones are reported by `make bench`'s
#: Lighthouse audits, not failed on).
BLOCKING_IMPACTS = ("serious", "critical")


@functools.cache
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now. Only violations are
    collected (``resultTypes``): every rule still runs on every element, but the nodes that pass
    are not gathered, which takes 40% of axe's time on a long chapter."""
    response = _axe().run(page, options={"resultTypes": ["violations"]}).response
    return [v for v in response["violations"] if v["impact"] in BLOCKING_IMPACTS]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@contextmanager
def serve(folder: Path):
    """Serve a folder on 127.0.0.1 on a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class InFlight:
    """The requests a page or browser context has made and not yet finished or failed:
    :meth:`wait` lets them end, which is what Playwright's "networkidle" waits half a
    second of quiet for, once what made them (the load, axe's run) is over."""

    def __init__(self, target) -> None:
        self.pending: set = set()
        target.on("request", lambda r: self.pending.add(r))
        target.on("requestfinished", lambda r: self.pending.discard(r))
        target.on("requestfailed", lambda r: self.pending.discard(r))

    def wait(self, page, seconds: float = 10.0) -> None:
        """Until nothing is in flight, or ``seconds`` have passed (a request may hang)."""
        for _ in range(int(seconds / 0.02)):
            if not self.pending:
                return
            page.wait_for_timeout(20)
