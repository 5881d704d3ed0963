"""``show("ch02")``: a chapter's quiz, live in Jupyter and interactive in the book."""

from __future__ import annotations

import html

import ipywidgets as widgets

from .quizbank import BankError, load_chapter
from .quizwidgets import QuizWidget


def show(chapter: str) -> QuizWidget | widgets.HTML:
    """The quiz for a chapter id such as ``"ch02"``; display it as a cell's result.

    A wrong chapter id or a broken bank shows a message, not a traceback.
    """
    try:
        return QuizWidget(load_chapter(chapter))
    except BankError as exc:
        return widgets.HTML(f"❌ Cannot show the quiz: {html.escape(str(exc))}")
