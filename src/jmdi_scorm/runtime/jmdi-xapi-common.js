/* jmdi-xapi-common.js: what the xapi and cmi5 adapters share to start a session (once the first
   page is up, docs/architecture.md): launch parsing, the LRS client, the page activities, the
   statement outbox as far as reading what it keeps in localStorage, and the loading of the
   adapter's later part. Statements, sending (order, retries, conflicts, the closing page,
   waiting for the LRS) and answers are in jmdi-xapi-common-later.js.
   The build joins this file in front of each adapter (runtime/jmdi-<adapter>.js) and the later
   one in front of the adapter's later part (runtime/jmdi-<adapter>-later.js).
   Spec facts cite docs/standards.md sections (xAPI 1.0.3, TinCan launch, cmi5). */
(function (global) {
  "use strict";

  // --- spec constants ------------------------------------------------------------------------
  var VERSION = "1.0.3"; // §6.6: exact patch version on every request
  var REQUEST_MS = 20000; // a request unanswered this long is given up: its outcome is unknown
  var STORE_PREFIX = "jmdi-xapi-outbox:";

  // --- formats -------------------------------------------------------------------------------
  function clone(value) { return value === undefined ? undefined : JSON.parse(JSON.stringify(value)); }

  function params(search) {
    var out = {};
    new URLSearchParams(search || "").forEach(function (value, key) { out[key] = value; });
    return out;
  }

  // §7.2: the actor parameter; the legacy array form takes the first element of each property.
  function parseActor(text) {
    var actor;
    try { actor = JSON.parse(text); } catch (e) { return null; }
    if (!actor || typeof actor !== "object") return null;
    var out = { objectType: actor.objectType === "Group" ? "Group" : "Agent" };
    ["name", "mbox", "mbox_sha1sum", "openid", "account"].forEach(function (key) {
      var value = Array.isArray(actor[key]) ? actor[key][0] : actor[key];
      if (value) out[key] = value;
    });
    if (out.account && (out.account.accountServiceHomePage || out.account.accountName)) { // 0.95 form
      out.account = { homePage: out.account.homePage || out.account.accountServiceHomePage,
        name: out.account.name || out.account.accountName };
    }
    if (out.mbox && String(out.mbox).indexOf("mailto:") !== 0) out.mbox = "mailto:" + out.mbox;
    var ids = ["mbox", "mbox_sha1sum", "openid", "account"].filter(function (k) { return out[k]; });
    if (ids.length < 1) return null;
    ids.slice(1).forEach(function (k) { delete out[k]; }); // exactly one identifier (§6.1)
    return out;
  }

  function agentKey(actor) {
    var a = actor.account;
    return actor.mbox || actor.mbox_sha1sum || actor.openid || (a ? a.homePage + "|" + a.name : "");
  }

  // --- the LRS client (§6.6) -----------------------------------------------------------------
  function Lrs(endpoint, auth) {
    this.endpoint = /\/$/.test(endpoint) ? endpoint : endpoint + "/";
    this.auth = auth;
  }

  // Resolves {status, text, etag}; status 0 = the network failed or the answer never came
  // (retry later). `keepalive` lets the request outlive the page (pagehide); the outbox keeps
  // such bodies within the browsers' budget (Outbox.call).
  Lrs.prototype.request = function (method, resource, query, body, headers, keepalive) {
    var url = this.endpoint + resource + (query ? "?" + new URLSearchParams(query).toString() : "");
    var h = { "X-Experience-API-Version": VERSION, Authorization: this.auth };
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    var init = { method: method, headers: h, cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      h["Content-Type"] = "application/json";
      init.keepalive = !!keepalive;
    }
    // A request that hangs would hold the whole outbox: give up on it after a while (the
    // statements it carried are then checked before they are sent again, Outbox.unsent).
    var abort = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    if (abort) {
      init.signal = abort.signal;
      timer = setTimeout(function () { abort.abort(); }, REQUEST_MS);
    }
    function settled(result) {
      clearTimeout(timer);
      return result;
    }
    return global.fetch(url, init).then(function (r) {
      return r.text().then(function (text) { return { status: r.status, text: text, etag: r.headers.get("ETag") }; },
        function () { return { status: 0, text: "", etag: null }; });
    }, function () { return { status: 0, text: "", etag: null }; }).then(settled);
  };

  Lrs.prototype.json = function (resource, query) {
    return this.request("GET", resource, query).then(function (r) {
      var data = null;
      if (r.status === 200) { try { data = JSON.parse(r.text); } catch (e) { data = null; } }
      return { status: r.status, data: data, etag: r.etag };
    });
  };

  // --- the outbox: statements and state documents kept in localStorage until the LRS has them --
  // Ids and timestamps are assigned once, when a statement is queued; a retry re-sends the exact
  // same JSON, so the LRS's duplicate check (same id, same content) stores each one once (§6.1).
  //
  // Order (docs/tracking.md, "Statement order"): one request at a time, statements in the order
  // they were queued, then documents; a session's first statement (initialized/resumed) alone,
  // and nothing else until the LRS acknowledged it; its last (terminated) alone, after every
  // other statement and document has settled, and nothing after it (a closing page cannot wait:
  // sendBeforeUnload). Leftovers of an earlier page go first, never in one request with this
  // page's statements (the cmi5 adapter drops those of another session before it starts).
  //
  // `rules` (optional, from the adapter):
  // - unique(statement): the LRS must never get it twice, even under the same id (cmi5 defined
  //   statements: an LMS refuses a second passed in a registration, and the whole request with
  //   it). Once such a statement was in a request whose answer we did not get (network error,
  //   timeout, 5xx, closed page), it is sent again only after GET statements?statementId= says
  //   the LRS does not have it (or refuses to say: 401/403). Other statements are simply sent
  //   again: the same id and content is a duplicate the LRS stores once (§6.6).
  //   An LMS that refuses such a statement (401/403) has it already or will never take it: it is
  //   dropped and the outbox goes on (a refused request that held several statements is sent
  //   again one statement at a time, so the others still arrive).
  // - dropRefusedEarlier: a 401/403 for an earlier page's leftovers (statements or documents)
  //   drops them instead of stopping the outbox (cmi5: this launch must not be blocked by them).
  function Outbox(key, lrs, onBlocked, rules) {
    this.key = STORE_PREFIX + key;
    this.lrs = lrs;
    this.onBlocked = onBlocked || function () {};
    this.rules = rules || {};
    this.statements = [];
    this.docs = {}; // doc key → {query, body, seq}
    this.etags = {}; // doc key → last ETag seen (§6.7 If-Match)
    this.tried = {}; // statement id → 1: it was in a request whose answer we did not see
    this.earlier = {}; // statement id → 1: left by an earlier page
    this.docEarlier = {}; // doc key → 1: left by an earlier page
    this.away = {}; // statement id → 1: in a keepalive request sent on pagehide, not answered yet
    this.docSending = {}; // doc key → seq of the version in flight
    this.seq = 0;
    this.failures = 0;
    this.blocked = false;
    this.ended = false; // this page's last statement was stored: nothing more may be sent
    this.left = false; // the page is going (leave()): no request leaves any more
    this.running = null;
    this.unloading = null; // keepalive requests sent on pagehide, not answered yet
    this.inflight = 0; // requests sent and not answered yet
    this.sending = []; // the statements of the request in flight
    this.sendingKept = false; // that request was sent with keepalive: it outlives the page
    this.timer = null;
    this.stats = { posts: 0, puts: 0, retries: 0, sent: 0, dropped: 0 };
    this.load();
    var self = this;
    global.addEventListener("online", function () { self.flush(); });
  }

  Outbox.prototype.load = function () {
    try {
      var saved = JSON.parse(global.localStorage.getItem(this.key) || "null");
      if (saved) {
        this.statements = saved.statements || [];
        this.docs = saved.docs || {};
        this.tried = saved.tried || {};
      }
    } catch (e) { /* storage off or corrupt: start empty */ }
    var earlier = this.earlier, docEarlier = this.docEarlier;
    this.statements.forEach(function (s) { earlier[s.id] = 1; });
    Object.keys(this.docs).forEach(function (key) { docEarlier[key] = 1; });
  };

  // Nothing is sent before jmdi-xapi-common-later.js replaces this: until then what is queued
  // waits in localStorage.
  Outbox.prototype.flush = function () { return Promise.resolve(false); };

  Outbox.prototype.pendingDoc = function (query) {
    var doc = this.docs[JSON.stringify(query)];
    return doc ? JSON.parse(doc.body) : undefined;
  };

  // --- page activities -----------------------------------------------------------------------
  var ADL = "http://adlnet.gov/expapi/";
  var PAGE_TYPES = { module: "module", topic: "lesson", assessment: "assessment" };

  function pageActivity(id, name, type, lang) {
    var names = {};
    names[lang] = name || "";
    return { id: id, objectType: "Activity", definition: { name: names, type: ADL + "activities/" + type } };
  }

  /* The statement material of the launch page (issue 16): adapterConfig names the course's base
   * IRI, and the page activities are derived from the page list the core reads (ids, kinds, the
   * titles of the contents), as targets/xapi_common.py names them in the package descriptor:
   * <base>, <base>module/<id>, <base>topic/<id>, <base>assessment/<module id>. Verb displays are
   * the verb's English name (xapi_common.verb). null without that material. */
  function runtimeData(config) {
    var data = config && config.adapterConfig;
    if (!data || !data.base || !config.pages) return null;
    var pages = { "": { activity: pageActivity(data.base, config.title, "course", data.lang), parent: null } };
    config.pages.forEach(function (p) {
      var type = PAGE_TYPES.hasOwnProperty(p.kind) ? PAGE_TYPES[p.kind] : null;
      if (!type) return;
      var id = data.base + p.kind + "/" + (p.kind === "assessment" ? p.module : p.id);
      pages[p.id] = { activity: pageActivity(id, p.title, type, data.lang), parent: p.kind === "module" ? "" : p.module };
    });
    data.pages = pages;
    return data;
  }

  // --- the later part ------------------------------------------------------------------------
  // The URL of a file next to this script (the adapter's later part, question definitions).
  var here = (global.document && global.document.currentScript && global.document.currentScript.src) || "";
  function sibling(name) { return here ? here.replace(/[^\/?#]*([?#].*)?$/, name) : name; }

  // runtime/jmdi-<adapter>-later.js (jmdi-xapi-common-later.js, then the adapter's later part)
  // registers later[adapter]: the function that takes the session the adapter started and tracks
  // it. Resolves with that function, or null when the file could not load (the next call tries
  // again).
  var later = {};
  var laterLoads = {};
  function loadLater(adapter) {
    if (later[adapter]) return Promise.resolve(later[adapter]);
    if (!laterLoads[adapter]) {
      laterLoads[adapter] = new Promise(function (resolve) {
        var tag = global.document.createElement("script");
        tag.src = sibling("jmdi-" + adapter + "-later.js");
        tag.onload = function () { tag.remove(); resolve(later[adapter] || null); };
        tag.onerror = function () { tag.remove(); delete laterLoads[adapter]; resolve(null); };
        global.document.head.appendChild(tag);
      });
    }
    return laterLoads[adapter];
  }

  // The adapter's way to its later part: tracked(run) calls run(tracking) now when the later part
  // is here, else once it arrived (calls keep their order), `tracking` being what later[adapter]
  // made of session() (its save, interaction and finish). Resolves false when the file could
  // not load: the core keeps the state and saves again, which tries again.
  // tracked.load() asks for the file early (while the LRS answers the launch's reads); it tracks
  // nothing until the first tracked(run).
  function tracker(adapter, session) {
    var tracking = null;
    function tracked(run) {
      if (tracking) return Promise.resolve(run(tracking));
      return loadLater(adapter).then(function (track) {
        if (!track) return false;
        tracking = tracking || track(session());
        return run(tracking);
      });
    }
    tracked.load = function () { loadLater(adapter); };
    return tracked;
  }

  // jmdi-xapi-common-later.js adds the statement builder, the rest of the outbox and the formats.
  global.JMDIXapi = {
    VERSION: VERSION, ADL: ADL, clone: clone, params: params,
    parseActor: parseActor, agentKey: agentKey, Lrs: Lrs, Outbox: Outbox, runtimeData: runtimeData,
    sibling: sibling, later: later, tracker: tracker
  };
})(window);
