/* jmdi-xapi-later.js: the later part of the xAPI adapter (jmdi-xapi.js), loaded once the first
   page has its state (docs/architecture.md; docs/standards.md §6): initialized/resumed, statements and state documents
   from the core's snapshots, answered statements, suspended/terminated. Needs
   jmdi-xapi-common-later.js (the build joins both into runtime/jmdi-xapi-later.js). */
(function (global) {
  "use strict";

  var X = global.JMDIXapi;
  var DRAIN_MS = 4000; // finish() waits this long for the LRS before letting the page go

  // `s`: the session jmdi-xapi.js started (data, launch, outbox, started, sent, last,
  // restored, STATE, stateQuery). Returns what the adapter's save, interaction and finish call.
  X.later.xapi = function (s) {
    var data = s.data, launch = s.launch, outbox = s.outbox, started = s.started;
    var sent = s.sent, last = s.last, STATE = s.STATE, stateQuery = s.stateQuery;
    var make = new X.Statements(data, launch.actor, launch.registration);
    var finished = false;
    var ops = []; // statements waiting for the question definitions, in order

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
      outbox.leave();
    }

    function onVisibility() {
      if (launch && !finished && global.document.visibilityState === "hidden") outbox.sendBeforeUnload();
    }

    // The session starts: what an earlier launch could not deliver goes first, then this one.
    send(s.restored ? "resumed" : "initialized", launch.root, null);
    outbox.flush();
    global.addEventListener("pagehide", onPageHide);
    global.document.addEventListener("visibilitychange", onVisibility);

    return {
      save: function (snapshot) {
        if (finished) return true;
        queue({ snapshot: snapshot });
        return outbox.healthy();
      },

      interaction: function (record) {
        if (!finished) queue({ record: record });
      },

      finish: function (snapshot) {
        if (!closing(snapshot)) return Promise.resolve();
        return outbox.drain(DRAIN_MS);
      }
    };
  };
})(window);
