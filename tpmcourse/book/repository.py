"""The repository the book links to, set in one place.

``repository: url:`` in ``_config.yml`` is the default. Jupyter Book turns it
into the theme option ``repository_url``, from which the book theme makes the
repository button and every launch button (Binder, Colab, JupyterHub).

When the environment variable ``TPM_REPOSITORY_URL`` holds a URL, that URL
replaces the default for the whole build. The GitHub workflow sets it to the
repository it runs in (``${{ github.server_url }}/${{ github.repository }}``),
so a fork that publishes its own book on GitHub Pages links to itself without
editing a file. The folder of the book in the repository (``path_to_book``)
still comes from ``_config.yml``.

The launch buttons open the branch ``tpm_launch_branch`` (``_config.yml``'s
``sphinx: config:``), where the workflow publishes the notebooks' learner
edition (:mod:`tpmcourse.content.launch_tree`), not ``repository: branch:``,
which holds the sources. Unset, they open ``repository: branch:``.
"""

from __future__ import annotations

import os
import re

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

ENVIRONMENT = "TPM_REPOSITORY_URL"
# scheme://host/owner/name: the book theme reads the last two parts as owner and name.
REPOSITORY_URL = re.compile(r"https?://[^/\s]+(/[^/\s]+)*/[^/\s]+/[^/\s]+")

logger = logging.getLogger(__name__)


def from_environment() -> str | None:
    """The URL in ``TPM_REPOSITORY_URL`` (trailing ``/`` and ``.git`` dropped), or None when unset or empty."""
    value = os.environ.get(ENVIRONMENT, "").strip()
    if not value:
        return None
    url = value.rstrip("/").removesuffix(".git")
    if not REPOSITORY_URL.fullmatch(url):
        raise ConfigError(f"{ENVIRONMENT}={value!r} is not a repository URL such as https://github.com/OWNER/NAME")
    return url


def url(default: str) -> str:
    """The repository URL a build uses: the environment's, else ``default`` (``_config.yml``'s)."""
    return from_environment() or default


def launch_from_learner_branch(app: Sphinx, config: Config) -> None:
    """``config-inited``: the launch buttons (the theme's only use of ``repository_branch`` with the
    course's settings) open ``tpm_launch_branch`` when it is set."""
    if not config.tpm_launch_branch:
        return
    options = dict(config.html_theme_options or {})
    for button in ("use_edit_page_button", "use_source_button"):  # would open the generated branch too
        if options.get(button):
            logger.warning("%s is on, and its links would go to the branch %r, which is generated: turn it "
                           "off, or unset tpm_launch_branch", button, config.tpm_launch_branch)
    options["repository_branch"] = config.tpm_launch_branch
    config.html_theme_options = options


def override_from_environment(app: Sphinx, config: Config) -> None:
    """``config-inited``: put the environment's URL in the theme options the buttons are made from."""
    chosen = from_environment()
    if chosen is None:
        return
    options = dict(config.html_theme_options or {})
    if options.get("repository_url") != chosen:
        logger.info("repository URL from %s: %s (instead of %s)", ENVIRONMENT, chosen,
                    options.get("repository_url") or "none")
    options["repository_url"] = chosen
    config.html_theme_options = options
