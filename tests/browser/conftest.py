"""Browser fixtures: a real JupyterLab server (one per test module) driven by Debian chromium via Playwright.

This directory is a package (``__init__.py``) on purpose: the top-level ``tests/conftest.py`` is imported as
the plain module ``conftest`` (``from conftest import ...`` in tests/kernel), and a second top-level
``conftest`` here would shadow it.

Fixtures
- ``lab``      module scope: ``LabServer`` on a free 127.0.0.1 port, its own JUPYTER_CONFIG/DATA/RUNTIME dirs,
               the announcements toast disabled, notebook windowing off (every cell stays in the DOM),
               ``SERVERLAB_QUICK=1`` in its environment (the kernel inherits it). ``lab.root`` is the
               (temporary) notebook dir. Stopped by PID at module end, with any surviving child (kernels).
- ``browser``  module scope: headless /usr/bin/chromium (flags from shared/MACHINE-NOTES.md).
- ``page``     per test: a fresh context + page; after the test every kernel session of the server is shut
               down so the next test starts clean.
- ``notebook`` per test: ``Notebook(page, lab, name)`` helper; ``open()`` waits for "<display name> | Idle".

Every wait is bounded (``NOTEBOOK_TIMEOUT`` = 180 s per notebook by default).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_SHARE = REPO / ".venv" / "share" / "jupyter"
CHROMIUM = os.environ.get("SERVERLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
KERNEL_NAME = os.environ.get("SERVERLAB_TEST_KERNEL", "serverlab")
SERVER_START_TIMEOUT = 60.0
KERNEL_IDLE_TIMEOUT = 90.0
NOTEBOOK_TIMEOUT = float(os.environ.get("SERVERLAB_BROWSER_NOTEBOOK_TIMEOUT", "180"))

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def require_chromium():
    """Skip (not fail) when the browser stack is missing; CI installs it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"chromium not found at {CHROMIUM}: apt-get install chromium "
                    "(or set SERVERLAB_CHROMIUM to a chromium binary)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: .venv/bin/pip install --retries 0 playwright")


def launch_chromium(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def kernel_display_name(name: str = KERNEL_NAME) -> str:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    ksm = KernelSpecManager()
    ksm.kernel_dirs = [str(VENV_SHARE / "kernels")] + list(ksm.kernel_dirs)
    try:
        return ksm.get_kernel_spec(name).display_name
    except NoSuchKernel:
        pytest.skip(f"kernelspec {name!r} is not installed (run ./lab --install-only)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- JupyterLab server


def _die_with_parent():
    """In the child: SIGTERM when pytest dies (even by SIGKILL), so no server outlives a killed run (Linux)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux/glibc: the fixture's stop() still cleans up
        pass


class LabServer:
    def __init__(self, base: Path, env_extra: dict[str, str] | None = None):
        self.base = base
        self.root = base / "notebooks"
        self.root.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None
        self.env_extra = env_extra or {}

    # -- config
    def _write_config(self, config_dir: Path):
        labconfig = config_dir / "labconfig"
        labconfig.mkdir(parents=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # Windowing off: every cell stays in the DOM, so DOM assertions see the whole notebook.
        tracker = config_dir / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))

    def start(self):
        config_dir, data_dir, runtime_dir = (self.base / d for d in ("config", "data", "runtime"))
        self._write_config(config_dir)
        env = dict(os.environ)
        jupyter_path = [str(VENV_SHARE)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
        env.update({
            "JUPYTER_CONFIG_DIR": str(config_dir),
            "JUPYTER_DATA_DIR": str(data_dir),
            "JUPYTER_RUNTIME_DIR": str(runtime_dir),
            "JUPYTER_PATH": os.pathsep.join(jupyter_path),
            "SERVERLAB_QUICK": "0" if os.environ.get("SERVERLAB_BROWSER_FULL") == "1" else "1",  # full: a chapter's recorded length
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.env_extra)
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={self.root}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/api/status", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {SERVER_START_TIMEOUT:.0f} s:\n"
                           f"{self.log_tail()}")

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return "(no log)"

    # -- REST
    def api(self, method: str, path: str, body=None, timeout: float = 10):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def shutdown_sessions(self):
        """Shut down every kernel of this server (kernel sessions outlive the page)."""
        try:
            for s in self.api("GET", "/api/sessions") or []:
                self.api("DELETE", f"/api/sessions/{s['id']}", timeout=15)
            for k in self.api("GET", "/api/kernels") or []:
                self.api("DELETE", f"/api/kernels/{k['id']}", timeout=15)
        except Exception as e:  # noqa: BLE001 - best effort; stop() kills survivors by PID
            print(f"[browser] session cleanup failed: {e}")

    def stop(self):
        if self.proc is None:
            return
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        if self.proc.poll() is None:
            self.shutdown_sessions()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        # Anything the server left behind (kernel JVMs), by PID.
        for c in children:
            try:
                c.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(children, timeout=5)
        for c in alive:
            try:
                c.kill()
            except psutil.NoSuchProcess:
                pass
        self._log.close()
        self.proc = None


# --------------------------------------------------------------------------- notebook helper

# JS run in the page: the state of the current notebook from its model (independent of rendering).
_STATE_JS = """
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model) return null;
  const model = panel.content.model;
  const cells = [];
  for (let i = 0; i < model.cells.length; i++) {
    const c = model.cells.get(i);
    if (c.type !== 'code') continue;
    cells.push({index: i, count: c.executionCount, outputs: c.outputs.toJSON()});
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {cells, kernelStatus: kernel ? kernel.status : null, path: panel.context.path};
}
"""


def new_notebook(cells: list[str], kernel: str = KERNEL_NAME, tags: dict[int, list[str]] | None = None) -> dict:
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel_display_name(kernel), "language": "java"}
    nb.metadata["language_info"] = {"name": "java"}
    for i, src in enumerate(cells):
        cell = nbformat.v4.new_code_cell(src)
        if tags and i in tags:
            cell.metadata["tags"] = tags[i]
        nb.cells.append(cell)
    return nb


class Notebook:
    def __init__(self, page, lab: LabServer, path: str):
        self.page = page
        self.lab = lab
        self.path = path
        self.display_name = kernel_display_name()

    def write(self, nb):
        import nbformat
        target = self.lab.root / self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))
        return self

    def open(self, timeout: float = KERNEL_IDLE_TIMEOUT):
        self.page.goto(f"{self.lab.url}/lab/tree/{self.path}?reset", wait_until="domcontentloaded",
                       timeout=60_000)
        self.page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
        self.wait_idle(timeout)
        return self

    def status_text(self) -> str:
        loc = self.page.locator("#jp-main-statusbar")
        return loc.inner_text(timeout=5_000) if loc.count() else ""

    def wait_idle(self, timeout: float = KERNEL_IDLE_TIMEOUT):
        """Kernel ready = the status bar reads '<display name> | Idle' (the toolbar says idle too early)."""
        want = f"{self.display_name} | Idle"
        try:
            self.page.wait_for_function(
                "(want) => { const s = document.querySelector('#jp-main-statusbar');"
                " return !!s && s.innerText.replace(/\\s+/g, ' ').includes(want); }",
                arg=want, timeout=timeout * 1000, polling=250)
        except Exception as e:
            raise AssertionError(f"status bar never read {want!r} within {timeout:.0f} s; it reads "
                                 f"{self.status_text()!r}\nserver log:\n{self.lab.log_tail()}") from e

    def command(self, cmd: str, args: dict | None = None):
        """Fire a JupyterLab command without awaiting it (run-cell's promise only settles when the cell ends)."""
        self.page.evaluate("([c, a]) => { window.jupyterapp.commands.execute(c, a || {}); }", [cmd, args])

    def state(self) -> dict:
        return self.page.evaluate(_STATE_JS)

    def run_all(self, timeout: float = NOTEBOOK_TIMEOUT) -> dict:
        """Run All and wait until every code cell has an execution count (or an error stopped the run)."""
        self.command("notebook:run-all-cells")
        return self.wait_executed(timeout)

    def wait_executed(self, timeout: float = NOTEBOOK_TIMEOUT, indices: list[int] | None = None) -> dict:
        deadline = time.monotonic() + timeout
        st = None
        stopped_at = None
        while time.monotonic() < deadline:
            st = self.state()
            if st:
                cells = [c for c in st["cells"] if indices is None or c["index"] in indices]
                if cells and all(c["count"] is not None for c in cells):
                    self.wait_idle(max(5.0, deadline - time.monotonic()))
                    return self.state()
                # Run All stops at the first error: the rest never get a count. Give it a moment, then report.
                if any(o.get("output_type") == "error" for c in cells for o in c["outputs"]) \
                        and st["kernelStatus"] == "idle":
                    stopped_at = stopped_at or time.monotonic()
                    if time.monotonic() - stopped_at > 3:
                        return st
                else:
                    stopped_at = None
            time.sleep(0.5)
        pending = [c["index"] for c in (st or {}).get("cells", []) if c["count"] is None]
        raise AssertionError(f"{self.path}: cells {pending} still without an execution count after "
                             f"{timeout:.0f} s (kernel {st and st['kernelStatus']}, status bar "
                             f"{self.status_text()!r})")

    def screenshot(self, name: str, tmp_path: Path) -> Path:
        out_dir = Path(os.environ.get("SERVERLAB_SCREENSHOT_DIR") or tmp_path)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / name
        self.page.screenshot(path=str(path), full_page=True)
        print(f"[browser] screenshot: {path}")
        return path


def error_outputs(state: dict) -> list[str]:
    found = []
    for c in state["cells"]:
        for o in c["outputs"]:
            if o.get("output_type") == "error":
                found.append(f"cell {c['index']}: {o.get('ename')}: {o.get('evalue')}")
            elif o.get("output_type") == "stream" and o.get("name") == "stderr":
                text = o.get("text")
                text = "".join(text) if isinstance(text, list) else text
                found.append(f"cell {c['index']}: stderr: {text[:500]}")
    return found


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    kernel_display_name()  # skips when the kernelspec is missing
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    b = None
    try:
        b = launch_chromium(pw)
        yield b
    finally:
        if b is not None:
            b.close()
        pw.stop()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    p = context.new_page()
    p.console_errors = []
    p.on("console", lambda m: p.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield p
    finally:
        context.close()
        lab.shutdown_sessions()


@pytest.fixture
def notebook(page, lab, request):
    def make(path: str | None = None) -> Notebook:
        return Notebook(page, lab, path or f"{request.node.name}.ipynb")
    return make
