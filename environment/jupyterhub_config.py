# JupyterHub configuration for a class on one server (docs/instructors.md), read by environment/hub.
#
# Debian's JupyterHub (package jupyterhub, 3.0) with its defaults where they fit a class: local users log in with
# their system password (PAM), and each gets a notebook server started as that user in their home folder
# (LocalProcessSpawner). The Java kernel comes from `environment/setup --system`: every user's kernel reads the
# shared installation and writes its results under the user's own ~/fashion-mnist/results.
#
# environment/hub sets these variables from its options (all optional):
#   FASHION_HUB_IP, FASHION_HUB_PORT     where students connect (default 127.0.0.1:8000)
#   FASHION_HUB_STATE                    the hub's database, cookie secret and proxy pid file (default /var/lib/fashion-hub)
#   FASHION_HUB_USERS, FASHION_HUB_GROUP who may log in: user names (comma-separated) and/or a Unix group
#                                        (neither: every local user with a password)
#   FASHION_HUB_ADMINS                   user names (comma-separated) who see the hub's admin page
#   FASHION_HUB_SSL_CERT, FASHION_HUB_SSL_KEY   serve HTTPS (needed when the hub is reached over a network)
#   FASHION_HUB_JUPYTER_PATH             extra Jupyter data folders for the users' servers (a kernelspec installed
#                                        with setup --system --prefix somewhere other than /usr/local)
#   FASHION_HUB_RESULTS_DIR              each user's results folder, with {username}, e.g. /srv/class/{username}/results
#                                        (default: ~/fashion-mnist/results)
#   FASHION_HUB_HUB_PORT, FASHION_HUB_PROXY_API_PORT   the hub's and the proxy's internal ports (8081, 8001)
#   FASHION_HUB_API_TOKEN                an admin API token for a service named "fashion-admin" (scripts, tests)
#   FASHION_QUICK                        passed on to every user's kernels (quick mode for the whole class)
#   FASHION_REPRODUCIBLE                 passed on to every user's kernels (runs repeat bit for bit; README)
import os

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)


def env(name, default=None):
    value = os.environ.get(name, "")
    return value if value.strip() else default


def names(name):
    return {n.strip() for n in env(name, "").split(",") if n.strip()}


# --- where students connect ---------------------------------------------------------------------------------------
c.JupyterHub.ip = env("FASHION_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(env("FASHION_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("FASHION_HUB_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%s" % env("FASHION_HUB_PROXY_API_PORT", "8001")
if env("FASHION_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = env("FASHION_HUB_SSL_CERT")
    c.JupyterHub.ssl_key = env("FASHION_HUB_SSL_KEY")

# --- the hub's own files ------------------------------------------------------------------------------------------
state = env("FASHION_HUB_STATE", "/var/lib/fashion-hub")
os.makedirs(state, mode=0o700, exist_ok=True)
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")

# The proxy, configurable-http-proxy, is Debian's node-configurable-http-proxy (a dependency of jupyterhub). Its
# modules live in /usr/share/nodejs, which Debian's nodejs searches but a Node.js from elsewhere (NodeSource, nvm)
# does not: name the folder for it (the hub passes its environment to the proxy).
if os.path.isdir("/usr/share/nodejs"):
    os.environ["NODE_PATH"] = os.pathsep.join(p for p in [os.environ.get("NODE_PATH", ""), "/usr/share/nodejs"] if p)

# --- who logs in: local users, by their system password (PAM) ------------------------------------------------------
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
if names("FASHION_HUB_USERS"):
    c.Authenticator.allowed_users = names("FASHION_HUB_USERS")
if env("FASHION_HUB_GROUP"):
    c.LocalAuthenticator.allowed_groups = {env("FASHION_HUB_GROUP")}
if names("FASHION_HUB_ADMINS"):
    c.Authenticator.admin_users = names("FASHION_HUB_ADMINS")

# --- each user's notebook server: their own process, in their home -----------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/tree"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
environment = {}
if env("FASHION_HUB_JUPYTER_PATH"):
    environment["JUPYTER_PATH"] = env("FASHION_HUB_JUPYTER_PATH")
if env("FASHION_QUICK"):
    environment["FASHION_QUICK"] = env("FASHION_QUICK")
if env("FASHION_REPRODUCIBLE"):
    environment["FASHION_REPRODUCIBLE"] = env("FASHION_REPRODUCIBLE")
if env("FASHION_HUB_RESULTS_DIR"):
    pattern = env("FASHION_HUB_RESULTS_DIR")
    environment["FASHION_RESULTS_DIR"] = lambda spawner: pattern.format(username=spawner.user.name)
c.Spawner.environment = environment

# --- an API token for scripts and tests (never needed by students) -------------------------------------------------
if env("FASHION_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "fashion-admin", "api_token": env("FASHION_HUB_API_TOKEN")}]
    c.JupyterHub.load_roles = [{"name": "admin", "services": ["fashion-admin"]}]
