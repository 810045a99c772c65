/* jmdi-xapi-common-later.js: what the xapi and cmi5 adapters share once the session started,
   loaded after the first page (docs/architecture.md): the statement builder, the outbox's
   queueing and sending (order, batches, retries with backoff, conflicts, checks before a
   re-send, the closing page, waiting for the LRS), answer formatting and the question
   activities. It completes window.JMDIXapi (jmdi-xapi-common.js); the build joins it in front
   of the adapter's later part (runtime/jmdi-<adapter>-later.js).
   Spec facts cite docs/standards.md sections (xAPI 1.0.3, TinCan launch, cmi5). */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  var Outbox = X.Outbox;
  var clone = X.clone;
  var sibling = X.sibling;
  var ADL = X.ADL;
  var TYPE_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";
  var KEEPALIVE_BYTES = 60000; // browsers cap in-flight keepalive bodies at 64 KiB in total
  var ENCODER = typeof TextEncoder === "function" ? new TextEncoder() : null;
  var BATCH = 25; // statements per POST
  var GATHER_MS = 40; // statements queued within this time share one POST
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]; // then 30 s, with ±25 % jitter
  // A session's first statement travels alone and is acknowledged before any other leaves (cmi5
  // 9.3.0.0-4: an LMS judges a batch against the session as it was before the batch, so
  // [initialized, experienced] is refused whole); its last travels alone once every other
  // statement and document has settled (cmi5 8.1.2.0-2: the LMS ends the token with it).
  var FIRST = /\/verbs\/(initialized|resumed)$/;
  var LAST = /\/verbs\/terminated$/;


  // --- formats -------------------------------------------------------------------------------
  function uuid() {
    var c = global.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var b = new Uint8Array(16);
    c.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; // RFC 4122 version 4
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // §6.2 project form PT{h}H{m}M{s.ss}S, at most two decimals, zero units left out.
  function duration(seconds) {
    var cs = Math.round(Math.max(0, Number(seconds) || 0) * 100);
    var h = Math.floor(cs / 360000);
    var m = Math.floor(cs / 6000) % 60;
    var s = (cs % 6000) / 100;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (s || !(h || m) ? String(s) + "S" : "");
  }

  // §6.1: RFC 3339 UTC with milliseconds; strictly increasing within a launch so that order by
  // timestamp is the order of events (docs/standards.md §8.5: initialized first, terminated last).
  function Clock() { this.last = 0; }
  Clock.prototype.stamp = function () {
    this.last = Math.max(Date.now(), this.last + 1);
    return new Date(this.last).toISOString();
  };

  // --- responses (§6.4: SCORM 2004 bracketed syntax) -----------------------------------------
  function ident(value) {
    if (typeof value === "number") return String.fromCharCode(97 + value); // position → a, b, …
    return String(value);
  }

  function pair(entry) {
    if (Array.isArray(entry)) return [ident(entry[0]), ident(entry[1])];
    if (entry && typeof entry === "object") return [ident(entry.source), ident(entry.target)];
    var parts = String(entry).split(/\[\.\]|\.|:|=/);
    return [parts[0], parts.slice(1).join(".")];
  }

  // By the record's encoding (source/question_kinds.py: ids, pairs, boolean, text).
  function response(encoding, values) {
    values = [].concat(values === undefined || values === null ? [] : values);
    if (encoding === "boolean") {
      var v = values[0];
      return v === true || v === "true" || v === "t" || v === 1 || v === "1" ? "true" : "false";
    }
    if (encoding === "text") return String(values[0] === undefined ? "" : values[0]).trim();
    if (encoding === "pairs") return values.map(function (p) { p = pair(p); return p[0] + "[.]" + p[1]; }).join("[,]");
    return values.map(ident).join("[,]");
  }

  // --- the outbox (jmdi-xapi-common.js): queueing and sending ------------------------------

  // The keepalive budget counts bytes: a course in Arabic takes two per character.
  function bytes(text) { return ENCODER ? ENCODER.encode(text).length : 3 * text.length; }

  Outbox.prototype.persist = function () {
    try {
      if (!this.statements.length && !Object.keys(this.docs).length) global.localStorage.removeItem(this.key);
      else {
        global.localStorage.setItem(this.key, JSON.stringify({ statements: this.statements, docs: this.docs,
          tried: this.tried }));
      }
      return true;
    } catch (e) {
      return false; // quota: the statements are still in memory and keep being retried
    }
  };

  // Statements made in the same moment (an answer that also completes and passes) leave in one
  // request: the flush waits a few milliseconds. They are in localStorage before that.
  Outbox.prototype.add = function (statement) {
    if (this.ended) return; // after terminated nothing is sent in this session
    this.statements.push(statement);
    this.persist();
    this.soon();
  };

  Outbox.prototype.soon = function () {
    var self = this;
    if (this.timer || this.blocked || this.left) return;
    this.timer = setTimeout(function () { self.timer = null; self.flush(); }, GATHER_MS);
  };

  // A state document: the latest body wins, older unsent versions are simply replaced.
  Outbox.prototype.putDoc = function (query, body) {
    if (this.ended) return;
    var key = JSON.stringify(query);
    this.docs[key] = { query: query, body: JSON.stringify(body), seq: ++this.seq };
    delete this.docEarlier[key];
    this.persist();
    this.soon();
  };

  // false once the LRS has been unreachable for a few tries with work pending, or refused us:
  // the core then asks the learner to keep the window open (the outbox keeps retrying).
  Outbox.prototype.healthy = function () {
    return !this.blocked && !(this.failures >= 3 && this.size() > 0);
  };

  Outbox.prototype.size = function () { return this.statements.length + Object.keys(this.docs).length; };

  Outbox.prototype.flush = function () {
    var self = this;
    if (this.running) { this.again = true; return this.running; }
    if (this.blocked || this.left) return Promise.resolve(false);
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.running = this.step().then(function (ok) {
      self.running = null;
      if (ok && self.again) { self.again = false; return self.flush(); }
      self.again = false;
      return ok;
    });
    return this.running;
  };

  function verbIs(pattern, statement) { return !!(statement && statement.verb && pattern.test(statement.verb.id)); }
  function solo(statement) { return verbIs(FIRST, statement) || verbIs(LAST, statement); }
  function idsOf(statements) { return statements.map(function (s) { return s.id; }); }

  // One request, then the next: statements in order, documents when no statement is left or
  // before a last statement; stops at the first failure.
  Outbox.prototype.step = function () {
    var self = this;
    if (this.ended) return Promise.resolve(true);
    if (this.left) return Promise.resolve(false);
    var unloading = this.unloading;
    if (unloading) { // keepalive requests from a pagehide/hidden moment: let them answer first
      return unloading.then(function () {
        if (self.unloading === unloading) self.unloading = null;
        return self.step();
      });
    }
    function next(ok) { return ok && self.step(); }
    var docs = Object.keys(this.docs).length;
    if (this.statements.length) {
      if (verbIs(LAST, this.statements[0]) && docs) return this.putDocs().then(next);
      return this.postBatch(this.batch()).then(next);
    }
    if (docs) return this.putDocs().then(next);
    this.failures = 0;
    return Promise.resolve(true);
  };

  // The statements of the next POST: a first or last statement alone; otherwise up to BATCH in
  // order, stopping before a first/last one and where an earlier page's leftovers end.
  Outbox.prototype.batch = function () {
    var list = this.statements;
    var out = [list[0]];
    if (solo(list[0])) return out;
    var early = !!this.earlier[list[0].id];
    for (var i = 1; i < list.length && out.length < BATCH; i++) {
      if (solo(list[i]) || !!this.earlier[list[i].id] !== early) break;
      out.push(list[i]);
    }
    return out;
  };

  // Browsers refuse keepalive requests beyond 64 KiB of bodies in flight: count ours.
  var keepaliveInFlight = 0;

  // Every request of the outbox goes through here: `inflight` tells pagehide whether anything
  // is still on its way. Each may outlive the page (keepalive) while the budget allows it; the
  // promise says whether it does (`.keepalive`).
  Outbox.prototype.call = function (method, resource, query, body, headers) {
    var self = this;
    if (this.left) return Promise.resolve({ status: 0, text: "", etag: null }); // see leave()
    var text = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
    var size = text === undefined ? 0 : bytes(text);
    var keepalive = size > 0 && keepaliveInFlight + size <= KEEPALIVE_BYTES;
    if (keepalive) keepaliveInFlight += size;
    this.inflight++;
    var request = this.lrs.request(method, resource, query, text, headers, keepalive).then(function (r) {
      self.inflight--;
      if (keepalive) keepaliveInFlight -= size;
      return r;
    });
    request.keepalive = keepalive;
    return request;
  };

  // Before statements go out: from now on their outcome may be unknown (kept in localStorage,
  // so a later page checks too).
  Outbox.prototype.mark = function (statements) {
    var tried = this.tried;
    statements.forEach(function (s) { tried[s.id] = 1; });
    this.persist();
  };

  // Statements leave the outbox: stored (counted as sent) or dropped.
  Outbox.prototype.remove = function (ids, dropped) {
    var self = this;
    this.statements = this.statements.filter(function (s) { return ids.indexOf(s.id) < 0; });
    ids.forEach(function (id) {
      delete self.tried[id];
      delete self.earlier[id];
    });
    this.stats[dropped ? "dropped" : "sent"] += ids.length;
    this.persist();
  };

  // The LRS has these statements: forget them; once this page's last statement is stored the
  // session is over and the outbox sends nothing more.
  Outbox.prototype.stored = function (statements) {
    var self = this;
    var ending = statements.some(function (s) { return verbIs(LAST, s) && !self.earlier[s.id]; });
    this.remove(idsOf(statements));
    if (ending) this.ended = true;
  };

  // A unique statement whose earlier request's outcome is unknown: looked up before it is sent.
  Outbox.prototype.needsCheck = function (statement) {
    return !!(this.tried[statement.id] && this.rules.unique && this.rules.unique(statement));
  };

  // GET statements?statementId=: resolves {found: true|false|null (the LRS would not say), status}.
  Outbox.prototype.lookup = function (id) {
    return this.call("GET", "statements", { statementId: id }).then(function (r) {
      var found = r.status === 200 && hasStatement(r.text, id);
      var known = r.status === 200 || r.status === 404 || r.status === 400; // 400: an LRS that cannot look it up
      return { found: known ? found : null, status: r.status };
    });
  };

  // Resolves the statements of `batch` still to send (those the LRS already has are forgotten),
  // or null when a check failed (retried later). See `rules.unique` above.
  Outbox.prototype.unsent = function (batch) {
    var self = this;
    return batch.reduce(function (chain, statement) {
      return chain.then(function (rest) {
        if (rest === null) return null;
        if (!self.needsCheck(statement)) return rest.concat([statement]);
        return self.lookup(statement.id).then(function (r) {
          var refused = r.status === 401 || r.status === 403;
          if (r.found || (refused && verbIs(LAST, statement))) {
            // (an LMS ends the session's token once terminated is stored: 401/403 says it arrived)
            self.stored([statement]);
            return rest;
          }
          // Not there, or an LMS that refuses to say: send it (an LMS that has it refuses it, and
          // the refusal drops it: failed).
          if (r.found === false || refused) return rest.concat([statement]);
          return self.failed(r.status, [statement]) ? rest : null;
        });
      });
    }, Promise.resolve([]));
  };

  // GET ?statementId= answers the statement (§6.6); some LRSs wrap it in a StatementResult.
  function hasStatement(text, id) {
    var data;
    try { data = JSON.parse(text); } catch (e) { return false; }
    if (data && data.id === id) return true;
    return !!(data && Array.isArray(data.statements) && data.statements.some(function (s) { return s && s.id === id; }));
  }

  Outbox.prototype.postBatch = function (batch) {
    var self = this;
    return this.unsent(batch).then(function (rest) {
      if (rest === null) return false;
      // (a pagehide request may have taken some meanwhile: step() waits for its answer)
      rest = rest.filter(function (s) { return !self.away[s.id]; });
      if (!rest.length) return true;
      self.stats.posts++;
      self.sending = rest;
      self.mark(rest);
      var request = self.call("POST", "statements", null, rest);
      self.sendingKept = request.keepalive;
      return request.then(function (r) {
        self.sending = [];
        if (r.status === 200 || r.status === 204) { self.stored(rest); return true; }
        if (r.status === 409 || (r.status === 400 && rest.length > 1)) return self.putEach(rest);
        if ((r.status === 401 || r.status === 403) && rest.length > 1 && self.rules.unique && rest.some(self.rules.unique)) {
          return self.postEach(rest);
        }
        return self.failed(r.status, rest);
      });
    });
  };

  // A refused request that held a unique statement: the LMS refused all of it, perhaps because of
  // that one (a second passed). Each statement again alone, in order; nothing of the request was
  // stored, so none needs a check.
  Outbox.prototype.postEach = function (batch) {
    var self = this;
    batch.forEach(function (s) { delete self.tried[s.id]; });
    return batch.reduce(function (chain, statement) {
      return chain.then(function (ok) { return ok && self.postBatch([statement]); });
    }, Promise.resolve(true));
  };

  // One by one with PUT ?statementId=: 204 stored, 409 already there (§6.6: treat as stored).
  Outbox.prototype.putEach = function (batch) {
    var self = this;
    return batch.reduce(function (chain, statement) {
      return chain.then(function (ok) {
        if (!ok) return false;
        return self.unsent([statement]).then(function (rest) {
          if (rest === null) return false;
          if (!rest.length) return true;
          self.stats.puts++;
          self.sending = rest;
          self.mark(rest);
          return self.call("PUT", "statements", { statementId: statement.id }, statement).then(function (r) {
            self.sending = [];
            if (r.status === 204 || r.status === 200 || r.status === 409) { self.stored(rest); return true; }
            return self.failed(r.status, rest);
          });
        });
      });
    }, Promise.resolve(true));
  };

  // §6.6 error handling: 400 → drop (a bug, retrying cannot help); 401/403 → stop and tell the
  // learner (or drop an earlier page's leftovers, `rules.dropRefusedEarlier`, or a unique
  // statement sent alone, `rules.unique`: already recorded or never to be); anything else
  // (network, 429, 5xx) → keep everything and retry with backoff. true = go on with the next.
  Outbox.prototype.failed = function (status, statements) {
    var self = this;
    var ids = idsOf(statements);
    var refused = status === 401 || status === 403;
    var earlier = statements.length && statements.every(function (s) { return self.earlier[s.id]; });
    var unique = statements.length === 1 && this.rules.unique && this.rules.unique(statements[0]);
    if (status === 400 || (refused && ((earlier && this.rules.dropRefusedEarlier) || unique))) {
      if (global.console) global.console.warn("jmdi: the LRS rejected statement(s) " + ids.join(", ") + " (" + status + ")");
      var ending = unique && verbIs(LAST, statements[0]) && !this.earlier[ids[0]];
      this.remove(ids, true);
      if (ending) this.ended = true; // nothing may follow a refused terminated either
      return true;
    }
    if (refused) {
      this.blocked = true;
      this.onBlocked(status);
      return false;
    }
    this.retryLater();
    return false;
  };

  Outbox.prototype.retryLater = function () {
    var self = this;
    var base = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures++;
    this.stats.retries++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.timer = null; self.flush(); }, base * (0.75 + Math.random() * 0.5));
  };

  // Every pending document at once (they are independent resources); true when all settled.
  Outbox.prototype.putDocs = function () {
    var self = this;
    return Promise.all(Object.keys(this.docs).map(function (key) { return self.putDoc1(key); })).then(function (all) {
      return all.every(Boolean);
    });
  };

  Outbox.prototype.putDoc1 = function (key) {
    var self = this;
    var doc = this.docs[key];
    var etag = this.etags[key];
    var headers = etag ? { "If-Match": etag } : {};
    this.docSending[key] = doc.seq;
    return this.call("PUT", "activities/state", doc.query, doc.body, headers).then(function (r) {
      if (self.docSending[key] === doc.seq) delete self.docSending[key];
      if (r.status === 204 || r.status === 200) {
        self.etags[key] = r.etag || null;
        if (self.docs[key] && self.docs[key].seq === doc.seq) delete self.docs[key];
        self.persist();
        return true;
      }
      if (r.status === 412 && etag) { // someone else wrote it: re-read the ETag, then write ours once
        return self.lrs.json("activities/state", doc.query).then(function (g) {
          self.etags[key] = g.etag || null;
          return g.status === 200 || g.status === 404 ? self.putDoc1(key) : self.failed(g.status, []);
        });
      }
      var refused = r.status === 401 || r.status === 403;
      var earlier = self.docEarlier[key] && self.rules.dropRefusedEarlier;
      if (r.status === 400 || (refused && (earlier || doc.query.stateId === "LMS.LaunchData"))) {
        if (self.docs[key] && self.docs[key].seq === doc.seq) delete self.docs[key];
        delete self.docEarlier[key];
        self.persist();
        return true;
      }
      return self.failed(r.status, []);
    });
  };

  // Resolves true when everything queued reached the LRS (or this page's last statement did),
  // false after `ms` or once the LRS refused us. A failed try is retried within `ms` at its
  // backoff (the learner who exits while the LRS hiccups still gets terminated recorded).
  Outbox.prototype.drain = function (ms) {
    var self = this;
    return new Promise(function (resolve) {
      var done = false;
      var timer = setTimeout(function () { finish(false); }, ms);
      function finish(ok) { if (!done) { done = true; clearTimeout(timer); resolve(ok); } }
      function later() { setTimeout(again, 100); }
      function again() {
        if (done) return;
        if (self.left) return finish(self.ended); // the page is going: nothing more leaves
        if (self.timer && self.failures) return later(); // a retry is due: let its backoff run
        self.flush().then(function (ok) {
          if (ok && (self.size() === 0 || self.ended)) finish(true);
          else if (self.blocked) finish(false);
          else if (ok) again();
          else later();
        });
      }
      again();
    });
  };

  // pagehide (and the page turning hidden): the page may be gone before any answer comes back,
  // so what is not on its way yet leaves at once with keepalive: the documents, then the
  // statements in one request with the last one (terminated) at its end (see unloadBatch). Within
  // the browsers' keepalive budget, room is kept for terminated first: it ends the session, which
  // the LMS otherwise records as abandoned. What is left stays in localStorage. A later flush
  // waits for these requests, so the same id is never in two concurrent requests (an LRS may check
  // for duplicates before either copy is stored).
  // true once this page's last statement is stored or on its way in a request that outlives the
  // page (or there is none, or nothing can be sent). `going`: the page is going (leave()).
  Outbox.prototype.sendBeforeUnload = function (going) {
    if (this.blocked || this.ended || this.left) return true;
    var self = this;
    var budget = KEEPALIVE_BYTES - keepaliveInFlight;
    var last = this.statements.filter(function (s) { return verbIs(LAST, s) && !self.busy(s); })[0];
    var reserve = last ? bytes(JSON.stringify(last)) : 0;
    var sends = [];
    // Documents first: a PUT is idempotent, and the newest version is the one sent last.
    Object.keys(this.docs).forEach(function (key) {
      var doc = self.docs[key];
      var size = bytes(doc.body);
      if (self.docSending[key] === doc.seq || size > budget - reserve) return;
      budget -= size;
      self.docSending[key] = doc.seq;
      sends.push(self.call("PUT", "activities/state", doc.query, doc.body).then(function (r) {
        if (self.docSending[key] === doc.seq) delete self.docSending[key];
        if ((r.status === 204 || r.status === 200) && self.docs[key] && self.docs[key].seq === doc.seq) {
          delete self.docs[key];
          self.persist();
        }
      }));
    });
    var batch = this.unloadBatch(budget, going);
    if (batch.length) {
      this.mark(batch);
      batch.forEach(function (s) { self.away[s.id] = 1; });
      sends.push(this.call("POST", "statements", null, batch).then(function (r) {
        batch.forEach(function (s) { delete self.away[s.id]; });
        if (r.status === 200 || r.status === 204) self.stored(batch);
      }));
    }
    this.unloading = Promise.all([this.unloading].concat(sends));
    return !this.statements.some(function (s) {
      return verbIs(LAST, s) && !self.away[s.id] && !(self.sending.indexOf(s) >= 0 && self.sendingKept);
    });
  };

  // The page is going (pagehide, or the adapter sends the learner elsewhere): the last requests
  // leave now (sendBeforeUnload), and none after them. While a page unloads its script still runs
  // a moment: the requests on their way fail from its point of view (they go on with keepalive),
  // and sending those statements again would only make copies arrive after terminated.
  Outbox.prototype.leave = function () {
    var sent = this.sendBeforeUnload(true);
    this.left = true;
    clearTimeout(this.timer);
    return sent;
  };

  // In a request on its way: the one the outbox waits for, or a pagehide one.
  Outbox.prototype.busy = function (statement) {
    return this.sending.indexOf(statement) >= 0 || !!this.away[statement.id];
  };

  // The statements that leave on pagehide, in order: those not on their way yet, as many as the
  // budget holds, then the first last statement (terminated), whose room was kept; nothing after
  // it. While a first statement is unacknowledged nothing else leaves (the LMS would refuse what
  // comes before it has it), unless it is on its way and the page is going: it was sent before,
  // so it comes first, and waiting would lose the rest. A first statement never sent leaves
  // alone. A unique statement that needs its check is left out: sent again it could make the LMS
  // refuse the whole request, terminated with it.
  Outbox.prototype.unloadBatch = function (budget, going) {
    var self = this;
    var pending = this.statements.filter(function (s) { return !self.busy(s); });
    var stop = 0;
    while (stop < pending.length && !verbIs(LAST, pending[stop])) stop++;
    var last = pending[stop];
    budget -= last ? bytes(JSON.stringify(last)) : 0;
    var batch = [];
    for (var i = 0; i < this.statements.length; i++) {
      var s = this.statements[i];
      if (verbIs(FIRST, s)) {
        if (this.busy(s) && going) continue;
        if (!this.busy(s) && !this.needsCheck(s) && !batch.length && !this.inflight) return [s];
        return batch;
      }
      if (s === last) break;
      if (this.busy(s) || this.needsCheck(s)) continue;
      var size = bytes(JSON.stringify(s));
      if (size > budget || batch.length >= 4 * BATCH) break;
      budget -= size;
      batch.push(s);
    }
    return last && budget >= 0 ? batch.concat([last]) : batch;
  };

  // --- statements ----------------------------------------------------------------------------
  // `data` is X.runtimeData: the course's base IRI and language, the page activities and their
  // parents; `questions` (page id → definitions) fills from runtime/xapi-questions/<page-id>.js
  // as pages are answered (the first page carries none of them).
  function Statements(data, actor, registration, clock) {
    this.data = data;
    this.actor = actor;
    this.registration = registration;
    this.clock = clock || new Clock();
    this.questions = {};
  }

  // The page a question belongs to: "intro-01" for "intro-01.q1", "m1.assessment" for "m1.assessment.a1".
  Statements.prototype.owner = function (record) { return String(record.id).split(".").slice(0, -1).join("."); };

  Statements.prototype.ready = function (record) { return this.questions.hasOwnProperty(this.owner(record)); };

  // Resolves once the definitions of the record's page are known (or known to be missing).
  Statements.prototype.load = function (record) {
    var self = this;
    var owner = this.owner(record);
    return loadQuestions(owner).then(function (found) { self.questions[owner] = found; });
  };

  Statements.prototype.make = function (verb, object, result, context) {
    var s = { id: uuid(), actor: clone(this.actor), verb: { id: ADL + "verbs/" + verb, display: { en: verb } }, object: clone(object) };
    if (result && Object.keys(result).length) s.result = result;
    if (this.registration) context.registration = this.registration;
    // object is always an Activity (§6.1); a cmi5 context template's own values stay (§8.3)
    if (context.revision === undefined) context.revision = this.data.revision;
    if (context.language === undefined) context.language = this.data.lang;
    s.context = context;
    s.timestamp = this.clock.stamp();
    return s;
  };

  Statements.prototype.page = function (key) {
    key = String(key === undefined || key === null ? "" : key).replace(/^#?\/?/, "");
    return this.data.pages.hasOwnProperty(key) ? key : null;
  };

  Statements.prototype.ref = function (activity) { return { objectType: "Activity", id: activity.id }; };

  // The activity of an answered question: the generated definition, or (if the definitions file
  // could not load) one built from the runtime record.
  Statements.prototype.question = function (record) {
    var known = (this.questions[this.owner(record)] || {})[record.id];
    if (known) return known;
    var base = this.data.pages[""].activity.id;
    var definition = { type: TYPE_INTERACTION, interactionType: record.interactionType || "other" };
    if (record.description) {
      definition.name = {};
      definition.name[this.data.lang] = String(record.description).slice(0, 120);
    }
    var owner = this.owner(record);
    return { activity: { objectType: "Activity", id: base + "question/" + record.id, definition: definition },
      parent: this.page(owner) };
  };

  Statements.prototype.answeredResult = function (record) {
    var result = { success: record.result === "correct",
      response: response(record.encoding, record.response) };
    if (record.latencySeconds !== undefined && record.latencySeconds !== null) {
      result.duration = duration(record.latencySeconds);
    }
    return result;
  };

  function percent(progress) {
    var p = Number(progress) || 0;
    if (p > 0 && p <= 1) p *= 100;
    return Math.max(0, Math.min(100, Math.round(p)));
  }

  // §6.5 score: scaled in −1…1 (0…1 here), raw between min and max; integers for cmi5.
  function score(s) {
    if (!s) return null;
    var min = Math.round(Number(s.min) || 0);
    var max = Math.round(Number(s.max));
    var raw = Math.round(Number(s.raw));
    var scaled = typeof s.scaled === "number" ? s.scaled : (max > min ? (raw - min) / (max - min) : NaN);
    var out = {};
    if (isFinite(scaled)) out.scaled = Math.round(Math.max(0, Math.min(1, scaled)) * 10000) / 10000;
    if (isFinite(raw) && isFinite(max) && max > min) {
      out.raw = Math.max(min, Math.min(max, raw));
      out.min = min;
      out.max = max;
    }
    return Object.keys(out).length ? out : null;
  }

  var questionLoads = {};
  function loadQuestions(owner) {
    if (questionLoads[owner]) return questionLoads[owner];
    questionLoads[owner] = new Promise(function (resolve) {
      var all = global.JMDI_XAPI_QUESTIONS = global.JMDI_XAPI_QUESTIONS || {};
      if (all[owner]) return resolve(all[owner]);
      var tag = global.document.createElement("script");
      tag.src = sibling("xapi-questions/" + owner + ".js");
      tag.onload = function () { tag.remove(); resolve(all[owner] || {}); };
      tag.onerror = function () { tag.remove(); resolve({}); }; // answered statements fall back (question())
      global.document.head.appendChild(tag);
    });
    return questionLoads[owner];
  }

  // A message in the launch page's alert line (the core's notices use the same element).
  function notify(message) {
    var box = global.document && global.document.getElementById("jmdi-alert");
    if (box && message) box.textContent = message;
  }

  X.uuid = uuid;
  X.duration = duration;
  X.Clock = Clock;
  X.response = response;
  X.Statements = Statements;
  X.percent = percent;
  X.score = score;
  X.notify = notify;
})(window);
