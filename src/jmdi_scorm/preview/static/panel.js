/* panel.js: the debug page of jmdi-scorm preview. Waits on the server for builds (when a new one
 * is served: hands the course the changed pages to show again in place, or relaunches it), plays
 * the SCORM LMS with scorm-api.js, or shows what the server's local LMS received for xAPI / cmi5. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var POLL_MS = 500, XAPI_POLL_MS = 800, MAX_ROWS = 3000;
  var LEARNER = { id: "preview-learner", name: "Learner, Preview" };
  var frame = $("course");
  var view = { status: null, served: 0, kind: "", lms: null, lmsBySco: {}, sco: null, calls: 0,
    xapi: { statements: 0, requests: 0, busy: false }, launching: null, cmiTimer: 0 };

  // ---- helpers ------------------------------------------------------------------------------
  function row(table, cells, cls) {
    var tr = document.createElement("tr");
    if (cls) tr.className = cls;
    cells.forEach(function (cell) {
      var td = document.createElement("td");
      if (cell && typeof cell === "object") {
        td.textContent = cell.text;
        if (cell.cls) td.className = cell.cls;
        if (cell.title) td.title = cell.title;
        if (cell.span) td.colSpan = cell.span;
      } else td.textContent = cell === undefined ? "" : String(cell);
      tr.appendChild(td);
    });
    var body = $(table).tBodies[0], box = $(table).parentNode;
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 30;
    body.appendChild(tr);
    while (body.rows.length > MAX_ROWS) body.deleteRow(0);
    if (atBottom) box.scrollTop = box.scrollHeight;
    return tr;
  }
  function quote(value) { return JSON.stringify(value); }
  function post(url, data) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) })
      .then(function (r) { return r.json(); });
  }

  // ---- builds -------------------------------------------------------------------------------
  // The server answers ?after=N as soon as a build numbered above N is done (or after 20 s).
  function poll() {
    var after = view.status ? "?after=" + view.status.latest.number : "";
    fetch("/__preview/status" + after, { cache: "no-store" }).then(function (r) { return r.json(); })
      .then(function (status) { showStatus(status); setTimeout(poll, 0); })
      .catch(function () {
        $("build").textContent = "preview server stopped";
        $("build").className = "failed";
        setTimeout(poll, POLL_MS);
      });
  }

  /* The pages the served builds after `from` changed, or null when the course must be launched
   * again (a build changed more than content scripts, or one is no longer listed). */
  function changedPages(changes, from) {
    var newer = changes.filter(function (c) { return c[0] > from; });
    if (newer.length === changes.length && changes.length >= 50) return null;
    var pages = [];
    for (var i = 0; i < newer.length; i++) {
      if (!newer[i][1]) return null;
      newer[i][1].forEach(function (id) { if (pages.indexOf(id) < 0) pages.push(id); });
    }
    return pages;
  }

  /* Tell the course (live.js, added to its launch page by the preview) which pages changed, with
   * the new content of those the status carries (the last build's): it shows the current one
   * again in place, keeping the learner's place, and loads the others again. */
  function sendPages(pages, number, content) {
    var data = content && content.build === number ? content.pages : {};
    if (pages.length && frame.contentWindow) {
      frame.contentWindow.postMessage({ jmdiPreview: "pages", pages: pages, build: number, content: data }, "*");
    }
  }

  function showStatus(status) {
    var served = status.served, fresh = !!served && served.number !== view.served, first = fresh && !view.served;
    var pages = fresh && !first ? changedPages(status.changes || [], view.served) : null;
    view.status = status;
    if (fresh) view.served = served.number;
    if (pages) {
      // The course first: the panel changes after the course has shown the page again (the
      // message goes before the timer), so the browser does not lay out the panel before.
      sendPages(pages, served.number, status.content);
      setTimeout(function () {
        showBuild(status);
        if (view.kind === "scorm") updateScos(served.scos);
        $("session").textContent = "rebuilt (#" + served.number + "): " + (pages.length ? pages.join(", ") +
          " updated in place" : "nothing to show again");
      }, 0);
      return;
    }
    showBuild(status);
    if (!fresh) return;
    if (first) setUp(status);
    else if (view.kind === "scorm") updateScos(served.scos);
    launch(false, first ? "launch" : "rebuilt (#" + served.number + "): relaunch");
  }

  function showBuild(status) {
    var latest = status.latest, served = status.served, label = $("build");
    $("format").textContent = status.format;
    label.className = latest.ok ? "ok" : "failed";
    label.textContent = "build #" + latest.number + (latest.ok ? " ok in " + latest.seconds + " s" : " failed" +
      (served ? " (showing #" + served.number + ")" : ""));
    var problems = latest.ok ? "" : [latest.error].concat(latest.problems).join("\n");
    $("build-error").hidden = !problems;
    $("build-error").textContent = problems;
    if (served) {
      $("title").textContent = served.title || served.course;
      document.title = (served.title || served.course) + " — jmdi-scorm preview";
    }
  }

  function setUp(status) {
    view.kind = status.kind;
    $("scorm-panel").hidden = status.kind !== "scorm";
    $("xapi-panel").hidden = status.kind !== "xapi" && status.kind !== "cmi5";
    $("web-panel").hidden = status.kind !== "web";
    $("mode-label").hidden = status.kind !== "scorm";
    if (status.kind === "scorm") updateScos(status.served.scos);
    if (status.database) $("database").textContent = "SQLite: " + status.database;
    if (status.kind === "xapi" || status.kind === "cmi5") pollXapi();
  }

  // ---- launching ----------------------------------------------------------------------------
  function unload() {
    return new Promise(function (resolve) {
      if (!frame.getAttribute("src") || frame.getAttribute("src") === "about:blank") return resolve();
      frame.addEventListener("load", function () { resolve(); }, { once: true });
      frame.setAttribute("src", "about:blank"); // the course's pagehide handlers run now
    });
  }

  function launch(newAttempt, why) {
    var run = (view.launching || Promise.resolve()).then(function () {
      return unload().then(function () { return start(newAttempt, why); });
    });
    view.launching = run.catch(function (e) { $("session").textContent = "launch failed: " + e; });
    return view.launching;
  }

  function start(newAttempt, why) {
    if (view.kind === "scorm") return startScorm(newAttempt, why);
    if (view.kind === "web") {
      if (newAttempt) Object.keys(localStorage).filter(function (k) { return k.indexOf("jmdi:") === 0; })
        .forEach(function (k) { localStorage.removeItem(k); });
      $("session").textContent = why + (newAttempt ? " (progress cleared)" : "");
      frame.setAttribute("src", "/course/index.html");
      return;
    }
    return post("/__preview/launch", { newAttempt: newAttempt }).then(function (answer) {
      if (answer.error) throw new Error(answer.error);
      $("session").textContent = why + " · registration " + answer.registration;
      frame.setAttribute("src", answer.url);
    });
  }

  // ---- SCORM: the in-page LMS -----------------------------------------------------------------
  function updateScos(scos) {
    var select = $("sco"), current = select.value;
    select.textContent = "";
    scos.forEach(function (sco) {
      var option = document.createElement("option");
      option.value = sco.id;
      option.textContent = sco.title || sco.id;
      select.appendChild(option);
    });
    if (current && scos.some(function (s) { return s.id === current; })) select.value = current;
    $("sco-label").hidden = scos.length < 2;
    view.scos = scos;
  }

  function lmsFor(sco) {
    var status = view.status, key = "jmdi-preview/" + status.served.course + "/" + status.format + "/" + sco.id;
    var lms = view.lmsBySco[key];
    if (!lms) {
      lms = view.lmsBySco[key] = new window.JMDIPreviewLms({ edition: status.format === "scorm12" ? "1.2" : "2004",
        storageKey: key, sco: sco, learner: LEARNER, suspendMax: status.format === "scorm2004-3rd" ? 4000 : 64000 });
      lms.listeners.push(function (entry) { if (lms === view.lms) logCall(entry); });
    }
    lms.o.sco = sco;
    return lms;
  }

  function startScorm(newAttempt, why) {
    var sco = view.scos.filter(function (s) { return s.id === $("sco").value; })[0] || view.scos[0];
    if (view.lms && view.lms.state === "running") {
      logCall({ lms: "the SCO was unloaded without " + view.lms.m.fns.finish + ": values set since the last commit are lost" });
    }
    var lms = lmsFor(sco);
    delete window.API;
    delete window.API_1484_11;
    window[lms.m.apiName] = lms.api;
    view.lms = lms;
    lms.launch({ newAttempt: newAttempt, mode: $("mode").value });
    var entry = lms.cmi["cmi.core.entry"] !== undefined ? lms.cmi["cmi.core.entry"] : lms.cmi["cmi.entry"];
    var text = why + " · " + (sco.title || sco.id) + " · attempt " + lms.record.attempt + ", launch " +
      lms.record.launches + ", entry " + quote(entry) + ", mode " + $("mode").value;
    $("session").textContent = text;
    row("calls", [{ text: text, span: 5 }], "launch");
    showCmi();
    frame.setAttribute("src", "/course/" + sco.href);
  }

  function logCall(entry) {
    if (entry.lms) {
      row("calls", [{ text: "LMS: " + entry.lms, span: 5 }], "note");
    } else {
      var quiet = /Error|Diagnostic/.test(entry.fn), failed = !quiet && entry.code !== "0";
      var code = quiet ? "" : entry.code + (failed ? " " + view.lms.m.errors[entry.code] : "");
      var tr = row("calls", [++view.calls, entry.t, { text: entry.fn + "(" + entry.args.map(quote).join(", ") + ")",
        cls: "call" }, { text: quote(entry.result), cls: "result" }, { text: code, cls: "code", title: entry.diagnostic }],
      (quiet ? "quiet" : "") + (failed ? " error" : ""));
      tr.dataset.fn = entry.fn;
      if (entry.args.length) tr.dataset.element = entry.args[0];
    }
    clearTimeout(view.cmiTimer);
    view.cmiTimer = setTimeout(showCmi, 50);
  }

  function showCmi() {
    var body = $("cmi").tBodies[0], before = {};
    Array.prototype.forEach.call(body.rows, function (tr) { before[tr.dataset.element] = tr.dataset.value; });
    body.textContent = "";
    if (!view.lms) return;
    row("cmi", [{ text: "session: " + view.lms.state, span: 2 }], "note");
    view.lms.values().forEach(function (item) {
      var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
      th.textContent = item[0];
      td.textContent = item[1];
      td.className = "value";
      tr.dataset.element = item[0];
      tr.dataset.value = item[1];
      var changed = item[0] in before && before[item[0]] !== item[1];
      tr.className = (item[2] ? "uncommitted" : "") + (changed ? " changed" : "");
      tr.appendChild(th);
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }

  // ---- xAPI / cmi5: what the server's LMS received ----------------------------------------------
  function pollXapi() {
    if (view.xapi.busy) return;
    view.xapi.busy = true;
    fetch("/__preview/xapi?statements=" + view.xapi.statements + "&requests=" + view.xapi.requests, { cache: "no-store" })
      .then(function (r) { return r.json(); }).then(showXapi).catch(function () { /* server gone */ })
      .then(function () { view.xapi.busy = false; setTimeout(pollXapi, XAPI_POLL_MS); });
  }

  function showXapi(data) {
    data.statements.forEach(function (s) {
      view.xapi.statements += 1;
      var verb = (s.verb.display && (s.verb.display["en-US"] || s.verb.display.en || Object.values(s.verb.display)[0])) ||
        s.verb.id.split("/").pop();
      var object = s.object || {}, name = object.definition && object.definition.name;
      var result = s.result ? [s.result.completion !== undefined ? "completion " + s.result.completion : "",
        s.result.success !== undefined ? "success " + s.result.success : "",
        s.result.score && s.result.score.scaled !== undefined ? "scaled " + s.result.score.scaled : "",
        s.result.duration || ""].filter(Boolean).join(", ") : "";
      var tr = row("statements", [view.xapi.statements, (s.timestamp || "").slice(11, 23), { text: verb, cls: "verb" },
        { text: (name && (name["en-US"] || name.en || Object.values(name)[0])) || object.id, title: object.id },
        result], "statement");
      tr.dataset.verb = s.verb.id;
      tr.addEventListener("click", function () { toggleDetails(tr, JSON.stringify(s, null, 2), 5); });
    });
    view.xapi.statements = data.statementCount;
    data.requests.forEach(function (r) {
      var isDocument = /\/(activities\/state|agents\/profile)$/.test(r.path);
      var missing = r.method === "GET" && r.status === 404 && isDocument; // no document yet: not a refusal
      var interesting = (isDocument && r.method !== "GET") || (r.status >= 400 && !missing) ||
        r.path.indexOf("/cmi5/fetch/") === 0;
      if (!interesting) return;
      var id = r.query.stateId || r.query.profileId || "";
      var tr = row("requests", [r.index + 1, r.method + " " + r.path.replace(/^\/xapi\//, "") + (id ? " " + id : ""),
        r.status, { text: r.body.slice(0, 300), cls: "body" }], r.status >= 400 ? "error" : "");
      tr.dataset.stateId = id;
      tr.addEventListener("click", function () { toggleDetails(tr, r.body, 4); });
    });
    view.xapi.requests = data.requestCount;
  }

  function toggleDetails(tr, text, span) {
    var next = tr.nextSibling;
    if (next && next.className === "details") return next.remove();
    var details = document.createElement("tr"), td = document.createElement("td"), pre = document.createElement("pre");
    details.className = "details";
    td.colSpan = span;
    pre.textContent = text;
    td.appendChild(pre);
    details.appendChild(td);
    tr.parentNode.insertBefore(details, next);
  }

  // ---- controls -----------------------------------------------------------------------------
  $("relaunch").addEventListener("click", function () { launch(false, "relaunch"); });
  $("new-attempt").addEventListener("click", function () { launch(true, "new attempt"); });
  $("sco").addEventListener("change", function () { launch(false, "launch"); });
  $("show-quiet").addEventListener("change", function () { $("calls").classList.toggle("hide-quiet", !this.checked); });
  $("clear-calls").addEventListener("click", function () { $("calls").tBodies[0].textContent = ""; });
  $("calls").classList.add("hide-quiet");
  window.JMDIPreview = view; // for tests and the console
  poll();
})();
