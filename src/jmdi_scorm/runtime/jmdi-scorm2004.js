/* jmdi-scorm2004.js: the SCORM 2004 (3rd and 4th Edition) adapter of the JMDI runtime
 * (docs/architecture.md). Section numbers cite docs/standards.md. No dependencies. */
(function () {
  "use strict";

  // ---- spec constants (§5) --------------------------------------------------------------------
  var API_NAME = "API_1484_11", MAX_PARENTS = 500; // §5.1: never falls back to the 1.2 "API"
  // §5.3: suspend data holds 64000 characters in 4th, 4000 in 3rd; the build refuses 3rd-edition
  // packages whose worst-case state exceeds 4000, so the runtime guards the hard limit only.
  var MAX_LOCATION = 1000, MAX_SUSPEND = 64000, MAX_TEXT = 250;
  // Project rule: an answer or a status change is committed at once, page changes >= 1 s apart.
  // An LMS may end the session on its own page's beforeunload, before our pagehide (see
  // docs/lms-compatibility.md): whatever waits for a later commit is lost then.
  var COMMIT_GAP_MS = 1000;
  var RESEND_LIMIT = 3; // project rule: a value the LMS refused is offered at most 3 times
  var RETRY_MS = 15000; // a refused commit that no save waits for is tried again after this
  var TYPES = { single: "choice", multiple: "choice", "true-false": "true-false", "fill-in": "fill-in",
    matching: "matching", ordering: "sequencing" };
  var COMPLETION_RANK = { "": 0, unknown: 0, "not attempted": 0, incomplete: 1, completed: 2 };
  var SUCCESS_RANK = { "": 0, unknown: 0, failed: 1, passed: 2 };

  // ---- formats: one tested helper per data type ------------------------------------------------

  /* CMIDecimal: no exponent, at most `places` decimals, no trailing zeros. */
  function decimal(value, places) {
    return String(Number(Number(value).toFixed(places)));
  }

  /* timeinterval: PT#H#M#.##S, no weeks or days, integer H and M, <= 2 decimals (§5.3, §9.1). */
  function duration(seconds) {
    var cs = Math.round(Math.max(0, Number(seconds) || 0) * 100);
    var h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = (cs % 6000) / 100;
    var out = "PT" + (h ? h + "H" : "") + (m ? m + "M" : "");
    return s || out === "PT" ? out + decimal(s, 2) + "S" : out;
  }

  /* time: YYYY-MM-DDThh:mm:ss.ssZ. toISOString() gives 3 decimals, which Moodle refuses, and
   * Moodle accepts a zone only after a fraction: always exactly 2 (§5.5, §9.1). */
  function timestamp(date) {
    return new Date(date || Date.now()).toISOString().replace(/\.(\d\d)\d*Z$/, ".$1Z");
  }

  /* One line (Moodle's patterns use "."), never starting with "{" (read as a delimiter). */
  function oneLine(text, max) {
    return String(text).replace(/\s+/g, " ").trim().replace(/^\{+/, "").slice(0, max);
  }

  /* Identifiers inside responses: [A-Za-z0-9_] only (§5.5 project rule, Moodle §9.1). */
  function shortId(id) {
    return String(id).replace(/[^A-Za-z0-9_]/g, "_");
  }

  /* learner_response and correct_responses.n.pattern with the bracketed delimiters (§5.5). */
  function response(type, values, lang) {
    values = [].concat(values == null ? [] : values).map(String);
    if (type === "true-false") return values[0] === "true" ? "true" : "false";
    if (type === "fill-in") return lang + oneLine(values[0] || "", MAX_TEXT).split("[,]").join(",");
    if (type === "matching") {
      return values.filter(function (pair) { return /^\w+\.\w+$/.test(pair); })
        .map(function (pair) { return pair.split(".").map(shortId).join("[.]"); }).join("[,]");
    }
    return values.map(shortId).join("[,]");
  }

  /* One pattern per accepted fill-in answer, one pattern for every other type. */
  function patterns(record, lang) {
    var correct = [].concat(record.correctResponse || []);
    if (record.type !== "fill-in") return [response(record.type, correct, lang)];
    var flags = "{case_matters=" + !!record.caseSensitive + "}{order_matters=true}";
    return correct.slice(0, 10).map(function (answer) { return flags + lang + oneLine(answer, MAX_TEXT); });
  }

  // ---- API discovery (§5.1, the walk of §3.1): parents (bounded), then the opener -------------
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
    var lang = /^[a-z]{2,3}$/.test(config.lang || "") ? "{lang=" + config.lang + "}" : "";
    var api = null, mode = "normal", stored = { completion: "", success: "" };
    var sent = {}; // element -> value the LMS holds (unchanged values are not sent again)
    // interaction id -> index: a question answered again keeps its record (the ids are read back at
    // launch), appended at _count. An LMS whose _count is no number gets a journal: one record per
    // try, at the index the tries of recorded questions so far give (restored), so no index is
    // used twice and none is skipped.
    var indexOf = {}, next = 0, journal = false;
    var pending = {}; // element -> {value, tries} the LMS refused: sent again at the next saves
    var dirty = false, failed = false, failing = false, finished = false, leaving = false, urgent = false;
    var lastCommit = 0, timer = null, last = null, waiting = []; // saves that wait for a spaced-out commit

    function call(fn, arg, value) {
      try {
        return String(value === undefined ? api[fn](arg) : api[fn](arg, value));
      } catch (e) {
        return "false";
      }
    }

    function get(element) {
      return call("GetValue", element);
    }

    function set(element, value) {
      value = String(value);
      if (sent[element] === value) return;
      if (call("SetValue", element, value) === "true") {
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
      failing = call("Commit", "") !== "true";
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

    /* Writes the snapshot; true when completion or success changed. */
    function write(snapshot) {
      last = snapshot;
      var before = sent["cmi.completion_status"] + sent["cmi.success_status"];
      var bookmark = String(snapshot.location || ""), text = String(snapshot.stateText || "");
      if (bookmark.length > MAX_LOCATION || text.length > MAX_SUSPEND) failed = true; // never sent over
      else {
        if (bookmark) set("cmi.location", bookmark);
        set("cmi.suspend_data", text);
      }
      if (mode === "review") return false;
      // The time so far goes with every commit: an LMS that ends the session itself still has it.
      set("cmi.session_time", duration(snapshot.sessionSeconds));
      if (mode !== "normal") return false; // §5.3: browse and review write no status or score
      var completion = snapshot.completion === "completed" ? "completed" : "incomplete";
      if (COMPLETION_RANK[completion] < COMPLETION_RANK[stored.completion]) completion = stored.completion;
      var success = snapshot.success;
      var scored = snapshot.scoreFinal !== false && snapshot.score;
      if (SUCCESS_RANK[success] && SUCCESS_RANK[success] >= SUCCESS_RANK[stored.success] && scored) {
        // A final score only (the core's scoreFinal): scaled decides success (§5.4), raw is what
        // Moodle grades (§9.1).
        var scaled = Math.max(0, Math.min(1, Number(snapshot.score.scaled) || 0));
        set("cmi.score.scaled", decimal(scaled, 4));
        set("cmi.score.min", "0");
        set("cmi.score.max", "100");
        set("cmi.score.raw", decimal(scaled * 100, 2));
        set("cmi.success_status", success); // Moodle never derives it (§9.1)
      }
      if (typeof snapshot.progress === "number") {
        // Keep the measure consistent with the status: 1 only when completed (§5.3).
        var progress = Math.max(0, Math.min(completion === "completed" ? 1 : 0.9999, snapshot.progress));
        set("cmi.progress_measure", decimal(progress, 4));
      }
      set("cmi.completion_status", completion);
      // suspend from the first commit on, so a session the LMS ends itself still resumes; normal
      // once the course is done.
      set("cmi.exit", completion === "completed" ? "normal" : "suspend");
      return sent["cmi.completion_status"] + sent["cmi.success_status"] !== before;
    }

    /* §5.4: one SCO ends or suspends the course; a SCO of several (?sco=) moves on in flow
     * when the LMS says "continue" is valid (RT-11), else just exits. */
    function navRequest(done) {
      if (!done) return "suspendAll";
      if (!/[?&]sco=/.test(location.search)) return "exitAll";
      return get("adl.nav.request_valid.continue") === "true" ? "continue" : "exit";
    }

    /* Values, exit, session time, navigation request, then Terminate - once (§5.4). Terminate
     * stores what was set, so no Commit comes before it: an LMS that saves by beacon while the
     * page closes (Moodle) has a quota, and a second save there is refused
     * (docs/lms-compatibility.md). */
    function finalSequence(snapshot) {
      if (finished || !api) return;
      finished = true;
      clearTimeout(timer);
      timer = null;
      if (snapshot && mode !== "review") write(snapshot);
      var done = (sent["cmi.completion_status"] || stored.completion) === "completed";
      if (mode === "normal") set("cmi.exit", done ? "normal" : "suspend");
      if (mode === "review") set("cmi.session_time", duration(snapshot ? snapshot.sessionSeconds : 0));
      // The learner's own exit asks the LMS to end or suspend the attempt; when the page is being
      // dismissed the LMS is already navigating, so the SCO adds no request of its own.
      if (!leaving) set("adl.nav.request", navRequest(done));
      var ok = call("Terminate", "") === "true";
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
      if (document.visibilityState === "hidden" && dirty && !finished) commitNow();
    }

    function readInteractions() {
      var count = get("cmi.interactions._count");
      journal = !/^\d+$/.test(count);
      if (journal) return;
      next = Number(count);
      for (var i = 0; i < next; i++) indexOf[get("cmi.interactions." + i + ".id")] = i;
    }

    return {
      start: function () {
        api = findApi(API_NAME, MAX_PARENTS);
        if (!api || call("Initialize", "") !== "true") {
          api = null;
          var strings = config.strings || {};
          return Promise.resolve({ state: null, mode: "normal", notice: strings.lms_unavailable, offline: true });
        }
        var cmiMode = get("cmi.mode");
        mode = cmiMode === "browse" || cmiMode === "review" ? cmiMode : "normal";
        stored.completion = sent["cmi.completion_status"] = get("cmi.completion_status");
        var entry = get("cmi.entry"), text = "";
        // A first attempt has nothing stored (reading an unset element is error 403). Otherwise
        // stored progress is read whatever cmi.entry says: some LMSs answer "ab-initio" on every
        // launch and still keep location and suspend data; the core merges it with the browser's
        // copy, so a save never holds less than the LMS gave (docs/lms-compatibility.md).
        if (COMPLETION_RANK[stored.completion] || entry === "resume" || mode === "review") {
          stored.success = sent["cmi.success_status"] = get("cmi.success_status");
          text = sent["cmi.suspend_data"] = get("cmi.suspend_data");
          sent["cmi.location"] = get("cmi.location");
        }
        readInteractions();
        if (mode === "normal" && !COMPLETION_RANK[stored.completion]) {
          set("cmi.completion_status", "incomplete"); // first entry: incomplete at once
        }
        // suspend until the course is done (write()), so a session the LMS ends itself resumes
        if (mode === "normal") set("cmi.exit", stored.completion === "completed" ? "normal" : "suspend");
        if (dirty) commitNow();
        // Capture listeners run before the core's pagehide handler calls finish().
        ["pagehide", "beforeunload"].forEach(function (type) {
          window.addEventListener(type, function () { leaving = true; }, true);
        });
        document.addEventListener("visibilitychange", onHidden);
        window.addEventListener("pagehide", onPageHide);
        return Promise.resolve({ state: text || null, mode: mode, learner: get("cmi.learner_name") || undefined });
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
        if (!known) {
          // Append at _count; id first, type before any response (§5.5). Answered again, the
          // record is updated: type and correct responses are written once (Moodle refuses a
          // repeated choice pattern, and a new type resets the correct responses).
          indexOf[id] = next++;
          set(prefix + "id", id);
          set(prefix + "type", TYPES[record.type] || "other");
          // Moodle posts every record on each save (docs/lms-compatibility.md): only the fields its
          // reports use; no weighting (always 1), description or latency.
          patterns(record, lang).forEach(function (pattern, i) {
            set(prefix + "correct_responses." + i + ".pattern", pattern);
          });
        }
        set(prefix + "timestamp", timestamp(record.timestamp));
        set(prefix + "learner_response", response(record.type, record.response, lang));
        set(prefix + "result", record.result === "correct" ? "correct" : "incorrect");
        // No commit of its own: the core saves right after every answer, and that save commits.
      },

      finish: function (snapshot) {
        finalSequence(snapshot || last);
        return Promise.resolve();
      },
    };
  }

  window.JMDIScorm2004 = { findApi: findApi, duration: duration, timestamp: timestamp, response: response,
    patterns: patterns, decimal: decimal };
  if (window.JMDI && window.JMDI.registerAdapter) window.JMDI.registerAdapter("scorm2004", create);
})();
