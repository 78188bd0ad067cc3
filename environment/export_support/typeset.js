#!/usr/bin/env node
// Typesets the TeX in an nbconvert HTML page to SVG with MathJax 3 (npm mathjax-full), offline.
// Usage: node typeset.js IN.html OUT.html
// Math is looked for as Jupyter does ($...$, $$...$$, \(...\), \[...\], \begin{env}...\end{env})
// in markdown cells, markdown and LaTeX outputs; never in code, other outputs or scripts.
// Prints to stderr "typeset: N equations, E errors" and exits 3 if a TeX error was found.
'use strict';
const fs = require('fs');
const path = require('path');
const here = path.join(__dirname, 'node_modules');
const req = (m) => require(path.join(here, m));

const {mathjax} = req('mathjax-full/js/mathjax.js');
const {TeX} = req('mathjax-full/js/input/tex.js');
const {SVG} = req('mathjax-full/js/output/svg.js');
const {liteAdaptor} = req('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = req('mathjax-full/js/handlers/html.js');
const {AllPackages} = req('mathjax-full/js/input/tex/AllPackages.js');

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node typeset.js IN.html OUT.html');
  process.exit(2);
}
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);

const tex = new TeX({
  packages: AllPackages.filter((p) => p !== 'bussproofs'),
  inlineMath: [['$', '$'], ['\\(', '\\)']],
  displayMath: [['$$', '$$'], ['\\[', '\\]']],
  processEscapes: true,
  processEnvironments: true,
});
const svg = new SVG({fontCache: 'global'});
const doc = mathjax.document(fs.readFileSync(input, 'utf8'), {
  InputJax: tex,
  OutputJax: svg,
  ignoreHtmlClass: 'tex2jax_ignore|jp-InputArea|jp-OutputArea-output',
  processHtmlClass: 'tex2jax_process|jp-RenderedMarkdown|jp-RenderedLatex|jp-MarkdownOutput',
});
doc.render();

let count = 0;
let errors = 0;
for (const item of doc.math) {
  count++;
  const root = item.root;
  if (root && root.toString().includes('merror')) {
    errors++;
    console.error('typeset: TeX error in: ' + String(item.math).slice(0, 200));
  }
}
const html = adaptor.doctype(doc.document) + '\n' + adaptor.outerHTML(adaptor.root(doc.document)) + '\n';
fs.writeFileSync(output, html);
console.error(`typeset: ${count} equations, ${errors} errors`);
process.exit(errors ? 3 : 0);
