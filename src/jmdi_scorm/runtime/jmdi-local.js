/* jmdi-local.js: the "local" adapter, for packages used without an LMS (the web target).
 * Progress is kept in this browser's localStorage under "jmdi:<course-id>", so it survives
 * reloads and later visits; nothing leaves the device. */
(function () {
  "use strict";

  function storage() {
    try {
      var store = window.localStorage;
      store.setItem("jmdi:probe", "1");
      store.removeItem("jmdi:probe");
      return store;
    } catch (e) {
      return null; // disabled, private mode or an opaque origin
    }
  }

  window.JMDI.registerAdapter("local", function (config) {
    var key = "jmdi:" + config.course;
    var store = storage();

    function write(snapshot) {
      if (!store) return Promise.resolve(false);
      try {
        var record = {
          state: snapshot.stateText,
          completion: snapshot.completion,
          success: snapshot.success,
          score: snapshot.score,
          saved: new Date().toISOString(),
        };
        store.setItem(key, JSON.stringify(record));
        return Promise.resolve(true);
      } catch (e) {
        return Promise.resolve(false); // quota exceeded
      }
    }

    return {
      start: function () {
        if (!store) return Promise.resolve({ state: null, mode: "normal", notice: config.strings.local_unavailable });
        var record = null;
        try {
          record = JSON.parse(store.getItem(key) || "null");
        } catch (e) {
          record = null;
        }
        var state = record && window.JMDI.decodeState(record.state);
        return Promise.resolve({ state: state, mode: "normal" });
      },
      save: write,
      interaction: function () {},
      finish: function (snapshot) {
        return write(snapshot).then(function () {});
      },
    };
  });
})();
