"""Three students on one local JupyterHub (deploy/jupyterhub/jupyterhub_config.py) at once, and its idle culling.

Each user logs in with a password over the hub's REST API (a token in exchange for username + password),
starts their server, and runs 00-welcome in quick mode through their own server's kernel API (REST + the
kernel's websocket). Then: no pid and no listening port is shared between users, each user's processes run
as that user inside that user's cgroup (limits applied), the process tree the charts sample
(ProcessTreeProbe.self(), with a hosted server running) holds only that user's processes, and after the
servers stop every pid is gone. test_idle_culling checks the config's idle culling with shorter timeouts
(its docstring has the bounds). Needs root (system users, cgroups) and Debian's jupyterhub; ./test deploy
runs it. Measured on the shared 2-core machine: the three-user test alone 13 min (load average ~20; the venv
of deploy/jupyterhub/install-venv ~7, the chapter ~4.5); both tests 6 min 32 s (the venv 70 s with the build up
to date, three users 105 s, culling 3.5 min); on a quiet machine, with the open-tab student, 4 min 45 s (the
venv 44 s, three users 43 s). The tests share one venv; one kept for the next run would save
only ~25 s (install-venv into an existing venv still builds, checks and reinstalls the kernel).
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import pytest
import requests
import websocket

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
sys.path.insert(0, str(CONFIG.parent))
from user_cgroup import UserCgroup  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from browser.conftest import launch_chromium, require_chromium  # noqa: E402

USERS = [f"serverlab-hub-{i}" for i in (1, 2, 3)]
PASSWORD = uuid.uuid4().hex
CHAPTER = ROOT / "notebooks" / "00-welcome.ipynb"
PROBE = """try (var server = HostedServer.start("thread-per-connection", ServerOptions.defaults())) {
    for (long pid : ProcessTreeProbe.self().pids()) {
        String user = ProcessHandle.of(pid).flatMap(p -> p.info().user()).orElse("?");
        String cgroup = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(line -> line.contains(":memory:") || line.startsWith("0::")).findFirst().orElse("?");
        System.out.println("tree " + pid + " " + user + " " + cgroup.substring(cgroup.lastIndexOf(':') + 1));
    }
}"""
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: system users and cgroups"),
    pytest.mark.skipif(shutil.which("jupyterhub") is None or shutil.which("configurable-http-proxy") is None,
                       reason="needs JupyterHub: sudo scripts/tools.sh (Debian package jupyterhub)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def homes():
    base = Path(tempfile.mkdtemp(prefix="serverlab-hub-"))
    base.chmod(0o755)
    try:
        for user in USERS:
            home = base / user
            subprocess.run(["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/bash", user],
                           check=True)
            shutil.copytree(ROOT / "notebooks", home / "notebooks")
            subprocess.run(["chown", "-R", f"{user}:", str(home)], check=True)
        yield base
    finally:
        for user in USERS:
            cgroup = UserCgroup(user)  # left behind only when a failed test stopped nobody
            cgroup.kill_all()
            time.sleep(0.5)
            cgroup.remove()
            subprocess.run(["userdel", user], stderr=subprocess.DEVNULL)
            for leftover in (f"/tmp/hsperfdata_{user}", f"/tmp/serverlab-{user}"):  # JVM perf data, kernel runtime dir
                shutil.rmtree(leftover, ignore_errors=True)
        for parent in {d.parent for d in UserCgroup(USERS[0]).dirs}:
            if parent.exists():
                parent.rmdir()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def venv():
    """install-venv's venv, made once for every hub of this module."""
    base = Path(tempfile.mkdtemp(prefix="serverlab-hubvenv-"))
    base.chmod(0o755)  # every user's server runs from it
    try:
        start = time.monotonic()
        subprocess.run([str(CONFIG.parent / "install-venv"), str(base / "venv")], check=True, stdout=subprocess.DEVNULL)
        print(f"[hub] install-venv took {time.monotonic() - start:.0f} s")
        yield base / "venv"
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def running_hub(venv: Path, overrides: str = ""):
    """jupyterhub_config.py on free local ports with the dummy authenticator, then `overrides` (config lines)."""
    state = Path(tempfile.mkdtemp(prefix="serverlab-hubstate-"))
    state.chmod(0o755)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    (state / "config.py").write_text(f"""
c = get_config()
load_subconfig({str(CONFIG)!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.db_url = "sqlite:///{state}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.pid_file = "{state}/hub.pid"
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {set(USERS)!r}
""" + overrides)
    log = open(state / "hub.log", "w")
    proc = subprocess.Popen(["jupyterhub", "-f", str(state / "config.py")], cwd=state, stdout=log,
                            stderr=subprocess.STDOUT, env={**os.environ, "SERVERLAB_QUICK": "1", "SERVERLAB_VENV": str(venv)})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/hub/api", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, \
                "the hub did not start:\n" + (state / "hub.log").read_text()[-3000:]
            time.sleep(0.5)
        yield url, proc, state
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        print("hub log (tail):\n" + "\n".join((state / "hub.log").read_text().splitlines()[-40:]))
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def hub(homes, venv):
    with running_hub(venv) as h:
        yield h


class Student:
    """One user's session: log in, start the server, run cells on a kernel of that server."""

    def __init__(self, hub_url: str, name: str):
        self.hub, self.name = hub_url, name
        self.http = requests.Session()

    def log_in(self) -> None:
        r = self.http.post(f"{self.hub}/hub/api/users/{self.name}/tokens",
                           json={"auth": {"username": self.name, "password": PASSWORD}, "note": "test"}, timeout=30)
        r.raise_for_status()
        self.http.headers["Authorization"] = f"token {r.json()['token']}"

    def start_server(self) -> None:
        self.http.post(f"{self.hub}/hub/api/users/{self.name}/server", timeout=30).raise_for_status()
        deadline = time.monotonic() + 180
        while not self.http.get(f"{self.hub}/hub/api/users/{self.name}", timeout=30).json()["servers"].get("", {}).get("ready"):
            assert time.monotonic() < deadline, f"{self.name}'s server did not become ready"
            time.sleep(1)

    def start_kernel(self) -> None:
        r = self.http.post(f"{self.hub}/user/{self.name}/api/kernels", json={"name": "serverlab"}, timeout=60)
        r.raise_for_status()
        self.kernel_id = r.json()["id"]
        ws_url = f"{self.hub.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{self.kernel_id}/channels"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: {self.http.headers['Authorization']}"],
                                              timeout=600)
        self.session = uuid.uuid4().hex

    def run(self, code: str) -> str:
        """Executes `code`; returns its stdout; fails on an error reply."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name,
                       "session": self.session, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, reply, idle = [], None, False
        while reply is None or not idle:  # the reply (shell) and idle (iopub) arrive in either order
            m = json.loads(self.ws.recv())
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            kind = m["header"]["msg_type"]
            if kind == "stream" and m["content"]["name"] == "stdout":
                out.append(m["content"]["text"])
            elif kind == "execute_reply":
                reply = m["content"]
            elif kind == "status":
                idle = m["content"]["execution_state"] == "idle"
        assert reply["status"] == "ok", f"{self.name}: {reply.get('ename')}: {reply.get('evalue')}\n{code[:300]}"
        return "".join(out)

    def stop_server(self) -> None:
        self.ws.close()
        self.http.delete(f"{self.hub}/hub/api/users/{self.name}/server", timeout=60).raise_for_status()
        deadline = time.monotonic() + 60
        while self.http.get(f"{self.hub}/hub/api/users/{self.name}", timeout=30).json()["servers"]:
            assert time.monotonic() < deadline, f"{self.name}'s server did not stop"
            time.sleep(0.5)


def session(student: Student) -> dict:
    """The whole visit of one student; returns what the assertions need."""
    student.log_in()
    student.start_server()
    student.start_kernel()
    for cell in nbformat.read(CHAPTER, as_version=4).cells:
        if cell.cell_type == "code":
            student.run(cell.source)
    tree = [line.split()[1:] for line in student.run(PROBE).splitlines() if line.startswith("tree ")]
    pids = UserCgroup(student.name).pids()
    ports = {c.laddr.port for pid in pids for c in psutil.Process(pid).net_connections("inet")
             if c.status == psutil.CONN_LISTEN}
    uids = {psutil.Process(pid).uids().real for pid in pids}
    return {"tree": tree, "pids": pids, "ports": ports, "uids": uids}


@pytest.mark.timeout(900)
def test_three_students_at_once(hub):
    url, _, state = hub
    students = [Student(url, name) for name in USERS]
    start = time.monotonic()
    with ThreadPoolExecutor(len(students)) as pool:
        seen = dict(zip(USERS, pool.map(session, students)))
    took = time.monotonic() - start
    print(f"[hub] {len(USERS)} users logged in and ran {CHAPTER.stem} (quick mode) at once in {took:.0f} s")

    for user, s in seen.items():
        uid = pwd.getpwnam(user).pw_uid
        assert len(s["pids"]) >= 2, f"{user}: server and kernel should be in the user's cgroup: {s['pids']}"
        assert s["uids"] == {uid}, f"{user}: processes run as {s['uids']}, not as the user"
        assert len(s["tree"]) >= 2, f"{user}: the probe should see the kernel and its hosted server: {s['tree']}"
        for pid, owner, cgroup in s["tree"]:  # what the charts sample: the user's own processes only
            assert owner == user and cgroup.endswith(f"/serverlab-hub/{user}"), \
                f"{user}: the charted tree holds pid {pid} of {owner} in {cgroup}"
        assert s["ports"], f"{user}: no listening port found"
        for other, o in seen.items():
            if other != user:
                assert not s["pids"] & o["pids"], f"{user} and {other} share processes"
                assert not s["ports"] & o["ports"], f"{user} and {other} share ports {s['ports'] & o['ports']}"

    with ThreadPoolExecutor(len(students)) as pool:
        list(pool.map(Student.stop_server, students))
    every_pid = set().union(*(s["pids"] for s in seen.values()))
    deadline = time.monotonic() + 10
    while (alive := {p for p in every_pid if psutil.pid_exists(p)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive, f"processes outlived their user's stop: {alive}"
    assert not any(UserCgroup(u).pids() for u in USERS)


# The course's culling (jupyterhub_config.py: 1200 s, every 60 s, 3600 s) shortened through the same keys.
CULL = {"MappingKernelManager.cull_idle_timeout": 30, "MappingKernelManager.cull_interval": 5,
        "ServerApp.shutdown_no_activity_timeout": 60}
NO_ACTIVITY_CHECK = 60  # jupyter_server's ServerApp checks shutdown_no_activity every 60 s (not configurable)
HUB_POLL = 30  # JupyterHub's Spawner.poll_interval (default, not set by the config): when the hub notices the exit
HOSTED = """var hosted = HostedServer.start("thread-per-connection", ServerOptions.defaults());
System.out.println("kernel " + ProcessHandle.current().pid() + " hosted " + hosted.pid()
        + " port " + hosted.address().getPort());"""


@pytest.fixture
def culling_hub(homes, venv):
    overrides = f"""
short = {CULL!r}
kept = [a for a in c.Spawner.args if a[2:].split("=")[0] not in short]
assert len(kept) == len(c.Spawner.args) - len(short), f"jupyterhub_config.py does not set all of {{list(short)}}"
c.Spawner.args = kept + [f"--{{key}}={{value}}" for key, value in short.items()]
"""
    with running_hub(venv, overrides) as h:
        yield h


def alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(what: str, condition, deadline: float, every: float = 0.5) -> float:
    """Polls `condition` until it holds; returns the monotonic time it was seen, fails at `deadline`."""
    while not condition():
        assert time.monotonic() < deadline, f"not within the bound: {what}"
        time.sleep(every)
    return time.monotonic()


def open_lab_in_browser(browser, student: Student) -> None:
    """Logs in through the hub's form and waits for the welcome notebook (the config's default_url) and its kernel.
    `student` must hold an API token (log_in): the kernel check passes no_track_activity."""
    hub_url, name = student.hub, student.name
    page = browser.new_page()
    page.goto(f"{hub_url}/hub/login", wait_until="load")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_selector(".jp-Notebook", timeout=180_000)
    wait_until(f"{name}'s notebook has a kernel",
               lambda: student.http.get(f"{hub_url}/user/{name}/api/kernels", params={"no_track_activity": "1"},
                                        timeout=30).json() != [],
               time.monotonic() + 120, every=1)


def logged_at(log: str, pattern: str) -> list[datetime.datetime]:
    """When the hub's log (with the servers' lines) printed lines matching `pattern`."""
    return [datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f")
            for m in re.finditer(r"^\[\w (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) .*" + pattern, log, re.M)]


@pytest.mark.timeout(900)
def test_idle_culling(culling_hub):
    """The culling jupyterhub_config.py promises, with shorter timeouts through the same keys (CULL).

    One user starts a hosted server (a child JVM of the kernel listening on an ephemeral port) and then does
    nothing, leaving the kernel's websocket open (cull_connected). A second logs in through the hub's form in
    Chromium and leaves JupyterLab open on the welcome notebook: the tab keeps reading the server's API every
    few seconds, which must not count as activity (singleuser.py). A third runs a cell every 5 s over the
    same period. jupyter_server 2.x (the venv's; services/kernels/kernelmanager.py, serverapp.py) checks idle
    kernels every cull_interval seconds (any value ≥ 1; ≤ 0 means 300) and culls one that is not busy and has
    sent no message in reply to a request for cull_idle_timeout; it checks shutdown_no_activity_timeout every
    60 s, a fixed PeriodicCallback, and exits when no kernel is left and the last activity (a kernel's reply or
    an API request; `?no_track_activity=1` makes a request not count) is older than the timeout. So the kernel
    goes within cull_idle_timeout + cull_interval of the last cell (+ up to 5 s of jupyter_client's shutdown),
    the server within shutdown_no_activity_timeout + 60 s of it, and the hub frees the slot within its
    poll_interval (30 s) of the exit. Each wait is that bound plus 30 s of slack for the shared machine.
    """
    require_chromium()
    url, _, state = culling_hub
    idle_timeout, interval, no_activity = CULL.values()
    idle, active = Student(url, USERS[0]), Student(url, USERS[1])
    stop, ticks, failures = threading.Event(), [], []

    def keep_busy():
        try:
            while not stop.wait(5):
                ticks.append(active.run('System.out.println("tick " + System.nanoTime());'))
        except Exception as e:  # noqa: BLE001 (reported by the main thread)
            failures.append(e)

    def start_hosted(student: Student) -> dict:
        student.log_in()
        student.start_server()
        student.start_kernel()
        return dict(zip(["kernel", "hosted", "port"], map(int, student.run(HOSTED).split()[1::2])))

    mine = start_hosted(active)
    busy = threading.Thread(target=keep_busy, daemon=True)
    busy.start()
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    browser = launch_chromium(pw)
    try:
        reader = Student(url, USERS[2])
        reader.log_in()  # a token for the checks below, which pass no_track_activity
        open_lab_in_browser(browser, reader)
        tab_opened = time.monotonic()
        (reader_server,) = [psutil.Process(p) for p in UserCgroup(reader.name).pids()
                            if "singleuser" in " ".join(psutil.Process(p).cmdline())]
        ids = start_hosted(idle)
        last_activity = time.monotonic()  # the idle user's last cell has just replied
        kernel, hosted = psutil.Process(ids["kernel"]), psutil.Process(ids["hosted"])
        (server,) = [psutil.Process(p) for p in UserCgroup(idle.name).pids() - {ids["kernel"], ids["hosted"]}
                     if "singleuser" in " ".join(psutil.Process(p).cmdline())]
        assert listening(ids["port"]), f"the idle user's hosted server does not listen on {ids['port']}"
        # (a) the idle kernel is culled: its JVM, the hosted server's JVM and its port go, and the API lists no kernel
        kernel_gone = wait_until(
            "the idle kernel, its hosted server and its port are gone",
            lambda: not alive(kernel) and not alive(hosted) and not listening(ids["port"]),
            last_activity + idle_timeout + interval + 5 + 30)
        wait_until("the idle user's server lists no kernel (a request that does not count as activity)",
                   lambda: idle.http.get(f"{url}/user/{idle.name}/api/kernels", params={"no_track_activity": "1"},
                                         timeout=30).json() == [],
                   time.monotonic() + 15)  # the JVM is gone before the culler's shutdown_kernel returns
        assert kernel_gone - last_activity >= idle_timeout - 1, \
            "the kernel went before its idle timeout: not the culler"
        # (b) the server exits for lack of activity, the hub frees the slot, the cgroup is emptied
        server_gone = wait_until("the idle user's server exits", lambda: not alive(server),
                                 max(kernel_gone, last_activity + no_activity) + NO_ACTIVITY_CHECK + 30)
        assert server_gone - last_activity >= no_activity - 1, "the server exited before its no-activity timeout"

        def slot_freed():
            model = idle.http.get(f"{url}/hub/api/users/{idle.name}", timeout=30).json()
            return model["servers"] == {} and model["server"] is None

        hub_freed = wait_until("the hub reports the idle user's server stopped", slot_freed,
                               server_gone + HUB_POLL + 30, every=2)
        cgroup = UserCgroup(idle.name)
        wait_until("the idle user's cgroup is empty", lambda: not cgroup.pids(), time.monotonic() + 10)
        wait_until("the idle user's cgroup is removed", lambda: not any(d.exists() for d in cgroup.dirs),
                   time.monotonic() + 10)
        log = (state / "hub.log").read_text()
        assert re.search(rf"Culling 'idle' kernel 'serverlab' \({idle.kernel_id}\) with \d+ connections", log), \
            "the server's log has no culling line for the idle kernel"
        assert "seconds; shutting down." in log and f"User {idle.name} server stopped" in log
        # (d) the open tab: its kernel is culled, then its server exits although the tab keeps polling
        reader_gone = wait_until("the server behind the open JupyterLab tab exits", lambda: not alive(reader_server),
                                 tab_opened + idle_timeout + interval + no_activity + NO_ACTIVITY_CHECK + 60, every=2)
        wait_until("the hub frees the open tab's slot", lambda: reader.http.get(
            f"{url}/hub/api/users/{reader.name}", timeout=30).json()["servers"] == {}, reader_gone + HUB_POLL + 30, every=2)
        log = (state / "hub.log").read_text()
        (stopped,) = logged_at(log, rf"User {reader.name} server stopped")
        polls = [t for t in logged_at(log, rf" 200 GET /user/{reader.name}/api/kernels\?")
                 if t > stopped - datetime.timedelta(seconds=no_activity)]
        assert len(polls) >= 3, f"the tab read the kernel list {len(polls)} times in its server's last {no_activity} s: not open?"
    finally:
        browser.close()
        pw.stop()
        stop.set()
        busy.join(30)
    print(f"[hub culling] after the idle user's last cell: kernel, hosted JVM and port gone in "
          f"{kernel_gone - last_activity:.0f} s (cull_idle_timeout {idle_timeout} s, checked every {interval} s), "
          f"server exited in {server_gone - last_activity:.0f} s (shutdown_no_activity_timeout {no_activity} s, "
          f"checked every {NO_ACTIVITY_CHECK} s), hub freed the slot in {hub_freed - last_activity:.0f} s "
          f"(poll every {HUB_POLL} s); the server behind an open JupyterLab tab exited {reader_gone - tab_opened:.0f} s "
          f"after the notebook opened, the tab still polling; the active user ran {len(ticks)} cells meanwhile")

    # (c) the active user, busy over the same period, kept kernel, hosted server and server
    assert not failures, f"the active user's cells failed: {failures}"
    assert len(ticks) >= (hub_freed - last_activity) / 10, f"the active user ran only {len(ticks)} cells"
    kernels = active.http.get(f"{url}/user/{active.name}/api/kernels", timeout=30).json()
    assert [k["id"] for k in kernels] == [active.kernel_id], f"the active user's kernel was culled: {kernels}"
    assert alive(psutil.Process(mine["kernel"])) and alive(psutil.Process(mine["hosted"])) and listening(mine["port"])
    model = active.http.get(f"{url}/hub/api/users/{active.name}", timeout=30).json()
    assert model["servers"].get("", {}).get("ready"), f"the active user's server is not running: {model}"
    active.run('System.out.println("still here");')
    pids = UserCgroup(active.name).pids()
    active.stop_server()
    wait_until("the active user's processes are gone after the stop",
               lambda: not any(psutil.pid_exists(p) for p in pids), time.monotonic() + 10)
