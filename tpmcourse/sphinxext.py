"""Sphinx glue: directives that turn the course's data files into pages, so
content authors edit YAML and the book is never out of step with it."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from . import glossary, quizbank


class CourseGlossary(SphinxDirective):
    """``{course-glossary}``: every term from ``course/glossary/*.yml``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = glossary.COURSE / "glossary"
        for path in folder.glob("*.yml"):
            self.env.note_dependency(str(path))
        try:
            terms = glossary.load_all(folder)
        except glossary.GlossaryError as exc:
            raise self.error(f"course glossary: {exc}") from None
        holder = nodes.container()
        source = StringList(glossary.as_myst(terms).splitlines(), "course/glossary")
        self.state.nested_parse(source, 0, holder)
        return list(holder.children)


class QuizProgress(SphinxDirective):
    """``{quiz-progress}``: a table of every chapter's quiz that the browser
    fills in from the reader's own localStorage."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        for path in quizbank.BANKS.glob("*.yml"):
            self.env.note_dependency(str(path))
        banks = quizbank.load_all()
        rows = []
        for chapter, bank in banks.items():
            ids = " ".join(q.id for q in bank.questions)
            rows.append(f'<tr data-chapter="{chapter}" data-questions="{html.escape(ids)}">'
                        f'<th scope="row">Chapter {int(chapter[2:])}</th>'
                        f'<td class="tpm-answered">0</td><td class="tpm-correct">0</td>'
                        f'<td>{len(bank.questions)}</td></tr>')
        markup = ('<p class="tpm-progress-summary" aria-live="polite">Progress appears here once '
                  'you answer a question.</p>'
                  '<table class="tpm-progress table"><caption>Quiz progress by chapter, kept only '
                  'in this browser</caption><thead><tr><th scope="col">Chapter</th>'
                  '<th scope="col">Answered</th><th scope="col">Correct</th>'
                  '<th scope="col">Questions</th></tr></thead><tbody>' + "".join(rows) +
                  '</tbody></table><p><button type="button" class="tpm-progress-reset">'
                  'Reset my progress</button> <span class="tpm-progress-status" '
                  'aria-live="polite"></span></p>')
        return [nodes.raw("", markup, format="html")]


def reset_build_state(app: Sphinx) -> None:
    """Each build computes the objective map afresh and tracks its own pages."""
    app.tpm_objective_map = None
    app.tpm_written_pages = set()


def validate_banks(app: Sphinx) -> None:
    """A malformed question bank fails the build, naming file and question."""
    try:
        quizbank.load_all()
    except quizbank.BankError as exc:
        raise ExtensionError(f"question bank: {exc}") from None


class AssessmentMap(SphinxDirective):
    """``{assessment-map}``: objectives and the quiz questions and lab tasks
    that assess them; ``{assessment-map} ch02`` for one chapter."""

    has_content = False
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        from . import assessment

        chapter = self.arguments[0] if self.arguments else None
        sources = [*quizbank.BANKS.glob("*.yml"), *assessment.chapter_files(),
                   *(Path(assessment.__file__).parent / "labs").glob("*.py")]
        for path in sources:
            self.env.note_dependency(str(path))
        app = self.env.app
        if getattr(app, "tpm_objective_map", None) is None:  # once per build, not once per table
            app.tpm_objective_map = assessment.objective_map()
        rows = [r for r in app.tpm_objective_map if chapter in (None, r.chapter)]
        if not rows:
            raise self.error(f"assessment-map: no objectives for {chapter!r}")
        lines = ["| Chapter | Objective | Quiz questions | Lab tasks |", "|---|---|---|---|"]
        for row in rows:
            qs = ", ".join(f"`{q}`" for q in row.questions) or "none"
            ts = ", ".join(f"`{t}`" for t in row.tasks) or "none"
            text = row.text.replace("|", "\\|")
            lines.append(f"| {int(row.chapter[2:])} | `{row.label}` {text} | {qs} | {ts} |")
        holder = nodes.container()
        self.state.nested_parse(StringList(lines, "course/assessment-map"), 0, holder)
        return list(holder.children)


NODE_MODULES = quizbank.COURSE.parent / "node_modules"
# What the book serves itself instead of loading from a CDN: (source, target
# under _static/vendor). Installed from npm by `make book` (package-lock.json).
VENDORED = [
    ("katex/dist/katex.min.css", "katex/katex.min.css"),
    ("katex/dist/fonts", "katex/fonts"),
    ("requirejs/require.js", "requirejs/require.js"),
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", "jupyter-widgets/embed-amd.js"),
]
WIDGET_FONTS = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"  # *.woff2, all browsers read it
# The widget manager asks for its icon fonts relative to the page (its webpack
# chunks resolve them from their own AMD module ids), so a folder holding a
# widget page gets a copy in both of these places.
WIDGET_FONT_DIRS = ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist")


def check_vendored(app: Sphinx) -> None:
    """Fail early, with the fix, if npm's files are not installed."""
    if app.builder.format != "html":
        return
    missing = [src for src, _ in VENDORED if not (NODE_MODULES / src).exists()]
    if missing:
        raise ExtensionError(f"missing {', '.join(missing)} in node_modules: run `npm ci` "
                             "in the course folder (make book does)")


def _copy(src: Path, dst: Path) -> None:
    """Copy a file or folder, skipping files already there (incremental builds)."""
    files = [(f, dst / f.relative_to(src)) for f in src.rglob("*") if f.is_file()] if src.is_dir() else [(src, dst)]
    for source, target in files:
        if target.exists() and target.stat().st_size == source.stat().st_size \
                and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def copy_vendored(app: Sphinx, exception: Exception | None) -> None:
    """Copy the vendored front-end files into the built book's _static/vendor."""
    if exception or app.builder.format != "html":
        return
    root = Path(app.outdir) / "_static" / "vendor"
    for source, target in VENDORED:
        _copy(NODE_MODULES / source, root / target)


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
    app.tpm_written_pages.add(pagename)


def finish_pages(app: Sphinx, exception: Exception | None) -> None:
    """One pass over the pages this build wrote:

    - the theme's CSS already draws every Font Awesome icon from its web fonts;
      its 1.5 MB fontawesome.js (hard-coded in the theme's layout) only repeats
      that work, so the pages do without it;
    - a folder holding a page with stored widget state gets the widget icon fonts.
    """
    if exception or app.builder.format != "html":
        return
    widget_dirs = set()
    for pagename in app.tpm_written_pages:
        page = Path(app.builder.get_outfilename(pagename))
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        trimmed = FONTAWESOME_JS.sub("", text)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")
        if "widget-state+json" in trimmed:
            widget_dirs.add(page.parent)
    for folder in widget_dirs:
        for sub in WIDGET_FONT_DIRS:
            for font in WIDGET_FONTS.glob("*.woff2"):
                _copy(font, folder / sub / font.name)


def setup(app: Sphinx) -> dict:
    app.add_directive("course-glossary", CourseGlossary)
    app.add_directive("quiz-progress", QuizProgress)
    app.add_directive("assessment-map", AssessmentMap)
    app.connect("builder-inited", reset_build_state)
    app.connect("builder-inited", validate_banks)
    app.connect("builder-inited", check_vendored)
    app.connect("build-finished", copy_vendored)
    app.connect("html-page-context", note_written_page)
    app.connect("build-finished", finish_pages)
    app.connect("html-page-context", drop_thebe, priority=900)
    app.connect("html-page-context", fix_citation_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

