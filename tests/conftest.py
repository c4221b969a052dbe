"""Shared fixtures: drive the real, installed kernel over the wire.

The kernel under test is the kernelspec named by $SERVERLAB_TEST_KERNEL (default
"serverlab", installed into the venv by `./lab --install-only`).

Fixtures
- ``kernel``        one kernel per test module (restarted automatically if a test
                    left it wedged); ``kernel.run(code, timeout)`` -> Execution
- ``run``           shorthand for ``kernel.run``
- ``fresh_kernel``  a kernel of its own for destructive tests, always shut down

Every wait is bounded; pytest-timeout (tests/pytest.ini) is the last safety net.
"""
from __future__ import annotations

import base64
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

import psutil
import pytest
import zmq
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

KERNEL_NAME = os.environ.get("SERVERLAB_TEST_KERNEL", "serverlab")
START_TIMEOUT = float(os.environ.get("SERVERLAB_TEST_START_TIMEOUT", "60"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


# --------------------------------------------------------------------------- results


@dataclass
class Execution:
    """Everything one execute_request produced: the shell reply and its iopub messages."""

    code: str
    msg_id: str
    sent_at: float
    reply: dict | None = None
    reply_at: float | None = None
    idle_at: float | None = None
    messages: list[dict] = field(default_factory=list)  # iopub, in arrival order
    arrivals: list[float] = field(default_factory=list)  # monotonic arrival time of each

    # -- reply
    @property
    def content(self) -> dict:
        assert self.reply is not None, f"no execute_reply for {self.code!r}"
        return self.reply["content"]

    @property
    def status(self) -> str:
        return self.content.get("status")

    @property
    def execution_count(self):
        return self.content.get("execution_count")

    # -- iopub views
    def of_type(self, *types: str) -> list[dict]:
        return [m for m in self.messages if m["header"]["msg_type"] in types]

    def stream_text(self, name: str = "stdout") -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == name)

    @property
    def stdout(self) -> str:
        return self.stream_text("stdout")

    @property
    def stderr(self) -> str:
        return self.stream_text("stderr")

    @property
    def result(self) -> dict | None:
        """The data bundle of the execute_result, or None."""
        results = self.of_type("execute_result")
        return results[-1]["content"]["data"] if results else None

    @property
    def text(self) -> str | None:
        r = self.result
        return None if r is None else r.get("text/plain")

    @property
    def displays(self) -> list[dict]:
        return self.of_type("display_data")

    @property
    def error(self) -> dict | None:
        """The error content: iopub `error` message if any, else the reply when status is error."""
        errs = self.of_type("error")
        if errs:
            return errs[-1]["content"]
        if self.reply is not None and self.status == "error":
            return self.content
        return None

    @property
    def traceback(self) -> str:
        err = self.error or {}
        tb = err.get("traceback") or []
        return strip_ansi("\n".join(tb) + "\n" + str(err.get("evalue", "")))

    def all_output_text(self) -> str:
        """stdout + stderr + text/plain of results/displays + error text: for loose 'it says X' checks."""
        parts = [self.stdout, self.stderr]
        for m in self.of_type("execute_result", "display_data", "update_display_data"):
            parts.append(str(m["content"]["data"].get("text/plain", "")))
            parts.append(str(m["content"]["data"].get("text/html", "")))
        if self.error:
            parts.append(str(self.error.get("ename", "")))
            parts.append(self.traceback)
        return strip_ansi("\n".join(parts))

    def describe(self) -> str:
        lines = [f"code: {self.code!r}"]
        if self.reply is not None:
            c = dict(self.content)
            lines.append(f"reply: status={c.get('status')} count={c.get('execution_count')} "
                         f"ename={c.get('ename')!r} evalue={str(c.get('evalue'))[:300]!r}")
        else:
            lines.append("reply: <none>")
        for m in self.messages:
            t = m["header"]["msg_type"]
            if t == "status":
                continue
            lines.append(f"  iopub {t}: {str(m['content'])[:400]}")
        return "\n".join(lines)

    def ok(self) -> "Execution":
        """Assert status ok and return self (for chaining)."""
        assert self.reply is not None and self.status == "ok", "expected status ok\n" + self.describe()
        return self


class KernelTimeout(AssertionError):
    pass


# --------------------------------------------------------------------------- kernel harness


def require_kernelspec(name: str = KERNEL_NAME) -> None:
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        pytest.fail(
            f"kernelspec {name!r} is not installed in this Python environment's Jupyter path. "
            f"Install it with `./lab --install-only` (or set SERVERLAB_TEST_KERNEL to test another kernel).",
            pytrace=False,
        )


class Kernel:
    """A started kernel + blocking client, with helpers that collect whole executions."""

    def __init__(self, name: str = KERNEL_NAME, env: dict | None = None):
        require_kernelspec(name)
        self.name = name
        self.env = env
        self.km: KernelManager | None = None
        self.kc = None
        self.stray: list[dict] = []  # iopub messages whose parent was not the request being collected
        self.dirty = False
        self.start()

    # -- lifecycle
    def start(self) -> None:
        self.km = KernelManager(kernel_name=self.name)
        kw: dict[str, Any] = {}
        if self.env is not None:
            kw["env"] = {**os.environ, **self.env}
        self.km.start_kernel(**kw)
        self._connect()

    def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as e:
            self.shutdown()
            pytest.fail(f"kernel {self.name!r} did not become ready within {START_TIMEOUT:.0f}s: {e}", pytrace=False)
        self._drain()
        self.dirty = False

    def restart(self) -> None:
        self.kc.stop_channels()
        self.km.restart_kernel(now=False)
        self._connect()

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            if self.km is not None and self.km.has_kernel:
                self.km.shutdown_kernel(now=False)

    @property
    def pid(self) -> int:
        return self.km.provisioner.pid

    def processes(self) -> list[psutil.Process]:
        """The kernel process and all its descendants (a launcher script may sit in front of the JVM)."""
        p = psutil.Process(self.pid)
        return [p] + p.children(recursive=True)

    def cpu_percent(self, interval: float = 1.0) -> float:
        """CPU use of the whole kernel process tree over `interval` seconds (100 = one core)."""
        procs = self.processes()
        for p in procs:
            p.cpu_percent(None)
        time.sleep(interval)
        total = 0.0
        for p in procs:
            try:
                total += p.cpu_percent(None)
            except psutil.NoSuchProcess:
                pass
        return total

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self.processes()) / 2**20

    def is_alive(self) -> bool:
        return self.km.is_alive()

    # -- messaging
    def _drain(self, wait: float = 0.0) -> list[dict]:
        """Move whatever is pending on iopub into `stray` (and drop stale shell replies)."""
        got = []
        deadline = time.monotonic() + wait
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                got.append(self.kc.get_iopub_msg(timeout=remaining))
            except Exception:
                break
        while True:
            try:
                self.kc.get_shell_msg(timeout=0)
            except Exception:
                break
        self.stray.extend(got)
        return got

    def send_execute(self, code: str, **kw) -> Execution:
        msg_id = self.kc.execute(code, **kw)
        return Execution(code=code, msg_id=msg_id, sent_at=time.monotonic())

    def collect(self, ex: Execution, timeout: float, until_idle: bool = True,
                others: dict[str, Execution] | None = None) -> Execution:
        """Read iopub + shell until `ex` has its reply and (if until_idle) its idle status.

        Messages for other executions in `others` (msg_id -> Execution) are routed to them.
        Raises KernelTimeout (and marks the kernel dirty) when the deadline passes.
        """
        route = {ex.msg_id: ex, **(others or {})}
        iopub, shell = self.kc.iopub_channel, self.kc.shell_channel
        poller = zmq.Poller()
        poller.register(iopub.socket, zmq.POLLIN)
        poller.register(shell.socket, zmq.POLLIN)
        deadline = time.monotonic() + timeout

        def done() -> bool:
            return ex.reply is not None and (ex.idle_at is not None or not until_idle)

        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.dirty = True
                raise KernelTimeout(f"timed out after {timeout}s waiting for the kernel\n" + ex.describe())
            events = dict(poller.poll(int(min(remaining, 0.5) * 1000) + 1))
            now = time.monotonic()
            if not events and not self.km.is_alive():
                self.dirty = True
                raise AssertionError("the kernel process died\n" + ex.describe())
            if iopub.socket in events:
                while iopub.msg_ready():
                    m = iopub.get_msg(timeout=0)
                    target = route.get(m.get("parent_header", {}).get("msg_id"))
                    if target is None:
                        self.stray.append(m)
                        continue
                    target.messages.append(m)
                    target.arrivals.append(now)
                    if m["header"]["msg_type"] == "status" and m["content"].get("execution_state") == "idle":
                        target.idle_at = now
            if shell.socket in events:
                while shell.msg_ready():
                    m = shell.get_msg(timeout=0)
                    target = route.get(m.get("parent_header", {}).get("msg_id"))
                    if target is not None:
                        target.reply = m
                        target.reply_at = now
        return ex

    def run(self, code: str, timeout: float = 30, **kw) -> Execution:
        """Execute `code`, return the reply and every iopub message of this request."""
        if self.dirty:
            self.recover()
        self._drain()
        ex = self.send_execute(code, **kw)
        return self.collect(ex, timeout)

    def request(self, method: str, timeout: float = 30, **kw) -> dict:
        """Send a shell request via the client (complete, inspect, is_complete, history, ...); return the reply."""
        if self.dirty:
            self.recover()
        self._drain()
        msg_id = getattr(self.kc, method)(**kw)  # returns the msg_id (reply=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelTimeout(f"no {method}_reply within {timeout}s")
            try:
                m = self.kc.get_shell_msg(timeout=min(remaining, 0.5))
            except Exception:
                continue
            if m.get("parent_header", {}).get("msg_id") == msg_id:
                return m

    def recover(self) -> None:
        """After a timed-out test: try an interrupt, then fall back to a restart."""
        try:
            self.km.interrupt_kernel()
            ex = self.send_execute("1")
            self.collect(ex, 10)
            self.dirty = False
        except Exception:
            self.restart()

    def wait_output_quiet(self, quiet: float = 0.3, timeout: float = 5) -> list[dict]:
        """Drain stray iopub traffic until nothing arrives for `quiet` seconds."""
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            more = self._drain(wait=quiet)
            if not more:
                break
            got.extend(more)
        return got


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session", autouse=True)
def isolated_history(tmp_path_factory):
    """Kernels started by the suite keep their history in a file of this run (not ~/.local/share)."""
    if os.environ.get("SERVERLAB_HISTORY"):
        yield os.environ["SERVERLAB_HISTORY"]
        return
    path = str(tmp_path_factory.mktemp("history") / "history.jsonl")
    os.environ["SERVERLAB_HISTORY"] = path
    try:
        yield path
    finally:
        os.environ.pop("SERVERLAB_HISTORY", None)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    try:
        yield k
    finally:
        k.shutdown()


@pytest.fixture
def run(kernel):
    return kernel.run


@pytest.fixture
def fresh_kernel():
    k = Kernel()
    try:
        yield k
    finally:
        k.shutdown()


def png_ok(b64: str) -> bool:
    return base64.b64decode(b64)[:8] == PNG_SIGNATURE


def java_defined(kernel: Kernel, type_name: str) -> bool:
    """True when `type_name` resolves in the kernel (used to skip tests for modules not in the build yet)."""
    ex = kernel.run(f"{type_name}.class.getName()", timeout=60)
    return ex.status == "ok"
