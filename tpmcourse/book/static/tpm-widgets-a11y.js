/* The ipywidgets slider's handle is an ARIA slider with no accessible name.
 * Name it after the widget's own visible label once the widget renders. */
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
  function start() {
    if (!document.querySelector('script[type="application/vnd.jupyter.widget-view+json"]')) return;
    nameHandles(document);
    new MutationObserver(function () { nameHandles(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
