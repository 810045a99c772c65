/* jmdi-local.js: the "local" adapter, for packages used without an LMS (the web target).
 * Progress is kept in this browser's localStorage under "jmdi:<course-id>", so it survives
 * reloads and later visits; nothing leaves the device. Every language of a web package uses the
 * same key (page and question ids are the same in all), and a save merges what is stored: a page
 * open in another language or tab never replaces it with less. */
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

  /* The language switch (templates/partials/languages.html): each language's link leads to the
   * page shown here, set before the link is followed, copied or hovered. */
  function follow() {
    var page = /^#\/[^/]+/.exec(location.hash);
    document.querySelectorAll("a[data-jmdi-lang]").forEach(function (link) {
      link.setAttribute("href", link.getAttribute("data-jmdi-lang") + (page ? page[0] : ""));
    });
  }
  window.addEventListener("hashchange", follow);
  ["focusin", "pointerover", "click"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target.closest && event.target.closest(".jmdi-langs")) follow();
    }, true);
  });

  window.JMDI.registerAdapter("local", function (config) {
    var key = "jmdi:" + config.course;
    var store = storage();

    function read() {
      try {
        return JSON.parse(store.getItem(key) || "null");
      } catch (e) {
        return null;
      }
    }

    function write(snapshot) {
      if (!store) return Promise.resolve(false);
      try {
        var stored = read(), kept = stored && window.JMDI.decodeState(stored.state);
        var record = {
          state: kept ? window.JMDI.encodeState(window.JMDI.mergeStates(kept, snapshot.state)) : snapshot.stateText,
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
        var record = read();
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
