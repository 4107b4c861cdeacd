// "Copy LaTeX" on every display formula. The math itself is typeset when the site is built; this
// script only shows the buttons the build put beside each formula (hidden until now, so a page read
// without JavaScript shows none) and copies the TeX that KaTeX keeps in the formula's MathML.
(function () {
  "use strict";

  var status = null;

  function announce(text) {
    if (!status) {
      status = document.createElement("div");
      status.className = "md-visually-hidden";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function fallbackCopy(text) {
    // Pages opened over plain http from another machine have no navigator.clipboard.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    area.setSelectionRange(0, text.length);
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function source(button) {
    var math = button.closest(".glossary-math");
    var annotation = math && math.querySelector('annotation[encoding="application/x-tex"]');
    // The build adds \allowbreak where a long formula may wrap on the page; a copy does not need it.
    return annotation ? annotation.textContent.replace(/\s*\\allowbreak\s*/g, " ").trim() : "";
  }

  function setUp(button) {
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      var tex = source(button);
      if (!tex) return;
      copy(tex).then(function () {
        button.classList.add("is-copied");
        announce(button.getAttribute("data-copied"));
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { button.classList.remove("is-copied"); }, 1800);
      }, function () {
        button.classList.remove("is-copied");
      });
    });
  }

  // A printed page shows every derivation: closed ones open for the print and close again after.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll(".md-content details"), function (d) {
      return !d.open;
    });
    openedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });

  function start() {
    document.querySelectorAll("button.glossary-copy").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
