"""jupyterhub-singleuser run by the workbook's venv (JupyterLab 4 and the serverlab kernelspec).

The venv lacks the `jupyterhub` package (no wheel in reach; Debian ships 3.0 for its own python3), so the
hub's site-packages directory (SERVERLAB_HUB_SITE, set by jupyterhub_config.py) is appended to sys.path:
the venv's jupyter_server, tornado and traitlets come first, the hub's packages only fill what is missing.
"""
import os
import sys

sys.path.append(os.environ["SERVERLAB_HUB_SITE"])

from jupyter_server.base.handlers import APIHandler  # noqa: E402
from jupyterhub.singleuser import main  # noqa: E402 (after the path is set)
from jupyterlab_server.workspaces_handler import WorkspacesHandler  # noqa: E402


def count_only_changes_as_activity() -> None:
    """An open JupyterLab tab reads /api/kernels, /api/sessions, /api/terminals, /api/contents, /api/me and
    /api/kernelspecs and saves its layout (/lab/api/workspaces) every few seconds, and jupyter_server counts
    every API request as activity: a tab left open kept its server from ever shutting down for lack of
    activity (measured: still running 202 s into a 60 s timeout). Here reads and layout saves do not count;
    saving a file, starting or stopping a kernel, and the kernels' own messages still do."""
    record = APIHandler.update_api_activity

    def update_api_activity(self: APIHandler) -> None:
        if self.request.method not in ("GET", "HEAD") and not isinstance(self, WorkspacesHandler):
            record(self)

    APIHandler.update_api_activity = update_api_activity


count_only_changes_as_activity()
sys.exit(main())
