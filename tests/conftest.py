"""Shared fixtures: the course outline and its chapter notebooks, read once."""

from __future__ import annotations

import pytest
import yaml

from tpmcourse import notebooks
from tpmcourse.paths import COURSE, ROOT


@pytest.fixture(scope="session")
def outline() -> dict:
    return yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def chapter_notebooks(outline) -> dict:
    return {ch["file"]: notebooks.read(ROOT / ch["file"]) for ch in outline["chapters"]}
