"""Three students on one local JupyterHub (deploy/jupyterhub/jupyterhub_config.py) at the same time.

Each user logs in with a password over the hub's REST API (a token in exchange for username + password),
starts their server, and runs 00-welcome in quick mode through their own server's kernel API (REST + the
kernel's websocket). Then: no pid and no listening port is shared between users, each user's processes run
as that user inside that user's cgroup (limits applied), the process tree the charts sample
(ProcessTreeProbe.self(), with a hosted server running) holds only that user's processes, and after the
servers stop every pid is gone. Needs root (system users, cgroups) and Debian's jupyterhub; ./test deploy
runs it: 13 min measured on the shared 2-core machine (load average ~20), of which the venv of
deploy/jupyterhub/install-venv took ~7 and the three users' chapter ~4.5.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
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
def hub(homes):
    state = Path(tempfile.mkdtemp(prefix="serverlab-hubstate-"))
    state.chmod(0o755)
    subprocess.run([str(CONFIG.parent / "install-venv"), str(state / "venv")], check=True, stdout=subprocess.DEVNULL)
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
""")
    log = open(state / "hub.log", "w")
    proc = subprocess.Popen(["jupyterhub", "-f", str(state / "config.py")], cwd=state, stdout=log,
                            stderr=subprocess.STDOUT, env={**os.environ, "SERVERLAB_QUICK": "1", "SERVERLAB_VENV": str(state / "venv")})
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
        ws_url = f"{self.hub.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{r.json()['id']}/channels"
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
