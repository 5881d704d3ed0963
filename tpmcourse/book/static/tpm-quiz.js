/* Quizzes in the published book: graded in the browser, no kernel, no network.
 * The markup comes from tpmcourse/quiz/render.py (already escaped); this script
 * only reads answers, grades them like tpmcourse/quiz/score.py, and keeps
 * progress in localStorage (never a cookie, never a server). */
(function () {
  "use strict";
  var KEY = "tpmcourse.quiz.v1";

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function save(state) {
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: keep going */ }
  }

  function parseNumber(raw) {
    if (raw === null || raw === undefined) return null;
    var text = String(raw).trim().replace(/[,_]/g, "").replace(/%$/, "").trim();
    if (!text || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  function readAnswer(root, q) {
    if (q.type === "single" || q.type === "multiple") {
      var picked = [];
      root.querySelectorAll("input").forEach(function (input) {
        if (input.checked) picked.push(Number(input.value));
      });
      return picked;
    }
    if (q.type === "numeric") return root.querySelector("input").value;
    var positions = [];
    root.querySelectorAll(".tpm-order-item").forEach(function (li) {
      positions.push({ item: Number(li.dataset.item), pos: li.querySelector("select").value });
    });
    return positions;
  }

  function writeAnswer(root, q, answer) {
    if (q.type === "single" || q.type === "multiple") {
      root.querySelectorAll("input").forEach(function (input) {
        input.checked = answer.indexOf(Number(input.value)) !== -1;
      });
    } else if (q.type === "numeric") {
      root.querySelector("input").value = answer;
    } else {
      root.querySelectorAll(".tpm-order-item").forEach(function (li) {
        answer.forEach(function (a) {
          if (a.item === Number(li.dataset.item)) li.querySelector("select").value = a.pos;
        });
      });
    }
  }

  function plain(html) {
    var div = document.createElement("div");
    div.innerHTML = html;
    return div.textContent;
  }

  function grade(q, answer) {
    if (q.type === "single") {
      if (answer.length !== 1) return { correct: null, feedback: "Choose one option, then press Check." };
      var i = answer[0];
      if (q.correct.indexOf(i) !== -1) return { correct: true, feedback: q.feedback[i] };
      return { correct: false, feedback: q.feedback[i] || "That option does not fit: reread the question and the options." };
    }
    if (q.type === "multiple") {
      if (!answer.length) return { correct: null, feedback: "Select every option that applies, then press Check." };
      var lines = [];
      answer.slice().sort(function (a, b) { return a - b; }).forEach(function (j) {
        if (q.correct.indexOf(j) === -1) {
          lines.push("\u201c" + q.options[j] + "\u201d does not belong" + (q.feedback[j] ? ": " + q.feedback[j] : "."));
        }
      });
      var missed = q.correct.filter(function (j) { return answer.indexOf(j) === -1; }).length;
      if (missed) lines.push("You left out " + missed + " option" + (missed > 1 ? "s" : "") + " that belong.");
      return { correct: lines.length === 0, feedback: lines.join(" ") };
    }
    if (q.type === "numeric") {
      var value = parseNumber(answer);
      if (value === null) return { correct: null, feedback: "Enter a number (digits only, e.g. 1920 or 12.5), then press Check." };
      if (Math.abs(value - q.answer) <= q.tolerance + 1e-9) return { correct: true, feedback: "" };
      for (var h = 0; h < q.hints.length; h++) {
        if (Math.abs(value - q.hints[h].value) <= Math.max(q.tolerance, 1e-9 * Math.abs(q.hints[h].value))) {
          return { correct: false, feedback: q.hints[h].feedback };
        }
      }
      var ratio = q.answer ? value / q.answer : null;
      var extra = ratio && (ratio >= 9.5 || ratio <= 0.105) ? " It is off by about a factor of ten or more: check units and percentages." : "";
      return { correct: false, feedback: "Your answer is too " + (value > q.answer ? "high" : "low") + "." + extra };
    }
    var n = q.items.length;
    var byPos = {};
    for (var k = 0; k < answer.length; k++) {
      if (!answer[k].pos) return { correct: null, feedback: "Put all " + n + " items in order, then press Check." };
      if (byPos[answer[k].pos] !== undefined) return { correct: null, feedback: "Give each item its own position: each position can be used once." };
      byPos[answer[k].pos] = answer[k].item;
    }
    var right = 0, first = -1;
    for (var p = 1; p <= n; p++) {
      if (byPos[p] === p - 1) right++; else if (first === -1) first = p;
    }
    if (right === n) return { correct: true, feedback: "" };
    return { correct: false, feedback: right + " of " + n + " items are in the right place. Position " + first +
      " should not be \u201c" + plain(q.items[byPos[first]]) + "\u201d." };
  }

  function showResult(root, q, result, data) {
    var ok = result.correct === true;
    root.dataset.result = ok ? "correct" : "incorrect";
    var head = result.correct === null ? "\u2754 No answer yet." : ok ? data.correct : data.incorrect;
    var html = "<strong>" + head + "</strong>";
    if (result.feedback) html += " " + result.feedback;
    if (result.correct !== null) html += " <span class=\"tpm-why\"><em>Why:</em> " + q.explanation + "</span>";
    root.querySelector(".tpm-feedback").innerHTML = html;
  }

  function updateScore(section) {
    var n = section.querySelectorAll('.tpm-question[data-result="correct"]').length;
    var out = section.querySelector(".tpm-score-value");
    if (out) out.textContent = String(n);
  }

  function initQuiz(section) {
    var script = section.querySelector("script.tpm-quiz-data");
    if (!script) return;
    var data = JSON.parse(script.textContent);
    var state = load();
    section.querySelectorAll(".tpm-question").forEach(function (root) {
      var id = root.dataset.question;
      var q = data.questions[id];
      if (!q) return;
      root.querySelector("button.tpm-check").addEventListener("click", function () {
        var answer = readAnswer(root, q);
        var result = grade(q, answer);
        showResult(root, q, result, data);
        if (result.correct !== null) {
          var s = load();
          s[id] = { answer: answer, result: result.correct ? "correct" : "incorrect" };
          save(s);
        }
        updateScore(section);
      });
      if (state[id]) {
        writeAnswer(root, q, state[id].answer);
        showResult(root, q, grade(q, state[id].answer), data);
      }
    });
    updateScore(section);
  }

  function initProgress(table) {
    function refresh() {
      var state = load();
      var totals = { answered: 0, correct: 0 };
      table.querySelectorAll("tr[data-questions]").forEach(function (row) {
        var ids = row.dataset.questions.split(" ");
        var answered = 0, correct = 0;
        ids.forEach(function (id) {
          if (state[id]) { answered++; if (state[id].result === "correct") correct++; }
        });
        row.querySelector(".tpm-answered").textContent = String(answered);
        row.querySelector(".tpm-correct").textContent = String(correct);
        totals.answered += answered; totals.correct += correct;
      });
      var summary = document.querySelector(".tpm-progress-summary");
      if (summary) summary.textContent = "You have answered " + totals.answered + " questions, " + totals.correct + " of them correctly.";
    }
    var reset = document.querySelector("button.tpm-progress-reset");
    if (reset) reset.addEventListener("click", function () {
      try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
      refresh();
      var status = document.querySelector(".tpm-progress-status");
      if (status) status.textContent = "Your progress has been cleared.";
    });
    refresh();
  }

  function init() {
    document.querySelectorAll("section.tpm-quiz").forEach(initQuiz);
    document.querySelectorAll("table.tpm-progress").forEach(initProgress);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
