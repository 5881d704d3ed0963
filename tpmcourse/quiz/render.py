"""The book's quiz: static, accessible HTML plus the data the browser needs to
grade it, with no kernel and no network.

Every piece of bank text passes through Markdown with raw HTML disabled, so a
``<script>`` or ``onerror=`` in a bank is shown as text, never run.
"""

from __future__ import annotations

import hashlib
import html
import json
import random

from markdown_it import MarkdownIt

from tpmcourse.quiz.bank import Bank
from tpmcourse.quiz.score import CORRECT, INCORRECT

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False})


def inline(text: str) -> str:
    """Inline Markdown (code, emphasis, links) to HTML; raw HTML is escaped."""
    return _MD.renderInline(text or "")


def display_order(qid: str, n: int) -> list[int]:
    """A shuffled order of n items that is stable for a question id and never
    the answer itself, so the page is the same on every build."""
    seed = int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16)
    order = list(range(n))
    rng = random.Random(seed)
    while order == sorted(order):
        rng.shuffle(order)
    return order


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _question_html(q, number: int) -> tuple[str, dict]:
    qid = _attr(q.id)
    legend = f'<legend><span class="tpm-qnum">Question {number}.</span> {inline(q.prompt)}</legend>'
    data: dict = {"type": q.type, "explanation": inline(q.explanation)}
    body = []
    if q.type in ("single", "multiple"):
        kind = "radio" if q.type == "single" else "checkbox"
        if q.type == "multiple":
            legend = legend.replace("</legend>", ' <span class="tpm-hint">(select all that apply)</span></legend>')
        for i, option in enumerate(q.options):
            oid = f"{qid}-opt{i}"
            body.append(f'<div class="tpm-option"><input type="{kind}" id="{oid}" name="{qid}" value="{i}">'
                        f' <label for="{oid}">{inline(option.text)}</label></div>')
        data["correct"] = [i for i, o in enumerate(q.options) if o.correct]
        data["options"] = [inline(o.text) for o in q.options]
        data["feedback"] = [inline(o.feedback) if o.feedback else "" for o in q.options]
    elif q.type == "numeric":
        unit = f" ({html.escape(q.unit)})" if q.unit else ""
        body.append(f'<div class="tpm-numeric"><label for="{qid}-num">Your answer{unit}</label> '
                    f'<input type="text" inputmode="decimal" autocomplete="off" id="{qid}-num" name="{qid}"></div>')
        data.update(answer=q.answer, tolerance=q.tolerance,
                    hints=[{"value": h.value, "feedback": inline(h.feedback)} for h in q.hints])
    else:  # ordering
        order = display_order(q.id, len(q.items))
        n = len(q.items)
        body.append('<p class="tpm-hint">Give each item its position, 1 for first.</p><ol class="tpm-order">')
        for shown, idx in enumerate(order):
            sid = f"{qid}-item{shown}"
            options = '<option value="">Choose…</option>' + "".join(
                f'<option value="{p}">{p}</option>' for p in range(1, n + 1))
            body.append(f'<li class="tpm-order-item" data-item="{idx}">'
                        f'<label for="{sid}">{inline(q.items[idx])}</label> '
                        f'<select id="{sid}" name="{qid}-item{shown}">{options}</select></li>')
        body.append("</ol>")
        data["items"] = [inline(t) for t in q.items]
    markup = (f'<div class="tpm-question" data-question="{qid}" data-type="{q.type}" '
              f'data-objective="{_attr(q.objective)}" id="q-{qid}"><fieldset>{legend}{"".join(body)}</fieldset>'
              f'<button type="button" class="tpm-check">Check</button>'
              f'<div class="tpm-feedback" aria-live="polite"></div></div>')
    return markup, data


def _json_for_script(data: dict) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' survive."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render(bank: Bank) -> str:
    """The whole quiz of a chapter as one HTML fragment."""
    parts: list[str] = []
    questions: dict[str, dict] = {}
    data = {"chapter": bank.chapter, "correct": CORRECT, "incorrect": INCORRECT, "questions": questions}
    for number, q in enumerate(bank.questions, start=1):
        markup, qdata = _question_html(q, number)
        parts.append(markup)
        questions[q.id] = qdata
    n = len(bank.questions)
    return (f'<section class="tpm-quiz" data-chapter="{_attr(bank.chapter)}" aria-label="{_attr(bank.title)}">'
            f'<p class="tpm-quiz-intro">{n} questions. Answers are checked in your browser; your progress '
            f'is kept only in this browser.</p>'
            + "".join(parts)
            + f'<p class="tpm-score" aria-live="polite">Score: <span class="tpm-score-value">0</span> '
            f'of {n} correct.</p>'
            f'<script type="application/json" class="tpm-quiz-data">{_json_for_script(data)}</script></section>')
