"""What a first visit to each page of the built book weighs, against its budget
(tpmcourse/bench/page_weight.py, measured in the system Chromium over
127.0.0.1, each response compressed with gzip level 6 by the measurer):

- the landing page: under 300 kB compressed and under 20 requests;
- the heaviest chapter: under 500 kB compressed without its figures;
- every page, labs included: under 1 MB compressed.

A budget, not a timing: bytes and requests do not depend on the machine.
And what the cuts must not cost: search still works from disk, every icon
the theme draws is still in its cut-down font, and a page without widgets,
math or code loads none of their files.

``TPM_BOOK_HTML`` points the tests at a book built elsewhere (default:
``_build/html``, made by ``make book``).
"""

from __future__ import annotations

import re
from dataclasses import astuple
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser import BOOK_HTML as HTML
from tpmcourse.bench import page_weight

FA_FONTS = HTML / "_static" / "vendor" / "fontawesome" / "webfonts"



PAGES = page_weight.book_pages(HTML)
_WEIGHED: dict[str, page_weight.PageWeight] = {}


def weight_of(browser, book_url, path: str) -> page_weight.PageWeight:
    """One first visit to ``path``, measured once per test process (pages are
    parameters, so test workers share the book between them)."""
    if path not in _WEIGHED:
        _WEIGHED[path] = page_weight.weigh(browser, book_url, path, HTML)
    return _WEIGHED[path]


def test_every_page_is_weighed():
    assert page_weight.LANDING in PAGES and any(page_weight.is_chapter(p) for p in PAGES)
    assert any(p.startswith("exercises/") for p in PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_the_page_keeps_to_its_budget(browser, book_url, path):
    row = weight_of(browser, book_url, path)
    assert page_weight.over_budget([row]) == [], page_weight.table([row])


def test_the_measure_counts_what_the_page_loads(browser, book_url):
    landing = weight_of(browser, book_url, page_weight.LANDING)
    paths = [urlparse(r.url).path for r in landing.responses]
    assert paths[0] == f"/{page_weight.LANDING}"
    assert "/_static/styles/pydata-sphinx-theme.css" in paths
    assert all(r.raw > 0 and r.gzip > 0 for r in landing.responses)
    assert all(urlparse(r.url).hostname == "127.0.0.1" for r in landing.responses)
    chapter = weight_of(browser, book_url, "chapters/03_skills_and_tools.html")
    assert chapter.figures_gzip > 0  # chapters have charts, counted as figures


@pytest.mark.parametrize("path", ["intro.html", "chapters/03_skills_and_tools.html"])
def test_weighing_from_the_served_files_gives_what_the_bodies_give(browser, book_url, path):
    """The tests weigh the served folder's files (each compressed once); the bodies say the same."""
    by_body = page_weight.weigh(browser, book_url, path)
    by_file = weight_of(browser, book_url, path)
    assert sorted(map(astuple, by_file.responses)) == sorted(map(astuple, by_body.responses))


def test_the_budget_check_bites():
    heavy = page_weight.PageWeight("intro.html", [page_weight.Response(f"http://x/{i}.js", 20_000, 16_000)
                                                  for i in range(20)])
    problems = page_weight.over_budget([heavy])
    assert any("320 kB compressed (landing budget 300 kB)" in p for p in problems)
    assert any("20 requests" in p for p in problems)
    chapter = page_weight.PageWeight("chapters/x.html", [
        page_weight.Response("http://x/_images/a.png", 600_000, 600_000),
        page_weight.Response("http://x/chapters/x.html", 50_000, 10_000)])
    assert page_weight.over_budget([chapter]) == []  # figures do not count toward the chapter budget
    chapter.responses.append(page_weight.Response("http://x/big.js", 2_000_000, 500_000))
    assert len(page_weight.over_budget([chapter])) == 2  # 500 kB without figures, 1.1 MB in all


@pytest.mark.parametrize("path", ["intro.html", "course/glossary.html", "chapters/02_responsibilities.html",
                                  "exercises/lab1_prioritization.html"])
def test_no_page_loads_the_search_index_or_what_it_does_not_show(browser, book_url, path):
    loaded = {Path(urlparse(r.url).path).name for r in weight_of(browser, book_url, path).responses}
    assert not loaded & {"searchindex.js", "searchtools.js", "language_data.js", "fontawesome.js"}, loaded
    assert not loaded & {"embed-amd.js", "require.js"}, "no page of the book holds a live widget"
    assert not [n for n in loaded if n.endswith((".woff2", ".ttf")) and n.startswith("fa-")], loaded
    html = (HTML / path).read_text(encoding="utf-8")
    if 'class="katex' not in html:
        assert "katex.min.css" not in loaded
    if 'class="highlight' not in html:
        assert not loaded & {"pygments.css", "copybutton.js", "clipboard.min.js"}
    if "tpm-quiz" not in html and "tpm-progress" not in html:
        assert not loaded & {"tpm-quiz.js", "tpm-quiz.css"}


def test_search_from_a_page_opened_from_disk(page):
    """The search box of any page submits to search.html, which loads the index."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto((HTML / "chapters" / "03_skills_and_tools.html").as_uri())
    assert not [u for u in requested if u.endswith("searchindex.js")]
    page.keyboard.press("Control+k")
    box = page.locator("#pst-search-dialog input[name=q]")
    box.wait_for(state="visible")
    box.fill("error budget")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q=error\+budget"))
    page.wait_for_selector("#search-results li", timeout=20_000)
    assert any("Technical Skills and Tools" in t for t in page.locator("#search-results li").all_inner_texts())
    assert {urlparse(u).scheme for u in requested} <= {"file", "data", "about"}
    # (From file:// the browser refuses Sphinx's fetch of each result's page for a snippet: the
    # results list titles only, and the console says so. That is Sphinx's search, as before.)


ICONS = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    for (const pseudo of ["::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      if (!/Font Awesome/.test(style.fontFamily)) continue;
      const content = style.content;
      if (!content || content === "none" || content === "normal" || !content.startsWith('"')) continue;
      const text = JSON.parse(content);
      for (const ch of text) found.push({code: ch.codePointAt(0), family: style.fontFamily,
                                         where: el.className && String(el.className).slice(0, 60)});
    }
  }
  return found;
}
"""


@pytest.mark.parametrize("path", ["intro.html", "chapters/02_responsibilities.html",
                                  "exercises/lab1_prioritization.html", "search.html"])
def test_every_icon_drawn_is_in_the_cut_down_font(page, book_url, path):
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no type hints

    fonts = sorted(FA_FONTS.glob("fa-*.*.woff"))
    assert {f.name.split(".")[0] for f in fonts} == {"fa-solid-900", "fa-regular-400", "fa-brands-400"}, fonts
    glyphs = set()
    for font in fonts:
        glyphs |= set(TTFont(font).getBestCmap())
    page.goto(f"{book_url}/{path}")
    page.wait_for_load_state("networkidle")
    menus = page.locator(".article-header-buttons .dropdown-toggle")
    if menus.count():
        menus.first.click()  # a menu's icons are drawn when it opens
    icons = page.evaluate(ICONS)
    assert icons, f"{path}: no icon found: the probe is broken"
    missing = [i for i in icons if i["code"] not in glyphs and 0xE000 <= i["code"] <= 0xF8FF]
    assert not missing, f"{path}: icons cut from the font: {missing[:5]}"
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")


# --- the icon font cut (tpmcourse/book/assets.py), without a build --------------------------------

THEME_CSS = ('.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-github:before{content:"\\f09b"}'
             '.fa-rocket:before{content:"\\f135"}:root{--pst-icon-bell:"\uf0f3"}'
             '.onthispage:after{content:"\\f107"}'
             '@font-face{font-display:block;font-family:Font Awesome\\ 6 Free;font-weight:900;'
             'src:url(../vendor/fontawesome/webfonts/fa-solid-900.woff2) format("woff2"),'
             'url(../vendor/fontawesome/webfonts/fa-solid-900.ttf) format("truetype")}'
             '\n/*# sourceMappingURL=pydata-sphinx-theme.css.map*/')


def test_the_icons_kept_are_those_pages_name_and_styles_draw():
    from tpmcourse.book import assets

    assert assets.icon_classes(THEME_CSS) == {"fa-bars": 0xF0C9, "fa-navicon": 0xF0C9, "fa-github": 0xF09B,
                                              "fa-rocket": 0xF135}
    keep = assets.icons_in_use(THEME_CSS, ['.x:before{content:"\\e001"}'], ['<i class="fa-solid fa-bars">'])
    assert keep == {0xF0C9, 0xF0F3, 0xF107, 0xE001}  # bars; the bell and the angle drawn by CSS; another CSS file's
    trimmed = assets.trim_icon_rules(THEME_CSS, keep)
    assert ".fa-bars:before" in trimmed and ".fa-github" not in trimmed and ".fa-rocket" not in trimmed
    pointed = assets.point_at_subsets(trimmed, {"fa-solid-900": "fa-solid-900.abc.woff"})
    assert 'src:url(../vendor/fontawesome/webfonts/fa-solid-900.abc.woff) format("woff")}' in pointed
    assert ".woff2" not in pointed and ".ttf" not in pointed and "sourceMappingURL" not in pointed


def test_the_cut_font_holds_the_icons_asked_for_and_is_the_same_every_build():
    import importlib.util
    import io

    from fontTools.ttLib import TTFont

    from tpmcourse.book import assets

    theme = importlib.util.find_spec("pydata_sphinx_theme")
    assert theme is not None and theme.origin
    ttf = next(Path(theme.origin).parent.rglob("fa-solid-900.ttf")).read_bytes()
    cut = assets.subset_font(ttf, {0xF0C9, 0xF135})
    assert cut[:4] == b"wOFF" and len(cut) < len(ttf) / 50
    assert set(TTFont(io.BytesIO(cut)).getBestCmap()) == {0xF0C9, 0xF135}
    assert assets.subset_font(ttf, {0xF0C9, 0xF135}) == cut  # no timestamp: the same file name every build
