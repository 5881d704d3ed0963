"""``show("ch02")``: a chapter's quiz, live in Jupyter and interactive in the book."""

from __future__ import annotations

import html

import ipywidgets

from tpmcourse.quiz.bank import BankError, load_chapter
from tpmcourse.quiz.widgets import QuizWidget


def show(chapter: str) -> QuizWidget | ipywidgets.HTML:
    """The quiz for a chapter id such as ``"ch02"``; display it as a cell's result.

    A wrong chapter id or a broken bank shows a message, not a traceback.
    """
    try:
        return QuizWidget(load_chapter(chapter))
    except BankError as exc:
        return ipywidgets.HTML(f"<p><strong>Cannot show the quiz:</strong> {html.escape(str(exc))}</p>")
