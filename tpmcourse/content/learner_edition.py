"""The learner edition of a notebook: the same notebook, with the book-only
MyST roles of its Markdown cells turned into MyST that JupyterLab's
``jupyterlab-myst`` renders on its own.

The chapters cite works, link to other pages and use glossary terms through
Sphinx roles, which only the book can resolve: in JupyterLab a citation shows
its key with a warning sign, a ``{doc}`` link goes nowhere and a term opens
nothing. Here, independently of Sphinx:

- ``{cite:t}`` / ``{cite:p}`` become "Author (Year)" / "(Author, Year)", each an
  ``{abbr}`` whose hover card holds the full reference, and the notebook ends
  with a "References" list built from ``course/bib/*.bib`` by pybtex, in the
  book's own ``plain`` style;
- ``{doc}`` and ``{ref}`` become Markdown links: to the other notebook when it
  is written beside this one (``layout``), else to the page of the published
  book;
- ``{term}`` becomes an ``{abbr}`` whose hover card holds the definition from
  ``course/glossary/``, and the terms are listed, defined, after the references.

Everything else (code, outputs, ids, tags, other MyST) is left as it is. An
unknown key, target, term or role is a :class:`LearnerEditionError` that names
the notebook and the role: nothing is dropped in silence.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import nbformat
import yaml
from pybtex.backends.markdown import Backend as MarkdownBackend  # type: ignore[import-untyped]
from pybtex.backends.plaintext import Backend as TextBackend  # type: ignore[import-untyped]
from pybtex.database import BibliographyData, Entry, parse_file  # type: ignore[import-untyped]  # no type hints
from pybtex.plugin import find_plugin  # type: ignore[import-untyped]
from pybtex.richtext import Text  # type: ignore[import-untyped]

from tpmcourse.content import glossary
from tpmcourse.paths import ROOT

# {name}`body`, with any number of backticks; or a code span (within a paragraph), which is left alone.
ROLE = r"\{(?P<role>[A-Za-z][\w:+.-]*)\}(?P<ticks>`+)(?P<body>(?:(?!\n[ \t]*\n).)+?)(?P=ticks)"
ROLE_OR_CODE = re.compile(ROLE + r"|(?P<code>`+)(?:(?!\n[ \t]*\n).)+?(?P=code)", re.DOTALL)
ROLE_ONLY = re.compile(ROLE + r"|(?P<code>(?!))", re.DOTALL)  # a directive's fence line: its title may cite
# A fence opening a code block (a directive's fence, ```{name}, holds Markdown and is rewritten).
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
TITLED = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
# Roles jupyterlab-myst renders by itself: they stay as they are.
NATIVE_ROLES = frozenset({"abbr", "abbreviation", "sub", "subscript", "sup", "superscript", "math", "kbd",
                          "u", "underline", "del", "strike", "s", "sc", "smallcaps", "chem", "chemicalFormula"})
CITE_ROLES = {"cite": "p", "cite:p": "p", "cite:t": "t", "cite:ps": "p", "cite:ts": "t"}
APPENDIX_ID = "learner-edition-references"
BIBLIOGRAPHY_PAGE = "course/bibliography"
GLOSSARY_PAGE = "course/glossary"


class LearnerEditionError(ValueError):
    """A role the learner edition cannot render: the message names notebook, role and why."""


@dataclass(frozen=True)
class Page:
    """A page of the book: its docname (``chapters/02_responsibilities``), file and title."""

    docname: str
    path: Path
    title: str


@dataclass(frozen=True)
class Reference:
    """One work of the bibliography, ready to cite."""

    key: str
    names: str  # "Kohavi et al.": the authors (or editors, or the title) as the book cites them
    year: str
    markdown: str  # the full entry, in the book's plain style
    text: str  # the same, as plain text (a hover card's)


@dataclass
class Course:
    """Everything the rewrite looks names up in, read once from the repository."""

    book_url: str  # the published book, e.g. https://owner.github.io/name/ (ends with /)
    root: Path = ROOT

    @cached_property
    def pages(self) -> dict[str, Page]:
        """Every page of the book's table of contents, by docname."""
        return book_pages(self.root)

    @cached_property
    def labels(self) -> dict[str, tuple[str, str]]:
        """MyST targets ``(label)=`` of every page: label -> (docname, title of the section it names)."""
        found: dict[str, tuple[str, str]] = {}
        for page in self.pages.values():
            for label, title in page_labels(page.path).items():
                found[label] = (page.docname, title)
        return found

    @cached_property
    def terms(self) -> dict[str, glossary.Term]:
        """Glossary terms by their case-folded name (the book's term lookup ignores case too)."""
        return {term.term.casefold(): term for _, term in glossary.load_all(self.root / "course" / "glossary")}

    @cached_property
    def references(self) -> dict[str, Reference]:
        """Every entry of ``course/bib/*.bib``, formatted by pybtex's plain style as the book's bibliography."""
        return bibliography(sorted((self.root / "course" / "bib").glob("*.bib")))

    def url(self, docname: str, anchor: str = "") -> str:
        """The published book's page for a docname."""
        return f"{self.book_url}{docname}.html" + (f"#{anchor}" if anchor else "")


@dataclass
class _Rewrite:
    """One notebook's rewrite: where it is, what it links to, and what it used."""

    course: Course
    docname: str
    name: str  # how errors name the notebook
    layout: Mapping[str, str]
    cited: dict[str, Reference] = field(default_factory=dict)
    used_terms: dict[str, glossary.Term] = field(default_factory=dict)

    def fail(self, role: str, body: str, why: str) -> LearnerEditionError:
        return LearnerEditionError(f"{self.name}: {{{role}}}`{body}`: {why}")

    def link_to(self, docname: str, anchor: str = "") -> str:
        """A link from this notebook to a page: the notebook beside it, or the published book."""
        if docname == self.docname and anchor:
            return f"#{anchor}"
        if docname in self.layout and self.docname in self.layout:
            here = posixpath.dirname(self.layout[self.docname])
            target = posixpath.relpath(self.layout[docname], here or ".")
            return target + (f"#{anchor}" if anchor else "")
        return self.course.url(docname, anchor)


# -- The course: pages, labels, glossary, bibliography ---------------------------------------


def _toc_files(node: object) -> Iterable[str]:
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                yield node[key]
        for value in node.values():
            yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def book_pages(root: Path = ROOT) -> dict[str, Page]:
    """The pages ``_toc.yml`` lists (the book builds only those), with their files and titles."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = {}
    for entry in _toc_files(toc):
        docname = posixpath.normpath(re.sub(r"\.(ipynb|md)$", "", entry))
        path = next((root / f"{docname}{suffix}" for suffix in (".ipynb", ".md")
                     if (root / f"{docname}{suffix}").exists()), None)
        if path is None:
            raise LearnerEditionError(f"_toc.yml lists {entry!r}, which is neither a .ipynb nor a .md file")
        pages[docname] = Page(docname, path, page_title(path))
    return pages


def markdown_of(path: Path) -> list[str]:
    """A page's Markdown: a notebook's Markdown cells, or a ``.md`` file's text."""
    if path.suffix == ".ipynb":
        return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"]
    return [path.read_text(encoding="utf-8")]


def split_code(text: str) -> list[tuple[str, bool]]:
    """The text in runs of whole lines, each marked True when it is inside a code block.

    A directive's fence (```` ```{note} ````) holds Markdown; any other backtick or tilde fence holds
    code, up to a closing fence of its own character, at least as long, with no info string."""
    runs: list[tuple[str, bool]] = []
    stack: list[tuple[str, bool]] = []  # open fences: (fence, holds code)
    for line in text.splitlines(keepends=True):
        in_code = bool(stack) and stack[-1][1]
        match = FENCE.match(line.rstrip("\r\n"))
        if match:
            fence, info = match["fence"], match["info"].strip()
            if stack and not info and fence[0] == stack[-1][0][0] and len(fence) >= len(stack[-1][0]):
                stack.pop()
            elif not in_code:
                stack.append((fence, not info.startswith("{")))
                in_code = stack[-1][1]
        if runs and runs[-1][1] == in_code:
            runs[-1] = (runs[-1][0] + line, in_code)
        else:
            runs.append((line, in_code))
    return runs


def _prose_lines(texts: Iterable[str]) -> Iterable[str]:
    """Lines outside code blocks."""
    for text in texts:
        for run, code in split_code(text):
            if not code:
                yield from run.splitlines()


def page_title(path: Path) -> str:
    """The first level-1 heading: the title the book gives the page."""
    for line in _prose_lines(markdown_of(path)):
        heading = HEADING.match(line)
        if heading and heading["level"] == "#":
            return heading["title"]
    raise LearnerEditionError(f"{path.name}: no '# Title' heading")


def page_labels(path: Path) -> dict[str, str]:
    """Each MyST target ``(label)=`` of a page, with the title of the heading it precedes ("" if none)."""
    found: dict[str, str] = {}
    pending: list[str] = []
    for line in _prose_lines(markdown_of(path)):
        target = TARGET.match(line.strip())
        if target:
            pending.append(target["label"])
        elif line.strip() and pending:  # a heading names its section; anything else has no title
            heading = HEADING.match(line)
            found.update((label, heading["title"] if heading else "") for label in pending)
            pending = []
    found.update((label, "") for label in pending)
    return found


# Backends made once: pybtex's render_as(name) looks its backend up among the installed
# packages' entry points on every call (5 of the 6 s a learner edition took).
_TEXT, _MARKDOWN = TextBackend(), MarkdownBackend()


def _plain(text: Text) -> str:
    return " ".join(text.render(_TEXT).split())


def _names(entry: Entry) -> str:
    """The book's author-year label text: one or two family names, or the first and *et al.*"""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    families = [" ".join(_plain(Text(part)) for part in person.rich_prelast_names + person.rich_last_names)
                for person in persons]
    if not families:
        return _plain(Text.from_latex(entry.fields.get("title", entry.key)))
    if len(families) == 1:
        return families[0]
    if len(families) == 2:
        return f"{families[0]} and {families[1]}"
    return f"{families[0]} et al."


def bibliography(files: Iterable[Path]) -> dict[str, Reference]:
    """Every entry of the ``.bib`` files, as pybtex parses and formats it (a key defined twice is an error)."""
    data = BibliographyData()
    for path in files:
        for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
            if key in data.entries:
                raise LearnerEditionError(f"{path.name}: {key!r} is defined twice in course/bib/")
            data.add_entry(key, entry)
    style = find_plugin("pybtex.style.formatting", "plain")()
    references = {}
    for formatted in style.format_entries(data.entries.values()):
        entry = data.entries[formatted.key]
        markdown = " ".join(formatted.text.render(_MARKDOWN).split())
        references[formatted.key] = Reference(formatted.key, _names(entry), entry.fields.get("year", "n.d."),
                                              markdown, _plain(formatted.text))
    return references


# -- The rewrite ------------------------------------------------------------------------------


def _abbr(text: str, title: str) -> str:
    """MyST's ``{abbr}`` role: jupyterlab-myst shows ``title`` on hover. Its title may hold no
    parentheses (the role reads the last parenthesised group) and the role no backtick run of its own."""
    title = " ".join(title.replace("(", "[").replace(")", "]").replace("|", "/").split())  # | would split a table
    body = f"{text} ({title})"
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    return f"{{abbr}}{ticks}{body}{ticks}"


def _link(text: str, url: str) -> str:
    text = text.replace("[", r"\[").replace("]", r"\]")
    return f"[{text}](<{url}>)" if " " in url else f"[{text}]({url})"


def _titled(body: str) -> tuple[str | None, str]:
    """``Title <target>`` -> (Title, target); ``target`` -> (None, target)."""
    match = TITLED.match(body.strip())
    if match and match["title"]:
        return match["title"], match["target"].strip()
    return None, body.strip()


def _cite(rewrite: _Rewrite, role: str, body: str) -> str:
    keys = [key.strip() for key in body.split(",")]
    if not all(keys) or "{" in body:
        raise rewrite.fail(role, body, "expected keys separated by commas")
    cited = []
    for key in keys:
        reference = rewrite.course.references.get(key)
        if reference is None:
            raise rewrite.fail(role, body, f"no entry {key!r} in course/bib/*.bib")
        rewrite.cited[key] = reference
        cited.append(reference)
    if CITE_ROLES[role] == "t":
        return ", ".join(_abbr(f"{r.names} ({r.year})", r.text) for r in cited)
    return "(" + "; ".join(_abbr(f"{r.names}, {r.year}", r.text) for r in cited) + ")"


def _doc(rewrite: _Rewrite, role: str, body: str) -> str:
    title, target = _titled(body)
    target = re.sub(r"\.(ipynb|md)$", "", target)
    docname = (target.lstrip("/") if target.startswith("/")
               else posixpath.normpath(posixpath.join(posixpath.dirname(rewrite.docname), target)))
    page = rewrite.course.pages.get(docname)
    if page is None:
        raise rewrite.fail(role, body, f"no page {docname!r} in the book's _toc.yml")
    return _link(title or page.title, rewrite.link_to(docname))


def _ref(rewrite: _Rewrite, role: str, body: str) -> str:
    title, label = _titled(body)
    found = rewrite.course.labels.get(label)
    if found is None:
        raise rewrite.fail(role, body, f"no target ({label})= on any page of the book")
    docname, section = found
    if not (title or section):
        raise rewrite.fail(role, body, f"({label})= names no section: give the link a title, {{ref}}`Title <{label}>`")
    return _link(title or section, rewrite.link_to(docname, label))


def _term(rewrite: _Rewrite, role: str, body: str) -> str:
    title, name = _titled(body)
    term = rewrite.course.terms.get(" ".join(name.split()).casefold())
    if term is None:
        raise rewrite.fail(role, body, f"no term {name!r} in course/glossary/*.yml")
    rewrite.used_terms[term.term.casefold()] = term
    return _abbr(title or name, term.definition)


def _role(rewrite: _Rewrite, match: re.Match[str]) -> str:
    if match["code"]:
        return match[0]
    role, body = match["role"], match["body"]
    if role in NATIVE_ROLES:
        return match[0]
    if role in CITE_ROLES:
        return _cite(rewrite, role, body)
    handlers = {"doc": _doc, "ref": _ref, "term": _term}
    if role not in handlers:
        raise rewrite.fail(role, body, "the learner edition has no rendering for this role "
                                       "(add one in tpmcourse/content/learner_edition.py)")
    return handlers[role](rewrite, role, body)


def rewrite_markdown(text: str, rewrite: _Rewrite) -> str:
    """A Markdown cell's source with every book-only role rewritten; code blocks and spans stay."""
    def roles(text: str, pattern: re.Pattern[str] = ROLE_OR_CODE) -> str:
        return pattern.sub(lambda m: _role(rewrite, m), text)

    out = []
    for run, code in split_code(text):
        if code:
            out.append(run)
            continue
        # A directive's fence line is not the start of a code span: rewrite it on its own.
        block: list[str] = []
        for line in run.splitlines(keepends=True):
            if FENCE.match(line.rstrip("\r\n")):
                out.append(roles("".join(block)))
                out.append(roles(line, ROLE_ONLY))
                block = []
            else:
                block.append(line)
        out.append(roles("".join(block)))
    return "".join(out)


def appendix(rewrite: _Rewrite) -> str:
    """The closing cell: the works cited and the terms used, in full."""
    parts = []
    if rewrite.cited:
        ordered = sorted(rewrite.cited.values(), key=lambda r: (r.names.casefold(), r.year, r.key))
        parts += ["## References", "",
                  ("The works this notebook cites, as listed in the book's "
                   f"{_link('bibliography', rewrite.course.url(BIBLIOGRAPHY_PAGE))}. "
                   "Hover over a citation in the text to see its entry."), ""]
        parts += [f"- {r.markdown}" for r in ordered]
        parts.append("")
    if rewrite.used_terms:
        ordered_terms = sorted(rewrite.used_terms.values(), key=lambda t: t.term.casefold())
        parts += ["## Terms used here", "",
                  ("Each term is defined where it is used (hover over it) and here; the book's "
                   f"{_link('glossary', rewrite.course.url(GLOSSARY_PAGE))} has them all."), ""]
        parts += [f"- **{t.term}**: {' '.join(t.definition.split())}" for t in ordered_terms]
        parts.append("")
    return "\n".join(parts).strip()


def learner_notebook(nb: nbformat.NotebookNode, docname: str, course: Course,
                     layout: Mapping[str, str] | None = None,
                     name: str | None = None) -> nbformat.NotebookNode:
    """The learner edition of a notebook (the input is not changed).

    ``docname`` is the notebook's page in the book (``chapters/02_responsibilities``); ``layout``
    maps the docnames of the notebooks written together to their paths in the output folder
    (``{"chapters/02_responsibilities": "02_responsibilities.ipynb", ...}``): a link to one of them
    stays in JupyterLab, a link to any other page goes to the published book. ``name`` names the
    notebook in errors (default: the docname)."""
    rewrite = _Rewrite(course, docname, name or docname, layout or {})
    edition = copy.deepcopy(nb)
    if edition.metadata.get("tpmcourse", {}).get("edition") == "learner":
        return edition  # already rewritten: its roles and their sources are gone
    edition.cells = [cell for cell in edition.cells if cell.get("id") != APPENDIX_ID]
    for cell in edition.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_markdown(cell.source, rewrite)
    closing = appendix(rewrite)
    if closing:
        cell = nbformat.v4.new_markdown_cell(closing)
        cell.id = APPENDIX_ID
        edition.cells.append(cell)
    meta = dict(edition.metadata.get("tpmcourse", {}))
    meta["edition"] = "learner"
    edition.metadata["tpmcourse"] = meta
    return edition


# -- Folders of notebooks ---------------------------------------------------------------------


def course_notebooks(course: Course) -> list[Page]:
    """The book's notebooks (chapters and labs), in the table of contents' order."""
    return [page for page in course.pages.values() if page.path.suffix == ".ipynb"]


def flat_layout(docnames: Iterable[str]) -> dict[str, str]:
    """Notebooks side by side in one folder, as a handout or ``tpmcourse notebooks`` writes them."""
    layout = {docname: posixpath.basename(docname) + ".ipynb" for docname in docnames}
    clashes = len(set(layout.values())) != len(layout)
    if clashes:
        raise LearnerEditionError(f"two notebooks share a file name: {sorted(layout.values())}")
    return layout


def docname_of(path: Path, root: Path = ROOT) -> str:
    """``chapters/02_responsibilities`` for ``<root>/chapters/02_responsibilities.ipynb``."""
    return path.resolve().relative_to(root.resolve()).with_suffix("").as_posix()


def write_folder(out: Path, course: Course, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write the learner edition of every chapter and lab into ``out``, side by side.

    A notebook already in ``out`` may hold a learner's work: it is kept unless ``force``.
    Everything is rewritten in memory first, so an error leaves the folder as it was.
    Returns (written, kept)."""
    pages = course_notebooks(course)
    layout = flat_layout(page.docname for page in pages)
    editions = {layout[page.docname]: learner_notebook(nbformat.read(page.path, as_version=4), page.docname,
                                                       course, layout, name=page.path.name)
                for page in pages}
    out.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for filename, edition in editions.items():
        target = out / filename
        if target.exists() and not force:
            kept.append(target)
            continue
        nbformat.write(edition, target)
        written.append(target)
    return written, kept


def pages_url(repository_url: str) -> str:
    """Where GitHub Pages publishes a repository's book: https://github.com/OWNER/NAME ->
    https://OWNER.github.io/NAME/ (the workflow publishes there); the same for GitLab Pages."""
    match = re.fullmatch(r"https?://(?P<host>github\.com|gitlab\.com)/(?P<owner>[^/\s]+)/(?P<name>[^/\s]+?)"
                         r"(?:\.git)?/?", repository_url.strip())
    if not match:
        raise LearnerEditionError(f"cannot tell where the book of {repository_url!r} is published: "
                                  "only GitHub and GitLab Pages are known; give the book's URL instead")
    owner, name = match["owner"].lower(), match["name"]
    pages_host = "github.io" if match["host"] == "github.com" else "gitlab.io"
    if name.lower() == f"{owner}.{pages_host}":
        return f"https://{name.lower()}/"
    return f"https://{owner}.{pages_host}/{name}/"


def checked_book_url(url: str) -> str:
    """A book URL as the rewrite uses it: http(s), ending with a slash."""
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url.strip()):
        raise LearnerEditionError(f"{url!r} is not a web address such as https://owner.github.io/name/")
    return url.strip().rstrip("/") + "/"

