#!/usr/bin/python3
"""Executes notebooks headless through the project's Java kernel and writes them to reports/.

    execute.py NOTEBOOK_OR_REPORT_PATH ...

Each notebook under notebooks/ is executed in its own folder and written to the mirror path under
reports/ (written to a temporary file, then renamed). A failing cell stops that notebook: the executed
part is still written, the notebook and cell are named, and the exit status is 1.
"""
import asyncio
import atexit
import contextlib
import fcntl
import os
import signal
import re
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

import kernel_startup

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.environ.get("FASHION_KERNEL_NAME", "fashion-java")


# The kernel starts through the project's launcher (kernel-launcher/, issue 14), which registers its handlers before
# any socket is bound: a start that never answers is a bug, not a race to wait out. One more start is allowed, and
# said loudly, so that a full run is not lost to it.
START_ATTEMPTS = 2


def report_path(notebook):
    rel = os.path.relpath(os.path.abspath(notebook), os.path.join(ROOT, "notebooks"))
    return os.path.join(ROOT, "reports", rel)


def first_error(nb):
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return index, cell, out
    return None


def stray_display_ids(nb):
    """execute_result outputs that are only a display id (what display(...) returns when a cell ends with it)."""
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                text = "".join(out.get("data", {}).get("text/plain", ""))
                if re.fullmatch(r'"?[0-9a-f-]{16,}"?', text.strip()):
                    found.append(index)
    return found


def coalesce_streams(nb):
    """Joins consecutive stream outputs of a cell (the kernel sends printf's pieces separately), so that
    the report and its exports show one block of text instead of one line per piece."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                merged[-1]["text"] = merged[-1]["text"] + out["text"]
            else:
                merged.append(out)
        if cell.cell_type == "code":
            cell.outputs = merged


@contextlib.contextmanager
def exclusive(target):
    """Holds a lock on reports/.locks/<report>.lock while one notebook executes, so that two runs of the same
    notebook at once (two terminals, CI and a user) take turns instead of sharing its report and kernel log: the
    second says whose turn it is and waits. The lock is released by the OS when a run ends, however it ends."""
    lock_path = os.path.join(ROOT, "reports", ".locks", os.path.relpath(target, os.path.join(ROOT, "reports")) + ".lock")
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            print(f"[run] {os.path.relpath(target, ROOT)} is being executed by another run ({holder}); "
                  "waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}\n")
        lock.flush()
        yield


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(nb, target):
    """Writes the notebook to a temporary file unique to this process beside target, then renames it into place."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix="." + os.path.basename(target) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        # mkstemp creates the file for its owner only; a report is an ordinary file (0644 less the user's umask)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def execute(notebook):
    path = os.path.abspath(notebook)
    nb = nbformat.read(path, as_version=4)
    target = report_path(path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with exclusive(target):
        return execute_locked(path, nb, target)


def execute_locked(path, nb, target):
    quick = os.environ.get("FASHION_QUICK", "").strip().lower() not in ("", "0", "false", "off", "no")  # as the jar reads it
    # a cell of a quick run takes seconds: ten minutes means something hangs; full runs have no limit
    cell_timeout = int(os.environ.get("FASHION_CELL_TIMEOUT", "600" if quick else "0")) or None
    start = time.time()
    problem = None
    # the kernel's own console output (its log lines, JVM warnings) goes to a log file beside the report
    log_path = os.path.join(ROOT, "reports", ".logs", os.path.relpath(target, os.path.join(ROOT, "reports")) + ".log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    try:
        with open(log_path, "w") as log:
            for attempt in range(1, START_ATTEMPTS + 1):
                client = NotebookClient(nb, kernel_name=KERNEL, timeout=cell_timeout, startup_timeout=45,
                                        resources={"metadata": {"path": os.path.dirname(path)}})
                log.flush()
                try:
                    client.execute(stdout=log, stderr=log)
                    break
                except RuntimeError as e:
                    if "didn't respond" not in str(e) or attempt == START_ATTEMPTS:
                        raise
                    print(f"[run] WARNING: THE KERNEL DID NOT ANSWER WITHIN 45 S OF STARTING ({os.path.relpath(path, ROOT)}); "
                          f"starting it once more. This should not happen (issue 14): please report it with the "
                          f"kernel log {os.path.relpath(log_path, ROOT)}", file=sys.stderr)
                    for cell in nb.cells:
                        if cell.cell_type == "code":
                            cell.outputs = []
                finally:
                    # nbclient registers an atexit hook per client that asserts its kernel manager still exists; it
                    # was cleaned up when execute() returned, so at exit the hook printed an AssertionError
                    # traceback for every notebook run (issue 15). The kernel is shut down already: drop the hook.
                    atexit.unregister(client._cleanup_kernel)
    except CellExecutionError as e:
        problem = str(e)
    except DeadKernelError as e:
        problem = f"the kernel died: {e}"
    except TimeoutError as e:
        problem = f"a cell ran longer than {cell_timeout} s (FASHION_CELL_TIMEOUT): {e}"
    except RuntimeError as e:
        problem = f"the kernel did not start: {e}"
    elapsed = time.time() - start
    coalesce_streams(nb)
    nb.metadata.setdefault("fashion", {})["executed_seconds"] = round(elapsed, 1)
    nb.metadata["fashion"]["quick"] = quick
    write_atomically(nb, target)
    name = os.path.relpath(path, ROOT)
    if problem is not None:
        err = first_error(nb)
        where = "unknown cell"
        if err is not None:
            index, cell, out = err
            code = cell.source.strip().splitlines()
            where = f"cell {index + 1} ({code[0][:70] if code else ''!r})"
            problem = f"{out.get('ename', '')}: {out.get('evalue', '')}".strip(": ") or problem
        print(f"[run] FAILED {name}, {where}: {problem.strip()[:2000]}", file=sys.stderr)
        print(f"[run]   partial result: {os.path.relpath(target, ROOT)}; kernel log: {os.path.relpath(log_path, ROOT)}",
              file=sys.stderr)
        return False
    strays = stray_display_ids(nb)
    if strays:
        print(f"[run] FAILED {name}: cells {', '.join(str(i + 1) for i in strays)} print a bare display id",
              file=sys.stderr)
        return False
    print(f"[run] ok {name} -> {os.path.relpath(target, ROOT)} ({elapsed:.0f} s)")
    return True


def main(paths):
    # A process started in the background by a non-interactive shell (`cmd &`) inherits SIGINT as ignored, and so
    # would the kernels it starts: the JVM then cannot take SIGINT, and the interrupt button does nothing. Kernels
    # are started from here with SIGINT at its default again (exec resets handled signals to the default).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    kernel_startup.use_this_checkouts_kernel()  # [issue 19] this checkout's kernel, not the last one set up
    ok = True
    for p in paths:
        ok = execute(p) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
