/* jmdi-xapi.js: the xAPI adapter of the JMDI runtime, launched the TinCan way (docs/architecture.md).
   Endpoint, Authorization, actor, registration and activity id come from the launch URL only
   (docs/standards.md §7.2); nothing in the package names an LRS or a learner. Needs
   jmdi-xapi-common.js (the build joins both into this one file). */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  var STATE = { bookmark: "bookmark", suspend: "suspend" }; // §6.7 project stateIds
  var DRAIN_MS = 4000; // finish() waits this long for the LRS before letting the page go

  // `config.adapterConfig` (index.html) carries the course's base IRI and the adapter's notices;
  // the page activities and their parents are derived from the page list (X.runtimeData).
  function create(config) {
    var data = X.runtimeData(config);
    var text = (data && data.strings) || {};
    var launch = null; // {lrs, actor, registration, root, grouping, platform}
    var outbox = null;
    var make = null; // X.Statements
    var started = 0;
    var finished = false;
    var sent = { completed: false, success: "unknown" };
    var last = { location: null, progress: -1, suspend: null, savedLocation: null, snapshot: null };
    var ops = []; // statements waiting for the question definitions, in order

    function stateQuery(stateId) {
      var q = { activityId: launch.root.id, agent: JSON.stringify(launch.actor), stateId: stateId };
      if (launch.registration) q.registration = launch.registration;
      return q;
    }

    function context(parentKey) {
      var c = { contextActivities: {} };
      var page = parentKey !== null && parentKey !== undefined ? data.pages[parentKey] : null;
      if (page && page.activity.id !== launch.root.id) c.contextActivities.parent = [make.ref(page.activity)];
      var grouping = [make.ref(launch.root)].concat(launch.grouping);
      if (page && data.pages[page.parent] && data.pages[page.parent].activity.id !== launch.root.id) {
        grouping.push(make.ref(data.pages[page.parent].activity));
      }
      c.contextActivities.grouping = grouping;
      if (launch.platform) c.platform = launch.platform;
      return c;
    }

    function send(verb, object, result, parentKey) {
      var ctx = context(parentKey);
      if (object.id === launch.root.id) delete ctx.contextActivities.parent;
      ctx.contextActivities.grouping = ctx.contextActivities.grouping.filter(function (a) { return a.id !== object.id; });
      if (!ctx.contextActivities.grouping.length) delete ctx.contextActivities.grouping;
      if (!Object.keys(ctx.contextActivities).length) delete ctx.contextActivities;
      outbox.add(make.make(verb, object, result, ctx));
    }

    function sessionSeconds() { return (Date.now() - started) / 1000; }

    // --- statements from snapshots -----------------------------------------------------------
    function fromSnapshot(snapshot) {
      var key = make.page(snapshot.location);
      if (key !== null && key !== "" && snapshot.location !== last.location) {
        var page = data.pages[key];
        send("experienced", page.activity, null, page.parent);
      }
      last.location = snapshot.location;
      var progress = X.percent(snapshot.progress);
      if (progress > last.progress && last.progress >= 0 && sent.completed === false) {
        var ext = {};
        ext[data.ext.progress] = progress;
        send("progressed", launch.root, { extensions: ext });
      }
      last.progress = Math.max(last.progress, progress);
      if (snapshot.completion === "completed" && !sent.completed) {
        sent.completed = true;
        send("completed", launch.root, { completion: true, duration: X.duration(sessionSeconds()) });
      }
      var success = snapshot.success;
      // A verdict carries the final score (the core's scoreFinal): the LRS keeps every statement.
      var judged = (success === "passed" || success === "failed") && snapshot.scoreFinal !== false;
      if (judged && success !== sent.success && sent.success !== "passed") {
        sent.success = success;
        var result = { success: success === "passed", duration: X.duration(sessionSeconds()) };
        var score = X.score(snapshot.score);
        if (score) result.score = score;
        send(success, launch.root, result);
      }
      writeState(snapshot);
    }

    function answered(record) {
      var q = make.question(record);
      send("answered", q.activity, make.answeredResult(record), q.parent);
    }

    // Answers wait for the question definitions (loaded on the first answer); everything queued
    // behind an answer waits too, so statements keep the order of events.
    function pump(force) {
      while (ops.length) {
        if (!force && ops[0].record && !make.ready(ops[0].record)) return;
        var op = ops.shift();
        if (op.record) answered(op.record);
        else fromSnapshot(op.snapshot);
      }
    }

    function writeState(snapshot) {
      if (snapshot.location && snapshot.location !== last.savedLocation) {
        last.savedLocation = snapshot.location;
        outbox.putDoc(stateQuery(STATE.bookmark), { location: snapshot.location });
      }
      var doc = { state: snapshot.stateText || "", completed: sent.completed, success: sent.success };
      if (JSON.stringify(doc) !== last.suspend) {
        last.suspend = JSON.stringify(doc);
        outbox.putDoc(stateQuery(STATE.suspend), doc);
      }
    }

    function queue(op) {
      ops.push(op);
      if (op.record && !make.ready(op.record)) {
        make.load(op.record).then(function () { pump(false); });
      }
      pump(false);
    }

    function closing(snapshot) {
      if (finished || !launch) return false;
      finished = true;
      if (snapshot) ops.push({ snapshot: snapshot });
      pump(true);
      // §6.3: suspended when the learner leaves unfinished work (progress kept in the State API);
      // every session then ends with terminated and its duration (docs/tracking.md). The outbox
      // sends terminated alone, after every statement and document before it has settled.
      var duration = { duration: X.duration(sessionSeconds()) };
      if (!sent.completed) send("suspended", launch.root, duration);
      send("terminated", launch.root, X.clone(duration));
      return true;
    }

    // The core's own pagehide handler usually ran finish() already; either way, what may leave
    // without waiting for an answer goes now with keepalive, terminated last.
    function onPageHide() {
      closing(last.snapshot);
      outbox.sendBeforeUnload();
    }

    function onVisibility() {
      if (launch && !finished && global.document.visibilityState === "hidden") outbox.sendBeforeUnload();
    }

    function restore(suspend, bookmark) {
      if (!suspend && !bookmark) return null;
      suspend = suspend || {};
      sent.completed = !!suspend.completed;
      sent.success = suspend.success || "unknown";
      last.suspend = JSON.stringify({ state: suspend.state || "", completed: sent.completed, success: sent.success });
      last.savedLocation = bookmark && bookmark.location;
      var core = global.JMDI;
      var location = bookmark ? bookmark.location : "";
      var decoded = core && typeof core.decodeState === "function" ? core.decodeState(suspend.state || "") : null;
      if (!decoded) return suspend.state || null;
      if (location) decoded.location = location; // the bookmark document wins (§6.7)
      return decoded;
    }

    // Pending documents in the outbox are newer than the LRS's copy (they never reached it).
    function readState(stateId) {
      var query = stateQuery(stateId);
      var pending = outbox.pendingDoc(query);
      if (pending !== undefined) return Promise.resolve(pending);
      return launch.lrs.json("activities/state", query).then(function (r) {
        if (r.etag) outbox.etags[JSON.stringify(query)] = r.etag;
        return r.status === 200 ? r.data : null; // 404: a fresh start (§6.7)
      });
    }

    function parseLaunch() {
      var p = X.params(global.location.search);
      var actor = p.actor ? X.parseActor(p.actor) : null;
      if (!p.endpoint || !p.auth || !actor || !data) return null;
      var root = X.clone(data.pages[data.scope || ""].activity);
      if (p.activity_id) root.id = p.activity_id;
      return {
        lrs: new X.Lrs(p.endpoint, p.auth),
        actor: actor,
        registration: p.registration || null,
        root: root,
        grouping: p.grouping ? [{ objectType: "Activity", id: p.grouping }] : [],
        platform: p.activity_platform || null
      };
    }

    return {
      start: function () {
        launch = parseLaunch();
        if (!launch) return Promise.resolve({ state: null, mode: "normal", notice: text.untracked }); // §7.2
        started = Date.now();
        make = new X.Statements(data, launch.actor, launch.registration);
        var key = launch.lrs.endpoint + "|" + X.agentKey(launch.actor);
        // On pagehide terminated leaves even while other requests are on their way (see
        // rules.lastOnUnload): no LRS ends a TinCan session's credentials with it.
        outbox = new X.Outbox(key, launch.lrs, function () { X.notify(text.refused); }, { lastOnUnload: true });
        outbox.flush(); // what an earlier launch could not deliver goes first
        global.addEventListener("pagehide", onPageHide);
        global.document.addEventListener("visibilitychange", onVisibility);
        return Promise.all([readState(STATE.suspend), readState(STATE.bookmark)]).then(function (docs) {
          var state = restore(docs[0], docs[1]);
          send(state ? "resumed" : "initialized", launch.root, null);
          return { state: state, mode: "normal", learner: launch.actor.name || undefined };
        });
      },

      save: function (snapshot) {
        if (!launch || finished) return Promise.resolve(true);
        last.snapshot = snapshot;
        queue({ snapshot: snapshot });
        return Promise.resolve(outbox.healthy());
      },

      interaction: function (record) {
        if (!launch || finished) return;
        queue({ record: record });
      },

      finish: function (snapshot) {
        if (!closing(snapshot || last.snapshot)) return Promise.resolve();
        return outbox.drain(DRAIN_MS).then(function () {});
      },

      // for tests and the preview's debug view
      outbox: function () { return outbox; }
    };
  }

  global.JMDIXapiAdapter = { create: create };
  if (global.JMDI && typeof global.JMDI.registerAdapter === "function") global.JMDI.registerAdapter("xapi", create);
})(window);
