/* A field LMS for the tests (docs/lms-compatibility.md): the parent page that holds the SCO in an
 * iframe, with the save transport of Moodle's SCORM player ("moodle" profile) or the behaviours of
 * a lenient production LMS ("lenient" profile, SCORM 1.2 only). Written from the documented
 * behaviours, not from any LMS's code.
 *
 * moodle.html?profile=moodle|lenient&edition=1.2|2004&learner=L&sco=S&url=<SCO launch URL>
 *   [&objective=<the manifest's primary objective id> (2004: preloaded as cmi.objectives.0.id)]
 *
 * scorm-again (window.Scorm12API / Scorm2004API) is the data model: it validates every call. The
 * transport is this file's: each LMSCommit/LMSFinish (Commit/Terminate) posts to the loopback
 * server of tests/field_lms.py, whose stored record seeds the next launch:
 *   - 2004: every writable element held so far; 1.2: the elements whose value changed since they
 *     were last sent (the first store of a session carries every preloaded one, stored
 *     interactions included), marked as sent whatever became of the post;
 *   - one form field per element, "." written "__" (cmi__core__lesson_location);
 *   - while the page is visible: a synchronous XMLHttpRequest (urlencoded), and the server's
 *     answer decides "true" or "false";
 *   - while the page is dismissed (beforeunload, pagehide, visibilitychange to hidden, seen by
 *     capture listeners of this window): navigator.sendBeacon with multipart FormData; "true" when
 *     sendBeacon accepted it, else "false" with error 101 (Chromium refuses a beacon once the
 *     page's queued keepalive bodies would pass 64 KiB: the real quota, not a simulation);
 *   - the finish store (only it) adds this session's session_time to the stored total_time.
 * Every store is logged to localStorage ("field-lms:<session>") with its transport, its body size
 * in bytes and what sendBeacon returned, and so is every API call that returned "false" (with
 * its error code), so a test reads the log after the tab has closed. */
(function () {
  "use strict";
  var query = new URLSearchParams(location.search);
  var profile = query.get("profile") || "moodle";
  var edition = query.get("edition") === "2004" ? "2004" : "1.2";
  var session = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  var ids = ["learner", "sco", "objective"].map(function (key) {
    return key + "=" + encodeURIComponent(query.get(key) || "");
  }).join("&") + "&edition=" + edition + "&profile=" + profile + "&session=" + session;

  var E = edition === "1.2" ? {
    cls: "Scorm12API", name: "API", init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue",
    set: "LMSSetValue", commit: "LMSCommit", error: "LMSGetLastError", string: "LMSGetErrorString",
    diagnostic: "LMSGetDiagnostic", total: "cmi.core.total_time", session: "cmi.core.session_time",
    writable: /^cmi\.(core\.(lesson_location|lesson_status|score\.(raw|min|max)|exit|session_time)|suspend_data|comments|student_preference\.\w+|(interactions|objectives)\.\d+\.[\w.]+)$/
  } : {
    cls: "Scorm2004API", name: "API_1484_11", init: "Initialize", finish: "Terminate", get: "GetValue",
    set: "SetValue", commit: "Commit", error: "GetLastError", string: "GetErrorString",
    diagnostic: "GetDiagnostic", total: "cmi.total_time", session: "cmi.session_time",
    writable: /^(cmi\.(location|completion_status|success_status|score\.(scaled|raw|min|max)|progress_measure|suspend_data|exit|session_time|(interactions|objectives)\.\d+\.[\w.]+|comments_from_learner\.\d+\.\w+|learner_preference\.\w+)|adl\.nav\.request)$/
  };

  // ---- durations: what the LMS adds to total_time in the finish store ------------------------
  function centiseconds(text) {
    var m = edition === "1.2" ? /^(\d{2,4}):(\d{2}):(\d{2}(?:\.\d{1,2})?)$/.exec(text || "")
      : /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text || "");
    if (!m) return 0;
    if (edition === "1.2") return Math.round((+m[1] * 3600 + +m[2] * 60 + +m[3]) * 100);
    var days = (+m[1] || 0) * 365 + (+m[2] || 0) * 30 + (+m[3] || 0);
    return Math.round((days * 86400 + (+m[4] || 0) * 3600 + (+m[5] || 0) * 60 + (+m[6] || 0)) * 100);
  }

  function formatTime(cs) {
    var h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = (cs % 6000) / 100;
    if (edition === "1.2") {
      var whole = Math.floor(s), frac = Math.round((s - whole) * 100);
      return String(h).padStart(4, "0") + ":" + String(m).padStart(2, "0") + ":" +
        String(whole).padStart(2, "0") + "." + String(frac).padStart(2, "0");
    }
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (s || !(h || m) ? s + "S" : "");
  }

  // ---- the stored record, as the server hands it at launch -----------------------------------
  var request = new XMLHttpRequest();
  request.open("GET", "/field-lms/seed?" + ids, false);
  request.send();
  var seed = JSON.parse(request.responseText);
  var lms = new window[E.cls]({ autocommit: false, logLevel: 5 });
  lms.loadFromFlattenedJSON(seed, "");

  var held = {}; // every writable element the data model holds: preloaded, then set by the SCO
  Object.keys(seed).forEach(function (element) {
    if (E.writable.test(element)) held[element] = String(seed[element]);
  });
  var sentBefore = {}; // 1.2: element -> value of the last store that carried it
  // Moodle's own parameters in every store (course module, activity, SCO, attempt, session key),
  // sized as targets/moodle_payload.py counts them; the server keeps them out of the record.
  var PARAMETERS = [["id", "100000000000042"], ["a", "100000000000007"], ["scoid", "100000000000011"],
    ["attempt", "1"], ["sesskey", "Hx7Rk2LmQa"]];
  var dismissing = false, hidden = false, ended = false, ownError = "";
  var sequence = 0;
  var log = [];
  var calls = [];

  function fieldName(element) {
    return element.replace(/\./g, "__");
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  /* Chromium's multipart body: "--" + a 38-character boundary, one part per field, "\r\n" line
   * ends (a value's own line breaks become "\r\n"); the server checks the sum against what came. */
  function multipartBytes(fields) {
    return fields.reduce(function (sum, f) {
      var value = f[1].replace(/\r\n|\r|\n/g, "\r\n");
      return sum + 87 + utf8Length(fieldName(f[0])) + utf8Length(value);
    }, 44);
  }

  function record(entry) {
    log.push(entry);
    try {
      localStorage.setItem("field-lms:" + session, JSON.stringify(log));
    } catch (e) { /* the log is for the tests only */ }
  }

  function store(kind) {
    var fields = [];
    Object.keys(held).forEach(function (element) {
      if (edition === "1.2" && sentBefore[element] === held[element]) return;
      fields.push([element, held[element]]);
      if (edition === "1.2") sentBefore[element] = held[element]; // sent, whatever the answer
    });
    if (kind === "finish") {
      fields.push([E.total, formatTime(centiseconds(seed[E.total]) + centiseconds(held[E.session]))]);
    }
    var seq = ++sequence;
    var url = "/field-lms/store?" + ids + "&seq=" + seq + "&kind=" + kind;
    var entry = { seq: seq, kind: kind, fields: fields.length, t: Date.now() };
    var ok = false;
    fields = PARAMETERS.concat(fields); // the LMS's own request parameters go first
    if (dismissing || hidden) {
      var form = new FormData();
      fields.forEach(function (f) { form.append(fieldName(f[0]), f[1]); });
      entry.transport = "beacon";
      entry.bytes = multipartBytes(fields);
      try {
        ok = navigator.sendBeacon(url + "&transport=beacon", form) === true;
      } catch (e) {
        entry.error = String(e);
      }
    } else {
      var body = fields.map(function (f) {
        return encodeURIComponent(fieldName(f[0])) + "=" + encodeURIComponent(f[1]);
      }).join("&");
      entry.transport = "xhr";
      entry.bytes = utf8Length(body);
      try {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", url + "&transport=xhr", false);
        xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
        xhr.send(body);
        ok = xhr.status === 200 && /^true/.test(xhr.responseText);
      } catch (e) {
        entry.error = String(e);
      }
    }
    entry.ok = ok;
    record(entry);
    ownError = ok ? "" : "101";
    return ok ? "true" : "false";
  }

  // ---- the API object the SCO finds ----------------------------------------------------------
  var api = {};
  function expose(fn, body) {
    api[fn] = function () {
      var args = Array.prototype.slice.call(arguments);
      var ret;
      if (ended) {
        ownError = "101"; // the lenient LMS ended the session on its own: nothing goes through
        ret = /GetLastError$/.test(fn) ? "101" : /ErrorString$|Diagnostic$/.test(fn) ? "" : "false";
      } else {
        ret = String(body.apply(null, args));
      }
      if (!/GetLastError$|ErrorString$|Diagnostic$/.test(fn)) {
        calls.push({ fn: fn, args: args, ret: ret });
        // a refused call goes to the log too, with its error code (after the tab closed as well)
        if (ret === "false") record({ call: fn, args: args, error: lastError(), ended: ended });
      }
      return ret;
    };
  }

  function lastError() {
    return ownError || String(lms[E.error]());
  }

  expose(E.init, function (arg) { ownError = ""; return lms[E.init](arg); });
  expose(E.get, function (element) {
    ownError = "";
    if (profile === "lenient" && element === "cmi.interactions._count") return "";
    return lms[E.get](element);
  });
  expose(E.set, function (element, value) {
    ownError = "";
    var ret = String(lms[E.set](element, value));
    if (ret === "true" && E.writable.test(element)) held[element] = String(value);
    return ret;
  });
  expose(E.commit, function (arg) {
    ownError = "";
    var ret = String(lms[E.commit](arg));
    return ret === "true" ? store("commit") : ret;
  });
  expose(E.finish, function (arg) {
    ownError = "";
    var ret = store("finish");
    var own = String(lms[E.finish](arg));
    return ret === "true" ? own : ret;
  });
  expose(E.error, lastError);
  expose(E.string, function (code) { return lms[E.string](code); });
  expose(E.diagnostic, function (code) { return lms[E.diagnostic](code); });
  window[E.name] = api;

  // ---- page dismissal: capture listeners of this (parent) window -----------------------------
  ["beforeunload", "pagehide"].forEach(function (type) {
    window.addEventListener(type, function () { dismissing = true; }, true);
  });
  document.addEventListener("visibilitychange", function () {
    hidden = document.visibilityState === "hidden";
  }, true);

  if (profile === "lenient") {
    // The lenient LMS ends the session itself on its page's beforeunload, before the SCO's
    // pagehide: its own commit, its own finish, then "false" to every call.
    window.addEventListener("beforeunload", function () {
      if (lms.isInitialized && lms.isInitialized()) {
        api[E.commit]("");
        api[E.finish]("");
      }
      ended = true;
    });
  }

  window.fieldLms = { session: session, profile: profile, edition: edition, log: log, calls: calls,
    held: held, multipartBytes: multipartBytes };
  document.getElementById("sco").src = query.get("url");
})();
