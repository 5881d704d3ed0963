"""The package's layout is part of its design: one home per concept, named
so that a reader who knows a lab's or a chapter's name finds its code, checks,
data and tests at once. These tests keep it that way."""

from __future__ import annotations

import ast
import importlib
import re

import pytest

from tpmcourse import checks, labs
from tpmcourse.book import assets
from tpmcourse.paths import EXERCISES, ROOT

PACKAGE = ROOT / "tpmcourse"
TESTS = ROOT / "tests"
SUBPACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
LAB_NOTEBOOKS = sorted(p.stem for p in EXERCISES.glob("lab*_*.ipynb"))
LAB_MODULE = re.compile(r"lab\d+_[a-z_]+")


@pytest.mark.parametrize("stem", LAB_NOTEBOOKS)
def test_every_lab_notebook_has_a_module_of_its_name_with_its_checks(stem):
    module = importlib.import_module(f"tpmcourse.labs.{stem}")
    lab = labs.find(stem)
    assert lab.module == module.__name__
    assert lab.tasks, f"{module.__name__} registers no checks"
    assert all(t.id.startswith(f"{lab.id}.") for t in checks.tasks(lab.id))
    assert (TESTS / "labs" / f"test_{stem}.py").exists(), f"no tests/labs/test_{stem}.py"


def test_every_module_in_labs_belongs_to_a_lab():
    for path in (PACKAGE / "labs").glob("*.py"):
        if path.stem in ("__init__", "shortcuts"):  # the labs' discovery, and the rule every lab's tasks share
            continue
        owner = path.stem.removesuffix("_helpers")
        assert LAB_MODULE.fullmatch(owner) and owner in LAB_NOTEBOOKS, (
            f"tpmcourse/labs/{path.name} is named after no lab notebook in exercises/")


def test_labs_are_discovered_in_one_place():
    """Only tpmcourse.labs walks the exercises folder or imports lab modules by name."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "labs" / "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        lab_globs = [g for g in re.findall(r'glob\("(lab[^"]*)"', text) if not g.endswith(".html")]  # not the book
        if "pkgutil" in text or lab_globs or "EXERCISES.glob" in text:
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_tests_mirror_every_subpackage(name):
    assert (TESTS / name).is_dir(), f"tpmcourse/{name}/ has no tests/{name}/"


def test_every_toolkit_module_has_its_test_module():
    core = {"__init__", "paths", "validate", "checks", "larkspur"}  # larkspur: tests/content/test_larkspur.py
    for path in PACKAGE.glob("*.py"):
        if path.stem in core:
            continue
        assert (TESTS / "toolkit" / f"test_{path.stem}.py").exists(), f"no tests/toolkit/test_{path.stem}.py"


def test_the_cli_only_dispatches():
    """Every sub-command's work lives in its own module; cli.py defines no command bodies."""
    tree = ast.parse((PACKAGE / "instructor" / "cli.py").read_text(encoding="utf-8"))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert functions == {"build_parser", "main"}


def test_the_book_names_every_file_it_adds_to_pages():
    """The quiz script and styles reach a page because the extension adds them,
    not because Jupyter Book links whatever lies in _static."""
    shipped = {p.name for p in assets.STATIC.iterdir()}
    assert shipped == set(assets.CSS_FILES) | set(assets.JS_FILES)
    loose = [p.name for p in (ROOT / "_static").glob("*") if p.suffix in (".js", ".css")]
    assert loose == [], f"_static/ has {loose}: ship them from tpmcourse/book/static instead"
