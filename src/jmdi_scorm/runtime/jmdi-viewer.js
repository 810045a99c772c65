/* jmdi-viewer.js: the figure viewer (issue 15). The core loads it the first time a learner opens
 * a figure (a.jmdi-zoom around the figure's image, render/markdown_html.py) and calls
 * JMDI.view(link). A native modal <dialog> (the page behind is inert, Esc closes it) shows the
 * image at its own size, zoom buttons (and +, -, pinch, ctrl+wheel), panning by dragging and by
 * scrolling (the stage is a focusable scroll area: arrow keys too), the caption and the alt text.
 * It shows the image the page shows (a figure's narrow layout on narrow screens: the <picture>
 * of render/markdown_html.py). Closing gives focus back to the figure's link. Its rules are
 * jmdi-viewer.css, loaded here. The build writes the interface strings of the package's language
 * in for VIEWER_STRINGS. */
(function () {
  "use strict";

  var S = VIEWER_STRINGS;
  var SVG = "http://www.w3.org/2000/svg";
  var MAX = 8, STEP = 1.25; // zoomed out, the whole figure fits the stage (or is at its own size)
  var style = null;
  var dialog, stage, img, caption, description, zoomOut, zoomIn, close, level, link, pointers, pinch;
  var scale = 1, fit = 1;

  function el(tag, attrs, parent) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  /* A button named by its label, showing a symbol: text, or an SVG path (24 × 24). */
  function button(parent, cls, label, symbol, action) {
    var b = el("button", { type: "button", class: "jmdi-btn " + cls, "aria-label": label, title: label }, parent);
    if (symbol.charAt(0) === "M") {
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", "0 0 24 24");
      svg.setAttribute("aria-hidden", "true");
      var path = svg.appendChild(document.createElementNS(SVG, "path"));
      path.setAttribute("d", symbol);
      b.appendChild(svg);
    } else el("span", { "aria-hidden": "true", text: symbol }, b);
    b.addEventListener("click", action);
    return b;
  }

  function stylesheet() {
    if (!style) {
      style = new Promise(function (resolve) {
        var node = el("link", { rel: "stylesheet", href: "runtime/jmdi-viewer.css" });
        node.onload = node.onerror = resolve; // unstyled, the dialog still works
        document.head.appendChild(node);
      });
    }
    return style;
  }

  function build() {
    dialog = el("dialog", { class: "jmdi-viewer", "aria-labelledby": "jmdi-viewer-caption" }, document.body);
    var bar = el("div", { class: "jmdi-viewer-bar" }, dialog);
    zoomOut = button(bar, "", S.viewer_zoom_out, "\u2212", function () { zoomBy(1 / STEP); });
    level = el("output", { class: "jmdi-viewer-level", "aria-live": "polite" }, bar);
    zoomIn = button(bar, "", S.viewer_zoom_in, "+", function () { zoomBy(STEP); });
    // Fit: four corners; actual size: 1:1, drawn (a text would have to be the button's name).
    button(bar, "", S.viewer_fit, "M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5", function () { zoomTo(fit); });
    button(bar, "", S.viewer_actual, "M5 8l2-2v12M12 9.5v.01M12 14.5v.01M17 8l2-2v12", function () { zoomTo(1); });
    close = button(bar, "jmdi-viewer-close", S.viewer_close, "\u00d7", function () { dialog.close(); });
    stage = el("div", { class: "jmdi-viewer-stage", tabindex: "0", role: "region", "aria-label": S.viewer_image }, dialog);
    img = el("img", { alt: "", draggable: "false" }, stage);
    // Caption and description may be longer than their place: a focusable region, to scroll by keyboard.
    var text = el("div", { class: "jmdi-viewer-text", tabindex: "0", role: "region", "aria-label": S.viewer_description }, dialog);
    caption = el("p", { id: "jmdi-viewer-caption", class: "jmdi-viewer-caption" }, text);
    description = el("p", { class: "jmdi-viewer-alt" }, text);
    dialog.addEventListener("close", function () {
      img.removeAttribute("src");
      if (link && link.isConnected) link.focus();
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.target.tagName === "BUTTON" && (event.key === " " || event.key === "Enter")) return;
      if (event.key === "+" || event.key === "=") zoomBy(STEP);
      else if (event.key === "-") zoomBy(1 / STEP);
      else return;
      event.preventDefault();
    });
    stage.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return; // a plain wheel scrolls the stage; ctrl+wheel and trackpad pinches zoom
      event.preventDefault();
      zoomBy(Math.exp(-event.deltaY / 200), event);
    }, { passive: false });
    pointers = {};
    stage.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0) return;
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      stage.setPointerCapture(event.pointerId);
      pinch = null;
    });
    stage.addEventListener("pointermove", function (event) {
      var last = pointers[event.pointerId];
      if (!last) return;
      var ids = Object.keys(pointers);
      if (ids.length === 1) {
        stage.scrollLeft -= event.clientX - last.x;
        stage.scrollTop -= event.clientY - last.y;
      }
      last.x = event.clientX;
      last.y = event.clientY;
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var distance = Math.hypot(a.x - b.x, a.y - b.y);
        var centre = { clientX: (a.x + b.x) / 2, clientY: (a.y + b.y) / 2 };
        if (pinch) zoomBy(distance / pinch, centre);
        pinch = distance;
      }
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      stage.addEventListener(type, function (event) {
        delete pointers[event.pointerId];
        pinch = null;
      });
    });
  }

  function natural() {
    return { w: img.naturalWidth || img.width || 1, h: img.naturalHeight || img.height || 1 };
  }

  /* The image is laid out at its scaled size, so the stage scrolls over it natively. The point
   * under the pointer (or the stage's centre) stays where it is. */
  function zoomTo(value, at) {
    value = Math.min(MAX, Math.max(fit, value));
    var box = stage.getBoundingClientRect();
    var x = at ? at.clientX - box.left : box.width / 2;
    var y = at ? at.clientY - box.top : box.height / 2;
    var ratio = value / scale;
    var left = (stage.scrollLeft + x) * ratio - x;
    var top = (stage.scrollTop + y) * ratio - y;
    scale = value;
    var size = natural();
    img.style.width = Math.round(size.w * scale) + "px";
    img.style.height = Math.round(size.h * scale) + "px";
    stage.scrollLeft = left;
    stage.scrollTop = top;
    level.textContent = S.percent.replace("{pct}", Math.round(scale * 100));
    dialog.setAttribute("data-scale", String(scale));
    zoomIn.disabled = scale >= MAX;
    zoomOut.disabled = scale <= fit;
  }

  function zoomBy(factor, at) {
    zoomTo(scale * factor, at);
  }

  function show(source) {
    var figureImg = source.querySelector("img");
    var figure = source.closest("figure");
    var captionNode = figure && figure.querySelector("figcaption");
    link = source;
    if (!dialog) build();
    caption.textContent = captionNode ? captionNode.textContent : figureImg.alt;
    description.textContent = "";
    if (figureImg.alt && captionNode) {
      el("strong", { text: S.viewer_description + ": " }, description);
      description.appendChild(document.createTextNode(figureImg.alt));
    }
    description.hidden = !description.firstChild;
    img.alt = figureImg.alt;
    scale = 1;
    fit = 1;
    img.style.width = img.style.height = "";
    dialog.showModal();
    close.focus();
    var ready = function () {
      var size = natural();
      fit = Math.min(1, stage.clientWidth / size.w, stage.clientHeight / size.h);
      zoomTo(1);
      stage.scrollLeft = stage.scrollTop = 0;
    };
    img.onload = ready;
    // The layout the page shows: a figure's narrow layout on a phone (its <picture>), else the file.
    img.src = figureImg.currentSrc || source.getAttribute("href");
    if (img.complete && img.naturalWidth) ready();
  }

  window.JMDI.view = function (source) {
    return stylesheet().then(function () { show(source); });
  };
})();
