/* scorm-api.js: the preview's own in-page LMS for SCORM 1.2 (window.API) and SCORM 2004
 * (window.API_1484_11). It answers the eight API functions with the standard's error codes,
 * keeps the CMI data model in memory, and keeps what was committed in localStorage so that a
 * relaunch resumes like an LMS would. Every call goes to the listeners (the debug panel).
 * Rules cite docs/standards.md: §3.2-3.6 (1.2), §5.2-5.6 (2004). */
(function () {
  "use strict";
  var MODEL = window.JMDIPreviewModel;
  var SESSION_ONLY = ["cmi.core.exit", "cmi.core.session_time", "cmi.exit", "cmi.session_time", "adl.nav.request"];

  function generic(element) {
    return element.replace(/\.\d+(?=\.|$)/g, ".n");
  }

  // ---- times --------------------------------------------------------------------------------
  function pad(n, w) { return String(n).padStart(w, "0"); }
  function timespan(seconds) { // CMITimespan HHHH:MM:SS.SS
    var cs = Math.round(seconds * 100);
    return pad(Math.floor(cs / 360000), 4) + ":" + pad(Math.floor(cs / 6000) % 60, 2) + ":" +
      pad(Math.floor(cs / 100) % 60, 2) + "." + pad(cs % 100, 2);
  }
  function duration(seconds) { // timeinterval PT#H#M#S
    var cs = Math.round(seconds * 100);
    return "PT" + Math.floor(cs / 360000) + "H" + (Math.floor(cs / 6000) % 60) + "M" + (cs % 6000) / 100 + "S";
  }
  function seconds(value) {
    var m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value || "");
    if (m) return m[1] * 3600 + m[2] * 60 + parseFloat(m[3]);
    m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value || "");
    if (!m) return 0;
    var f = [31536000, 2592000, 86400, 3600, 60, 1];
    return f.reduce(function (sum, k, i) { return sum + (parseFloat(m[i + 1]) || 0) * k; }, 0);
  }

  function Lms(options) {
    this.o = options; // {edition, storageKey, sco, suspendMax, learner: {id, name}}
    this.m = MODEL[options.edition === "1.2" ? "1.2" : "2004"];
    this.listeners = [];
    this.known = {};
    var self = this;
    Object.keys(this.m.elements).concat(this.m.arrays).forEach(function (name) {
      var parts = name.split(".");
      for (var i = 1; i <= parts.length; i++) self.known[parts.slice(0, i).join(".")] = true;
    });
    this.api = this.makeApi();
    this.state = "new"; // new → running → terminated; launch() prepares the data first
    this.cmi = {};
    this.committed = {};
    this.record = null;
    this.started = Date.now();
  }

  Lms.prototype = {
    emit: function (entry) {
      entry.t = Date.now() - this.started;
      this.listeners.forEach(function (fn) { fn(entry); });
    },
    note: function (text) {
      if (this.later) this.later.push(text); // said after the call it happened in
      else this.emit({ lms: text });
    },

    // ---- storage: what the LMS keeps between launches ------------------------------------------
    load: function () {
      try { return JSON.parse(localStorage.getItem(this.o.storageKey) || "null"); } catch (e) { return null; }
    },
    save: function () {
      try { localStorage.setItem(this.o.storageKey, JSON.stringify(this.record)); } catch (e) { /* quota */ }
    },

    /* A new launch of the SCO: a relaunch of the stored attempt, or a new attempt. */
    launch: function (opts) {
      var rec = opts.newAttempt ? null : this.load(), v12 = this.m.name === "1.2";
      var suspended = rec && (rec.exit === "suspend" || rec.nav === "suspendAll");
      var entry = !rec ? "ab-initio" : suspended ? "resume" : "";
      if (rec && !v12 && rec.terminated && !suspended) { // §5.4: exit other than suspend ends the attempt
        rec = { cmi: {}, attempt: rec.attempt + 1, total: 0, launches: rec.launches };
        entry = "ab-initio";
        this.pendingNote = "the last session ended the attempt (exit was not \"suspend\"): attempt " + rec.attempt +
          " starts empty";
      }
      rec = rec || { cmi: {}, attempt: (this.record ? this.record.attempt : 0) + 1, total: 0, launches: 0 };
      rec.launches += 1;
      rec.terminated = false;
      this.record = rec;
      var cmi = {};
      Object.keys(rec.cmi).forEach(function (k) { if (SESSION_ONLY.indexOf(k) < 0) cmi[k] = rec.cmi[k]; });
      this.cmi = Object.assign(cmi, this.provided(entry, opts.mode || "normal", rec.total, cmi));
      this.committed = Object.assign({}, this.cmi);
      this.state = "new"; // new → running → terminated
      this.error = "0";
      this.diagnostic = "";
      this.started = Date.now();
      this.save();
    },

    /* The values the LMS provides at launch (§3.3, §5.3). */
    provided: function (entry, mode, total, cmi) {
      var sco = this.o.sco || {}, who = this.o.learner, credit = mode === "normal" ? "credit" : "no-credit";
      if (this.m.name === "1.2") {
        return {
          "cmi._version": "3.4", "cmi.core.student_id": who.id, "cmi.core.student_name": who.name,
          "cmi.core.credit": credit, "cmi.core.entry": entry, "cmi.core.lesson_mode": mode,
          "cmi.core.total_time": timespan(total), "cmi.core.lesson_status": cmi["cmi.core.lesson_status"] || "not attempted",
          "cmi.launch_data": sco.dataFromLMS || "", "cmi.student_data.mastery_score": sco.masteryScore || "",
          "cmi.student_data.max_time_allowed": "", "cmi.student_data.time_limit_action": "",
          "cmi.comments_from_lms": "",
        };
      }
      var out = {
        "cmi._version": "1.0", "cmi.learner_id": who.id, "cmi.learner_name": who.name, "cmi.credit": credit,
        "cmi.entry": entry, "cmi.mode": mode, "cmi.total_time": duration(total),
        "cmi.completion_status": cmi["cmi.completion_status"] || "unknown",
        "cmi.success_status": cmi["cmi.success_status"] || "unknown",
        "cmi.time_limit_action": "continue,no message", "adl.nav.request": "_none_",
        "adl.nav.request_valid.continue": "false", "adl.nav.request_valid.previous": "false",
      };
      if (sco.completionThreshold) out["cmi.completion_threshold"] = sco.completionThreshold;
      if (sco.scaledPassingScore) out["cmi.scaled_passing_score"] = sco.scaledPassingScore;
      if (sco.dataFromLMS) out["cmi.launch_data"] = sco.dataFromLMS;
      return out;
    },

    // ---- the eight functions --------------------------------------------------------------------
    makeApi: function () {
      var self = this, f = this.m.fns, api = {};
      var table = [[f.init, "initialize"], [f.finish, "finish"], [f.get, "getValue"], [f.set, "setValue"],
        [f.commit, "commit"], [f.lastError, "lastError"], [f.errorString, "errorString"], [f.diagnostic, "diag"]];
      table.forEach(function (pair) {
        api[pair[0]] = function () {
          var args = Array.prototype.slice.call(arguments).map(function (a) { return a === undefined ? "" : String(a); });
          var quiet = /Error|Diagnostic/.test(pair[0]);
          self.later = [];
          var result = self[pair[1]].apply(self, args), notes = self.later;
          self.later = null;
          self.emit({ fn: pair[0], args: args, result: result, code: quiet ? "" : self.error,
            diagnostic: quiet || self.error === "0" ? "" : self.diagnostic });
          notes.forEach(self.note, self);
          return result;
        };
      });
      return api;
    },
    fail: function (code, text, result) {
      this.error = code;
      this.diagnostic = text;
      return result;
    },
    ok: function (result) {
      this.error = "0";
      this.diagnostic = "";
      return result;
    },
    /* Lifecycle check for one function: null when the call may go on, else what it returns. */
    lifecycle: function (fn, arg) {
      var codes = this.m.lifecycle[fn];
      if (fn === "init") {
        if (this.state !== "new") return this.fail(this.state === "running" ? codes[0] : codes[1], "already " +
          (this.state === "running" ? "initialized" : "terminated") + " in this launch", "false");
      } else if (this.state !== "running") {
        var before = this.state === "new";
        return this.fail(codes[before ? 0 : 1], (before ? "before Initialize" : "after Terminate/Finish"),
          fn === "get" ? "" : "false");
      }
      if (arg !== undefined && arg !== "") return this.fail(this.m.codes.argument, "the argument must be \"\"", "false");
      return null;
    },

    initialize: function (arg) {
      var stop = this.lifecycle("init", arg);
      if (stop !== null) return stop;
      this.state = "running";
      if (this.pendingNote) this.note(this.pendingNote);
      this.pendingNote = "";
      return this.ok("true");
    },
    commit: function (arg) {
      var stop = this.lifecycle("commit", arg);
      if (stop !== null) return stop;
      this.persist();
      return this.ok("true");
    },
    finish: function (arg) {
      var stop = this.lifecycle("finish", arg);
      if (stop !== null) return stop;
      if (this.m.name === "1.2") this.close12();
      else this.close2004();
      this.state = "terminated";
      this.persist(true);
      return this.ok("true");
    },
    persist: function (final) {
      this.record.cmi = Object.assign({}, this.cmi);
      this.committed = Object.assign({}, this.cmi);
      if (final) this.record.terminated = true;
      this.save();
    },
    lastError: function () { return this.error; },
    errorString: function (code) { return this.m.errors[code] || ""; },
    diag: function (code) { return !code || code === this.error ? this.diagnostic : this.m.errors[code] || ""; },

    // ---- what the LMS does when the session ends (§3.4, §5.4) ---------------------------------------
    close12: function () {
      var c = this.cmi, rec = this.record;
      rec.total += seconds(c["cmi.core.session_time"]);
      rec.exit = c["cmi.core.exit"] || "";
      var raw = c["cmi.core.score.raw"], mastery = c["cmi.student_data.mastery_score"];
      if (c["cmi.core.credit"] === "credit" && raw && mastery !== "") {
        var status = parseFloat(raw) >= parseFloat(mastery) ? "passed" : "failed";
        if (status !== c["cmi.core.lesson_status"]) {
          this.note("score.raw " + raw + " vs mastery_score " + mastery + ": lesson_status " +
            c["cmi.core.lesson_status"] + " → " + status + " (the LMS may do this at LMSFinish; Moodle does)");
          c["cmi.core.lesson_status"] = status;
        }
      }
      if (c["cmi.core.lesson_status"] === "not attempted") {
        c["cmi.core.lesson_status"] = c["cmi.core.lesson_mode"] === "browse" ? "browsed" : "completed";
        this.note("lesson_status was left \"not attempted\": the LMS sets " + c["cmi.core.lesson_status"]);
      }
      this.note("session ended: exit \"" + rec.exit + "\"; next launch entry \"" +
        (rec.exit === "suspend" ? "resume" : "") + "\"");
    },
    close2004: function () {
      var c = this.cmi, rec = this.record;
      rec.total += seconds(c["cmi.session_time"]);
      rec.exit = c["cmi.exit"] || "";
      rec.nav = c["adl.nav.request"] || "_none_";
      ["cmi.completion_status", "cmi.success_status"].forEach(function (el) { c[el] = this.evaluated(el); }, this);
      var suspended = rec.exit === "suspend" || rec.nav === "suspendAll";
      this.note("session ended: exit \"" + rec.exit + "\", adl.nav.request \"" + rec.nav + "\"; " + (suspended
        ? "the attempt is suspended (next launch: entry \"resume\")" : "the attempt is over (next launch: a new attempt)"));
    },
    /* §5.4: a threshold or a passing score makes the LMS derive the status itself. */
    evaluated: function (element) {
      var c = this.cmi;
      if (element === "cmi.completion_status" && c["cmi.completion_threshold"] && c["cmi.progress_measure"] !== undefined) {
        return parseFloat(c["cmi.progress_measure"]) >= parseFloat(c["cmi.completion_threshold"]) ? "completed" : "incomplete";
      }
      if (element === "cmi.success_status" && c["cmi.scaled_passing_score"]) {
        if (c["cmi.score.scaled"] === undefined) return "unknown";
        return parseFloat(c["cmi.score.scaled"]) >= parseFloat(c["cmi.scaled_passing_score"]) ? "passed" : "failed";
      }
      return c[element];
    },

    // ---- GetValue / SetValue -----------------------------------------------------------------
    count: function (prefix) {
      var n = 0, head = prefix + ".";
      Object.keys(this.cmi).forEach(function (k) {
        if (k.indexOf(head) === 0) {
          var i = parseInt(k.slice(head.length), 10);
          if (i + 1 > n) n = i + 1;
        }
      });
      return n;
    },
    /* Every index of ``element`` against its array: "" when fine, else the failing array. */
    indexProblem: function (element, setting) {
      var parts = element.split("."), last = -1;
      for (var i = 0; i < parts.length; i++) if (/^\d+$/.test(parts[i])) last = i;
      for (var j = 0; j < parts.length; j++) {
        if (!/^\d+$/.test(parts[j])) continue;
        var prefix = parts.slice(0, j).join("."), n = this.count(prefix), index = parseInt(parts[j], 10);
        var limit = setting && j === last ? n : n - 1;
        if (index > limit) return prefix + " has " + n + " record(s): index " + index + " is beyond them";
      }
      return "";
    },
    keyword: function (element) {
      var m = /^(.*)\.(_children|_count|_version)$/.exec(element);
      return m ? { base: m[1], word: m[2] } : null;
    },

    getValue: function (element) {
      var stop = this.lifecycle("get");
      if (stop !== null) return stop;
      var codes = this.m.codes, kw = this.keyword(element);
      if (!element) return this.fail(codes.emptyArgument, "no element named", "");
      if (kw && kw.word !== "_version") return this.getKeyword(element, kw);
      var g = generic(element), def = this.m.elements[g];
      if (!def && /^adl\.nav\.request_valid\.(choice|jump)\.\{target=[^}]+\}$/.test(element)) return this.ok("unknown");
      if (!def) return this.fail(codes.undefined, element + " is not in the data model", "");
      var bad = this.indexProblem(element, false);
      if (bad) return this.fail(codes.index, bad, "");
      if (def[0] === "WO") return this.fail(codes.writeOnly, element + " is write-only", "");
      var value = this.m.name === "2004" ? this.evaluated(element) : this.cmi[element];
      if (value === undefined) {
        return this.m.name === "1.2" ? this.ok("") : this.fail(codes.notSet, element + " has no value yet", "");
      }
      return this.ok(value);
    },
    getKeyword: function (element, kw) {
      var g = generic(kw.base), codes = this.m.codes;
      if (!this.known[g]) return this.fail(codes.undefined, kw.base + " is not in the data model", "");
      if (kw.word === "_children") {
        return this.m.children[g] ? this.ok(this.m.children[g]) : this.fail(codes.noChildren, kw.base + " has no children", "");
      }
      if (this.m.arrays.indexOf(g) < 0) return this.fail(codes.noCount, kw.base + " is not an array", "");
      var bad = this.indexProblem(kw.base, false);
      return bad ? this.fail(codes.index, bad, "") : this.ok(String(this.count(kw.base)));
    },

    setValue: function (element, value) {
      var stop = this.lifecycle("set");
      if (stop !== null) return stop;
      var codes = this.m.codes, kw = this.keyword(element);
      value = value === undefined ? "" : String(value);
      if (!element) return this.fail(codes.emptySet || codes.emptyArgument, "no element named", "false");
      if (kw) {
        if (!this.known[generic(kw.base)]) return this.fail(codes.undefined, element + " is not in the data model", "false");
        return this.fail(codes.keyword, kw.word + " is a keyword: read-only", "false");
      }
      var g = generic(element), def = this.m.elements[g];
      if (!def) return this.fail(codes.undefined, element + " is not in the data model", "false");
      if (def[0] === "RO") return this.fail(codes.readOnly, element + " is read-only", "false");
      var bad = this.indexProblem(element, true) || this.dependency(element, g, value);
      if (bad) return this.fail(bad[0] === "!" ? codes.unique : /before/.test(bad) ? codes.dependency : codes.setIndex,
        bad.replace(/^!/, ""), "false");
      var check = this.validator(def[1], element), problem = check(value);
      if (problem) {
        return this.fail(problem === "range" ? codes.range : codes.type,
          element + ": " + JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value) +
          (problem === "range" ? " is out of range" : " is not a valid value (length " + value.length + ")"), "false");
      }
      this.cmi[element] = value;
      return this.ok("true");
    },
    validator: function (kind, element) {
      if (kind === "suspend") return MODEL.chars(this.o.suspendMax || 64000);
      if (kind !== "response") return kind || function () { return ""; };
      var type = this.cmi[element.replace(/\.(learner_response|correct_responses\.\d+\.pattern)$/, ".type")];
      return this.m.responses[type] || MODEL.chars(4000);
    },
    /* 2004 ordering rules (§5.5): id first on a new record, type before responses, unique ids. */
    dependency: function (element, g, value) {
      if (this.m.name !== "2004") return "";
      var m = /^(cmi\.(?:interactions|objectives)\.\d+)\.(.+)$/.exec(element);
      if (!m) return "";
      var record = m[1], field = m[2];
      if (this.cmi[record + ".id"] === undefined && field !== "id") return field + " before " + record + ".id";
      if (/^(learner_response|correct_responses\.)/.test(field) && this.cmi[record + ".type"] === undefined) {
        return field + " before " + record + ".type";
      }
      if (g === "cmi.objectives.n.id") {
        for (var i = 0, n = this.count("cmi.objectives"); i < n; i++) {
          if ("cmi.objectives." + i !== record && this.cmi["cmi.objectives." + i + ".id"] === value) {
            return "!objective id " + value + " is already cmi.objectives." + i;
          }
        }
      }
      return "";
    },

    /* The current values, for the panel: [element, value, uncommitted]. */
    values: function () {
      var self = this;
      return Object.keys(this.cmi).sort(naturally).map(function (k) {
        return [k, self.cmi[k], self.committed[k] !== self.cmi[k]];
      });
    },
  };

  function naturally(a, b) {
    return a.localeCompare(b, "en", { numeric: true });
  }

  window.JMDIPreviewLms = Lms;
})();
