"""Every chapter of the workbook exports as a student handout with every chart and no solution.

Uses the executed copies tests/notebooks keeps in .lab/executed/ (./test runs the notebooks part first); a
chapter without one is executed here, in quick mode.
Run: .venv/bin/python -m pytest -q tests/handout/test_chapters.py
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from browser.conftest import REPO, kernel_display_name
from handout.test_handout import network_loads, run_handout

CHAPTERS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXECUTED = REPO / ".lab" / "executed"


def solution_lines(nb) -> list[str]:
    """Distinctive lines of solution cells: the test searches the handout for their content, not their tag."""
    lines = []
    for cell in nb.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            lines += [ln.strip() for ln in cell.source.splitlines() if len(ln.strip()) >= 25]
    return lines


def images(nb) -> int:
    return sum(1 for cell in nb.cells if "solution" not in cell.get("metadata", {}).get("tags", [])
               for out in cell.get("outputs", []) if "image/png" in out.get("data", {}))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_handout_has_every_chart_and_no_solution(chapter: Path, tmp_path):
    executed = EXECUTED / chapter.name
    out = tmp_path / (chapter.stem + ".html")
    if executed.is_file():
        run_handout(str(executed), "-o", str(out))
    else:
        kernel_display_name()  # skips when the serverlab kernelspec is missing
        run_handout(str(chapter), "-o", str(out), "--execute", "--quick", timeout=900)
        executed = chapter
    html = out.read_text(encoding="utf-8")
    source = nbformat.read(str(chapter), as_version=4)
    leaked = [ln for ln in solution_lines(source) if ln in html or ln.replace("<", "&lt;") in html]
    assert not leaked, f"{chapter.name}: solution text in the student handout: {leaked[:3]}"
    embedded = len(re.findall(r'<img[^>]+src="data:image/png;base64,', html))
    if executed != chapter:
        expected = images(nbformat.read(str(executed), as_version=4))
        assert embedded == expected, f"{chapter.name}: {expected} charts in the run, {embedded} in the handout"
    assert network_loads(html) == [], f"{chapter.name}: the handout fetches from the network"
