"""The ipc transport: every channel on a Unix domain socket named `{ip}-{port}`, as jupyter_client
connects to it; owner-only socket files that the kernel removes when it ends."""
import stat
import time

from jupyter_client import KernelManager

from conftest import START_TIMEOUT, Kernel
from standalone import launch, standalone_kernel


class IpcKernel(Kernel):
    """The suite's kernel harness, started by a KernelManager with transport="ipc"."""

    def __init__(self, ip: str):
        self.ip = ip
        super().__init__()

    def start(self) -> None:
        self.km = KernelManager(kernel_name=self.name, transport="ipc", ip=self.ip)
        self.km.start_kernel()
        self._connect()


def socket_files(directory) -> list:
    return sorted(p for p in directory.iterdir() if p.name.startswith("kernel-ipc-"))


def test_a_kernel_on_ipc_serves_every_channel(tmp_path):
    kernel = IpcKernel(str(tmp_path / "kernel-ipc"))
    try:
        sockets = socket_files(tmp_path)
        assert len(sockets) == 5, sockets
        for path in sockets:
            mode = path.lstat().st_mode
            assert stat.S_ISSOCK(mode) and mode & 0o077 == 0, f"{path}: {stat.filemode(mode)}"

        assert kernel.request("kernel_info")["content"]["status"] == "ok"                   # shell
        assert kernel.run('System.out.println("over ipc");').ok().stdout == "over ipc\n"    # iopub
        ex = kernel.send_execute('input("Name: ")', allow_stdin=True)                       # stdin
        assert kernel.kc.get_stdin_msg(timeout=20)["header"]["msg_type"] == "input_request"
        kernel.kc.input("Ada")
        assert kernel.collect(ex, 20).ok().text == '"Ada"'
        ex = kernel.send_execute("while (true) {}")                                         # control
        time.sleep(1)
        kernel.km.interrupt_kernel()
        assert kernel.collect(ex, 20).status == "error", ex.describe()
        assert kernel.kc.hb_channel.is_beating()                                             # heartbeat

        kernel.restart()
        assert kernel.run("1 + 1").ok().text == "2"
    finally:
        kernel.shutdown()
    assert socket_files(tmp_path) == []


def test_the_kernel_refuses_live_sockets_and_removes_its_own(tmp_path):
    """Launched without a KernelManager (which would also clean up): the kernel removes its files itself."""
    info = dict(shell_port=1, iopub_port=2, stdin_port=3, control_port=4, hb_port=5, transport="ipc",
                ip=str(tmp_path / "kernel-ipc"), key="a-secret-key", signature_scheme="hmac-sha256")
    with standalone_kernel(info, tmp_path) as (process, kc):
        assert kc.kernel_info(reply=True, timeout=START_TIMEOUT)["content"]["status"] == "ok"
        second = launch(tmp_path / "kernel.json")   # the same connection file while the first kernel serves it
        _, err = second.communicate(timeout=START_TIMEOUT)
        assert second.returncode != 0 and "in use" in err and len(err.strip().splitlines()) == 1, err
        assert len(socket_files(tmp_path)) == 5, "the refused kernel removed the live kernel's sockets"
        kc.shutdown()
        process.wait(timeout=20)
    assert socket_files(tmp_path) == []
