"""The tree the launch buttons open (tpmcourse/content/launch_tree.py), which the
workflow pushes to the branch ``tpm_launch_branch``: the course's own files,
with every notebook of the book in its learner edition, laid out as in the
repository so that Binder builds the environment (``binder/``, checked with
repo2docker's own Dockerfile) and every link between notebooks opens a file
of the tree.

The book's launch buttons point at that branch (tests/book/test_book_pages.py,
tests/book/test_repository_url.py); the workflow writes and pushes it
(tests/content/test_workflows.py).
"""

from __future__ import annotations

import functools
import re
import shutil
import tomllib
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from tpmcourse.content import launch_tree
from tpmcourse.content import learner_edition as le
from tpmcourse.instructor import cli
from tpmcourse.paths import ROOT

BOOK = "https://example.org/tpm/"
BOOK_ROLE = re.compile(r"\{(cite(:[a-z]+)?|doc|term|ref|numref)\}`")
LINK = re.compile(r"(?<!!)\[(?:\\.|[^\]\\])+\]\((?:<(?P<angled>[^>]+)>|(?P<url>[^)\s]+))\)")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """`tpmcourse launch-tree --out DIR`, as the workflow runs it."""
    out = tmp_path_factory.mktemp("launch") / "tree"
    assert cli.main(["launch-tree", "--out", str(out), "--book-url", BOOK, "--source", "commit 0123abc"]) == 0
    return out


def files_of(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


@functools.cache
def book_notebooks() -> dict[str, le.Page]:
    return {page.path.relative_to(ROOT).as_posix(): page for page in le.course_notebooks(le.Course(BOOK))}


def test_the_tree_holds_every_tracked_file_but_the_workflows(tree):
    tracked = {name for name in launch_tree.tracked_files() if (ROOT / name).exists()}
    assert {name for name in tracked if name.startswith(".github/")}, "the check below could not fail"
    expected = {name for name in tracked if not name.startswith(".github/")} | {launch_tree.NOTE}
    assert files_of(tree) == expected
    notebooks = book_notebooks()
    changed = [name for name in expected - {launch_tree.NOTE} - set(notebooks)
               if (tree / name).read_bytes() != (ROOT / name).read_bytes()]
    assert changed == []


def test_binder_builds_the_pinned_environment_with_the_course_installed_in_place(tree):
    """What repo2docker (Binder's builder, pinned) would build from the tree, as its Dockerfile:
    Python as pyproject.toml asks, one environment for server and kernel (jupyterlab-myst renders
    there), the pinned requirements installed once the whole tree is copied (``-e .`` needs it), and
    no ``pip install .``, which would replace the course in place with a copy without its data."""
    import subprocess
    import sys

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    repo2docker = Path(sys.executable).parent / "repo2docker"
    run = subprocess.run([str(repo2docker), "--no-build", "--debug", "--user-id", "1000", "--user-name", "jovyan",
                          str(tree)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout + run.stderr
    python = re.search(r"Building conda environment for python=(3\.\d+)", out)
    assert python and requires == f">={python[1]}", (python, requires)
    assert "ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}" in out
    lines = [line.strip() for line in out.splitlines()]
    pip = [i for i, line in enumerate(lines) if "/bin/pip install" in line]
    expected = 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    assert [lines[i] for i in pip] == [expected]
    copied = next(i for i, line in enumerate(lines) if re.fullmatch(r"COPY --chown=\S+ src/ \$\{REPO_DIR\}/", line))
    assert copied < pip[0]
    binder = (tree / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert binder[-1] == "-r ../requirements.txt"
    assert "-e ." in (tree / "requirements.txt").read_text(encoding="utf-8").splitlines()


def test_every_book_notebook_is_its_learner_edition_with_code_and_outputs_untouched(tree):
    notebooks = book_notebooks()
    assert len(notebooks) >= 16
    for name, page in notebooks.items():
        source = nbformat.read(page.path, as_version=4)
        edition = nbformat.read(tree / name, as_version=4)
        assert edition.metadata["tpmcourse"]["edition"] == "learner", name
        prose = "\n".join(cell.source for cell in edition.cells if cell.cell_type == "markdown")
        assert not BOOK_ROLE.search(prose), f"{name}: a role only the book resolves: {BOOK_ROLE.search(prose)}"
        code = [(cell.source, cell.outputs) for cell in source.cells if cell.cell_type == "code"]
        assert [(cell.source, cell.outputs) for cell in edition.cells if cell.cell_type == "code"] == code, name


def test_every_relative_link_opens_a_file_of_the_tree(tree):
    checked = 0
    for name in book_notebooks():
        nb = nbformat.read(tree / name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for match in LINK.finditer(cell.source):
                target = unquote((match["angled"] or match["url"]).split("#")[0])
                if not target or re.match(r"[a-z]+:", target):
                    continue  # an anchor of the page, or the published book
                assert (tree / name).parent.joinpath(target).resolve().is_file(), f"{name}: {target}"
                checked += 1
    assert checked >= 10, f"only {checked} links between notebooks: the layout is not the repository's"


def test_the_branch_says_what_it_is(tree):
    note = (tree / launch_tree.NOTE).read_text(encoding="utf-8")
    assert "commit 0123abc" in note and launch_tree.launch_branch() in note and "main" in note


def test_the_branch_is_named_in_one_place(capsys):
    assert cli.main(["launch-tree", "--branch"]) == 0
    assert capsys.readouterr().out.strip() == launch_tree.launch_branch() == "learner"


def test_nothing_is_overwritten(tree, capsys):
    assert cli.main(["launch-tree", "--out", str(tree), "--book-url", BOOK]) == 2
    err = capsys.readouterr().err
    assert "not an empty folder" in err and "Traceback" not in err


def test_outside_a_git_clone_the_message_says_so(tmp_path):
    copy = tmp_path / "course"
    copy.mkdir()
    shutil.copy2(ROOT / "_config.yml", copy / "_config.yml")
    with pytest.raises(launch_tree.LaunchTreeError, match="not a git clone"):
        launch_tree.tracked_files(copy)


def test_a_config_without_the_branch_is_a_clear_message(tmp_path):
    (tmp_path / "_config.yml").write_text("title: A course\nsphinx:\n  config: {}\n", encoding="utf-8")
    with pytest.raises(launch_tree.LaunchTreeError, match="tpm_launch_branch"):
        launch_tree.launch_branch(tmp_path)


def test_the_command_needs_a_folder(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["launch-tree"])
    assert exit_.value.code == 2 and "--out" in capsys.readouterr().err
