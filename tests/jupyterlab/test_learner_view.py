"""What a learner sees after opening a chapter notebook in a real JupyterLab.

One chapter (02, whose quiz has single-choice, multiple-select, numeric and
ordering questions) is opened in the JupyterLab started by conftest.py, as
the learner edition a learner gets (tpmcourse/content/learner_edition.py), its
outputs are cleared and every cell is run from the menus, as a learner would.
Then:

- the MyST in its Markdown cells is rendered by jupyterlab-myst: no role,
  directive or target is left as raw source, the admonition, exercises and
  solutions are boxes, and the math is typeset;
- the quiz is fully readable at two window widths: no prompt or option runs
  past the output area or is cut off;
- each kind of question can be answered with the mouse or the keyboard, and
  the feedback says the right thing;
- its citations read "Author (Year)" with the full reference a hover away,
  no citation is "not found" or shown as its key, a link to another chapter
  opens that chapter's notebook, and a glossary term shows its definition.
  The same checks on the repository's own notebook fail (strict xfail): that
  is what the learner edition fixes.

Elements are found the way a reader finds them: by role, label and text.
A question is the largest element that holds its prompt and exactly one
Check button; its feedback is the text that appears in it after Check.
"""

from __future__ import annotations

import difflib
import html
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from jupyterlab_server import *  # noqa: F403  (its fixtures: jupyterlab, repository_leftovers)
from jupyterlab_server import LAUNCH_FOLDER, SOURCE_FOLDER
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tpmcourse.book.learner_downloads import published_url
from tpmcourse.content import learner_edition
from tpmcourse.paths import CHAPTERS, COURSE
from tpmcourse.quiz import bank as quizbank
from tpmcourse.quiz import render as quizhtml

pytestmark = pytest.mark.browser

CHAPTER = "02_responsibilities.ipynb"
BANK = quizbank.load_bank(COURSE / "quizzes" / "ch02.yml")
QUESTIONS = {q.id: q for q in BANK.questions}
# What the chapter's source says its Markdown holds, for the rendered page to show.
SOURCE = "\n\n".join("".join(cell["source"]) for cell in json.loads((CHAPTERS / CHAPTER).read_text(encoding="utf-8"))[
    "cells"] if cell["cell_type"] == "markdown")
# Options first: their Markdown is what ipywidgets' own labels cannot render.
BANK_TEXT = "\n".join([o.text for q in BANK.questions for o in getattr(q, "options", [])]
                      + [q.prompt for q in BANK.questions])
WIDTHS = (1280, 700)
KERNEL_TIMEOUT = 90_000  # ms
RUN_TIMEOUT = 180_000  # ms: every cell of the chapter, on a busy 2-core machine
RENDER_TIMEOUT = 10_000  # ms: a Markdown cell scrolled into view is rendered
FEEDBACK_TIMEOUT = 20.0  # s: a Check goes to the kernel and back

# Raw MyST a learner must never see in a rendered Markdown cell.
RAW_MYST = {
    # {term}`x`: with the backticks, or without them where plain Markdown made `x` code
    "role": re.compile(r"\{[a-z][\w:.-]*\}(?=\S)"),
    "directive": re.compile(r"(`{3,}|:{3,})\s*\{[a-z]"),
    "target": re.compile(r"^\s*\([\w.:-]+\)=\s*$", re.MULTILINE),
    "directive option": re.compile(r"^\s*:(class|label|name):", re.MULTILINE),
    "escaped dollar": re.compile(r"\\\$"),
}
# jupyterlab-myst 2.7.0's Markdown cell has no `renderedInput`, which JupyterLab's cell toolbar
# reads when it checks whether it overlaps a rendered Markdown cell (JupyterLab 4.5 and 4.6 alike):
# a TypeError in the console and, at worst, a cell toolbar drawn over the cell's first line.
KNOWN_ERRORS = re.compile(r"reading 'node'\)\n.*\bat \S*_markdownOverlapsToolbar\b")
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")
ACTIVE_KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}"""
NOTHING_RUNNING = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const prompts = [...panel.node.querySelectorAll('.jp-InputPrompt')];
    return !!kernel && kernel.status === 'idle' && !prompts.some(p => p.textContent.includes('*'));
}"""
# Every piece of text in the quiz, and every <label>, must lie inside the output
# area and inside every ancestor that clips or scrolls it: otherwise part of it
# is hidden (cut off, ellipsised, or reachable only by scrolling sideways).
HIDDEN_TEXT = r"""(out) => {
    const box = out.getBoundingClientRect();
    const problems = [];
    const show = (node) => (node.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 70);
    const clips = (el) => {
        const found = [];
        for (let e = el; e; e = e.parentElement) {
            const style = getComputedStyle(e);
            if (style.overflowX !== 'visible' || style.overflowY !== 'visible' || e === out) {
                const r = e.getBoundingClientRect();
                const left = r.left + e.clientLeft, top = r.top + e.clientTop;
                found.push({el: e, left, top,
                            right: left + (e.clientWidth || r.width), bottom: top + (e.clientHeight || r.height),
                            x: style.overflowX !== 'visible' || e === out, y: style.overflowY !== 'visible'});
            }
            if (e === out) break;
        }
        return found;
    };
    const walker = document.createTreeWalker(out, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        if (!rects.length) continue;  // not displayed (a closed select's options, hidden labels)
        for (const clip of clips(node.parentElement)) {
            const bad = rects.find(r => (clip.x && (r.left < clip.left - 1 || r.right > clip.right + 1))
                                        || (clip.y && (r.top < clip.top - 1 || r.bottom > clip.bottom + 1)));
            // one report per piece of text (MathJax, for one, splits a formula into a node per glyph)
            let context = node.parentElement;
            while (context !== out && context.textContent.trim().length < 40) context = context.parentElement;
            if (bad && !seen.has(context)) {
                seen.add(context);
                const what = clip.el === out ? 'the output area' : '<' + clip.el.tagName.toLowerCase() + ' class="'
                    + clip.el.className + '">';
                problems.push(`text "${show(context)}" spans x ${Math.round(bad.left)}..${Math.round(bad.right)},`
                    + ` y ${Math.round(bad.top)}..${Math.round(bad.bottom)}, outside ${what}`
                    + ` (x ${Math.round(clip.left)}..${Math.round(clip.right)},`
                    + ` y ${Math.round(clip.top)}..${Math.round(clip.bottom)})`);
            }
        }
    }
    for (const label of out.querySelectorAll('label')) {
        if (!label.getClientRects().length || !label.textContent.trim()) continue;
        const r = label.getBoundingClientRect();
        if (label.scrollWidth > label.clientWidth + 1 && getComputedStyle(label).display !== 'inline')
            problems.push(`label "${show(label)}" is cut off: scrollWidth ${label.scrollWidth}`
                          + ` > clientWidth ${label.clientWidth}`);
        if (r.right > box.right + 1)
            problems.push(`label "${show(label)}" ends at x ${Math.round(r.right)}, past the output area's`
                          + ` right edge ${Math.round(box.right)}`);
    }
    if (out.scrollWidth > out.clientWidth + 1)
        problems.push(`the output area scrolls sideways: scrollWidth ${out.scrollWidth}`
                      + ` > clientWidth ${out.clientWidth}`);
    return problems;
}"""


def plain(markdown: str, words: int = 7) -> str:
    """A run of words from a bank's Markdown that reads the same however it is
    rendered: no emphasis, code, math, quotes (a renderer may curl them) or
    {placeholders} (a numeric question's numbers change between renders)."""
    segments = re.split(r"[*_`\[\]{}$\\'\"‘’“”]", markdown)
    return " ".join(max(segments, key=len).split()[:words])


def text_of(markdown: str) -> str:
    """The text a reader sees for a bank's Markdown (rendered as the quiz renders it)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", quizhtml.inline(markdown))).split())


def shown_variant(box, q: quizbank.Numeric):
    """The numbers a numeric question shows in this render: the variant whose prompt is on screen."""
    shown = " ".join(box.inner_text().split())
    for variant in q.all_variants():
        if text_of(variant.prompt) in shown:
            return variant
    pytest.fail(f"{q.id}: none of its {len(q.all_variants())} variants is on screen:\n{shown[:600]}")


def choice(qid: str) -> quizbank.SingleChoice | quizbank.MultipleSelect:
    q = QUESTIONS[qid]
    assert isinstance(q, (quizbank.SingleChoice, quizbank.MultipleSelect)), f"{qid} is no longer a choice question"
    return q


def numeric(qid: str) -> quizbank.Numeric:
    q = QUESTIONS[qid]
    assert isinstance(q, quizbank.Numeric), f"{qid} is no longer a numeric question"
    return q


def xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


@pytest.fixture(scope="module")
def notebook(jupyterlab, browser):
    """Chapter 02 open in JupyterLab at 1280 px, its outputs cleared and every cell run again."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.requests = []
    page.errors = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda exc: page.errors.append(f"{exc}\n{exc.stack}"))
    page.goto(jupyterlab.tree(CHAPTER))
    page.wait_for_function(ACTIVE_KERNEL_IDLE, timeout=KERNEL_TIMEOUT)
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    quiz_output(page).wait_for(timeout=RUN_TIMEOUT)
    page.wait_for_function(NOTHING_RUNNING, timeout=RUN_TIMEOUT)
    yield page
    context.close()


def quiz_output(page):
    """The output area that holds the chapter's quiz (the only one with Check buttons)."""
    return page.locator(".jp-OutputArea-output").filter(
        has=page.get_by_role("button", name="Check", exact=True)).first


def question(page, qid: str):
    """A question: the largest element holding its prompt and exactly one Check button."""
    prompt = xpath_literal(plain(QUESTIONS[qid].prompt))
    check = "*[(self::button or @role='button') and normalize-space(.)='Check']"
    box = quiz_output(page).locator(
        f"xpath=.//*[contains(normalize-space(.), {prompt})][count(.//{check})=1][count(..//{check})>1]")
    box.scroll_into_view_if_needed()
    return box


def option(box, markdown: str):
    """An option's control, by its label: a radio button or a checkbox."""
    words = plain(markdown)
    control = box.get_by_role("radio", name=words).or_(box.get_by_role("checkbox", name=words))
    assert control.count() == 1, f"no radio button or checkbox is labelled “…{words}…”"
    return control


def check_button(box):
    return box.get_by_role("button", name="Check", exact=True)


def wait_for_feedback(box, before: str, action) -> str:
    """Do `action` (a click or a key press on Check) and return the text it added to the question."""
    action()
    deadline = time.monotonic() + FEEDBACK_TIMEOUT
    while (after := box.inner_text()) == before:
        assert time.monotonic() < deadline, "pressing Check changed nothing in the question"
        time.sleep(0.1)
    while True:  # the kernel may send the feedback and the buttons' new state in several messages
        time.sleep(0.25)
        if (settled := box.inner_text()) == after:
            break
        after = settled
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return "\n".join(line[2:] for line in diff if line.startswith("+ "))


def press_check(box) -> str:
    return wait_for_feedback(box, box.inner_text(), check_button(box).click)


def choose(box, markdown: str) -> None:
    """Click an option's text, as a reader does, and see its control checked."""
    words = plain(markdown)
    box.get_by_text(words).first.click()
    assert option(box, markdown).is_checked(), f"clicking “{words}” did not select it"


def tab_to(page, target, presses: int) -> None:
    """Press Tab until `target` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    pytest.fail(f"Tab never reaches {target}")


def set_width(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_timeout(300)  # JupyterLab lays its panels out again after a resize


# -- MyST in the Markdown cells -------------------------------------------------------------


def rendered_markdown(page) -> list[str]:
    """The visible text of every Markdown cell, each scrolled into view (JupyterLab may skip
    laying out cells far from the viewport)."""
    texts = []
    cells = page.locator(".jp-NotebookPanel:visible .jp-MarkdownCell")
    for i in range(cells.count()):
        cell = cells.nth(i)
        cell.scroll_into_view_if_needed()
        # jupyterlab-myst renders a cell into its .myst box once the cell is in view
        cell.locator(".myst").first.wait_for(state="visible", timeout=RENDER_TIMEOUT)
        cell.page.wait_for_function("c => c.querySelector('.myst').innerText.trim() !== ''",
                                    arg=cell.element_handle(), timeout=RENDER_TIMEOUT)
        texts.append(cell.inner_text())
    return texts


def test_no_raw_myst_is_visible_in_markdown_cells(notebook):
    texts = rendered_markdown(notebook)
    assert len(texts) > 10
    found = [f"cell {i}, {kind}: …{text[max(m.start() - 40, 0):m.end() + 40]}…"
             for i, text in enumerate(texts) for kind, pattern in RAW_MYST.items()
             for m in pattern.finditer(text)]
    assert not found, "raw MyST is visible:\n" + "\n".join(found[:20])


def test_directives_render_as_boxes(notebook):
    cells = notebook.locator(".jp-NotebookPanel:visible .jp-MarkdownCell")
    # ```{admonition} Title → a box headed by its title
    title = re.search(r"^(?:`{3,}|:{3,})\{admonition\}[ \t]+(.+)$", SOURCE, re.MULTILINE)
    assert title, f"{CHAPTER} has no admonition left to check"
    admonition = cells.locator("aside, [role=note], [class*=admonition]").filter(has_text=title[1].strip()).first
    admonition.scroll_into_view_if_needed()
    assert admonition.is_visible()
    assert admonition.evaluate("e => e.tagName") not in ("P", "PRE"), "the admonition is not a box"
    # sphinx-exercise's {exercise} with a :label: → a box with that id, titled "Exercise N"
    label = re.search(r"\{exercise\}[^\n]*\n(?::[a-z]+:.*\n)*?:label:[ \t]*(\S+)", SOURCE)
    assert label, f"{CHAPTER} has no labelled exercise left to check"
    exercise = cells.locator(f"[id='{label[1]}']")
    assert exercise.is_visible() and re.match(r"\s*Exercise \d", exercise.inner_text())
    # its {solution} with :class: dropdown → folded until the reader opens it
    solution = cells.locator("details").filter(has_text="Solution to").first
    assert solution.is_visible() and solution.get_attribute("open") is None, "solutions start folded"
    body = solution.locator(":scope > :not(summary)").first
    assert not body.is_visible()
    solution.locator("summary").click()
    assert solution.get_attribute("open") is not None and body.is_visible()
    solution.locator("summary").click()


def test_roles_and_math_render(notebook):
    cells = notebook.locator(".jp-NotebookPanel:visible .jp-MarkdownCell")
    # {term}`name` shows the name; {doc}`Title <target>` is a link named Title
    term = re.search(r"\{term\}`([^`<]+)`", SOURCE)
    doc = re.search(r"\{doc\}`([^`<]+?)\s*<", SOURCE)
    assert term and doc
    assert cells.get_by_text(term[1].strip(), exact=True).filter(visible=True).count() >= 1
    assert cells.get_by_role("link", name=doc[1].strip(), exact=True).count() >= 1
    # $$ RICE = \frac{...}{...} $$ is typeset (KaTeX), not shown as TeX
    if "$$" in SOURCE:
        assert cells.locator(".katex").count() > 0
        assert not any("\\frac" in text or "\\text{" in text for text in rendered_markdown(notebook))


# -- The quiz: readable at any width -----------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_every_prompt_and_option_is_fully_visible(notebook, width):
    set_width(notebook, width)
    try:
        out = quiz_output(notebook)
        out.scroll_into_view_if_needed()
        problems = out.evaluate(HIDDEN_TEXT)
        assert not problems, f"at {width} px, {len(problems)} pieces of quiz text are not fully visible:\n" + \
            "\n".join(problems[:15])
    finally:
        set_width(notebook, WIDTHS[0])


def test_quiz_markdown_is_rendered(notebook):
    out = quiz_output(notebook)
    text = out.inner_text()
    strong = re.search(r"\*\*([^*]+)\*\*", BANK_TEXT)
    em = re.search(r"(?<![*\w])\*([^*\s][^*]*)\*(?![*\w])", BANK_TEXT)
    assert strong and em, "ch02's bank has no **strong** or *emphasis* left to check"
    raw = [marked for marked in ("**", f"*{em[1]}*") if marked in text]
    assert not raw, f"Markdown shown as source in the quiz: {raw}"
    assert out.locator("strong, b").filter(has_text=strong[1]).count() >= 1, f"“{strong[1]}” is not bold"
    assert out.locator("em, i").filter(has_text=em[1]).count() >= 1, f"“{em[1]}” is not emphasised"


def test_dollar_amounts_are_not_typeset_as_mathematics(notebook):
    """Prompts and options say "$90,000 ... $450,000": JupyterLab's typesetter must leave them as text."""
    typeset = quiz_output(notebook).locator("mjx-container, .MathJax, .katex")
    assert typeset.count() == 0, "typeset as mathematics: " + " | ".join(
        " ".join(t.split())[:100] for t in typeset.evaluate_all("els => els.map(e => e.parentElement.textContent)"))


@pytest.mark.xfail(strict=True, reason="ipywidgets 8's Checkbox sets its hover title to the raw description "
                                       "(HTML when an option has Markdown), whatever its tooltip says")
def test_tooltips_show_no_markup(notebook):
    titles = [t for t in quiz_output(notebook).evaluate("o => [...o.querySelectorAll('[title]')].map(e => e.title)")
              if "<" in t or "**" in t]
    assert not titles, f"{len(titles)} tooltips show markup, e.g. {titles[0][:120]!r}"


# -- The quiz: answering each kind of question ------------------------------------------------


def test_single_choice_by_keyboard_only(notebook):
    q = choice("ch02-q2")
    box = question(notebook, q.id)
    right = option(box, next(o.text for o in q.options if o.correct))
    radios, boxes = box.get_by_role("radio"), box.get_by_role("checkbox")
    if radios.count():  # a radio group: arrow keys move and select
        radios.first.focus()
        for _ in range(len(q.options)):
            if right.is_checked():
                break
            before = [radios.nth(i).is_checked() for i in range(radios.count())]
            notebook.keyboard.press("ArrowDown")
            after = [radios.nth(i).is_checked() for i in range(radios.count())]
            assert after != before, "ArrowDown does not move between the options (are they one radio group?)"
    else:  # one checkbox per option: Tab moves, Space ticks
        assert boxes.count() == len(q.options)
        boxes.first.focus()
        if not right.evaluate("e => e === document.activeElement"):
            tab_to(notebook, right, len(q.options))
        notebook.keyboard.press("Space")
    assert right.is_checked()
    tab_to(notebook, check_button(box), len(q.options) + 2)
    feedback = wait_for_feedback(box, box.inner_text(), lambda: notebook.keyboard.press("Enter"))
    assert "Correct" in feedback, feedback


def test_single_choice_feedback_is_words_with_an_icon(notebook):
    q = choice("ch02-q3")
    box = question(notebook, q.id)
    wrong = next(o for o in q.options if not o.correct)
    choose(box, wrong.text)
    feedback = press_check(box)
    assert "Not yet" in feedback and plain(wrong.feedback or "") in feedback, feedback
    right = next(o for o in q.options if o.correct)
    choose(box, right.text)
    # The kernel unticks the other option (one round trip: on a loaded machine, not at once).
    expect(option(box, wrong.text), "two options of a single-choice question stay ticked").not_to_be_checked(
        timeout=FEEDBACK_TIMEOUT * 1000)
    feedback = press_check(box)
    assert "Correct" in feedback, feedback
    assert not EMOJI.search(box.inner_text()), f"the feedback uses emoji: {feedback!r}"
    icons = box.locator("svg, [aria-hidden=true]").filter(visible=True)
    assert icons.count() > 0, "no icon beside the words"


def test_multiple_select(notebook):
    q = choice("ch02-q4")
    box = question(notebook, q.id)
    for o in q.options:
        if o.correct:
            choose(box, o.text)
    feedback = press_check(box)
    assert "Correct" in feedback, feedback


def test_ordering(notebook):
    q = QUESTIONS["ch02-q8"]
    assert isinstance(q, quizbank.Ordering)
    box = question(notebook, q.id)
    for position, item in enumerate(q.items, start=1):  # the bank lists the items in the right order
        select = box.get_by_role("combobox", name=plain(item))
        assert select.count() == 1, f"no list is labelled “{item}”"
        select.select_option(label=str(position))
    feedback = press_check(box)
    assert "Correct" in feedback, feedback


KERNEL = """async ({code, expr}) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const reply = await kernel.requestExecute({code, silent: true, store_history: false,
                                              user_expressions: expr ? {v: expr} : {}}).done;
    const v = reply.content.user_expressions.v;
    return !v ? null : v.status === "ok" ? v.data["text/plain"] : `${v.ename}: ${v.evalue}`;
}"""


def held(notebook, field, qid: str) -> str:
    """For a failure's message: the answer the box shows and the one the kernel holds (and checked)."""
    expr = (f"[w.control.value for w in list(__import__('ipywidgets').widgets.widget._instances.values()) "
            f"if getattr(getattr(w, 'question', None), 'id', None) == {qid!r}]")
    kernel = notebook.evaluate(KERNEL, {"code": "", "expr": expr})
    return f"the box shows {field.input_value()!r}; the kernel holds {kernel}"


def test_numeric_hint_then_explanation_on_a_second_wrong_answer(notebook):
    q = numeric("ch02-q1")
    box = question(notebook, q.id)
    shown = shown_variant(box, q)
    field = box.get_by_role("textbox")
    (first, first_hint), (second, second_hint) = shown.hints[:2]
    field.fill(f"{first:g}")
    feedback = press_check(box)
    assert "Not yet" in feedback and plain(first_hint) in feedback, f"{feedback}\n{held(notebook, field, q.id)}"
    assert plain(shown.explanation) not in box.inner_text(), "the explanation is shown after one wrong attempt"
    field.fill(f"{second:g}")
    feedback = press_check(box)
    # Once, under a full suite's load, the second answer was checked as the first.
    # Which side kept the old value, the page or the kernel, is in the message if it happens again.
    assert plain(second_hint) in feedback, f"{feedback}\n{held(notebook, field, q.id)}"
    assert plain(shown.explanation) in box.inner_text(), "a second wrong attempt does not show the explanation"


def test_numeric_comma_decimal_then_the_answer_by_keyboard(notebook):
    q = numeric("ch02-q6")
    box = question(notebook, q.id)
    shown = shown_variant(box, q)
    field = box.get_by_role("textbox")
    field.fill("7,2")
    feedback = press_check(box)
    assert re.search(r"did you mean 7\.2\b", feedback, re.IGNORECASE), feedback
    assert re.search(r"use a point for decimals", feedback, re.IGNORECASE), feedback
    assert "Correct" not in feedback and "Not yet" not in feedback, "“7,2” was graded"
    field.fill("")
    field.press_sequentially(f"{shown.answer:g}")
    tab_to(notebook, check_button(box), 4)
    feedback = wait_for_feedback(box, box.inner_text(), lambda: notebook.keyboard.press("Enter"))
    assert "Correct" in feedback, feedback


# A kernel that takes 0.4 s over each answer it receives: a learner's busy or distant kernel (Binder).
SLOW_ANSWERS = """
import time
from ipywidgets.widgets.widget import _instances
def _tpm_slow(change):
    time.sleep(0.4)
for _w in list(_instances.values()):
    if "tpm-numeric" in getattr(_w, "_dom_classes", ()):
        _w.observe(_tpm_slow, names="value")
"""
FAST_ANSWERS = """
for _w in list(_instances.values()):
    if "tpm-numeric" in getattr(_w, "_dom_classes", ()):
        _w.unobserve(_tpm_slow, names="value")
"""


def test_an_answer_typed_fast_and_checked_at_once_is_the_one_checked(notebook):
    """On a slow kernel, the value the learner typed reaches it before the Check click. When a
    numeric box sent every keystroke, ipywidgets held the later ones back while the kernel was busy
    with the first, the click overtook them, and "12.5" was checked as "1"."""
    q = numeric("ch02-q7")
    box = question(notebook, q.id)
    shown = shown_variant(box, q)
    notebook.evaluate(KERNEL, {"code": SLOW_ANSWERS})
    try:
        field = box.get_by_role("textbox")
        field.press_sequentially(f"{shown.answer:g}")
        feedback = wait_for_feedback(box, box.inner_text(), check_button(box).click)
        assert "Correct" in feedback, feedback
    finally:
        notebook.evaluate(KERNEL, {"code": FAST_ANSWERS})


# The same slowness for every option box: the kernel takes 0.4 s over each tick and untick.
SLOW_OPTIONS = SLOW_ANSWERS.replace('"tpm-numeric"', '"tpm-option"')
FAST_OPTIONS = FAST_ANSWERS.replace('"tpm-numeric"', '"tpm-option"')
# And for every list of an ordering question.
SLOW_LISTS = SLOW_ANSWERS.replace('"tpm-numeric"', '"tpm-order-item"')
FAST_LISTS = FAST_ANSWERS.replace('"tpm-numeric"', '"tpm-order-item"')


def test_an_option_changed_twice_at_once_is_checked_as_it_ends(notebook):
    """While the kernel is busy with a box's first change, ipywidgets holds its second one back and
    sends it once the kernel is idle. A stock Button's click was not held back: it overtook the
    second change, and a box the learner unticked and ticked again was graded unticked."""
    q = choice("ch02-q4")
    box = question(notebook, q.id)
    stray = next(o for o in q.options if not o.correct)
    for o in q.options:  # every right option and one wrong one, whatever an earlier test left
        option(box, o.text).set_checked(o.correct or o is stray)
    notebook.wait_for_function(NOTHING_RUNNING, timeout=KERNEL_TIMEOUT)
    notebook.evaluate(KERNEL, {"code": SLOW_OPTIONS})
    try:
        wrong = option(box, stray.text)
        wrong.click()  # unticked: the kernel spends 0.4 s over it...
        wrong.click()  # ...and ipywidgets holds this tick back meanwhile
        expect(wrong).to_be_checked()
        check_button(box).click()
        verdict = box.locator(".tpm-verdict")
        expect(verdict, "the answer checked is not the one on the page").to_contain_text(
            "Not yet", timeout=FEEDBACK_TIMEOUT * 1000)
        assert plain(stray.text) in verdict.inner_text(), verdict.inner_text()
    finally:
        notebook.evaluate(KERNEL, {"code": FAST_OPTIONS})


def test_a_position_chosen_twice_at_once_is_checked_as_it_ends(notebook):
    """The same race for an ordering question's list: the second choice must reach the kernel first."""
    q = QUESTIONS["ch02-q8"]
    assert isinstance(q, quizbank.Ordering)
    box = question(notebook, q.id)
    lists = [box.get_by_role("combobox", name=plain(item)) for item in q.items]  # the bank's order is right
    for position, select in enumerate(lists, start=1):  # the first two swapped, the rest in place
        select.select_option(label=str({1: 2, 2: 1}.get(position, position)))
    notebook.wait_for_function(NOTHING_RUNNING, timeout=KERNEL_TIMEOUT)
    notebook.evaluate(KERNEL, {"code": SLOW_LISTS})
    try:
        lists[0].select_option(label="1")  # the kernel spends 0.4 s over it...
        lists[0].select_option(label="2")  # ...and ipywidgets holds this back meanwhile
        check_button(box).click()
        verdict = box.locator(".tpm-verdict")
        expect(verdict, "the answer checked is not the one on the page").to_contain_text(
            "Not yet", timeout=FEEDBACK_TIMEOUT * 1000)
        assert f"{len(q.items) - 2} of {len(q.items)} items" in verdict.inner_text(), verdict.inner_text()
    finally:
        notebook.evaluate(KERNEL, {"code": FAST_LISTS})


def test_show_the_worked_answer(notebook):
    q = numeric("ch02-q9")
    box = question(notebook, q.id)
    shown = shown_variant(box, q)
    assert plain(shown.explanation) not in box.inner_text()
    button = box.get_by_role("button", name=re.compile("show the worked answer", re.IGNORECASE))
    assert button.count() == 1, "no “Show the worked answer” button"
    revealed = wait_for_feedback(box, box.inner_text(), button.click)
    assert plain(shown.explanation) in revealed, revealed


LIVE = "[role=status], [role=alert], [aria-live=polite], [aria-live=assertive]"


def test_feedback_and_score_are_announced(notebook):
    """Screen readers read what appears in a live region (role=status or aria-live): the feedback
    after Check, and the score line it changes."""
    q = numeric("ch02-q10")
    box = question(notebook, q.id)
    box.get_by_role("textbox").fill(f"{shown_variant(box, q).answer:g}")
    feedback = press_check(box)
    assert "Correct" in feedback, feedback
    live = box.locator(LIVE)
    assert live.count() == 1, "the feedback is not in one live region"
    assert "Correct" in live.inner_text(), live.inner_text()
    score = quiz_output(notebook).locator(LIVE).filter(has_text="Score:")
    expect(score, "the score line is not a live region").to_have_count(1)


# -- Citations, cross-references and glossary terms ----------------------------------------------

LEARNER = learner_edition.Course(published_url())
CITED = [(m["role"], key.strip()) for m in re.finditer(r"\{(?P<role>cite:[pt])\}`(?P<keys>[^`]+)`", SOURCE)
         for key in m["keys"].split(",")]
TERMS = re.findall(r"\{term\}`([^`]+)`", SOURCE)
CHAPTER_LINK = re.search(r"\{doc\}`(?P<text>[^`<]+?)\s*<(?P<target>\d\d_[a-z_]+)>`", SOURCE)
HOVER_TIMEOUT = 5_000  # ms: a hover card opens after a short delay
EDITIONS = [
    pytest.param("learner", id="learner-edition"),
    pytest.param("source", id="repository-notebook", marks=pytest.mark.xfail(
        strict=True, reason="jupyterlab-myst cannot resolve the book's citations, {doc} links and terms: "
                            "what the learner edition is for")),
]
CURRENT_PATH = "() => { const w = window.jupyterapp.shell.currentWidget; return w && w.context && w.context.path; }"


def label(role: str, key: str) -> str:
    """How a citation reads: "Kohavi et al. (2020)" in the text, "(Kohavi et al., 2020)" in brackets."""
    ref = LEARNER.references[key]
    return f"{ref.names} ({ref.year})" if role == "cite:t" else f"{ref.names}, {ref.year}"


@pytest.fixture(scope="module", params=EDITIONS)
def reading(request, jupyterlab, browser):
    """Chapter 02 open in JupyterLab for reading (nothing run): the learner edition, or the repository's."""
    path = CHAPTER if request.param == "learner" else f"{SOURCE_FOLDER}/{CHAPTER}"
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.goto(jupyterlab.tree(path))
    page.wait_for_function(ACTIVE_KERNEL_IDLE, timeout=KERNEL_TIMEOUT)
    served = json.loads((jupyterlab.root / path).read_text(encoding="utf-8"))["cells"]
    expected = sum(cell["cell_type"] == "markdown" for cell in served)
    # JupyterLab attaches the cells of a long notebook a few at a time
    page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
                           f".jp-MarkdownCell').length >= {expected}", timeout=KERNEL_TIMEOUT)
    page.path = path
    page.texts = rendered_markdown(page)
    yield page
    context.close()


def rendered(page):
    """What jupyterlab-myst rendered in the Markdown cells (not their hidden editors)."""
    return page.locator(".jp-NotebookPanel:visible .jp-MarkdownCell .myst")


def as_title(text: str, words: int) -> str:
    """The first words of a hover card's text (the learner edition's {abbr} titles hold no parentheses)."""
    return " ".join(text.replace("(", "[").replace(")", "]").split()[:words])


def hover_card(page, element, text: str) -> bool:
    """Hover over an element: does a card showing ``text`` appear (jupyterlab-myst's hover card)?"""
    card = page.locator(".hover-card-content").filter(has_text=text)
    element.scroll_into_view_if_needed()
    element.hover()
    try:
        card.first.wait_for(state="visible", timeout=HOVER_TIMEOUT)
        return True
    except PlaywrightTimeout:
        return False
    finally:
        page.mouse.move(0, 0)


def test_citations_read_author_and_year_never_not_found(reading):
    text = "\n".join(reading.texts)
    assert len(CITED) >= 10, f"{CHAPTER} cites too little to check"
    warnings = rendered(reading).locator("[title*='Citation']")
    assert warnings.count() == 0, f"{warnings.count()} citations are marked {warnings.first.get_attribute('title')!r}"
    missing = [label(role, key) for role, key in CITED if label(role, key) not in text]
    assert not missing, f"citations not shown as author and year: {missing[:5]}"
    role, key = CITED[0]
    cited = rendered(reading).get_by_text(label(role, key), exact=True).first
    full = as_title(LEARNER.references[key].text, 6)
    assert hover_card(reading, cited, full), f"hovering over “{label(role, key)}” does not show “{full}…”"
    references = rendered(reading).get_by_role("heading", name="References")
    references.scroll_into_view_if_needed()
    assert references.is_visible()


def test_no_role_or_citation_key_is_shown_as_source(reading):
    text = "\n".join(reading.texts)
    raw = [m[0] for m in RAW_MYST["role"].finditer(text)]
    keys = sorted({key for _, key in CITED if re.search(rf"\b{re.escape(key)}\b", text)})
    assert not raw and not keys, f"shown as source: roles {raw[:5]}, citation keys {keys[:5]}"


def test_a_term_shows_its_definition(reading):
    assert TERMS, f"{CHAPTER} uses no glossary term to check"
    shown, _, name = TERMS[0].partition(" <")
    definition = LEARNER.terms[(name.rstrip(">") or shown).strip().casefold()].definition
    term = rendered(reading).get_by_text(shown.strip(), exact=True).first
    assert term.count(), f"“{shown}” is not shown"
    words = as_title(definition, 8)
    assert hover_card(reading, term, words), f"hovering over “{shown}” does not show its definition “{words}…”"
    described = term.evaluate("e => (e.closest('abbr') || e.querySelector('abbr') || e).getAttribute('aria-label')")
    assert described and words in described, "the term's definition is not its accessible description"


def test_a_link_to_another_chapter_opens_that_notebook(reading):
    assert CHAPTER_LINK, f"{CHAPTER} links no other chapter to check"
    link = rendered(reading).get_by_role("link", name=CHAPTER_LINK["text"], exact=True).first
    assert link.count(), f"no link “{CHAPTER_LINK['text']}”"
    link.scroll_into_view_if_needed()
    link.click()
    target = CHAPTER_LINK["target"] + ".ipynb"
    try:
        # a few seconds at most, under the full suite's load too; the xfail edition waits all of it
        reading.wait_for_function(f"() => ({CURRENT_PATH})() === {json.dumps(target)}", timeout=10_000)
        title = LEARNER.pages[f"chapters/{CHAPTER_LINK['target']}"].title
        heading = reading.locator(".jp-NotebookPanel:visible").get_by_role("heading", name=title).first
        heading.wait_for(state="visible", timeout=20_000)
    except PlaywrightTimeout:
        pytest.fail(f"clicking “{CHAPTER_LINK['text']}” did not open {target} in JupyterLab "
                    f"(the page is at {reading.url}, the open document is {reading.evaluate(CURRENT_PATH)!r})")
    finally:  # back to the chapter, for any test after this one
        if reading.evaluate(CURRENT_PATH) != reading.path:
            reading.evaluate("() => window.jupyterapp.commands.execute('application:close')")


def test_in_the_launch_branch_a_chapter_opens_a_lab_in_the_other_folder(jupyterlab, browser):
    """Binder opens the launch branch, laid out as the repository: a chapter in chapters/ links
    to a lab in exercises/ by ../exercises/…, and JupyterLab follows that link."""
    lab_link = re.search(r"\{doc\}`(?P<text>[^`<]+?)\s*<\.\./exercises/(?P<lab>lab\d_[a-z_]+)>`", SOURCE)
    assert lab_link, f"{CHAPTER} links no lab to check"
    path = f"{LAUNCH_FOLDER}/chapters/{CHAPTER}"
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    try:
        markdown = [cell["source"] for cell in json.loads((jupyterlab.root / path).read_text(encoding="utf-8"))[
            "cells"] if cell["cell_type"] == "markdown"]
        at = next(i for i, source in enumerate(markdown) if f"../exercises/{lab_link['lab']}.ipynb" in "".join(source))
        page.goto(jupyterlab.tree(path))
        cells = page.locator(".jp-NotebookPanel:visible .jp-MarkdownCell")
        page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
                               f".jp-MarkdownCell').length >= {len(markdown)}", timeout=KERNEL_TIMEOUT)
        cells.nth(at).scroll_into_view_if_needed()
        link = cells.nth(at).locator(".myst").get_by_role("link", name=lab_link["text"], exact=True).first
        link.wait_for(state="visible", timeout=RENDER_TIMEOUT)
        target = f"{LAUNCH_FOLDER}/exercises/{lab_link['lab']}.ipynb"
        assert f"/{target}" in (link.get_attribute("href") or "")  # resolved by jupyterlab-myst against the chapter
        link.scroll_into_view_if_needed()
        link.click()
        try:
            page.wait_for_function(f"() => ({CURRENT_PATH})() === {json.dumps(target)}", timeout=10_000)
        except PlaywrightTimeout:
            pytest.fail(f"clicking “{lab_link['text']}” did not open {target} (the open document is "
                        f"{page.evaluate(CURRENT_PATH)!r})")
    finally:
        context.close()


def test_a_link_to_a_page_that_is_no_notebook_goes_to_the_published_book(reading):
    page = re.search(r"\{doc\}`(?P<text>[^`<]+?)\s*<\.\./course/(?P<page>[a-z-]+)>`", SOURCE)
    assert page, f"{CHAPTER} links no book-only page to check"
    link = rendered(reading).get_by_role("link", name=page["text"], exact=True).first
    assert link.count(), f"no link “{page['text']}”"
    assert link.get_attribute("href") == LEARNER.url(f"course/{page['page']}")


# -- Nothing leaves the machine, nothing is left in the repository -----------------------------


def test_the_page_stays_on_this_machine(notebook):
    hosts = {urlsplit(url).hostname for url in notebook.requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, f"requests to other hosts: {sorted(hosts - {'127.0.0.1'})}"


def test_no_uncaught_errors_in_the_page(notebook):
    errors = [e for e in notebook.errors if not KNOWN_ERRORS.search(e)]
    assert errors == [], "\n\n".join(errors)


def test_jupyterlab_writes_nothing_into_the_repository(notebook, jupyterlab, repository_leftovers):
    before, scan = repository_leftovers
    assert scan() - before == set()
    assert jupyterlab.root.exists() and (jupyterlab.root / CHAPTER).exists()

