"""The book's quiz: static, accessible HTML plus the data the browser needs to
grade it, with no kernel and no network. Also the Markdown and feedback
markup that the Jupyter widgets share, so both front ends look and read alike.

Every piece of bank text passes through Markdown with raw HTML disabled, so a
``<script>`` or ``onerror=`` in a bank is shown as text, never run. Options
are shown in a shuffled order (:mod:`.shuffle`, seed :data:`BOOK_SEED`) and
identified by their index in the bank, so grading follows the option, not
its position; the page's script reshuffles them with the reader's own seed.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
from typing import Any

from markdown_it import MarkdownIt

from tpmcourse.quiz import attempts, numbers, shuffle
from tpmcourse.quiz.bank import Bank, Numeric, Question
from tpmcourse.quiz.score import CORRECT, INCORRECT, MESSAGES, NOT_GRADED, Result

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})
BOOK_SEED = shuffle.BOOK_SEED
LABELS = {"check": "Check", "reveal": "Show the worked answer", "new": "Try new numbers", "why": "Why:",
          "choose_one": "(choose one)", "select_all": "(select all that apply)"}


def inline(text: str) -> str:
    """Inline Markdown (code, emphasis, links) to HTML; raw HTML is escaped."""
    return _MD.renderInline(text or "")


def display_order(qid: str, n: int) -> list[int]:
    """The static order of an ordering question's items: stable for a question
    id and never the answer itself, so the page is the same on every build."""
    seed = int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16)
    order = list(range(n))
    rng = random.Random(seed)
    while order == sorted(order):
        rng.shuffle(order)
    return order


def option_order(qid: str, n: int, seed: int = BOOK_SEED) -> list[int]:
    """The order options are shown in for a seed (the static page uses BOOK_SEED)."""
    return shuffle.order(qid, n, seed)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def verdict_class(correct: bool | None) -> str:
    return {True: "correct", False: "incorrect", None: "ungraded"}[correct]


def feedback_html(result: Result | None, explanation: str, state: attempts.Attempts) -> str:
    """The feedback area's content; ``tpm-quiz.js`` builds the same markup.

    ``explanation`` is already HTML. It is included only once the rules in
    :mod:`.attempts` say so, never with a first wrong answer.
    """
    parts = []
    if result is not None:
        headline = {True: CORRECT, False: INCORRECT, None: NOT_GRADED}[result.correct]
        text = inline(result.feedback)
        parts.append(f'<p class="tpm-verdict" data-verdict="{verdict_class(result.correct)}">'
                     f'<span class="tpm-icon" aria-hidden="true"></span><strong>{headline}</strong>'
                     + (f" {text}" if text else "") + "</p>")
    if state.explained:
        parts.append(f'<p class="tpm-why"><strong>{LABELS["why"]}</strong> {explanation}</p>')
        if state.status == "revealed":
            parts.append(f'<p class="tpm-revealed-note">{attempts.REVEALED_NOTE}</p>')
    return "".join(parts)


def _choice(q: Any, qid: str) -> tuple[list[str], dict]:
    kind = "radio" if q.type == "single" else "checkbox"
    body = []
    for i in option_order(q.id, len(q.options)):
        oid = f"{qid}-opt{i}"
        body.append(f'<div class="tpm-option"><input type="{kind}" id="{oid}" name="{qid}" value="{i}">'
                    f' <label for="{oid}">{inline(q.options[i].text)}</label></div>')
    data: dict[str, Any] = {
        "correct": [i for i, o in enumerate(q.options) if o.correct],
        "options": [inline(o.text) for o in q.options],
        "feedback": [inline(o.feedback) if o.feedback else "" for o in q.options],
    }
    if q.type == "multiple":  # the line each wrong option adds, as the Python grader writes it
        data["lines"] = [inline(MESSAGES["not_belong"].format(option=o.text)
                                + (f": {o.feedback}" if o.feedback else "."))
                         for o in q.options]
    return body, data


def _numeric(q: Any, qid: str) -> tuple[list[str], dict]:
    unit = f" ({html.escape(q.unit)})" if q.unit else ""
    body = [(f'<div class="tpm-numeric"><label for="{qid}-num">Your answer{unit}</label> '
             f'<input type="text" inputmode="decimal" autocomplete="off" id="{qid}-num" name="{qid}"></div>')]
    data = {"tolerance": q.tolerance, "unit": q.unit, "accepted": numbers.accepted_units(q.unit),
            "variants": [{"prompt": inline(v.prompt), "explanation": inline(v.explanation), "answer": v.answer,
                          "hints": [{"value": value, "feedback": inline(text)} for value, text in v.hints]}
                         for v in q.all_variants()]}
    return body, data


def _ordering(q: Any, qid: str) -> tuple[list[str], dict]:
    n = len(q.items)
    body = ['<p class="tpm-hint">Give each item its position, 1 for first.</p><ol class="tpm-order">']
    for shown, idx in enumerate(display_order(q.id, n)):
        sid = f"{qid}-item{shown}"
        options = '<option value="">Choose…</option>' + "".join(
            f'<option value="{p}">{p}</option>' for p in range(1, n + 1))
        body.append(f'<li class="tpm-order-item" data-item="{idx}">'
                    f'<label for="{sid}">{inline(q.items[idx])}</label> '
                    f'<select id="{sid}" name="{qid}-item{shown}">{options}</select></li>')
    body.append("</ol>")
    return body, {"items": [inline(t) for t in q.items]}


def _question_html(q: Question, number: int) -> tuple[str, dict]:
    qid = _attr(q.id)
    prompt = q.variant(0).prompt if isinstance(q, Numeric) else q.prompt
    hint = {"single": LABELS["choose_one"], "multiple": LABELS["select_all"]}.get(q.type)
    legend = (f'<legend><span class="tpm-qnum">Question {number}.</span> '
              f'<span class="tpm-prompt">{inline(prompt)}</span>'
              + (f' <span class="tpm-hint">{hint}</span>' if hint else "") + "</legend>")
    builder = {"single": _choice, "multiple": _choice, "numeric": _numeric, "ordering": _ordering}[q.type]
    body, data = builder(q, qid)
    # A numeric question's explanation is per variant, in data["variants"].
    data.update(type=q.type, explanation="" if isinstance(q, Numeric) else inline(q.explanation))
    markup = (f'<div class="tpm-question" data-question="{qid}" data-type="{q.type}" '
              f'data-objective="{_attr(q.objective)}" id="q-{qid}"><fieldset>{legend}{"".join(body)}</fieldset>'
              f'<div class="tpm-actions"><button type="button" class="tpm-check">{LABELS["check"]}</button> '
              f'<button type="button" class="tpm-reveal">{LABELS["reveal"]}</button> '
              f'<button type="button" class="tpm-new" hidden>{LABELS["new"]}</button></div>'
              f'<div class="tpm-feedback" aria-live="polite" tabindex="-1"></div></div>')
    return markup, data


def _json_for_script(data: dict) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' survive."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page_texts() -> dict[str, Any]:
    """Every fixed text the script shows, from the Python that defines it."""
    return {"messages": MESSAGES, "numbers": numbers.MESSAGES, "labels": LABELS,
            "headlines": {"correct": CORRECT, "incorrect": INCORRECT, "ungraded": NOT_GRADED},
            "revealed": attempts.REVEALED_NOTE, "score": attempts.SCORE}


def render(bank: Bank) -> str:
    """The whole quiz of a chapter as one HTML fragment."""
    parts: list[str] = []
    questions: dict[str, dict] = {}
    data = {"chapter": bank.chapter, "questions": questions, **page_texts()}
    for number, q in enumerate(bank.questions, start=1):
        markup, qdata = _question_html(q, number)
        parts.append(markup)
        questions[q.id] = qdata
    n = len(bank.questions)
    return (f'<section class="tpm-quiz" data-chapter="{_attr(bank.chapter)}" aria-label="{_attr(bank.title)}">'
            f'<p class="tpm-quiz-intro">{n} questions. Answers are checked in your browser; your progress '
            f'is kept only in this browser. A wrong answer gets a hint; the worked answer appears after a '
            f'second try, or when you ask for it.</p>'
            + "".join(parts)
            + f'<p class="tpm-score" aria-live="polite">{attempts.summary([], n)}</p>'
            f'<script type="application/json" class="tpm-quiz-data">{_json_for_script(data)}</script></section>')
