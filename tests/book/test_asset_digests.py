"""Cache-busting queries that tell the truth: on every page of the built book,
each ``?digest=`` and ``?v=`` on a ``<link>`` or ``<script>`` matches the
content of the local file it points at, so a browser that cached an older
file fetches the new one.

The icon font cut (tpmcourse/book/assets.py) rewrites the theme's stylesheet
after the pages were written; without a refresh the page keeps the theme's
packaged digest for a different file. The hashes are computed here
independently of the build: ``?digest=`` is the first 20 hex digits of the
file's SHA-256, ``?v=`` Sphinx's CRC-32 of the bytes without carriage returns.

``TPM_BOOK_HTML`` points the build-reading test at a book built elsewhere
(default: ``_build/html``, made by ``make book``).
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]  # lxml ships no type hints

from browser import BOOK_HTML as HTML
from tpmcourse.book import assets

THEME_CSS = "_static/styles/pydata-sphinx-theme.css"  # the file the icon font cut rewrites


def expected(key: str, data: bytes) -> str:
    """The query a file's content calls for, computed without tpmcourse."""
    if key == "digest":
        return hashlib.sha256(data).hexdigest()[:20]
    without_cr = data.replace(b"\r", b"")
    return f"{zlib.crc32(without_cr):08x}"


def queries(html: Path) -> list[tuple[str, Path, str, str]]:
    """(page, local file, query key, value) for every ``?digest=``/``?v=`` of every page."""
    found = []
    pages = [p for p in html.rglob("*.html") if not {"_static", "_sources"} & set(p.relative_to(html).parts)]
    for page in sorted(pages):
        tree = lxml_html.parse(str(page)).getroot()
        for element in tree.iter("link", "script"):
            url = element.get("href") or element.get("src") or ""
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.query:
                continue
            for field in parts.query.split("&"):
                key, _, value = field.partition("=")
                if key in ("digest", "v"):
                    target = (page.parent / unquote(parts.path)).resolve()
                    found.append((page.relative_to(html).as_posix(), target, key, value))
    return found


def stale(html: Path) -> list[str]:
    """Each query that does not match its file (or points at no file), described."""
    problems = []
    for page, target, key, value in queries(html):
        if not target.is_file():
            problems.append(f"{page}: ?{key}= on a missing file {target}")
        elif value != expected(key, target.read_bytes()):
            problems.append(f"{page}: {target.relative_to(html.resolve())}?{key}={value}, "
                            f"the file's content calls for {expected(key, target.read_bytes())}")
    return problems


@pytest.mark.book
def test_every_digest_on_every_page_matches_its_file():
    assert (HTML / "index.html").exists(), f"the book is not built in {HTML}: run `make book` first"
    found = queries(HTML)
    theme_css = (HTML / THEME_CSS).resolve()
    assert any(t == theme_css and k == "digest" for _, t, k, _ in found), \
        f"no page links {THEME_CSS} with a digest: the probe is broken"
    problems = stale(HTML)
    assert not problems, f"{len(problems)} stale cache-busting queries, e.g. " + "; ".join(problems[:5])


# --- the refresh (tpmcourse/book/assets.py), without a build ----------------------------------------

PAGE = """<html><head>
<link href="../_static/styles/theme.css?digest=55c26ed414f5f8a31ebb" rel="stylesheet" />
<script defer src="../_static/scripts/app.js?v=00000000"></script>
<link rel="stylesheet" href="https://example.org/far.css?digest=55c26ed414f5f8a31ebb" />
<link rel="stylesheet" href="../_static/gone.css?digest=55c26ed414f5f8a31ebb" />
</head><body><p>See ?digest=abc in the text.</p></body></html>
"""


@pytest.fixture()
def built(tmp_path: Path) -> Path:
    """A tiny build folder: one page whose queries no longer match its files."""
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    (tmp_path / "_static" / "scripts").mkdir()
    (tmp_path / "_static" / "styles" / "theme.css").write_text("body{color:#222}\r\n", encoding="utf-8")
    (tmp_path / "_static" / "scripts" / "app.js").write_bytes(b"console.log(1);\r\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "one.html").write_text(PAGE, encoding="utf-8")
    return tmp_path


def test_the_check_finds_a_digest_the_rewrite_left_behind(built):
    problems = stale(built)
    assert len(problems) == 3, problems  # the CSS, the script, and the link to a file that is not there
    assert any("theme.css?digest=55c26ed414f5f8a31ebb" in p for p in problems)


def test_the_refresh_sets_each_query_from_the_file_and_nothing_else(built):
    page = built / "chapters" / "one.html"
    assert assets.refresh_asset_queries(built) == [page.resolve()]
    text = page.read_text(encoding="utf-8")
    css = (built / "_static" / "styles" / "theme.css").read_bytes()
    js = (built / "_static" / "scripts" / "app.js").read_bytes()
    assert f"theme.css?digest={expected('digest', css)}" in text
    assert f"app.js?v={expected('v', js)}" in text
    assert "far.css?digest=55c26ed414f5f8a31ebb" in text  # another host: not ours to judge
    assert "gone.css?digest=55c26ed414f5f8a31ebb" in text  # no file, no content to hash
    assert "See ?digest=abc in the text." in text
    assert [p for p in stale(built) if "gone.css" not in p] == []
    assert assets.refresh_asset_queries(built) == []  # a second pass finds nothing to change
    (built / "_static" / "styles" / "theme.css").write_text("body{color:#000}", encoding="utf-8")
    assert assets.refresh_asset_queries(built) == [page.resolve()]  # a file rewritten again: a new digest
    assert assets.content_digest(b"body{color:#000}") in page.read_text(encoding="utf-8")
