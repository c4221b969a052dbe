"""10 + 15. servers/labs preloaded with default imports; servers closed on kernel restart."""
import glob
import os
import re
import socket
import tempfile
import time

import psutil
import pytest

from conftest import java_defined


def require_servers(kernel):
    assert java_defined(kernel, "serverlab.servers.Servers"), "serverlab.servers.Servers is not on the kernel's class path"


def port_of(ex) -> int:
    m = re.search(r"(\d{2,5})\s*$", ex.text or ex.stdout.strip())
    assert m, ex.describe()
    return int(m.group(1))


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_default_imports(kernel):
    require_servers(kernel)
    ex = kernel.run("Servers.names()").ok()
    assert "thread-pool" in ex.text, ex.describe()


def test_start_server(kernel):
    require_servers(kernel)
    kernel.run('Server s = Servers.start("thread-pool");', timeout=60).ok()
    ex = kernel.run("s.address()").ok()
    assert "127.0.0.1" in ex.text, ex.describe()
    port = port_of(kernel.run("s.address().getPort()").ok())
    assert accepts(port)
    kernel.run("s.close();").ok()


def require_server_name(kernel, name):
    names = kernel.run("Servers.names()").ok().text
    assert f'{name}' in names, f"no server named {name!r} in the registry: {names}"


@pytest.mark.parametrize("name", ["thread-pool", "prefork"])
def test_server_closed_on_restart(fresh_kernel, name):
    """Tracked servers (and their worker processes) are closed when the kernel restarts."""
    require_servers(fresh_kernel)
    require_server_name(fresh_kernel, name)
    fresh_kernel.run(f'Server restartMe = Servers.start("{name}");', timeout=60).ok()
    port = port_of(fresh_kernel.run("restartMe.address().getPort()").ok())
    workers = [int(w) for w in re.findall(r"\d+", fresh_kernel.run("restartMe.workerPids()").ok().text)]
    assert accepts(port)
    fresh_kernel.restart()
    deadline = time.monotonic() + 5
    while (accepts(port) or any(psutil.pid_exists(w) for w in workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not accepts(port), f"port {port} still accepts connections after the kernel restarted"
    alive = [w for w in workers if psutil.pid_exists(w) and psutil.Process(w).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"worker processes {alive} outlived the kernel restart"


@pytest.mark.skipif(not os.access("/usr/sbin/nginx", os.X_OK), reason="nginx is not installed (chapter 07's balancer)")
def test_cluster_leaves_nothing_after_restart(fresh_kernel):
    """Chapter 07's cluster: a kernel restart stops nginx, every app server and the database, frees the port and
    deletes the cluster's temporary directory."""
    require_servers(fresh_kernel)
    fresh_kernel.run("import serverlab.labs.cluster.*;").ok()
    fresh_kernel.run("Cluster cluster = Cluster.builder().appServers(2).dataTier(DataTier.Kind.H2).start();", timeout=180).ok()
    port = port_of(fresh_kernel.run("cluster.address().getPort()").ok())
    kernel_pid = int(fresh_kernel.run("ProcessHandle.current().pid()").ok().text)
    pids = [int(p) for p in re.findall(r"\d+", fresh_kernel.run(
        "java.util.stream.Stream.concat(cluster.workerPids().stream(), java.util.stream.Stream.of(cluster.pid(), cluster.dataTier().pid())).toList()").ok().text)]
    directories = glob.glob(os.path.join(tempfile.gettempdir(), f"serverlab-cluster-{kernel_pid}-*"))
    assert accepts(port) and len(pids) == 4 and directories, (port, pids, directories)
    fresh_kernel.restart()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (accepts(port) or any(running(p) for p in pids) or any(map(os.path.exists, directories))):
        time.sleep(0.2)
    assert not accepts(port), f"the balancer's port {port} still accepts connections after the kernel restarted"
    assert not [p for p in pids if running(p)], f"cluster processes {[p for p in pids if running(p)]} outlived the kernel restart"
    assert not [d for d in directories if os.path.exists(d)], f"{directories} outlived the kernel restart"


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
