/* LMS harness: exposes scorm-again as window.API / window.API_1484_11 and records every call.
   Each record is {fn, args, ret, err, t}; err is GetLastError() right after the call.
   scorm-again is lenient (docs/standards.md §10.1), so the tests check strict formats on this log. */
(function () {
  "use strict";
  var EDITIONS = {
    "1.2": {
      cls: "Scorm12API", name: "API", lastError: "LMSGetLastError",
      fns: ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
        "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"]
    },
    "2004": {
      cls: "Scorm2004API", name: "API_1484_11", lastError: "GetLastError",
      fns: ["Initialize", "Terminate", "GetValue", "SetValue", "Commit",
        "GetLastError", "GetErrorString", "GetDiagnostic"]
    }
  };
  var QUIET = /GetLastError|GetErrorString|GetDiagnostic/;

  function proxy(lms, edition, calls, refuse) {
    var api = {};
    edition.fns.forEach(function (fn) {
      api[fn] = function () {
        var args = Array.prototype.slice.call(arguments);
        var ret = refuse && refuse(fn, args) ? "false" : String(lms[fn].apply(lms, args));
        var err = QUIET.test(fn) ? "" : String(lms[edition.lastError]());
        calls.push({ fn: fn, args: args, ret: ret, err: err, t: Date.now() });
        return ret;
      };
    });
    return api;
  }

  window.harness = {
    calls: [],
    lms: null,
    // options: {edition: "1.2"|"2004", url, cmi: flattened seed values, refuse: [fn, element]}
    launch: function (options) {
      var edition = EDITIONS[options.edition];
      var lms = new window[edition.cls]({ autocommit: false, logLevel: 5 });
      if (options.cmi) lms.loadFromFlattenedJSON(options.cmi, "");
      var refuse = options.refuse && function (fn, args) {
        return fn === options.refuse[0] && (!options.refuse[1] || args[0] === options.refuse[1]);
      };
      this.calls = [];
      this.lms = lms;
      delete window.API;
      delete window.API_1484_11;
      window[edition.name] = proxy(lms, edition, this.calls, refuse);
      document.getElementById("sco").src = options.url;
    },
    // Closes the course the way an LMS does: the SCO frame navigates away.
    close: function () {
      document.getElementById("sco").src = "about:blank";
    },
    // Or the LMS removes the frame altogether (RT-10).
    remove: function () {
      var frame = document.getElementById("sco");
      frame.parentNode.removeChild(frame);
    }
  };
})();
