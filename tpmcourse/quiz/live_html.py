"""HTML in a live region: a screen reader reads the quiz's feedback and score when they change.

``ipywidgets.HTML`` cannot carry ``aria-live``, so in Jupyter a learner using a
screen reader heard nothing after Check. The book's quiz marks the same areas
``aria-live="polite"`` (``tpmcourse/quiz/render.py``); this widget (an
anywidget, its front end in ``live_html.js``) does so in Jupyter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets


class LiveHTML(anywidget.AnyWidget):
    """An ``ipywidgets.HTML`` look-alike whose content is a polite live region."""

    _esm = Path(__file__).with_name("live_html.js")
    value = traitlets.Unicode("").tag(sync=True)

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value=value, **kwargs)
