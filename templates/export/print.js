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

  function where(element) {
    var owner = element.closest("[id]");
    return owner ? owner.id : "?";
  }

  // A display wider than the column is first set as an inline formula in display style, which
  // KaTeX breaks after its relations and operators; where that cannot fit (a wide matrix), the
  // display is set smaller until it fits: on paper nothing scrolls, and a PDF can be zoomed.
  // Reads and writes are done in rounds, so that the book is laid out a few times, not once per formula.
  function fit() {
    var wide = Array.prototype.filter.call(document.querySelectorAll("div.arithmatex"), overflowing);
    var tried = wide.filter(function (element) { return element.dataset.tex; }).map(function (element) {
      var saved = element.innerHTML;
      katex.render("\\displaystyle " + element.dataset.tex, element, { displayMode: false, throwOnError: false, output: "html" });
      element.classList.add("glossary-broken");
      return { element: element, saved: saved };
    });
    var broken = 0;
    tried.forEach(function (attempt) {
      if (overflowing(attempt.element)) {
        attempt.restore = true;
      } else {
        broken += 1;
      }
    });
    tried.forEach(function (attempt) {
      if (attempt.restore) {
        attempt.element.innerHTML = attempt.saved;
        attempt.element.classList.remove("glossary-broken");
      }
    });
    var shrinking = wide.filter(function (element) { return !element.classList.contains("glossary-broken"); });
    var scales = shrinking.map(function () { return 1; });
    for (var round = 0; round < 4; round++) {
      var ratios = shrinking.map(function (element) {
        return overflowing(element) ? (element.clientWidth / element.scrollWidth) * 0.98 : 1;
      });
      if (ratios.every(function (ratio) { return ratio === 1; })) break;
      shrinking.forEach(function (element, index) {
        if (ratios[index] < 1) {
          scales[index] *= ratios[index];
          element.style.fontSize = scales[index] + "em";
        }
      });
    }
    return {
      shrunk: shrinking.length,
      broken: broken,
      small: shrinking.filter(function (element, index) { return scales[index] < 0.6; }).map(where),
      overflowing: Array.prototype.filter.call(document.querySelectorAll("div.arithmatex"), overflowing).map(where),
    };
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
