"""The ServerLab kernel in a real JupyterLab 4 page (Debian chromium, headless, via Playwright).

One JupyterLab server for this module (fixture ``lab``); every test writes its own notebook, opens it in a
fresh browser context, and the fixture shuts its kernel down afterwards, so tests do not depend on each other.
Run: .venv/bin/python -m pytest -q tests/browser
"""
from __future__ import annotations

import os
import shutil
import time

import pytest

from .conftest import NOTEBOOK_TIMEOUT, REPO, error_outputs, new_notebook

STDERR = "[data-mime-type='application/vnd.jupyter.stderr']"
IMAGE = ".jp-OutputArea-output.jp-RenderedImage img"

TOUR = [
    "1 + 1",
    'System.out.println("hello from java")',
    'tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", new int[]{1,2,3}))',
    'org.knowm.xchart.QuickChart.getChart("T","x (s)","y (ms)","s", new double[]{1,2}, new double[]{3,4})',
    'String id = display("before update");\nupdateDisplay(id, "after update");',
]


def output_text(page, cell_index: int) -> str:
    """Visible text of one cell's outputs (DOM, as the user sees it; without the "[n]:" prompt)."""
    outs = page.locator(".jp-Notebook .jp-Cell").nth(cell_index).locator(".jp-OutputArea-output")
    return "\n".join(outs.all_inner_texts())


def test_run_all_renders_every_output_kind(notebook, tmp_path):
    nb = notebook("tour.ipynb").write(new_notebook(TOUR)).open()
    page = nb.page
    nb.command("application:toggle-left-area")  # more room for the screenshot
    t0 = time.monotonic()
    state = nb.run_all()
    took = time.monotonic() - t0
    shot = nb.screenshot("tour.png", tmp_path)

    assert not error_outputs(state), error_outputs(state)
    assert [c["count"] for c in state["cells"]] == list(range(1, len(TOUR) + 1)), state["cells"]
    assert page.locator(STDERR).count() == 0, page.locator(STDERR).all_inner_texts()

    assert output_text(page, 0).strip() == "2"
    assert "hello from java" in output_text(page, 1)
    table = page.locator(".jp-Notebook .jp-Cell").nth(2).locator(".jp-RenderedHTMLCommon table")
    assert table.count() == 1, f"no HTML table rendered; output: {output_text(page, 2)!r}"
    assert table.locator("tbody tr").count() == 3
    img = page.locator(".jp-Notebook .jp-Cell").nth(3).locator(IMAGE)
    assert img.count() == 1, f"no image output; output: {output_text(page, 3)!r}"
    width = img.evaluate("i => i.complete ? i.naturalWidth : 0")
    assert width > 0, "chart image did not decode"
    shown = output_text(page, 4)
    assert "after update" in shown and "before update" not in shown, shown
    nb.wait_idle(10)
    print(f"[browser] run-all of {len(TOUR)} cells took {took:.1f} s; screenshot {shot}")


def test_interrupt_from_toolbar_keeps_kernel_alive(notebook):
    nb = notebook("interrupt.ipynb").write(new_notebook(["while (true) {}", "int after = 7; after"])).open()
    page = nb.page
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    nb.command("notebook:run-cell")
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'busy'",
        timeout=20_000)
    time.sleep(1.5)  # the loop is really spinning
    assert nb.state()["cells"][0]["count"] is None, "the infinite loop finished on its own?"

    t0 = time.monotonic()
    page.locator(".jp-NotebookPanel-toolbar jp-button[data-command='notebook:interrupt-kernel']").click()
    nb.wait_executed(timeout=30, indices=[0])
    nb.wait_idle(30)
    took = time.monotonic() - t0

    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 1; }")
    nb.command("notebook:run-cell")
    state = nb.wait_executed(timeout=30, indices=[1])
    second = state["cells"][1]
    assert not error_outputs({"cells": [second]}), error_outputs({"cells": [second]})
    assert output_text(page, 1).strip() == "7", output_text(page, 1)
    nb.wait_idle(10)
    first = state["cells"][0]["outputs"]
    assert any(o.get("output_type") == "error" for o in first), f"the stopped cell reports no error: {first}"
    print(f"[browser] interrupt → idle in {took:.2f} s; interrupted cell output: "
          f"{[(o.get('output_type'), o.get('ename'), o.get('evalue')) for o in first]}")


# Every chapter takes 1-2 minutes in the browser and its checks measure a machine that chromium also loads:
# ./test browser runs 00-welcome; SERVERLAB_BROWSER_CHAPTERS=all (or a comma-separated list of names) runs more;
# SERVERLAB_BROWSER_FULL=1 runs them in full mode (give SERVERLAB_BROWSER_NOTEBOOK_TIMEOUT=900: up to 15 min each).
_ALL_CHAPTERS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
_CHOSEN = os.environ.get("SERVERLAB_BROWSER_CHAPTERS", "00-welcome")
CHAPTERS = _ALL_CHAPTERS if _CHOSEN == "all" else [c for c in _ALL_CHAPTERS if c.removesuffix(".ipynb") in _CHOSEN.split(",")]


@pytest.mark.timeout(240 + NOTEBOOK_TIMEOUT)  # inner bounds: page 60 s + kernel idle 90 s + run-all NOTEBOOK_TIMEOUT (180 s)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_top_to_bottom_in_quick_mode(notebook, lab, tmp_path, chapter):
    """What a student does: open the chapter in JupyterLab and Run All; every cell runs, no error, charts render."""
    copy = lab.root / "workbook"
    if not copy.exists():  # a temp copy of notebooks/ (relative paths keep working; saving does not touch the repo)
        shutil.copytree(REPO / "notebooks", copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.html"))
    nb = notebook(f"workbook/{chapter}").open()
    t0 = time.monotonic()
    state = nb.run_all(timeout=NOTEBOOK_TIMEOUT)
    took = time.monotonic() - t0
    page = nb.page
    nb.screenshot(chapter.replace(".ipynb", ".png"), tmp_path)
    assert not error_outputs(state), "\n".join(error_outputs(state))
    pending = [c["index"] for c in state["cells"] if c["count"] is None]
    assert not pending, f"cells never ran: {pending}"
    assert page.locator(STDERR).count() == 0, page.locator(STDERR).all_inner_texts()
    images = page.locator(IMAGE)
    assert images.count() >= 1, f"{chapter} rendered no image output"
    undecoded = images.evaluate_all("imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length")
    assert undecoded == 0, f"{undecoded} of {images.count()} chart images did not decode"
    print(f"[browser] {chapter}: {len(state['cells'])} code cells, {images.count()} images, {took:.1f} s")


def test_input_box_answers_system_in(notebook):
    nb = notebook("stdin.ipynb").write(new_notebook(
        ['String name = input("Your name: ");\nSystem.out.println("hello " + name);'])).open()
    page = nb.page
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    nb.command("notebook:run-cell")
    box = page.locator(".jp-Stdin-input")
    box.wait_for(state="visible", timeout=30_000)
    assert "Your name:" in page.locator(".jp-Stdin-prompt").inner_text()
    box.fill("Ada")
    box.press("Enter")
    state = nb.wait_executed(timeout=30, indices=[0])
    assert not error_outputs(state), error_outputs(state)
    assert "hello Ada" in output_text(page, 0), output_text(page, 0)


def test_interrupt_while_the_input_box_waits(notebook):
    nb = notebook("stdin-interrupt.ipynb").write(new_notebook(
        ['String never = input("waiting: ");', "int afterInput = 5; afterInput"])).open()
    page = nb.page
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    nb.command("notebook:run-cell")
    page.locator(".jp-Stdin-input").wait_for(state="visible", timeout=30_000)
    page.locator(".jp-NotebookPanel-toolbar jp-button[data-command='notebook:interrupt-kernel']").click()
    state = nb.wait_executed(timeout=30, indices=[0])
    first = state["cells"][0]["outputs"]
    assert any(o.get("output_type") == "error" for o in first), f"the interrupted input reports no error: {first}"
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 1; }")
    nb.command("notebook:run-cell")
    nb.wait_executed(timeout=30, indices=[1])
    assert output_text(page, 1).strip() == "5", output_text(page, 1)
