#!/usr/bin/env python3
"""Record a chapter's full-length results: run it top to bottom in full mode with SERVERLAB_RECORD=1.

    .venv/bin/python scripts/record.py notebooks/01-metrics.ipynb [more.ipynb ...]

Every table a chapter passes through ``Recorded.keep(chapter, experiment, table)`` is written to
``notebooks/results/<chapter>.<experiment>.csv``, and the machine to ``<chapter>.machine.txt``. The notebook
file itself is not changed (the workbook is committed without outputs). Prints each chapter's run time, which
is the full-mode budget to keep (<= 15 min). Exit status 1 when a chapter fails.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def record(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="serverlab", timeout=1800, startup_timeout=120,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as e:
        print(f"{path.name}: FAILED after {time.monotonic() - start:.0f} s\n{e}", file=sys.stderr)
        return False
    print(f"{path.name}: recorded in {time.monotonic() - start:.0f} s (full mode)")
    return True


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    os.environ.pop("SERVERLAB_QUICK", None)
    os.environ["SERVERLAB_RECORD"] = "1"
    return 0 if all([record(Path(p).resolve()) for p in argv]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
