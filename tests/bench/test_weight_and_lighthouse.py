"""The page-weight and Lighthouse benches' own arithmetic and reading of
reports (the measurements themselves run in `make bench` and in
tests/book/test_page_weight.py and tests/book/test_lighthouse.py)."""

from __future__ import annotations

import gzip
import subprocess
import sys

from tpmcourse.bench import lighthouse, page_weight
from tpmcourse.paths import ROOT


def test_gzip_size_is_that_of_gzip_level_6():
    body = b"a widget that moves but changes nothing " * 200
    assert page_weight.gzip_size(body) == len(gzip.compress(body, compresslevel=6, mtime=0))
    assert page_weight.gzip_size(body) < len(body) / 10


def test_a_page_weight_adds_up_and_sets_figures_apart():
    w = page_weight.PageWeight("chapters/01.html", [
        page_weight.Response("http://127.0.0.1:1/chapters/01.html", 1000, 300),
        page_weight.Response("http://127.0.0.1:1/_images/chart.png", 5000, 4900),
        page_weight.Response("http://127.0.0.1:1/_static/x.css?v=1", 2000, 500)])
    assert (w.requests, w.raw, w.gzip, w.figures_gzip, w.gzip_without_figures) == (3, 8000, 5700, 4900, 800)
    table = page_weight.table([w])
    assert table.splitlines()[0].startswith("| page ") and "| chapters/01.html | 3 " in table
    assert "| 8.0 " in table and "| 5.7 " in table and "| 0.8 " in table


def test_the_summary_names_the_pages_against_their_budgets():
    landing = page_weight.PageWeight("intro.html", [page_weight.Response("http://h/intro.html", 9000, 3000)])
    text = page_weight.summary([landing])
    assert "landing page: 1 requests (budget < 20), 3 kB compressed (budget < 300 kB)" in text
    assert text.endswith("every budget holds")


def test_book_pages_leave_out_the_redirect_and_the_static_files(tmp_path):
    for name in ("index.html", "intro.html", "chapters/01.html", "_static/x.html", "_sources/y.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    assert page_weight.book_pages(tmp_path) == ["chapters/01.html", "intro.html"]


def report(scores: dict[str, float | None], audits: dict[str, dict], urls: list[str]) -> dict:
    refs = [{"id": name, "weight": 1} for name in audits]
    return {
        "finalDisplayedUrl": "http://127.0.0.1:8000/intro.html",
        "categories": {c: {"score": scores.get(c, 1), "auditRefs": refs if c == "best-practices" else []}
                       for c in lighthouse.CATEGORIES},
        "audits": {**audits, "network-requests": {"details": {"items": [{"url": u} for u in urls]}}},
    }


def test_lighthouse_reports_are_read_for_scores_failures_and_other_hosts():
    r = report({"best-practices": 0.96, "seo": None},
               {"errors-in-console": {"score": 0, "title": "Browser errors were logged to the console",
                                      "details": {"items": [{"description": "TypeError: x"}]}},
                "doctype": {"score": 1, "title": "Page has the HTML doctype"}},
               ["http://127.0.0.1:8000/intro.html", "data:image/png;base64,AA", "https://cdn.example.com/x.js"])
    assert lighthouse.scores(r) == {"performance": 100, "accessibility": 100, "best-practices": 96, "seo": None}
    problems = lighthouse.failing(r, "best-practices")
    assert len(problems) == 1 and problems[0].startswith("errors-in-console (0)") and "TypeError: x" in problems[0]
    assert lighthouse.external_requests(r) == ["https://cdn.example.com/x.js"]
    assert "| intro.html | 100 " in lighthouse.table({"intro.html": r})


def test_the_audited_pages_are_the_heaviest_of_their_kind(tmp_path):
    for name, size in (("intro.html", 10), ("chapters/01.html", 50), ("chapters/02.html", 70),
                       ("exercises/lab1_x.html", 90), ("exercises/lab2_y.html", 20), ("exercises/notes.html", 999)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x" * size)
    assert lighthouse.pages_to_audit(tmp_path) == ["intro.html", "chapters/02.html", "exercises/lab1_x.html"]
    (tmp_path / "exercises" / "lab2_y.html").write_text('<div class="tpm-widget-still">')
    assert lighthouse.pages_to_audit(tmp_path)[3:] == ["exercises/lab2_y.html"]  # a lab with a widget, too


def test_chromium_runs_without_its_sandbox_only_as_root(monkeypatch):
    monkeypatch.setattr(lighthouse.os, "geteuid", lambda: 1000)
    assert "--no-sandbox" not in lighthouse.chrome_flags()
    monkeypatch.setattr(lighthouse.os, "geteuid", lambda: 0)
    assert "--no-sandbox" in lighthouse.chrome_flags() and "--headless=new" in lighthouse.chrome_flags()


def test_the_bench_takes_a_book_folder_only_for_weight_and_lighthouse(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tpmcourse.bench", "--only", "metrics", "--html", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--html goes with --only weight" in done.stderr
    done = subprocess.run([sys.executable, "-m", "tpmcourse.bench", "--only", "weight", "--html", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "names a built book" in done.stderr
