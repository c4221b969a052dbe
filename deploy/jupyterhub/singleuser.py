"""jupyterhub-singleuser run by the workbook's venv (JupyterLab 4 and the serverlab kernelspec).

The venv lacks the `jupyterhub` package (no wheel in reach; Debian ships 3.0 for its own python3), so the
hub's site-packages directory (SERVERLAB_HUB_SITE, set by jupyterhub_config.py) is appended to sys.path:
the venv's jupyter_server, tornado and traitlets come first, the hub's packages only fill what is missing.
"""
import os
import sys

sys.path.append(os.environ["SERVERLAB_HUB_SITE"])

from jupyterhub.singleuser import main  # noqa: E402 (after the path is set)

sys.exit(main())
