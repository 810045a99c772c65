/* jmdi-cmi5.js: the cmi5 adapter of the JMDI runtime (docs/architecture.md; docs/standards.md §8).
   Launch: one POST to the fetch URL for the token, LMS.LaunchData and learner preferences from
   the LMS, `initialized` first, statements built on the LaunchData context template, defined
   statements per launch mode and registration, `terminated` last, then returnURL. Needs
   jmdi-xapi-common.js (the build joins both into this one file).
   This part, which the core loads once the first page is up, starts the session: the token, then
   LMS.LaunchData, the learner's preferences and the state the LRS keeps, read together. It asks
   for jmdi-cmi5-later.js (X.tracker) meanwhile, which queues initialized and tracks the session
   once the state is read (saves, answers, terminated); saves and answers wait for it, and
   nothing is sent before it is here. */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  // --- cmi5 constants (docs/standards.md §8.3-8.5) --------------------------------------------------
  var LAUNCH_DATA = "LMS.LaunchData";
  var PREFERENCES = "cmi5LearnerPreferences";
  var FLAGS = "cmi5-au-flags"; // §8.5: completed/passed/failed already sent in this registration
  var STATE = { bookmark: "bookmark", suspend: "suspend" }; // §6.7
  var MODES = { Normal: "normal", Browse: "browse", Review: "review" }; // §8.6
  var TOKEN_KEY = "jmdi-cmi5-token:"; // + fetch URL. §8.2 project rule: a reload does not fetch again
  var ENDED_KEY = "jmdi-cmi5-ended:"; // + fetch URL: this launch sent terminated

  // `config.adapterConfig` (index.html) carries the course's base IRI and the adapter's notices;
  // the page activities and their parents are derived from the page list (X.runtimeData).
  function create(config) {
    var data = X.runtimeData(config);
    var text = (data && data.strings) || {};
    var launch = null; // {lrs, actor, registration, activityId, launchData, mode, mastery}
    var outbox = null;
    var started = 0;
    var ended = false; // this launch sent terminated already (a reload): review only
    var flags = { completed: false, passed: false, failed: false };
    var last = { location: null, progress: -1, suspend: null, savedLocation: null, snapshot: null };

    function docQuery(stateId) {
      return { activityId: launch.activityId, agent: JSON.stringify(launch.actor), registration: launch.registration,
        stateId: stateId };
    }

    // The session as jmdi-cmi5-later.js tracks it, once start() read the state.
    var tracked = X.tracker("cmi5", function () {
      return { data: data, launch: launch, outbox: outbox, started: started, flags: flags, last: last, ended: ended,
        STATE: STATE, FLAGS: FLAGS, ENDED_KEY: ENDED_KEY, docQuery: docQuery, session: session };
    });

    // --- launch (§8.2) ---------------------------------------------------------------------------
    function session(key, value) {
      try {
        if (value === undefined) return global.sessionStorage.getItem(key);
        global.sessionStorage.setItem(key, value);
      } catch (e) { /* no storage: a reload fetches again and gets error 1 */ }
      return null;
    }

    function fetchToken(p) {
      var key = TOKEN_KEY + p.fetch;
      var saved = session(key);
      if (saved) return Promise.resolve({ token: saved });
      return global.fetch(p.fetch, { method: "POST", cache: "no-store", credentials: "omit" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (!body || !body["auth-token"]) {
            return { error: "cmi5-fetch-" + (body && body["error-code"] || "3"), text: body && body["error-text"] };
          }
          session(key, body["auth-token"]);
          return { token: body["auth-token"] };
        }, function () { return { error: "cmi5-fetch-unreachable" }; });
    }

    function readDoc(stateId) {
      var query = docQuery(stateId);
      var pending = outbox.pendingDoc(query);
      if (pending !== undefined) return Promise.resolve(pending);
      return launch.lrs.json("activities/state", query).then(function (r) {
        if (r.etag) outbox.etags[JSON.stringify(query)] = r.etag;
        return r.status === 200 ? r.data : null;
      });
    }

    function restore(suspend, bookmark) {
      if (!suspend && !bookmark) return null;
      var text = (suspend && suspend.state) || "";
      var location = (bookmark && bookmark.location) || "";
      last.suspend = JSON.stringify({ state: text });
      last.savedLocation = location;
      var core = global.JMDI;
      var decoded = core && typeof core.decodeState === "function" ? core.decodeState(text) : null;
      if (!decoded) return text || null;
      if (location) decoded.location = location; // the bookmark document wins (§6.7)
      return decoded;
    }

    // Nothing reaches the LMS: the core keeps the progress in this browser (offline).
    function untracked(code) {
      launch = null;
      return { state: null, mode: "normal", offline: true, notice: code ? text.launch + " (" + code + ")" : text.untracked };
    }

    // After terminated nothing may be sent in this session (cmi5 §9.3.8). A reload of an ended
    // launch therefore shows the learner's progress read-only and says how to continue.
    function begin(p, token) {
      ended = !!session(ENDED_KEY + p.fetch);
      // §8.4: the launch actor exactly as given (an LMS compares it with what it sent, on every
      // statement and document request): parsed, never completed or trimmed.
      launch = { lrs: new X.Lrs(p.endpoint, "Basic " + token), actor: JSON.parse(p.actor),
        registration: p.registration, activityId: p.activityId, fetch: p.fetch };
      started = Date.now();
      // One outbox per registration and AU: what one AU leaves is never sent with another's token
      // (docs/tracking.md). An earlier page's leftovers that the LMS refuses are dropped rather
      // than block this session; the later part adds rules.unique.
      var key = [launch.lrs.endpoint, X.agentKey(launch.actor), launch.registration, launch.activityId].join("|");
      outbox = new X.Outbox(key, launch.lrs, function () { X.notify(text.refused); }, { dropRefusedEarlier: true });
      // Five reads that need only the token, sent together (each is a round trip: over a slow
      // link one after the other they took seconds).
      var agent = { agent: JSON.stringify(launch.actor), profileId: PREFERENCES };
      return Promise.all([
        launch.lrs.json("activities/state", docQuery(LAUNCH_DATA)),
        launch.lrs.json("agents/profile", agent), // 404 is normal (§8.8)
        readDoc(STATE.suspend), readDoc(STATE.bookmark), readDoc(FLAGS)
      ]).then(function (read) {
        var r = read[0], prefs = read[1], docs = read.slice(2);
        if (r.status !== 200 || !r.data) return untracked("cmi5-launchdata-" + r.status);
        launch.launchData = r.data;
        launch.mode = ended ? "review" : MODES[r.data.launchMode] || "normal";
        launch.mastery = typeof r.data.masteryScore === "number" ? r.data.masteryScore : null;
        launch.preferences = prefs.status === 200 && prefs.data ? prefs.data : {};
        if (docs[2]) { // in place: the later part shares this object
          flags.completed = !!docs[2].completed;
          flags.passed = !!docs[2].passed;
          flags.failed = !!docs[2].failed;
        }
        last.flags = JSON.stringify(flags);
        tracked(function () {}); // the later part: initialized, then what an earlier launch left
        var result = { state: restore(docs[0], docs[1]), mode: launch.mode,
          learner: launch.actor.name || undefined };
        if (ended) result.notice = text.ended;
        if (launch.mastery !== null) result.masteryScore = launch.mastery;
        if (launch.preferences.languagePreference) result.language = launch.preferences.languagePreference;
        if (launch.preferences.audioPreference) result.audio = launch.preferences.audioPreference;
        return result;
      });
    }

    return {
      start: function () {
        var p = X.params(global.location.search);
        if (!p.endpoint || !p.fetch || !p.actor || !p.registration || !p.activityId || !data || !X.parseActor(p.actor)) {
          return Promise.resolve(untracked(null));
        }
        tracked.load(); // the later part comes while the LMS answers
        return fetchToken(p).then(function (t) {
          return t.token ? begin(p, t.token) : untracked(t.error);
        });
      },

      save: function (snapshot) {
        if (!launch || ended) return Promise.resolve(true);
        last.snapshot = snapshot;
        return tracked(function (t) { return t.save(snapshot); });
      },

      interaction: function (record) {
        if (launch && !ended) tracked(function (t) { t.interaction(record); });
      },

      // Synchronous when the later part is here (pagehide: the page may be gone at the next
      // task); before that, nothing was queued that terminated could end.
      finish: function (snapshot) {
        if (!launch) return Promise.resolve();
        return tracked(function (t) { return t.finish(snapshot || last.snapshot); }).then(function () {});
      },

      outbox: function () { return outbox; }
    };
  }

  global.JMDICmi5Adapter = { create: create };
  if (global.JMDI && typeof global.JMDI.registerAdapter === "function") global.JMDI.registerAdapter("cmi5", create);
})(window);
