"""Write phase: each page's context before it is written, and one pass over
the pages a build wrote once it has finished."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from tpmcourse.book import assets


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


def note_written_page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Remember which pages this build writes, so finish_pages touches only those."""
    app.tpm_written_pages.add(pagename)  # type: ignore[attr-defined]  # set in reset_build_state


def finish_pages(app: Sphinx, exception: Exception | None) -> None:
    """One pass over the pages this build wrote:

    - the theme's CSS already draws every Font Awesome icon from its web fonts;
      its 1.5 MB fontawesome.js (hard-coded in the theme's layout) only repeats
      that work, so the pages do without it;
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
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")
        if "widget-state+json" in trimmed:
            widget_dirs.add(page.parent)
    for folder in widget_dirs:
        assets.copy_widget_fonts(folder)
