"""Static files: the course's own (the quiz script and styles, shipped in
``static/`` beside this module) and the front-end files it vendors from npm
(KaTeX's stylesheet and fonts, the ipywidgets HTML manager, RequireJS), so
that no page loads anything from another host."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

from tpmcourse.paths import ROOT

STATIC = Path(__file__).parent / "static"
# Linked on every page (in this order) by Sphinx's add_css_file/add_js_file.
CSS_FILES = ("tpm-book.css", "tpm-quiz.css")
JS_FILES = ("tpm-quiz.js", "tpm-widgets-a11y.js")

NODE_MODULES = ROOT / "node_modules"
# (source in node_modules, target under _static/vendor). Installed by `npm ci`
# from package-lock.json, which `make book` runs.
VENDORED = [
    ("katex/dist/katex.min.css", "katex"),
    ("katex/dist/fonts", "katex/fonts"),
    ("requirejs/require.js", "requirejs"),
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", "jupyter-widgets"),
]
WIDGET_FONTS = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"  # *.woff2, all browsers read it
# The widget manager asks for its icon fonts relative to the page (its webpack
# chunks resolve them from their own AMD module ids), so a folder holding a
# widget page gets a copy in both of these places.
WIDGET_FONT_DIRS = ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist")


def add_static_path(app: Sphinx, config: Config) -> None:
    """Let Sphinx copy ``static/`` into ``_static`` with the theme's own files."""
    config.html_static_path.append(str(STATIC))


def register(app: Sphinx) -> None:
    """Name every file the course adds to its pages."""
    for name in CSS_FILES:
        app.add_css_file(name)
    for name in JS_FILES:
        app.add_js_file(name)


def check_vendored(app: Sphinx) -> None:
    """Fail early, with the fix, if npm's files are not installed."""
    if app.builder.format != "html":
        return
    missing = [src for src, _ in VENDORED if not (NODE_MODULES / src).exists()]
    if missing:
        raise ExtensionError(f"missing {', '.join(missing)} in node_modules: run `npm ci` "
                             "in the course folder (make book does)")


def copy_vendored(app: Sphinx, exception: Exception | None) -> None:
    """Copy the vendored files into ``_static/vendor`` (unchanged files are skipped)."""
    if exception or app.builder.format != "html":
        return
    root = Path(app.outdir) / "_static" / "vendor"
    for source, target in VENDORED:
        (root / target).mkdir(parents=True, exist_ok=True)
        copy_asset(NODE_MODULES / source, root / target)


def copy_widget_fonts(folder: Path) -> None:
    """Give a folder that holds a page with stored widget state the icon fonts."""
    for sub in WIDGET_FONT_DIRS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for font in WIDGET_FONTS.glob("*.woff2"):
            copy_asset(font, folder / sub)
