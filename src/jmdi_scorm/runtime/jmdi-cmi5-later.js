/* jmdi-cmi5-later.js: the later part of the cmi5 adapter (jmdi-cmi5.js), loaded once the first
   page has its state (docs/architecture.md; docs/standards.md §8.5): initialized, statements
   (defined ones included) and state documents from the core's snapshots, answered statements,
   terminated, then returnURL. Needs jmdi-xapi-common-later.js (the build joins both into
   runtime/jmdi-cmi5-later.js). */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CATEGORY_CMI5 = CMI5 + "context/categories/cmi5";
  var CATEGORY_MOVEON = CMI5 + "context/categories/moveon";
  var EXT_MASTERY = CMI5 + "context/extensions/masteryscore";
  var EXT_SESSION = CMI5 + "context/extensions/sessionid";
  var VERDICT = /\/verbs\/(completed|passed|failed)$/;
  var DRAIN_MS = 4000; // how long Exit waits for the LMS before terminated leaves with keepalive
  var LATE_MS = 16000; // how much longer it waits when terminated cannot leave yet (see finish)

  // `s`: the session jmdi-cmi5.js started (data, launch, outbox, started, flags, last, ended,
  // STATE, FLAGS, ENDED_KEY, docQuery, session). Returns what the adapter's save, interaction and
  // finish call.
  X.later.cmi5 = function (s) {
    var data = s.data, launch = s.launch, outbox = s.outbox, started = s.started, flags = s.flags, last = s.last;
    var STATE = s.STATE, FLAGS = s.FLAGS, ENDED_KEY = s.ENDED_KEY, docQuery = s.docQuery, session = s.session;
    var make = new X.Statements(data, launch.actor, launch.registration);
    var state = "new"; // new → initialized → terminated
    var thisLaunch = { completed: false, passed: false, failed: false };
    var ops = [];

    // §8.3: every statement's context starts as a copy of the template; we only add to it.
    function context(parentKey, defined) {
      var c = X.clone(launch.launchData.contextTemplate || {});
      var acts = c.contextActivities = lists(c.contextActivities || {});
      var page = parentKey !== null && parentKey !== undefined ? data.pages[parentKey] : null;
      if (page) acts.parent = (acts.parent || []).concat([make.ref(page.activity)]);
      var course = data.pages[data.scope || ""].activity;
      var grouping = acts.grouping || [];
      if (!grouping.some(function (a) { return a.id === course.id; })) grouping.push(make.ref(course));
      acts.grouping = grouping;
      if (defined) acts.category = (acts.category || []).concat([{ objectType: "Activity", id: CATEGORY_CMI5 }]);
      return c;
    }

    // xAPI allows one activity or a list as a contextActivities value: lists here, the template's
    // activities first (ours are added after them).
    function lists(acts) {
      Object.keys(acts).forEach(function (kind) { if (!Array.isArray(acts[kind])) acts[kind] = [acts[kind]]; });
      return acts;
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
      if (!verdict.passed && flags.failed) return; // an earlier launch reported it (the same final score)
      var result = { success: verdict.passed, duration: elapsed() };
      if (verdict.score) result.score = verdict.score;
      if (verdict.passed) thisLaunch.passed = flags.passed = true;
      else thisLaunch.failed = flags.failed = true;
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
      // §8.5: no progress extension on completed or after it; §8.6: none in Browse (no credit).
      var counts = launch.mode === "normal" && !thisLaunch.completed && !flags.completed;
      if (progress > last.progress && last.progress >= 0 && counts) {
        var ext = {};
        ext[data.ext.progress] = progress;
        send("progressed", au(), { extensions: ext }, null, false);
      }
      last.progress = Math.max(last.progress, progress);
      defined(snapshot);
      writeState(snapshot);
    }

    // §8.6: only Normal launches keep progress (what is done in Browse earns no credit later).
    function writeState(snapshot) {
      if (launch.mode !== "normal") return;
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

    // The core's own pagehide handler usually ran finish() already; either way, what is not on
    // its way yet leaves now with keepalive, terminated last in the same request (the page cannot
    // wait for answers). Left without terminated, the session would end abandoned.
    function onPageHide() {
      clearTimeout(hidden);
      terminate(last.snapshot);
      outbox.leave();
    }

    // The page turning hidden may be the first step of its closing (pagehide may follow at once)
    // or the learner looking elsewhere (which may end in the page being discarded): what is
    // pending leaves a task later, unless pagehide took it with terminated meanwhile. Sent at once,
    // it could arrive after the terminated pagehide sends a moment later, and be refused.
    var hidden = null;
    function onVisibility() {
      if (state !== "initialized" || global.document.visibilityState !== "hidden") return;
      clearTimeout(hidden);
      hidden = setTimeout(function () { if (state === "initialized") outbox.sendBeforeUnload(); }, 0);
    }

    // --- what an earlier session left in this browser ------------------------------------------
    // A page that closed before the LMS answered leaves its statements in localStorage. Those of
    // another session never go with this launch's token: the LMS judges a statement against the
    // session of the token it comes with, and has ended that session (abandoned) by now. They are
    // dropped; the learner's progress is in the State documents, which are sent. A completed,
    // passed or failed among them may never have reached the LMS: unless the LMS has it (or will
    // not say), this session earns it again.
    function sessionOf(statement) {
      var ext = statement.context && statement.context.extensions;
      return ext ? ext[EXT_SESSION] : undefined;
    }

    function dropOtherSessions() {
      var mine = sessionOf({ context: launch.launchData.contextTemplate || {} });
      var gone = outbox.statements.filter(function (st) { return sessionOf(st) !== mine; });
      var verdicts = gone.filter(function (st) { return VERDICT.test(st.verb.id); }).map(function (st) {
        return { verb: VERDICT.exec(st.verb.id)[1], id: st.id, left: !!outbox.tried[st.id] };
      });
      if (gone.length) outbox.remove(gone.map(function (st) { return st.id; }), true);
      return verdicts;
    }

    function earnAgain(verdicts) {
      return Promise.all(verdicts.map(function (v) {
        if (!v.left) return true; // it never left this browser
        return outbox.lookup(v.id).then(function (r) { return r.found === false; });
      })).then(function (missing) {
        var again = verdicts.filter(function (v, i) { return missing[i]; });
        again.forEach(function (v) { flags[v.verb] = false; });
        if (again.length && state === "initialized" && last.snapshot) queue({ snapshot: last.snapshot });
      });
    }

    // Defined statements are checked before a re-send (an LMS refuses a second passed even under
    // the same id, and the request with it; docs/tracking.md).
    outbox.rules.unique = isDefined;
    // After terminated nothing may be sent in this session (cmi5 §9.3.8): a reload of an ended
    // launch sends nothing, and leaves what is queued to the next launch.
    if (!s.ended) {
      var verdicts = dropOtherSessions();
      state = "initialized";
      send("initialized", au(), null, null, true);
      outbox.flush();
      earnAgain(verdicts);
      global.addEventListener("pagehide", onPageHide);
      global.document.addEventListener("visibilitychange", onVisibility);
    }

    return {
      save: function (snapshot) {
        if (state !== "initialized") return true;
        queue({ snapshot: snapshot });
        return outbox.healthy();
      },

      interaction: function (record) {
        if (state === "initialized" && launch.mode !== "review") queue({ record: record });
      },

      // §8.7: terminated, wait until its request settles, then go to returnURL when there is one.
      // The learner is not kept waiting on a slow LMS: after DRAIN_MS what is left leaves with
      // keepalive, terminated last, and the page goes (the request outlives it). Only while
      // terminated cannot leave yet (initialized unanswered) does the page wait longer.
      finish: function (snapshot) {
        if (!terminate(snapshot)) return Promise.resolve();
        // A task later: when the core calls this on pagehide, onPageHide sends everything in one
        // request with terminated first, so that no request of ours leaves beside it and arrives
        // after it.
        return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(function () {
          return outbox.drain(DRAIN_MS);
        }).then(function (settled) {
          if (settled || outbox.sendBeforeUnload()) return;
          return outbox.drain(LATE_MS);
        }).then(function () {
          var back = launch.launchData.returnURL;
          if (!back || outbox.left) return; // (left: the page is already going elsewhere)
          outbox.leave();
          global.location.assign(back);
        });
      }
    };
  };
})(window);
