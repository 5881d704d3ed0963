"""The quiz in a live Jupyter kernel, as ipywidgets.

Each question is a native control, a Check button and a feedback area; the
quiz keeps a running score and a learner may retry as often as they like.
The same object also carries the book's static HTML, so one notebook cell
gives a live quiz in Jupyter and an interactive one in the published book.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from tpmcourse.quiz import render as quizhtml
from tpmcourse.quiz.bank import Bank
from tpmcourse.quiz.score import Result, grade


class QuestionWidget(widgets.VBox):
    """One question: prompt, control, Check button, feedback."""

    def __init__(self, question, number: int, on_result=None):
        self.question = question
        self.result: Result | None = None
        self._on_result = on_result
        prompt = widgets.HTML(f"<b>Question {number}.</b> {quizhtml.inline(question.prompt)}")
        self.control = self._make_control()
        self.check = widgets.Button(description="Check", tooltip="Check your answer",
                                    layout=widgets.Layout(width="auto"))
        self.feedback = widgets.HTML(value="")
        self.check.on_click(self._check)
        super().__init__([prompt, self.control, self.check, self.feedback],
                         layout=widgets.Layout(margin="0 0 1em 0"))

    def _make_control(self) -> widgets.Widget:
        q = self.question
        if q.type == "single":
            return widgets.RadioButtons(options=[(o.text, i) for i, o in enumerate(q.options)],
                                        value=None, layout=widgets.Layout(width="max-content"))
        if q.type == "multiple":
            self.boxes = [widgets.Checkbox(value=False, description=o.text, indent=False)
                          for o in q.options]
            return widgets.VBox(self.boxes)
        if q.type == "numeric":
            unit = f" ({q.unit})" if q.unit else ""
            return widgets.Text(value="", placeholder="a number", description=f"Answer{unit}:",
                                style={"description_width": "initial"})
        self.order = quizhtml.display_order(q.id, len(q.items))
        positions = [("Choose…", None), *((str(p), p) for p in range(1, len(q.items) + 1))]
        self.selects = [widgets.Dropdown(options=positions, value=None, description=q.items[i],
                                         style={"description_width": "initial"})
                        for i in self.order]
        return widgets.VBox([widgets.HTML("Give each item its position, 1 for first."), *self.selects])

    def answer(self) -> Any:
        """The learner's answer in the form the grader takes."""
        q = self.question
        if q.type == "single":
            return self.control.value
        if q.type == "multiple":
            return [i for i, box in enumerate(self.boxes) if box.value]
        if q.type == "numeric":
            return self.control.value
        if any(s.value is None for s in self.selects):
            return None
        # Item per position; a position chosen twice leaves another one empty,
        # and the grader reads that gap as "each position once".
        chosen = {s.value: q.items[idx] for s, idx in zip(self.selects, self.order, strict=True)}
        return [chosen.get(p) for p in range(1, len(q.items) + 1)]

    def _check(self, _button=None) -> Result:
        self.result = grade(self.question, self.answer())
        text = " ".join(p for p in [self.result.headline, quizhtml.inline(self.result.feedback)] if p)
        if self.result.correct is not None:
            text += f"<br><i>Why:</i> {quizhtml.inline(self.question.explanation)}"
        self.feedback.value = text
        if self._on_result:
            self._on_result()
        return self.result


class QuizWidget(widgets.VBox):
    """A chapter's quiz with a running score."""

    def __init__(self, bank: Bank):
        self.bank = bank
        self.score = widgets.HTML()
        self.questions = [QuestionWidget(q, i, self._update_score)
                          for i, q in enumerate(bank.questions, start=1)]
        self._update_score()
        super().__init__([widgets.HTML(f"<h3>{quizhtml.inline(bank.title)}</h3>"), *self.questions,
                          self.score])

    @property
    def correct(self) -> int:
        return sum(1 for q in self.questions if q.result and q.result.correct)

    def _update_score(self) -> None:
        self.score.value = f"<b>Score: {self.correct} of {len(self.questions)} correct.</b>"

    def _repr_mimebundle_(self, **kwargs):
        # Jupyter shows the live widget; the book (which prefers text/html) shows
        # the static quiz that tpmcourse/book/static/tpm-quiz.js makes interactive.
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
        else:
            data, meta = bundle, {}
        data = dict(data or {})
        data["text/html"] = quizhtml.render(self.bank)
        data["text/plain"] = f"Quiz for {self.bank.chapter}: {len(self.questions)} questions"
        return data, meta
