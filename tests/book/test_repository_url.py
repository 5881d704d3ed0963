"""The repository the book links to comes from one setting: ``_config.yml``'s
``repository: url:``, replaced for a whole build by ``TPM_REPOSITORY_URL``
(tpmcourse/book/repository.py; the GitHub workflow sets it to the repository
it runs in, so a fork's Pages link to the fork).

A small book is built here twice with the course's own extension and the
course's own repository, launch-button and HTML settings: once without the
variable, once with a fork's URL. Its notebook page must link to the one
repository of that build, in the repository button and in every launch button,
and the launch buttons to the branch of the learner edition (``tpm_launch_branch``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.errors import ConfigError

from tpmcourse.book import repository
from tpmcourse.content import launch_tree
from tpmcourse.paths import ROOT

pytestmark = pytest.mark.book  # builds a (small) book

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
DEFAULT = CONFIG["repository"]["url"]
LAUNCH_BRANCH = launch_tree.launch_branch()
HUB = "https://hub.a-university.test"
# The course's launch settings, with a hub's address filled in as an institution would.
LAUNCH = {**CONFIG["launch_buttons"], "jupyterhub_url": HUB}
FORK = "https://github.com/a-fork-of/the-tpm-course"


def small_book(folder: Path) -> Path:
    """A book of one page and one notebook, with the course's repository,
    launch-button and HTML settings and the course's Sphinx extension."""
    html = {key: value for key, value in CONFIG["html"].items() if key != "favicon"}
    config = {
        "title": "A small book", "only_build_toc_files": True, "execute": {"execute_notebooks": "off"},
        "repository": CONFIG["repository"], "launch_buttons": LAUNCH, "html": html,
        "sphinx": {"extra_extensions": ["tpmcourse.book"], "config": {"tpm_launch_branch": LAUNCH_BRANCH}},
    }
    (folder / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (folder / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": "intro",
                                                     "chapters": [{"file": "lesson"}]}), encoding="utf-8")
    (folder / "intro.md").write_text("# A small book\n\nOne lesson follows.\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A lesson\n\nSome prose."),
                                               nbformat.v4.new_code_cell("1 + 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "lesson.ipynb")
    return folder


def build(folder: Path, repository_url: str | None) -> BeautifulSoup:
    """Build the small book (warnings are errors) and read its notebook page."""
    env = {key: value for key, value in os.environ.items() if key != repository.ENVIRONMENT}
    if repository_url is not None:
        env[repository.ENVIRONMENT] = repository_url
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    out = folder / "out"
    run = subprocess.run([str(jupyter_book), "build", str(folder), "--path-output", str(out), "-W", "-n",
                          "--keep-going"], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    page = out / "_build" / "html" / "lesson.html"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def repository_links(soup: BeautifulSoup) -> dict[str, str]:
    """The page's repository button and launch buttons, by kind."""
    found = {}
    for a in soup.select(".dropdown-launch-buttons a[href]"):
        link = str(a["href"])
        kind = next((kind for kind in ("binderhub", "colab", "jupyterhub")
                     if LAUNCH.get(f"{kind}_url") and link.startswith(LAUNCH[f"{kind}_url"])), link)
        assert kind not in found, f"two {kind} buttons"
        found[kind] = link
    button = soup.find("a", attrs={"title": "Source repository"})
    assert button is not None, "the page has no repository button"
    found["repository"] = str(button["href"])
    return found


def expected_links(url: str) -> dict[str, str]:
    owner_name = urlparse(url).path.strip("/")
    return {
        "repository": url,
        "binderhub": f"{LAUNCH['binderhub_url']}/v2/gh/{owner_name}/{LAUNCH_BRANCH}?urlpath=lab/tree/lesson.ipynb",
    }


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, BeautifulSoup]:
    """The notebook page built without the variable and with a fork's URL."""
    return {name: build(small_book(tmp_path_factory.mktemp(name)), url)
            for name, url in (("default", None), ("fork", FORK))}


@pytest.mark.parametrize(("build_name", "url"), [("default", DEFAULT), ("fork", FORK)])
def test_every_button_points_at_the_repository_of_the_build(pages, build_name, url):
    links = repository_links(pages[build_name])
    hub = links.pop("jupyterhub")
    assert links == expected_links(url)  # and no Colab button: Colab would open a notebook without the course
    assert hub.startswith(f"{HUB}/hub/user-redirect/git-pull?")
    query = parse_qs(urlparse(hub).query)
    assert query["repo"] == [url] and query["branch"] == [LAUNCH_BRANCH]


def test_the_launch_buttons_open_the_learner_branch_and_nothing_else_changes():
    assert CONFIG["repository"]["branch"] != LAUNCH_BRANCH  # else the tests above could not tell them apart
    options = {"repository_url": DEFAULT, "repository_branch": "main"}
    config = SimpleNamespace(tpm_launch_branch=LAUNCH_BRANCH, html_theme_options=dict(options))
    repository.launch_from_learner_branch(None, config)  # type: ignore[arg-type]
    assert config.html_theme_options == {**options, "repository_branch": LAUNCH_BRANCH}
    unset = SimpleNamespace(tpm_launch_branch="", html_theme_options=dict(options))
    repository.launch_from_learner_branch(None, unset)  # type: ignore[arg-type]
    assert unset.html_theme_options == options


def test_a_fork_build_names_the_default_repository_nowhere(pages):
    default = urlparse(DEFAULT).path.strip("/")
    assert default not in str(pages["fork"])
    assert default in str(pages["default"])  # the check above can fail


@pytest.mark.parametrize(("value", "url"), [
    (None, None),
    ("", None),
    ("   ", None),
    ("https://github.com/owner/name", "https://github.com/owner/name"),
    ("https://github.com/owner/name/", "https://github.com/owner/name"),
    ("https://github.com/owner/name.git", "https://github.com/owner/name"),
    ("https://git.example.edu/teaching/tpm-course", "https://git.example.edu/teaching/tpm-course"),
])
def test_the_variable_is_read_and_tidied(monkeypatch, value, url):
    if value is None:
        monkeypatch.delenv(repository.ENVIRONMENT, raising=False)
    else:
        monkeypatch.setenv(repository.ENVIRONMENT, value)
    assert repository.from_environment() == url
    assert repository.url(DEFAULT) == (url or DEFAULT)


@pytest.mark.parametrize("value", ["github.com/owner/name", "https://github.com/name-only", "not a url",
                                   "ftp://github.com/owner/name"])
def test_a_value_that_is_no_repository_url_stops_the_build(monkeypatch, value):
    monkeypatch.setenv(repository.ENVIRONMENT, value)
    with pytest.raises(ConfigError, match=repository.ENVIRONMENT):
        repository.from_environment()
