"""Widgets in the published book: no control that moves but changes nothing.

A notebook saved with its widget state shows its ipywidgets in the book,
drawn from that state by the ipywidgets HTML manager, with no kernel behind
them. A control whose effect is computed in the kernel (a slider that
re-ranks a table through an ``observe`` callback, a button with an
``on_click`` handler) would still move there, and change nothing.

The rule, decided at build time from the stored state alone:

- a control (slider, dropdown, checkbox, text box, button, ...) is
  *kernel-bound* unless a ``LinkModel`` joins it to another widget, or a
  ``DirectionalLinkModel`` has it as its source: those links are carried out
  by the page itself (``jslink``/``jsdlink``), so such a control does
  something without a kernel;
- a view (one displayed widget and everything inside it) with no control
  that works without a kernel becomes a *still*: static HTML drawn here from
  the state, its controls disabled, with a one-line notice of where it runs.
  A still needs no script, so a page whose views are all stills loads no
  widget manager at all;
- a view that holds a working control stays live (the manager draws it); its
  kernel-bound controls are disabled in the state the manager reads, and the
  notice goes above it. So does a view holding a widget this module cannot
  draw (a custom widget library, an image): the manager draws it, disabled.

Nothing here knows Sphinx: ``tpmcourse.book.pages`` applies it to each page.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

STATE_MIME = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
REF = "IPY_MODEL_"
# What myst-nb writes where a widget is displayed.
VIEW_SCRIPT = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)

NOTICE = ("A still: these controls run in Jupyter. To use them, open this notebook with the launch "
          "button at the top of the page, or download it.")
NOTICE_CLASS = "tpm-widget-note"
STILL_CLASS = "tpm-widget-still"

# Every ipywidgets control: a widget a reader operates. (Containers such as Tab
# and Accordion switch panels in the page itself, so they are not listed.)
CONTROLS = frozenset({
    "IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "IntRangeSliderModel", "FloatRangeSliderModel",
    "SelectionSliderModel", "SelectionRangeSliderModel", "DropdownModel", "SelectModel", "SelectMultipleModel",
    "RadioButtonsModel", "ToggleButtonsModel", "CheckboxModel", "ToggleButtonModel", "TextModel",
    "TextareaModel", "PasswordModel", "ComboboxModel", "IntTextModel", "FloatTextModel", "BoundedIntTextModel",
    "BoundedFloatTextModel", "ButtonModel", "DatePickerModel", "DatetimeModel", "NaiveDatetimeModel",
    "TimeModel", "ColorPickerModel", "ColorsInputModel", "TagsInputModel", "FloatsInputModel", "IntsInputModel",
    "PlayModel", "FileUploadModel", "ControllerModel",
})
LINKS = frozenset({"LinkModel", "DirectionalLinkModel"})
MODULES = ("@jupyter-widgets/controls", "@jupyter-widgets/base", "@jupyter-widgets/output")


def refs(value: Any) -> Iterator[str]:
    """The model ids a piece of widget state refers to (``"IPY_MODEL_<id>"``)."""
    if isinstance(value, str):
        if value.startswith(REF):
            yield value[len(REF):]
    elif isinstance(value, list | tuple):
        for item in value:
            yield from refs(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from refs(item)


def models(state: dict) -> dict[str, dict]:
    """The models of a notebook's widget state (its ``state`` mapping)."""
    found = state.get("state", {})
    return found if isinstance(found, dict) else {}


def _name(model: dict) -> str:
    return str(model.get("model_name", ""))


def _state(model: dict) -> dict:
    found = model.get("state", {})
    return found if isinstance(found, dict) else {}


def linked(all_models: dict[str, dict]) -> set[str]:
    """Controls a link drives in the page itself: both ends of a ``LinkModel``,
    the source of a ``DirectionalLinkModel``."""
    ends: set[str] = set()
    for model in all_models.values():
        if _name(model) not in LINKS:
            continue
        source = list(refs(_state(model).get("source")))
        target = list(refs(_state(model).get("target")))
        if not source or not target or not all(m in all_models for m in source + target):
            continue  # a link to nothing drives nothing
        ends.update(source)
        if _name(model) == "LinkModel":
            ends.update(target)
    return ends


def kernel_bound(all_models: dict[str, dict]) -> set[str]:
    """The controls that only a kernel makes do anything."""
    working = linked(all_models)
    return {mid for mid, m in all_models.items() if _name(m) in CONTROLS and mid not in working}


def subtree(all_models: dict[str, dict], root: str) -> list[str]:
    """``root`` and every model it refers to, directly or not (children, outputs,
    layouts and styles), each once, in order of discovery."""
    seen: list[str] = []
    stack = [root]
    while stack:
        mid = stack.pop()
        if mid in seen or mid not in all_models:
            continue
        seen.append(mid)
        stack.extend(reversed(list(refs(_state(all_models[mid])))))
        for output in _state(all_models[mid]).get("outputs", []) or []:
            view = (output.get("data") or {}).get(VIEW_MIME) if isinstance(output, dict) else None
            if isinstance(view, dict) and isinstance(view.get("model_id"), str):
                stack.append(view["model_id"])
    return seen


# --- a still: the view drawn as static HTML from its state ---------------------------


class CannotDraw(Exception):
    """A model this module does not draw; the manager draws the view instead."""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _dom_id(mid: str, suffix: str = "") -> str:
    return f"tpm-w-{re.sub(r'[^A-Za-z0-9_-]', '', mid)}{suffix}"


def readout(value: Any, spec: str) -> str:
    """A slider's readout: the widget's d3-style format where Python reads it the same way."""
    try:
        return format(value, spec.strip())
    except (TypeError, ValueError):
        return str(value)


def _hidden(all_models: dict[str, dict], s: dict) -> bool:
    layout = all_models.get(next(iter(refs(s.get("layout"))), ""), {})
    return _state(layout).get("display") == "none" or _state(layout).get("visibility") == "hidden"


@dataclass
class _Drawing:
    all_models: dict[str, dict]
    describedby: str
    drawn: list[str] = field(default_factory=list)

    def control_attrs(self) -> str:
        return f' disabled aria-describedby="{_e(self.describedby)}"' if self.describedby else " disabled"

    def label(self, s: dict, for_id: str) -> str:
        text = s.get("description") or ""
        return f'<label class="tpm-still-label" for="{for_id}">{_e(text)}</label>' if text else ""

    def named(self, s: dict) -> str:
        """An accessible name for a control whose description may be empty."""
        text = s.get("description") or s.get("tooltip") or s.get("description_tooltip") or ""
        return f' aria-label="{_e(text)}"' if text and not s.get("description") else ""

    def row(self, kind: str, inner: str) -> str:
        return f'<div class="tpm-still-row tpm-still-{kind}">{inner}</div>'

    def draw(self, mid: str) -> str:
        model = self.all_models.get(mid)
        if model is None:
            raise CannotDraw(f"model {mid} is not in the saved state")
        if model.get("model_module") not in MODULES or model.get("buffers"):
            raise CannotDraw(f"{model.get('model_module')} {_name(model)}")
        s = _state(model)
        if _hidden(self.all_models, s):
            return ""
        draw = DRAWERS.get(_name(model))
        if draw is None:
            raise CannotDraw(_name(model))
        self.drawn.append(mid)
        return draw(self, mid, s)


def _box(d: _Drawing, mid: str, s: dict) -> str:
    kind = "hbox" if _name(d.all_models[mid]) == "HBoxModel" else "vbox"
    children = "".join(d.draw(c) for c in refs(s.get("children", [])))
    return f'<div class="tpm-still-{kind}">{children}</div>'


def _panels(d: _Drawing, mid: str, s: dict) -> str:
    children = list(refs(s.get("children", [])))
    titles = s.get("titles") or []
    if _name(d.all_models[mid]) == "StackModel":
        index = s.get("selected_index")
        children = [children[index]] if isinstance(index, int) and 0 <= index < len(children) else []
        titles = []
    parts = []
    for i, child in enumerate(children):
        title = titles[i] if i < len(titles) and titles[i] else ""
        heading = f'<p class="tpm-still-title">{_e(title)}</p>' if title else ""
        parts.append(f'<div class="tpm-still-panel">{heading}{d.draw(child)}</div>')
    return f'<div class="tpm-still-vbox">{"".join(parts)}</div>'


def _slider(d: _Drawing, mid: str, s: dict) -> str:
    name = _name(d.all_models[mid])
    dom = _dom_id(mid)
    value, low, high, step = s.get("value", 0), s.get("min", 0), s.get("max", 100), s.get("step", 1)
    spec = s.get("readout_format") or (".3g" if name == "FloatLogSliderModel" else
                                       "d" if name.startswith("Int") else ".2f")
    position = value
    if name == "FloatLogSliderModel":
        base = float(s.get("base", 10))
        position = math.log(value, base) if isinstance(value, int | float) and value > 0 else low
    if name == "SelectionSliderModel":
        labels = s.get("_options_labels") or []
        index = s.get("index") or 0
        value = labels[index] if index < len(labels) else ""
        low, high, step, position, spec = 0, max(len(labels) - 1, 0), 1, index, ""
    shown = readout(value, spec) if spec else str(value)
    slider = (f'<input type="range" id="{dom}" min="{_e(low)}" max="{_e(high)}" step="{_e(step)}" '
              f'value="{_e(position)}"{d.named(s)}{d.control_attrs()}>')
    out = f'<output class="tpm-still-readout" for="{dom}">{_e(shown)}</output>' if s.get("readout", True) else ""
    return d.row("slider", d.label(s, dom) + slider + out)


def _range_slider(d: _Drawing, mid: str, s: dict) -> str:
    name = _name(d.all_models[mid])
    if name == "SelectionRangeSliderModel":
        labels = s.get("_options_labels") or []
        index = s.get("index") or [0, 0]
        ends = [labels[i] if i < len(labels) else "" for i in index]
        positions, low, high, step = list(index), 0, max(len(labels) - 1, 0), 1
        shown = f"{ends[0]} – {ends[1]}"
    else:
        spec = s.get("readout_format") or ("d" if name.startswith("Int") else ".2f")
        positions = list(s.get("value") or [0, 0])
        low, high, step = s.get("min", 0), s.get("max", 100), s.get("step", 1)
        shown = f"{readout(positions[0], spec)} – {readout(positions[1], spec)}"
    description = s.get("description") or ""
    inputs = "".join(
        f'<input type="range" min="{_e(low)}" max="{_e(high)}" step="{_e(step)}" value="{_e(v)}" '
        f'aria-label="{_e(f"{description} ({end})".strip())}"{d.control_attrs()}>'
        for v, end in zip(positions, ("from", "to"), strict=False))
    label = f'<span class="tpm-still-label">{_e(description)}</span>' if description else ""
    out = f'<output class="tpm-still-readout">{_e(shown)}</output>' if s.get("readout", True) else ""
    return d.row("slider", label + inputs + out)


def _select(d: _Drawing, mid: str, s: dict) -> str:
    name = _name(d.all_models[mid])
    dom = _dom_id(mid)
    labels = s.get("_options_labels") or []
    index = s.get("index")
    picked = set(index) if isinstance(index, list | tuple) else {index}
    multiple = name == "SelectMultipleModel"
    if name == "RadioButtonsModel":
        options = "".join(
            f'<label><input type="radio" name="{dom}"{" checked" if i in picked else ""}{d.control_attrs()}> '
            f'{_e(text)}</label>' for i, text in enumerate(labels))
        legend = f'<legend class="tpm-still-label">{_e(s.get("description") or "")}</legend>'
        return d.row("radio", f'<fieldset class="tpm-still-radios">{legend}{options}</fieldset>')
    if name == "ToggleButtonsModel":
        buttons = "".join(
            f'<button type="button" aria-pressed="{"true" if i in picked else "false"}"{d.control_attrs()}>'
            f'{_e(text)}</button>' for i, text in enumerate(labels))
        group = s.get("description") or ""
        return d.row("toggles", (f'<span class="tpm-still-label">{_e(group)}</span>' if group else "")
                     + f'<span role="group" aria-label="{_e(group or "options")}">{buttons}</span>')
    options = "".join(f'<option{" selected" if i in picked else ""}>{_e(text)}</option>'
                      for i, text in enumerate(labels))
    size = f' size="{_e(s.get("rows") or 5)}"' if name in ("SelectModel", "SelectMultipleModel") else ""
    return d.row("select", d.label(s, dom) + f'<select id="{dom}"{" multiple" if multiple else ""}{size}'
                 f'{d.named(s)}{d.control_attrs()}>{options}</select>')


def _checkbox(d: _Drawing, mid: str, s: dict) -> str:
    dom = _dom_id(mid)
    box = f'<input type="checkbox" id="{dom}"{" checked" if s.get("value") else ""}{d.named(s)}{d.control_attrs()}>'
    return d.row("checkbox", box + d.label(s, dom))


def _toggle_button(d: _Drawing, mid: str, s: dict) -> str:
    pressed = "true" if s.get("value") else "false"
    text = s.get("description") or s.get("tooltip") or "toggle"
    return d.row("button", f'<button type="button" aria-pressed="{pressed}"{d.control_attrs()}>{_e(text)}</button>')


def _button(d: _Drawing, mid: str, s: dict) -> str:
    text = s.get("description") or s.get("tooltip") or s.get("icon") or "button"
    return d.row("button", f'<button type="button"{d.control_attrs()}>{_e(text)}</button>')


def _text(d: _Drawing, mid: str, s: dict) -> str:
    name = _name(d.all_models[mid])
    dom = _dom_id(mid)
    value = s.get("value")
    value = "" if value is None else value
    placeholder = s.get("placeholder") or ""
    extra = f' placeholder="{_e(placeholder)}"' if placeholder and placeholder != "\u200b" else ""
    if name == "TextareaModel":
        rows = s.get("rows")
        size = f' rows="{_e(rows)}"' if rows else ""
        field_html = f'<textarea id="{dom}"{size}{extra}{d.named(s)}{d.control_attrs()}>{_e(value)}</textarea>'
    else:
        kind = {"PasswordModel": "password", "IntTextModel": "number", "FloatTextModel": "number",
                "BoundedIntTextModel": "number", "BoundedFloatTextModel": "number"}.get(name, "text")
        limits = "".join(f' {k}="{_e(s[k])}"' for k in ("min", "max", "step")
                         if kind == "number" and s.get(k) is not None)
        field_html = (f'<input type="{kind}" id="{dom}" value="{_e(value)}"{limits}{extra}{d.named(s)}'
                      f'{d.control_attrs()}>')
    return d.row("text", d.label(s, dom) + field_html)


def _date(d: _Drawing, mid: str, s: dict) -> str:
    dom = _dom_id(mid)
    value = s.get("value")
    text = ""
    if isinstance(value, dict) and {"year", "month", "date"} <= set(value):
        text = f"{value['year']:04d}-{value['month'] + 1:02d}-{value['date']:02d}"  # month counts from 0
    elif value is not None:
        raise CannotDraw("a date value in an unknown form")
    return d.row("text", d.label(s, dom) + f'<input type="date" id="{dom}" value="{_e(text)}"{d.named(s)}'
                 f'{d.control_attrs()}>')


def _color(d: _Drawing, mid: str, s: dict) -> str:
    dom = _dom_id(mid)
    value = str(s.get("value") or "")
    kind = "color" if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else "text"
    return d.row("text", d.label(s, dom) + f'<input type="{kind}" id="{dom}" value="{_e(value)}"{d.named(s)}'
                 f'{d.control_attrs()}>')


def _play(d: _Drawing, mid: str, s: dict) -> str:
    label = s.get("description") or "Play"
    return d.row("button", f'<button type="button"{d.control_attrs()}>{_e(label)}</button>'
                 f'<output class="tpm-still-readout">{_e(s.get("value", ""))}</output>')


def _html(d: _Drawing, mid: str, s: dict) -> str:
    label = s.get("description") or ""
    return d.row("html", (f'<span class="tpm-still-label">{_e(label)}</span>' if label else "")
                 + f'<div class="tpm-still-value">{s.get("value") or ""}</div>')  # HTML the notebook produced


def _label(d: _Drawing, mid: str, s: dict) -> str:
    return d.row("html", f'<span>{_e(s.get("value") or "")}</span>')


def _valid(d: _Drawing, mid: str, s: dict) -> str:
    ok = bool(s.get("value"))
    text = "valid" if ok else (s.get("readout") or "invalid")
    return d.row("html", f'<span class="tpm-still-label">{_e(s.get("description") or "")}</span>'
                 f'<span>{"✔" if ok else "✘"} {_e(text)}</span>')


def _progress(d: _Drawing, mid: str, s: dict) -> str:
    dom = _dom_id(mid)
    low, high, value = s.get("min", 0), s.get("max", 100), s.get("value", 0)
    if not all(isinstance(x, int | float) for x in (low, high, value)):
        raise CannotDraw("a progress bar without numbers")
    bar = f'<progress id="{dom}" max="{_e(high - low)}" value="{_e(value - low)}"{d.named(s)}></progress>'
    if not s.get("description"):
        bar = bar.replace("<progress ", f'<progress aria-label="{_e(f"{value} of {high}")}" ', 1)
    return d.row("progress", d.label(s, dom) + bar)


def _output(d: _Drawing, mid: str, s: dict) -> str:
    parts = []
    for output in s.get("outputs") or []:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(f'<pre>{_e(output.get("text", ""))}</pre>')
        elif kind in ("display_data", "execute_result"):
            parts.append(_mime(d, output.get("data") or {}))
        else:
            raise CannotDraw(f"an output of type {kind}")
    return f'<div class="tpm-still-output">{"".join(parts)}</div>'


def _mime(d: _Drawing, data: dict) -> str:
    def text(value: Any) -> str:
        return "".join(value) if isinstance(value, list) else str(value)

    if VIEW_MIME in data:
        return d.draw(str(data[VIEW_MIME].get("model_id", "")))
    if "text/html" in data:
        return text(data["text/html"])
    if "image/svg+xml" in data:
        return text(data["image/svg+xml"])
    if any(mime.startswith("image/") for mime in data):
        raise CannotDraw("an image without alt text")  # the manager draws it, as the notebook did
    if "text/plain" in data:
        return f'<pre>{_e(text(data["text/plain"]))}</pre>'
    raise CannotDraw(f"output of {sorted(data)}")


DRAWERS: dict[str, Callable[[_Drawing, str, dict], str]] = {
    "BoxModel": _box, "HBoxModel": _box, "VBoxModel": _box, "GridBoxModel": _box,
    "AccordionModel": _panels, "TabModel": _panels, "StackModel": _panels,
    "IntSliderModel": _slider, "FloatSliderModel": _slider, "FloatLogSliderModel": _slider,
    "SelectionSliderModel": _slider,
    "IntRangeSliderModel": _range_slider, "FloatRangeSliderModel": _range_slider,
    "SelectionRangeSliderModel": _range_slider,
    "DropdownModel": _select, "SelectModel": _select, "SelectMultipleModel": _select,
    "RadioButtonsModel": _select, "ToggleButtonsModel": _select,
    "CheckboxModel": _checkbox, "ToggleButtonModel": _toggle_button, "ButtonModel": _button,
    "TextModel": _text, "TextareaModel": _text, "PasswordModel": _text, "ComboboxModel": _text,
    "IntTextModel": _text, "FloatTextModel": _text, "BoundedIntTextModel": _text, "BoundedFloatTextModel": _text,
    "DatePickerModel": _date, "ColorPickerModel": _color, "PlayModel": _play,
    "HTMLModel": _html, "HTMLMathModel": _html, "LabelModel": _label, "ValidModel": _valid,
    "IntProgressModel": _progress, "FloatProgressModel": _progress,
    "OutputModel": _output,
}


def notice(note_id: str) -> str:
    return f'<p class="{NOTICE_CLASS}" id="{_e(note_id)}">{_e(NOTICE)}</p>'


def draw_still(all_models: dict[str, dict], root: str, note_id: str) -> str:
    """The view ``root`` as static HTML, its controls disabled and described by
    the notice (``note_id``, empty when the view has no control). Raises
    ``CannotDraw`` for a model this module does not draw."""
    drawing = _Drawing(all_models, note_id)
    body = drawing.draw(root)
    note = notice(note_id) if note_id else ""
    return f'<div class="{STILL_CLASS}" data-model-id="{_e(root)}">{note}<div class="tpm-still">{body}</div></div>'


# --- one page ------------------------------------------------------------------------


@dataclass
class View:
    model_id: str
    still: str | None  # static HTML; None: the manager draws the view
    kernel_bound: list[str]  # the view's controls that need a kernel (disabled either way)
    note_id: str = ""  # the notice's id, when the view has kernel-bound controls


@dataclass
class Plan:
    views: list[View]
    state: dict  # the saved state, every kernel-bound control disabled

    @property
    def needs_manager(self) -> bool:
        return any(v.still is None for v in self.views)


def view_ids(body: str) -> list[str]:
    """The model id of every widget view in a page's HTML, in order."""
    ids = []
    for match in VIEW_SCRIPT.finditer(body):
        try:
            ids.append(str(json.loads(match.group(1))["model_id"]))
        except (ValueError, KeyError, TypeError):
            ids.append("")
    return ids


def plan(state: dict | None, ids: list[str]) -> Plan:
    """What each view on a page becomes, decided from the saved widget state."""
    state = json.loads(json.dumps(state or {"state": {}, "version_major": 2, "version_minor": 0}))
    all_models = models(state)
    bound = kernel_bound(all_models)
    working = {mid for mid, m in all_models.items() if _name(m) in CONTROLS} - bound
    for mid in bound:
        _state(all_models[mid])["disabled"] = True
    views = []
    for n, mid in enumerate(ids):
        note_id = f"tpm-widget-note-{n + 1}"
        if mid not in all_models:  # nothing saved to draw it from: only the notice
            views.append(View(mid, f'<div class="{STILL_CLASS}">{notice(note_id)}</div>', [], note_id))
            continue
        tree = subtree(all_models, mid)
        mine = [m for m in tree if m in bound]
        still = None
        if not (working & set(tree)):
            try:
                still = draw_still(all_models, mid, note_id if mine else "")
            except CannotDraw:
                still = None
        views.append(View(mid, still, mine, note_id if mine else ""))
    return Plan(views, state)


def rewrite_body(body: str, page_plan: Plan) -> str:
    """Put each still in place of its view, and the notice above every live
    view that holds a kernel-bound control."""
    views = iter(page_plan.views)

    def replace(match: re.Match[str]) -> str:
        view = next(views, None)
        if view is None:
            return match.group(0)
        if view.still is not None:
            return view.still
        if view.note_id:
            return notice(view.note_id) + match.group(0)
        return match.group(0)

    return VIEW_SCRIPT.sub(replace, body)


def state_script_body(state: dict) -> str:
    """The state as the manager reads it, safe inside a ``<script>`` element."""
    return json.dumps(state).replace("</", r"<\/")
