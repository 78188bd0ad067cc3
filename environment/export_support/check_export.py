#!/usr/bin/env python3
"""Checks environment/export on executed notebooks (used by environment/test_export).

For each notebook: exports a copy in a temporary directory, then
  HTML  size <= 6 MB; plotly.js inlined exactly once; no script/link/img/iframe source outside the
        file; loaded in headless Chromium with name resolution blocked and a Content-Security-Policy
        that forbids every non-inline resource: no CSP violation, no request made by the page in
        Chromium's net log, every figure of the notebook drawn (.js-plotly-plot with .main-svg),
        every equation typeset (mjx-container present, no TeX error, no $$ or \\begin left in text);
  PDF   pages, the title, every markdown heading and "test accuracy: 0." (when the notebook printed it)
        in pdftotext's text; every figure on one page and not blank: the page is printed again with
        each plot outlined in magenta, the outlines are found in the raster and must be closed
        rectangles (not cut by a page break), as many as the figures, with ink inside them in the
        real PDF.
Python 3 standard library and poppler-utils only. Exit status 1 on any failure.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPORT = ROOT / "environment" / "export"
MAX_HTML_BYTES = 6 * 1024 * 1024
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=30000",
]
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; media-src data: blob:")
CSP_HEAD = (f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<script>document.addEventListener("securitypolicyviolation", function (e) {'
            ' var h = document.documentElement;'
            ' h.setAttribute("data-csp-violations", (h.getAttribute("data-csp-violations") || "")'
            ' + " " + e.blockedURI); });</script>\n')
OUTLINE_CSS = ('<style>.js-plotly-plot .svg-container { position: relative !important; }\n'
               '.js-plotly-plot .svg-container::after { content: ""; position: absolute; inset: 0;'
               ' border: 6px solid #ff00ff; z-index: 100000; pointer-events: none; }</style>\n')

failures = []


def fail(name, msg):
    failures.append(f"{name}: {msg}")
    print(f"  FAIL {msg}", flush=True)


def ok(msg):
    print(f"  ok   {msg}", flush=True)


def chromium():
    for n in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if n and shutil.which(n):
            return shutil.which(n)
    sys.exit("check_export: chromium not found")


def run_chromium(args, timeout=300):
    profile = tempfile.mkdtemp(prefix="fashion-check-")
    try:
        return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------- what the notebook holds
def outputs_html(nb):
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            h = out.get("data", {}).get("text/html")
            if h is not None:
                yield "".join(h) if isinstance(h, list) else h


def expected_figures(nb):
    n = 0
    for h in outputs_html(nb):
        k = h.count('class="fashion-plot"')
        n += k if k else len(re.findall(r"Plotly\.(?:newPlot|react)\(", h))
    return n


def markdown_sources(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = cell["source"]
            src = "".join(src) if isinstance(src, list) else src
            yield re.sub(r"```.*?```|`[^`\n]*`", "", src, flags=re.S)


def expected_math(nb):
    display = inline = 0
    for src in markdown_sources(nb):
        display += len(re.findall(r"\$\$.+?\$\$", src, re.S))
        display += len(re.findall(r"\\begin\{([a-z]+\*?)\}.*?\\end\{\1\}", src, re.S))
        display += len(re.findall(r"\\\[.+?\\\]", src, re.S))
        rest = re.sub(r"\$\$.+?\$\$", "", src, flags=re.S).replace("\\$", "")
        inline += len(re.findall(r"\$[^$\n]+\$", rest)) + len(re.findall(r"\\\(.+?\\\)", rest))
    return display, inline


def headings(nb):
    out = []
    for src in markdown_sources(nb):
        for line in src.splitlines():
            m = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if m:
                t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))
                t = re.sub(r"<[^>]+>", "", t)
                t = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", t).strip()
                if t and "$" not in t and "\\" not in t:
                    out.append(t)
    return out


def printed_texts(nb):
    text = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                t = out.get("text", "")
                text.append("".join(t) if isinstance(t, list) else t)
            else:
                t = out.get("data", {}).get("text/plain")
                if t:
                    text.append("".join(t) if isinstance(t, list) else t)
    return "\n".join(text)


# ---------------------------------------------------------------- rendered DOM
class Dom(html.parser.HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr", "path", "rect", "line", "circle", "use", "stop", "image"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []          # (tag, classes)
        self.plots = []          # per .js-plotly-plot: number of .main-svg inside
        self.mjx = 0
        self.mjx_errors = 0
        self.md_text = []
        self.root_attrs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = set((a.get("class") or "").split())
        if tag == "html":
            self.root_attrs = a
        if tag == "mjx-container":
            self.mjx += 1
        if "data-mjx-error" in a or (tag == "g" and a.get("data-mml-node") == "merror"):
            self.mjx_errors += 1
        if "main-svg" in cls:
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][2] is not None:
                    self.plots[self.stack[i][2]] += 1
                    break
        idx = None
        if "js-plotly-plot" in cls:
            self.plots.append(0)
            idx = len(self.plots) - 1
        if tag not in self.VOID and not (tag in ("svg",) and False):
            self.stack.append((tag, cls, idx))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        cls = set((a.get("class") or "").split())
        if "main-svg" in cls:
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][2] is not None:
                    self.plots[self.stack[i][2]] += 1
                    break
        if "data-mjx-error" in a:
            self.mjx_errors += 1

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        tags = [t for t, _, _ in self.stack]
        if any(t in ("script", "style", "pre", "code", "mjx-container") for t in tags):
            return
        if any("jp-RenderedMarkdown" in c for _, c, _ in self.stack):
            self.md_text.append(data)


# ---------------------------------------------------------------- raster (PPM from pdftoppm)
def read_ppm(path):
    data = Path(path).read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"unexpected image format in {path}")
    return int(fields[1]), int(fields[2]), data[pos:]


def rasterize(pdf, prefix, dpi=40):
    subprocess.run(["pdftoppm", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    pages = sorted(Path(prefix).parent.glob(Path(prefix).name + "-*.ppm"),
                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [read_ppm(p) for p in pages]


def magenta_rects(img):
    """Bounding boxes of the magenta outlines on one page, each with 'closed' (top and bottom seen)."""
    w, h, px = img
    mag = bytearray(w * h)
    for i in range(w * h):
        r, g, b = px[3 * i], px[3 * i + 1], px[3 * i + 2]
        if r > 170 and b > 170 and g < 120:
            mag[i] = 1
    seen = bytearray(w * h)
    rects = []
    for start in range(w * h):
        if not mag[start] or seen[start]:
            continue
        stack = [start]
        seen[start] = 1
        x0 = y0 = 10 ** 9
        x1 = y1 = -1
        count = 0
        while stack:
            i = stack.pop()
            count += 1
            y, x = divmod(i, w)
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
            for j in (i - 1, i + 1, i - w, i + w, i - w - 1, i - w + 1, i + w - 1, i + w + 1):
                if 0 <= j < w * h and mag[j] and not seen[j] and abs(j % w - x) <= 1:
                    seen[j] = 1
                    stack.append(j)
        if count < 40 or x1 - x0 < 20:
            continue

        def row_cover(yy):
            return sum(mag[yy * w + x] for x in range(x0, x1 + 1)) / (x1 - x0 + 1)
        top = max(row_cover(y) for y in range(y0, min(y0 + 3, y1) + 1))
        bottom = max(row_cover(y) for y in range(max(y1 - 2, y0), y1 + 1))
        rects.append({"box": (x0, y0, x1, y1), "closed": top > 0.8 and bottom > 0.8})
    return rects


def ink(img, box, inset):
    w, h, px = img
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 <= x0 or y1 <= y0:
        return 0.0
    n = dark = 0
    for y in range(y0, y1 + 1, 1):
        row = y * w
        for x in range(x0, x1 + 1):
            i = 3 * (row + x)
            n += 1
            if min(px[i], px[i + 1], px[i + 2]) < 230:
                dark += 1
    return dark / n


# ---------------------------------------------------------------- one notebook
def check(nb_path, report=None, min_figures=0):
    name = nb_path.name
    print(f"== {nb_path}", flush=True)
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    n_figs = expected_figures(nb)
    n_display, n_inline = expected_math(nb)
    print(f"  notebook: {n_figs} figures, {n_display} display and ~{n_inline} inline equations")
    if n_figs < min_figures:
        fail(nb_path.name, f"the notebook has {n_figs} figure outputs, expected at least {min_figures}")

    with tempfile.TemporaryDirectory(prefix="fashion-test-export-") as tmp:
        tmp = Path(tmp)
        copy = tmp / name
        shutil.copy(nb_path, copy)
        args = [str(EXPORT), "--no-trust"]
        if report is True:
            args.append("--report")
        elif report is False:
            args.append("--code")
        r = subprocess.run(args + [str(copy)], capture_output=True, text=True)
        sys.stdout.write("".join(f"  | {line}\n" for line in r.stderr.splitlines()
                                 if line.startswith("export:")))
        if r.returncode != 0:
            fail(name, f"environment/export exited {r.returncode}:\n{r.stdout}{r.stderr}")
            return
        html_path, pdf_path = copy.with_suffix(".html"), copy.with_suffix(".pdf")

        # ---- HTML, static
        mask = os.umask(0)
        os.umask(mask)
        for out in (html_path, pdf_path):
            mode = out.stat().st_mode & 0o777
            (ok if mode == 0o666 & ~mask else lambda m: fail(name, m))(
                f"{out.suffix[1:].upper()} file mode {mode:o} (a normal file for umask {mask:03o})")
        page = html_path.read_text(encoding="utf-8")
        size = html_path.stat().st_size
        (ok if size <= MAX_HTML_BYTES else lambda m: fail(name, m))(f"HTML size {size / 1e6:.2f} MB (max 6 MB)")
        bundles = len(re.findall(r"<script\b[^>]*data-fashion-plotly", page))
        headers = len(re.findall(r"\*\s*plotly\.js\b[^\n]*\bv\d+\.\d+\.\d+", page))
        want = 1 if n_figs else 0
        if bundles == want and headers == want:
            ok(f"plotly.js inlined {bundles} time(s)")
        else:
            fail(name, f"plotly.js inlined {bundles} time(s) ({headers} bundle headers), expected {want}")
        external = re.findall(r"<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*[\"']?"
                              r"(?!data:|#)([^\"' >]+)", page, re.I)
        external += re.findall(r"@import\s+(?:url\()?[\"']?(https?:[^\"')]+)", page)
        if external:
            fail(name, f"HTML refers to outside resources: {sorted(set(external))[:5]}")
        else:
            ok("no script, stylesheet, image or frame source outside the HTML file")

        if report is True:
            if re.search(r'class="[^"]*\bjp-(?:InputPrompt|OutputPrompt|CodeMirrorEditor)\b', page):
                fail(name, "report mode: code cells or input prompts left in the HTML")
            else:
                ok("report mode: no code cell, no prompt")

        # ---- HTML, rendered offline
        csp_copy = tmp / "csp.html"
        i = page.find("<head>")
        csp_copy.write_text(page[:i + 6] + CSP_HEAD + page[i + 6:] if i >= 0 else CSP_HEAD + page,
                            encoding="utf-8")
        netlog = tmp / "netlog.json"
        r = run_chromium([f"--log-net-log={netlog}", "--dump-dom", csp_copy.as_uri()])
        if r.returncode != 0 or "<html" not in r.stdout:
            fail(name, f"chromium --dump-dom failed ({r.returncode}): {r.stderr[-2000:]}")
            return
        dom = Dom()
        dom.feed(r.stdout)
        violations = (dom.root_attrs.get("data-csp-violations") or "").split()
        if violations:
            fail(name, f"the page tried to load outside resources: {sorted(set(violations))[:5]}")
        else:
            ok("no resource blocked by the offline Content-Security-Policy")
        try:
            log = json.loads(netlog.read_text(encoding="utf-8"))
            types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
            page_requests = sorted({e["params"].get("url", "?") for e in log.get("events", [])
                                    if types.get(e["type"]) == "URL_REQUEST_START_JOB"
                                    and e.get("params", {}).get("initiator", "not an origin") != "not an origin"})
            if page_requests:
                fail(name, f"the page made network requests: {page_requests[:5]}")
            else:
                ok("no network request made by the page (Chromium net log; name resolution blocked)")
        except (OSError, ValueError, KeyError) as e:
            fail(name, f"could not read Chromium's net log: {e}")
        drawn = sum(1 for p in dom.plots if p > 0)
        if dom.root_attrs.get("data-fashion-ready") != "true" and n_figs:
            fail(name, f"figures not all drawn (data-fashion-ready={dom.root_attrs.get('data-fashion-ready')})")
        if drawn == n_figs and len(dom.plots) == n_figs:
            ok(f"{drawn} of {n_figs} figures drawn (.js-plotly-plot .main-svg)")
        else:
            fail(name, f"{drawn} figures drawn ({len(dom.plots)} plot elements), expected {n_figs}")
        text = "".join(dom.md_text)
        raw = [d for d in ("$$", "\\begin{", "\\[", "\\(") if d in text]
        if dom.mjx < n_display + (1 if n_inline else 0) or dom.mjx_errors or raw:
            fail(name, f"equations: {dom.mjx} typeset (expected >= {n_display} display"
                       f"{' + inline' if n_inline else ''}), {dom.mjx_errors} TeX errors, "
                       f"raw TeX left in text: {raw}")
        else:
            ok(f"{dom.mjx} equations typeset, no TeX error, no raw TeX delimiters left")

        # ---- PDF text
        info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) if "Pages:" in info else 0
        title = (re.search(r"^Title:\s+(.*)$", info, re.M) or [None, ""])[1].strip()
        hs = headings(nb)
        want_title = hs[0] if hs else nb_path.stem
        if pages > 0 and title == want_title:
            ok(f"PDF: {pages} pages, title '{title}'")
        else:
            fail(name, f"PDF: {pages} pages, title '{title}' (expected '{want_title}')")
        pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"],
                                  capture_output=True, text=True).stdout
        flat = " ".join(pdf_text.split())
        missing = [h for h in hs if " ".join(h.split()) not in flat]
        if missing:
            fail(name, f"headings missing from the PDF text: {missing}")
        else:
            ok(f"PDF text has all {len(hs)} headings")
        if "test accuracy: 0." in printed_texts(nb):
            if "test accuracy: 0." in flat:
                ok("PDF text has 'test accuracy: 0.'")
            else:
                fail(name, "'test accuracy: 0.' printed by the notebook is missing from the PDF")

        # ---- PDF figures: outlined copy gives the boxes, the real PDF must have ink in them
        if n_figs:
            outlined = tmp / "outlined.html"
            j = page.rfind("</head>")
            outlined.write_text(page[:j] + OUTLINE_CSS + page[j:], encoding="utf-8")
            outlined_pdf = tmp / "outlined.pdf"
            r = run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={outlined_pdf}", outlined.as_uri()])
            if r.returncode != 0 or not outlined_pdf.exists():
                fail(name, f"chromium could not print the outlined copy: {r.stderr[-2000:]}")
                return
            real = rasterize(pdf_path, tmp / "real")
            marked = rasterize(outlined_pdf, tmp / "marked")
            if len(real) != len(marked):
                fail(name, f"outlined copy has {len(marked)} pages, the PDF {len(real)}")
                return
            boxes, cut, blank = 0, 0, []
            for pno, (a, b) in enumerate(zip(real, marked), start=1):
                for rect in magenta_rects(b):
                    if not rect["closed"]:
                        cut += 1
                        continue
                    boxes += 1
                    f = ink(a, rect["box"], 4)
                    if f < 0.01:
                        blank.append(f"page {pno}: {f:.3f}")
            if cut:
                fail(name, f"{cut} figure parts cut by a page break")
            if blank:
                fail(name, f"blank figure areas in the PDF: {blank}")
            if boxes != n_figs:
                fail(name, f"{boxes} whole figures found in the PDF, expected {n_figs}")
            if not cut and not blank and boxes == n_figs:
                ok(f"PDF: {boxes} figures, each whole on one page and not blank")


def main():
    args = sys.argv[1:]
    report = None
    if "--report" in args:
        report = True
        args.remove("--report")
    if "--code" in args:
        report = False
        args.remove("--code")
    min_figures = 0
    if "--min-figures" in args:
        i = args.index("--min-figures")
        min_figures = int(args[i + 1])
        del args[i:i + 2]
    for a in args:
        check(Path(a).resolve(), report, min_figures)
    if failures:
        print("\ntest_export FAILED:\n" + "\n".join(f"  {f}" for f in failures))
        sys.exit(1)
    print(f"\ntest_export: all checks passed on {len(args)} notebook(s)")


if __name__ == "__main__":
    main()
