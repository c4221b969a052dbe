"""Replays what Binder's repo2docker does with binder/, without Docker, then runs every chapter in 2 GB.

As repo2docker: the repository's files in the clean HOME of a non-root account (serverlab-binder), apt.txt's packages
present (checked here, never installed), requirements.txt into a fresh venv, postBuild, and the session
through `start`. The session runs in a memory cgroup of 2 GB (v1 or v2) and executes the chapters with
nbclient in quick mode via bench/chapter_memory.py, which reports each chapter's peak memory.
SERVERLAB_REPLAY_CHAPTERS="00 03" runs only the chapters whose names start with those prefixes.
Needs root (the user switch, the cgroup) and Maven Central (postBuild builds in a clean ~/.m2).
./test deploy runs it. Measured on the shared 2-core machine with every chapter: 11 min 30 s on a quiet machine
(the chapters 19-125 s each, peaks 304-686 MB, the cgroup 943 MB); 16 min for 00-welcome alone at load ~20.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT_BYTES = 2 * 2**30
USER = "serverlab-binder"  # repo2docker's jovyan: an account whose home is the repository
CGROUP = Path("/sys/fs/cgroup")

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: a non-root user and a memory cgroup")


def apt_packages() -> list[str]:
    return [line.strip() for line in (ROOT / "binder" / "apt.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def installed(package: str) -> bool:
    if re.fullmatch(r"openjdk-\d+-jdk-headless", package):  # Debian 12 has no openjdk-21: any JDK >= 21 will do
        found = subprocess.run(["bash", "-c", f"source {ROOT}/scripts/jdk.sh && serverlab_find_jdk"],
                               capture_output=True)
        return found.returncode == 0
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return status.stdout.endswith("installed")


class MemoryCgroup:
    """A memory cgroup of its own with a hard limit; v1 (memory controller) or v2 (memory.max)."""

    def __init__(self, name: str, limit: int):
        self.v2 = (CGROUP / "cgroup.controllers").exists()
        self.dir = CGROUP / name if self.v2 else CGROUP / "memory" / name
        self.dir.mkdir()
        (self.dir / ("memory.max" if self.v2 else "memory.limit_in_bytes")).write_text(str(limit))

    def enter_command(self, command: list[str]) -> list[str]:
        """`command`, started inside the cgroup (the shell joins it as root, then execs)."""
        return ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.dir / "cgroup.procs"), *command]

    def oom_kills(self) -> int:
        text = (self.dir / ("memory.events" if self.v2 else "memory.oom_control")).read_text()
        found = re.search(r"oom_kill (\d+)", text)
        return int(found.group(1)) if found else 0

    def peak_mb(self) -> int | None:
        peak = self.dir / ("memory.peak" if self.v2 else "memory.max_usage_in_bytes")
        return int(peak.read_text()) // 2**20 if peak.exists() else None

    def pids(self) -> list[int]:
        return [int(p) for p in (self.dir / "cgroup.procs").read_text().split()]

    def remove(self) -> None:
        for pid in self.pids():
            os.kill(pid, 9)
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.dir.rmdir()


@pytest.fixture
def home():
    path = Path(tempfile.mkdtemp(prefix="serverlab-binder-"))
    try:
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                               capture_output=True, check=True).stdout.decode().split("\0")
        for name in filter(None, files):
            if (ROOT / name).is_file():
                (path / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, path / name)
        # The package index this machine's pip is configured for (the image's pip config, on Binder).
        pip_config = next((Path(p) for p in (os.environ.get("PIP_CONFIG_FILE"), Path.home() / ".config/pip/pip.conf",
                                              Path.home() / ".pip/pip.conf") if p and Path(p).is_file()), None)
        if pip_config:
            (path / ".config/pip").mkdir(parents=True)
            shutil.copy(pip_config, path / ".config/pip/pip.conf")
        subprocess.run(["useradd", "--home-dir", str(path), "--no-create-home", "--user-group", USER], check=True)
        subprocess.run(["chown", "-R", f"{USER}:", str(path)], check=True)
        yield path
    finally:
        subprocess.run(["userdel", USER], stderr=subprocess.DEVNULL)
        for leftover in (f"/tmp/hsperfdata_{USER}", f"/tmp/serverlab-{USER}"):  # JVM perf data, kernel runtime dir
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.rmtree(path, ignore_errors=True)


def as_user(home: Path, command: list[str], timeout: float, cgroup: MemoryCgroup | None = None):
    env = {"HOME": str(home), "USER": USER, "LANG": "C.UTF-8", "TMPDIR": "/tmp",
           "PATH": f"{home}/venv/bin:/usr/local/bin:/usr/bin:/bin",
           **{k: v for k, v in os.environ.items() if k.startswith("PIP_") and k != "PIP_CONFIG_FILE"},
           "PIP_RETRIES": "0"}
    command = ["setpriv", "--reuid", USER, "--regid", USER, "--clear-groups", "--", *command]
    result = subprocess.run(cgroup.enter_command(command) if cgroup else command,
                            cwd=home, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.timeout(3 * 3600)
def test_binder_replay(home):
    missing = [p for p in apt_packages() if not installed(p)]
    assert not missing, f"apt.txt packages missing here: {missing} (sudo scripts/tools.sh installs them)"

    as_user(home, ["/usr/bin/python3", "-m", "venv", str(home / "venv")], 120)
    as_user(home, ["pip", "install", "-q", "--retries", "0", "-r", "binder/requirements.txt"], 900)
    as_user(home, ["bash", "binder/postBuild"], 1800)

    prefixes = os.environ.get("SERVERLAB_REPLAY_CHAPTERS", "").split()
    peaks = home / "peaks.json"
    cgroup = MemoryCgroup(f"serverlab-binder-{os.getpid()}", LIMIT_BYTES)
    try:
        session = as_user(home, ["binder/start", "python", "bench/chapter_memory.py", "--json", str(peaks), *prefixes],
                          3 * 3600, cgroup)
        print(session.stdout)
        assert cgroup.oom_kills() == 0, "the out-of-memory killer ran inside Binder's 2 GB"
        print(f"[binder] cgroup peak (page cache included): {cgroup.peak_mb()} MB of {LIMIT_BYTES // 2**20} MB")
        assert not cgroup.pids(), f"processes outlived the session: {cgroup.pids()}"
    finally:
        cgroup.remove()
    results = json.loads(peaks.read_text())
    assert results and all(r["error"] is None for r in results), results
