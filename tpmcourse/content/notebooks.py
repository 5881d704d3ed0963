"""Reading and re-executing the course notebooks.

The book renders the outputs stored in each notebook and nbval checks that
they are current, so there must be exactly one way to refresh them: this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tpmcourse.paths import ROOT

OBJECTIVE = re.compile(r"^\s*\d+\.\s+`(?P<label>ch\d\d-[a-z0-9-]+)`\s+(?P<text>\S.*)$")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Objective:
    label: str
    text: str


def all_notebooks(root: Path = ROOT) -> list[Path]:
    """Every committed notebook of the course, in a stable order."""
    skip = {".venv", "_build", ".ipynb_checkpoints", "node_modules"}
    return sorted(
        p for p in root.rglob("*.ipynb") if not skip.intersection(p.relative_to(root).parts)
    )


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def execute(path: Path, timeout: int = 600) -> None:
    """Run a notebook top to bottom in its own folder and store its outputs
    (and widget state, so widgets render in the book without a kernel)."""
    nb = read(path)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    client.execute()
    # Execution timings change on every run; they are noise in a diff.
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    if not needs_widget_state(nb):
        nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def needs_widget_state(nb: nbformat.NotebookNode) -> bool:
    """Whether the book renders a widget view from this notebook's stored state.

    Quizzes carry their own static HTML, which the book prefers; a notebook
    whose widgets are all quizzes needs no widget state, and so its page
    loads no widget manager at all.
    """
    return any(
        "application/vnd.jupyter.widget-view+json" in out.get("data", {})
        and "text/html" not in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def markdown_sections(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Markdown text under each level-2 heading (``## Title``), in order."""
    sections: dict[str, str] = {}
    current = "_preamble"
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("## "):
                current = line[3:].strip()
                sections.setdefault(current, "")
            else:
                sections[current] = sections.get(current, "") + line + "\n"
    return sections


def objectives(nb: nbformat.NotebookNode) -> list[Objective]:
    """The numbered objectives of the 'Learning objectives' section; each
    starts with its stable label in backticks, e.g. ``1. `ch02-rice` Rank ...``."""
    text = markdown_sections(nb).get("Learning objectives", "")
    found = []
    for line in text.splitlines():
        m = OBJECTIVE.match(line)
        if m:
            found.append(Objective(m["label"], m["text"].strip()))
    return found


def prose_words(nb: nbformat.NotebookNode) -> int:
    """Words of teaching prose: markdown cells without code blocks, directives'
    option lines or MyST targets, so a long table of code does not count."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        fences: list[str] = []  # open fences: "directive" holds prose, "code" does not
        for line in cell.source.splitlines():
            stripped = line.strip()
            fence = re.match(r"^(`{3,}|:{3,})(\S*)", stripped)
            if fence:
                if fence[2]:
                    fences.append("directive" if fence[2].startswith("{") else "code")
                elif fences:
                    fences.pop()
                else:
                    fences.append("code")
                continue
            if "code" in fences or stripped.startswith(":") or re.match(r"^\(.*\)=$", stripped):
                continue
            count += len(WORD.findall(stripped))
    return count
