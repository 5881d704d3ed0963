"""Sphinx glue: directives that turn the course's data files into pages, so
content authors edit YAML and the book is never out of step with it."""

from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from . import glossary


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


def setup(app: Sphinx) -> dict:
    app.add_directive("course-glossary", CourseGlossary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
