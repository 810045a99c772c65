/* jmdi-questions.js: the knowledge checks of the JMDI runtime (docs/architecture.md): one widget
 * per question kind, checking, feedback, the ordering buttons. The core loads it with the first
 * page that has questions (runtime/jmdi-core.js, questionsReady) and hands it what it reads of
 * the session; the core keeps the answers, tells the adapter and saves. Its words are written in
 * at build time (QUESTION_STRINGS). */
(function () {
  "use strict";

  var JMDI = (window.JMDI = window.JMDI || {});

  JMDI.questions = function (core) {
    // The build writes the interface strings of the package's language in for QUESTION_STRINGS
    // (render/runtime_files.py QUESTION_KEYS): the launch page does not carry them.
    var strings = QUESTION_STRINGS;
    var $ = core.$, $$ = core.$$, fmt = core.fmt, escapeHtml = core.escapeHtml, S = function () { return strings; };

    function setupQuestion(form) {
      var q = core.question(form);
      var answer = core.answer(form.getAttribute("data-key"));
      form.jmdiShown = Date.now();
      if (answer) {
        WIDGETS[q.type].write(form, answer.response);
        showResult(form, q, answer, false);
      }
      if (q.type === "matching") {
        $$("select", form).forEach(showChosen); // also what the browser put back on a reload
        form.addEventListener("change", function (event) { showChosen(event.target); });
      }
      if (q.type === "ordering") markEnds($(".jmdi-order", form));
      if (core.mode() === "review") lock(form);
    }

    /* One widget per question kind, keyed by its name (source/question_kinds.py) and reading the
     * form its macro renders (templates/partials/question_kinds.html): read gives the answer string
     * (null: no answer yet), write puts a saved one back, record gives the values of an interaction
     * record. A typed answer (the data has accepted answers and a budget) is right when it matches
     * one of the answers; any other when it is the correct string. */
    function picked(form) {
      var on = $$("input:checked", form).map(function (i) { return i.value; });
      return on.length ? on.sort().join("") : null;
    }

    function pick(form, response) {
      $$("input", form).forEach(function (i) {
        i.checked = response.indexOf(i.value) >= 0;
      });
    }

    function ids(response) {
      return response.split("");
    }

    function normalise(text, caseSensitive) {
      var out = String(text).normalize("NFC").replace(/\s+/g, " ").trim();
      return caseSensitive ? out : out.toLowerCase();
    }

    /* A select cannot wrap: on a phone or in a narrow column it shows the start of a long answer
     * only, and a locked (disabled) one cannot be opened to read the rest. The line under it shows
     * the chosen answer whole; screen readers skip it (aria-hidden), the select says its value. */
    function showChosen(select) {
      var line = select.nextElementSibling;
      if (line && line.classList.contains("jmdi-chosen")) {
        line.textContent = select.value ? select.options[select.selectedIndex].text : "";
      }
    }

    var choice = { read: picked, write: pick, record: ids };
    var WIDGETS = {
      single: choice,
      multiple: choice,
      "true-false": { read: picked, write: pick, record: function (r) { return [r === "t" ? "true" : "false"]; } },
      "fill-in": {
        read: function (form) { return $("input[type=text]", form).value.trim() || null; },
        write: function (form, response) { $("input[type=text]", form).value = response; },
        record: function (response) { return [response]; },
      },
      matching: {
        read: function (form) {
          var chosen = $$("select", form).map(function (s) { return s.value; });
          return chosen.every(Boolean) ? chosen.join("") : null;
        },
        write: function (form, response) {
          $$("select", form).forEach(function (s, i) {
            s.value = response.charAt(i) === "-" ? "" : response.charAt(i);
            showChosen(s);
          });
        },
        record: function (response) {
          return response.split("").map(function (right, i) { return i + 1 + "." + right; });
        },
      },
      ordering: {
        read: function (form) {
          return $$(".jmdi-order li", form).map(function (li) { return li.getAttribute("data-item"); }).join("");
        },
        write: function (form, response) {
          var list = $(".jmdi-order", form);
          response.split("").forEach(function (id) {
            var li = $('li[data-item="' + id + '"]', list);
            if (li) list.appendChild(li);
          });
        },
        record: ids,
      },
    };

    function submit(form) {
      var q = core.question(form);
      var key = form.getAttribute("data-key");
      var answer = core.answer(key) || { response: "", tries: 0, correct: false };
      if (!q || core.isFinal(answer) || !core.open()) return;
      var widget = WIDGETS[q.type];
      var response = widget.read(form);
      var feedback = $(".jmdi-feedback", form);
      if (response === null) {
        feedback.innerHTML = "<p>" + escapeHtml(S().choose_first) + "</p>";
        return;
      }
      // The state keeps what fits the budget the build sized a typed answer for (state_codec.py).
      var kept = q.budget ? core.fitText(response, q.budget) : response;
      if (answer.tries && same(q, kept, answer.response)) {
        // The answer of the last try again (a double click, Enter twice, Check after a resume):
        // no try is counted, its verdict stays, and the learner is told to change it first.
        showResult(form, q, answer, false);
        feedback.insertAdjacentHTML("afterbegin", "<p>" + escapeHtml(S().same_answer) + "</p>");
        return;
      }
      var now = new Date();
      var correct = q.answers
        ? q.answers.some(function (a) { return normalise(a, q.cs) === normalise(response, q.cs); })
        : response === q.correct;
      answer = { response: kept, tries: Math.min(answer.tries + 1, 99), correct: correct };
      var shown = form.jmdiShown;
      form.jmdiShown = Date.now();
      showResult(form, q, answer, true);
      // The core keeps it, adds recorded, attempt and final, tells the adapter and saves at once.
      core.answered(key, answer, {
        id: key,
        type: q.type,
        // the interaction types and the response encoding of the kind (source/question_kinds.py)
        interactionType: q.it,
        interactionType12: q.it12,
        encoding: q.enc,
        response: widget.record(response),
        correctResponse: q.pattern,
        result: correct ? "correct" : "incorrect",
        description: q.desc,
        caseSensitive: !!q.cs,
        timestamp: now,
        latencySeconds: Math.round((now - shown) / 10) / 100,
      });
    }

    /* Whether two answer strings are the same answer: typed ones as they are compared with the
     * accepted answers (spaces, and case unless it counts), the others letter for letter. */
    function same(q, one, other) {
      return q.answers ? normalise(one, q.cs) === normalise(other, q.cs) : one === other;
    }

    function showResult(form, q, answer, announce) {
      var feedback = $(".jmdi-feedback", form);
      var final = core.isFinal(answer);
      // The feedback written for each option chosen, once the answer is final only: on a try
      // that may be followed by another, it would say which options are wrong (tick every box,
      // read, untick those) or name the right one.
      var choice = (final && q.cfb && answer.response.split("").map(function (id) { return q.cfb[id] || ""; }).join("")) || "";
      var html;
      if (answer.correct) {
        html = "<p><strong>" + escapeHtml(S().correct) + "</strong></p>" + choice + q.fb.correct;
      } else if (!final) {
        var attempts = core.attempts();
        var left = attempts > 0 ? " " + fmt(S().tries_left, { n: attempts - answer.tries }) : "";
        // Not right yet, and the authored hint (feedback.hint, a pointer, not the answer); the
        // explanation and the right answer once the tries are used up (issues 14, 15).
        html = "<p><strong>" + escapeHtml(S().try_again) + "</strong>" + escapeHtml(left) + "</p>" + (q.fb.hint || "");
      } else {
        html = "<p><strong>" + escapeHtml(S().incorrect) + "</strong></p>" + choice + q.fb.incorrect +
          '<div class="jmdi-reveal"><p>' + escapeHtml(S().answer_is) + "</p>" + q.reveal + "</div>";
      }
      // A final answer moves the focus to the feedback, which reads it out: its live region stays
      // quiet then, so no verdict is said twice.
      if (final && announce) feedback.setAttribute("aria-live", "off");
      feedback.innerHTML = html;
      form.classList.toggle("jmdi-is-correct", answer.correct);
      form.classList.toggle("jmdi-is-incorrect", !answer.correct);
      if (final) {
        lock(form);
        if (announce) feedback.focus();
      }
    }

    function lock(form) {
      $("fieldset", form).disabled = true;
      var button = $("button[type=submit]", form);
      if (button) button.hidden = true;
    }

    /* The first item cannot move up, the last cannot move down: their buttons say so
     * (aria-disabled, not disabled, so that the focus stays on a button whose item just reached
     * an end). */
    function markEnds(list) {
      var items = $$("li", list);
      items.forEach(function (li, i) {
        $('[data-move="-1"]', li).setAttribute("aria-disabled", String(i === 0));
        $('[data-move="1"]', li).setAttribute("aria-disabled", String(i === items.length - 1));
      });
    }

    function move(button) {
      var li = button.closest("li");
      var list = li.parentNode;
      var step = +button.getAttribute("data-move");
      var sibling = step < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sibling || button.closest("fieldset").disabled) return;
      list.insertBefore(li, step < 0 ? sibling : sibling.nextElementSibling);
      markEnds(list);
      button.focus(); // the item moved with it: the next press moves it on
      var items = $$("li", list);
      var status = $("[data-jmdi-order-status]", button.closest("form"));
      if (status) {
        status.textContent = fmt(S().position, {
          item: $(".jmdi-order-text", li).textContent,
          n: items.indexOf(li) + 1,
          total: items.length,
        });
      }
    }

    return { setup: setupQuestion, submit: submit, move: move };
  };
})();
