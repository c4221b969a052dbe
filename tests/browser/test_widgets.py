"""Jupyter widgets from Java cells in a real JupyterLab 4 page (jupyterlab_widgets, Debian chromium, Playwright).

A slider drives an interact(...) chart, a button writes into an Output widget, and the server explorer runs
the architecture picked in its drop-down: the test moves, presses and picks as a user does, and checks that
the chart image and the outputs really changed.
Run: .venv/bin/python -m pytest -q tests/browser/test_widgets.py
"""
from __future__ import annotations

import time

from .conftest import error_outputs, new_notebook

CELLS = [
    'var n = new IntSlider("n", 1, 10, 2);\n'
    'interact(() -> display(QuickChart.getChart("n = " + n.value(), "x", "y", "s",\n'
    '        new double[]{0, 1, 2}, new double[]{0, n.value(), 2 * n.value()})), n);',
    'var presses = new AtomicInteger(); var pressed = new Output(); var press = new Button("Press me");\n'
    'press.onClick(() -> { try (var c = pressed.capture()) { pressed.clear(true);'
    ' System.out.println("pressed " + presses.incrementAndGet() + " times"); } });\n'
    'new VBox(press, pressed)',
    'ServerExplorer.show();',
]


def cell(page, index):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout:.0f} s")


def test_slider_button_and_server_explorer(notebook, tmp_path):
    nb = notebook("widgets.ipynb").write(new_notebook(CELLS)).open()
    page = nb.page
    state = nb.run_all(timeout=120)
    assert not error_outputs(state), error_outputs(state)

    chart = cell(page, 0).locator(".widget-output img")
    chart.first.wait_for(state="visible", timeout=60_000)
    before = chart.first.get_attribute("src")
    assert cell(page, 0).locator(".widget-readout").inner_text().strip() == "2"

    handle = cell(page, 0).locator(".noUi-handle").first   # ipywidgets 8 sliders are noUiSlider: keys move them
    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    wait_for(lambda: cell(page, 0).locator(".widget-readout").inner_text().strip() == "5", 20, "the slider did not move to 5")
    after = wait_for(lambda: (src := chart.first.get_attribute("src")) != before and src, 60,
                     "the chart image was not replaced after the slider moved")
    assert chart.count() == 1, f"interact left {chart.count()} charts; the new one should replace the old"
    assert after.startswith("data:image/png"), after[:40]

    button = cell(page, 1).locator("button.jupyter-button", has_text="Press me")
    button.click()
    wait_for(lambda: "pressed 1 times" in cell(page, 1).locator(".widget-output").inner_text(), 30,
             "the button's output did not appear")
    button.click()
    wait_for(lambda: "pressed 2 times" in cell(page, 1).locator(".widget-output").inner_text(), 30,
             "the second press did not replace the output")
    assert "pressed 1 times" not in cell(page, 1).locator(".widget-output").inner_text()
    nb.wait_idle(30)

    explorer = cell(page, 2)
    explorer.locator(".widget-output img").first.wait_for(state="visible", timeout=60_000)
    first_chart = explorer.locator(".widget-output img").first.get_attribute("src")
    assert "thread-pool · 16 conn · /hello" in explorer.locator(".widget-output").inner_text()
    explorer.locator(".widget-dropdown select").select_option(label="event-loop")
    explorer.locator(".widget-toggle-buttons button", has_text="/sleep?ms=5").click()
    explorer.locator("button.jupyter-button", has_text="Run").click()
    wait_for(lambda: "event-loop · 16 conn · /sleep?ms=5" in explorer.locator(".widget-output").inner_text(), 60,
             "the explorer did not run the picked architecture and workload")
    wait_for(lambda: explorer.locator(".widget-output img").first.get_attribute("src") != first_chart, 30,
             "the explorer's chart was not replaced")
    nb.wait_idle(30)
    nb.screenshot("widgets.png", tmp_path)
