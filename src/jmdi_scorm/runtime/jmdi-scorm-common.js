/* jmdi-scorm-common.js: the session with the LMS that the SCORM 1.2 and 2004 adapters share
 * (docs/architecture.md): API discovery, commit scheduling, refused values sent again, interaction
 * records, resume, exit=suspend, the final call alone. Section numbers cite
 * docs/standards.md. No dependencies.
 *
 * No script of its own: the build puts it into jmdi-scorm12.js and jmdi-scorm2004.js where they
 * say `JOIN jmdi-scorm-common.js` (render/runtime_files.py), so a package ships one adapter file, and
 * this code runs in that adapter's scope. It speaks SCORM 2004; the adapter declares the rest:
 *   API_NAME, MAX_PARENTS   the API object and how many parents to search for it (§3.1, §5.1)
 *   connect(lms)            the API as the 2004 one (1.2 translates its calls and names)
 *   LIMITS                  {location, suspend, text, patterns}, written in by the build
 *   READ_IDS                whether interaction ids can be read back (write-only in 1.2)
 *   duration(seconds), timestamp(date), response(type, values, lang), patterns(record, lang)
 *                           its formats (lang: the 2004 {lang=..} delimiter, or "")
 *   readStatus()            reads the stored status at launch; true when progress may be stored
 *   launchStatus()          the status and exit of the first commit
 *   writeStatus(snapshot)   status, score and exit of a snapshot; true when the status changed
 *   finalStatus()           what goes just before the final call
 * Its status code uses get(), set(), sent, mode and stored below (stored: the completion or
 * lesson status the LMS gave at launch). The core makes one adapter per page (create() is
 * called once). */

// Project rule: an answer or a status change is committed at once, page changes >= 1 s apart.
// An LMS may end the session on its own page's beforeunload, before our pagehide (see
// docs/lms-compatibility.md): whatever waits for a later commit is lost then.
var COMMIT_GAP_MS = 1000;
var RESEND_LIMIT = 3; // project rule: a value the LMS refused is offered at most 3 times
var RETRY_MS = 15000; // a refused commit that no save waits for is tried again after this

var config = {}, lang = "", api = null, mode = "normal", stored = "";
var sent = {}; // element -> value the LMS holds (unchanged values are not sent again)
// interaction id -> index: a question answered again keeps its record (2004 reads the ids back at
// launch), appended at _count. An LMS whose _count is no number (some answer "") gets a journal:
// one record per try, at the index the tries of recorded questions so far give (restored), so no
// index is used twice and none is skipped.
var indexOf = {}, next = 0, journal = false;
var pending = {}; // element -> {value, tries} the LMS refused: sent again at the next saves
var dirty = false, failed = false, failing = false, finished = false, urgent = false;
var lastCommit = 0, timer = null, last = null, waiting = []; // saves that wait for a spaced-out commit

/* CMIDecimal: no exponent, at most `places` decimals, no trailing zeros. */
function decimal(value, places) {
  return String(Number(Number(value).toFixed(places)));
}

// ---- API discovery: parents (bounded), then the opener; cross-origin frames are skipped -------
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

// ---- the session ------------------------------------------------------------------------------
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
    settle(ok); // the core retries a refusal
  } else if (failing && !finished) {
    timer = setTimeout(commitNow, RETRY_MS); // no save waits on it (an answer's commit): retry here
  }
}

/* Tells the saves that wait for a commit whether it reached the LMS. */
function settle(ok) {
  waiting.splice(0).forEach(function (resolve) { resolve(ok); });
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

/* Writes the snapshot; true when the status changed. */
function write(snapshot) {
  last = snapshot;
  var bookmark = String(snapshot.location || ""), text = String(snapshot.stateText || "");
  if (bookmark.length > LIMITS.location || text.length > LIMITS.suspend) failed = true; // never sent over
  else {
    if (bookmark) set("cmi.location", bookmark);
    set("cmi.suspend_data", text);
  }
  if (mode === "review") return false;
  // The time so far goes with every commit: an LMS that ends the session itself still has it.
  set("cmi.session_time", duration(snapshot.sessionSeconds));
  return writeStatus(snapshot);
}

/* Values, exit, session time, then LMSFinish / Terminate - once. That call stores what was set
 * (§3.2, §5.2), so no commit comes before it: an LMS that saves by beacon while the page closes
 * (Moodle) has a quota, and a second save there is refused (docs/lms-compatibility.md). */
function finalSequence(snapshot) {
  if (finished || !api) return;
  finished = true;
  clearTimeout(timer);
  timer = null;
  if (snapshot && mode !== "review") write(snapshot);
  if (mode === "review") set("cmi.session_time", duration(snapshot ? snapshot.sessionSeconds : 0));
  finalStatus();
  settle(call("Terminate", "") === "true");
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

function readInteractions() {
  var count = get("cmi.interactions._count");
  journal = !/^\d+$/.test(count);
  if (journal) return;
  next = Number(count);
  if (READ_IDS) for (var i = 0; i < next; i++) indexOf[get("cmi.interactions." + i + ".id")] = i;
}

// ---- the adapter ------------------------------------------------------------------------------
function create(options) {
  config = options || {};
  // 2004's delimiter of typed answers (§5.5): the course language, if a plain one; 1.2 has none
  lang = /^[a-z]{2,3}$/.test(config.lang || "") ? "{lang=" + config.lang + "}" : "";
  return {
    start: function () {
      api = connect(findApi(API_NAME, MAX_PARENTS));
      if (!api || call("Initialize", "") !== "true") {
        api = null;
        var notice = (config.strings || {}).lms_unavailable;
        return Promise.resolve({ state: null, mode: "normal", notice: notice, offline: true });
      }
      var lmsMode = get("cmi.mode"), text = "";
      mode = lmsMode === "browse" || lmsMode === "review" ? lmsMode : "normal";
      // Stored progress is read whatever cmi.core.entry / cmi.entry says: some LMSs answer
      // "ab-initio" on every launch and still keep location and suspend data. The core merges it
      // with the browser's copy, so a save never holds less than the LMS gave
      // (docs/lms-compatibility.md). A new attempt in an LMS that honours entry comes with empty
      // suspend data anyway.
      if (readStatus()) {
        text = sent["cmi.suspend_data"] = get("cmi.suspend_data");
        sent["cmi.location"] = get("cmi.location");
      }
      readInteractions();
      // suspend until the course is done (writeStatus), so a session the LMS ends itself resumes
      launchStatus();
      if (dirty) commitNow();
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
        // Append at _count; id first, type before any response (§3.5, §5.5). Answered again, the
        // record is updated: type and correct responses are written once (Moodle refuses a
        // repeated choice pattern, and a new type resets the correct responses).
        indexOf[id] = next++;
        set(prefix + "id", id);
        set(prefix + "type", interactionType(record) || "other");
        // Moodle posts every record on each save (docs/lms-compatibility.md): only the fields its
        // reports use; no weighting (always 1), description or latency.
        patterns(record, lang).forEach(function (pattern, i) {
          set(prefix + "correct_responses." + i + ".pattern", pattern);
        });
      }
      set(prefix + "timestamp", timestamp(record.timestamp));
      set(prefix + "learner_response", response(record.encoding, record.response, lang));
      set(prefix + "result", record.result === "correct" ? "correct" : "incorrect");
      // No commit of its own: the core saves right after every answer, and that save commits.
    },

    finish: function (snapshot) {
      finalSequence(snapshot || last);
      return Promise.resolve();
    },
  };
}
