/* jmdi-scorm12.js: the SCORM 1.2 adapter of the JMDI runtime (docs/architecture.md).
 * Section numbers cite docs/standards.md. No dependencies. */
(function () {
  "use strict";

  // ---- spec constants (§3) --------------------------------------------------------------------
  var API_NAME = "API", MAX_PARENTS = 7; // §3.1: the ADL sample limit for 1.2
  var MAX_LOCATION = 255, MAX_SUSPEND = 4096, MAX_TEXT = 255; // §3.3, §3.5
  // Project rule: an answer or a status change is committed at once, page changes >= 1 s apart.
  // An LMS may end the session on its own page's beforeunload, before our pagehide (see
  // docs/lms-compatibility.md): whatever waits for a later commit is lost then.
  var COMMIT_GAP_MS = 1000;
  var RESEND_LIMIT = 3; // project rule: a value the LMS refused is offered at most 3 times
  var RETRY_MS = 15000; // a refused commit that no save waits for is tried again after this
  var TYPES = { single: "choice", multiple: "choice", "true-false": "true-false", "fill-in": "fill-in",
    matching: "matching", ordering: "sequencing" }; // §3.5: no long-fill-in, no other in 1.2
  // §3.4 never downgrade: a status is written only if it ranks at least as high as the stored one.
  var RANK = { "": 0, "not attempted": 0, browsed: 1, incomplete: 1, failed: 2, completed: 3, passed: 4 };

  // ---- formats: one tested helper per data type ------------------------------------------------
  function pad(n, width) {
    return String(n).padStart(width, "0");
  }

  /* CMITimespan HHHH:MM:SS.SS (§3.3): 4-digit hours (capped at 9999), 2 decimals. */
  function timespan(seconds) {
    var cs = Math.min(Math.round(Math.max(0, Number(seconds) || 0) * 100), 9999 * 360000 + 359999);
    var s = cs % 6000;
    return pad(Math.floor(cs / 360000), 4) + ":" + pad(Math.floor(cs / 6000) % 60, 2) + ":" +
      pad(Math.floor(s / 100), 2) + "." + pad(s % 100, 2);
  }

  /* CMITime HH:MM:SS (§3.5 interactions.n.time): a time of day, not a date. */
  function timeOfDay(date) {
    var d = new Date(date || Date.now());
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
  }

  /* CMIDecimal: no exponent, at most `places` decimals, no trailing zeros. */
  function decimal(value, places) {
    return String(Number(Number(value).toFixed(places)));
  }

  function oneLine(text, max) {
    return String(text).replace(/\s+/g, " ").trim().slice(0, max);
  }

  /* Responses (§3.5): ids are single characters [0-9a-z] ("a", "c"; matching "1.a"), joined by ",". */
  function response(type, values) {
    values = [].concat(values == null ? [] : values).map(String);
    if (type === "true-false") return values[0] === "true" ? "t" : "f";
    if (type === "fill-in") return oneLine(values[0] || "", MAX_TEXT);
    if (type === "matching") values = values.filter(function (pair) { return /^[0-9a-z]\.[0-9a-z]$/.test(pair); });
    return values.join(",");
  }

  /* One pattern per accepted fill-in answer, one pattern for every other type. */
  function patterns(record) {
    var correct = [].concat(record.correctResponse || []);
    if (record.type !== "fill-in") return [response(record.type, correct)];
    return correct.slice(0, 10).map(function (answer) { return oneLine(answer, MAX_TEXT); });
  }

  // ---- API discovery (§3.1): parents (bounded), then the opener; cross-origin frames are skipped
  function walk(win, name, limit) {
    for (var steps = 0; win && steps <= limit; steps++) {
      try {
        if (win[name]) return win[name];
      } catch (e) { /* another origin: not here */ }
      var parent = null;
      try { parent = win.parent; } catch (e) { /* detached */ }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  function findApi(name, limit) {
    var found = walk(window, name, limit);
    [function () { return window.opener; }, function () { return window.top.opener; }].forEach(function (opener) {
      try {
        if (!found && opener()) found = walk(opener(), name, limit);
      } catch (e) { /* another origin */ }
    });
    return found;
  }

  // ---- the adapter --------------------------------------------------------------------------
  function create(config) {
    config = config || {};
    var api = null, mode = "normal", stored = "";
    var sent = {}; // element -> value the LMS holds (unchanged values are not sent again)
    // interaction id -> index: a question answered again in this session keeps its record, appended
    // at _count. An LMS whose _count is no number (some answer "") gets a journal: one record per
    // try, at the index the tries of recorded questions so far give (restored), so no index is
    // used twice and none is skipped.
    var indexOf = {}, next = 0, journal = false;
    var dirty = false, failed = false, failing = false, finished = false, urgent = false;
    var pending = {}; // element -> {value, tries} the LMS refused: sent again at the next saves
    var lastCommit = 0, timer = null, last = null, waiting = []; // saves that wait for a spaced-out commit

    function call(fn, arg, value) {
      try {
        return String(value === undefined ? api[fn](arg) : api[fn](arg, value));
      } catch (e) {
        return "false";
      }
    }

    function get(element) {
      return call("LMSGetValue", element);
    }

    function set(element, value) {
      value = String(value);
      if (sent[element] === value) return;
      if (call("LMSSetValue", element, value) === "true") {
        sent[element] = value;
        delete pending[element];
        dirty = true;
      } else {
        var before = pending[element];
        pending[element] = { value: value, tries: (before && before.value === value ? before.tries : 0) + 1 };
        failed = true; // reported to the core by save(), which sends it again (at most RESEND_LIMIT times)
      }
    }

    function commitNow() {
      clearTimeout(timer);
      timer = null;
      lastCommit = Date.now();
      failing = call("LMSCommit", "") !== "true";
      if (failing) failed = true;
      else dirty = false;
      if (waiting.length) {
        var ok = !failed;
        failed = false;
        waiting.splice(0).forEach(function (resolve) { resolve(ok); }); // the core retries a refusal
      } else if (failing && !finished) {
        timer = setTimeout(commitNow, RETRY_MS); // no save waits on it (an answer's commit): retry here
      }
    }

    /* Commits now (true) or once the gap since the last commit has passed (false). */
    function commit(urgent) {
      if (urgent || Date.now() - lastCommit >= COMMIT_GAP_MS) {
        commitNow();
        return true;
      }
      if (!timer) timer = setTimeout(commitNow, COMMIT_GAP_MS - (Date.now() - lastCommit));
      return false;
    }

    /* passed or failed once the score is final (the core's scoreFinal), completed until then. */
    function statusOf(snapshot) {
      if (snapshot.completion !== "completed") return "incomplete";
      var judged = snapshot.success === "passed" || snapshot.success === "failed";
      return judged && snapshot.scoreFinal !== false ? snapshot.success : "completed";
    }

    /* Writes the snapshot; true when the lesson status changed. */
    function write(snapshot) {
      last = snapshot;
      var before = sent["cmi.core.lesson_status"];
      var bookmark = String(snapshot.location || ""), text = String(snapshot.stateText || "");
      if (bookmark.length > MAX_LOCATION || text.length > MAX_SUSPEND) failed = true; // never sent over
      else {
        if (bookmark) set("cmi.core.lesson_location", bookmark);
        set("cmi.suspend_data", text);
      }
      if (mode === "review") return false;
      // The time so far goes with every commit: an LMS that ends the session itself still has it.
      set("cmi.core.session_time", timespan(snapshot.sessionSeconds));
      var status = statusOf(snapshot);
      if (mode === "browse" || RANK[status] < RANK[stored]) return false; // browsed was set at start
      // Only a final score is sent: a partial raw score with a mastery score lets Moodle turn an
      // unfinished attempt into "failed" ("mastery score overrides status", §9.1).
      if ((status === "passed" || status === "failed") && snapshot.score) {
        set("cmi.core.score.min", "0"); // min and max before raw, all 0-100 (§3.3)
        set("cmi.core.score.max", "100");
        set("cmi.core.score.raw", decimal(Math.max(0, Math.min(1, Number(snapshot.score.scaled) || 0)) * 100, 2));
      }
      set("cmi.core.lesson_status", status);
      // suspend from the first commit on, so a session the LMS ends itself still resumes; cleared
      // once the course is done (no "normal" in 1.2).
      set("cmi.core.exit", status === "incomplete" ? "suspend" : "");
      return sent["cmi.core.lesson_status"] !== before;
    }

    /* §3.2: values, status, exit, session time, then LMSFinish - once. LMSFinish stores what was
     * set (§3.2), so no LMSCommit comes before it: an LMS that saves by beacon while the page
     * closes (Moodle) has a quota, and a second save there is refused (docs/lms-compatibility.md). */
    function finalSequence(snapshot) {
      if (finished || !api) return;
      finished = true;
      clearTimeout(timer);
      timer = null;
      if (snapshot && mode !== "review") write(snapshot);
      var status = sent["cmi.core.lesson_status"] || stored;
      if (mode !== "review") set("cmi.core.exit", status === "incomplete" ? "suspend" : "");
      if (mode === "review") set("cmi.core.session_time", timespan(snapshot ? snapshot.sessionSeconds : 0));
      var ok = call("LMSFinish", "") === "true";
      waiting.splice(0).forEach(function (resolve) { resolve(ok); });
    }

    /* The core's pagehide handler, registered first, already ended the session synchronously
     * with a fresh snapshot (the LMS may remove the SCO frame, and then no promise callback runs);
     * this one is a safety net for a core that did not, and does nothing after finish. */
    function onPageHide() {
      var core = window.JMDI;
      finalSequence(core && core.snapshot ? core.snapshot() : last);
    }

    function onHidden() {
      if (document.visibilityState === "hidden" && dirty && !finished) commitNow(); // §3.7
    }

    return {
      start: function () {
        api = findApi(API_NAME, MAX_PARENTS);
        if (!api || call("LMSInitialize", "") !== "true") {
          api = null;
          var strings = config.strings || {};
          return Promise.resolve({ state: null, mode: "normal", notice: strings.lms_unavailable, offline: true });
        }
        var lessonMode = get("cmi.core.lesson_mode");
        mode = lessonMode === "browse" || lessonMode === "review" ? lessonMode : "normal";
        stored = sent["cmi.core.lesson_status"] = get("cmi.core.lesson_status");
        var text = (sent["cmi.suspend_data"] = get("cmi.suspend_data"));
        sent["cmi.core.lesson_location"] = get("cmi.core.lesson_location");
        var count = get("cmi.interactions._count");
        if (/^\d+$/.test(count)) next = Number(count);
        else journal = true;
        if (!RANK[stored] && mode !== "review") {
          // §3.4: never leave "not attempted" (some LMSs turn it into completed on finish).
          set("cmi.core.lesson_status", mode === "browse" ? "browsed" : "incomplete");
        }
        // suspend until the course is done (write()), so a session the LMS ends itself resumes
        if (mode === "normal") set("cmi.core.exit", RANK[stored] >= RANK.failed ? "" : "suspend");
        if (dirty) commitNow();
        document.addEventListener("visibilitychange", onHidden);
        window.addEventListener("pagehide", onPageHide);
        // Stored progress is read whatever cmi.core.entry says: some LMSs answer "ab-initio" on
        // every launch and still keep location and suspend data. The core merges it with the
        // browser's copy, so a save never holds less than the LMS gave (docs/lms-compatibility.md).
        // A new attempt in an LMS that honours entry comes with empty suspend data anyway.
        return Promise.resolve({ state: text || null, mode: mode,
          learner: get("cmi.core.student_name") || undefined });
      },

      restored: function (tries) {
        if (journal) next = tries; // each earlier record was one of these tries
      },

      save: function (snapshot) {
        if (!api || finished || mode === "review") return Promise.resolve(true);
        Object.keys(pending).forEach(function (element) { // in the order they were refused
          if (pending[element].tries < RESEND_LIMIT) set(element, pending[element].value);
          else delete pending[element]; // an LMS that never takes it must not block every later save
        });
        var changed = write(snapshot);
        // While the LMS refuses, every save retries at once.
        var now = dirty || failed ? commit(changed || failing || urgent) : true;
        urgent = false;
        // A spaced-out commit decides whether this save reached the LMS: the core learns of a
        // refusal then, tells the learner and tries again.
        if (!now) return new Promise(function (resolve) { waiting.push(resolve); });
        var ok = !failed;
        failed = false;
        return Promise.resolve(ok);
      },

      interaction: function (record) {
        if (!api || finished || mode !== "normal") return;
        // The save that follows this answer commits at once; a page change's commit still waiting
        // for its gap goes now, or that save would queue behind it.
        urgent = true;
        if (timer) commitNow();
        if (!record.recorded) return;
        var id = String(record.id), known = !journal && id in indexOf;
        var prefix = "cmi.interactions." + (known ? indexOf[id] : next) + ".";
        // Moodle posts every record on each save (docs/lms-compatibility.md): only the fields its
        // reports use; no weighting (always 1) or latency.
        if (!known) {
          indexOf[id] = next++; // append at _count; id first, then type (§3.5)
          set(prefix + "id", id);
          set(prefix + "type", TYPES[record.type] || "performance");
          patterns(record).forEach(function (pattern, i) {
            set(prefix + "correct_responses." + i + ".pattern", pattern);
          });
        }
        set(prefix + "time", timeOfDay(record.timestamp));
        set(prefix + "student_response", response(record.type, record.response));
        set(prefix + "result", record.result === "correct" ? "correct" : "wrong"); // "wrong" in 1.2
        // No commit of its own: the core saves right after every answer, and that save commits.
      },

      finish: function (snapshot) {
        finalSequence(snapshot || last);
        return Promise.resolve();
      },
    };
  }

  window.JMDIScorm12 = { findApi: findApi, timespan: timespan, timeOfDay: timeOfDay, response: response,
    patterns: patterns, decimal: decimal };
  if (window.JMDI && window.JMDI.registerAdapter) window.JMDI.registerAdapter("scorm12", create);
})();
