// HTML that a screen reader reads out when it changes (tpmcourse/quiz/live_html.py): ipywidgets'
// HTML widget has no way to be a live region, so the quiz's feedback and score use this instead.
// The HTML comes from the course's own renderer (bank Markdown, raw HTML switched off), as it
// does for ipywidgets' HTML widget, which also sets it as the element's content.

function render({ model, el }) {
  const region = document.createElement("div");
  region.className = "widget-html-content";
  region.setAttribute("aria-live", "polite");
  const show = () => {
    region.innerHTML = model.get("value");
  };
  show();
  model.on("change:value", show);
  el.classList.add("widget-html");
  el.appendChild(region);
}

export default { render };
