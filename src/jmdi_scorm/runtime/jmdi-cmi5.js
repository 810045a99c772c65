/* jmdi-cmi5.js: the cmi5 adapter of the JMDI runtime (docs/architecture.md; docs/standards.md §8).
   Launch: one POST to the fetch URL for the token, LMS.LaunchData and learner preferences from
   the LMS, `initialized` first, statements built on the LaunchData context template, defined
   statements per launch mode and registration, `terminated` last, then returnURL. Needs
   jmdi-xapi-common.js (the build joins both into this one file). */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  // --- cmi5 constants (docs/standards.md §8.3-8.5) --------------------------------------------------
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CATEGORY_CMI5 = CMI5 + "context/categories/cmi5";
  var CATEGORY_MOVEON = CMI5 + "context/categories/moveon";
  var EXT_MASTERY = CMI5 + "context/extensions/masteryscore";
  var LAUNCH_DATA = "LMS.LaunchData";
  var PREFERENCES = "cmi5LearnerPreferences";
  var FLAGS = "cmi5-au-flags"; // §8.5: completed/passed already sent in this registration
  var STATE = { bookmark: "bookmark", suspend: "suspend" }; // §6.7
  var MODES = { Normal: "normal", Browse: "browse", Review: "review" }; // §8.6
  var DRAIN_MS = 4000; // how long terminated may take before the learner is sent to returnURL
  var TOKEN_KEY = "jmdi-cmi5-token:"; // + fetch URL. §8.2 project rule: a reload does not fetch again
  var ENDED_KEY = "jmdi-cmi5-ended:"; // + fetch URL: this launch sent terminated

  // `config.adapterConfig` (index.html) carries the course's base IRI and the adapter's notices;
  // the page activities and their parents are derived from the page list (X.runtimeData).
  function create(config) {
    var data = X.runtimeData(config);
    var text = (data && data.strings) || {};
    var launch = null; // {lrs, actor, registration, activityId, launchData, mode, mastery}
    var outbox = null;
    var make = null;
    var started = 0;
    var state = "new"; // new → initialized → terminated
    var flags = { completed: false, passed: false };
    var thisLaunch = { completed: false, passed: false, failed: false };
    var last = { location: null, progress: -1, suspend: null, savedLocation: null, snapshot: null };
    var ops = [];

    function docQuery(stateId) {
      return { activityId: launch.activityId, agent: JSON.stringify(launch.actor), registration: launch.registration,
        stateId: stateId };
    }

    // §8.3: every statement's context starts as a copy of the template; we only add to it.
    function context(parentKey, defined) {
      var c = X.clone(launch.launchData.contextTemplate || {});
      var acts = c.contextActivities = c.contextActivities || {};
      var page = parentKey !== null && parentKey !== undefined ? data.pages[parentKey] : null;
      if (page) acts.parent = (acts.parent || []).concat([make.ref(page.activity)]);
      var course = data.pages[data.scope || ""].activity;
      var grouping = acts.grouping || [];
      if (!grouping.some(function (a) { return a.id === course.id; })) grouping.push(make.ref(course));
      acts.grouping = grouping;
      if (defined) acts.category = (acts.category || []).concat([{ objectType: "Activity", id: CATEGORY_CMI5 }]);
      return c;
    }

    function send(verb, object, result, parentKey, defined) {
      var ctx = context(parentKey, defined);
      if (defined === "moveon") ctx.contextActivities.category.push({ objectType: "Activity", id: CATEGORY_MOVEON });
      if ((verb === "passed" || verb === "failed") && typeof launch.mastery === "number") {
        ctx.extensions = ctx.extensions || {};
        ctx.extensions[EXT_MASTERY] = launch.mastery;
      }
      outbox.add(make.make(verb, object, result, ctx));
    }

    function isDefined(statement) {
      var c = statement.context && statement.context.contextActivities;
      return !!(c && c.category && c.category.some(function (a) { return a.id === CATEGORY_CMI5; }));
    }

    function au() { return { objectType: "Activity", id: launch.activityId }; } // §8.4: launch activityId
    function elapsed() { return X.duration((Date.now() - started) / 1000); }

    // --- defined statements (§8.5) -------------------------------------------------------------
    function judge(snapshot) {
      if (snapshot.success !== "passed" && snapshot.success !== "failed") return null;
      if (snapshot.scoreFinal === false) return null; // one verdict per registration, with the final score
      var score = X.score(snapshot.score);
      // LaunchData's masteryScore is the pass mark, even when it differs from cmi5.xml (§8.3).
      if (typeof launch.mastery === "number" && score && typeof score.scaled === "number") {
        return { passed: score.scaled >= launch.mastery, score: score };
      }
      return { passed: snapshot.success === "passed", score: score };
    }

    function defined(snapshot) {
      if (launch.mode !== "normal") return; // §8.6: Browse/Review send no completed/passed/failed
      if (snapshot.completion === "completed" && !flags.completed && !thisLaunch.completed) {
        thisLaunch.completed = flags.completed = true;
        send("completed", au(), { completion: true, duration: elapsed() }, null, "moveon");
      }
      var verdict = judge(snapshot);
      if (!verdict || flags.passed || thisLaunch.passed || thisLaunch.failed) return;
      if (!verdict.passed && thisLaunch.failed) return;
      var result = { success: verdict.passed, duration: elapsed() };
      if (verdict.score) result.score = verdict.score;
      if (verdict.passed) thisLaunch.passed = flags.passed = true;
      else thisLaunch.failed = true;
      send(verdict.passed ? "passed" : "failed", au(), result, null, "moveon");
    }

    // --- allowed statements --------------------------------------------------------------------
    function fromSnapshot(snapshot) {
      var key = make.page(snapshot.location);
      if (key !== null && key !== "" && snapshot.location !== last.location) {
        send("experienced", data.pages[key].activity, null, data.pages[key].parent, false);
      }
      last.location = snapshot.location;
      var progress = X.percent(snapshot.progress);
      // §8.5: no progress extension on completed or after it.
      if (progress > last.progress && last.progress >= 0 && !thisLaunch.completed && !flags.completed) {
        var ext = {};
        ext[data.ext.progress] = progress;
        send("progressed", au(), { extensions: ext }, null, false);
      }
      last.progress = Math.max(last.progress, progress);
      defined(snapshot);
      writeState(snapshot);
    }

    function writeState(snapshot) {
      if (launch.mode === "review") return;
      if (snapshot.location && snapshot.location !== last.savedLocation) {
        last.savedLocation = snapshot.location;
        outbox.putDoc(docQuery(STATE.bookmark), { location: snapshot.location });
      }
      var doc = JSON.stringify({ state: snapshot.stateText || "" });
      if (doc !== last.suspend) {
        last.suspend = doc;
        outbox.putDoc(docQuery(STATE.suspend), JSON.parse(doc));
      }
      if (JSON.stringify(flags) !== last.flags) {
        last.flags = JSON.stringify(flags);
        outbox.putDoc(docQuery(FLAGS), X.clone(flags));
      }
    }

    function pump(force) {
      while (ops.length) {
        if (!force && ops[0].record && !make.ready(ops[0].record)) return;
        var op = ops.shift();
        if (op.record) {
          var q = make.question(op.record);
          send("answered", q.activity, make.answeredResult(op.record), q.parent, false);
        } else {
          fromSnapshot(op.snapshot);
        }
      }
    }

    function queue(op) {
      ops.push(op);
      if (op.record && !make.ready(op.record)) {
        make.load(op.record).then(function () { if (state === "initialized") pump(false); });
      }
      pump(false);
    }

    // terminated: last, with the session's duration (§8.5); nothing is sent after it. The outbox
    // sends it alone once every statement and document before it has settled (8.1.2.0-2: the
    // LMS ends the token with it), so the final state is queued first.
    function terminate(snapshot) {
      if (state !== "initialized") return false;
      if (snapshot) ops.push({ snapshot: snapshot });
      pump(true);
      state = "terminated";
      send("terminated", au(), { duration: elapsed() }, null, true);
      session(ENDED_KEY + launch.fetch, "1");
      return true;
    }

    // The core's own pagehide handler usually ran finish() already; either way, what may leave
    // without waiting for an answer goes now with keepalive. terminated goes only when nothing
    // else is on its way; otherwise the next launch in this browser sends it after the rest.
    function onPageHide() {
      terminate(last.snapshot);
      outbox.sendBeforeUnload();
    }


    function onVisibility() {
      if (state === "initialized" && global.document.visibilityState === "hidden") outbox.sendBeforeUnload();
    }

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

    function untracked(code) {
      launch = null;
      return { state: null, mode: "normal", notice: code ? text.launch + " (" + code + ")" : text.untracked };
    }

    // After terminated nothing may be sent in this session (cmi5 §9.3.8). A reload of an ended
    // launch therefore shows the learner's progress read-only and says how to continue.
    function begin(p, token) {
      var ended = !!session(ENDED_KEY + p.fetch);
      launch = { lrs: new X.Lrs(p.endpoint, "Basic " + token), actor: X.parseActor(p.actor),
        registration: p.registration, activityId: p.activityId, fetch: p.fetch };
      started = Date.now();
      make = new X.Statements(data, launch.actor, launch.registration);
      // Defined statements are checked before a re-send (an LMS refuses a second passed even
      // under the same id, and the request with it); leftovers of an earlier session that this
      // token cannot deliver are dropped rather than block this session (docs/tracking.md).
      outbox = new X.Outbox(launch.lrs.endpoint + "|" + X.agentKey(launch.actor), launch.lrs, function () {
        X.notify(text.refused);
      }, { unique: isDefined, dropRefusedEarlier: true });
      return launch.lrs.json("activities/state", docQuery(LAUNCH_DATA)).then(function (r) {
        if (r.status !== 200 || !r.data) return untracked("cmi5-launchdata-" + r.status);
        launch.launchData = r.data;
        launch.mode = ended ? "review" : MODES[r.data.launchMode] || "normal";
        launch.mastery = typeof r.data.masteryScore === "number" ? r.data.masteryScore : null;
        var agent = { agent: JSON.stringify(launch.actor), profileId: PREFERENCES };
        return launch.lrs.json("agents/profile", agent).then(function (prefs) { // 404 is normal (§8.8)
          launch.preferences = prefs.status === 200 && prefs.data ? prefs.data : {};
          outbox.flush(); // an earlier launch's leftovers go before this launch's initialized
          if (!ended) {
            state = "initialized";
            send("initialized", au(), null, null, true);
            global.addEventListener("pagehide", onPageHide);
            global.document.addEventListener("visibilitychange", onVisibility);
          }
          return Promise.all([readDoc(STATE.suspend), readDoc(STATE.bookmark), readDoc(FLAGS)]);
        }).then(function (docs) {
          if (!docs || !launch) return docs;
          if (docs[2]) flags = { completed: !!docs[2].completed, passed: !!docs[2].passed };
          last.flags = JSON.stringify(flags);
          var result = { state: restore(docs[0], docs[1]), mode: launch.mode,
            learner: launch.actor.name || undefined };
          if (ended) result.notice = text.ended;
          if (launch.mastery !== null) result.masteryScore = launch.mastery;
          if (launch.preferences.languagePreference) result.language = launch.preferences.languagePreference;
          if (launch.preferences.audioPreference) result.audio = launch.preferences.audioPreference;
          return result;
        });
      });
    }

    return {
      start: function () {
        var p = X.params(global.location.search);
        if (!p.endpoint || !p.fetch || !p.actor || !p.registration || !p.activityId || !data || !X.parseActor(p.actor)) {
          return Promise.resolve(untracked(null));
        }
        return fetchToken(p).then(function (t) {
          return t.token ? begin(p, t.token) : untracked(t.error);
        });
      },

      save: function (snapshot) {
        if (!launch || state !== "initialized") return Promise.resolve(true);
        last.snapshot = snapshot;
        queue({ snapshot: snapshot });
        return Promise.resolve(outbox.healthy());
      },

      interaction: function (record) {
        if (!launch || state !== "initialized" || launch.mode === "review") return;
        queue({ record: record });
      },

      // §8.7: terminated, wait until its request settles, then go to returnURL when there is one.
      finish: function (snapshot) {
        if (!launch || !terminate(snapshot || last.snapshot)) return Promise.resolve();
        return outbox.drain(DRAIN_MS).then(function () {
          var back = launch.launchData.returnURL;
          if (back) global.location.assign(back);
        });
      },

      outbox: function () { return outbox; }
    };
  }

  global.JMDICmi5Adapter = { create: create };
  if (global.JMDI && typeof global.JMDI.registerAdapter === "function") global.JMDI.registerAdapter("cmi5", create);
})(window);
