// Renders TeX to HTML with KaTeX for the site build; started by glossary/render/katex.py.
//
// Usage: node katex_render.js <folder holding katex.js>
// Reads one JSON request per line on stdin: {"items": [{"tex": "...", "display": true}, ...]}
// and answers each with one JSON line on stdout:
// {"results": [{"html": "..."} | {"error": "..."}, ...], "warnings": ["..."]}
// The process lives for one build, so KaTeX is loaded once however many pages ask.
"use strict";

const path = require("path");
const readline = require("readline");

const katex = require(path.resolve(process.argv[2], "katex.js"));

function render(item, warnings) {
  try {
    const html = katex.renderToString(String(item.tex), {
      displayMode: Boolean(item.display),
      output: "htmlAndMathml",
      throwOnError: true,
      trust: false,
      // Anything KaTeX would only warn about is reported back, so that a strict build stops on it.
      strict: (code, message) => {
        warnings.push(`${code}: ${message} in ${JSON.stringify(String(item.tex).slice(0, 120))}`);
        return "ignore";
      },
    });
    return { html };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  let reply;
  try {
    const request = JSON.parse(line);
    const warnings = [];
    const results = (request.items || []).map((item) => render(item, warnings));
    reply = { results, warnings };
  } catch (error) {
    reply = { failure: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
