"""Static files: the course's own (the quiz script and styles, shipped in
``static/`` beside this module) and the front-end files it vendors from npm
(KaTeX's stylesheet and fonts, the ipywidgets HTML manager, RequireJS), so
that no page loads anything from another host."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

from tpmcourse.paths import ROOT

STATIC = Path(__file__).parent / "static"
# Linked on every page (in this order) by Sphinx's add_css_file/add_js_file.
CSS_FILES = ("tpm-book.css", "tpm-quiz.css", "tpm-print.css")  # tpm-print.css: paper, and `make pdf`
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
    """Name every file the course adds to its pages, and refresh the pages'
    cache-busting queries once every other build-finished handler has
    rewritten its files (the icon font cut here; the theme's pygments.css)."""
    for name in CSS_FILES:
        app.add_css_file(name)
    for name in JS_FILES:
        app.add_js_file(name)
    app.connect("build-finished", refresh_after_build, priority=900)


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


# --- The theme's icon font, cut down to the icons the book shows ---------------------
#
# The theme draws its icons (menu, launch, download, dark mode, admonitions, ...)
# from Font Awesome's web fonts: 270 kB for two fonts of some 2,000 icons each,
# on every page. After each build the fonts are cut to the icons in use (as WOFF:
# fontTools writes WOFF2 only with brotli, which the course does not install), the
# theme's stylesheet points at them and keeps only the icon classes in use.

FA_CSS = "styles/pydata-sphinx-theme.css"  # in the theme's static folder and in _static
FA_FONTS = "vendor/fontawesome/webfonts"
# `.fa-bars:before,.fa-navicon:before{content:"\f0c9"}`: one icon class rule of the theme's CSS.
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"\\([0-9a-f]+)"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
# Font Awesome's glyphs sit in Unicode's private use area: escaped in CSS or written as they are.
PRIVATE_USE = re.compile(r"\\([ef][0-9a-f]{3})\b|([\ue000-\uf8ff])", re.I)
FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
FONT_URL = re.compile(r"url\(([^)]*?/webfonts/)(fa-[a-z]+-\d+)\.woff2\)")
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")


def icon_classes(css: str) -> dict[str, int]:
    """Each Font Awesome class of the theme's CSS and its glyph's code point."""
    found = {}
    for selectors, code in ICON_RULE.findall(css):
        for name in re.findall(r"\.(fa-[a-z0-9-]+)", selectors):
            found[name] = int(code, 16)
    return found


def code_points(text: str) -> set[int]:
    """The private-use code points a stylesheet names (escaped or literal)."""
    return {int(esc, 16) if esc else ord(char) for esc, char in PRIVATE_USE.findall(text)}


def icons_in_use(theme_css: str, other_css: Iterable[str], pages_and_scripts: Iterable[str]) -> set[int]:
    """The glyphs the book can show: those of every ``fa-*`` class its pages and
    scripts name, and those the stylesheets draw outside the icon classes
    (admonition titles, external links, breadcrumbs, ...)."""
    classes = icon_classes(theme_css)
    used = {classes[name] for text in pages_and_scripts for name in ICON_CLASS.findall(text) if name in classes}
    used |= code_points(ICON_RULE.sub("", theme_css))
    for css in other_css:
        used |= code_points(css)
    return used


def trim_icon_rules(css: str, keep: set[int]) -> str:
    """The theme's CSS without the icon classes whose glyph is not kept."""
    return ICON_RULE.sub(lambda m: m.group(0) if int(m.group(2), 16) in keep else "", css)


def subset_font(ttf: bytes, keep: set[int]) -> bytes:
    """The font cut to the glyphs of ``keep``, as WOFF."""
    from fontTools import subset  # type: ignore[import-untyped]  # fontTools ships no type hints
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no type hints

    font = TTFont(io.BytesIO(ttf), recalcTimestamp=False)  # the same bytes every build
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(keep))
    subsetter.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def point_at_subsets(css: str, names: dict[str, str]) -> str:
    """Each Font Awesome @font-face of the CSS loading its cut-down WOFF (``names``:
    font name to file name) instead of the full WOFF2 and TTF."""
    def face(match: re.Match[str]) -> str:
        rule = match.group(0)
        url = FONT_URL.search(rule)
        if not url or url.group(2) not in names:
            return rule
        return re.sub(r"src:[^;}]*", f'src:url({url.group(1)}{names[url.group(2)]}) format("woff")', rule)

    return SOURCE_MAP.sub("", FONT_FACE.sub(face, css))


def _theme_file(app: Sphinx, relative: str) -> Path | None:
    theme = getattr(app.builder, "theme", None)
    for folder in theme.get_theme_dirs() if theme is not None else []:
        candidate = Path(folder) / "static" / relative
        if candidate.exists():
            return candidate
    return None


def subset_icon_fonts(app: Sphinx, exception: Exception | None) -> None:
    """Cut the theme's icon fonts to the icons in use and point its CSS at them
    (the pages' digest for that CSS is brought up to date afterwards, by
    :func:`refresh_after_build`).

    Read from the theme's own files (the copy in ``_static`` is rewritten here),
    and over every page in the output folder, so an incremental build sees the
    icons of pages it did not rewrite."""
    if exception or app.builder.format != "html":
        return
    source_css = _theme_file(app, FA_CSS)
    if source_css is None:
        return
    static = Path(app.outdir) / "_static"
    theme_css = source_css.read_text(encoding="utf-8")
    other_css = [p.read_text(encoding="utf-8") for p in static.rglob("*.css")
                 if "vendor" not in p.relative_to(static).parts and p.name != Path(FA_CSS).name]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in Path(app.outdir).rglob("*.html")
             if "_static" not in p.relative_to(app.outdir).parts]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in static.rglob("*.js")
              if "vendor" not in p.relative_to(static).parts and p.name != "fontawesome.js"]
    keep = icons_in_use(theme_css, other_css, texts)
    names = {}
    (static / FA_FONTS).mkdir(parents=True, exist_ok=True)
    for url in FONT_URL.finditer(theme_css):
        font = url.group(2)
        ttf = _theme_file(app, f"{FA_FONTS}/{font}.ttf")
        if ttf is None or font in names:
            continue
        data = subset_font(ttf.read_bytes(), keep)
        names[font] = f"{font}.{hashlib.sha256(data).hexdigest()[:10]}.woff"
        target = static / FA_FONTS / names[font]
        if not target.exists():
            target.write_bytes(data)
    for stale in (static / FA_FONTS).glob("fa-*.*.woff"):
        if stale.name not in names.values():
            stale.unlink()
    (static / FA_CSS).write_text(point_at_subsets(trim_icon_rules(theme_css, keep), names), encoding="utf-8")


# --- Cache-busting queries that match the files ------------------------------------------
#
# A page links the theme's CSS and JS with ``?digest=``, a hash the theme fixed
# when it was packaged, and the files Sphinx links with ``?v=``, a CRC-32 Sphinx
# takes when it writes the page. Both say "this query changes when the file
# does", so that a browser fetches a file again instead of keeping its cached
# copy. Two files change after the pages were written: the icon font cut above
# rewrites the theme's stylesheet (its digest would name the theme's full file),
# and the theme rewrites pygments.css with its dark-mode colours (Sphinx's ``?v=``
# was taken from the light-only file). Last in every build, therefore
# (:func:`register` connects it after the other handlers), each query on every
# page, also pages an incremental build did not rewrite, is set from the file as
# it now is: ``?digest=`` to :func:`content_digest`, ``?v=`` to :func:`sphinx_checksum`.

ASSET_QUERY = re.compile(r"""(?P<head>\b(?:href|src)=(?P<quote>["']))(?P<url>[^"'?#]+)"""
                         r"""\?(?P<key>digest|v)=(?P<value>[^"'&#]*)(?P=quote)""")


CR = b"\r"


def content_digest(data: bytes) -> str:
    """A file's ``?digest=``: the first 20 hex digits of its SHA-256 (as long as the theme's own)."""
    return hashlib.sha256(data).hexdigest()[:20]


def sphinx_checksum(data: bytes) -> str:
    """A file's ``?v=`` as Sphinx computes it: CRC-32 of the bytes without carriage returns."""
    return f"{zlib.crc32(data.replace(CR, b'')):08x}"


QUERY_HASH = {"digest": content_digest, "v": sphinx_checksum}


def _pages(outdir: Path) -> list[Path]:
    """The HTML pages of a build (not the copies of sources or static files)."""
    return sorted(p for p in outdir.rglob("*.html")
                  if not {"_static", "_sources"} & set(p.relative_to(outdir).parts))


def refresh_after_build(app: Sphinx, exception: Exception | None) -> None:
    """The last build-finished step: every query on every page matches its file."""
    if exception or app.builder.format != "html":
        return
    refresh_asset_queries(Path(app.outdir))


def refresh_asset_queries(outdir: Path) -> list[Path]:
    """Set every ``?digest=`` and ``?v=`` of a local file on every page to the
    file's current hash; a link to another host or to a missing file is left
    alone. Returns the pages rewritten."""
    outdir = outdir.resolve()
    hashes: dict[tuple[Path, str], str] = {}

    def current(page: Path, match: re.Match[str]) -> str:
        url = match["url"]
        target = (page.parent / unquote(url)).resolve()
        if "://" in url or url.startswith("//") or not target.is_relative_to(outdir) or not target.is_file():
            return match.group(0)
        key = (target, match["key"])
        if key not in hashes:
            hashes[key] = QUERY_HASH[match["key"]](target.read_bytes())
        return f"{match['head']}{url}?{match['key']}={hashes[key]}{match['quote']}"

    rewritten = []
    for page in _pages(outdir):
        text = page.read_text(encoding="utf-8")
        fresh = ASSET_QUERY.sub(functools.partial(current, page), text)
        if fresh != text:
            page.write_text(fresh, encoding="utf-8")
            rewritten.append(page)
    return rewritten
