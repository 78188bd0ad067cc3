"""Which kernelspec the project's scripts start.

environment/setup writes this checkout's kernelspec "fashion-java" under environment/.kernel/jupyter/kernels and
also installs it for the user; a second checkout's setup re-points the user's copy. The project's own scripts
(run, execute.py, the tests) always start their own checkout's kernel by putting that folder first on
JUPYTER_PATH, which Jupyter searches before the user's folder.
"""
import os


def use_this_checkouts_kernel():
    """[issue 19] Makes the kernelspec name "fashion-java" resolve to this checkout's own spec
    (environment/.kernel/jupyter/kernels/fashion-java, written by environment/setup), whatever the user's installed
    "fashion-java" points at: JUPYTER_PATH comes first in Jupyter's search path. Kernels started from here see it too."""
    spec_root = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".kernel", "jupyter")
    paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != spec_root]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([spec_root] + paths)
