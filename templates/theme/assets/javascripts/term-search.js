// Korean-aware matching of the glossary's term index (assets/glossary/terms.json).
//
// Pure functions, shared by the search box (term-ui.js) and the tests, which run this file
// under Node. A query and every name are compared after the same normalisation:
//   - compatibility characters folded (x² → x2), Latin lower-cased, British -ise → -ize;
//   - spaces, hyphens, middle dots, apostrophes and brackets removed (경사 하강법 = 경사하강법,
//     one-hot = one hot = onehot);
//   - 사이시옷 before 값 dropped (고윳값 = 고유값, 특잇값 = 특이값);
//   - other spellings of the same word replaced by the glossary's (그래디언트 → 기울기,
//     크로스 → 교차), from the index's "equivalents";
//   - Hangul compared letter by letter (jamo), so that a syllable still being typed
//     (하강버 on the way to 하강법) already matches.
// A query is also tried without a trailing particle (역전파는, 고윳값이란), without an English
// plural (eigenvectors), as initial consonants (ㄱㅅㅎㄱㅂ) and as Korean typed with the
// keyboard left in English (durwjsvk = 역전파).
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.GlossaryTermSearch = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var S_BASE = 0xac00;
  var S_LAST = 0xd7a3;
  var INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
  // Vowels and final consonants as the keys that type them (ㅘ = ㅗ + ㅏ, ㄺ = ㄹ + ㄱ).
  var MEDIALS = ["ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ",
    "ㅜㅓ", "ㅜㅔ", "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ"];
  var FINALS = ["", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ", "ㄹㅌ",
    "ㄹㅍ", "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"];
  var COMPOUND_JAMO = { "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
    "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ", "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ",
    "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ" };
  // The standard Korean keyboard (두벌식): the key of each letter.
  var KEYBOARD = { q: "ㅂ", w: "ㅈ", e: "ㄷ", r: "ㄱ", t: "ㅅ", y: "ㅛ", u: "ㅕ", i: "ㅑ", o: "ㅐ", p: "ㅔ",
    a: "ㅁ", s: "ㄴ", d: "ㅇ", f: "ㄹ", g: "ㅎ", h: "ㅗ", j: "ㅓ", k: "ㅏ", l: "ㅣ", z: "ㅋ", x: "ㅌ", c: "ㅊ",
    v: "ㅍ", b: "ㅠ", n: "ㅜ", m: "ㅡ", Q: "ㅃ", W: "ㅉ", E: "ㄸ", R: "ㄲ", T: "ㅆ", O: "ㅒ", P: "ㅖ" };
  var SEPARATORS = /[\s\-‐‑–—·・∙'’‘"“”()[\]{},.:;!?/\\_]+/g;
  // Weight of a match by the kind of name it matched.
  var WEIGHTS = { name: 1, part: 0.96, variant: 0.92, abbr: 0.92, meaning: 0.5 };
  var MAX_RESULTS = 6;

  function isHangul(code) {
    return code >= S_BASE && code <= S_LAST;
  }

  function hasHangul(text) {
    return /[\uac00-\ud7a3\u3131-\u318e]/.test(text);
  }

  // NFC for Hangul (compatibility jamo must stay as typed), NFKC for everything else.
  function fold(text) {
    var out = "";
    var nfc = String(text).normalize("NFC");
    for (var i = 0; i < nfc.length; i++) {
      var ch = nfc[i];
      var code = ch.charCodeAt(0);
      out += isHangul(code) || (code >= 0x3131 && code <= 0x318e) ? ch : ch.normalize("NFKC");
    }
    return out;
  }

  function withoutSaisiot(text) {
    // 고윳값 → 고유값: a syllable closed by ㅅ before 값 (index 19 of the finals).
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (isHangul(code) && (code - S_BASE) % 28 === 19 && text[i + 1] === "값") code -= 19;
      out += String.fromCharCode(code);
    }
    return out;
  }

  function makeEquivalents(pairs) {
    var sorted = (pairs || []).slice().sort(function (a, b) { return b[0].length - a[0].length; });
    var table = {};
    sorted.forEach(function (pair) { table[pair[0]] = pair[1]; });
    if (!sorted.length) return null;
    var pattern = new RegExp(sorted.map(function (p) { return p[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "g");
    return { pattern: pattern, table: table };
  }

  // The comparable form of a name or query.
  function canonical(text, equivalents) {
    var s = fold(text).toLowerCase();
    s = s.replace(/([a-z])is(e|es|ed|ing|ation|ations)(?![a-z])/g, "$1iz$2");
    s = s.replace(SEPARATORS, "");
    s = withoutSaisiot(s);
    if (equivalents) s = s.replace(equivalents.pattern, function (m) { return equivalents.table[m]; });
    return s;
  }

  // Hangul as the keys that type it, with the positions where a character starts.
  function jamo(text) {
    var out = "";
    var starts = [];
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      var code = ch.charCodeAt(0);
      starts.push(out.length);
      if (isHangul(code)) {
        var index = code - S_BASE;
        out += INITIALS[Math.floor(index / 588)] + MEDIALS[Math.floor((index % 588) / 28)] + FINALS[index % 28];
      } else {
        out += COMPOUND_JAMO[ch] || ch;
      }
    }
    return { text: out, starts: starts };
  }

  function initialsOf(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      out += isHangul(code) ? INITIALS[Math.floor((code - S_BASE) / 588)] : text[i];
    }
    return out;
  }

  function longEnough(text) {
    return text.length >= (hasHangul(text) ? 2 : 3);
  }

  function prepareKey(text, kind, lang, equivalents) {
    var c = canonical(text, equivalents);
    var j = jamo(c);
    return { text: text, kind: kind, lang: lang, canonical: c, jamo: j.text, starts: j.starts, initials: initialsOf(c) };
  }

  // The index as loaded from terms.json, made ready for matching.
  function prepare(index) {
    var equivalents = makeEquivalents(index.equivalents);
    var particles = (index.particles || []).slice().sort(function (a, b) { return b.length - a.length; });
    var docs = index.docs.map(function (doc, position) {
      var keys = (doc.keys || []).map(function (k) { return prepareKey(k[0], k[1], k[2], equivalents); });
      var summaries = {};
      Object.keys(doc.summary || {}).forEach(function (lang) {
        summaries[lang] = canonical(doc.summary[lang], equivalents);
      });
      return { doc: doc, position: position, keys: keys, summaries: summaries,
        symbol: doc.symbol ? fold(doc.symbol).replace(/\s+/g, "") : null };
    });
    var byId = {};
    index.docs.forEach(function (doc) { byId[doc.id] = doc; });
    return { index: index, docs: docs, equivalents: equivalents, particles: particles, byId: byId };
  }

  function stripParticle(token, particles) {
    var found = [];
    for (var i = 0; i < particles.length; i++) {
      var p = particles[i];
      if (token.length > p.length && token.slice(-p.length) === p) {
        var rest = token.slice(0, -p.length);
        if (/[\uac00-\ud7a3A-Za-z0-9)\]′'²³¹⁰-⁹]$/.test(rest)) found.push(rest);
      }
    }
    return found;
  }

  // The forms of a query worth trying, each with a small penalty for what was guessed.
  function candidates(query, prepared) {
    var raw = fold(query).trim().replace(/[?!.,]+$/, "");
    var tokens = raw.split(/\s+/).filter(Boolean);
    var out = [{ text: raw, tokens: tokens, penalty: 0 }];
    if (!tokens.length) return out;
    var seen = {};
    seen[raw] = true;
    function add(list, penalty) {
      var text = list.join(" ");
      if (!seen[text]) {
        seen[text] = true;
        out.push({ text: text, tokens: list, penalty: penalty });
      }
    }
    var stripped = tokens.map(function (t) { return stripParticle(t, prepared.particles)[0] || t; });
    add(stripped, 2);
    var last = tokens[tokens.length - 1];
    stripParticle(last, prepared.particles).forEach(function (rest) {
      add(tokens.slice(0, -1).concat([rest]), 2);
    });
    var english = /^([a-z]{3,})('s|es|s)$/i.exec(last);
    if (english) {
      add(tokens.slice(0, -1).concat([english[1]]), 1);
      if (english[2] === "es") add(tokens.slice(0, -1).concat([english[1] + "e"]), 1);
    }
    return out;
  }

  function atStart(key, text) {
    // text occurs in key where a character starts (not inside a syllable), after the start.
    var from = 0;
    for (;;) {
      var i = key.jamo.indexOf(text, from);
      if (i < 0) return false;
      if (i > 0 && key.starts.indexOf(i) >= 0) return true;
      from = i + 1;
    }
  }

  // How well one (normalised) query matches one key, 0 to 100.
  function keyScore(q, qLong, key) {
    var k = key.jamo;
    if (!q || !k) return 0;
    if (k === q) return 100;
    if (k.indexOf(q) === 0) return 70 + (25 * q.length) / k.length;
    if (qLong && atStart(key, q)) return 50 + (25 * q.length) / k.length;
    if (longEnough(key.canonical) && q.indexOf(k) >= 0) return 40 + (30 * k.length) / q.length;
    return 0;
  }

  // A candidate made comparable once, before it meets every name.
  function comparable(candidate, prepared) {
    var c = canonical(candidate.text, prepared.equivalents);
    return {
      canonical: c,
      jamo: jamo(c).text,
      long: longEnough(c),
      tokens: candidate.tokens.map(function (t) { return canonical(t, prepared.equivalents); }).filter(Boolean),
      penalty: candidate.penalty
    };
  }

  function docScore(entry, query, lang) {
    var best = 0;
    var matched = null;
    var c = query.canonical;
    if (!c) return { score: 0 };
    var tokens = query.tokens;
    entry.keys.forEach(function (key) {
      var s = keyScore(query.jamo, query.long, key);
      // All words of the query inside one name, in any order (L2 규제 → L1·L2 규제).
      if (tokens.length > 1) {
        var all = tokens.every(function (t) { return key.canonical.indexOf(t) >= 0; });
        if (all) {
          var covered = tokens.reduce(function (n, t) { return n + t.length; }, 0);
          s = Math.max(s, 70 + (20 * covered) / key.canonical.length);
        }
      }
      s *= WEIGHTS[key.kind] || 0.9;
      if (s > 0 && key.lang === lang) s += 0.5;
      if (s > best) {
        best = s;
        matched = key;
      }
    });
    if (best === 0 && query.long && c.length >= (hasHangul(c) ? 2 : 4)) {
      var summary = entry.summaries[lang] || "";
      var other = entry.summaries[lang === "ko" ? "en" : "ko"] || "";
      if (summary.indexOf(c) >= 0) best = 30;
      else if (other.indexOf(c) >= 0) best = 25;
    }
    return { score: best, matched: matched };
  }

  function symbolScore(entry, symbol) {
    return entry.symbol && symbol && symbol === entry.symbol ? 100 : 0;
  }

  // What the query would be as initial consonants only (ㄱㅅㅎㄱㅂ), or as the Hangul its keys
  // type on a Korean keyboard (durwjsvk → 역전파).
  function letters(query) {
    var raw = fold(query).replace(/\s+/g, "");
    if (/^[\u3131-\u314e]{2,}$/.test(raw)) return { initials: raw };
    if (/^[A-Za-z]{3,}$/.test(raw)) {
      var typed = "";
      for (var i = 0; i < raw.length; i++) typed += KEYBOARD[raw[i]] || KEYBOARD[raw[i].toLowerCase()];
      return { typed: typed };
    }
    return null;
  }

  function letterScore(entry, form) {
    var best = 0;
    if (!form) return 0;
    entry.keys.forEach(function (key) {
      if (!hasHangul(key.canonical)) return;
      var s = 0;
      if (form.initials) {
        s = key.initials === form.initials ? 90 : key.initials.indexOf(form.initials) === 0 ? 75 : 0;
      } else if (key.jamo === form.typed) {
        s = 88;
      } else if (key.jamo.indexOf(form.typed) === 0) {
        s = 60 + (20 * form.typed.length) / key.jamo.length;
      }
      best = Math.max(best, s * (WEIGHTS[key.kind] || 0.9));
    });
    return best;
  }

  // The best terms for a query, for a page in `lang`: [{doc, score, matched}], best first.
  function search(prepared, query, lang) {
    if (!query || !String(query).trim()) return [];
    var forms = candidates(query, prepared).map(function (c) { return comparable(c, prepared); });
    var symbol = fold(query).replace(/\s+/g, "");
    var typed = letters(query);
    var results = [];
    prepared.docs.forEach(function (entry) {
      var best = 0;
      var matched = null;
      forms.forEach(function (form) {
        var r = docScore(entry, form, lang);
        var s = r.score > 0 ? r.score - form.penalty : 0;
        if (s > best) {
          best = s;
          matched = r.matched;
        }
      });
      best = Math.max(best, symbolScore(entry, symbol), letterScore(entry, typed));
      if (best > 0) {
        if (entry.doc.kind === "term") best += 1;
        results.push({ doc: entry.doc, score: best, matched: matched ? matched.text : null, position: entry.position });
      }
    });
    results.sort(function (a, b) { return b.score - a.score || a.position - b.position; });
    if (!results.length) return results;
    var floor = results[0].score * 0.5;
    return results.filter(function (r) { return r.score >= floor; }).slice(0, MAX_RESULTS);
  }

  return { prepare: prepare, search: search, canonical: canonical, candidates: candidates, jamo: jamo };
});
