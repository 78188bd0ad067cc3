#!/usr/bin/python3
"""Notebook-level test of the interrupt button with the "Java (Fashion-MNIST)" kernel (fashion-java).

    /usr/bin/python3 environment/test_interrupt.py

0. The kernel is started with SIGINT ignored in the starting process (as by a server run with nohup): the
   kernelspec's launcher step restores SIGINT's default, so the interrupts below work all the same.
1. A training cell on the full data (not quick mode) is interrupted once progress shows: the cell must end
   within 2 s, the kernel must stay alive, and the next cell must see the history `h` (status INTERRUPTED)
   and the model (it still evaluates). Two presses while the kernel compiles a snippet that precedes a training run
   in the same cell: the training, once it starts, stops cleanly at its next step and its history is kept.
2. A sleeping loop and then a busy loop (no sleep, ignores interrupts) are interrupted: each cell must end
   with an error within 2 s and the kernel must keep its variables.
   A press made while the kernel is still compiling a cell's next snippet (a class of 6,000 methods, about 2 s)
   must stop the busy loop that follows it in the same cell once it starts.
3. (issue 15) Four presses while training evaluates the validation set at the end of an epoch, and three presses
   during a study's second setting: each cell ends normally within 2 s, keeping the finished epochs / settings.
Exits 0 when all hold, 1 with a message naming the failed check otherwise. Takes about 30-60 s.
"""
import os
import signal
import queue
import shutil
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

import kernel_startup

KERNEL = os.environ.get("FASHION_KERNEL_NAME", "fashion-java")
LIMIT_SECONDS = 2.0
COMPILE_METHODS = int(os.environ.get("FASHION_TEST_COMPILE_METHODS", "6000"))  # JShell compiles them in 2-3 s
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    if not condition:
        failures.append(message)


def drain(kc):
    while True:
        try:
            kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            return


def output_of(kc, msg_id, timeout):
    """Collects stdout/stderr/results/errors of one request until its execute_reply; returns (reply, text)."""
    text = []
    deadline = time.time() + timeout
    reply = None
    idle = False  # the kernel publishes "idle" after all outputs of the request: wait for it, not a quiet 0.2 s
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            msg = None
        if msg and msg.get("parent_header", {}).get("msg_id") == msg_id:
            c = msg["content"]
            t = msg["msg_type"]
            if t == "status" and c.get("execution_state") == "idle":
                idle = True
            elif t == "stream":
                text.append(c["text"])
            elif t in ("execute_result", "display_data", "update_display_data"):
                text.append(c.get("data", {}).get("text/plain", "") + c.get("data", {}).get("text/html", ""))
            elif t == "error":
                text.append(c["ename"] + ": " + c["evalue"])
        if reply is None:
            try:
                r = kc.get_shell_msg(timeout=0.01)
                if r["parent_header"].get("msg_id") == msg_id:
                    reply = r
            except queue.Empty:
                pass
        if reply is not None and idle:
            break
    return reply, "".join(text)


def run(kc, code, timeout=120):
    msg_id = kc.execute(code)
    reply, text = output_of(kc, msg_id, timeout)
    if reply is None:
        raise SystemExit("FAIL  no reply within %d s to: %s" % (timeout, code))
    return reply["content"], text


def interrupt_when(km, kc, code, started, label, presses=1):
    """Runs `code`, waits until `started(text)` holds, interrupts (`presses` times, 0.3 s apart, as an impatient
    user does); returns (reply content, text, seconds from the first press to the reply)."""
    msg_id = kc.execute(code)
    text = []
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        c = msg["content"]
        if msg["msg_type"] == "stream":
            text.append(c["text"])
        elif msg["msg_type"] in ("display_data", "update_display_data"):
            text.append(c.get("data", {}).get("text/html", ""))
        elif msg["msg_type"] == "error":
            raise SystemExit("FAIL  %s: the cell failed before the interrupt: %s: %s" % (label, c["ename"], c["evalue"]))
        if started("".join(text)):
            break
    else:
        raise SystemExit("FAIL  %s: no sign of progress within 90 s" % label)
    start = time.time()
    global LAST_PRESS
    LAST_PRESS = start
    km.interrupt_kernel()
    pressed = 1
    reply = None
    while time.time() < start + 30:
        if pressed < presses and time.time() >= start + 0.3 * pressed:
            km.interrupt_kernel()
            pressed += 1
        try:
            r = kc.get_shell_msg(timeout=0.05)
        except queue.Empty:
            continue
        if r["parent_header"].get("msg_id") == msg_id:
            reply = r
            break
    seconds = time.time() - start
    if reply is None:
        print(thread_dump(km), flush=True)
        # what the cell printed after the press (an interrupt message, or an error of the interrupt handler)
        _, after = output_of(kc, msg_id, 2)
        print("the cell's output after the interrupt: %r" % after[-2000:], flush=True)
        print(kernel_log_tail(), flush=True)
        raise SystemExit("FAIL  %s: the cell was still running 30 s after the interrupt (kernel alive: %s)"
                         % (label, km.is_alive()))
    _, rest = output_of(kc, msg_id, 2)
    return reply["content"], "".join(text) + rest, seconds


KERNEL_LOG = None  # the kernel's stdout/stderr file, set by start()
LAST_PRESS = None  # time.time() of the last interrupt_when's first press


def kernel_log_tail(lines=30):
    """The last lines of the kernel's log (without its class-path listing), for diagnosing a failure."""
    try:
        with open(KERNEL_LOG, encoding="utf-8", errors="replace") as f:
            kept = [line.rstrip("\n") for line in f if not line.startswith("Add ")]
    except (OSError, TypeError) as e:
        return "(no kernel log: %s)" % e
    return "kernel log, last lines:\n" + "\n".join(kept[-lines:])


def thread_dump(km):
    """The kernel JVM's threads that run a cell or training (jstack), for diagnosing an interrupt that did not stop."""
    try:
        pid = km.provisioner.process.pid
        out = subprocess.run(["jstack", str(pid)], capture_output=True, text=True, timeout=30).stdout
    except Exception as e:  # diagnostics only
        return "(no thread dump: %s)" % e
    threads = [t for t in out.split("\n\n") if "REPL." in t or "fashion." in t or "Signal" in t]
    return "kernel threads at the failure:\n" + "\n\n".join(threads)[-6000:]


def start(env, log_path):
    """Starts the kernel the way a notebook server does (kernel_info_request at once, 45 s to answer), from this
    process with SIGINT ignored, as a server started with nohup or `cmd &` from a script would pass it on: the
    kernelspec's launcher step must restore SIGINT's default before the JVM starts, or no interrupt works. No retry:
    the kernel's launcher makes every start answer (environment/test_kernel_starts)."""
    global KERNEL_LOG
    KERNEL_LOG = log_path
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        km = KernelManager(kernel_name=KERNEL)
        log = open(log_path, "w")
        km.start_kernel(env=env, stdout=log, stderr=log)
    finally:
        signal.signal(signal.SIGINT, previous)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=45)
    except RuntimeError as e:
        km.shutdown_kernel(now=True)
        raise SystemExit("FAIL  the kernel %s did not answer within 45 s: %s; see %s" % (KERNEL, e, log_path))
    return km, kc


def main():
    kernel_startup.use_this_checkouts_kernel()  # [issue 19] this checkout's kernel, not the last one set up
    env = dict(os.environ)
    env.pop("FASHION_QUICK", None)  # a workload bigger than quick mode's
    log_path = os.path.join(tempfile.gettempdir(), "test_interrupt-kernel-%d.log" % os.getpid())
    t0 = time.time()
    km, kc = start(env, log_path)
    try:
        print("kernel ready in %.1f s (its log: %s)" % (time.time() - t0, log_path), flush=True)
        with open("/proc/%d/status" % km.provisioner.process.pid) as f:
            ignored = int(next(l for l in f if l.startswith("SigIgn:")).split()[1], 16)
        check(not ignored & (1 << (signal.SIGINT - 1)),
              "the kernel JVM does not ignore SIGINT although it was started with SIGINT ignored")
        drain(kc)

        # 0. a busy loop that ignores interrupts, as the kernel's very first cell: the interrupt handler is installed at
        # start by the launcher (FASHION_KERNEL_STARTUP), not only once the jar renders something or trains
        content, text, seconds = interrupt_when(
            km, kc, 'long spins = 0;\nSystem.out.println("spinning");\nwhile (true) { spins++; }',
            lambda t: "spinning" in t, "busy loop")
        print("busy loop ended %.2f s after the interrupt (status %s, %s)"
              % (seconds, content["status"], content.get("ename", "")), flush=True)
        print("  the cell showed: " + " | ".join(line for line in text.strip().splitlines() if line.strip())[-300:], flush=True)
        check(seconds <= LIMIT_SECONDS, "a busy loop stops within %.0f s (took %.2f s)" % (LIMIT_SECONDS, seconds))
        check(content["status"] == "error", "the interrupted busy loop ends with an error")
        check(km.is_alive(), "the kernel is alive after interrupting the loops")

        # 0a. output shown by the library from a thread whose interrupt flag is set (a press that landed while the cell
        # was busy): shown, and the flag kept for the cell's next sleep or check (JeroMQ's socket write would fail)
        content, text = run(kc, '{ Thread.currentThread().interrupt();\n'
                                '  fashion.engine.Notebook.show("text/html", "<b>shown while interrupted</b>");\n'
                                '  System.out.println("flag kept=" + Thread.interrupted()); }')
        check(content["status"] == "ok" and "shown while interrupted" in text and "flag kept=true" in text,
              "output shown with a pending interrupt is shown and the interrupt kept (%s %s)"
              % (content["status"], (content.get("evalue", "") + text)[-160:]))

        # 0b. a press while the kernel is still compiling the cell's next snippet (JShell compiles a cell snippet by
        # snippet, each just before it runs; on a loaded machine that takes seconds): the busy loop after it must be
        # stopped all the same once it starts
        slow = "class SlowToCompile {\n" + "".join(
            "    int m%d(int x) { return x * %d + (x > %d ? 1 : 0); }\n" % (i, i, i) for i in range(COMPILE_METHODS)) + "}\n"
        content, text, seconds = interrupt_when(
            km, kc, 'spins = 0;\nSystem.out.println("compiling");\n' + slow
            + 'long loopStart = System.currentTimeMillis();\nwhile (true) { spins++; }',
            lambda t: "compiling" in t, "press while compiling")
        _, after = run(kc, 'System.out.println("loop started at " + loopStart + " spins=" + spins);')
        started = [int(line.split()[3]) / 1000.0 for line in after.splitlines() if line.startswith("loop started at ")]
        print("a press during the compilation of a snippet (%d methods): the busy loop after it started %s s after the "
              "press and the cell ended %.2f s after the press (status %s, %s)"
              % (COMPILE_METHODS, "%.2f" % (started[0] - LAST_PRESS) if started else "?", seconds, content["status"],
                 content.get("ename", "")), flush=True)
        check(bool(started) and started[0] > LAST_PRESS + 0.1,
              "the press came while the kernel was compiling, before the busy loop started")
        check(content["status"] == "error" and "did not react to the interrupt" in text,
              "the busy loop that started after the press was stopped")
        check("spins=" in after and not after.strip().endswith("spins=0"),
              "the busy loop ran before it was stopped (%s)" % after.strip())
        check(km.is_alive(), "the kernel is alive after a press during compilation")

        # 1. training
        code = ("import fashion.data.*; import fashion.models.*; import fashion.training.*; import fashion.evaluation.*;\n"
                "var data = FashionMnist.load();\n"
                "var model = Models.seedDense();\n"
                "var h = Training.fit(model, data, 50);\n")
        content, text, seconds = interrupt_when(km, kc, code, lambda t: "batch " in t and "loss" in t, "training cell")
        print("training cell ended %.2f s after the interrupt (status %s)" % (seconds, content["status"]), flush=True)
        check(seconds <= LIMIT_SECONDS, "training stops within %.0f s of the interrupt (took %.2f s)" % (LIMIT_SECONDS, seconds))
        check(content["status"] == "ok", "the training cell ends normally (status %s)" % content["status"])
        check("interrupted at epoch" in text, "the progress output says where training was interrupted")
        check(km.is_alive(), "the kernel is alive after interrupting training")
        content, text = run(kc, 'System.out.println("status=" + h.status() + " epochs=" + h.epochs().size()'
                                ' + " params=" + model.parameterCount()'
                                ' + " accuracy=" + Evaluation.of(model, data.test(), 1000).accuracy());')
        print("next cell: " + text.strip(), flush=True)
        check(content["status"] == "ok" and "status=INTERRUPTED" in text and "params=556510" in text
              and "accuracy=" in text, "the next cell uses h (INTERRUPTED) and the model")
        content, text = run(kc, "var h2 = Training.fit(model, data.train().select(new int[] {0, 1, 2, 3}), "
                                "data.validation(), TrainingOptions.epochs(1).progress(false));\n"
                                'System.out.println("again=" + h2.status());')
        check("again=COMPLETED" in text, "a new training run after the interrupt completes (%s)" % text.strip()[-80:])

        # 1b. two presses while the kernel compiles a snippet that comes before a training run in the same cell:
        # training, once it starts, is asked to stop at its next step (a cooperative section), not stopped as a thread
        # (the fit snippet first spends 300 ms ignoring interrupts, so that the watchdog finds it before training
        # begins: the interrupt flag it sets then must not break the progress bar's display)
        slow2 = slow.replace("class SlowToCompile {", "class SlowToCompileToo {\n"
                             "    static long startedAt; static double sink;\n"
                             "    static <T> T afterSpinning(T x) { startedAt = System.currentTimeMillis(); long t = System.nanoTime();"
                             " double w = 0; while (System.nanoTime() - t < 300_000_000L) { w += Math.sqrt(w + 1); }"
                             " sink = w; return x; }\n")
        code = ('System.out.println("compiling");\n' + slow2
                + "var h1 = Training.fit(SlowToCompileToo.afterSpinning(model), data.train().select("
                "java.util.stream.IntStream.range(0, 5000).toArray()), data.validation(), TrainingOptions.epochs(50));\n")
        content, text, seconds = interrupt_when(km, kc, code, lambda t: "compiling" in t, "training after a compile",
                                                presses=2)
        print("training that started after 2 presses during compilation: cell ended %.2f s after the first press "
              "(status %s, %s)" % (seconds, content["status"], content.get("evalue", "")[:120]), flush=True)
        if content["status"] != "ok":
            print("  the cell showed: %r; traceback: %r" % (text[-1500:], content.get("traceback", [])[-12:]), flush=True)
        check(content["status"] == "ok" and "interrupted at epoch" in text,
              "training that starts after presses made during compilation stops cleanly at its next step")
        content, text = run(kc, 'System.out.println("status=" + h1.status() + " started=" + SlowToCompileToo.startedAt);')
        check("status=INTERRUPTED" in text, "its history is kept (%s)" % text.strip())
        fit_started = [int(w.split("=")[1]) / 1000.0 for w in text.split() if w.startswith("started=")]
        check(bool(fit_started) and fit_started[0] > LAST_PRESS + 0.4,
              "both presses came while the kernel was compiling, before the training snippet started")

        # 2. a sleeping loop
        content, text, seconds = interrupt_when(
            km, kc, 'int counter = 0;\nSystem.out.println("looping");\nwhile (true) { counter++; Thread.sleep(10); }',
            lambda t: "looping" in t, "sleeping loop")
        print("sleeping loop ended %.2f s after the interrupt (status %s, %s)"
              % (seconds, content["status"], content.get("ename", "")), flush=True)
        check(seconds <= LIMIT_SECONDS, "a sleeping loop stops within %.0f s (took %.2f s)" % (LIMIT_SECONDS, seconds))
        check(content["status"] == "error", "the interrupted sleeping loop ends with an error")

        # 4. (issue 15) four presses while training measures an epoch (the end-of-epoch evaluation of 20,000 images by
        # the CNN takes seconds; its 2 minibatches take milliseconds): training stops, keeping the finished epoch
        code = ("var cnn = Models.seedCnn();\n"
                "var few = data.train().select(java.util.stream.IntStream.range(0, 64).toArray());\n"
                "var many = data.train().select(java.util.stream.IntStream.range(0, 15000).toArray());\n"
                "var h4 = Training.fit(cnn, few, many, TrainingOptions.epochs(20));\n")
        content, text, seconds = interrupt_when(km, kc, code, lambda t: "epoch 1/20 -" in t, "evaluating CNN", presses=4)
        print("training in its evaluation ended %.2f s after the first of 4 presses (status %s)"
              % (seconds, content["status"]), flush=True)
        check(seconds <= LIMIT_SECONDS, "training stops within %.0f s though it was evaluating (took %.2f s)"
              % (LIMIT_SECONDS, seconds))
        check(content["status"] == "ok", "the evaluating training cell ends normally after 4 presses (status %s, %s)"
              % (content["status"], content.get("evalue", "")[:200]))
        content, text = run(kc, 'System.out.println("status=" + h4.status() + " epochs=" + h4.epochs().size()'
                                ' + " accuracy=" + Evaluation.of(cnn, data.test(), 500).accuracy());')
        print("next cell: " + text.strip(), flush=True)
        check(content["status"] == "ok" and "status=INTERRUPTED" in text and "epochs=0" not in text,
              "h4 is assigned, INTERRUPTED, with its finished epochs, and the model evaluates")

        # 5. (issue 15) a study interrupted in its second setting, three presses: the study returns the first setting
        store = tempfile.mkdtemp(prefix="test_interrupt-results-")
        code = ('var study = Study.of("interrupt-test").vary("width", 8, 16, 32)\n'
                '    .model(s -> Models.dense().width(s.integer("width")).learningRate(1e-3).build())\n'
                '    .epochs(30).trainingImages(1000).retrain()\n'
                '    .store(ResultStore.at(java.nio.file.Path.of("%s")));\n'
                'var results = study.run(data);\n' % store)
        content, text, seconds = interrupt_when(
            km, kc, "import fashion.studies.*;\n" + code, lambda t: "[1/3]" in t and "epoch 2/" in t.split("[1/3]")[-1],
            "study", presses=3)
        print("study ended %.2f s after the first of 3 presses (status %s)" % (seconds, content["status"]), flush=True)
        check(seconds <= LIMIT_SECONDS, "the study stops within %.0f s (took %.2f s)" % (LIMIT_SECONDS, seconds))
        check(content["status"] == "ok", "the study cell ends normally (status %s, %s)"
              % (content["status"], content.get("evalue", "")[:200]))
        content, text = run(kc, 'System.out.println("runs=" + results.runs().size() + " saved=" + '
                                'results.runs().get(0).file().toFile().isFile());')
        print("next cell: " + text.strip(), flush=True)
        check("runs=1" in text and "saved=true" in text, "the study keeps its finished setting, saved (%s)" % text.strip())
        leftovers = [f for _, _, fs in os.walk(store) for f in fs if f.endswith(".tmp")]
        check(not leftovers, "no partial files in the results folder (%s)" % leftovers)
        shutil.rmtree(store, ignore_errors=True)

        time.sleep(0.5)
        content, text = run(kc, 'System.out.println("counter=" + counter + " spins=" + (spins > 0) + " status=" + h.status());')
        print("state cell: " + text.strip(), flush=True)
        check(content["status"] == "ok" and "spins=true" in text and "status=INTERRUPTED" in text,
              "variables survive the interrupts (counter, spins, h)")
        content, text = run(kc, "Thread.sleep(200); System.out.println(\"sleep ok\");")
        check("sleep ok" in text, "a later cell is not hit by a stale interrupt")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print("total %.1f s" % (time.time() - t0))
    if failures:
        print("test_interrupt: %d check(s) failed:\n  %s" % (len(failures), "\n  ".join(failures)), file=sys.stderr)
        sys.exit(1)
    print("test_interrupt: all checks passed")


if __name__ == "__main__":
    main()
