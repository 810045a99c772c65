/* scorm-model.js: the CMI data models the preview's in-page LMS answers with (SCORM 1.2 and
 * SCORM 2004), as data: elements with access and type, arrays, _children lists, error codes.
 * Section numbers cite docs/standards.md (§3.3, §3.6 for 1.2; §5.3, §5.6 for 2004).
 * An element name is generalised by replacing every index with "n" before the lookup. */
(function () {
  "use strict";

  // ---- value types: each returns "" when the value is fine, else "type" or "range" ---------------
  var DECIMAL = /^-?\d+(\.\d+)?$/;
  function re(pattern) {
    return function (v) { return pattern.test(v) ? "" : "type"; };
  }
  function chars(max) {
    return function (v) { return v.length <= max ? "" : "type"; };
  }
  function vocab(words) {
    return function (v) { return words.indexOf(v) >= 0 ? "" : "type"; };
  }
  function number(min, max, blank, integer) {
    return function (v) {
      if (blank && v === "") return "";
      if (!(integer ? /^-?\d+$/ : DECIMAL).test(v)) return "type";
      var x = parseFloat(v);
      return (min !== null && x < min) || (max !== null && x > max) ? "range" : "";
    };
  }
  function either(a, b) {
    return function (v) { return a(v) && b(v); };
  }

  // ---- SCORM 1.2 (§3.3, §3.5) ----------------------------------------------------------------
  var STATUS_12 = ["passed", "completed", "failed", "incomplete", "browsed"];
  var T12 = {
    s255: chars(255), s4096: chars(4096), id: re(/^[^\s]{1,255}$/),
    score: number(0, 100, true), decimal: number(null, null, false),
    timespan: re(/^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/),
    time: re(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$/),
    status: vocab(STATUS_12), objStatus: vocab(STATUS_12.concat(["not attempted"])),
    exit: vocab(["time-out", "suspend", "logout", ""]),
    itype: vocab(["true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"]),
    result: either(vocab(["correct", "wrong", "unanticipated", "neutral"]), number(null, null, false)),
    audio: number(-1, 100, false, true), speed: number(-100, 100, false, true), text: number(-1, 1, false, true),
  };
  var SCORM12 = {
    name: "1.2", apiName: "API",
    fns: { init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
      commit: "LMSCommit", lastError: "LMSGetLastError", errorString: "LMSGetErrorString",
      diagnostic: "LMSGetDiagnostic" },
    elements: {
      "cmi._version": ["RO"], "cmi.core.student_id": ["RO"], "cmi.core.student_name": ["RO"],
      "cmi.core.lesson_location": ["RW", T12.s255], "cmi.core.credit": ["RO"],
      "cmi.core.lesson_status": ["RW", T12.status], "cmi.core.entry": ["RO"],
      "cmi.core.score.raw": ["RW", T12.score], "cmi.core.score.min": ["RW", T12.score],
      "cmi.core.score.max": ["RW", T12.score], "cmi.core.total_time": ["RO"], "cmi.core.lesson_mode": ["RO"],
      "cmi.core.exit": ["WO", T12.exit], "cmi.core.session_time": ["WO", T12.timespan],
      "cmi.suspend_data": ["RW", T12.s4096], "cmi.launch_data": ["RO"], "cmi.comments": ["RW", T12.s4096],
      "cmi.comments_from_lms": ["RO"],
      "cmi.objectives.n.id": ["RW", T12.id], "cmi.objectives.n.score.raw": ["RW", T12.score],
      "cmi.objectives.n.score.min": ["RW", T12.score], "cmi.objectives.n.score.max": ["RW", T12.score],
      "cmi.objectives.n.status": ["RW", T12.objStatus],
      "cmi.student_data.mastery_score": ["RO"], "cmi.student_data.max_time_allowed": ["RO"],
      "cmi.student_data.time_limit_action": ["RO"],
      "cmi.student_preference.audio": ["RW", T12.audio], "cmi.student_preference.language": ["RW", T12.s255],
      "cmi.student_preference.speed": ["RW", T12.speed], "cmi.student_preference.text": ["RW", T12.text],
      "cmi.interactions.n.id": ["WO", T12.id], "cmi.interactions.n.objectives.n.id": ["WO", T12.id],
      "cmi.interactions.n.time": ["WO", T12.time], "cmi.interactions.n.type": ["WO", T12.itype],
      "cmi.interactions.n.correct_responses.n.pattern": ["WO", T12.s255],
      "cmi.interactions.n.weighting": ["WO", T12.decimal], "cmi.interactions.n.student_response": ["WO", T12.s255],
      "cmi.interactions.n.result": ["WO", T12.result], "cmi.interactions.n.latency": ["WO", T12.timespan],
    },
    arrays: ["cmi.objectives", "cmi.interactions", "cmi.interactions.n.objectives",
      "cmi.interactions.n.correct_responses"],
    children: {
      "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time," +
        "lesson_mode,exit,session_time",
      "cmi.core.score": "raw,min,max", "cmi.objectives": "id,score,status", "cmi.objectives.n.score": "raw,min,max",
      "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
      "cmi.student_preference": "audio,language,speed,text",
      "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    },
    // §3.6: which code answers which mistake
    // lifecycle: [code before Initialize, code after Finish] per function; init: [running, finished]
    lifecycle: { init: ["101", "101"], get: ["301", "301"], set: ["301", "301"], commit: ["301", "301"],
      finish: ["301", "301"] },
    codes: { argument: "201", undefined: "201",
      noChildren: "202", noCount: "203", keyword: "402", readOnly: "403", writeOnly: "404", type: "405",
      range: "405", index: "201", setIndex: "201", dependency: "201", unique: "201", emptyArgument: "201" },
    errors: { "0": "No error", "101": "General exception", "201": "Invalid argument error",
      "202": "Element cannot have children", "203": "Element not an array - cannot have count",
      "301": "Not initialized", "401": "Not implemented error", "402": "Invalid set value, element is a keyword",
      "403": "Element is read only", "404": "Element is write only", "405": "Incorrect data type" },
  };

  // ---- SCORM 2004 (§5.3, §5.5) ---------------------------------------------------------------
  var ID = /^[A-Za-z0-9_]{1,250}$/; // short_identifier_type inside responses (§5.5 project rule)
  function list(sep, item, unique) {
    return function (v) {
      var parts = v.split(sep);
      if (!v || !parts.every(function (p) { return item.test(p); })) return "type";
      return unique && parts.length !== Object.keys(parts.reduce(function (s, p) { s[p] = 1; return s; }, {})).length
        ? "type" : "";
    };
  }
  var PAIR = /^[A-Za-z0-9_]{1,250}\[\.\][A-Za-z0-9_]{1,250}$/;
  var RESPONSES = { // learner_response and correct_responses.n.pattern by interaction type
    "true-false": re(/^(true|false)$/), choice: list("[,]", ID, true), sequencing: list("[,]", ID, false),
    matching: list("[,]", PAIR, false), likert: re(ID), numeric: re(/^(-?\d+(\.\d+)?)?(\[:\](-?\d+(\.\d+)?)?)?$/),
  };
  function localized(max) {
    return function (v) { return v.replace(/^\{lang=[A-Za-z0-9-]{0,250}\}/, "").length <= max ? "" : "type"; };
  }
  var T04 = {
    completion: vocab(["completed", "incomplete", "not attempted", "unknown"]),
    success: vocab(["passed", "failed", "unknown"]),
    exit: vocab(["time-out", "suspend", "logout", "normal", ""]),
    duration: re(/^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/),
    time: re(/^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2})?)?)?)?)?)?(Z|[+-]\d{2}(:\d{2})?)?$/),
    scaled: number(-1, 1, false), real: number(null, null, false), unit: number(0, 1, false),
    positive: number(0, null, false), caption: vocab(["-1", "0", "1"]),
    longId: re(/^\S{1,4000}$/), language: re(/^([A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)?$/),
    itype: vocab(["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
      "likert", "numeric", "other"]),
    result: either(vocab(["correct", "incorrect", "unanticipated", "neutral"]), number(null, null, false)),
    nav: re(/^(continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_|\{target=[^}\s]+\}(choice|jump))$/),
  };
  var SCORM2004 = {
    name: "2004", apiName: "API_1484_11",
    fns: { init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit",
      lastError: "GetLastError", errorString: "GetErrorString", diagnostic: "GetDiagnostic" },
    elements: {
      "cmi._version": ["RO"],
      "cmi.comments_from_learner.n.comment": ["RW", localized(4000)],
      "cmi.comments_from_learner.n.location": ["RW", chars(250)],
      "cmi.comments_from_learner.n.timestamp": ["RW", T04.time],
      "cmi.comments_from_lms.n.comment": ["RO"], "cmi.comments_from_lms.n.location": ["RO"],
      "cmi.comments_from_lms.n.timestamp": ["RO"],
      "cmi.completion_status": ["RW", T04.completion], "cmi.completion_threshold": ["RO"],
      "cmi.credit": ["RO"], "cmi.entry": ["RO"], "cmi.exit": ["WO", T04.exit],
      "cmi.interactions.n.id": ["RW", T04.longId], "cmi.interactions.n.type": ["RW", T04.itype],
      "cmi.interactions.n.objectives.n.id": ["RW", T04.longId],
      "cmi.interactions.n.timestamp": ["RW", T04.time],
      "cmi.interactions.n.correct_responses.n.pattern": ["RW", "response"],
      "cmi.interactions.n.weighting": ["RW", T04.real], "cmi.interactions.n.learner_response": ["RW", "response"],
      "cmi.interactions.n.result": ["RW", T04.result], "cmi.interactions.n.latency": ["RW", T04.duration],
      "cmi.interactions.n.description": ["RW", localized(250)],
      "cmi.launch_data": ["RO"], "cmi.learner_id": ["RO"], "cmi.learner_name": ["RO"],
      "cmi.learner_preference.audio_level": ["RW", T04.positive],
      "cmi.learner_preference.language": ["RW", T04.language],
      "cmi.learner_preference.delivery_speed": ["RW", T04.positive],
      "cmi.learner_preference.audio_captioning": ["RW", T04.caption],
      "cmi.location": ["RW", chars(1000)], "cmi.max_time_allowed": ["RO"], "cmi.mode": ["RO"],
      "cmi.objectives.n.id": ["RW", T04.longId], "cmi.objectives.n.score.scaled": ["RW", T04.scaled],
      "cmi.objectives.n.score.raw": ["RW", T04.real], "cmi.objectives.n.score.min": ["RW", T04.real],
      "cmi.objectives.n.score.max": ["RW", T04.real], "cmi.objectives.n.success_status": ["RW", T04.success],
      "cmi.objectives.n.completion_status": ["RW", T04.completion],
      "cmi.objectives.n.progress_measure": ["RW", T04.unit], "cmi.objectives.n.description": ["RW", localized(250)],
      "cmi.progress_measure": ["RW", T04.unit], "cmi.scaled_passing_score": ["RO"],
      "cmi.score.scaled": ["RW", T04.scaled], "cmi.score.raw": ["RW", T04.real], "cmi.score.min": ["RW", T04.real],
      "cmi.score.max": ["RW", T04.real], "cmi.session_time": ["WO", T04.duration],
      "cmi.success_status": ["RW", T04.success], "cmi.suspend_data": ["RW", "suspend"],
      "cmi.time_limit_action": ["RO"], "cmi.total_time": ["RO"],
      "adl.nav.request": ["RW", T04.nav], "adl.nav.request_valid.continue": ["RO"],
      "adl.nav.request_valid.previous": ["RO"],
    },
    arrays: ["cmi.comments_from_learner", "cmi.comments_from_lms", "cmi.interactions", "cmi.interactions.n.objectives",
      "cmi.interactions.n.correct_responses", "cmi.objectives"],
    children: {
      "cmi.comments_from_learner": "comment,location,timestamp", "cmi.comments_from_lms": "comment,location,timestamp",
      "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result," +
        "latency,description",
      "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
      "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
      "cmi.objectives.n.score": "scaled,raw,min,max", "cmi.score": "scaled,raw,min,max",
    },
    // §5.6
    lifecycle: { init: ["103", "104"], get: ["122", "123"], set: ["132", "133"], commit: ["142", "143"],
      finish: ["112", "113"] },
    codes: { argument: "201", undefined: "401",
      noChildren: "301", noCount: "301", keyword: "404", readOnly: "404", writeOnly: "405", type: "406",
      range: "407", index: "301", setIndex: "351", dependency: "408", unique: "351", notSet: "403",
      emptyArgument: "301", emptySet: "351" },
    errors: { "0": "No error", "101": "General exception", "102": "General initialization failure",
      "103": "Already initialized", "104": "Content instance terminated", "111": "General termination failure",
      "112": "Termination before initialization", "113": "Termination after termination",
      "122": "Retrieve data before initialization", "123": "Retrieve data after termination",
      "132": "Store data before initialization", "133": "Store data after termination",
      "142": "Commit before initialization", "143": "Commit after termination", "201": "General argument error",
      "301": "General get failure", "351": "General set failure", "391": "General commit failure",
      "401": "Undefined data model element", "402": "Unimplemented data model element",
      "403": "Data model element value not initialized", "404": "Data model element is read only",
      "405": "Data model element is write only", "406": "Data model element type mismatch",
      "407": "Data model element value out of range", "408": "Data model dependency not established" },
    responses: RESPONSES,
  };

  window.JMDIPreviewModel = { "1.2": SCORM12, "2004": SCORM2004, chars: chars };
})();
