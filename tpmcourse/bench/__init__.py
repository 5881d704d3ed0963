"""``make bench``: how fast the book builds, loads and is tested, how the
metrics lab's computations scale, how fast a class is graded, what each page
of the book weighs and how Lighthouse scores it — measured in one run on this
machine.

Speed is measured here, never asserted in timed tests: numbers depend on the
machine, so the bench prints them with the targets beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from tpmcourse.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Request

BIN = Path(sys.executable).parent


LOGS = ROOT / "_build" / "bench"


def _run(cmd: list[str], **kwargs) -> float:
    """Seconds ``cmd`` took; its output goes to a log in _build/bench/, kept and named when it fails."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{time.strftime('%Y%m%d-%H%M%S')}-{Path(cmd[0]).name}-{'-'.join(cmd[1:3])}.log".replace("/", "_")
    start = time.perf_counter()
    with log.open("wb") as out:
        done = subprocess.run(cmd, check=False, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    if done.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise SystemExit(f"{' '.join(cmd)} failed (exit {done.returncode}); its output is in {log}:\n"
                         + "\n".join(tail))
    return time.perf_counter() - start


def _build(out: Path, config: Path | None = None) -> float:
    cmd = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out)]
    if config:
        cmd += ["--config", str(config)]
    return _run(cmd, cwd=ROOT)


def book_timings(work: Path) -> dict[str, float]:
    """`make book` from clean, again with nothing changed, after touching one
    chapter; and the same clean build with every notebook executed (the
    baseline a course with Jupyter Book's `execute_notebooks: force` pays)."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    make_book = ["make", "--no-print-directory", "book"]
    times = {"clean build (make book)": _run(make_book, cwd=ROOT)}
    times["no-op rebuild (make book)"] = _run(make_book, cwd=ROOT)
    chapter = ROOT / "chapters" / "02_responsibilities.ipynb"
    os.utime(chapter)  # as if an author saved it
    times["rebuild after touching one chapter"] = _run(make_book, cwd=ROOT)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "force"
    forced = work / "force_config.yml"
    forced.write_text(yaml.safe_dump(config))
    times["clean build, execute_notebooks: force (baseline)"] = _build(work / "forced", forced)
    return times


def _recorder(sizes: list[int]) -> Callable[[Request], None]:
    """A request listener that adds each finished request's bytes to `sizes`
    (bound here, so each page's listener fills that page's list)."""
    def record(request: Request) -> None:
        sizes.append(request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"])
    return record


def page_weights(html: Path) -> tuple[list[dict], int]:
    """Bytes transferred and time to the load event, for the landing page and
    the heaviest chapter page, in headless Chromium over 127.0.0.1; and the
    largest chapter page's bytes."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS, serve

    pages = ["intro.html", *sorted(f"chapters/{p.name}" for p in (html / "chapters").glob("*.html"))]
    rows = []
    with serve(html) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_path in pages:
            context = browser.new_context()
            page = context.new_page()
            sizes: list[int] = []
            page.on("requestfinished", _recorder(sizes))
            page.goto(f"{url}/{page_path}", wait_until="load")
            load_ms = page.evaluate(
                "performance.getEntriesByType('navigation')[0].loadEventStart")
            page.wait_for_load_state("networkidle")
            rows.append({"page": page_path, "bytes": sum(sizes), "requests": len(sizes),
                         "load_ms": load_ms})
            context.close()
        browser.close()
    heaviest = max((r for r in rows if r["page"].startswith("chapters/")), key=lambda r: r["bytes"])
    return [rows[0], heaviest], max(r["bytes"] for r in rows if r["page"].startswith("chapters/"))


def course_asset_bytes() -> int:
    """The quiz and lab assets the course ships itself (tpmcourse/book/static)."""
    from tpmcourse.book.assets import STATIC

    return sum(p.stat().st_size for p in STATIC.glob("tpm-*"))


def make_test_seconds() -> float:
    """``make test`` with the environment and every build it needs in place (warm)."""
    _run(["make", "--no-print-directory", "-j2", "_build/html/.built", "_build/term/_build/html/.built",
          "_build/pdf/tpm-hands-on.pdf"], cwd=ROOT)
    return _run(["make", "test"], cwd=ROOT)


def fresh_clone_make_test_seconds() -> float:
    """``make test`` in a fresh clone of the committed course, in a folder with
    nothing beside it: set-up (the virtual environment, npm, from this
    machine's download caches), lint, the three builds and every test."""
    with tempfile.TemporaryDirectory(prefix="tpm-clone-") as tmp:
        clone = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        return _run(["make", "test"], cwd=clone)


def make_check_seconds() -> float:
    """``make check``, the loop a developer runs on every change: lint, then every test and notebook
    outside the browser, built-book and sandboxed-grading tiers (on every core, as make test)."""
    _run(["make", "--no-print-directory", "install"], cwd=ROOT)
    return _run(["make", "check"], cwd=ROOT)


def timed_test_runs() -> list[tuple[str, str, str]]:
    """The three ways the tests are run, timed on this machine: ``make check``, a warm
    ``make test`` (set up and built) and ``make test`` in a fresh clone (set-up included)."""
    cores = os.cpu_count() or 1
    rows = []
    for label, measure, note in (("make check, warm (the slow tiers left out)", make_check_seconds,
                                  f"target < 120 s, {cores} cores"),
                                 ("make test, warm (set up and built)", make_test_seconds, "target < 120 s"),
                                 ("make test, fresh clone (set-up included)", fresh_clone_make_test_seconds,
                                  "target < 240 s")):
        rows.append((label, f"{measure():.0f} s", note))
        print(f"  {label}: {rows[-1][1]}", file=sys.stderr, flush=True)  # kept if a later one fails
    return rows


def _table(rows: list[tuple], headers: tuple) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=True)]

    def line(r: tuple) -> str:
        return "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])


def bench_book(with_tests: bool = True) -> str:
    """Note: rebuilds the repository's own _build from scratch."""
    with tempfile.TemporaryDirectory(prefix="tpm-bench-") as tmp:
        work = Path(tmp)
        times = book_timings(work)
        (landing, heaviest), max_chapter = page_weights(ROOT / "_build" / "html")
    clean = times["clean build (make book)"]
    baseline = times["clean build, execute_notebooks: force (baseline)"]
    rows = [(k, f"{v:.1f} s", "") for k, v in times.items()]
    rows[1] = (*rows[1][:2], f"{times['no-op rebuild (make book)'] / clean:.0%} of clean (target < 10%)")
    rows[0] = (*rows[0][:2], f"{clean / baseline:.0%} of the baseline (target < 33%)")
    for label, r in (("landing page", landing), (f"heaviest chapter page ({heaviest['page']})", heaviest)):
        rows.append((f"first load: {label}", f"{r['bytes'] / 1024:.0f} KiB, {r['requests']} requests",
                     f"load event at {r['load_ms']:.0f} ms"))
    rows.append(("largest chapter page, first load", f"{max_chapter / 1024:.0f} KiB", "target < 2 MB"))
    assets = course_asset_bytes()
    rows.append(("quiz and lab assets (tpmcourse/book/static)", f"{assets / 1024:.1f} KiB", "target < 60 KB"))
    if with_tests:
        rows += timed_test_runs()
    return _table(rows, ("measure", "value", "note"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tpmcourse bench", description=__doc__.splitlines()[0])
    parser.add_argument("--no-test", action="store_true", help="skip timing make test")
    parser.add_argument("--only", choices=["book", "tests", "metrics", "grading", "weight", "lighthouse"],
                        help="run one part (tests: only the test timings of the book part)")
    parser.add_argument("--html", type=Path, default=None, metavar="DIR",
                        help="weight, lighthouse: the built book to measure (default: _build/html, made by make book)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, metavar="N",
                        help="grading: class sizes to grade (default 30 100 300)")
    args = parser.parse_args(argv)
    if args.sizes is not None and (args.only != "grading" or min(args.sizes) < 1):
        parser.error("--sizes goes with --only grading, and each size is at least 1")
    if args.html is not None and (args.only not in ("weight", "lighthouse") or not (args.html / "index.html").exists()):
        parser.error("--html goes with --only weight or --only lighthouse, and names a built book")
    if args.only in (None, "metrics"):
        from tpmcourse.bench.lab2_metrics import bench_metrics

        print("Metrics lab: funnel and cohorts, pandas vs DuckDB\n")
        print(bench_metrics())
        print()
    if args.only in (None, "grading"):
        from tpmcourse.bench.grading import SIZES, bench_grading

        print("Grading a class: tpmcourse grade\n")
        print(bench_grading(tuple(args.sizes or SIZES)))
        print()
    if args.only in (None, "book"):
        print("The book: build, load and test\n")
        print(bench_book(with_tests=not args.no_test))
        print()
    if args.only == "tests":
        print("The tests: make check, make test warm and in a fresh clone\n")
        print(_table(timed_test_runs(), ("measure", "value", "note")))
        print()
    if args.only in (None, "weight", "lighthouse"):
        html = args.html or built_book()
    if args.only in (None, "weight"):
        from tpmcourse.bench.page_weight import bench_page_weight

        print("Page weight: a first visit to each page (kB of 1000 bytes; gzip level 6)\n")
        print(bench_page_weight(html))
        print()
    if args.only in (None, "lighthouse"):
        from tpmcourse.bench.lighthouse import bench_lighthouse

        print("Lighthouse: the landing page, the heaviest chapter, the heaviest lab and each lab with a widget\n")
        print(bench_lighthouse(html))
    return 0


def built_book() -> Path:
    """_build/html, brought up to date by `make book` (nothing to do when it is)."""
    subprocess.run(["make", "--no-print-directory", "book"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return ROOT / "_build" / "html"

