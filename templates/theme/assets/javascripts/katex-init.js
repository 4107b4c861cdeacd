// Typesets the math that pymdownx.arithmatex (generic mode) leaves as \( … \) and \[ … \].
(function () {
  function typeset(root) {
    root.querySelectorAll(".arithmatex").forEach(function (element) {
      if (element.dataset.typeset) return;
      var source = element.textContent.trim();
      var display = source.indexOf("\\[") === 0;
      if (display || source.indexOf("\\(") === 0) source = source.slice(2, -2);
      katex.render(source, element, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
      element.dataset.typeset = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document); });
  } else {
    typeset(document);
  }
})();
