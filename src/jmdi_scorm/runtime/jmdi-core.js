/* jmdi-core.js: the learner-side runtime of every jmdi-scorm package.
 *
 * The launch page (index.html) owns the session: pages are content scripts
 * (content/<page-id>.js calling JMDI.page) shown inside it, so moving between pages never
 * unloads it. One state object holds progress and answers; one adapter (jmdi-<name>.js)
 * persists it. Adapter interface (docs/architecture.md):
 *   start()             -> Promise<{state, mode, learner?, notice?, offline?}>
 *   restored(tries)     -> void, optional: before any save or interaction, the tries the starting
 *                          state (LMS copy merged with the browser's) holds on recorded questions
 *   save(snapshot)      -> Promise<boolean>
 *   interaction(record) -> void
 *   finish(snapshot)    -> Promise<void>, called exactly once, synchronously (see finish())
 * The first page shows before the adapter's start() resolved (startSession, issue 16); the other
 * calls come after it. No dependencies, no build step, no request outside the package.
 */
(function () {
  "use strict";

  var JMDI = (window.JMDI = window.JMDI || {});
  var adapters = {};
  var RETRY_MS = 15000;

  JMDI.registerAdapter = function (name, factory) {
    adapters[name] = factory;
    if (config && name === config.adapter) startSession(); // loaded after the first page (showFirst)
  };

  // ---- state codec: the same encoding as state_codec.py ---------------------------------

  function escapeText(text) {
    var out = "";
    for (var ch of String(text)) {
      if (/^[A-Za-z0-9_-]$/.test(ch)) out += ch;
      else if (ch === " ") out += "+";
      else out += "%" + ch.codePointAt(0).toString(36).padStart(4, "0");
    }
    return out;
  }

  function unescapeText(text) {
    return text.replace(/\+|%([0-9a-z]{4})/g, function (match, code) {
      return match === "+" ? " " : String.fromCodePoint(parseInt(code, 36));
    });
  }

  /* The longest prefix of text whose escaped form has at most budget characters. */
  function fitText(text, budget) {
    var out = "";
    var used = 0;
    for (var ch of String(text)) {
      used += escapeText(ch).length;
      if (used > budget) break;
      out += ch;
    }
    return out;
  }

  function byKey(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function encodeState(state) {
    var owners = {};
    Object.keys(state.pages || {}).forEach(function (page) {
      owners[page] = { status: state.pages[page] | 0, answers: {} };
    });
    Object.keys(state.answers || {}).forEach(function (key) {
      var cut = key.lastIndexOf(".");
      var page = key.slice(0, cut);
      owners[page] = owners[page] || { status: 0, answers: {} };
      owners[page].answers[key.slice(cut + 1)] = state.answers[key];
    });
    var entries = Object.keys(owners).sort(byKey).map(function (page) {
      var owner = owners[page];
      return (
        page + "*" + owner.status +
        Object.keys(owner.answers).sort(byKey).map(function (q) {
          var a = owner.answers[q];
          return "!" + q + "." + Math.min(a.tries | 0, 99) + (a.correct ? "y" : "n") + escapeText(a.response || "");
        }).join("")
      );
    });
    return "1~" + (state.location || "") + "~" + entries.join(",");
  }

  function decodeState(text) {
    var match = typeof text === "string" && /^1~([^~]*)~([\s\S]*)$/.exec(text);
    if (!match) return null;
    var state = { location: match[1], pages: {}, answers: {} };
    var entries = match[2] ? match[2].split(",") : [];
    try {
      entries.forEach(function (entry) {
        var parts = entry.split("!");
        var head = /^([a-z0-9.-]+)\*([0-2])$/.exec(parts[0]);
        if (!head) throw new Error("state");
        if (+head[2]) state.pages[head[1]] = +head[2];
        parts.slice(1).forEach(function (part) {
          var q = /^([a-z0-9-]+)\.(\d{1,2})([yn])([A-Za-z0-9_+%-]*)$/.exec(part);
          if (!q) throw new Error("state");
          state.answers[head[1] + "." + q[1]] = { response: unescapeText(q[4]), tries: +q[2], correct: q[3] === "y" };
        });
      });
    } catch (e) {
      return null;
    }
    return state;
  }

  JMDI.encodeState = encodeState;
  JMDI.decodeState = decodeState;
  JMDI.fitText = fitText;

  // ---- helpers ------------------------------------------------------------------------------

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function $$(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function fmt(text, fields) {
    return String(text).replace(/\{(\w+)\}/g, function (m, key) {
      return key in fields ? fields[key] : m;
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // ---- the session --------------------------------------------------------------------------

  var config, S, adapter, mode = "normal";
  var pages = {}, titles = {}, sequence = [], tracked = [], cache = {}, waiting = {};
  var state = { location: "", pages: {}, answers: {} };
  var current = null, currentData = null, started = Date.now();
  var finished = false, finishing = null, saving = null, savePending = false, retryTimer = null;
  var lastStatus = "", lastSaved = null;
  var offline = false, store = null, storeKey = "";

  /* Pages of this launch: the package scope, narrowed by ?sco=<module-or-page-id>. */
  function scopePages(all) {
    var sco = new URLSearchParams(location.search).get("sco");
    if (!sco || !all.some(function (p) { return p.id === sco || p.module === sco; })) return all;
    var isModule = all.some(function (p) { return p.kind === "module" && p.id === sco; });
    return all.filter(function (p) {
      if (isModule) return p.module === sco || !p.module;
      return p.id === sco || (!p.module && p.kind !== "home" && p.kind !== "summary");
    });
  }

  function isFinal(answer) {
    var attempts = config.tracking.attempts;
    return !!answer && (answer.correct || (attempts > 0 && answer.tries >= attempts));
  }

  /* An answer whose points can no longer change: final, or answered once when tries are unlimited. */
  function isSettled(answer) {
    return isFinal(answer) || (!!answer && !(config.tracking.attempts > 0));
  }

  function pageStatus(id) {
    var page = pages[id];
    if (!page) return 0;
    if (page.kind === "module") {
      var children = tracked.filter(function (p) { return p.module === id; });
      var sum = children.reduce(function (n, p) { return n + pageStatus(p.id); }, 0);
      return !sum ? 0 : sum === 2 * children.length ? 2 : 1;
    }
    return state.pages[id] | 0;
  }

  function refreshPageStatus(id) {
    var page = pages[id];
    if (!page || tracked.indexOf(page) < 0 || !state.pages[id]) return;
    var done = (page.q || []).every(function (q) { return isFinal(state.answers[id + "." + q]); });
    state.pages[id] = done ? 2 : 1;
  }

  /* Completion counts topics and module assessments alike: a module package whose topics are done
   * but whose assessment is open must not report completed (Moodle reopens a completed SCO in
   * review mode, where nothing can be answered). */
  function totals() {
    var done = tracked.filter(function (p) { return pageStatus(p.id) === 2; }).length;
    var max = 0, earned = 0, open = 0, unsettled = 0;
    tracked.forEach(function (p) {
      (p.q || []).forEach(function (q) {
        var a = state.answers[p.id + "." + q];
        max += 1;
        if (a && a.correct) earned += 1;
        else if (!isFinal(a)) open += 1;
        if (!isSettled(a)) unsettled += 1;
      });
    });
    var t = config.tracking;
    var needUnits = Math.ceil(t.completion_threshold * tracked.length - 1e-9);
    var needPoints = Math.ceil(t.mastery_score * max - 1e-9);
    return {
      progress: tracked.length ? done / tracked.length : 1,
      done: done,
      units: tracked.length,
      completion: done >= needUnits ? "completed" : "incomplete",
      success: !max ? "unknown" : earned >= needPoints ? "passed" : earned + open < needPoints ? "failed" : "unknown",
      score: max ? { raw: earned, min: 0, max: max, scaled: Math.round((earned / max) * 10000) / 10000 } : null,
      // success is decided as soon as it cannot change; the score is final once every question is
      // settled. Adapters report pass/fail with its score only then (an LRS keeps the first one).
      scoreFinal: !unsettled,
    };
  }

  function snapshot() {
    var t = totals();
    return {
      stateText: encodeState(state),
      state: JSON.parse(JSON.stringify(state)),
      location: state.location,
      completion: t.completion,
      success: t.success,
      score: t.score,
      scoreFinal: t.scoreFinal,
      progress: Math.round(t.progress * 10000) / 10000,
      sessionSeconds: Math.round((Date.now() - started) / 10) / 100,
    };
  }

  /* Save on each page change, each answer and each status change (and when asked to). The
   * adapters space out what reaches the LMS (SCORM: an answer or a status change is committed at
   * once, page changes at most one commit a second), so nothing waits for the page to close. */
  function changed(pageChanged) {
    var t = totals();
    var status = t.completion + "/" + t.success;
    var statusChanged = status !== lastStatus;
    lastStatus = status;
    updateChrome();
    if (pageChanged || statusChanged) commit();
  }

  function commit() {
    // Before the session started there is nothing to send to: begin() saves once it has.
    if (finished || mode === "review" || !adapter || !session) return Promise.resolve(true);
    if (saving) {
      savePending = true;
      return saving;
    }
    var snap = snapshot();
    saving = Promise.resolve()
      .then(function () { return adapter.save(snap); })
      .then(function (ok) { return ok !== false; }, function () { return false; })
      .then(function (ok) {
        saving = null;
        clearTimeout(retryTimer);
        // After finish() the copy it kept is the newest: a save settling late must not replace it.
        if (!finished && (offline || !ok)) keepLocal(snap);
        else if (!finished) dropLocal(); // the LMS holds all of it: states only grow, so it covers any older copy
        if (ok) {
          lastSaved = snap.stateText + "|" + snap.completion + "|" + snap.success;
          notice("#jmdi-alert", "");
        } else {
          // An adapter's own, more precise message (an LRS that refused us) stays in place.
          if (!($("#jmdi-alert") || {}).textContent) notice("#jmdi-alert", S.save_failed);
          retryTimer = setTimeout(commit, RETRY_MS);
        }
        if (savePending) {
          savePending = false;
          commit();
        }
        return ok;
      });
    return saving;
  }

  function dirty() {
    var snap = snapshot();
    return lastSaved !== snap.stateText + "|" + snap.completion + "|" + snap.success;
  }

  /* Ends the session, once. The adapter's finish runs now, in this task, with a fresh snapshot:
   * when the LMS removes the SCO frame, promise callbacks queued on pagehide never run. */
  function finish() {
    if (finished) return finishing;
    finished = true;
    clearTimeout(retryTimer);
    if (!session) {
      // Nothing was sent yet, and the adapter has not read what the LMS keeps: it ends the session
      // once it has, with the merged state (a learner who pressed Exit), or never (a closed page).
      whenStarted(finishNow);
      finishing = Promise.resolve();
      return finishing;
    }
    finishing = finishNow();
    return finishing;
  }

  function finishNow() {
    var snap = snapshot();
    // The final save may fail or be cut short as the window closes: keep what the LMS has not
    // acknowledged (a later launch merges it back).
    if (offline || dirty()) keepLocal(snap);
    var ended = null;
    try {
      ended = adapter && adapter.finish(snap);
    } catch (e) {
      /* a bug in an adapter must not block the learner */
    }
    return Promise.resolve(ended).catch(function () {});
  }

  JMDI.finish = finish;
  JMDI.snapshot = snapshot;

  // ---- progress kept in this browser --------------------------------------------------------
  // Without an LMS (start() resolved with offline: true) progress lives in localStorage. With
  // one, a state the LMS has not acknowledged (a refused save, a window closed mid-save) is kept
  // there too, per learner, and merged back at the next launch: nothing done is lost (issue 9).

  function openStore(result) {
    try {
      store = window.localStorage;
      storeKey = "jmdi:" + config.course + ":" + config.adapter + ":" +
        (offline ? "offline" : "learner:" + (result.learner || ""));
    } catch (e) {
      store = null; // disabled, private mode or an opaque origin
    }
  }

  function keepLocal(snap) {
    if (!store || mode !== "normal") return;
    try {
      store.setItem(storeKey, snap.stateText);
    } catch (e) { /* quota: nothing more can be done here */ }
  }

  // Only a Normal session's save covers the copy: Browse and Review never read it, and their
  // adapter may save nothing (cmi5 Browse keeps no progress).
  function dropLocal() {
    try {
      if (store && !offline && mode === "normal") store.removeItem(storeKey);
    } catch (e) { /* as above */ }
  }

  function readLocal() {
    try {
      return store && mode === "normal" ? decodeState(store.getItem(storeKey)) : null;
    } catch (e) {
      return null;
    }
  }

  /* The union of two states: statuses and tries only grow, so nothing done is taken back. */
  function mergeStates(lms, local) {
    if (!local) return lms;
    if (!lms) return local;
    var out = { location: local.location || lms.location, pages: {}, answers: {} };
    [lms, local].forEach(function (one) {
      Object.keys(one.pages).forEach(function (id) {
        out.pages[id] = Math.max(out.pages[id] | 0, one.pages[id] | 0);
      });
      Object.keys(one.answers).forEach(function (key) {
        var had = out.answers[key], answer = one.answers[key];
        if (!had || answer.tries > had.tries || (answer.tries === had.tries && answer.correct)) out.answers[key] = answer;
      });
    });
    return out;
  }

  JMDI.mergeStates = mergeStates;

  function notice(selector, text) {
    var box = $(selector);
    if (box) box.textContent = text || "";
  }

  // ---- navigation ---------------------------------------------------------------------------

  function parseHash() {
    var match = /^#\/([^/]+)(?:\/(.*))?$/.exec(location.hash);
    return match ? { id: decodeURIComponent(match[1]), anchor: match[2] ? decodeURIComponent(match[2]) : "" } : null;
  }

  function route() {
    touched = true; // the learner moved: the state arriving later does not take them elsewhere
    var target = parseHash();
    if (target) show(target.id, target.anchor);
  }

  function show(id, anchor) {
    var page = pages[id];
    if (!page) return renderMessage(S.not_in_package);
    current = id;
    // The bookmark: a page of a module (home's Continue leads back there; not home, the glossary…)
    if (mode !== "review" && page.module) state.location = id;
    // A page with questions is shown once the question code and rules are here too, any page but
    // home once the other pages' rules are (jmdi-pages.css).
    var questions = page.q && !Q ? questionsReady().catch(function () { /* render tries again */ }) : null;
    var rules = page.kind !== "home" ? style("jmdi-pages.css") : null;
    Promise.all([load(id), questions, rules]).then(function (loaded) { return loaded[0]; }).then(
      function (data) {
        if (current !== id) return;
        render(page, data, anchor);
        if (tracked.indexOf(page) >= 0 && mode !== "review") {
          state.pages[id] = state.pages[id] || 1;
          refreshPageStatus(id);
        }
        changed(true);
      },
      function () {
        if (current === id) renderMessage(S.load_error);
      }
    );
  }

  function load(id) {
    if (cache[id]) return Promise.resolve(cache[id]);
    return new Promise(function (resolve, reject) {
      waiting[id] = resolve;
      var script = document.createElement("script");
      script.src = "content/" + id + ".js";
      script.onload = function () {
        script.remove();
        if (waiting[id]) reject(new Error(id));
      };
      script.onerror = function () {
        script.remove();
        delete waiting[id];
        reject(new Error(id));
      };
      document.head.appendChild(script);
    });
  }

  JMDI.load = load;

  JMDI.page = function (data) {
    cache[data.id] = data;
    if (waiting[data.id]) {
      waiting[data.id](data);
      delete waiting[data.id];
    }
  };

  var firstRender = true;

  function render(page, data, anchor) {
    var host = $("#jmdi-page");
    if (host.getAttribute("data-page") !== page.id || !firstRender) host.innerHTML = data.html;
    host.setAttribute("data-page", page.id);
    currentData = data;
    document.title = (page.kind === "home" ? "" : titleOf(page) + " – ") + config.title;
    var forms = $$("form.jmdi-q", host);
    if (forms.length) {
      withQuestions(function (q) {
        if (currentData === data) forms.forEach(q.setup);
      });
    }
    fillOutputs();
    fillLater(host, data, anchor);
    var target = anchor && document.getElementById(anchor);
    if (!firstRender) {
      var heading = target && target.hasAttribute("tabindex") ? target : $("h1", host);
      if (heading) heading.focus({ preventScroll: true });
      closeMenu();
    }
    if (target) target.scrollIntoView();
    else if (!firstRender) window.scrollTo(0, 0);
    firstRender = false;
    if (JMDI.shown) JMDI.shown(page.id); // jmdi-glossary.js, once loaded: the place kept for a return
  }

  // A page's part below the fold that the launch page leaves out (the home page's: pages.py
  // LATER): loaded once the page is up, put in its place, shown again from the cache after.
  function fillLater(host, data, anchor) {
    $$("[data-jmdi-later]", host).forEach(function (slot) {
      Promise.all([load(slot.getAttribute("data-jmdi-later")), style("jmdi-pages.css")]).then(function (loaded) {
        var later = loaded[0];
        if (currentData !== data || !slot.parentNode) return;
        slot.insertAdjacentHTML("beforebegin", later.html);
        slot.parentNode.removeChild(slot);
        fillOutputs();
        var target = anchor && document.getElementById(anchor);
        if (target) target.scrollIntoView();
      }, function () { /* the first part stays: the course is usable without it */ });
    });
  }

  function titleOf(page) {
    return titles[page.id] || "";
  }

  function linkPage(link) {
    return decodeURIComponent((link.getAttribute("href") || "").slice(2));
  }

  function renderMessage(text) {
    currentData = null;
    var host = $("#jmdi-page");
    host.innerHTML = '<h1 tabindex="-1">' + escapeHtml(text) + "</h1>";
    host.setAttribute("data-page", "");
    updateChrome();
  }

  /* TOC states, aria-current, previous/next, progress bar and every data-jmdi-out field. */
  function updateChrome() {
    $$("[data-state-of]").forEach(function (link) {
      var status = pageStatus(link.getAttribute("data-state-of"));
      link.setAttribute("data-state", status);
      var text = $(".jmdi-state-text", link);
      if (!text) {
        text = link.appendChild(document.createElement("span"));
        text.className = "jmdi-vh jmdi-state-text";
      }
      text.textContent = " (" + S["state_" + status] + ")";
    });
    $$("#jmdi-toc a").forEach(function (link) {
      if (linkPage(link) === current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    var index = sequence.indexOf(pages[current]);
    pagerLink("#jmdi-prev", index > 0 ? sequence[index - 1] : null, S.previous);
    pagerLink("#jmdi-next", index >= 0 && index < sequence.length - 1 ? sequence[index + 1] : null, S.next);
    var t = totals();
    var pct = Math.round(t.progress * 100);
    var bar = $("#jmdi-progress");
    if (bar) {
      bar.value = pct;
      bar.textContent = fmt(S.percent, { pct: pct });
    }
    fillOutputs(t);
  }

  function pagerLink(selector, page, label) {
    var link = $(selector);
    if (!link) return;
    link.hidden = !page;
    if (page) {
      link.href = "#/" + page.id;
      // The title isolated (<bdi>) in the interface's words: its punctuation stays on its side
      // whatever the directions of the interface and the course (render/bidi.py).
      // (in one <span>: the button is a flex box, whose items would not wrap as one line)
      link.innerHTML = "<span>" + fmt(escapeHtml(S.page_link), {
        label: escapeHtml(label),
        title: "<bdi>" + escapeHtml(titleOf(page)) + "</bdi>",
      }) + "</span>";
    }
  }

  function fillOutputs(t) {
    t = t || totals();
    var out = {
      progress: fmt(S.percent, { pct: Math.round(t.progress * 100) }),
      completion: S[t.completion],
      success: S[t.success],
      score: t.score ? fmt(S.score_value, { raw: t.score.raw, max: t.score.max, pct: Math.round(t.score.scaled * 100) }) : S.no_score,
      mastery: Math.round(config.tracking.mastery_score * 100),
    };
    $$("[data-jmdi-out]").forEach(function (el) {
      var key = el.getAttribute("data-jmdi-out");
      if (key in out) el.textContent = out[key];
    });
    $$("tr[data-module]").forEach(function (row) {
      var id = row.getAttribute("data-module");
      var mine = tracked.filter(function (p) { return p.module === id; });
      var topics = mine.filter(function (p) { return p.kind === "topic"; });
      var done = topics.filter(function (p) { return pageStatus(p.id) === 2; }).length;
      var max = 0, right = 0;
      mine.forEach(function (p) {
        (p.q || []).forEach(function (q) {
          max += 1;
          var a = state.answers[p.id + "." + q];
          if (a && a.correct) right += 1;
        });
      });
      $('[data-jmdi-out="topics"]', row).textContent = fmt(S.fraction, { n: done, total: topics.length });
      $('[data-jmdi-out="right"]', row).textContent = max ? fmt(S.fraction, { n: right, total: max }) : "–";
    });
    var resume = $('[data-jmdi-out="resume"]');
    var last = pages[state.location];
    if (resume && last && last.kind !== "home" && state.location !== current) {
      resume.hidden = false;
      resume.href = "#/" + last.id;
      $("span", resume).innerHTML = " (<bdi>" + escapeHtml(titleOf(last)) + "</bdi>)";
    }
  }

  // ---- knowledge checks ---------------------------------------------------------------------
  // The question widgets, checking and feedback are runtime/jmdi-questions.js, their rules
  // runtime/jmdi-questions.css, loaded with the first page that has questions (the first page
  // stays light, issue 15); that page is shown once both are here. Restoring and merging states
  // and counting completion read stored answers only, so they work before.

  var Q = null, questionsLoading = null;

  function questionsReady() {
    if (questionsLoading) return questionsLoading;
    var rules = style("jmdi-questions.css");
    var code = new Promise(function (resolve, reject) {
      loadScript("jmdi-questions.js", function () {
        if (JMDI.questions) resolve((Q = Q || JMDI.questions(questionCore)));
        else reject();
      }, reject);
    });
    questionsLoading = Promise.all([code, rules]).then(
      function () { return Q; },
      function (error) {
        questionsLoading = null; // tried again with the next page that needs it
        throw error;
      }
    );
    return questionsLoading;
  }

  /* Adds the style sheet runtime/<name> to the page, once; resolves when it is here (or could
   * not be had: the page still works unstyled). */
  var styles = {};
  function style(name) {
    return styles[name] || (styles[name] = new Promise(function (resolve) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = "runtime/" + name;
      link.onload = link.onerror = resolve;
      document.head.appendChild(link);
    }));
  }

  /* Adds runtime/<name> to the page: done() once it ran, failed() if it could not be had (the
   * next use tries again). The question code and the figure viewer come this way. */
  function loadScript(name, done, failed) {
    var script = document.createElement("script");
    script.src = "runtime/" + name;
    script.onload = done;
    script.onerror = function () {
      script.remove();
      failed();
    };
    document.head.appendChild(script);
  }

  /* Runs fn(Q) once the question code is here: now if it is, else when it arrives. */
  function withQuestions(fn) {
    if (Q) return fn(Q);
    questionsReady().then(fn, function () { /* the page's forms stay unanswered; a later page tries again */ });
  }

  /* Whether the SCORM adapters keep a cmi.interactions record of the answers on this page
   * (tracking.interactions: Moodle posts every record with each save). */
  function isRecorded(pageId) {
    var rule = config.tracking.interactions;
    return rule === "all" || (rule !== "none" && (pages[pageId] || {}).kind === "assessment");
  }

  /* One try at a question of the current page (jmdi-questions.js checked it): kept in the state,
   * reported to the adapter, saved at once (a crash must not lose it). */
  function answered(key, answer, record) {
    state.answers[key] = answer;
    if (mode !== "browse" && adapter) {
      record.recorded = isRecorded(current);
      record.attempt = answer.tries;
      record.final = isFinal(answer);
      try {
        adapter.interaction(record);
      } catch (e) {
        /* a bug in an adapter must not block the learner */
      }
    }
    refreshPageStatus(current);
    changed(true);
  }

  /* What jmdi-questions.js reads of the session. */
  var questionCore = {
    $: $, $$: $$, fmt: fmt, escapeHtml: escapeHtml, fitText: fitText, isFinal: isFinal, answered: answered,
    attempts: function () { return config.tracking.attempts; },
    question: function (form) {
      return currentData && currentData.questions && currentData.questions[form.getAttribute("data-q")];
    },
    answer: function (key) { return state.answers[key]; },
    mode: function () { return mode; },
    open: function () { return mode !== "review" && !finished; },
  };

  // ---- events and start -----------------------------------------------------------------------

  function closeMenu() {
    var toggle = $(".jmdi-menu");
    if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      document.body.classList.remove("jmdi-menu-open");
    }
  }

  function onClick(event) {
    var el = event.target.closest("a, button");
    if (!el) return;
    if (el.matches("[data-move]")) return withQuestions(function (q) { q.move(el); });
    if (el.matches('[data-jmdi-action="exit"]')) return exit();
    // A figure opens in the viewer, runtime/jmdi-viewer.js (JMDI.view), a glossary term shows its
    // definition in place, runtime/jmdi-glossary.js (JMDI.term); each loaded the first time (issue 15).
    var lazy = el.matches(".jmdi-zoom") ? ["view", "viewer"] : el.matches(".jmdi-term") ? ["term", "glossary"] : null;
    if (lazy) {
      event.preventDefault();
      return JMDI[lazy[0]] ? JMDI[lazy[0]](el) : loadScript("jmdi-" + lazy[1] + ".js", function () { JMDI[lazy[0]](el); }, function () {});
    }
    if (el.matches(".jmdi-menu")) {
      var open = el.getAttribute("aria-expanded") !== "true";
      el.setAttribute("aria-expanded", String(open));
      document.body.classList.toggle("jmdi-menu-open", open);
      return;
    }
    var href = el.getAttribute("href") || "";
    if (el.tagName === "A" && href.charAt(0) === "#" && href.charAt(1) !== "/") {
      // In-page anchors (skip link, footnotes) must not replace the #/<page> route.
      var target = document.getElementById(decodeURIComponent(href.slice(1)));
      event.preventDefault();
      if (target) {
        if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
          target.setAttribute("tabindex", "-1");
        }
        target.focus();
        target.scrollIntoView();
      }
    }
  }

  /* Exit ends the session; from the press on nothing that needs it looks usable. While the
   * adapter finishes, the page (its questions) is inert and a changed address (a link, Back)
   * shows no other page; then the notice takes the page's place, the ways to other pages go
   * (contents, previous and next, the title's link) and the page has the width (jmdi-pages.css). */
  function exit() {
    var host = $("#jmdi-page");
    host.inert = true;
    window.removeEventListener("hashchange", route);
    current = ""; // a page still loading is not shown (render)
    finish().then(function () {
      // Without an LMS (only its launch page has the words) the course opens again where it was left.
      host.innerHTML = '<h1 tabindex="-1">' + escapeHtml(S.exited) + "</h1>" +
        (S.return_to_course ? '<p><a class="jmdi-btn" href="">' + escapeHtml(S.return_to_course) + "</a></p>" : "");
      host.setAttribute("data-page", "");
      host.inert = false;
      $$(".jmdi-menu, #jmdi-toc, .jmdi-pager a, .jmdi-exit").forEach(function (el) { el.hidden = true; });
      $$(".jmdi-course-title a").forEach(function (link) { link.removeAttribute("href"); });
      $("h1", host).focus();
    });
  }

  /* Where a launch opens: the page its URL names, the SCO it was launched as, the bookmark, the
   * first page. The URL's page is read once, before the core writes its own. */
  var launchHash;
  function firstPage() {
    var target = launchHash;
    if (target && pages[target.id]) return target;
    var sco = new URLSearchParams(location.search).get("sco");
    if (sco && pages[sco]) return { id: sco, anchor: "" };
    if (state.location && pages[state.location]) return { id: state.location, anchor: "" };
    return { id: sequence[0].id, anchor: "" };
  }

  function go(target) {
    history.replaceState(history.state, "", "#/" + target.id + (target.anchor ? "/" + target.anchor : ""));
    show(target.id, target.anchor);
  }

  // ---- the session: the first page does not wait for it ------------------------------------
  // The first page shows as soon as the core runs (issue 16: a tracking adapter, the LMS or LRS
  // answers are not on its way). A tracking adapter's script is loaded once it is up (the launch
  // page names only the local one, which answers at once and so is in before the first page);
  // start() may take a while (an LRS over a slow link). Until it resolved, the learner may read
  // and move; saves wait, answers wait (their tries count from the stored ones), and the state
  // the adapter brings is merged with what the learner did meanwhile (a union: nothing done is
  // taken back). A learner who has not touched the page yet is taken to the bookmark, as a
  // launch would; one who has stays where they are, and home's Continue link shows the bookmark.

  var session = null; // the adapter's start() resolved and its state is merged in
  var waitingSession = [];
  var touched = false;
  var TOUCHES = ["keydown", "pointerdown", "wheel", "touchstart"];

  function touch() {
    touched = true;
  }

  /* Runs fn now if the session started, else once it has (in call order). */
  function whenStarted(fn) {
    if (session) fn();
    else waitingSession.push(fn);
  }

  function showFirst() {
    if (current !== null) return; // the session started first and showed it
    go(firstPage());
    if (!adapters[config.adapter]) loadAdapter();
  }

  /* The adapter's script, once the first page is up; tried again while it cannot be had. */
  function loadAdapter() {
    loadScript("jmdi-" + config.adapter + ".js", function () {
      if (!adapters[config.adapter]) retryAdapter(); // it ran but registered nothing
    }, retryAdapter);
  }

  function retryAdapter() {
    notice("#jmdi-alert", S.save_failed);
    setTimeout(loadAdapter, RETRY_MS);
  }

  function startSession() {
    if (adapter) return;
    try {
      adapter = adapters[config.adapter](config);
    } catch (e) {
      adapter = null; // a bug in an adapter must not block the learner
    }
    Promise.resolve()
      .then(function () { return adapter ? adapter.start() : { state: null, mode: "normal" }; })
      .catch(function () { return { state: null, mode: "normal" }; })
      .then(begin);
  }

  function begin(result) {
    result = result || {};
    var restored = typeof result.state === "string" ? decodeState(result.state) : result.state;
    var meanwhile = state; // what the learner did before the state arrived
    mode = result.mode || "normal";
    offline = result.offline === true;
    openStore(result);
    restored = offline ? readLocal() : mergeStates(restored && restored.pages && restored.answers ? restored : null, readLocal());
    state = restored && restored.pages && restored.answers ? restored : { location: "", pages: {}, answers: {} };
    // In review nothing the learner does is kept: the record shows as the LMS has it.
    if (mode !== "review") state = mergeStates(state, meanwhile);
    if (adapter && adapter.restored) {
      var tries = 0;
      Object.keys(state.answers).forEach(function (key) {
        if (isRecorded(key.slice(0, key.lastIndexOf(".")))) tries += state.answers[key].tries;
      });
      try {
        adapter.restored(tries);
      } catch (e) { /* a bug in an adapter must not block the learner */ }
    }
    // The LMS's pass mark for this launch (cmi5 LaunchData) wins over course.yaml's, so the
    // page judges as the LMS records.
    var mastery = result.masteryScore;
    if (typeof mastery === "number" && mastery >= 0 && mastery <= 1) config.tracking.mastery_score = mastery;
    if (result.notice) notice("#jmdi-status", result.notice);
    else if (($("#jmdi-alert") || {}).textContent === S.save_failed) notice("#jmdi-alert", ""); // the adapter came
    lastStatus = (function (t) { return t.completion + "/" + t.success; })(totals());
    lastSaved = (function (s) { return s.stateText + "|" + s.completion + "|" + s.success; })(snapshot());
    session = result;
    document.body.setAttribute("data-jmdi-session", mode);
    TOUCHES.forEach(function (type) { document.removeEventListener(type, touch, true); });
    var target = firstPage();
    if (finished) {
      // The learner pressed Exit meanwhile: the adapter ends the session (waitingSession).
    } else if (current === null) {
      go(target);
    } else if (!touched && target.id !== current) {
      firstRender = true; // as a launch that opens there: no focus moved, no scroll
      go(target);
    } else {
      // The page stays: its questions show the answers the state holds (or lock, in review).
      var forms = $$("#jmdi-page form.jmdi-q");
      if (forms.length && Q) {
        forms.forEach(function (form) {
          if (mode === "review" || state.answers[form.getAttribute("data-key")]) Q.setup(form);
        });
      }
      changed(true);
    }
    waitingSession.splice(0).forEach(function (fn) { fn(); });
  }

  function boot() {
    var node = document.getElementById("jmdi-config");
    if (!node) return;
    config = JSON.parse(node.textContent);
    S = config.strings;
    // A module's page comes first, then its topics and assessment; question ids are one string
    // (site.Page.config).
    var inModule = null;
    config.pages.forEach(function (p) {
      if (p.kind === "module") inModule = p.module = p.id;
      else if (p.kind === "topic" || p.kind === "assessment") p.module = inModule;
      // "q1:3" is q1 q2 q3 (site.question_list)
      if (p.q) p.q = p.q.replace(/(\S*?)([1-9]\d*):(\d+)/g, function (m, id, n, last) {
        for (m = id + n; n < +last; ) m += " " + id + ++n;
        return m;
      }).split(" ");
    });
    var scoped = scopePages(config.pages);
    scoped.forEach(function (p) { pages[p.id] = p; });
    sequence = scoped.filter(function (p) { return p.kind !== "glossary" && p.kind !== "resources"; });
    tracked = scoped.filter(function (p) { return p.kind === "topic" || p.kind === "assessment"; });
    $$("#jmdi-toc a").forEach(function (link) {
      var id = linkPage(link);
      titles[id] = link.textContent.trim();
      // Outside this launch's scope (?sco=): hide the entry, and a module with none of its pages.
      if (!pages[id]) (link.parentNode.classList.contains("jmdi-toc-module") ? link : link.parentNode).hidden = true;
      else if (pages[id].module) link.setAttribute("data-state-of", id); // updateChrome shows its state
    });
    // Each page's title, as the contents name it (the xAPI adapters name activities with it).
    config.pages.forEach(function (p) { p.title = titles[p.id] || ""; });
    $$("#jmdi-toc .jmdi-toc-module").forEach(function (item) {
      if (!$("li:not([hidden])", item) && $("a", item).hidden) item.hidden = true;
    });
    var home = $("#jmdi-page");
    if (home) cache.home = { id: "home", html: home.innerHTML, questions: {} };
    $$(".jmdi-menu, .jmdi-exit").forEach(function (el) { el.hidden = false; });
    document.addEventListener("click", onClick);
    document.addEventListener("submit", function (event) {
      if (event.target.matches("form.jmdi-q")) {
        event.preventDefault();
        var form = event.target;
        // An answer waits for the session: its tries count from the ones the LMS keeps.
        whenStarted(function () { withQuestions(function (q) { q.submit(form); }); });
      }
    });
    launchHash = parseHash();
    window.addEventListener("hashchange", route);
    TOUCHES.forEach(function (type) { document.addEventListener(type, touch, true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty()) commit();
    });
    window.addEventListener("pagehide", finish);
    // The launch page's own adapter (the local one) starts now and is in before the first page
    // shows (its start() resolves at once; the first page waits one task for it); a tracking
    // adapter is loaded once the first page is up (showFirst).
    if (!adapters[config.adapter]) return showFirst();
    startSession();
    setTimeout(showFirst, 0);
  }

  // The core runs at the end of the launch page (written in), before the local adapter's
  // deferred script: start on DOMContentLoaded (or load, when injected later), exactly once.
  var booted = false;
  function bootOnce() {
    if (!booted) {
      booted = true;
      boot();
    }
  }
  if (document.readyState === "complete") setTimeout(bootOnce, 0);
  else {
    document.addEventListener("DOMContentLoaded", bootOnce);
    window.addEventListener("load", bootOnce);
  }
})();
