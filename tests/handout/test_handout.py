"""scripts/handout.py: self-contained HTML handouts (images as data URIs, inlined CSS, no network at view time).

The exported page is opened from file:// in headless chromium with the network off (offline context, and
every non-file request aborted and recorded).
Run: .venv/bin/python -m pytest -q tests/handout
"""
from __future__ import annotations

import base64
import contextlib
import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import nbformat
import pytest

from browser.conftest import REPO, kernel_display_name, launch_chromium, require_chromium

SCRIPT = REPO / "scripts" / "handout.py"
SECRET = "SOLUTION_TEXT_DO_NOT_SHIP"
SECRET_OUT = "SOLUTION_OUTPUT_DO_NOT_SHIP"


def png(width: int = 40, height: int = 20) -> bytes:
    """A real RGB PNG (a red/blue split) without Pillow."""
    rows = b"".join(b"\x00" + (b"\xff\x00\x00" * (width // 2) + b"\x00\x00\xff" * (width - width // 2))
                    for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG_B64 = base64.b64encode(png()).decode()


def stored_notebook() -> nbformat.NotebookNode:
    """A notebook with outputs already stored (no kernel needed)."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "serverlab", "display_name": "ServerLab (Java)", "language": "java"}
    nb.cells = [
        v4.new_markdown_cell("# Handout title\n\nSome *markdown* prose for the students."),
        v4.new_code_cell('System.out.println("visible output line")',
                         outputs=[v4.new_output("stream", name="stdout", text="visible output line\n")]),
        v4.new_code_cell(f'// {SECRET}\nint answer = 42;',
                         outputs=[v4.new_output("stream", name="stdout", text=SECRET_OUT + "\n")],
                         metadata={"tags": ["solution"]}),
        v4.new_code_cell("chart",
                         outputs=[v4.new_output("display_data", data={"image/png": PNG_B64, "text/plain": "chart"})]),
    ]
    return nb


def executable_notebook(solution_comment: str) -> nbformat.NotebookNode:
    """For the kernel: a solution (commented), a cell that needs it and prints whether quick mode is on, a chart."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "serverlab", "display_name": "ServerLab (Java)", "language": "java"}
    nb.cells = [
        v4.new_code_cell(f"{solution_comment}\nint answer = 6 * 7;", metadata={"tags": ["solution"]}),
        v4.new_code_cell('System.out.println("answer is " + answer + ", quick " + serverlab.labs.Quick.enabled());'),
        v4.new_code_cell('org.knowm.xchart.QuickChart.getChart("T","x (s)","y (ms)","s", '
                         "new double[]{1,2}, new double[]{3,4})"),
    ]
    return nb


def run_handout(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"handout.py {' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return p


def network_loads(html: str) -> list[str]:
    """Every script/stylesheet/image/iframe/... the page would fetch over http(s) (independent of handout.py)."""
    found = []
    for tag in re.finditer(r"<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*>", html, re.I):
        for url in re.findall(r"""\b(?:src|href|data)\s*=\s*["']((?:https?:)?//[^"']+)""", tag.group(0), re.I):
            found.append(f"<{tag.group(1).lower()}> {url}")
    found += [f"css {m}" for m in re.findall(r"""(?:@import|url\()\s*["']?((?:https?:)?//[^"')\s;]+)""", html, re.I)]
    found += [f"import() {m}" for m in re.findall(r"""import\(\s*["']((?:https?:)?//[^"']+)""", html)]
    return found


@pytest.fixture
def exported(tmp_path):
    src = tmp_path / "lesson.ipynb"
    nbformat.write(stored_notebook(), str(src))
    out = tmp_path / "lesson.html"
    run_handout(str(src), "-o", str(out))
    return out


def test_html_is_self_contained_without_solutions(exported):
    html = exported.read_text(encoding="utf-8")
    assert f"data:image/png;base64,{PNG_B64}" in html, "the PNG output is not embedded as a data URI"
    assert SECRET not in html and SECRET_OUT not in html, "a solution-tagged cell leaked into the handout"
    assert "int answer = 42" not in html
    assert "visible output line" in html and "Handout title" in html
    loads = network_loads(html)
    assert loads == [], "the handout fetches from the network:\n" + "\n".join(loads)
    assert not re.search(r"<link\b[^>]*stylesheet", html, re.I), "stylesheet left as a <link>"
    assert len(re.findall(r"<style\b", html)) >= 2, "the lab CSS is not inlined"
    assert "--jp-ui-font-family" in html, "JupyterLab theme variables missing from the inlined CSS"
    for marker in ("cdnjs.cloudflare.com", "require.min.js", "mermaid.esm", "MathJax.Hub", "unpkg.com"):
        assert marker not in html, f"{marker!r} is still in the page"


def test_keep_solutions(tmp_path):
    src = tmp_path / "lesson.ipynb"
    nbformat.write(stored_notebook(), str(src))
    out = tmp_path / "teacher.html"
    run_handout(str(src), "-o", str(out), "--keep-solutions")
    html = out.read_text(encoding="utf-8")
    assert SECRET in html and SECRET_OUT in html


def test_default_output_path(tmp_path):
    src = tmp_path / "lesson.ipynb"
    nbformat.write(stored_notebook(), str(src))
    run_handout(str(src))
    assert (tmp_path / "lesson.html").is_file()


@contextlib.contextmanager
def offline_page():
    """A Chromium page that may load file: and data: URLs only; any other request is aborted, and fails the test."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    attempted: list[str] = []

    def block(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
            context.set_default_timeout(20_000)
            context.route("**/*", block)
            page = context.new_page()
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else attempted.append(r.url))
            yield page
        finally:
            browser.close()
    assert attempted == [], f"the page tried the network: {attempted}"


def test_opens_offline_in_chromium(exported, tmp_path):
    with offline_page() as page:
        page.goto(exported.as_uri(), wait_until="load")
        img = page.locator(".jp-RenderedImage img")
        assert img.count() == 1
        page.wait_for_function("() => { const i = document.querySelector('.jp-RenderedImage img');"
                               " return i && i.complete; }")
        size = img.evaluate("i => [i.naturalWidth, i.naturalHeight]")
        assert size == [40, 20], f"image not decoded: natural size {size}"
        assert img.is_visible()
        body = page.locator("body").inner_text()
        assert "Handout title" in body and "visible output line" in body
        assert SECRET not in body
        # the inlined lab CSS is in effect (a theme variable resolves, code cells are laid out as in Lab)
        font = page.evaluate("() => getComputedStyle(document.body).getPropertyValue('--jp-ui-font-family')")
        assert font.strip(), "JupyterLab CSS variables are not applied"
        page.screenshot(path=str(tmp_path / "handout.png"), full_page=True)
        print(f"[handout] screenshot: {tmp_path / 'handout.png'}")


def test_execute_runs_solutions_then_drops_them(tmp_path):
    """--execute runs every cell (a later cell may need a solution's variable), then removes the solutions."""
    kernel_display_name()  # skips when the serverlab kernelspec is missing
    nb = executable_notebook(f"// {SECRET}")
    src = tmp_path / "exec.ipynb"
    nbformat.write(nb, str(src))
    out = tmp_path / "exec.html"
    t0 = time.monotonic()
    run_handout(str(src), "-o", str(out), "--execute", "--quick", timeout=180)
    took = time.monotonic() - t0
    html = out.read_text(encoding="utf-8")
    assert "answer is 42" in html
    assert SECRET not in html and "6 * 7" not in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,iVBORw0KGgo', html), "no embedded PNG chart"
    assert network_loads(html) == []
    print(f"[handout] --execute took {took:.1f} s")
