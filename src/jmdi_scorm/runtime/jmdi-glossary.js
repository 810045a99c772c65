/* jmdi-glossary.js: a glossary term explained where it is read (issue 15).
 *
 * The core loads this file the first time a glossary link (a.jmdi-term, #/glossary/term-<id>) of a
 * page is followed, and calls JMDI.term(link) for each one after. The definition comes from the
 * glossary's own content script (content/glossary.js, through JMDI.load): it opens below the
 * line as a small non-modal dialog with a link to the full glossary, and Escape, the close button
 * or the term again close it and put the focus back on the term. Its words are attributes of the
 * glossary's list (templates/pages/glossary.html), so the launch page carries none of this.
 *
 * The core calls JMDI.shown(id) after each page it shows. Leaving a page for the glossary keeps
 * that page, its scroll position and the term last opened in sessionStorage; coming back from the
 * glossary (Back, or the return link this file puts at the top of the glossary) restores both.
 */
(function () {
  "use strict";

  var JMDI = window.JMDI;
  var KEY = "jmdi:glossary-from";
  var box = null, opener = null, last = null;

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "runtime/jmdi-glossary.css";
  document.head.appendChild(style);

  function host() {
    return document.getElementById("jmdi-page");
  }

  function terms() {
    return Array.prototype.slice.call(host().querySelectorAll("a.jmdi-term"));
  }

  function remembered() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "null");
    } catch (e) {
      return null; // storage disabled: nothing is restored
    }
  }

  function remember(value) {
    try {
      if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
      else sessionStorage.removeItem(KEY);
    } catch (e) { /* as above */ }
  }

  function close(refocus) {
    if (!box) return;
    box.remove();
    box = null;
    opener.setAttribute("aria-expanded", "false");
    if (refocus) opener.focus();
  }

  function onKey(event) {
    if (event.key === "Escape" && box) {
      event.preventDefault();
      close(true);
    }
  }

  JMDI.term = function (link) {
    var again = box && opener === link;
    close(again);
    if (again) return;
    var href = link.getAttribute("href");
    var id = decodeURIComponent(href.split("/")[2] || "");
    opener = link;
    JMDI.load("glossary").then(function (data) {
      var source = document.createElement("template");
      source.innerHTML = data.html;
      var list = source.content.querySelector("dl.jmdi-glossary");
      var term = source.content.getElementById(id);
      if (!list || !term || opener !== link || !link.isConnected) {
        if (!term) location.hash = href; // no such entry here: the glossary page says so
        return;
      }
      close(false);
      box = document.createElement("span");
      box.className = "jmdi-term-box";
      box.id = "jmdi-term-box";
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", term.textContent);
      box.tabIndex = -1;
      var name = box.appendChild(document.createElement("strong"));
      name.textContent = term.textContent;
      var text = box.appendChild(document.createElement("span"));
      Array.prototype.forEach.call(term.nextElementSibling.childNodes, function (node) {
        text.appendChild(node.cloneNode(true));
      });
      var actions = box.appendChild(document.createElement("span"));
      actions.className = "jmdi-term-actions";
      // interface words inside course text: the interface's language and direction
      actions.lang = document.documentElement.lang;
      actions.dir = document.documentElement.dir;
      var full = actions.appendChild(document.createElement("a"));
      full.href = href;
      full.textContent = list.getAttribute("data-full");
      var shut = actions.appendChild(document.createElement("button"));
      shut.type = "button";
      shut.className = "jmdi-btn";
      shut.textContent = list.getAttribute("data-close");
      shut.addEventListener("click", function () { close(true); });
      link.setAttribute("aria-expanded", "true");
      link.setAttribute("aria-controls", box.id);
      link.after(box);
      box.focus({ preventScroll: true });
      if (box.getBoundingClientRect().bottom > innerHeight) box.scrollIntoView({ block: "nearest" });
    }, function () {
      location.hash = href; // the glossary could not be had: its page tries again
    });
  };

  // Leaving a page for the glossary: keep where the learner was. popstate comes with the new URL
  // before hashchange, on which the core shows the next page (by then the page left is gone).
  window.addEventListener("popstate", function () {
    var from = host().getAttribute("data-page");
    if (!/^#\/glossary(\/|$)/.test(location.hash) || !from || from === "glossary") return;
    remember({ page: from, y: Math.round(scrollY), term: terms().indexOf(opener) });
  });

  document.addEventListener("keydown", onKey);

  JMDI.shown = function (id) {
    if (box && !box.isConnected) box = null;
    var from = remembered();
    var back = last === "glossary";
    last = id;
    if (!from) return;
    if (id === "glossary") {
      // A way back to the page the learner came from, named as the contents name it.
      var entry = document.querySelector('#jmdi-toc a[href="#/' + from.page + '"]');
      var list = host().querySelector("dl.jmdi-glossary");
      if (!entry || !list) return;
      var p = document.createElement("p");
      var a = p.appendChild(document.createElement("a"));
      a.className = "jmdi-btn";
      a.href = "#/" + from.page;
      // the page's title isolated in the sentence (<bdi>), whatever its language's direction
      var words = list.getAttribute("data-back").split("{page}");
      var title = document.createElement("bdi");
      title.textContent = entry.firstChild.textContent.trim();
      // in one <span>: the button is a flex box, whose items would not wrap as one line
      a.appendChild(document.createElement("span")).append(words[0], title, words[1] || "");
      var heading = host().querySelector("h1");
      if (heading) heading.after(p);
      return;
    }
    if (back && from.page === id) {
      window.scrollTo(0, from.y);
      var term = terms()[from.term];
      if (term) term.focus({ preventScroll: true });
    }
    remember(null);
  };
})();
