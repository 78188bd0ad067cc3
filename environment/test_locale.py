#!/usr/bin/python3
"""Kernel-level test of the locale (issue 15, kind 4): Jupyter's kernel started under LC_ALL=C, with FASHION_MNIST_DIR
naming a folder with non-ASCII letters, must load the data (the kernelspec switches the JVM to C.UTF-8 when the
locale is not UTF-8), and a user's UTF-8 locale must be left as it is.

    /usr/bin/python3 environment/test_locale.py

Exits 0 when all hold, 1 naming the failed check otherwise. Takes about 20-40 s (two kernel starts).
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_interrupt as ti  # noqa: E402  (kernel start-up and request helpers)

DEBIAN = "/usr/share/datasets/fashion-mnist"


def probe(env, label):
    log_path = os.path.join(tempfile.gettempdir(), "test_locale-kernel-%d-%s.log" % (os.getpid(), label))
    km, kc = ti.start(env, log_path)
    try:
        content, text = ti.run(kc, 'System.out.println("encoding=" + System.getProperty("sun.jnu.encoding") + " lc_all="'
                                   ' + System.getenv("LC_ALL") + " images=" + fashion.data.FashionMnist.load().train().size());')
        return content, text.strip()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    folder = tempfile.mkdtemp(prefix="test_locale-")
    data = os.path.join(folder, "Données-été")
    os.makedirs(data)
    for f in os.listdir(DEBIAN):
        os.symlink(os.path.join(DEBIAN, f), os.path.join(data, f))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
        env.update({"LC_ALL": "C", "FASHION_MNIST_DIR": data, "FASHION_QUICK": "1"})
        content, text = probe(env, "c")
        print("LC_ALL=C: " + text, flush=True)
        ti.check(content["status"] == "ok" and "encoding=UTF-8" in text and "images=2000" in text,
                 "under LC_ALL=C the kernel's JVM gets a UTF-8 locale and loads data from a non-ASCII folder")
        env["LC_ALL"] = "C.utf8"  # UTF-8 spelled otherwise: must reach the JVM unchanged
        content, text = probe(env, "utf8")
        print("LC_ALL=C.utf8: " + text, flush=True)
        ti.check("lc_all=C.utf8" in text and "images=2000" in text, "a UTF-8 locale is kept as it is")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if ti.failures:
        print("test_locale: %d check(s) failed" % len(ti.failures), file=sys.stderr)
        sys.exit(1)
    print("test_locale: all checks passed")


if __name__ == "__main__":
    main()
