"""On the built lab pages, nothing a lab tags ``solution`` in markdown (its
model answers and its "What you found" model summary) can be read without
opening a dropdown; the debrief's heading and prompt stay in view, and the
model summary is on the page, folded. The same markup is what the printed PDF
shows folded (tpmcourse/book/pdf.py). The notebooks' structure is checked
without a build in tests/labs/test_debrief_structure.py.

``TPM_BOOK_HTML`` points the test at a book built elsewhere (default:
``_build/html``, made by ``make book``).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]  # lxml ships no type hints

from browser import BOOK_HTML as HTML
from tpmcourse.paths import ROOT

pytestmark = pytest.mark.book

LABS = sorted((ROOT / "exercises").glob("lab*.ipynb"))
# Markdown that does not read as it is written on the page (roles, math, markup, typography).
UNSHOWN = re.compile(r"[{}$\\|<>&\"'`]|--|\.\.\.|^\s*(```|~~~|:::|:[a-z-]+:)")


def folded_away(root):
    """The page's article with every dropdown (admonition, exercise solution, <details>) removed."""
    article = copy.deepcopy(root.find(".//main") if root.find(".//main") is not None else root)
    for element in list(article.iter()):
        classes = (element.get("class") or "").split()
        folds = element.tag == "details" or "dropdown" in classes or "toggle-hidden" in classes
        if folds and element.getparent() is not None:
            element.getparent().remove(element)
    return article


def probes(source: str) -> list[str]:
    """Lines of a markdown cell as they read on the page, for those that read as written."""
    found = []
    for line in source.splitlines():
        if UNSHOWN.search(line):
            continue
        text = " ".join(re.sub(r"^\s*(?:[-+]|\d+\.)\s+|\*", "", line).split())
        if len(text) >= 30:
            found.append(text)
    return found


def squeeze(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_a_labs_model_answers_and_debrief_are_folded_on_its_page(path: Path):
    page = HTML / "exercises" / f"{path.stem}.html"
    assert page.exists(), f"{page} is not built: run `make book` first"
    root = lxml_html.parse(str(page)).getroot()
    everything = squeeze(root.text_content())
    in_view = squeeze(folded_away(root).text_content())
    cells = nbformat.read(path, as_version=4).cells
    answers = [c for c in cells if c.cell_type == "markdown" and "solution" in c.metadata.get("tags", [])]
    assert answers, f"{path.name}: no written model answer to look for"
    lines = [line for cell in answers for line in probes(cell.source)]
    assert len(lines) >= 3 * len(answers) // 2, f"{path.name}: too few lines to look for: the probe is broken"
    missing = [line for line in lines if line not in everything]
    assert not missing, f"{page.name}: model answers missing from the page (a normal build keeps them): {missing[:3]}"
    visible = [line for line in lines if line in in_view]
    assert not visible, f"{page.name}: readable without opening a dropdown: {visible[:3]}"
    section = root.find(".//section[@id='what-you-found']")
    assert section is not None, f"{page.name}: no 'What you found' section"
    assert "Before you hand the lab in" in squeeze(section.text_content()), \
        f"{page.name}: the debrief's prompt is not in view"
    assert any("dropdown" in (e.get("class") or "").split() for e in section.iter()), \
        f"{page.name}: the 'What you found' section has no folded model summary"
