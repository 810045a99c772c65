/* live.js: the preview's side inside the course frame (the preview adds it to the launch page it
 * serves; packages never carry it). When the debug page says which pages a rebuild changed
 * ({jmdiPreview: "pages", pages: [...], build: n, content: {id: data}}), the new content of those
 * pages goes to the core's cache: handed to JMDI.page() as it came (the data a content script
 * hands it, sent with the status: no request), or by loading the page's content script again.
 * A page visited earlier shows the new content next time, and the page the learner is on is
 * shown again in place, at the same scroll position, without reloading the launch page (the LMS
 * session and the state go on). */
(function () {
  "use strict";

  function reload(id, build) {
    return new Promise(function (resolve) {
      var script = document.createElement("script");
      script.src = "content/" + encodeURIComponent(id) + ".js?preview-build=" + build;
      script.onload = script.onerror = function () { script.remove(); resolve(); };
      document.head.appendChild(script);
    });
  }

  function renew(id, data, build) {
    if (data && data.id === id) {
      window.JMDI.page(data);
      return Promise.resolve();
    }
    return reload(id, build);
  }

  function showAgain(x, y) {
    // The core routes on hashchange: it shows the current page from its cache, now the new one.
    window.dispatchEvent(new HashChangeEvent("hashchange", { oldURL: location.href, newURL: location.href }));
    var restore = function () { window.scrollTo(x, y); };
    Promise.resolve().then(restore); // after the core's render, queued before it, and before a paint
    requestAnimationFrame(restore);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.jmdiPreview !== "pages" || !window.JMDI) return;
    var host = document.getElementById("jmdi-page");
    var current = host && host.getAttribute("data-page");
    var x = window.scrollX, y = window.scrollY;
    var content = data.content || {};
    Promise.all(data.pages.map(function (id) { return renew(id, content[id], data.build); })).then(function () {
      if (current && data.pages.indexOf(current) >= 0) showAgain(x, y);
      window.parent.postMessage({ jmdiPreview: "shown", build: data.build, page: current }, "*");
    });
  });
})();
