/* Live widgets (drawn by the ipywidgets HTML manager; tpmcourse/book/widgets.py
 * turns the others into stills, which need no script).
 * - The slider's handle is an ARIA slider with no accessible name: name it
 *   after the widget's own visible label once the widget renders.
 * - A control the book disabled because it needs a kernel is described by the
 *   notice placed above its widget ("A still: these controls run in Jupyter..."). */
(function () {
  "use strict";
  function nameHandles(root) {
    root.querySelectorAll(".widget-slider, .jupyter-widget-slider").forEach(function (slider) {
      var label = slider.querySelector(".widget-label, .jupyter-widget-label");
      var text = label && label.textContent.trim();
      slider.querySelectorAll('[role="slider"]').forEach(function (handle) {
        if (text && !handle.getAttribute("aria-label") && !handle.getAttribute("aria-labelledby")) {
          handle.setAttribute("aria-label", text);
        }
      });
    });
  }
  function describeDisabled(root) {
    root.querySelectorAll(".tpm-widget-note[id]").forEach(function (note) {
      var output = note.parentElement;
      if (!output) return;
      output.querySelectorAll("input, select, textarea, button, [role=slider]").forEach(function (control) {
        var off = control.disabled || control.closest("[disabled]") || control.getAttribute("aria-disabled") === "true";
        if (off && !control.getAttribute("aria-describedby")) control.setAttribute("aria-describedby", note.id);
      });
    });
  }
  function start() {
    if (!document.querySelector('script[type="application/vnd.jupyter.widget-view+json"]')) return;
    nameHandles(document);
    describeDisabled(document);
    new MutationObserver(function () { nameHandles(document); describeDisabled(document); })
      .observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"] });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
