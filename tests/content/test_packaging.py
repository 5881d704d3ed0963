"""The package declares what it imports, and the reproducible install pins it.

`pip install -e .` (as the handout tells learners) installs only what
pyproject.toml declares, so a module the package imports but does not declare
works here, in the full environment, and fails on a learner's machine. These
tests read the package's imports and hold them against the declarations, and
check requirements.txt still pins every direct dependency exactly.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tpmcourse.paths import ROOT

PACKAGE = ROOT / "tpmcourse"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# `make bench` only: it may also use the dev tools (playwright) and the tests'
# own helper modules (browser), which a learner's install does not need.
DEV_ONLY = [PACKAGE / "bench", PACKAGE / "book" / "pdf.py"]  # make bench, make pdf: never the build
TEST_HELPERS = {p.stem for p in (ROOT / "tests").glob("*.py")}


def canonical(name: str) -> str:
    """PEP 503 name: `PyYAML`, `pyyaml` and `py_yaml` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(group: str | None = None) -> dict[str, Requirement]:
    """[project].dependencies, or one optional group, by canonical name."""
    project = PYPROJECT["project"]
    specs = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return {canonical(r.name): r for r in map(Requirement, specs)}


def pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, by canonical name."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            found[canonical(name)] = version.strip()
    return found


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every absolute import in a file, lazy ones included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


@cache
def providers() -> Mapping[str, list[str]]:
    """Top-level module -> distributions, read once: each reading opens every installed
    distribution's file list (about 0.5 s here), and the scan asks about 30 modules."""
    return importlib.metadata.packages_distributions()


def distributions_of(module: str) -> frozenset[str]:
    """The installed distributions that provide a top-level module."""
    return frozenset(canonical(d) for d in providers().get(module, []))


def third_party_imports() -> list[tuple[str, str, bool]]:
    """(file, module, dev_only) for every import that is neither the standard
    library nor tpmcourse itself."""
    local = {"tpmcourse", "__future__", *sys.stdlib_module_names}
    found: list[tuple[str, str, bool]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        dev_only = any(folder == path or folder in path.parents for folder in DEV_ONLY)
        for module in sorted(imported_modules(path) - local):
            if dev_only and module in TEST_HELPERS:
                continue
            found.append((path.relative_to(ROOT).as_posix(), module, dev_only))
    return found


def test_the_scan_finds_the_imports_it_must_check():
    """Guards the scan itself: lazy imports inside functions count too."""
    modules = {module for _, module, _ in third_party_imports()}
    assert {"pandas", "yaml", "nbclient", "tqdm", "docutils"} <= modules


def test_every_third_party_import_is_a_declared_dependency():
    runtime = set(declared())
    dev = set(declared("dev"))
    missing = []
    for file, module, dev_only in third_party_imports():
        providers = distributions_of(module)
        allowed = runtime | dev if dev_only else runtime
        if not providers:
            missing.append(f"{file}: imports {module!r}, which no installed distribution provides")
        elif not providers & allowed:
            missing.append(f"{file}: imports {module!r} from {sorted(providers)}, not in "
                           f"[project].dependencies{' or the dev extra' if dev_only else ''} of pyproject.toml")
    assert not missing, "\n".join(missing)


def test_declared_dependencies_are_installed_at_a_version_they_allow():
    wrong = []
    for name, req in {**declared(), **declared("dev")}.items():
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            wrong.append(f"{req}: not installed")
            continue
        if not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req}: {version} is installed")
    assert not wrong, "\n".join(wrong)


def requirement_lines() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


@pytest.mark.parametrize("line", [line for line in requirement_lines() if not line.startswith("-")])
def test_every_direct_dependency_in_requirements_is_pinned_exactly(line):
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+", line), (
        f"requirements.txt: {line!r} should be pinned as name==version, for a reproducible install")


def test_requirements_install_this_package_under_the_constraints():
    options = [line for line in requirement_lines() if line.startswith("-")]
    assert "-c constraints.txt" in options and "-e ." in options


def test_requirements_pin_every_declared_dependency_as_the_constraints_do():
    """Each declared dependency is a direct one: requirements.txt pins it, at
    a version pyproject.toml allows, and constraints.txt agrees."""
    required, constrained = pins(ROOT / "requirements.txt"), pins(ROOT / "constraints.txt")
    problems = []
    for name, req in {**declared(), **declared("dev")}.items():
        pin = required.get(name)
        if pin is None:
            problems.append(f"{req}: not pinned in requirements.txt")
        elif not req.specifier.contains(pin, prereleases=True):
            problems.append(f"{req}: pinned at {pin}")
    problems += [f"{name}: {version} in requirements.txt, {constrained.get(name)} in constraints.txt"
                 for name, version in required.items() if constrained.get(name) != version]
    assert not problems, "\n".join(problems)


def test_the_package_installed_without_its_course_folder_says_how_to_install_it(tmp_path):
    """`pip install .` (what repo2docker ran before binder/ existed) puts the package alone in
    site-packages: its data and question banks stay behind. The first file it needs says so."""
    import os
    import shutil
    import subprocess

    site = tmp_path / "site-packages"
    shutil.copytree(PACKAGE, site / "tpmcourse", ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("from tpmcourse.paths import course_data\n"
             "from tpmcourse.quiz import bank\n"
             "for attempt in (lambda: course_data('features.csv'), lambda: bank.load_chapter('ch01')):\n"
             "    try:\n"
             "        attempt()\n"
             "    except (FileNotFoundError, bank.BankError) as exc:\n"
             "        print(type(exc).__name__, exc)\n")
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(site)}, timeout=120)
    lines = run.stdout.splitlines()
    assert run.returncode == 0 and len(lines) == 2, run.stdout + run.stderr
    for line in lines:
        assert "installed apart from its course folder" in line and "pip install -e ." in line, line
    assert str(site) in lines[0]  # it imported the copy, not the course's own package
