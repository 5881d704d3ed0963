"""``tpmcourse launch-tree --out DIR``: the tree the book's launch buttons open.

Binder, Colab and a JupyterHub's nbgitpuller open a notebook from a branch of
the repository. The notebooks on ``main`` are the book's sources, whose
citations, cross-references and glossary terms only the book resolves: opened
there, a citation shows as its key with a warning sign. So the launch buttons
point at another branch (``tpm_launch_branch`` in ``_config.yml``), which the
GitHub workflow rewrites from each tested commit of ``main`` with this tree:

- every file git tracks, as it is (the package, the data, and ``binder/``,
  from which Binder builds the environment), except the workflows
  (``.github/``), which a workflow's token may not push;
- every notebook of the book replaced by its learner edition
  (:mod:`tpmcourse.content.learner_edition`), with links between notebooks kept
  as relative links in the tree, so that JupyterLab opens the other notebook;
- ``LEARNER_EDITION.md``, which says what the branch is and where its sources are.

The tree is written to a new folder: nothing already there is overwritten.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from tpmcourse.content import learner_edition, learner_folder
from tpmcourse.paths import ROOT

LEFT_OUT = (".github/",)  # a workflow's GITHUB_TOKEN may not push changes to workflows
NOTE = "LEARNER_EDITION.md"


class LaunchTreeError(Exception):
    """What stops the tree from being written, said plainly."""


def launch_branch(root: Path = ROOT) -> str:
    """The branch the launch buttons open: ``sphinx: config: tpm_launch_branch:`` in ``_config.yml``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    branch = ((config.get("sphinx") or {}).get("config") or {}).get("tpm_launch_branch")
    if not isinstance(branch, str) or not branch.strip():
        raise LaunchTreeError("_config.yml sets no sphinx: config: tpm_launch_branch: (the branch the launch "
                              "buttons open)")
    return branch.strip()


def tracked_files(root: Path = ROOT) -> list[str]:
    """The files git tracks in ``root`` (a clone of the course), as POSIX paths relative to it."""
    try:
        run = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=False)
    except FileNotFoundError:
        raise LaunchTreeError("git is needed to list the course's files, and is not installed") from None
    if run.returncode != 0:
        raise LaunchTreeError(f"{root} is not a git clone of the course: {run.stderr.decode().strip()}")
    return [name for name in run.stdout.decode().split("\0") if name]


def note(source: str, branch: str) -> str:
    """The branch's own explanation of itself."""
    return (f"# The learner edition of the course ({branch})\n\n"
            "The book's launch buttons (Binder, Colab, JupyterHub) open the notebooks of this branch. "
            "Each notebook is the learner edition of its source: citations read as author and year "
            "with a list of references, links between notebooks open the other notebook, and glossary "
            "terms carry their definitions. Every other file is the course's own.\n\n"
            f"The branch is written by the course's workflow from {source}; a change made here is "
            "replaced by the next one. Change the course on its main branch instead.\n")


def write_tree(out: Path, course: learner_edition.Course, source: str, branch: str) -> int:
    """Write the launch tree into ``out`` (a new or empty folder); returns the number of notebooks rewritten."""
    root = course.root
    files = [name for name in tracked_files(root) if not name.startswith(LEFT_OUT)]
    notebooks = {f"{page.docname}.ipynb": page for page in learner_edition.course_notebooks(course)}
    layout = {page.docname: path for path, page in notebooks.items()}
    editions = {path: learner_edition.learner_notebook(nbformat.read(page.path, as_version=4), page.docname,
                                                       course, layout, name=path)
                for path, page in notebooks.items()}  # all in memory first: an error writes nothing
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise LaunchTreeError(f"{out} already exists and is not an empty folder")
    for name in files:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in editions:
            target.write_text(nbformat.writes(editions[name]) + "\n", encoding="utf-8")
        elif (root / name).exists():  # a file deleted but not yet committed is left out
            shutil.copy2(root / name, target)
    (out / NOTE).write_text(note(source, branch), encoding="utf-8")
    return len(editions)


def run(out: Path, book_url: str | None = None, source: str = "the main branch",
        print_branch: bool = False) -> int:
    """Exit status 0, or 2 with a message (never a traceback) for what cannot be done."""
    try:
        branch = launch_branch()
        if print_branch:
            print(branch)
            return 0
        count = write_tree(out, learner_folder.course_linking_to(book_url), source, branch)
    except (LaunchTreeError, learner_edition.LearnerEditionError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"✗ cannot write the launch tree to {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote the launch tree for branch {branch!r} to {out}/: {count} notebook(s) in their learner edition.")
    return 0
