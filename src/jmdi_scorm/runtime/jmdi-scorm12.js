/* jmdi-scorm12.js: the SCORM 1.2 adapter of the JMDI runtime (docs/architecture.md): the 1.2 data
 * model and formats for the session of jmdi-scorm-common.js, which the build puts in below and
 * which speaks SCORM 2004: connect() gives it the 1.2 API in 2004 terms.
 * Section numbers cite docs/standards.md. No dependencies. */
(function () {
  "use strict";

  // ---- spec constants (§3) --------------------------------------------------------------------
  var API_NAME = "API", MAX_PARENTS = 7; // §3.1: the ADL sample limit for 1.2
  // The 1.2 names of the 2004 elements (§3.3), interaction fields and values (§3.5: "wrong"; no
  // long-fill-in, no other) the session uses; any other name it gives is a 1.2 one already.
  var NAMES = { "cmi.mode": "cmi.core.lesson_mode", "cmi.location": "cmi.core.lesson_location",
    "cmi.session_time": "cmi.core.session_time", "cmi.learner_name": "cmi.core.student_name",
    timestamp: "time", learner_response: "student_response", incorrect: "wrong", other: "performance" };
  // {location, suspend, text, patterns} (§3.3, §3.5): the build writes them in from
  // src/jmdi_scorm/source/spec_limits.py.
  var LIMITS = SPEC_LIMITS;
  var READ_IDS = false; // §3.5: interactions are write-only
  var STATUS = "cmi.core.lesson_status", EXIT = "cmi.core.exit";
  // §3.4 never downgrade: a status is written only if it ranks at least as high as the stored one.
  var RANK = { "": 0, "not attempted": 0, browsed: 1, incomplete: 1, failed: 2, completed: 3, passed: 4 };

  // JOIN jmdi-scorm-common.js

  /* The 1.2 API as the 2004 one the session calls: 2004 function, element and interaction field
   * names, and an interaction's result and type, in their 1.2 names. */
  function connect(lms) {
    return lms && {
      Initialize: function (arg) { return lms.LMSInitialize(arg); },
      GetValue: function (element) { return lms.LMSGetValue(named(element)); },
      SetValue: function (element, value) {
        return lms.LMSSetValue(named(element), /\.(result|type)$/.test(element) ? named(value) : value);
      },
      Commit: function (arg) { return lms.LMSCommit(arg); },
      Terminate: function (arg) { return lms.LMSFinish(arg); },
    };
  }

  /* cmi.location -> cmi.core.lesson_location, cmi.interactions.0.timestamp -> ...0.time, other ->
   * performance; a 1.2 name stays as it is. */
  function named(name) {
    return NAMES[name] || name.replace(/[^.]+$/, function (field) { return NAMES[field] || field; });
  }

  // ---- formats: one tested helper per data type ------------------------------------------------
  function pad(n, width) {
    return String(n).padStart(width, "0");
  }

  /* CMITimespan HHHH:MM:SS.SS (§3.3): 4-digit hours (capped at 9999), 2 decimals. */
  function duration(seconds) {
    var cs = Math.min(Math.round(Math.max(0, Number(seconds) || 0) * 100), 9999 * 360000 + 359999);
    var s = cs % 6000;
    return pad(Math.floor(cs / 360000), 4) + ":" + pad(Math.floor(cs / 6000) % 60, 2) + ":" +
      pad(Math.floor(s / 100), 2) + "." + pad(s % 100, 2);
  }

  /* CMITime HH:MM:SS (§3.5 interactions.n.time): a time of day, not a date. */
  function timestamp(date) {
    var d = new Date(date || Date.now());
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
  }

  function oneLine(text, max) {
    return String(text).replace(/\s+/g, " ").trim().slice(0, max);
  }

  /* The record's SCORM 1.2 interaction type (the core takes it from source/question_kinds.py). */
  function interactionType(record) {
    return record.interactionType12;
  }

  /* Responses (§3.5) by the record's encoding: ids are single characters [0-9a-z] ("a", "c";
   * pairs "1.a"), joined by ","; a boolean is t or f; text is one line. */
  function response(encoding, values) {
    values = [].concat(values == null ? [] : values).map(String);
    if (encoding === "boolean") return values[0] === "true" ? "t" : "f";
    if (encoding === "text") return oneLine(values[0] || "", LIMITS.text);
    if (encoding === "pairs") values = values.filter(function (pair) { return /^[0-9a-z]\.[0-9a-z]$/.test(pair); });
    return values.join(",");
  }

  /* One pattern per accepted answer of a text, one pattern for any other encoding. */
  function patterns(record) {
    var correct = [].concat(record.correctResponse || []);
    if (record.encoding !== "text") return [response(record.encoding, correct)];
    return correct.slice(0, LIMITS.patterns).map(function (answer) { return oneLine(answer, LIMITS.text); });
  }

  // ---- status -----------------------------------------------------------------------------------
  /* passed or failed once the score is final (the core's scoreFinal), completed until then. */
  function statusOf(snapshot) {
    if (snapshot.completion !== "completed") return "incomplete";
    var judged = snapshot.success === "passed" || snapshot.success === "failed";
    return judged && snapshot.scoreFinal !== false ? snapshot.success : "completed";
  }

  function readStatus() {
    stored = sent[STATUS] = get(STATUS);
    return true; // progress is read whatever cmi.core.entry says
  }

  function launchStatus() {
    if (!RANK[stored] && mode !== "review") {
      // §3.4: never leave "not attempted" (some LMSs turn it into completed on finish).
      set(STATUS, mode === "browse" ? "browsed" : "incomplete");
    }
    if (mode === "normal") set(EXIT, RANK[stored] >= RANK.failed ? "" : "suspend");
  }

  function writeStatus(snapshot) {
    var before = sent[STATUS], status = statusOf(snapshot);
    if (mode === "browse" || RANK[status] < RANK[stored]) return false; // browsed was set at start
    // Only a final score is sent: a partial raw score with a mastery score lets Moodle turn an
    // unfinished attempt into "failed" ("mastery score overrides status", §9.1).
    if ((status === "passed" || status === "failed") && snapshot.score) {
      set("cmi.core.score.min", "0"); // min and max before raw, all 0-100 (§3.3)
      set("cmi.core.score.max", "100");
      set("cmi.core.score.raw", decimal(Math.max(0, Math.min(1, Number(snapshot.score.scaled) || 0)) * 100, 2));
    }
    set(STATUS, status);
    // suspend from the first commit on, so a session the LMS ends itself still resumes; cleared
    // once the course is done (no "normal" in 1.2).
    set(EXIT, status === "incomplete" ? "suspend" : "");
    return sent[STATUS] !== before;
  }

  /* §3.2: exit before LMSFinish. */
  function finalStatus() {
    if (mode !== "review") set(EXIT, (sent[STATUS] || stored) === "incomplete" ? "suspend" : "");
  }

  window.JMDIScorm12 = { timespan: duration, timeOfDay: timestamp, response: response, patterns: patterns };
  if (window.JMDI && window.JMDI.registerAdapter) window.JMDI.registerAdapter("scorm12", create);
})();
