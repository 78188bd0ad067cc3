#!/usr/bin/env python3
"""Exports executed notebooks to offline HTML and PDF (driver of environment/export; see its --help).

Per notebook reports/NAME.ipynb:
  1. nbconvert's HTML exporter with the template templates/fashion (nbconvert's lab template without
     require.js and MathJax from CDNs, plus print CSS); the title is the first markdown heading;
     in report mode code cells and prompts are left out.
  2. Copies of plotly.js embedded in outputs (fashion.plots.PlotlyHtml embeds it in the first figure of
     a kernel session) are removed.
  3. typeset.js (MathJax 3 from npm, under node) turns the TeX into SVG.
  4. plotly.js (npm plotly.js-cartesian-dist-min) is put once into <head>.
  5. Headless Chromium prints the HTML to reports/NAME.pdf, offline.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TEMPLATES = HERE / "templates"
NODE_MODULES = HERE / "node_modules"
PLOTLY_JS = NODE_MODULES / "plotly.js-cartesian-dist-min" / "plotly-cartesian.min.js"
TYPESET_JS = HERE / "typeset.js"
MAX_HTML_BYTES = 6 * 1024 * 1024

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    # offline: no name resolves, so nothing can leave the machine
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--run-all-compositor-stages-before-draw",
]

# A script that carries a plotly.js bundle: PlotlyHtml's (marked) or any other inlined copy.
MARKED_PLOTLY = re.compile(r'<script\b[^>]*\bdata-fashion-plotly\b[^>]*>.*?</script>\s*', re.S | re.I)
ANY_SCRIPT = re.compile(r'<script\b[^>]*>(.*?)</script>\s*', re.S | re.I)
PLOTLY_HEADER = re.compile(r'\A\s*(?:\(function[^\n]*\n)?(?:if[^\n]*\n)?/\*\*?\s*\n?\s*\*\s*plotly\.js\b')
HEADING = re.compile(r'^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$')


def log(msg):
    print(f"export: {msg}", file=sys.stderr, flush=True)


def die(msg, code=1):
    log(f"ERROR: {msg}")
    sys.exit(code)


def notebook_title(nb, fallback):
    """The text of the first markdown heading, without markdown markup."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            m = None if fenced else HEADING.match(line)
            if m:
                t = m.group(2)
                t = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', t)   # links, images
                t = re.sub(r'<[^>]+>', '', t)                      # inline html
                t = re.sub(r'(\*\*|__|\*|_|`)(.+?)\1', r'\2', t)   # emphasis, code
                t = t.strip()
                if t:
                    return t
    return fallback


def resolve(arg):
    """reports/X.ipynb for notebooks/X.ipynb, reports/X.ipynb, X.ipynb under reports/ or any path."""
    p = Path(arg)
    if not p.is_absolute():
        p = (Path.cwd() / p)
    p = p.resolve()
    notebooks, reports = ROOT / "notebooks", ROOT / "reports"
    try:
        rel = p.relative_to(notebooks)
        return reports / rel
    except ValueError:
        pass
    if not p.exists() and not Path(arg).is_absolute():
        for cand in (reports / arg, ROOT / arg):
            if cand.exists():
                return cand.resolve()
    return p


def strip_plotly(html):
    """Removes every inlined plotly.js bundle; returns (html, count)."""
    html, n = MARKED_PLOTLY.subn("", html)

    def other(m):
        body = m.group(1)
        if len(body) > 200_000 and PLOTLY_HEADER.search(body[:600]):
            other.count += 1
            return ""
        return m.group(0)
    other.count = 0
    html = ANY_SCRIPT.sub(other, html)
    return html, n + other.count


def plotly_head_script():
    js = PLOTLY_JS.read_text(encoding="utf-8")
    if "</script" in js.lower():
        die(f"{PLOTLY_JS} contains </script>")
    version = re.search(r'plotly\.js[^\n]*?v(\d+\.\d+\.\d+)', js[:400])
    version = version.group(1) if version else "unknown"
    return (f'<script type="text/javascript" data-fashion-plotly="{version}">\n'
            "(function (define, exports, module) {\n"
            "if (!(window.Plotly && window.Plotly.newPlot)) {\n"
            f"{js}\n"
            "}\n"
            "})();\n"
            "</script>\n")


# Marks <html data-fashion-ready="true"> once every figure has been drawn (for tests and printing).
READY_SCRIPT = """<script type="text/javascript">
(function () {
  var LIMIT = 700;  /* CSS px an output may take in print (see the template's print CSS) */
  var fit = function (el) {
    /* wider outputs (figures, image grids, tables) are scaled down in print, not cut */
    var w = (el._fullLayout && el._fullLayout.width) || 0;
    if (!w) {
      var old = el.style.width;
      el.style.width = 'max-content';
      w = el.getBoundingClientRect().width;
      el.style.width = old;
    }
    if (w > LIMIT + 10) { el.style.setProperty('--fashion-print-zoom', (LIMIT / w).toFixed(3)); }
  };
  var fitAll = function () {
    var els = document.querySelectorAll('.jp-OutputArea-output > *:not(pre), .fashion-plot');
    Array.prototype.forEach.call(els, function (el) {
      if (el.classList.contains('fashion-plot') || !el.querySelector('.fashion-plot')) { fit(el); }
    });
  };
  var t0 = Date.now();
  var check = function () {
    var figs = document.querySelectorAll('.fashion-plot');
    var done = document.querySelectorAll('.fashion-plot[data-fashion-rendered]').length;
    var other = document.querySelectorAll('.js-plotly-plot:not(.fashion-plot)').length;
    document.documentElement.setAttribute('data-fashion-figures', figs.length + other);
    if (done >= figs.length || Date.now() - t0 > 60000) {
      fitAll();
      document.documentElement.setAttribute('data-fashion-ready', done >= figs.length ? 'true' : 'timeout');
    } else {
      setTimeout(check, 50);
    }
  };
  if (document.readyState === 'complete') { check(); } else { window.addEventListener('load', check); }
})();
</script>
"""


def export_html(nb_path, out_html, report, tmp):
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = nbformat.read(str(nb_path), as_version=4)
    title = notebook_title(nb, nb_path.stem)
    nb.metadata["title"] = title

    c = Config()
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.template_name = "fashion"
    if report:
        c.TemplateExporter.exclude_input = True
        c.TemplateExporter.exclude_input_prompt = True
        c.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=c)
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": nb_path.stem}, "fashion_report": report})

    body, removed = strip_plotly(body)
    needs_plotly = removed > 0 or "Plotly.newPlot" in body or "Plotly.react" in body

    raw = Path(tmp) / "raw.html"
    typeset = Path(tmp) / "typeset.html"
    raw.write_text(body, encoding="utf-8")
    r = subprocess.run(["node", str(TYPESET_JS), str(raw), str(typeset)],
                       capture_output=True, text=True)
    if r.returncode not in (0, 3):
        die(f"typesetting {nb_path} failed:\n{r.stderr}")
    for line in r.stderr.splitlines():
        log(f"{nb_path.name}: {line}")
    html = typeset.read_text(encoding="utf-8")

    head = (plotly_head_script() if needs_plotly else "")
    i = html.find("</head>")
    if i < 0:
        die(f"no </head> in the HTML of {nb_path}")
    html = html[:i] + head + html[i:]
    j = html.rfind("</body>")
    html = html[:j] + READY_SCRIPT + html[j:] if j >= 0 else html + READY_SCRIPT
    # a temporary name unique to this process, renamed into place: concurrent exports never share a file
    fd, part = tempfile.mkstemp(dir=out_html.parent, prefix="." + out_html.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
        # mkstemp creates the file for its owner only; the HTML is an ordinary file like the PDF beside it
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(part, 0o666 & ~mask)
        os.replace(part, out_html)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    size = out_html.stat().st_size
    log(f"{out_html.relative_to(ROOT) if out_html.is_relative_to(ROOT) else out_html}: "
        f"{size / 1e6:.2f} MB, title '{title}', {removed} embedded plotly.js removed, "
        f"{'report mode' if report else 'with code'}")
    if size > MAX_HTML_BYTES:
        log(f"WARNING: {out_html} is larger than 6 MB ({size} bytes)")
    return title


def trust(nb_path):
    """What `jupyter trust` does (Debian's nbformat has no jupyter-trust command): signs the
    notebook in the user's Jupyter signature database, so its JavaScript outputs run when opened."""
    import nbformat
    from nbformat.sign import NotebookNotary
    try:
        nb = nbformat.read(str(nb_path), as_version=4)
        notary = NotebookNotary()
        if not notary.check_signature(nb):
            notary.sign(nb)
            log(f"{nb_path.name}: signed (trusted)")
    except Exception as e:  # a read-only data dir must not fail the export
        log(f"WARNING: could not trust {nb_path}: {e}")


def chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    die("chromium not found (apt-get install chromium)")


def export_pdf(html_path, pdf_path, timeout):
    profile = tempfile.mkdtemp(prefix="fashion-chromium-")
    tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.part")  # unique to this process
    try:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               "--virtual-time-budget=30000", "--no-pdf-header-footer",
               f"--print-to-pdf={tmp_pdf}", html_path.resolve().as_uri()]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            die(f"chromium took more than {timeout} s printing {html_path}")
        if r.returncode != 0 or not tmp_pdf.exists() or tmp_pdf.stat().st_size == 0:
            die(f"chromium could not print {html_path} (exit {r.returncode}):\n{r.stderr[-3000:]}")
        tmp_pdf.replace(pdf_path)
        log(f"{pdf_path.relative_to(ROOT) if pdf_path.is_relative_to(ROOT) else pdf_path}: "
            f"{pdf_path.stat().st_size / 1e6:.2f} MB")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        tmp_pdf.unlink(missing_ok=True)  # never leave a partial PDF behind


def main():
    ap = argparse.ArgumentParser(prog="environment/export", add_help=False)
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--code", action="store_true")
    ap.add_argument("--html-only", action="store_true")
    ap.add_argument("--no-trust", action="store_true")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("EXPORT_TIMEOUT", "300")))
    a = ap.parse_args()
    if a.report and a.code:
        die("--report and --code exclude each other", 2)

    if not PLOTLY_JS.exists() or not (NODE_MODULES / "mathjax-full").exists():
        die(f"{NODE_MODULES} is incomplete: run environment/setup "
            f"(npm ci --prefix {HERE.relative_to(ROOT)})")
    if not shutil.which("node"):
        die("node not found (apt-get install nodejs)")

    if a.notebooks:
        paths = [resolve(n) for n in a.notebooks]
    else:
        reports = ROOT / "reports"
        paths = sorted(p for p in reports.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts) \
            if reports.is_dir() else []
        if not paths:
            die("no notebook under reports/ (execute the notebooks first: environment/run)")
    missing = [str(p) for p in paths if not p.is_file() or p.suffix != ".ipynb"]
    if missing:
        die("not an executed notebook: " + ", ".join(missing) + " (run environment/run first)", 2)

    failed = []
    for p in paths:
        report = a.report or (not a.code and p.name == "report.ipynb")
        try:
            with tempfile.TemporaryDirectory(prefix="fashion-export-") as tmp:
                html = p.with_suffix(".html")
                export_html(p, html, report, tmp)
                if not a.html_only:
                    export_pdf(html, p.with_suffix(".pdf"), a.timeout)
        except SystemExit as e:          # die(): reported already; go on with the other notebooks
            failed.append(p.name)
            if len(paths) == 1:
                raise
            continue
        except Exception as e:
            log(f"ERROR: {p}: {type(e).__name__}: {e}")
            failed.append(p.name)
            continue
        if not a.no_trust:
            trust(p)
    if failed:
        die(f"{len(failed)} of {len(paths)} notebooks not exported: {', '.join(failed)}")

if __name__ == "__main__":
    main()
