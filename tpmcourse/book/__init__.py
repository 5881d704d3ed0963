"""The book's Sphinx extension (``tpmcourse.book`` in ``_config.yml``).

Split by build phase, like sphinx-exercise:

- set-up (here): the directives, the course's own static files and handlers;
- ``directives``: the read phase, turning YAML (glossary, question banks,
  objectives) into page content;
- ``assets``: the static files, the course's own (``static/``, linked with
  ``add_js_file``/``add_css_file``) and those vendored from npm;
- ``pages``: the write phase, each page's context and one pass over the pages
  a build wrote.

The course's content itself is read by ``tpmcourse.content`` and
``tpmcourse.quiz``, which know nothing of Sphinx.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from tpmcourse.book import assets, directives, katex_server, learner_downloads, pages, repository, solutions
from tpmcourse.quiz import bank


def validate_banks(app: Sphinx) -> None:
    """A malformed question bank fails the build, naming file and question."""
    try:
        bank.load_all()
    except bank.BankError as exc:
        raise ExtensionError(f"question bank: {exc}") from None


def setup(app: Sphinx) -> dict[str, Any]:
    katex_server.install()  # math is typeset at build time; start its server without a race
    app.add_directive("course-glossary", directives.CourseGlossary)
    app.add_directive("quiz-progress", directives.QuizProgress)
    app.add_directive("assessment-map", directives.AssessmentMap)
    app.add_directive("written-rubrics", directives.WrittenRubrics)
    app.connect("config-inited", assets.add_static_path)
    assets.register(app)
    solutions.register(app)  # tpm_hide_solutions: a term's book, without model answers
    app.connect("config-inited", repository.override_from_environment)  # TPM_REPOSITORY_URL, else _config.yml
    app.add_config_value("tpm_launch_branch", "", "html", types=[str])
    app.connect("config-inited", repository.launch_from_learner_branch)
    # A singlehtml build (printed by `make pdf`) renders pages as the html build does. Imported
    # here, not above, so that `python -m tpmcourse.book.pdf` does not find its module loaded.
    from tpmcourse.book import pdf

    pdf.register(app)
    app.connect("builder-inited", pages.reset_build_state)
    app.connect("builder-inited", validate_banks)
    app.connect("builder-inited", assets.check_vendored)
    app.connect("html-page-context", pages.note_written_page)
    app.connect("html-page-context", pages.drop_thebe, priority=900)
    app.connect("html-page-context", pages.fix_citation_roles)
    app.connect("html-page-context", pages.widget_stills, priority=600)  # after myst-nb adds the widget scripts
    app.connect("html-page-context", pages.drop_unused_assets, priority=610)
    app.connect("html-page-context", pages.describe_page)
    app.connect("build-finished", assets.copy_vendored)
    app.connect("build-finished", assets.subset_icon_fonts)  # after the theme's files are copied
    app.connect("build-finished", pages.finish_pages)
    app.connect("build-finished", learner_downloads.replace_downloads, priority=700)  # after term copies
    return {"parallel_read_safe": True, "parallel_write_safe": True}
