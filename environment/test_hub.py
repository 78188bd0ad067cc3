#!/usr/bin/python3
"""A class on one server, end to end: JupyterHub with two local users, each running Part 1 in quick mode.

    /usr/bin/python3 environment/test_hub.py          (as root; called by environment/test)

1. `environment/setup --system` installs the kernel for all users into a temporary prefix (never /usr/local: the
   kernelspec is named fashion-java-hubtest-PID and found through JUPYTER_PATH), so nothing of the machine changes.
2. Two local users are created (useradd, homes under the temporary folder) and `environment/hub` starts Debian's
   JupyterHub on 127.0.0.1 (free ports) with an admin API token.
3. Through the hub's REST API, each user's notebook server is started; through that server's contents API the user
   gets notebooks/part1-fully-connected.ipynb (the first user as committed, without import lines; the second with
   the six import lines of earlier versions in front: both must work), and through its kernels API and websocket
   the two notebooks are executed at the same time, cell by cell, in quick mode, then saved back into the homes.
4. Checks: every cell of both ran without error; each user's run was saved under that user's own
   ~/fashion-mnist/results, owned by that user, in quick mode; the shared installation holds no results; neither
   user's results folder holds the other's run; no user extracted ND4J's native libraries into their home.
Everything is removed at the end (users, homes, hub, installation). Takes about 2-4 minutes on 2 busy cores.
"""
import asyncio
import datetime
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "notebooks", "part1-fully-connected.ipynb")
IMPORTS = ["import fashion.data.*;", "import fashion.models.*;", "import fashion.training.*;",
           "import fashion.evaluation.*;", "import fashion.plots.*;", "import fashion.studies.*;"]
failures = []


def say(text):
    print("[test_hub] " + text, flush=True)


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    if not condition:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, port, token):
        self.base = "http://127.0.0.1:%d" % port
        self.token = token

    def request(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": "token " + self.token,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text.strip() else None)

    def wait_up(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.request("GET", "/hub/api/")[0] == 200:
                    return True
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.5)
        return False

    def start_server(self, user, timeout=120):
        self.request("POST", "/hub/api/users/%s/server" % user, {})
        deadline = time.time() + timeout
        while time.time() < deadline:
            model = self.request("GET", "/hub/api/users/" + user)[1]
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return True
            time.sleep(1)
        return False


async def execute_notebook(hub, user, kernel_name, nb, log):
    """Runs every code cell of nb through the user's server (kernels API + websocket); returns (ok, message)."""
    base = "/user/%s/api" % user
    for attempt in (1, 2):
        kernel = hub.request("POST", base + "/kernels", {"name": kernel_name, "path": ""})[1]
        kid = kernel["id"]
        url = hub.base.replace("http", "ws", 1) + base + "/kernels/%s/channels" % kid
        try:
            # the server answers the websocket once the kernel replied to its kernel_info_request, which it sends at
            # once: the project's kernel launcher registers its handlers before binding, so it always answers
            ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": "token " + hub.token},
                                                     connect_timeout=120, request_timeout=120),
                                         max_message_size=256 * 1024 * 1024)
        except Exception as e:  # noqa: BLE001 (any failure to connect: say so loudly, start the kernel once more)
            log("RETRY %s: no websocket to the kernel (%s): a kernel start failed; starting it again" % (user, e))
            hub.request("DELETE", base + "/kernels/" + kid)
            if attempt == 2:
                return False, "the kernel did not answer twice"
            continue
        session = uuid.uuid4().hex

        async def run(code, timeout):
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": session, "msg_type": "execute_request",
                           "version": "5.3", "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            outputs, reply, idle = [], None, False
            deadline = time.time() + timeout
            while not (reply and idle):
                left = deadline - time.time()
                if left <= 0:
                    raise TimeoutError("no answer in %d s" % timeout)
                raw = await asyncio.wait_for(ws.read_message(), left)
                if raw is None:
                    raise ConnectionError("the websocket closed")
                if isinstance(raw, bytes):
                    continue
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                t, c = msg["msg_type"], msg["content"]
                if t == "execute_reply":
                    reply = c
                elif t == "status" and c.get("execution_state") == "idle":
                    idle = True
                elif t == "stream":
                    outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
                elif t in ("display_data", "execute_result"):
                    out = {"output_type": t, "data": c.get("data", {}), "metadata": c.get("metadata", {})}
                    if t == "execute_result":
                        out["execution_count"] = c.get("execution_count")
                    outputs.append(out)
                elif t == "error":
                    outputs.append({"output_type": "error", "ename": c.get("ename", ""), "evalue": c.get("evalue", ""),
                                    "traceback": c.get("traceback", [])})
            return reply, outputs

        try:
            reply, _ = await run("1 + 1", 45)  # the kernel answers at all (else: start it again)
        except (TimeoutError, asyncio.TimeoutError, ConnectionError) as e:
            log("RETRY %s: the kernel did not answer (%s): a kernel start failed; starting it again"
                % (user, str(e) or "no reply in 45 s"))
            ws.close()
            hub.request("DELETE", base + "/kernels/" + kid)
            if attempt == 2:
                return False, "the kernel did not answer twice"
            continue
        t0 = time.time()
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            code = "".join(cell["source"])
            reply, outputs = await run(code, 600)
            cell["outputs"] = outputs
            cell["execution_count"] = reply.get("execution_count")
            if reply.get("status") != "ok":
                ws.close()
                err = next((o for o in outputs if o["output_type"] == "error"), {})
                return False, "cell %d (%r): %s: %s" % (index + 1, code.splitlines()[0][:60], reply.get("ename", err.get("ename")),
                                                        (reply.get("evalue") or err.get("evalue") or "")[:300])
        log("%s: %d cells ran in %.0f s" % (user, sum(c["cell_type"] == "code" for c in nb["cells"]), time.time() - t0))
        ws.close()
        hub.request("DELETE", base + "/kernels/" + kid)
        return True, ""
    return False, "the kernel never answered"


def main():
    if os.geteuid() != 0:
        say("SKIPPED: creating users and starting JupyterHub needs root (CI runs as root)")
        return 0
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="fashion-hubtest-")
    os.chmod(tmp, 0o755)
    prefix = os.path.join(tmp, "prefix")
    kernel = "fashion-java-hubtest-%d" % os.getpid()
    users = ["fhub%da" % os.getpid(), "fhub%db" % os.getpid()]
    created = []
    hub_process = None
    try:
        say("environment/setup --system --prefix %s --name %s" % (prefix, kernel))
        subprocess.run([os.path.join(ROOT, "environment", "setup"), "--system", "--prefix", prefix, "--name", kernel],
                       check=True)
        install = os.path.join(prefix, "share", "fashion-mnist", kernel)
        spec = json.load(open(os.path.join(prefix, "share", "jupyter", "kernels", kernel, "kernel.json")))
        check(spec["env"].get("FASHION_PROJECT_DIR") == install and spec["env"].get("FASHION_SHARED_INSTALL") == "1"
              and all(p.startswith(install) for p in spec["env"]["RJK_CLASSPATH"].split(";")),
              "the system kernelspec runs the shared installation, marked shared, without reading the checkout")
        for user in users:
            home = os.path.join(tmp, "home", user)
            os.makedirs(os.path.dirname(home), exist_ok=True)
            subprocess.run(["useradd", "--create-home", "--home-dir", home, "--shell", "/bin/bash", user], check=True)
            created.append(user)
        token = uuid.uuid4().hex
        port = free_port()
        env = dict(os.environ, FASHION_HUB_API_TOKEN=token, FASHION_HUB_JUPYTER_PATH=os.path.join(prefix, "share", "jupyter"),
                   FASHION_HUB_HUB_PORT=str(free_port()), FASHION_HUB_PROXY_API_PORT=str(free_port()))
        hub_log = open(os.path.join(tmp, "hub.log"), "w")
        say("environment/hub on 127.0.0.1:%d for %s (log %s)" % (port, ", ".join(users), hub_log.name))
        hub_process = subprocess.Popen(
            [os.path.join(ROOT, "environment", "hub"), "--ip", "127.0.0.1", "--port", str(port), "--quick",
             "--users", ",".join(users), "--state", os.path.join(tmp, "state")],
            env=env, stdout=hub_log, stderr=subprocess.STDOUT, start_new_session=True)
        hub = Hub(port, token)
        check(hub.wait_up(), "the hub answers on 127.0.0.1:%d" % port)
        if failures:
            return 1
        known = {u["name"] for u in hub.request("GET", "/hub/api/users")[1]}  # allowed users are added at start
        if set(users) - known:
            hub.request("POST", "/hub/api/users", {"usernames": sorted(set(users) - known)})
        for user in users:
            check(hub.start_server(user), "%s's notebook server started (as %s)" % (user, user))
        if failures:
            return 1
        # the first user gets the notebook as committed; the second one with the old import lines in front
        notebooks = {}
        for i, user in enumerate(users):
            nb = json.load(open(NOTEBOOK))
            if i == 1:
                nb["cells"].insert(0, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                       "source": "\n".join(IMPORTS)})
            nb["metadata"]["kernelspec"] = {"name": kernel, "display_name": "Java (Fashion-MNIST)", "language": "java"}
            hub.request("PUT", "/user/%s/api/contents/part1.ipynb" % user, {"type": "notebook", "format": "json", "content": nb})
            notebooks[user] = nb
        check(all("import fashion" not in "".join(c["source"]) for c in notebooks[users[0]]["cells"]),
              "the committed notebook has no import lines")

        results = {}
        lock = threading.Lock()

        def log(text):
            with lock:
                say(text)

        async def both():
            return await asyncio.gather(*(execute_notebook(hub, u, kernel, notebooks[u], log)
                                          for u in users))

        t0 = time.time()
        outcome = asyncio.run(both())
        say("both notebooks executed in %.0f s" % (time.time() - t0))
        for user, (ok, message) in zip(users, outcome):
            results[user] = ok
            check(ok, "%s: Part 1 ran through the hub (%s)%s" % (
                user, "without import lines" if user == users[0] else "with the old import lines",
                "" if ok else ": " + message))
            hub.request("PUT", "/user/%s/api/contents/part1.ipynb" % user,
                        {"type": "notebook", "format": "json", "content": notebooks[user]})

        # results: each user's own, in their own home, nothing in the shared installation
        saved = {}
        for user in users:
            home = pwd.getpwnam(user).pw_dir
            files = sorted(glob.glob(os.path.join(home, "fashion-mnist", "results", "part1-fully-connected", "*.json")))
            saved[user] = files
            uid = pwd.getpwnam(user).pw_uid
            check(len(files) == 1 and os.stat(files[0]).st_uid == uid,
                  "%s's run is saved under ~%s/fashion-mnist/results, owned by %s: %s" % (
                      user, user, user, [os.path.relpath(f, home) for f in files]))
            if files:
                run = json.load(open(files[0]))
                check(run.get("quick") is True and run["test"]["accuracy"] > 0.5,
                      "%s's saved run is a quick run with test accuracy %.3f" % (user, run["test"]["accuracy"]))
            check(os.path.isfile(os.path.join(home, "part1.ipynb")) and
                  os.stat(os.path.join(home, "part1.ipynb")).st_uid == uid,
                  "%s's executed notebook is in their home, owned by them" % user)
            check(not os.path.exists(os.path.join(home, ".javacpp")),
                  "%s's home holds no copy of ND4J's native libraries (read from the installation's cache)" % user)
        other = {users[0]: users[1], users[1]: users[0]}
        for user in users:
            home_other = pwd.getpwnam(other[user]).pw_dir
            check(not any(f.startswith(home_other) for f in saved[user]), "%s's results are not in %s's home" % (user, other[user]))
        leaked = [p for p in glob.glob(os.path.join(install, "**", "*.json"), recursive=True)]
        check(not os.path.exists(os.path.join(install, "results")) and not leaked,
              "the shared installation holds no results (%d JSON files)" % len(leaked))
    except Exception as e:  # noqa: BLE001 (reported as a failed check, after the clean-up below)
        check(False, "the test ran to its end: %s: %s" % (type(e).__name__, e))
    finally:
        if hub_process is not None and hub_process.poll() is None:
            os.killpg(hub_process.pid, signal.SIGTERM)  # the hub stops the users' servers as it exits
            try:
                hub_process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(hub_process.pid, signal.SIGKILL)
        for user in created:
            # processes of the test's own users that the hub left behind (if any), by their ids
            uid = pwd.getpwnam(user).pw_uid
            for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
                try:
                    if os.stat("/proc/%d" % pid).st_uid == uid:
                        os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.5)
            subprocess.run(["userdel", user], check=False)
        if failures:
            say("kept for inspection until the next run: %s/hub.log" % tmp)
            keep = os.path.join(tempfile.gettempdir(), "fashion-hubtest-last.log")
            try:
                shutil.copy(os.path.join(tmp, "hub.log"), keep)
                say("hub log copied to " + keep)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
        say("removed the users, their homes, the hub's state and the installation (%.0f s in all)" % (time.time() - started))
    if failures:
        print("FAILED: %d check(s)" % len(failures))
        return 1
    print("hub test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
