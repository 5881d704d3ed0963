"""The Jupyter widgets as a browser draws them: their stored state rendered
by the ipywidgets HTML manager (the views and stylesheet JupyterLab uses) in
the system Chromium, at narrow and wide notebook widths. The Check button, an
anywidget, is drawn by anywidget's own front end, the AMD module its Python
package ships, served beside the manager. Every prompt, option
and item must wrap inside the notebook, with Markdown rendered and no emoji."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import anywidget
import pytest

from browser import serve
from tpmcourse.book.assets import NODE_MODULES
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz.widgets import QuizWidget

EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")
MANAGER = [NODE_MODULES / "requirejs" / "require.js",
           NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js"]
ANYWIDGET = Path(anywidget.__file__).parent / "nbextension" / "index.js"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quiz widgets</title>
<link rel="icon" href="data:,"><script src="require.js"></script>
<script>require.config({{paths: {{anywidget: "anywidget"}}}});</script>
<script src="embed-amd.js" data-jupyter-widgets-cdn="about:blank#"></script>
<script type="application/vnd.jupyter.widget-state+json">{state}</script></head>
<body><main><div id="cell" style="width: {width}px">
<script type="application/vnd.jupyter.widget-view+json">{view}</script></div></main></body></html>"""
WIDTHS = (320, 640, 1100)
BANK = quizbank.load_all()["ch02"]
# Everything with text a learner must read, and the box that must hold it.
TEXTS = (".tpm-option .widget-label-basic, .tpm-legend .widget-html-content, .tpm-order-item > .widget-label, "
         ".tpm-feedback .widget-html-content, .tpm-numeric > .widget-label, .tpm-score .widget-html-content")


def quiz_state() -> tuple[dict, dict]:
    """ch02's quiz after a few answers, so feedback, icons and a reveal are drawn too."""
    from ipywidgets.embed import embed_data

    quiz = QuizWidget(BANK, seed=1)
    numeric, single = quiz.questions[0], quiz.questions[1]
    numeric.control.value = "7000"
    numeric.check.click()
    single.boxes[1].value = True
    single.check.click()
    single.reveal.click()
    data = embed_data(views=[quiz], drop_defaults=False)  # an anywidget needs its defaults: its view, its code
    return data["manager_state"], data["view_specs"][0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = [str(p) for p in MANAGER if not p.exists()]
    assert not missing, f"{missing}: run `npm ci` (make book does)"
    folder = tmp_path_factory.mktemp("widgets")
    for path in MANAGER:
        shutil.copy(path, folder / path.name)
    shutil.copy(ANYWIDGET, folder / "anywidget.js")
    state, view = quiz_state()
    for width in WIDTHS:
        (folder / f"w{width}.html").write_text(PAGE.format(state=json.dumps(state), view=json.dumps(view),
                                                           width=width), encoding="utf-8")
    with serve(folder) as url:
        yield url


OPTIONS = sum(len(q.options) for q in BANK.questions if isinstance(q, (quizbank.SingleChoice,
                                                                        quizbank.MultipleSelect)))


def open_quiz(page, site, width):
    page.goto(f"{site}/w{width}.html")
    page.wait_for_function(f"document.querySelectorAll('.tpm-jupyter .tpm-option').length === {OPTIONS} && "
                           "document.querySelector('.tpm-jupyter .tpm-score .widget-html-content')",
                           timeout=30_000)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_text_is_fully_visible_and_wraps(page, site, width):
    open_quiz(page, site, width)
    overflowing = page.eval_on_selector_all(TEXTS, """(els, width) => {
        const cell = document.getElementById('cell').getBoundingClientRect();
        return els.filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > cell.right + 1
                               || e.getBoundingClientRect().width < 40)
                  .map(e => [e.className, e.textContent.slice(0, 60), e.scrollWidth, e.clientWidth]);
    }""", width)
    assert overflowing == []
    labels = page.locator(".tpm-option .widget-label-basic")
    assert labels.count() == OPTIONS
    multi_line = page.eval_on_selector_all(".tpm-option .widget-label-basic",
                                           "els => els.filter(e => e.getBoundingClientRect().height > 40).length")
    if width == 320:
        assert multi_line > 10, "long options wrap onto several lines instead of being cut"
    styles = page.eval_on_selector_all(".tpm-option .widget-label-basic, .tpm-order-item > .widget-label",
                                       "els => [...new Set(els.map(e => getComputedStyle(e).whiteSpace))]")
    assert styles == ["normal"]
    assert page.console_errors == []


def test_markdown_is_rendered_not_shown(page, site):
    open_quiz(page, site, 640)
    text = page.locator(".tpm-jupyter").inner_text()
    assert "**" not in text and "`" not in text
    assert page.locator(".tpm-option strong", has_text="Decision needed by 3 October:").count() == 1
    assert page.locator(".tpm-legend strong", has_text="RICE").count() >= 1


def test_options_are_labelled_native_controls_for_the_keyboard(page, site):
    open_quiz(page, site, 640)
    boxes = page.locator(".tpm-option input[type=checkbox]")
    assert boxes.count() == page.locator(".tpm-option").count()
    unlabelled = page.eval_on_selector_all(".tpm-option input", "els => els.filter(e => !e.closest('label') || "
                                           "!e.closest('label').textContent.trim()).length")
    assert unlabelled == 0
    box = page.query_selector_all(".tpm-option input[type=checkbox]:not(:checked)")[-1]
    box.focus()
    page.keyboard.press("Space")
    assert box.evaluate("e => e.checked")
    page.keyboard.press("Tab")  # the last option of its question: next comes Check
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    buttons = page.locator(".tpm-jupyter button", has_text="Check")
    assert buttons.count() == 10


def test_feedback_is_said_in_words_with_a_drawn_symbol_and_no_emoji(page, site):
    open_quiz(page, site, 640)
    body = page.locator("body").inner_text()
    assert not EMOJI.search(body)
    verdicts = page.locator(".tpm-verdict")
    assert verdicts.count() == 2
    assert verdicts.first.inner_text().startswith("Not yet.")
    size = page.eval_on_selector(".tpm-verdict .tpm-icon", "e => [e.offsetWidth, e.offsetHeight, "
                                 "getComputedStyle(e, '::before').borderLeftWidth]")
    assert size[0] >= 10 and size[1] >= 10 and size[2] != "0px"
    assert "Worked answer shown: this question counts as revealed." in body
    assert "Score: 0 of 10 right first time, 0 right after a retry, 1 revealed." in body
