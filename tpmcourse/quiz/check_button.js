// The quiz's Check button in Jupyter (tpmcourse/quiz/check_button.py).
//
// ipywidgets sends a control's change to the kernel at once, but while the kernel has not yet
// answered that message it holds the control's next change back (the model's `_msg_buffer`), and
// sends it when the kernel goes idle. A button's click is never held back. So a learner who ticks
// and unticks a box (or picks a position twice) within one kernel round trip, then presses Check,
// had the click reach the kernel before the second change: the answer checked was one they had
// already taken back. Nor does sending the change first settle it: ipykernel 7 may handle a comm
// message while another is still in hand. So this button clicks only once the kernel has answered
// every change the learner made to its question's controls (`_pending_msgs` back to 0, nothing
// held back).

const POLL_MS = 10;
const PATIENCE_MS = 30000; // a kernel that has not answered in 30 s is gone: send the click anyway

/** True when the kernel has handled every change made to the models. */
const settled = (models) => models.every((m) => !m._msg_buffer && !(m._pending_msgs > 0));

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-widgets jupyter-button widget-button tpm-check";
  const show = () => {
    button.textContent = model.get("description");
    button.title = model.get("tooltip");
  };
  show();
  model.on("change:description", show);
  model.on("change:tooltip", show);
  button.addEventListener("click", async () => {
    const ids = model.get("controls").map((ref) => ref.replace(/^IPY_MODEL_/, ""));
    const controls = await Promise.all(ids.map((id) => model.widget_manager.get_model(id)));
    const deadline = Date.now() + PATIENCE_MS;
    while (!settled(controls) && Date.now() < deadline) await pause(POLL_MS);
    model.send({ event: "click" });
  });
  // What ipywidgets' DOMWidget.focus() sends from the kernel (after "Show the worked answer").
  model.on("msg:custom", (msg) => {
    if (msg && msg.do === "focus") button.focus();
  });
  el.appendChild(button);
}

export default { render };
