"""10 + 15. servers/labs preloaded with default imports; servers closed on kernel restart."""
import re
import socket
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
