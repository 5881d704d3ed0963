"""No control in the book moves but changes nothing.

The rule (tpmcourse/book/widgets.py), on sample widget states: which controls
need a kernel, which views become stills, what the page is given instead.
Then the built book, in the system Chromium: on every page, every enabled
form control in the article (not the theme's header, sidebars or search) is
operated as a reader would (a slider by keyboard, a list by choosing another
entry, a button by clicking, a box by typing) and the page must visibly
respond in the control's own area: a quiz question, a cell's output, a code
block, a dropdown. Typing or choosing alone may wait for that area's button
(a quiz's "Check"). A widget's own readout does not count: it is what moved
while Lab 1's ranking did not. Every disabled widget control has the notice
of where it runs beside it.

``TPM_BOOK_HTML`` points the browser tests at a book built elsewhere
(default: ``_build/html``, made by ``make book``).
"""

from __future__ import annotations

import json

import pytest

from browser import BOOK_HTML as HTML
from tpmcourse.book import widgets
from tpmcourse.paths import ROOT

PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
               if "_static" not in p.parts and "_sources" not in p.parts and p.name != "index.html")
MAX_CONTROLS = 600  # per page: a guard against a page that keeps adding controls



# --- the rule, on sample states ------------------------------------------------------------------


def model(name: str, module: str = "@jupyter-widgets/controls", **state) -> dict:
    return {"model_name": name, "model_module": module, "model_module_version": "2.0.0", "state": state}


def ref(mid: str) -> str:
    return f"IPY_MODEL_{mid}"


def sample_state() -> dict:
    """Six displayed views: a Lab-1-like explorer, a jslinked pair, a Play driving a
    slider, a linked slider beside a kernel button, a custom widget with a dropdown,
    and a display-only HTML widget."""
    models = {
        "layout": model("LayoutModel", "@jupyter-widgets/base"),
        # 1. sliders re-ranking a table in the kernel
        "w1": model("FloatSliderModel", description="reach", value=0.2, min=0, max=1, step=0.05,
                    readout_format=".2f", layout=ref("layout"), disabled=False),
        "w2": model("FloatSliderModel", description="effort", value=0.2, min=0, max=1, step=0.05,
                    readout_format=".2f", disabled=False),
        "table": model("HTMLModel", value="<table><tr><td>B-34</td></tr></table>"),
        "explorer": model("VBoxModel", children=[ref("w1"), ref("w2"), ref("table")]),
        # 2. two sliders joined by jslink
        "a": model("IntSliderModel", description="a", value=3, min=0, max=10, step=1, disabled=False),
        "b": model("IntSliderModel", description="b", value=3, min=0, max=10, step=1, disabled=False),
        "ab": model("LinkModel", source=[ref("a"), "value"], target=[ref("b"), "value"]),
        "pair": model("HBoxModel", children=[ref("a"), ref("b")]),
        # 3. a Play widget driving a slider one way (jsdlink)
        "play": model("PlayModel", value=0, disabled=False),
        "driven": model("IntSliderModel", description="frame", value=0, min=0, max=5, step=1, disabled=False),
        "pd": model("DirectionalLinkModel", source=[ref("play"), "value"], target=[ref("driven"), "value"]),
        "player": model("VBoxModel", children=[ref("play"), ref("driven")]),
        # 4. a linked slider beside a button whose handler is in the kernel
        "c": model("IntSliderModel", description="c", value=1, min=0, max=3, step=1, disabled=False),
        "d": model("IntTextModel", description="d", value=1, disabled=False),
        "cd": model("LinkModel", source=[ref("c"), "value"], target=[ref("d"), "value"]),
        "go": model("ButtonModel", description="Run", disabled=False),
        "mixed": model("VBoxModel", children=[ref("c"), ref("d"), ref("go")]),
        # 5. a widget from another library next to a dropdown
        "plot": model("FigureModel", "bqplot"),
        "pick": model("DropdownModel", description="series", _options_labels=["a", "b"], index=1, disabled=False),
        "custom": model("VBoxModel", children=[ref("plot"), ref("pick")]),
        # 6. a display-only widget
        "note": model("HTMLModel", value="<p>Hello</p>"),
    }
    return {"version_major": 2, "version_minor": 0, "state": models}


VIEWS = ["explorer", "pair", "player", "mixed", "custom", "note", "missing"]


def test_kernel_bound_controls_are_those_no_link_drives():
    models = widgets.models(sample_state())
    assert widgets.linked(models) == {"a", "b", "play", "c", "d"}
    # the Play drives `driven`; moved by hand, `driven` drives nothing
    assert widgets.kernel_bound(models) == {"w1", "w2", "driven", "go", "pick"}


def test_each_view_becomes_a_still_or_stays_live_by_the_rule():
    plan = widgets.plan(sample_state(), VIEWS)
    views = {v.model_id: v for v in plan.views}
    assert views["explorer"].still is not None and views["explorer"].kernel_bound == ["w1", "w2"]
    assert views["pair"].still is None and views["pair"].kernel_bound == []
    assert views["player"].still is None and views["player"].kernel_bound == ["driven"]
    assert views["mixed"].still is None and views["mixed"].kernel_bound == ["go"]
    assert views["custom"].still is None and views["custom"].kernel_bound == ["pick"]  # bqplot: not drawn here
    assert views["note"].still is not None and views["note"].kernel_bound == []
    assert views["missing"].still is not None and widgets.NOTICE_CLASS in views["missing"].still
    assert plan.needs_manager
    state = widgets.models(plan.state)
    assert {mid for mid, m in state.items() if m["state"].get("disabled")} == {"w1", "w2", "driven", "go", "pick"}
    assert not widgets.models(sample_state())["w1"]["state"]["disabled"]  # the input is left as it was


def test_a_still_is_disabled_labelled_and_carries_the_notice():
    plan = widgets.plan(sample_state(), ["explorer"])
    still = plan.views[0].still or ""
    assert not plan.needs_manager
    assert still.count('type="range"') == 2 and still.count(" disabled") == 2
    assert still.count('aria-describedby="tpm-widget-note-1"') == 2
    assert widgets.NOTICE in still and '<p class="tpm-widget-note" id="tpm-widget-note-1">' in still
    assert '<label class="tpm-still-label" for="tpm-w-w1">reach</label>' in still
    assert '<output class="tpm-still-readout" for="tpm-w-w1">0.20</output>' in still
    assert "<td>B-34</td>" in still  # the saved table, as the notebook left it


def test_a_display_only_still_has_no_notice():
    still = widgets.plan(sample_state(), ["note"]).views[0].still or ""
    assert "<p>Hello</p>" in still and widgets.NOTICE_CLASS not in still


def test_the_page_body_gets_stills_and_notices_in_place_of_views():
    def script(mid: str) -> str:
        return (f'<script type="application/vnd.jupyter.widget-view+json">'
                f'{json.dumps({"model_id": mid, "version_major": 2, "version_minor": 0})}</script>')

    body = "<div>" + "</div><div>".join(script(v) for v in VIEWS) + "</div>"
    assert widgets.view_ids(body) == VIEWS
    plan = widgets.plan(sample_state(), VIEWS)
    out = widgets.rewrite_body(body, plan)
    assert widgets.view_ids(out) == ["pair", "player", "mixed", "custom"]  # the live ones
    assert out.count(widgets.STILL_CLASS + '"') == 3  # explorer, note, missing
    assert out.count(f'<p class="{widgets.NOTICE_CLASS}"') == 5  # explorer, player, mixed, custom, missing
    assert out.index("tpm-widget-note-4") < out.index(script("mixed"))  # the notice comes first
    assert "</script" not in widgets.state_script_body({"x": "</script>"})


@pytest.mark.parametrize("name, state, shown", [
    ("IntSliderModel", {"value": 7, "min": 0, "max": 9, "step": 1}, 'value="7"'),
    ("FloatLogSliderModel", {"value": 100.0, "min": 0, "max": 4, "base": 10, "step": 0.1}, 'value="2.0"'),
    ("SelectionSliderModel", {"_options_labels": ["lo", "hi"], "index": 1}, ">hi</output>"),
    ("IntRangeSliderModel", {"value": [2, 5], "min": 0, "max": 9, "step": 1}, "2 – 5"),
    ("DropdownModel", {"_options_labels": ["x", "y"], "index": 1}, "<option selected>y</option>"),
    ("SelectMultipleModel", {"_options_labels": ["x", "y"], "index": [0, 1]}, " multiple"),
    ("RadioButtonsModel", {"_options_labels": ["x", "y"], "index": 0}, 'type="radio"'),
    ("ToggleButtonsModel", {"_options_labels": ["x", "y"], "index": 1}, 'aria-pressed="true"'),
    ("CheckboxModel", {"value": True}, " checked"),
    ("ToggleButtonModel", {"value": False}, 'aria-pressed="false"'),
    ("TextModel", {"value": "hi"}, 'value="hi"'),
    ("TextareaModel", {"value": "a <b>", "rows": 3}, "a &lt;b&gt;</textarea>"),
    ("BoundedIntTextModel", {"value": 4, "min": 0, "max": 9}, 'type="number"'),
    ("ButtonModel", {}, "<button"),
    ("DatePickerModel", {"value": {"year": 2026, "month": 0, "date": 31}}, 'value="2026-01-31"'),
    ("ColorPickerModel", {"value": "#336699"}, 'type="color"'),
    ("PlayModel", {"value": 3}, "<button"),
])
def test_every_control_kind_is_drawn_disabled(name, state, shown):
    plan = widgets.plan({"state": {"w": model(name, description="knob", **state)}}, ["w"])
    still = plan.views[0].still or ""
    assert shown in still, still
    assert " disabled" in still and widgets.NOTICE in still
    assert not plan.needs_manager


def test_the_lab_1_explorer_is_a_still():
    """The saved notebook, as the book reads it: its explorer has five sliders
    and a table, no link, so every slider is kernel-bound."""
    notebook = json.loads((ROOT / "exercises" / "lab1_prioritization.ipynb").read_text(encoding="utf-8"))
    state = notebook["metadata"]["widgets"][widgets.STATE_MIME]
    ids = [output["data"][widgets.VIEW_MIME]["model_id"]
           for cell in notebook["cells"] for output in cell.get("outputs", [])
           if widgets.VIEW_MIME in output.get("data", {})]
    plan = widgets.plan(state, ids)
    assert ids and all(v.still for v in plan.views) and not plan.needs_manager
    assert sum(len(v.kernel_bound) for v in plan.views) == 5


def test_quiz_cells_are_not_widgets_in_the_book():
    """A quiz cell keeps a live widget for Jupyter and static HTML for the book:
    the book shows the HTML (nb_mime_priority_overrides), so the rule never sees
    a quiz, and the quiz's own script grades it (operated below)."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    overrides = config["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", "text/html", 5] in overrides
    for chapter in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
        for output in (o for cell in cells for o in cell.get("outputs", [])):
            data = output.get("data", {})
            if widgets.VIEW_MIME in data:
                assert "text/html" in data, f"{chapter.name}: a widget without its HTML for the book"


# --- the built book, in Chromium -----------------------------------------------------------------

PROBE = """
(() => {
  const CONTROLS = "input, select, textarea, button, [role=slider]";
  const AREAS = [".tpm-question", ".tpm-quiz", ".tpm-progress-box", ".tpm-widget-still", ".cell_output",
                 ".highlight", ".dropdown", ".toggle", "details", ".cell", "section", "article"].join(", ");
  const UNITS = ".widget-inline-hbox, .jupyter-widget-inline-hbox, .widget-slider, .jupyter-widget-slider";
  const root = () => document.querySelector("article.bd-article") || document.querySelector("article");
  const disabled = (el) => el.matches(":disabled")
    || !!el.closest("[disabled], [aria-disabled=true], fieldset:disabled");
  const visible = (el) => {  // as Playwright sees it: rendered, with a box, not visibility: hidden
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  };
  const unitOf = (el) => (el.matches("button, input[type=button], input[type=submit]")
    ? null : (el.closest(UNITS) || el));
  function shownText(area, unit) {  // the area's rendered text, outside the control's own unit
    const out = [];
    const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || (unit && unit.contains(parent))) continue;
      if (parent.checkVisibility && !parent.checkVisibility({visibilityProperty: true})) continue;
      out.push(node.textContent);
    }
    return out.join("").replace(/\\s+/g, " ");
  }
  let next = 0;
  window.tpmProbe = {
    fresh() {  // controls not yet operated, enabled and on screen
      const found = [];
      const article = root();
      if (!article) return found;
      article.querySelectorAll(CONTROLS).forEach((el) => {
        if (el.dataset.tpmProbe || disabled(el) || !visible(el)) return;
        if (el.closest("form[action]")) return;  // the theme's search form
        if (el.matches("input[type=hidden]")) return;
        el.dataset.tpmProbe = String(++next);
        found.push({id: next, tag: el.tagName.toLowerCase(), type: (el.getAttribute("type") || "").toLowerCase(),
                    role: el.getAttribute("role") || "", label: (el.getAttribute("aria-label") || el.textContent ||
                    el.value || el.name || "").trim().slice(0, 60)});
      });
      return found;
    },
    ready(id) {  // still there, enabled and shown? If not, it may come back later
      const el = document.querySelector(`[data-tpm-probe="${id}"]`);
      if (!el) return false;
      if (disabled(el) || !visible(el)) { delete el.dataset.tpmProbe; return false; }
      return true;
    },
    watch(id) {  // start watching the control's area
      const el = document.querySelector(`[data-tpm-probe="${id}"]`);
      const area = el.closest(AREAS) || document.body;
      const unit = unitOf(el);
      const state = {el, area, unit, changes: 0, before: shownText(area, unit)};
      state.observer = new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === "attributes" && r.attributeName === "data-tpm-probe") continue;
          const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
          if (unit && target && unit.contains(target)) continue;
          state.changes++;
        }
      });
      state.observer.observe(area, {subtree: true, childList: true, attributes: true, characterData: true});
      window.tpmProbe.current = state;
    },
    responded() {
      const s = window.tpmProbe.current;
      return s.changes > 0 || shownText(s.area, s.unit) !== s.before;
    },
    commit() {  // the area's own button (a quiz's Check), for a control that only sets a value
      const s = window.tpmProbe.current;
      const button = [...s.area.querySelectorAll("button")].find((b) => b !== s.el && !disabled(b) && visible(b));
      if (!button) return false;
      button.click();
      return true;
    },
    stop() { window.tpmProbe.current.observer.disconnect(); },
    begin(id) {  // ready() and, if so, watch(): one round trip
      if (!window.tpmProbe.ready(id)) return false;
      window.tpmProbe.watch(id);
      return true;
    },
    async settle(own, afterButton, alone) {  // whether the area responded (see used_and_answered)
      const probe = window.tpmProbe;
      const within = (ms) => new Promise((resolve) => {
        const start = performance.now();
        const tick = () => {
          if (probe.responded()) resolve(true);
          else if (performance.now() - start > ms) resolve(false);
          else requestAnimationFrame(tick);
        };
        tick();
      });
      let ok = await within(own);
      if (!ok) ok = await within(probe.commit() ? afterButton : alone);
      probe.stop();
      return ok;
    },
    orphans() {  // disabled widget controls without the notice beside them
      const article = root();
      if (!article) return [];
      return [...article.querySelectorAll(CONTROLS)]
        .filter((el) => disabled(el) && el.closest(".tpm-widget-still, .jupyter-widgets, .cell_output"))
        .filter((el) => !el.closest(".tpm-quiz"))
        .filter((el) => {
          const box = el.closest(".tpm-widget-still") || el.closest(".cell_output");
          return !(box && box.querySelector(".tpm-widget-note"));
        })
        .map((el) => el.outerHTML.slice(0, 120));
    },
  };
})();
"""


def operate(page, control: dict) -> None:
    """Use one control as a reader would."""
    el = page.locator(f'[data-tpm-probe="{control["id"]}"]')
    tag, kind = control["tag"], control["type"]
    if control["role"] == "slider" or kind == "range":
        el.focus()
        before = el.get_attribute("aria-valuenow") if control["role"] == "slider" else el.input_value()
        page.keyboard.press("ArrowRight")
        after = el.get_attribute("aria-valuenow") if control["role"] == "slider" else el.input_value()
        if after == before:  # already at its maximum
            page.keyboard.press("ArrowLeft")
    elif tag == "select":
        options = el.locator("option")
        current = el.evaluate("s => s.selectedIndex")
        choices = [i for i in range(options.count()) if i != current and not options.nth(i).is_disabled()]
        assert choices, f"a list with nothing else to choose: {control}"
        el.select_option(index=choices[0])
    elif tag == "button" or kind in ("button", "submit", "reset", "checkbox", "radio"):
        el.click()
    elif tag == "textarea" or kind in ("", "text", "number", "search", "email", "url", "tel", "password"):
        current = el.input_value()
        el.fill(str(int(float(current)) + 1) if current.strip().lstrip("-").replace(".", "", 1).isdigit() else "1")
        if tag != "textarea":
            el.press("Enter")  # what a reader does to submit a value (an ipywidgets box waits for it)
    elif kind == "date":
        el.fill("2026-01-31")
    elif kind == "color":
        el.fill("#336699")
    else:
        pytest.fail(f"the test does not know how to use this control: {control}")


def responded(page, timeout: int = 400) -> bool:
    try:
        page.wait_for_function("window.tpmProbe.responded()", timeout=timeout)
        return True
    except Exception:  # a TimeoutError: nothing changed
        return False


#: How long a control has to answer on its own before its area's button is tried
#: (the page's scripts answer within a frame; a quiz option never does), then how
#: long the area has after the button, or, with no button, in all. OWN_MS only
#: decides when the button is tried, never the verdict: a control that answers
#: later still has the rest of the time. At 20 ms instead of 80, the ten chapters'
#: quizzes take about a quarter less time.
OWN_MS, AFTER_BUTTON_MS, ALONE_MS = 20, 2000, 400


def used_and_answered(page, control: dict) -> bool | None:
    """Operate one control; whether its area visibly responded (None: the control
    is gone, hidden or disabled by an earlier one, and was not used)."""
    if not page.evaluate(f"window.tpmProbe.begin({control['id']})"):
        return None
    operate(page, control)
    return page.evaluate(f"window.tpmProbe.settle({OWN_MS}, {AFTER_BUTTON_MS}, {ALONE_MS})")


@pytest.mark.parametrize("path", PAGES)
def test_every_control_on_the_page_does_something(browser, book_url, path):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=book_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{book_url}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        if page.locator(f'script[type="{widgets.VIEW_MIME}"]').count():
            page.wait_for_selector(".jupyter-widgets", timeout=20_000)  # the manager has drawn the live views
        page.evaluate(PROBE)
        page.evaluate("document.querySelectorAll('article details:not([open])').forEach(d => { d.open = true; })")
        dead, used = [], 0
        while used < MAX_CONTROLS:
            fresh = page.evaluate("window.tpmProbe.fresh()")
            if not fresh:
                break
            for control in fresh:
                answered = used_and_answered(page, control)
                if answered is None:
                    continue  # an earlier control removed, hid or disabled it
                used += 1
                if not answered:
                    dead.append(control)
        print(f"{path}: {used} controls operated")
        assert used < MAX_CONTROLS, f"{path}: more than {MAX_CONTROLS} controls"
        assert not dead, f"{path}: controls that change nothing: {dead}"
        orphans = page.evaluate("window.tpmProbe.orphans()")
        assert not orphans, f"{path}: disabled widget controls without the notice: {orphans}"
        if page.locator(".tpm-quiz .tpm-question").count():
            assert used > 0, f"{path}: a quiz whose controls the test did not reach"
        assert errors == [], f"{path}: {errors}"
    finally:
        context.close()


def test_lab_1_shows_its_explorer_as_a_still_without_the_widget_manager(page, book_url):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{book_url}/exercises/lab1_prioritization.html")
    page.wait_for_load_state("networkidle")
    still = page.locator(".tpm-widget-still")
    assert still.count() == 1
    note = still.locator(".tpm-widget-note")
    assert note.inner_text().startswith("A still: these controls run in Jupyter.")
    sliders = still.locator('input[type="range"]')
    assert sliders.count() == 5
    for i in range(5):
        assert sliders.nth(i).is_disabled()
        assert sliders.nth(i).get_attribute("aria-describedby") == note.get_attribute("id")
    assert still.locator("table tr").count() > 5  # the saved ranking
    assert not [u for u in requested if "embed-amd" in u or "require.js" in u or "widget-state" in u]
    assert page.console_errors == []


def test_a_live_widget_works_and_its_kernel_bound_controls_are_disabled(browser, book_url, tmp_path):
    """The manager's path, on the sample state in a page of its own: the jslinked
    controls work in the page, the kernel-bound button is disabled, the notice
    is above it, and the same probe finds nothing dead."""
    import shutil

    from browser import serve

    views = ["explorer", "pair", "mixed"]
    state = sample_state()
    for custom in ("plot", "pick", "custom"):  # the manager would fetch bqplot, and fail
        del state["state"][custom]
    plan = widgets.plan(state, views)
    assert plan.needs_manager
    body = "".join(f'<div class="cell_output"><script type="{widgets.VIEW_MIME}">'
                   f'{json.dumps({"model_id": v, "version_major": 2, "version_minor": 0})}</script></div>'
                   for v in views)
    vendor = HTML / "_static" / "vendor"
    shutil.copy(vendor / "requirejs" / "require.js", tmp_path)
    shutil.copy(vendor / "jupyter-widgets" / "embed-amd.js", tmp_path)
    shutil.copy(HTML / "_static" / "tpm-widgets-a11y.js", tmp_path)
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Widgets</title>'
        f'<script type="{widgets.STATE_MIME}">{widgets.state_script_body(plan.state)}</script>'
        '<script src="require.js"></script>'
        '<script data-jupyter-widgets-cdn="about:blank#" src="embed-amd.js"></script>'
        '<script src="tpm-widgets-a11y.js"></script></head>'
        f'<body><main><article class="bd-article">{widgets.rewrite_body(body, plan)}</article></main></body></html>',
        encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        with serve(tmp_path) as url:
            page.goto(f"{url}/index.html")
            page.wait_for_selector(".widget-slider [role=slider]", timeout=30_000)
            page.wait_for_function("document.querySelectorAll('[role=slider]').length === 3", timeout=30_000)
            assert page.locator(".tpm-widget-still").count() == 1  # the explorer
            assert page.locator(".tpm-widget-note").count() == 2  # the explorer's, and the one above `mixed`
            run = page.locator("button", has_text="Run")
            assert run.is_disabled()
            note_id = page.locator(".cell_output .tpm-widget-note").nth(1).get_attribute("id")
            page.wait_for_function(f"document.querySelector('button[aria-describedby=\"{note_id}\"]') !== null")
            page.evaluate(PROBE)
            used, dead = 0, []
            for control in page.evaluate("window.tpmProbe.fresh()"):
                page.evaluate(f"window.tpmProbe.watch({control['id']})")
                operate(page, control)
                if not responded(page, timeout=2000):
                    dead.append(control)
                page.evaluate("window.tpmProbe.stop()")
                used += 1
            assert used == 4 and not dead, (used, dead)  # the sliders a, b and c, and the box d
            assert page.evaluate("window.tpmProbe.orphans()") == []
            assert errors == []
    finally:
        page.close()


PROBE_CASES = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Probe</title></head>
<body><main><article class="bd-article">
<section id="readout-only"><h2>A slider that moves only its own readout (Lab 1's old explorer)</h2>
  <div class="widget-slider"><label for="s">weight</label>
    <input id="s" type="range" min="0" max="10" value="3" oninput="this.nextElementSibling.value = this.value">
    <output>3</output></div>
  <table><tr><td>B-34</td></tr></table></section>
<section id="quiz"><h2>An option that answers only through its Check button</h2>
  <div class="tpm-question"><label><input type="radio" name="q"> an option</label>
    <button onclick="this.nextElementSibling.textContent = 'Checked'">Check</button><p></p></div></section>
<section id="dead-check"><h2>An option whose Check button does nothing</h2>
  <div class="tpm-question"><label><input type="radio" name="r"> another option</label>
    <button onclick="void 0">Check it</button></div></section>
<section id="late"><h2>A button that answers after two frames and 60 ms, slower than OWN_MS</h2>
  <button onclick="requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
    this.nextElementSibling.textContent = 'done'; }, 60)))">Late</button><p></p></section>
</article></main></body></html>"""


def test_the_probe_tells_dead_controls_from_live_ones_whatever_own_ms(browser, tmp_path):
    """The verdicts of `used_and_answered` on made-up controls: a readout that moves alone is dead,
    so is an option whose area's button does nothing; an option answered through its Check button
    and a button answering later than OWN_MS are alive."""
    from browser import serve

    (tmp_path / "index.html").write_text(PROBE_CASES, encoding="utf-8")
    page = browser.new_page()
    try:
        with serve(tmp_path) as url:
            page.goto(f"{url}/index.html")
            page.evaluate(PROBE)
            controls = page.evaluate("window.tpmProbe.fresh()")
            verdicts: dict[str, list[bool]] = {}
            for control in controls:
                section = page.evaluate(f"document.querySelector('[data-tpm-probe=\"{control['id']}\"]')"
                                        ".closest('section').id")
                answered = used_and_answered(page, control)
                if answered is not None:
                    verdicts.setdefault(section, []).append(answered)
    finally:
        page.close()
    assert verdicts["readout-only"] == [False]
    assert verdicts["dead-check"][0] is False  # the option: its button answers nothing
    assert verdicts["quiz"][0] is True  # the option, through Check
    assert verdicts["late"] == [True]
