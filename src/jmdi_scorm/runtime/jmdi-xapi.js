/* jmdi-xapi.js: the xAPI adapter of the JMDI runtime, launched the TinCan way (docs/architecture.md).
   Endpoint, Authorization, actor, registration and activity id come from the launch URL only
   (docs/standards.md §7.2); nothing in the package names an LRS or a learner. Needs
   jmdi-xapi-common.js (the build joins both into this one file).
   This part, which the core loads once the first page is up, starts the session: the launch and
   the state the LRS keeps. It asks for jmdi-xapi-later.js (X.tracker) meanwhile, which queues
   initialized/resumed and tracks the session (saves, answers, finish); saves and answers wait
   for it, and nothing is sent before it is here. */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  var STATE = { bookmark: "bookmark", suspend: "suspend" }; // §6.7 project stateIds

  // `config.adapterConfig` (index.html) carries the course's base IRI and the adapter's notices;
  // the page activities and their parents are derived from the page list (X.runtimeData).
  function create(config) {
    var data = X.runtimeData(config);
    var text = (data && data.strings) || {};
    var launch = null; // {lrs, actor, registration, root, grouping, platform}
    var outbox = null;
    var started = 0;
    var sent = { completed: false, success: "unknown" };
    var last = { location: null, progress: -1, suspend: null, savedLocation: null, snapshot: null };
    var restored = false; // the LRS had a state: the session is resumed

    function stateQuery(stateId) {
      var q = { activityId: launch.root.id, agent: JSON.stringify(launch.actor), stateId: stateId };
      if (launch.registration) q.registration = launch.registration;
      return q;
    }

    // The session as jmdi-xapi-later.js tracks it, once start() read the state.
    var tracked = X.tracker("xapi", function () {
      return { data: data, launch: launch, outbox: outbox, started: started, sent: sent, last: last,
        restored: restored, STATE: STATE, stateQuery: stateQuery };
    });

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
        tracked.load(); // the later part comes while the LRS answers
        var key = launch.lrs.endpoint + "|" + X.agentKey(launch.actor);
        outbox = new X.Outbox(key, launch.lrs, function () { X.notify(text.refused); });
        return Promise.all([readState(STATE.suspend), readState(STATE.bookmark)]).then(function (docs) {
          var state = restore(docs[0], docs[1]);
          restored = !!state;
          tracked(function () {}); // the later part: initialized/resumed, then what an earlier launch left
          return { state: state, mode: "normal", learner: launch.actor.name || undefined };
        });
      },

      save: function (snapshot) {
        if (!launch) return Promise.resolve(true);
        last.snapshot = snapshot;
        return tracked(function (s) { return s.save(snapshot); });
      },

      interaction: function (record) {
        if (launch) tracked(function (s) { s.interaction(record); });
      },

      // Synchronous when the later part is here (pagehide: the page may be gone at the next
      // task); before that, nothing was queued that a finish could end.
      finish: function (snapshot) {
        if (!launch) return Promise.resolve();
        return tracked(function (s) { return s.finish(snapshot || last.snapshot); }).then(function () {});
      },

      // for tests and the preview's debug view
      outbox: function () { return outbox; }
    };
  }

  global.JMDIXapiAdapter = { create: create };
  if (global.JMDI && typeof global.JMDI.registerAdapter === "function") global.JMDI.registerAdapter("xapi", create);
})(window);
