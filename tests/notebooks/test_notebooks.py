"""Execute every notebooks/*.ipynb top to bottom with the ServerLab kernel (quick mode).

Each executed copy is kept in .lab/executed/ (tests/handout exports those instead of running the chapters
again), and each chapter's run time is printed against the quick-mode budget (2 min on 2 cores).
"""
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import KERNEL_NAME, require_kernelspec

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXECUTED = ROOT / ".lab" / "executed"
CELL_TIMEOUT = 600
QUICK_BUDGET_S = 120


def problems(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr" and "Exception" in out.get("text", ""):
                found.append(f"cell {i}: stderr: {out['text'][:500]}")
    return found


@pytest.mark.timeout(3 * 3600)
@pytest.mark.parametrize("path", NOTEBOOKS or [None], ids=[p.name for p in NOTEBOOKS] or ["no-notebooks"])
def test_notebook_runs_clean(path, monkeypatch):
    assert path is not None, "notebooks/ has no .ipynb files: the workbook is missing"
    require_kernelspec()
    monkeypatch.setenv("SERVERLAB_QUICK", "1")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        startup_timeout=120,
        allow_errors=False,  # stop at the first error output (CellExecutionError)
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as e:  # an error output, a cell timeout or a dead kernel
        pytest.fail(f"{path.name}: {e}", pytrace=False)
    took = time.monotonic() - start
    print(f"[notebook] {path.name}: {took:.0f} s in quick mode (budget {QUICK_BUDGET_S} s"
          f"{'' if took <= QUICK_BUDGET_S else ', OVER BUDGET'})")
    found = problems(nb)
    assert not found, f"{path.name}:\n" + "\n".join(found)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(EXECUTED / path.name))
