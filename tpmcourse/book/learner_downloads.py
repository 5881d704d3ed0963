"""The notebooks the book offers for download are the learner edition.

Jupyter Book's download button links each page's copy of its source in
``_sources/``. A learner opens that notebook in JupyterLab, where the book-only
roles (citations, ``{doc}`` links, glossary terms) cannot be resolved; so once
the build has finished, each notebook's copy is replaced by its learner edition
(:mod:`tpmcourse.content.learner_edition`): citations with author and year and
a reference list, links to the published book, terms with their definitions.
The pages themselves are built from the sources as before.

A downloaded notebook travels alone, so every link in it goes to the
published book, whose address comes from the one repository setting
(``_config.yml``'s ``repository: url:`` or ``TPM_REPOSITORY_URL``, see
:mod:`tpmcourse.book.repository`). In a term's book the copy is first made a
term copy (:func:`tpmcourse.book.solutions.term_notebook`), as
:func:`tpmcourse.book.solutions.hide_from_downloads` does.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import ConfigError, ExtensionError

from tpmcourse.book import repository, solutions
from tpmcourse.content import learner_edition
from tpmcourse.paths import ROOT


def published_url(repository_url: str | None = None) -> str:
    """The published book's address, from the build's repository URL (default: this course's, as
    ``TPM_REPOSITORY_URL`` or ``_config.yml`` sets it)."""
    if repository_url is None:
        config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
        try:
            repository_url = repository.url(config["repository"]["url"])
        except ConfigError as exc:  # a malformed TPM_REPOSITORY_URL
            raise learner_edition.LearnerEditionError(str(exc)) from None
    return learner_edition.pages_url(repository_url)


def download_copy(app: Sphinx, docname: str) -> tuple[Path, Path]:
    """(source file, its copy in ``_sources/`` that the download button links)."""
    path = Path(app.env.doc2path(docname))
    copy = (Path(app.builder.outdir) / "_sources"
            / (path.relative_to(app.srcdir).as_posix() + app.config.html_sourcelink_suffix))
    return path, copy


def replace_downloads(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: write the learner edition over each notebook's downloadable copy.

    Read from the source (an incremental build leaves earlier copies in place), made a term copy
    first in a term's book. A role the learner edition cannot render fails the build."""
    if exception or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    theme = app.config.html_theme_options or {}
    copies = [(docname, *download_copy(app, docname)) for docname in sorted(app.env.found_docs)]
    copies = [(docname, path, copy) for docname, path, copy in copies if path.suffix == ".ipynb" and copy.exists()]
    if not copies:  # a builder that offers no downloads (singlehtml)
        return
    try:
        course = learner_edition.Course(published_url(theme.get("repository_url")), Path(app.srcdir))
        for docname, path, copy in copies:
            nb = nbformat.read(path, as_version=4)
            if app.config.tpm_hide_solutions:
                nb = solutions.term_notebook(nb, docname)
            edition = learner_edition.learner_notebook(nb, docname, course, name=path.name)
            copy.write_text(nbformat.writes(edition) + "\n", encoding="utf-8")
    except learner_edition.LearnerEditionError as exc:
        raise ExtensionError(f"learner edition of the downloads: {exc}") from None
