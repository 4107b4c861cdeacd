// Prepares the printed glossary in Chromium before it is printed: typesets the math with KaTeX
// (what is already typeset is left alone), fits wide formulas to the column and fills in page numbers.
(function () {
  function typeset() {
    var formulas = 0, errors = [];
    document.querySelectorAll(".arithmatex").forEach(function (element) {
      if (element.querySelector(".katex")) return;
      var source = element.textContent.trim();
      var display = source.indexOf("\\[") === 0;
      if (display || source.indexOf("\\(") === 0) source = source.slice(2, -2);
      try {
        katex.render(source, element, { displayMode: display, throwOnError: true, output: "html" });
      } catch (error) {
        errors.push(String(error.message || error).split("\n")[0]);
        katex.render(source, element, { displayMode: display, throwOnError: false, output: "html" });
      }
      element.dataset.tex = source;
      formulas += 1;
    });
    return { formulas: formulas, errors: errors };
  }

  function overflowing(element) {
    return element.scrollWidth > element.clientWidth + 1;
  }

  // A display wider than the column is first set as an inline formula in display style, which
  // KaTeX breaks after its relations and operators; where that cannot fit (a wide matrix), the
  // display is set smaller until it fits: on paper nothing scrolls, and a PDF can be zoomed.
  function fit() {
    var shrunk = 0, broken = 0, small = [];
    document.querySelectorAll("div.arithmatex").forEach(function (element) {
      if (!overflowing(element)) return;
      var tex = element.dataset.tex;
      if (tex) {
        var saved = element.innerHTML;
        katex.render("\\displaystyle " + tex, element, { displayMode: false, throwOnError: false, output: "html" });
        element.classList.add("glossary-broken");
        if (!overflowing(element)) {
          broken += 1;
          return;
        }
        element.innerHTML = saved;
        element.classList.remove("glossary-broken");
      }
      var scale = 1;
      for (var i = 0; i < 4 && overflowing(element); i++) {
        scale *= (element.clientWidth / element.scrollWidth) * 0.98;
        element.style.fontSize = scale + "em";
      }
      shrunk += 1;
      if (scale < 0.6) small.push(element.closest("[id]") ? element.closest("[id]").id : "?");
    });
    var still = [];
    document.querySelectorAll("div.arithmatex").forEach(function (element) {
      if (overflowing(element)) still.push(element.closest("[id]") ? element.closest("[id]").id : "?");
    });
    return { shrunk: shrunk, broken: broken, small: small, overflowing: still };
  }

  function number(pages) {
    var missing = [];
    document.querySelectorAll(".contents__page").forEach(function (element) {
      var page = pages[element.dataset.for];
      if (page === undefined) missing.push(element.dataset.for);
      element.textContent = page === undefined ? "" : String(page);
    });
    return missing;
  }

  window.glossaryPrint = { typeset: typeset, fit: fit, number: number };
})();
