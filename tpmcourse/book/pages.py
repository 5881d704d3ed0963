"""Write phase: each page's context before it is written, and one pass over
the pages a build wrote once it has finished.

Each page loads only what it uses (README.md, "Page weight, and widgets
without a kernel"): widgets that
need a kernel become stills (``tpmcourse.book.widgets``) and the widget
manager goes with them; a stylesheet or script that serves markup the page
does not hold is left out (``NEEDS``); the search index loads on the search
page only (the theme's search box submits there, and search-as-you-type is
off); the launch menu's logos load when the menu opens."""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from tpmcourse.book import assets, widgets


def reset_build_state(app: Sphinx) -> None:
    """Each build computes the objective map afresh and tracks its own pages.

    The state lives on the Sphinx app, which takes extensions' attributes but
    does not declare them: hence the ``type: ignore[attr-defined]`` here and
    where they are read."""
    app.tpm_objective_map = None  # type: ignore[attr-defined]
    app.tpm_written_pages = set()  # type: ignore[attr-defined]


def _is_thebe(asset) -> bool:
    body = getattr(asset, "attributes", {}).get("body") or ""
    return "THEBE" in body or "thebe" in (getattr(asset, "filename", "") or "")


def drop_thebe(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The book runs no live code, so it loads no Thebe: its bootstrap would
    fetch a bundle from a CDN, and its inline config is added twice."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def fix_citation_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """docutils marks bibliography entries ``role="doc-biblioentry"`` inside a
    ``role="list"``; ARIA 1.2 requires list items there (axe: critical)."""
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
# The theme's layout loads Sphinx's search on every page, for search-as-you-type
# (off here: DOCUMENTATION_OPTIONS.search_as_you_type is false); search.html
# loads the same three files itself.
SEARCH_JS = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
                       r'searchindex\.js)"></script>')
# The launch menu's logos are fetched even while the menu is closed.
LAUNCH_LOGO = re.compile(r'<img (alt="[^"]*" src="[^"]*_static/images/logo_[a-z]+\.(?:svg|png)")>')


def _attributes(asset: Any) -> dict:
    found = getattr(asset, "attributes", None)
    return found if isinstance(found, dict) else {}


def widget_stills(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """No control that moves but changes nothing (``tpmcourse.book.widgets``):
    kernel-bound widgets become stills with a notice, and a page left with no
    live widget loads neither the widget state nor the widget manager. Runs
    after myst-nb has added the page's widget scripts (priority 500)."""
    body, scripts = context.get("body"), context.get("script_files")
    if body is None or scripts is None:
        return
    states = [a for a in scripts if _attributes(a).get("type") == widgets.STATE_MIME]
    ids = widgets.view_ids(body)
    if not ids and not states:
        return
    state = json.loads(_attributes(states[0])["body"]) if states else saved_states(app)
    plan = widgets.plan(state, ids)
    context["body"] = widgets.rewrite_body(body, plan)
    if plan.needs_manager:
        for asset in states:  # each page has its own asset: myst-nb adds it per page
            _attributes(asset)["body"] = widgets.state_script_body(plan.state)
        return
    manager = set(getattr(app.config, "nb_ipywidgets_js", None) or {})  # Sphinx links them under _static/

    def is_manager(asset: Any) -> bool:
        return str(getattr(asset, "filename", None) or "").removeprefix("_static/") in manager

    context["script_files"] = [a for a in scripts if a not in states and not is_manager(a)]


def saved_states(app: Sphinx) -> dict:
    """Every document's saved widget state, merged (model ids are unique): for a
    page that shows other documents' widgets, as the singlehtml build behind
    `make pdf` does, where myst-nb links only the page's own state."""
    merged: dict = {"version_major": 2, "version_minor": 0, "state": {}}
    for data in (getattr(app.env, "nb_metadata", None) or {}).values():
        found = (data.get("js_files") or {}).get("ipywidgets_state") if isinstance(data, dict) else None
        if found and isinstance(found[1], dict) and found[1].get("body"):
            merged["state"].update(widgets.models(json.loads(found[1]["body"])))
    return merged


CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')


def page_classes(body: str) -> set[str]:
    """Every class name used in a page's body."""
    return {name for match in CLASS_ATTRIBUTE.finditer(body) for name in match.group(1).split()}


@functools.cache
def quiz_classes() -> frozenset[str]:
    """The classes the quiz's script and styles act on (read from tpm-quiz.css, plus
    the two roots tpm-quiz.js starts from)."""
    css = (assets.STATIC / "tpm-quiz.css").read_text(encoding="utf-8")
    return frozenset(re.findall(r"\.(tpm-[\w-]+)", css)) | {"tpm-quiz", "tpm-progress"}


def _any(*names: str) -> Callable[[set[str], str], bool]:
    return lambda classes, body: bool(classes & set(names))


# Which markup each optional stylesheet or script serves: (its name, or the text
# of an inline script, and whether the page needs it). Anything not listed loads
# on every page, as the theme and the extensions ask.
NEEDS: list[tuple[re.Pattern[str], Callable[[set[str], str], bool]]] = [
    (re.compile(r"(^|/)pygments\.css$"), _any("highlight")),
    (re.compile(r"(^|/)(copybutton\.css|copybutton\.js|clipboard\.min\.js)$"), _any("highlight")),
    (re.compile(r"(^|/)togglebutton\.(css|js)$|^inline:.*\btoggle(HintShow|HintHide|OpenOnPrint|buttonSelector)\b",
                re.S), _any("toggle", "toggle-details", "toggle-hidden", "dropdown")),
    (re.compile(r"(^|/)mystnb\.[0-9a-f]+\.css$"),
     _any("cell", "cell_input", "cell_output", "highlight", "pasted-text", "pasted-inline", "linenos")),
    (re.compile(r"(^|/)exercise\.css$"), _any("exercise", "solution")),
    (re.compile(r"(^|/)sphinx-design\.min\.css$"), lambda classes, body: any(c.startswith("sd-") for c in classes)),
    (re.compile(r"(^|/)design-tabs\.js$"), _any("sd-tab-set")),
    (re.compile(r"(^|/)katex(\.min)?\.css$|(^|/)katex-math\.css$"), _any("katex")),
    (re.compile(r"(^|/)tpm-quiz\.(css|js)$"), lambda classes, body: bool(classes & quiz_classes())),
    (re.compile(r"(^|/)tpm-widgets-a11y\.js$"), lambda classes, body: widgets.VIEW_MIME in body),
]


def _asset_key(asset: Any) -> str:
    name = getattr(asset, "filename", None)
    return str(name) if name else "inline:" + str(_attributes(asset).get("body") or "")


def needed(asset: Any, classes: set[str], body: str) -> bool:
    key = _asset_key(asset)
    for pattern, test in NEEDS:
        if pattern.search(key):
            return test(classes, body)
    return True


def drop_unused_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Leave out the stylesheets and scripts that serve markup this page does not hold
    (the search page and the index, drawn by templates, have no body: they need none)."""
    body = context.get("body") or ""
    classes = page_classes(body)
    for key in ("css_files", "script_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if needed(asset, classes, body)]


def first_paragraph(doctree: nodes.Node, limit: int = 160) -> str:
    """The page's first paragraph of real prose, cut at a word before ``limit`` characters."""
    for paragraph in doctree.findall(nodes.paragraph):
        text = " ".join(paragraph.astext().split())
        if len(text) >= 50:
            if len(text) <= limit:
                return text
            return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return ""


def describe_page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A ``<meta name="description">`` from the page's first paragraph, for search engines."""
    if doctree is None or "metatags" not in context or 'name="description"' in context["metatags"]:
        return
    text = first_paragraph(doctree)
    if text:
        context["metatags"] += f'\n<meta name="description" content="{html.escape(text, quote=True)}" />'


def note_written_page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Remember which pages this build writes, so finish_pages touches only those."""
    app.tpm_written_pages.add(pagename)  # type: ignore[attr-defined]  # set in reset_build_state


def finish_pages(app: Sphinx, exception: Exception | None) -> None:
    """One pass over the pages this build wrote:

    - the theme's CSS already draws every Font Awesome icon from its web fonts;
      its 1.5 MB fontawesome.js (hard-coded in the theme's layout) only repeats
      that work, so the pages do without it;
    - only the search page loads the search index and Sphinx's search script;
    - the launch menu's logos load when the menu opens (``loading="lazy"``);
    - a folder holding a page with stored widget state gets the widget icon fonts.
    """
    builder = app.builder
    if exception or builder.format != "html" or not isinstance(builder, StandaloneHTMLBuilder):
        return
    widget_dirs = set()
    for pagename in app.tpm_written_pages:  # type: ignore[attr-defined]  # set in reset_build_state
        page = Path(builder.get_outfilename(pagename))
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        trimmed = FONTAWESOME_JS.sub("", text)
        if pagename != "search":
            trimmed = SEARCH_JS.sub("", trimmed)
        trimmed = LAUNCH_LOGO.sub(r'<img \1 loading="lazy">', trimmed)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")
        if "widget-state+json" in trimmed:
            widget_dirs.add(page.parent)
    for folder in widget_dirs:
        assets.copy_widget_fonts(folder)
