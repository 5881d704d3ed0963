"""The quiz's Check button: its click reaches the kernel after the answer it checks.

A stock ``ipywidgets.Button`` sends its click at once, while ipywidgets holds
back a control's second change until the kernel has answered its first: a box
ticked and unticked within one round trip, then checked, was graded ticked.
This button (an anywidget, its front end in ``check_button.js``) waits in the
page until its question's controls have sent every change, then clicks. The
kernel stays the one place the answer is read from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets


class CheckButton(anywidget.AnyWidget):
    """A native ``<button>`` that clicks once the ``controls`` have sent the learner's answer."""

    _esm = Path(__file__).with_name("check_button.js")
    description = traitlets.Unicode("").tag(sync=True)
    tooltip = traitlets.Unicode("").tag(sync=True)
    controls = traitlets.List(traitlets.Instance(widgets.Widget)).tag(sync=True, **widgets.widget_serialization)

    def __init__(self, description: str, tooltip: str, controls: Sequence[widgets.Widget], **kwargs: Any) -> None:
        super().__init__(description=description, tooltip=tooltip, controls=list(controls), **kwargs)
        self._handlers = widgets.CallbackDispatcher()
        self.on_msg(self._on_message)

    def on_click(self, handler: Callable[[CheckButton], Any]) -> None:
        """Call ``handler(button)`` on each click, as ``ipywidgets.Button.on_click`` does."""
        self._handlers.register_callback(handler)

    def click(self) -> None:
        """Click from Python (tests, and a learner scripting the quiz)."""
        self._handlers(self)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "click":
            self.click()
