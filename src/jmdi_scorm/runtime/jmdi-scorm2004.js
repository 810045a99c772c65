/* jmdi-scorm2004.js: the SCORM 2004 (3rd and 4th Edition) adapter of the JMDI runtime
 * (docs/architecture.md): the 2004 data model and formats for the session of
 * jmdi-scorm-common.js, which the build puts in below. Section numbers cite
 * docs/standards.md. No dependencies. */
(function () {
  "use strict";

  // ---- spec constants (§5) --------------------------------------------------------------------
  var API_NAME = "API_1484_11", MAX_PARENTS = 500; // §5.1: never falls back to the 1.2 "API"
  // {location, suspend, text, patterns} (§5.3, §5.5): the build writes them in from
  // src/jmdi_scorm/source/spec_limits.py. Suspend data holds 64000 characters in 4th, 4000 in
  // 3rd; the build refuses 3rd-edition packages whose worst-case state exceeds 4000, so the
  // runtime guards the hard limit only.
  var LIMITS = SPEC_LIMITS;
  var READ_IDS = true;
  var COMPLETION = "cmi.completion_status", SUCCESS = "cmi.success_status", EXIT = "cmi.exit";
  var COMPLETION_RANK = { incomplete: 1, completed: 2 }; // unknown, not attempted, "": none (0)
  var SUCCESS_RANK = { "": 0, unknown: 0, failed: 1, passed: 2 };
  var storedSuccess = ""; // cmi.success_status at launch (the session's `stored` is the completion)
  var leaving = false; // the page is being dismissed (pagehide, beforeunload)

  // JOIN jmdi-scorm-common.js

  /* The session speaks 2004: the API as the LMS gives it. */
  function connect(lms) {
    return lms;
  }

  // ---- formats: one tested helper per data type ------------------------------------------------

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

  /* The record's interaction type (the core takes it from source/question_kinds.py). */
  function interactionType(record) {
    return record.interactionType;
  }

  /* learner_response and correct_responses.n.pattern with the bracketed delimiters (§5.5), by
   * the record's encoding. */
  function response(encoding, values, lang) {
    values = [].concat(values == null ? [] : values).map(String);
    if (encoding === "boolean") return values[0] === "true" ? "true" : "false";
    if (encoding === "text") return lang + oneLine(values[0] || "", LIMITS.text).split("[,]").join(",");
    if (encoding === "pairs") {
      return values.filter(function (pair) { return /^\w+\.\w+$/.test(pair); })
        .map(function (pair) { return pair.split(".").map(shortId).join("[.]"); }).join("[,]");
    }
    return values.map(shortId).join("[,]");
  }

  /* One pattern per accepted answer of a text, one pattern for any other encoding. */
  function patterns(record, lang) {
    var correct = [].concat(record.correctResponse || []);
    if (record.encoding !== "text") return [response(record.encoding, correct, lang)];
    var flags = "{case_matters=" + !!record.caseSensitive + "}{order_matters=true}";
    return correct.slice(0, LIMITS.patterns).map(function (answer) {
      return flags + lang + oneLine(answer, LIMITS.text);
    });
  }

  // ---- status -----------------------------------------------------------------------------------
  function readStatus() {
    stored = sent[COMPLETION] = get(COMPLETION);
    var entry = get("cmi.entry");
    // A first attempt has nothing stored (reading an unset element is error 403).
    if (!COMPLETION_RANK[stored] && entry !== "resume" && mode !== "review") return false;
    storedSuccess = sent[SUCCESS] = get(SUCCESS);
    return true;
  }

  function launchStatus() {
    if (mode === "normal") {
      if (!COMPLETION_RANK[stored]) set(COMPLETION, "incomplete"); // first entry: incomplete at once
      set(EXIT, stored === "completed" ? "normal" : "suspend");
    }
    // Capture listeners run before the core's pagehide handler calls finish().
    ["pagehide", "beforeunload"].forEach(function (type) {
      window.addEventListener(type, function () { leaving = true; }, true);
    });
  }

  function writeStatus(snapshot) {
    var before = sent[COMPLETION] + sent[SUCCESS];
    if (mode !== "normal") return false; // §5.3: browse and review write no status or score
    var completion = snapshot.completion === "completed" ? "completed" : "incomplete";
    if (COMPLETION_RANK[completion] < COMPLETION_RANK[stored]) completion = stored;
    var success = snapshot.success;
    var scored = snapshot.scoreFinal !== false && snapshot.score;
    if (SUCCESS_RANK[success] && SUCCESS_RANK[success] >= SUCCESS_RANK[storedSuccess] && scored) {
      // A final score only (the core's scoreFinal): scaled decides success (§5.4), raw is what
      // Moodle grades (§9.1).
      var scaled = Math.max(0, Math.min(1, Number(snapshot.score.scaled) || 0));
      set("cmi.score.scaled", decimal(scaled, 4));
      set("cmi.score.min", "0");
      set("cmi.score.max", "100");
      set("cmi.score.raw", decimal(scaled * 100, 2));
      set(SUCCESS, success); // Moodle never derives it (§9.1)
    }
    if (typeof snapshot.progress === "number") {
      // Keep the measure consistent with the status: 1 only when completed (§5.3).
      var progress = Math.max(0, Math.min(completion === "completed" ? 1 : 0.9999, snapshot.progress));
      set("cmi.progress_measure", decimal(progress, 4));
    }
    set(COMPLETION, completion);
    // suspend from the first commit on, so a session the LMS ends itself still resumes; normal
    // once the course is done.
    set(EXIT, completion === "completed" ? "normal" : "suspend");
    return sent[COMPLETION] + sent[SUCCESS] !== before;
  }

  /* §5.4: one SCO ends or suspends the course; a SCO of several (?sco=) moves on in flow
   * when the LMS says "continue" is valid (RT-11), else just exits. */
  function navRequest(done) {
    if (!done) return "suspendAll";
    if (!/[?&]sco=/.test(location.search)) return "exitAll";
    return get("adl.nav.request_valid.continue") === "true" ? "continue" : "exit";
  }

  /* Exit and navigation request before Terminate (§5.4). */
  function finalStatus() {
    var done = (sent[COMPLETION] || stored) === "completed";
    if (mode === "normal") set(EXIT, done ? "normal" : "suspend");
    // The learner's own exit asks the LMS to end or suspend the attempt; when the page is being
    // dismissed the LMS is already navigating, so the SCO adds no request of its own.
    if (!leaving) set("adl.nav.request", navRequest(done));
  }

  window.JMDIScorm2004 = { duration: duration, timestamp: timestamp, response: response, patterns: patterns };
  if (window.JMDI && window.JMDI.registerAdapter) window.JMDI.registerAdapter("scorm2004", create);
})();
