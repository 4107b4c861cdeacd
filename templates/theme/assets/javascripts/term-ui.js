// The term index in the page: term results above Material's full-text results in the search
// box, a language badge and filter on those results, and previews of linked terms.
// Everything comes from assets/glossary/terms.json on this site; nothing leaves it.
(function () {
  "use strict";
  var Search = window.GlossaryTermSearch;
  if (!Search || !window.fetch) return;

  var lang = document.documentElement.lang === "en" ? "en" : "ko";
  var other = lang === "ko" ? "en" : "ko";
  var base = ".";
  try {
    base = JSON.parse(document.getElementById("__config").textContent).base || ".";
  } catch (error) {
    base = ".";
  }
  var root = new URL(base.replace(/\/?$/, "/"), location.href);
  var loading = null;

  function load() {
    if (!loading) {
      loading = fetch(new URL("assets/glossary/terms.json", root))
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (index) {
          return Search.prepare(index);
        });
      loading.catch(function () {
        return null;
      });
    }
    return loading;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function words(prepared) {
    return (prepared && prepared.index.ui && prepared.index.ui[lang]) || {};
  }

  // -- search box ------------------------------------------------------------------------------

  function languageOf(href) {
    var path = new URL(href, location.href).pathname;
    var start = root.pathname;
    var relative = path.indexOf(start) === 0 ? path.slice(start.length) : path;
    return relative.indexOf("en/") === 0 ? "en" : "ko";
  }

  function resultItem(result, ui) {
    var doc = result.doc;
    var item = element("li", "md-search-result__item gl-terms__item");
    item.dataset.lang = lang;
    item.dataset.term = doc.id;
    var link = element("a", "md-search-result__link");
    link.href = new URL(doc.url[lang], root).href;
    link.tabIndex = -1;
    var article = element("article", "md-search-result__article md-typeset");
    // Material's Enter key opens the result with the highest score: the best term.
    article.setAttribute("data-md-score", String(1e6 + result.score));
    article.appendChild(element("div", "md-search-result__icon md-icon"));
    var title = element("h1");
    title.appendChild(document.createTextNode(doc.title[lang] + " "));
    if (doc.title[other] !== doc.title[lang]) title.appendChild(element("small", null, doc.title[other]));
    title.appendChild(element("span", "gl-badge", ui[doc.kind] || doc.kind));
    article.appendChild(title);
    if (doc.parent) article.appendChild(element("p", "gl-terms__parent", doc.parent[lang] + " ›"));
    if (
      result.matched &&
      result.matched.toLowerCase() !== doc.title.ko.toLowerCase() &&
      result.matched.toLowerCase() !== doc.title.en.toLowerCase()
    ) {
      article.appendChild(element("p", "gl-terms__matched", (ui.matched || "") + ": " + result.matched));
    }
    if (doc.summary && doc.summary[lang]) article.appendChild(element("p", "gl-terms__summary", doc.summary[lang]));
    link.appendChild(article);
    item.appendChild(link);
    return item;
  }

  function setupSearch() {
    var input = document.querySelector("input.md-search__input");
    var result = document.querySelector('[data-md-component="search-result"]');
    if (!input || !result) return;
    var list = result.querySelector(".md-search-result__list");
    // Between Material's count and its list: Material finds those two as its first and last child.
    var section = element("div", "gl-terms");
    section.hidden = true;
    var bar = element("div", "gl-terms__bar");
    var heading = element("span", "gl-terms__heading");
    var filter = element("button", "gl-terms__filter");
    filter.type = "button";
    bar.appendChild(heading);
    bar.appendChild(filter);
    var terms = element("ol", "gl-terms__list");
    terms.setAttribute("role", "presentation");
    section.appendChild(bar);
    section.appendChild(terms);
    result.insertBefore(section, list);

    var stored = null;
    try {
      stored = localStorage.getItem("glossary.search.language");
    } catch (error) {
      stored = null;
    }
    function setFilter(only) {
      filter.setAttribute("aria-pressed", only ? "true" : "false");
      if (only) result.setAttribute("data-gl-only", lang);
      else result.removeAttribute("data-gl-only");
      try {
        localStorage.setItem("glossary.search.language", only ? lang : "");
      } catch (error) {
        /* private mode: the choice lasts for this page */
      }
    }
    setFilter(stored === lang);
    filter.addEventListener("click", function () {
      setFilter(filter.getAttribute("aria-pressed") !== "true");
    });

    // Material's own results: each marked with its language.
    function mark() {
      list.querySelectorAll(":scope > .md-search-result__item:not([data-lang])").forEach(function (item) {
        var link = item.querySelector("a[href]");
        if (!link) return;
        var language = languageOf(link.getAttribute("href"));
        item.dataset.lang = language;
        var title = item.querySelector("h1, h2");
        if (title) title.appendChild(element("span", "gl-lang", language === "ko" ? "KO" : "EN"));
      });
    }
    new MutationObserver(mark).observe(list, { childList: true });

    var shown = "";
    function render(prepared) {
      var query = input.value;
      if (!prepared) {
        // No index (opened from the disk, or a failed request): Material's results stand alone.
        section.hidden = true;
        section.dataset.query = query;
        return;
      }
      var ui = words(prepared);
      heading.textContent = ui.heading || "";
      filter.textContent = ui.only_language || "";
      terms.textContent = "";
      var found = query.trim() ? Search.search(prepared, query, lang) : [];
      found.forEach(function (r) {
        terms.appendChild(resultItem(r, ui));
      });
      heading.hidden = !found.length;
      section.hidden = !query.trim();
      section.dataset.query = query;
      section.dataset.count = String(found.length);
      shown = query;
    }
    function update() {
      var query = input.value;
      if (!query.trim()) {
        section.hidden = true;
        terms.textContent = "";
        section.dataset.query = query;
        section.dataset.count = "0";
        shown = query;
        return;
      }
      load().then(
        function (prepared) {
          if (input.value === query) render(prepared);
        },
        function () {
          render(null);
        }
      );
    }
    input.addEventListener("input", update);
    input.addEventListener("keyup", function () {
      if (input.value !== shown) update();
    });
    input.addEventListener("focus", load);
    if (input.form) {
      input.form.addEventListener("reset", function () {
        setTimeout(update, 0);
      });
    }
    if (input.value) update();
  }

  // -- previews of linked terms ---------------------------------------------------------------

  var ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M11 7h2v2h-2zm0 4h2v6h-2zm1-9a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16z"/></svg>';

  function setupPreviews() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".md-typeset a.glossary-term[data-term]"));
    if (!links.length) return;
    var popover = element("div", "gl-preview md-typeset");
    popover.id = "gl-preview";
    popover.hidden = true;
    document.body.appendChild(popover);
    var current = null; // {link, button, pinned}
    var hideTimer = null;
    var showTimer = null;

    function place(link) {
      var rect = link.getBoundingClientRect();
      var width = Math.min(360, document.documentElement.clientWidth - 16);
      popover.style.width = width + "px";
      var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
      popover.style.left = left + window.scrollX + "px";
      popover.style.top = rect.bottom + window.scrollY + 6 + "px";
    }

    function fill(prepared, link, pinned) {
      var doc = prepared && prepared.byId[link.dataset.term];
      var ui = words(prepared);
      popover.textContent = "";
      if (!doc) {
        popover.appendChild(element("p", "gl-preview__summary", link.textContent));
        return;
      }
      var title = element("p", "gl-preview__title");
      title.appendChild(element("strong", null, doc.title[lang]));
      if (doc.title[other] !== doc.title[lang]) {
        title.appendChild(document.createTextNode(" "));
        title.appendChild(element("small", null, doc.title[other]));
      }
      popover.appendChild(title);
      if (doc.parent) popover.appendChild(element("p", "gl-preview__parent", doc.parent[lang] + " ›"));
      popover.appendChild(element("p", "gl-preview__summary", doc.summary[lang]));
      if (pinned) {
        var open = element("a", "gl-preview__open", (ui.open || "") + " →");
        open.href = link.href;
        popover.appendChild(open);
      }
      popover.setAttribute("aria-label", doc.title[lang]);
    }

    function show(link, button, pinned) {
      clearTimeout(hideTimer);
      if (current && current.link !== link) hide(false);
      current = { link: link, button: button, pinned: pinned };
      popover.setAttribute("role", pinned ? "dialog" : "tooltip");
      if (!pinned) link.setAttribute("aria-describedby", popover.id);
      button.setAttribute("aria-expanded", pinned ? "true" : "false");
      popover.hidden = false;
      popover.dataset.term = link.dataset.term;
      fill(null, link, pinned);
      place(link);
      load().then(function (prepared) {
        if (current && current.link === link) {
          fill(prepared, link, pinned);
          place(link);
        }
      });
    }

    function hide(returnFocus) {
      clearTimeout(showTimer);
      if (!current) return;
      var closing = current;
      current = null;
      popover.hidden = true;
      delete popover.dataset.term;
      closing.link.removeAttribute("aria-describedby");
      closing.button.setAttribute("aria-expanded", "false");
      if (returnFocus && closing.pinned) closing.button.focus();
    }

    function later(action, delay) {
      return setTimeout(action, delay);
    }

    links.forEach(function (link) {
      var button = element("button", "gl-preview-toggle");
      button.type = "button";
      button.innerHTML = ICON;
      button.setAttribute("aria-controls", popover.id);
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", link.textContent);
      link.insertAdjacentElement("afterend", button);
      load().then(function (prepared) {
        var preview = words(prepared).preview;
        if (preview) button.setAttribute("aria-label", preview + ": " + link.textContent);
      }, function () {});
      link.addEventListener("mouseenter", function () {
        clearTimeout(showTimer);
        clearTimeout(hideTimer);
        if (current && current.pinned) return;
        showTimer = later(function () {
          show(link, button, false);
        }, 250);
      });
      link.addEventListener("mouseleave", function () {
        clearTimeout(showTimer);
        if (current && !current.pinned) hideTimer = later(function () { hide(false); }, 200);
      });
      link.addEventListener("focus", function () {
        if (!(current && current.pinned)) show(link, button, false);
      });
      link.addEventListener("blur", function () {
        if (current && !current.pinned && current.link === link) hide(false);
      });
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        if (current && current.pinned && current.link === link) hide(true);
        else show(link, button, true);
      });
    });
    popover.addEventListener("mouseenter", function () {
      clearTimeout(hideTimer);
    });
    popover.addEventListener("mouseleave", function () {
      if (current && !current.pinned) hideTimer = later(function () { hide(false); }, 200);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && current) hide(true);
    });
    document.addEventListener("click", function (event) {
      if (current && current.pinned && !popover.contains(event.target)) hide(false);
    });
    window.addEventListener("resize", function () {
      if (current) place(current.link);
    });
    // Warm the index while the reader reads, so the first hover answers at once.
    if (window.requestIdleCallback) window.requestIdleCallback(load);
    else setTimeout(load, 200);
  }

  function start() {
    setupSearch();
    setupPreviews();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
