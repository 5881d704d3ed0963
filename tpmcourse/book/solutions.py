"""A term's book: the same pages without the model answers.

One setting switches it on, ``tpm_hide_solutions`` (``sphinx: config:`` in
``_config.yml``), whose default is the environment variable
``TPM_HIDE_SOLUTIONS=1``, so ``make book TPM_HIDE_SOLUTIONS=1`` (into
``_build/term/``) or ``TPM_HIDE_SOLUTIONS=1 jupyter-book build .`` builds it.
Then, in every phase that could carry an answer:

- config: sphinx-exercise's ``hide_solutions``, so no chapter ``{solution}``
  reaches the HTML at all; and no launch buttons, which open the
  repository's own notebooks, solutions included;
- read (``source-read``): each notebook is read as a learner's copy, every
  cell tagged ``solution`` replaced by its placeholder or removed and every
  ``{solution}`` gone (:func:`tpmcourse.instructor.strip.strip_solutions`),
  with the outputs of check cells (they report on the model answer) and of
  any cell that repeats a removed line cleared; the instructors' pages
  (rubrics with model memos) become a short notice;
- write (``build-finished``): the copies of the sources the pages offer for
  download (``_sources/``) are replaced by the same term versions.

A normal build is untouched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.config import Config

from tpmcourse.instructor import strip

ENVIRONMENT = "TPM_HIDE_SOLUTIONS"
INSTRUCTORS = "instructors/"
CHECK_CALL = re.compile(r"""(^|\n)\s*check\(\s*["']""")
NOTICE = ("\n\nThis page is for instructors. It is left out of a term's book, "
          "which is built without model answers.\n")


def hidden_by_environment() -> bool:
    """Whether the environment asks for a term's book (``TPM_HIDE_SOLUTIONS=1``, ``true`` or ``yes``)."""
    return os.environ.get(ENVIRONMENT, "").strip().lower() in {"1", "true", "yes", "on"}


def register(app: Sphinx) -> None:
    app.add_config_value("tpm_hide_solutions", hidden_by_environment(), "env", types=[bool])
    app.connect("config-inited", hide_from_config)
    app.connect("source-read", hide_from_source)
    app.connect("build-finished", hide_from_downloads)


def hide_from_config(app: Sphinx, config: Config) -> None:
    if not config.tpm_hide_solutions:
        return
    config.hide_solutions = True  # sphinx-exercise: {solution} directives render nothing
    options = dict(config.html_theme_options or {})
    options.pop("launch_buttons", None)
    config.html_theme_options = options


def term_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """A notebook as a term's book shows it: solutions replaced by the learner's
    placeholders or removed, and the outputs that report on them cleared (check
    cells, and any output repeating a removed line). Stored widget state (a
    slider explorer, not an answer) stays."""
    widgets = nb.metadata.get("widgets")
    removed = [line.strip() for cell in nb.cells if strip.is_solution(cell) for line in cell.source.splitlines()]
    term = strip.strip_solutions(nb, name)
    removed += [line.strip() for line in _solution_directive_lines(nb, term)]
    leaks = {line for line in removed if len(line) >= 20}
    for cell in term.cells:
        if cell.cell_type != "code" or not cell.get("outputs"):
            continue
        text = "\n".join(_output_text(output) for output in cell.outputs)
        if CHECK_CALL.search(cell.source) or any(line in text for line in leaks):
            cell.outputs = []
            cell.execution_count = None
    if widgets is not None:
        term.metadata["widgets"] = widgets
    return term


def _solution_directive_lines(before: nbformat.NotebookNode, after: nbformat.NotebookNode) -> list[str]:
    """Markdown lines that stripping removed (the text of ``{solution}`` blocks)."""
    kept = {line for cell in after.cells for line in cell.source.splitlines()}
    return [line for cell in before.cells if cell.cell_type == "markdown" and not strip.is_solution(cell)
            for line in cell.source.splitlines() if line not in kept]


def _output_text(output: nbformat.NotebookNode) -> str:
    parts = [str(output.get("text", ""))]
    for mime, value in output.get("data", {}).items():
        if not mime.startswith("image/"):
            parts.append(value if isinstance(value, str) else str(value))
    return "\n".join(parts)


def term_source(docname: str, path: Path, text: str) -> str:
    """The source of a page as a term's book reads it (unchanged when nothing is hidden)."""
    if docname.startswith(INSTRUCTORS):
        title = next((line for line in text.splitlines() if line.startswith("# ")), "# For instructors")
        return title + NOTICE
    if path.suffix == ".ipynb":
        nb = nbformat.reads(text, as_version=4)
        term = term_notebook(nb, docname)
        return text if term == nb else nbformat.writes(term)
    return text


def hide_from_source(app: Sphinx, docname: str, source: list[str]) -> None:
    if app.config.tpm_hide_solutions:
        source[0] = term_source(docname, Path(app.env.doc2path(docname)), source[0])


def hide_from_downloads(app: Sphinx, exception: Exception | None) -> None:
    """Replace the downloadable copy of every page's source with its term version."""
    builder = app.builder
    if exception or not app.config.tpm_hide_solutions or not isinstance(builder, StandaloneHTMLBuilder):
        return
    sources = Path(builder.outdir) / "_sources"
    for docname in sorted(app.env.found_docs):
        path = Path(app.env.doc2path(docname))
        copy = sources / (path.relative_to(app.srcdir).as_posix() + app.config.html_sourcelink_suffix)
        if copy.exists():
            text = path.read_text(encoding="utf-8")
            term = term_source(docname, path, text)
            if term != text:
                copy.write_text(term, encoding="utf-8")
