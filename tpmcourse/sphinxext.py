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
        for path in quizbank.BANKS.glob("*.yml"):
            self.env.note_dependency(str(path))
        rows = [r for r in assessment.objective_map() if chapter in (None, r.chapter)]
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
    ("@jupyter-widgets/html-manager/dist", "jupyter-widgets"),  # its fonts (see FONT_FILES)
]
FONT_FILES = ("*.woff2",)  # every browser that runs the widget manager reads woff2


def check_vendored(app: Sphinx) -> None:
    """Fail early, with the fix, if npm's files are not installed."""
    if app.builder.format != "html":
        return
    missing = [src for src, _ in VENDORED if not (NODE_MODULES / src).exists()]
    if missing:
        raise ExtensionError(f"missing {', '.join(missing)} in node_modules: run `npm ci` "
                             "in the course folder (make book does)")


def copy_vendored(app: Sphinx, exception: Exception | None) -> None:
    """Copy the vendored front-end files into the built book's _static/vendor."""
    if exception or app.builder.format != "html":
        return
    root = Path(app.outdir) / "_static" / "vendor"
    for source, target in VENDORED:
        src, dst = NODE_MODULES / source, root / target
        if src.is_dir() and target == "jupyter-widgets":
            # The widget manager asks for its icon fonts relative to the page
            # (its webpack chunks resolve them from their own AMD module ids),
            # so each folder holding a widget page gets a copy in both places.
            widget_dirs = {page.parent for page in Path(app.outdir).rglob("*.html")
                           if "widget-state+json" in page.read_text(encoding="utf-8", errors="ignore")}
            for folder in widget_dirs:
                for sub in ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist"):
                    fonts = folder / sub
                    fonts.mkdir(parents=True, exist_ok=True)
                    for pattern in FONT_FILES:
                        for font in src.glob(pattern):
                            shutil.copy2(font, fonts / font.name)
        elif src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


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


def drop_fontawesome_js(app: Sphinx, exception: Exception | None) -> None:
    """The theme's CSS already draws every Font Awesome icon from its web
    fonts; its 1.5 MB fontawesome.js (hard-coded in the theme's layout) only
    repeats that work, so the built pages do without it."""
    if exception or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        trimmed = FONTAWESOME_JS.sub("", text)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_directive("course-glossary", CourseGlossary)
    app.add_directive("quiz-progress", QuizProgress)
    app.add_directive("assessment-map", AssessmentMap)
    app.connect("builder-inited", validate_banks)
    app.connect("builder-inited", check_vendored)
    app.connect("build-finished", copy_vendored)
    app.connect("build-finished", drop_fontawesome_js)
    app.connect("html-page-context", drop_thebe, priority=900)
    app.connect("html-page-context", fix_citation_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

