"""Start-up of the project's Java kernel (rapaio-jupyter-kernel 3.0.1), shared by execute.py and test_interrupt.py.

rapaio-jupyter-kernel 3.0.1 sometimes starts with a shell thread that never handles a message (seen as a
NullPointerException in Shell-0 when a kernel_info_request came early, and also when the first request came seconds
after every channel was bound); the kernel then never answers. Its channels bind on separate threads, in any order.
So: wait until the kernel's log shows every channel bound and the heartbeat polling, give it a moment more (longer on
each retry), and let the caller start a kernel that never answers again: the retries are what make start-up
reliable (CI on 2026-11-26: up to three failed starts per run, each answered on the next attempt).
"""
import os
import time

# a failed start costs the caller's wait for an answer (30-40 s); four failures in a row happened once in CI
ATTEMPTS = 8
CHANNELS = ("[ShellChannel]: Binding", "[ControlChannel]: Binding", "[StdinChannel]: Binding",
            "[IOPubChannel]: Binding", "[HeartbeatChannel]: Polling")


def settle_seconds(attempt):
    """Seconds to wait after the channels are up, for the attempt-th start (1-based): 1, 2, 3, 4, 4, ..."""
    return min(attempt, 4)


def wait_until_bound(log_path, offset=0, timeout=60):
    """Waits (up to timeout seconds) until the kernel log from byte offset shows every channel bound; True if it did."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(log_path, errors="replace") as f:
                f.seek(offset)
                text = f.read()
            if all(marker in text for marker in CHANNELS):
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def use_this_checkouts_kernel():
    """[issue 19] Makes the kernelspec name "fashion-java" resolve to this checkout's own spec
    (environment/.kernel/jupyter/kernels/fashion-java, written by environment/setup), whatever the user's installed
    "fashion-java" points at: JUPYTER_PATH comes first in Jupyter's search path. Kernels started from here see it too."""
    spec_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".kernel", "jupyter")
    paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != spec_root]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([spec_root] + paths)
