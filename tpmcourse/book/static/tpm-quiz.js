/* Quizzes in the published book: graded in the browser, no kernel, no network.
 * The markup and every text come from tpmcourse/quiz/render.py (already
 * escaped). This script follows the Python package step for step:
 *   parseAnswer  <- tpmcourse/quiz/numbers.py   (one table of cases tests both)
 *   order        <- tpmcourse/quiz/shuffle.py   (same seed, same order)
 *   grade        <- tpmcourse/quiz/score.py
 *   record       <- tpmcourse/quiz/attempts.py  (when the explanation appears)
 * Progress, and the reader's shuffle seed, stay in localStorage (never a
 * cookie, never a server); without storage the seed lasts for one page load. */
(function () {
  "use strict";
  var KEY = "tpmcourse.quiz.v1";
  var SEED = "_seed";
  var STATUSES = ["first", "retry", "revealed"];
  var REVEAL_AFTER = 2;
  var memory = null; // the state when storage is unavailable (file:// in some browsers, private mode)

  function load() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(KEY));
      if (stored && typeof stored === "object") return stored;
      return memory ? JSON.parse(JSON.stringify(memory)) : {};
    } catch (e) {
      return memory ? JSON.parse(JSON.stringify(memory)) : {};
    }
  }
  function save(state) {
    memory = JSON.parse(JSON.stringify(state));
    try { window.localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* kept in memory */ }
  }

  /* ---- shuffle (tpmcourse/quiz/shuffle.py) ---- */
  function fnv1a(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }
  function mulberry32(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) | 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function order(key, n, seed, avoidIdentity) {
    var draw = mulberry32(fnv1a((seed >>> 0) + ":" + key));
    for (;;) {
      var items = [];
      for (var k = 0; k < n; k++) items.push(k);
      for (var i = n - 1; i > 0; i--) {
        var j = Math.floor(draw() * (i + 1));
        var swap = items[i]; items[i] = items[j]; items[j] = swap;
      }
      var identity = items.every(function (v, p) { return v === p; });
      if (!(avoidIdentity && n > 1 && identity)) return items;
    }
  }
  function randomSeed() {
    try {
      var a = new Uint32Array(1);
      window.crypto.getRandomValues(a);
      return a[0];
    } catch (e) {
      return Math.floor(Math.random() * 4294967296) >>> 0;
    }
  }
  function readerSeed() {
    var state = load();
    if (typeof state[SEED] === "number" && isFinite(state[SEED])) return state[SEED] >>> 0;
    state[SEED] = randomSeed();
    save(state);
    return state[SEED];
  }

  /* ---- numbers (tpmcourse/quiz/numbers.py) ---- */
  var WS = "[ \\t\\r\\n\u00a0\u2009\u202f]";
  var TRIM = new RegExp("^" + WS + "+|" + WS + "+$", "g");
  var ANSWER = new RegExp(
    "^([+\\-\u2212]?)[ \u00a0\u2009\u202f]*([$\u20ac\u00a3]?)[ \u00a0\u2009\u202f]*([+\\-\u2212]?)" +
    "([0-9.,\u00a0\u2009\u202f ]*[0-9](?:[0-9.,\u00a0\u2009\u202f ]*[0-9.])?|[.][0-9]+)" +
    "([eE][+\\-]?[0-9]+)?[ \u00a0\u2009\u202f]*([\\s\\S]*)$");
  var PLAIN = /^(?:[0-9]+(?:[.][0-9]*)?|[.][0-9]+)$/;
  var COMMA_GROUPS = /^[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:[.][0-9]+)?$/;
  var SPACE_GROUPS = new RegExp("^[1-9][0-9]{0,2}(?:[ \u00a0\u2009\u202f][0-9]{3})+(?:[.][0-9]+)?$");
  var DECIMAL_COMMA = new RegExp("^(?:[0-9]+|[1-9][0-9]{0,2}(?:[.][0-9]{3})+|[1-9][0-9]{0,2}" +
    "(?:[ \u00a0\u2009\u202f][0-9]{3})+),[0-9]+$");
  var NOT_A_UNIT = new RegExp("[0-9+\\-\u2212.,]");
  var CURRENCY = ["$", "\u20ac", "\u00a3"];

  function words(text) {
    return text.replace(/[ \u00a0\u2009\u202f]+/g, " ").replace(TRIM, "").toLowerCase();
  }
  function parsed(kind, value, message) { return { kind: kind, value: value, message: message }; }

  function parseAnswer(raw, unit, accepted, messages) {
    var bad = parsed("invalid", null, messages.invalid);
    if (raw === null || raw === undefined) return parsed("empty", null, messages.empty);
    if (typeof raw === "number") return isFinite(raw) ? parsed("number", raw, "") : bad;
    if (typeof raw !== "string") return bad;
    var text = raw.replace(TRIM, "");
    if (!text) return parsed("empty", null, messages.empty);
    var m = ANSWER.exec(text);
    if (!m) return bad;
    var sign1 = m[1], currency = m[2], sign2 = m[3], digits = m[4], exponent = m[5] || "", tail = words(m[6]);
    if (sign1 && sign2) return bad;
    var sign = (sign1 || sign2) === "-" || (sign1 || sign2) === "\u2212" ? "-" : "";
    if (tail && (accepted.indexOf(tail) === -1 || (currency && CURRENCY.indexOf(tail) !== -1))) {
      if (NOT_A_UNIT.test(tail)) return bad;
      var name = (unit || "").replace(TRIM, "");
      return parsed("unit", null, name ? messages.unit.replace("{unit}", name) : messages.no_unit);
    }
    if (exponent && !PLAIN.test(digits)) return bad;
    var number;
    if (PLAIN.test(digits)) number = digits;
    else if (COMMA_GROUPS.test(digits)) number = digits.replace(/,/g, "");
    else if (SPACE_GROUPS.test(digits)) number = digits.replace(/[ \u00a0\u2009\u202f]/g, "");
    else if (DECIMAL_COMMA.test(digits)) {
      var suggestion = sign + digits.replace(/[. \u00a0\u2009\u202f]/g, "").replace(",", ".");
      return parsed("ambiguous", null, messages.ambiguous.replace("{suggestion}", suggestion));
    } else return bad;
    var value = Number(sign + number + exponent);
    return isFinite(value) ? parsed("number", value, "") : bad;
  }

  /* ---- grading (tpmcourse/quiz/score.py); feedback is HTML ---- */
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function fillIn(template, values) { // the template is text, the values already HTML
    var out = esc(template);
    Object.keys(values).forEach(function (k) { out = out.split("{" + k + "}").join(values[k]); });
    return out;
  }

  function grade(q, answer, variant, texts) {
    var msg = texts.messages;
    if (q.type === "single") {
      if (answer.length !== 1) return { correct: null, feedback: esc(msg.choose_one) };
      var i = answer[0];
      if (q.correct.indexOf(i) !== -1) return { correct: true, feedback: q.feedback[i] };
      return { correct: false, feedback: q.feedback[i] || esc(msg.no_fit) };
    }
    if (q.type === "multiple") {
      if (!answer.length) return { correct: null, feedback: esc(msg.select_some) };
      var lines = [];
      answer.slice().sort(function (a, b) { return a - b; }).forEach(function (j) {
        if (q.correct.indexOf(j) === -1) lines.push(q.lines[j]);
      });
      var missed = q.correct.filter(function (j) { return answer.indexOf(j) === -1; }).length;
      if (missed) lines.push(missed === 1 ? esc(msg.left_out_1) : fillIn(msg.left_out, { n: String(missed) }));
      return { correct: lines.length === 0, feedback: lines.join(" ") };
    }
    if (q.type === "numeric") {
      var p = parseAnswer(answer, q.unit, q.accepted, texts.numbers);
      if (p.kind !== "number") return { correct: null, feedback: esc(p.message) };
      var v = q.variants[variant] || q.variants[0];
      var value = p.value;
      if (Math.abs(value - v.answer) <= q.tolerance + 1e-9) return { correct: true, feedback: "" };
      for (var h = 0; h < v.hints.length; h++) {
        if (Math.abs(value - v.hints[h].value) <= Math.max(q.tolerance, 1e-9 * Math.abs(v.hints[h].value))) {
          return { correct: false, feedback: v.hints[h].feedback };
        }
      }
      var text = fillIn(msg.too, { direction: value > v.answer ? "high" : "low" });
      var ratio = v.answer ? value / v.answer : null;
      if (ratio && (ratio >= 9.5 || ratio <= 0.105)) text += " " + esc(msg.tenfold);
      return { correct: false, feedback: text };
    }
    var n = q.items.length;
    var byPos = {};
    for (var k = 0; k < answer.length; k++) {
      if (!answer[k].pos) return { correct: null, feedback: fillIn(msg.order_all, { n: String(n) }) };
      if (byPos[answer[k].pos] !== undefined) return { correct: null, feedback: esc(msg.order_once) };
      byPos[answer[k].pos] = answer[k].item;
    }
    var right = 0, first = -1;
    for (var pos = 1; pos <= n; pos++) {
      if (byPos[pos] === pos - 1) right++; else if (first === -1) first = pos;
    }
    if (right === n) return { correct: true, feedback: "" };
    return { correct: false, feedback: fillIn(msg.in_place, {
      right: String(right), n: String(n), first: String(first), item: q.items[byPos[first]] }) };
  }

  /* ---- attempts (tpmcourse/quiz/attempts.py) ---- */
  function fresh(st) {
    st = st && typeof st === "object" ? st : {};
    var status = STATUSES.indexOf(st.status) !== -1 ? st.status : "";
    if (st.status === undefined && st.result === "correct") status = "first"; // stored before attempts counted
    return {
      status: status,
      tries: typeof st.tries === "number" ? st.tries : (st.result ? 1 : 0),
      explained: typeof st.explained === "boolean" ? st.explained : status !== "",
      variant: typeof st.variant === "number" ? st.variant : 0,
      answer: st.answer,
      result: st.result
    };
  }
  function reveal(st) {
    st.explained = true;
    if (!st.status) st.status = "revealed";
  }
  function record(st, result) {
    if (result.correct === null) return;
    st.tries += 1;
    if (result.correct) {
      st.explained = true;
      if (!st.status) st.status = st.tries === 1 ? "first" : "retry";
    } else if (st.tries >= REVEAL_AFTER) {
      reveal(st);
    }
  }

  function feedbackHtml(result, explanation, st, texts) {
    var html = "";
    if (result) {
      var kind = result.correct === true ? "correct" : result.correct === false ? "incorrect" : "ungraded";
      html += "<p class=\"tpm-verdict\" data-verdict=\"" + kind + "\"><span class=\"tpm-icon\" aria-hidden=\"true\"></span>" +
        "<strong>" + esc(texts.headlines[kind]) + "</strong>" + (result.feedback ? " " + result.feedback : "") + "</p>";
    }
    if (st.explained) {
      html += "<p class=\"tpm-why\"><strong>" + esc(texts.labels.why) + "</strong> " + explanation + "</p>";
      if (st.status === "revealed") html += "<p class=\"tpm-revealed-note\">" + esc(texts.revealed) + "</p>";
    }
    return html;
  }

  function fillText(template, values) { // for textContent: nothing to escape
    if (typeof template !== "string") return "";
    return template.replace(/\{([a-z]+)\}/g, function (whole, k) { return k in values ? String(values[k]) : whole; });
  }

  /* ---- the page ---- */
  function readAnswer(root, q) {
    if (q.type === "single" || q.type === "multiple") {
      var picked = [];
      root.querySelectorAll(".tpm-option input").forEach(function (input) {
        if (input.checked) picked.push(Number(input.value));
      });
      return picked.sort(function (a, b) { return a - b; });
    }
    if (q.type === "numeric") return root.querySelector(".tpm-numeric input").value;
    var positions = [];
    root.querySelectorAll(".tpm-order-item").forEach(function (li) {
      positions.push({ item: Number(li.dataset.item), pos: li.querySelector("select").value });
    });
    return positions;
  }

  function writeAnswer(root, q, answer) {
    if (answer === undefined || answer === null) return;
    if (q.type === "single" || q.type === "multiple") {
      if (!Array.isArray(answer)) return;
      root.querySelectorAll(".tpm-option input").forEach(function (input) {
        input.checked = answer.indexOf(Number(input.value)) !== -1;
      });
    } else if (q.type === "numeric") {
      root.querySelector(".tpm-numeric input").value = String(answer);
    } else if (Array.isArray(answer)) {
      root.querySelectorAll(".tpm-order-item").forEach(function (li) {
        answer.forEach(function (a) {
          if (a && a.item === Number(li.dataset.item)) li.querySelector("select").value = a.pos;
        });
      });
    }
  }

  function reorder(root, q, seed) {
    var id = root.dataset.question;
    if (q.type === "single" || q.type === "multiple") {
      var fieldset = root.querySelector("fieldset");
      var byOption = {};
      root.querySelectorAll(".tpm-option").forEach(function (el) { byOption[el.querySelector("input").value] = el; });
      order(id, q.options.length, seed, false).forEach(function (i) {
        if (byOption[i]) fieldset.appendChild(byOption[i]);
      });
    } else if (q.type === "ordering") {
      var list = root.querySelector(".tpm-order");
      var byItem = {};
      root.querySelectorAll(".tpm-order-item").forEach(function (li) { byItem[li.dataset.item] = li; });
      order(id, q.items.length, seed, true).forEach(function (i) {
        if (byItem[i]) list.appendChild(byItem[i]);
      });
    }
  }

  function explanationOf(q, st) {
    return q.type === "numeric" ? (q.variants[st.variant] || q.variants[0]).explanation : q.explanation;
  }

  function initQuiz(section, seed) {
    var script = section.querySelector("script.tpm-quiz-data");
    if (!script) return;
    var data = JSON.parse(script.textContent);
    var roots = [];
    var states = {};
    var stored = load();

    function updateScore() {
      var counts = { first: 0, retry: 0, revealed: 0 };
      roots.forEach(function (root) {
        var st = states[root.dataset.question];
        if (st && counts[st.status] !== undefined) counts[st.status]++;
      });
      var out = section.querySelector(".tpm-score");
      if (!out) return;
      counts.total = roots.length;
      out.textContent = fillText(data.score, counts);
      out.dataset.first = counts.first; out.dataset.retry = counts.retry; out.dataset.revealed = counts.revealed;
    }

    section.querySelectorAll(".tpm-question").forEach(function (root) {
      var id = root.dataset.question;
      var q = data.questions[id];
      if (!q) return;
      roots.push(root);
      var st = fresh(stored[id]);
      if (q.type === "numeric" && !q.variants[st.variant]) st.variant = 0;
      states[id] = st;
      var last = null;
      var check = root.querySelector("button.tpm-check");
      var revealButton = root.querySelector("button.tpm-reveal");
      var newButton = root.querySelector("button.tpm-new");
      var feedback = root.querySelector(".tpm-feedback");

      function show() {
        feedback.innerHTML = feedbackHtml(last, explanationOf(q, st), st, data);
        if (last && last.correct !== null) root.dataset.result = last.correct ? "correct" : "incorrect";
        else delete root.dataset.result;
        if (st.status) root.dataset.status = st.status; else delete root.dataset.status;
        if (revealButton) revealButton.hidden = st.explained;
        if (newButton) newButton.hidden = !(st.explained && q.type === "numeric" && q.variants.length > 1);
        updateScore();
      }
      function keep() {
        var all = load();
        all[id] = { status: st.status, tries: st.tries, explained: st.explained, variant: st.variant,
          answer: st.answer, result: st.result };
        save(all);
      }
      function showVariant() {
        if (q.type !== "numeric") return;
        var prompt = root.querySelector(".tpm-prompt");
        if (prompt) prompt.innerHTML = (q.variants[st.variant] || q.variants[0]).prompt;
      }

      reorder(root, q, seed);
      showVariant();
      if (st.answer !== undefined && st.result) {
        writeAnswer(root, q, st.answer);
        last = grade(q, st.answer, st.variant, data);
      }
      show();

      check.addEventListener("click", function () {
        var answer = readAnswer(root, q);
        last = grade(q, answer, st.variant, data);
        if (last.correct !== null) {
          record(st, last);
          st.answer = answer;
          st.result = last.correct ? "correct" : "incorrect";
          keep();
        }
        show();
      });
      if (revealButton) revealButton.addEventListener("click", function () {
        reveal(st);
        keep();
        show();
        feedback.focus(); // the button is gone: keep keyboard focus beside the explanation
      });
      if (newButton) newButton.addEventListener("click", function () {
        var n = q.variants.length;
        var next = (st.variant + 1 + Math.floor(Math.random() * (n - 1))) % n;
        st.variant = next; st.tries = 0; st.explained = false; st.answer = undefined; st.result = undefined;
        last = null;
        root.querySelector(".tpm-numeric input").value = "";
        showVariant();
        keep();
        show();
        root.querySelector(".tpm-numeric input").focus();
      });
    });
    updateScore();
  }

  function initProgress(table) {
    function refresh() {
      var state = load();
      var totals = { answered: 0, first: 0, retry: 0, revealed: 0, open: 0 };
      table.querySelectorAll("tr[data-questions]").forEach(function (row) {
        var counts = { answered: 0, first: 0, retry: 0, revealed: 0 };
        row.dataset.questions.split(" ").forEach(function (id) {
          if (!state[id]) return;
          var st = fresh(state[id]);
          if (!st.status && !st.tries) return;
          counts.answered++;
          if (st.status) counts[st.status]++; else totals.open++;
        });
        Object.keys(counts).forEach(function (k) {
          var cell = row.querySelector(".tpm-" + k);
          if (cell) cell.textContent = String(counts[k]);
          totals[k] += counts[k];
        });
      });
      var summaryEl = document.querySelector(".tpm-progress-summary");
      if (summaryEl && table.dataset.summary) summaryEl.textContent = fillText(table.dataset.summary, totals);
    }
    var reset = document.querySelector("button.tpm-progress-reset");
    if (reset) reset.addEventListener("click", function () {
      memory = null;
      try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
      refresh();
      var status = document.querySelector(".tpm-progress-status");
      if (status) status.textContent = "Your progress has been cleared.";
    });
    refresh();
  }

  function init() {
    var sections = document.querySelectorAll("section.tpm-quiz");
    if (sections.length) {
      var seed = readerSeed();
      sections.forEach(function (section) { initQuiz(section, seed); });
    }
    document.querySelectorAll("table.tpm-progress").forEach(initProgress);
  }

  // For the tests, which hold these to the Python they mirror.
  window.tpmQuiz = { parseAnswer: parseAnswer, order: order, fnv1a: fnv1a, mulberry32: mulberry32, grade: grade,
    record: record, reveal: reveal, fresh: fresh, feedbackHtml: feedbackHtml, fillText: fillText };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
