"""The quiz in a live Jupyter kernel, as ipywidgets.

Each option is its own native checkbox whose label is the option's Markdown
rendered to HTML (ipywidgets' RadioButtons can neither wrap nor format their
labels), so every text is readable at any notebook width; a single-choice
question keeps one box ticked at a time. Options are shuffled per render and
graded by identity; attempts, reveal and score follow :mod:`.attempts`, and
the feedback markup and stylesheet are the book's, so both look and read
alike. Check is no stock button (:mod:`.check_button`): its click waits in the
page until the kernel has the answer it checks. The feedback and the score are
live regions (:mod:`.live_html`), which a screen reader reads out when they
change. The same object also carries the book's static HTML, so one notebook
cell gives a live quiz in Jupyter and an interactive one in the published book.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from tpmcourse.quiz import render as quizhtml
from tpmcourse.quiz import shuffle
from tpmcourse.quiz.attempts import Attempts, summary
from tpmcourse.quiz.bank import Bank, Numeric, Ordering, Question
from tpmcourse.quiz.check_button import CheckButton
from tpmcourse.quiz.live_html import LiveHTML
from tpmcourse.quiz.score import Result, grade

# The book's quiz stylesheet, whose `.tpm-jupyter` rules fit it to ipywidgets.
STYLESHEET = Path(__file__).resolve().parent.parent / "book" / "static" / "tpm-quiz.css"
_FULL = {"width": "100%", "max_width": "100%"}


def _label(text: str) -> dict[str, Any]:
    """A control's description: bank Markdown rendered to HTML, or plain text
    when rendering changes nothing. HTML is wrapped in the classes MathJax
    skips, so "$200,000 to $300,000" is not typeset as mathematics by
    JupyterLab, and gets a plain-text tooltip (a Dropdown's hover title; a
    Checkbox's title is its raw description whatever the tooltip says, an
    ipywidgets limit)."""
    rendered = quizhtml.inline(text)
    plain = html.unescape(re.sub(r"<[^>]*>", "", rendered))
    if plain == text and "$" not in text:
        return {"description": text, "description_allow_html": False}
    return {"description": f'<span class="tex2jax_ignore mathjax_ignore">{rendered}</span>',
            "description_allow_html": True, "tooltip": plain}


def _style() -> str:
    try:
        return f"<style>{STYLESHEET.read_text(encoding='utf-8')}</style>"
    except OSError:  # an installation without the book's files: plain widgets still work
        return ""


class QuestionWidget(widgets.VBox):
    """One question: prompt, control, Check and reveal buttons, feedback."""

    def __init__(self, question: Question, number: int, seed: int, on_result=None):
        self.question = question
        self.state = Attempts()
        self.result: Result | None = None
        self._on_result = on_result
        self._seed = seed
        self._draws = 0
        if isinstance(question, Numeric):
            self.state.variant = self._draw_variant(question, exclude=None)
        hint = {"single": quizhtml.LABELS["choose_one"], "multiple": quizhtml.LABELS["select_all"]}.get(question.type)
        self._number = number
        self._hint = f' <span class="tpm-hint">{hint}</span>' if hint else ""
        self.prompt = widgets.HTML(layout=widgets.Layout(**_FULL))
        self.prompt.add_class("tpm-legend")
        self._show_prompt()
        self.control = self._make_control()
        # Not a stock Button: its click waits in the page for the answer to reach the kernel.
        self.check = CheckButton(quizhtml.LABELS["check"], "Check your answer", self._answer_controls(),
                                 layout=widgets.Layout(width="auto"))
        self.check.on_click(self._check)
        self.reveal = self._button("reveal", "Show the worked explanation", self._reveal)
        self.new = self._button("new", "Show the question with other numbers", self._new_numbers)
        self.feedback = LiveHTML(value="", layout=widgets.Layout(**_FULL))  # read out when it changes
        self.feedback.add_class("tpm-feedback")
        actions = widgets.HBox([self.check, self.reveal, self.new], layout=widgets.Layout(flex_flow="row wrap"))
        actions.add_class("tpm-actions")
        super().__init__([self.prompt, self.control, actions, self.feedback], layout=widgets.Layout(**_FULL))
        self.add_class("tpm-question")
        self._refresh(notify=False)

    # -- building --------------------------------------------------------
    def _button(self, label: str, tooltip: str, handler) -> widgets.Button:
        button = widgets.Button(description=quizhtml.LABELS[label], tooltip=tooltip,
                                layout=widgets.Layout(width="auto"))
        button.add_class(f"tpm-{label}")
        button.on_click(handler)
        return button

    def _show_prompt(self) -> None:
        q = self.question
        text = q.variant(self.state.variant).prompt if isinstance(q, Numeric) else q.prompt
        self.prompt.value = (f'<span class="tpm-qnum">Question {self._number}.</span> '
                             f'<span class="tpm-prompt">{quizhtml.inline(text)}</span>{self._hint}')

    def _make_control(self) -> widgets.Widget:
        q = self.question
        if q.type in ("single", "multiple"):
            self.order = shuffle.order(q.id, len(q.options), self._seed)
            # boxes[i] is option i of the bank; they are shown in self.order.
            self.boxes = [widgets.Checkbox(value=False, indent=False, layout=widgets.Layout(**_FULL),
                                           **_label(o.text))
                          for o in q.options]
            for i, box in enumerate(self.boxes):
                box.add_class("tpm-option")
                if q.type == "single":
                    box.observe(lambda change, i=i: self._one_ticked(i, change), names="value")
            control = widgets.VBox([self.boxes[i] for i in self.order], layout=widgets.Layout(**_FULL))
            control.add_class("tpm-options")
            return control
        if q.type == "numeric":
            unit = f" ({q.unit})" if q.unit else ""
            # The answer reaches the kernel once, when the learner leaves the box or presses Enter, and
            # so before the Check click that follows. Sent keystroke by keystroke, ipywidgets holds
            # back later values while the kernel answers the first, and a quick Check overtook them:
            # "12.5" was checked as "1" ("too low"), as a run of the JupyterLab test showed.
            text = widgets.Text(value="", placeholder="a number", description=f"Your answer{unit}",
                                continuous_update=False, style={"description_width": "initial"},
                                layout=widgets.Layout(width="auto", max_width="100%"))
            text.add_class("tpm-numeric")
            return text
        assert isinstance(q, Ordering)
        self.order = shuffle.order(q.id, len(q.items), self._seed, avoid_identity=True)
        positions = [("Choose…", None), *((str(p), p) for p in range(1, len(q.items) + 1))]
        self.selects = [widgets.Dropdown(options=positions, value=None, layout=widgets.Layout(**_FULL),
                                         **_label(q.items[i]))
                        for i in self.order]
        for select in self.selects:
            select.add_class("tpm-order-item")
        hint = widgets.HTML('<span class="tpm-hint">Give each item its position, 1 for first.</span>')
        return widgets.VBox([hint, *self.selects], layout=widgets.Layout(**_FULL))

    def _answer_controls(self) -> list[widgets.Widget]:
        """The widgets that hold the learner's answer, for the Check button to wait on."""
        if self.question.type in ("single", "multiple"):
            return list(self.boxes)
        if self.question.type == "numeric":
            return [self.control]
        return list(self.selects)

    def _one_ticked(self, index: int, change: dict) -> None:
        if change["new"]:
            for i, box in enumerate(self.boxes):
                if i != index and box.value:
                    box.value = False

    def _draw_variant(self, q: Numeric, exclude: int | None) -> int:
        count = len(q.all_variants())
        draw = shuffle.mulberry32(shuffle.fnv1a(f"{self._seed}:{q.id}:variant:{self._draws}"))
        if exclude is None:
            return int(draw() * count)
        return (exclude + 1 + int(draw() * (count - 1))) % count if count > 1 else 0

    # -- answering -------------------------------------------------------
    def answer(self) -> Any:
        """The learner's answer in the form the grader takes (options by their bank index)."""
        q = self.question
        if q.type == "single":
            ticked = [i for i, box in enumerate(self.boxes) if box.value]
            return ticked[0] if len(ticked) == 1 else None
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

    def _explanation(self) -> str:
        q = self.question
        text = q.variant(self.state.variant).explanation if isinstance(q, Numeric) else q.explanation
        return quizhtml.inline(text)

    def _refresh(self, notify: bool = True) -> None:
        self.feedback.value = quizhtml.feedback_html(self.result, self._explanation(), self.state)
        for name in ("correct", "incorrect"):
            self.remove_class(f"tpm-result-{name}")
        if self.result is not None and self.result.correct is not None:
            self.add_class(f"tpm-result-{'correct' if self.result.correct else 'incorrect'}")
        self.reveal.layout.display = "none" if self.state.explained else None
        q = self.question
        more = isinstance(q, Numeric) and len(q.all_variants()) > 1
        self.new.layout.display = None if (self.state.explained and more) else "none"
        if notify and self._on_result:
            self._on_result()

    def _check(self, _button=None) -> Result:
        self.result = grade(self.question, self.answer(), self.state.variant)
        self.state.record(self.result)
        self._refresh()
        return self.result

    def _reveal(self, _button=None) -> None:
        self.state.reveal()
        self._refresh()
        self.check.focus()  # the reveal button is gone: keep keyboard focus on this question

    def _new_numbers(self, _button=None) -> None:
        q = self.question
        if not isinstance(q, Numeric):
            return
        self._draws += 1
        self.state.new_numbers(self._draw_variant(q, exclude=self.state.variant))
        self.result = None
        self.control.value = ""
        self._show_prompt()
        self._refresh()
        self.control.focus()


class QuizWidget(widgets.VBox):
    """A chapter's quiz with a running score."""

    def __init__(self, bank: Bank, seed: int | None = None):
        self.bank = bank
        self.seed = shuffle.session_seed() if seed is None else seed
        self.score = LiveHTML(layout=widgets.Layout(**_FULL))
        self.score.add_class("tpm-score")
        self.questions = [QuestionWidget(q, i, self.seed, self._update_score)
                          for i, q in enumerate(bank.questions, start=1)]
        self._update_score()
        intro = (f'<p class="tpm-quiz-intro">{len(bank.questions)} questions. A wrong answer gets a hint; the '
                 f'worked answer appears after a second try, or when you ask for it.</p>')
        head = widgets.HTML(f"{_style()}<h3>{quizhtml.inline(bank.title)}</h3>{intro}",
                            layout=widgets.Layout(**_FULL))
        super().__init__([head, *self.questions, self.score], layout=widgets.Layout(**_FULL))
        self.add_class("tpm-quiz")
        self.add_class("tpm-jupyter")

    @property
    def correct(self) -> int:
        """Questions answered right, first time or after a retry."""
        return sum(1 for q in self.questions if q.state.status in ("first", "retry"))

    def _update_score(self) -> None:
        line = summary([q.state.status for q in self.questions], len(self.questions))
        self.score.value = f"<p><strong>{line}</strong></p>"

    def _repr_mimebundle_(self, **kwargs):
        # Jupyter shows the live widget; the book (which prefers text/html) shows
        # the static quiz that tpmcourse/book/static/tpm-quiz.js makes interactive.
        # Neither the HTML nor the text depends on this render's shuffle, so the
        # stored outputs stay what nbval expects.
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
        else:
            data, meta = bundle, {}
        data = dict(data or {})
        data["text/html"] = quizhtml.render(self.bank)
        data["text/plain"] = f"Quiz for {self.bank.chapter}: {len(self.questions)} questions"
        return data, meta
