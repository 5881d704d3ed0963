"""Lighthouse, run by the project on the built book.

Lighthouse is an npm package pinned in package.json (a development
dependency: the book never ships it) and installed by ``npm ci`` with the
rest of node_modules. It drives the system Chromium (``CHROME_PATH``), never
a downloaded browser, against the book served on 127.0.0.1. It sends no error
reports (``--no-enable-error-reporting``) and Chromium runs with its
background networking off, so an audit reaches nothing but the local server;
``external_requests`` lists anything a page asked of another host, and the
test asserts there is none.

``tests/book/test_lighthouse.py`` asserts accessibility 100 and best
practices 100 on ``pages_to_audit``; ``make bench`` prints every category's
score, performance and SEO included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from tpmcourse.book.widgets import STILL_CLASS, VIEW_MIME
from tpmcourse.paths import ROOT

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
ASSERTED = ("accessibility", "best-practices")  # must be 100; the others are reported
CHROME_FLAGS = ["--headless=new", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-domain-reliability", "--disable-quic"]
LANDING = "intro.html"


class LighthouseError(RuntimeError):
    pass


def chrome_path() -> str:
    _tests_on_path()
    from browser import CHROMIUM

    return CHROMIUM


def _tests_on_path() -> None:
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))


def chrome_flags() -> str:
    flags = list(CHROME_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return " ".join(flags)


def run(url: str, timeout: float = 300, categories: tuple[str, ...] = CATEGORIES) -> dict:
    """One Lighthouse report (as JSON) for ``url``, scoring ``categories`` (the
    tests ask only for the asserted ones: performance's trace is the slow part)
    and always listing the network requests."""
    if not LIGHTHOUSE.exists():
        raise LighthouseError(f"{LIGHTHOUSE} is missing: run `npm ci` in the course folder (make does)")
    with tempfile.TemporaryDirectory(prefix="tpm-lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               f"--only-categories={','.join(categories)}", "--only-audits=network-requests",
               f"--chrome-flags={chrome_flags()}",
               "--disable-full-page-screenshot", "--no-enable-error-reporting"]
        env = {**os.environ, "CHROME_PATH": chrome_path(), "HOME": tmp, "XDG_CONFIG_HOME": tmp}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or not out.exists():
            raise LighthouseError(f"lighthouse failed on {url} ({done.returncode}): {done.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, int | None]:
    """Each scored category's score out of 100 (None when Lighthouse could not score it)."""
    result: dict[str, int | None] = {}
    for name in CATEGORIES:
        if name not in report["categories"]:
            continue
        score = report["categories"][name]["score"]
        result[name] = None if score is None else round(score * 100)
    return result


def failing(report: dict, category: str) -> list[str]:
    """The scored audits of ``category`` that did not pass, with what they found."""
    problems = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) == 0 or audit.get("score") in (None, 1):
            continue
        items = (audit.get("details") or {}).get("items") or []
        where = [str(item.get("node", {}).get("snippet") or item.get("url") or item.get("description") or "")[:160]
                 for item in items[:3]]
        problems.append(f"{ref['id']} ({audit.get('score')}): {audit.get('title')} {where}")
    return problems


def external_requests(report: dict) -> list[str]:
    """Every URL the page asked for from a host other than the local server."""
    final = report.get("finalDisplayedUrl") or report.get("finalUrl") or ""
    host = urlparse(final).hostname
    items = (report["audits"].get("network-requests", {}).get("details") or {}).get("items") or []
    urls = [str(item.get("url", "")) for item in items]
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname != host]


def pages_to_audit(html: Path) -> list[str]:
    """The landing page, the heaviest chapter and the heaviest lab (by the size
    of their HTML files, which is where chapters and labs differ), and every
    lab that shows a widget (a still or a live one)."""
    def heaviest(folder: str, pattern: str) -> str:
        files = sorted((html / folder).glob(pattern), key=lambda p: (p.stat().st_size, p.name))
        if not files:
            raise LighthouseError(f"no {folder}/{pattern} in {html}")
        return f"{folder}/{files[-1].name}"

    pages = [LANDING, heaviest("chapters", "*.html"), heaviest("exercises", "lab*.html")]
    for lab in sorted((html / "exercises").glob("lab*.html")):
        text = lab.read_text(encoding="utf-8", errors="replace")
        if (STILL_CLASS in text or VIEW_MIME in text) and f"exercises/{lab.name}" not in pages:
            pages.append(f"exercises/{lab.name}")
    return pages


def audit(html: Path, pages: list[str] | None = None) -> dict[str, dict]:
    """A Lighthouse report per page of the book built in ``html``, served on 127.0.0.1."""
    _tests_on_path()
    from browser import serve

    reports = {}
    with serve(html) as url:
        for page in pages if pages is not None else pages_to_audit(html):
            reports[page] = run(f"{url}/{page}")
    return reports


def table(reports: dict[str, dict]) -> str:
    headers = ("page", *CATEGORIES)
    rows = [(page, *(str(scores(r)[c]) for c in CATEGORIES)) for page, r in reports.items()]
    widths = [max(len(x) for x in col) for col in zip(headers, *rows, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])


def bench_lighthouse(html: Path) -> str:
    reports = audit(html)
    lines = [table(reports), ""]
    for page, report in reports.items():
        for category in CATEGORIES:
            for problem in failing(report, category):
                lines.append(f"{page}: {category}: {problem}")
        for url in external_requests(report):
            lines.append(f"{page}: asked another host for {url}")
    lines.append(f"targets: {' and '.join(ASSERTED)} 100 on every page (asserted in tests/book/test_lighthouse.py)")
    return "\n".join(lines)
