#!/usr/bin/env python3
"""Makes the export test's fixture notebook: OUT.ipynb with markdown (headings, display and inline
TeX), a printed "test accuracy: 0.8712" and four figure outputs made by fashion.plots.PlotlyHtml
(fixture/FixtureFigures.java, run on lib's build: lib/target/classes or fashion-lib.jar, and
lib/target/dependency; or on $FASHION_CLASSPATH).
Usage: make_fixture.py OUT.ipynb"""
import glob
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def main():
    out = Path(sys.argv[1])
    target = ROOT / "lib" / "target"
    deps = target / "dependency"
    classes = target / "classes"
    if not (classes / "fashion" / "plots" / "PlotlyHtml.class").exists():
        classes = target / "fashion-lib.jar"   # the packaged jar when classes/ is being rebuilt
    cp = os.environ.get("FASHION_CLASSPATH") or f"{classes}:{deps}/*"
    if not os.environ.get("FASHION_CLASSPATH") and not (
            classes.exists() and glob.glob(str(deps / "tablesaw-jsplot-*.jar"))):
        sys.exit("make_fixture: lib is not built (need lib/target/classes or lib/target/fashion-lib.jar, "
                 "and lib/target/dependency): run environment/setup")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["java", "-cp", cp, str(HERE / "fixture" / "FixtureFigures.java"), tmp],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"make_fixture: FixtureFigures failed:\n{r.stdout}{r.stderr}")
        figs = [Path(tmp, f"fig{i}.html").read_text(encoding="utf-8") for i in (1, 2, 3, 4)]

    def md(i, s):
        return {"cell_type": "markdown", "id": f"md{i}", "metadata": {}, "source": s}

    def code(i, src, outputs):
        return {"cell_type": "code", "id": f"code{i}", "execution_count": i, "metadata": {},
                "source": src, "outputs": outputs}

    def fig(html):
        return {"output_type": "display_data", "metadata": {},
                "data": {"text/html": html, "text/plain": "Figure"}}

    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "fashion-java", "display_name": "Java (fashion)",
                                      "language": "java"},
                       "language_info": {"name": "java"}},
          "cells": [
              md(1, "# Export fixture: a *fully connected* network\n\n"
                    "The loss is the cross-entropy with an $L_2$ penalty\n\n"
                    "$$\\mathcal{L}(\\theta) = -\\frac{1}{N}\\sum_{i=1}^{N} \\log p_\\theta(y_i \\mid x_i)"
                    " + \\lambda \\|W\\|_2^2$$\n\n"
                    "with $\\lambda = 10^{-4}$, $a < b$ and $\\mathrm{ReLU}(x) = \\max(0, x)$."),
              code(1, "var history = Training.fit(model, data);",
                   [{"output_type": "stream", "name": "stdout",
                     "text": "epoch 10/10 loss 0.31 accuracy 0.905\ntest accuracy: 0.8712\n"}]),
              md(2, "## Learning curves\n\nThe network computes\n\\begin{equation}\n"
                    "y = \\mathrm{softmax}(W_2\\,\\mathrm{ReLU}(W_1 x + b_1) + b_2)\n\\end{equation}"),
              code(2, "display(Plots.accuracy(history));", [fig(figs[0])]),
              code(3, "display(Plots.confusion(test));", [fig(figs[1])]),
              md(3, "## The same figure again\n\nAfter it, one from a restarted kernel (plotly.js embedded twice)."),
              code(4, "display(Plots.accuracy(history));", [fig(figs[2])]),
              code(5, "display(Plots.accuracy(history));", [fig(figs[3])]),
          ]}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(nb, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
