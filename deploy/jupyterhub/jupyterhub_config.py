"""JupyterHub for a class on one machine: every student gets JupyterLab with the ServerLab kernel.

  sudo jupyterhub -f deploy/jupyterhub/jupyterhub_config.py      (Debian: apt-get install jupyterhub)

- Users are the machine's accounts (PAM); a student logs in with their own password and their server runs as
  them, so files and processes are theirs. Copy the workbook to each home (`cp -r notebooks ~student/`).
- Single-user servers run from a venv every account can use (sudo deploy/jupyterhub/install-venv makes it)
  through singleuser.py; the hub picks a free port for each server, each kernel binds its own ephemeral ports.
- Limits: each server, its kernel and every JVM a chapter starts share one cgroup of mem_limit and cpu_limit
  (cgroup_spawner.py, which empties and removes it after every stop); LocalProcessSpawner alone would only pass
  them on as environment variables.
- Idle culling without a hub service (jupyterhub-idle-culler is not packaged here): a server shuts its idle
  kernels down after 20 min and exits after 1 h without activity; the hub sees it exit and frees the user's slot.
  The server checks for no activity once a minute and the hub polls every 30 s: a kernel goes 20-21 min after
  its last reply, a server 60-61 min after its last activity, its slot up to 30 s later. Tested with the same
  keys at 30 s, every 5 s and 60 s (tests/deploy/test_jupyterhub.py, test_idle_culling): the kernel, its hosted
  server's JVM and port went 35-36 s after the last cell, the server exited after 94-107 s and the hub freed the
  slot after 102-125 s, cgroup emptied and removed; a user running a cell every 5 s kept all of theirs.
  Activity is a change (a save, a kernel started or stopped, a kernel's message), not the reads and layout saves
  an open JupyterLab tab makes every few seconds (singleuser.py): a forgotten tab does not keep its server.
Override anything after loading this file (tests/deploy/test_jupyterhub.py does so for a local test).
"""
import os
import sys
from pathlib import Path

import jupyterhub

HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("SERVERLAB_VENV", "/opt/serverlab/venv"))  # made by install-venv
sys.path.insert(0, str(HERE))

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

c.JupyterHub.bind_url = "http://127.0.0.1:8000"  # behind a TLS proxy for a real class
c.JupyterHub.hub_ip = "127.0.0.1"
# Debian's configurable-http-proxy keeps its node modules in /usr/share/nodejs, where only Debian's own
# node looks; a node from elsewhere (NodeSource) finds them through NODE_PATH.
os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")
c.JupyterHub.authenticator_class = "pam"

c.JupyterHub.spawner_class = "cgroup_spawner.CgroupSpawner"
c.Spawner.cmd = [str(VENV / "bin" / "python"), str(HERE / "singleuser.py")]
c.Spawner.default_url = "/lab/tree/notebooks/00-welcome.ipynb"
c.Spawner.environment = {"SERVERLAB_HUB_SITE": str(Path(jupyterhub.__file__).parent.parent)}
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "SERVERLAB_QUICK"]
c.Spawner.mem_limit = "2G"  # Binder's size: every chapter fits (bench/chapter-memory)
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 120
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_interval=60",
    "--MappingKernelManager.cull_connected=True",
    "--ServerApp.shutdown_no_activity_timeout=3600",
]
