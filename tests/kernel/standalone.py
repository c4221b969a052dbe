"""The installed kernel started from a connection file alone, as a launcher without jupyter_client's
KernelManager starts it (so nothing but the kernel itself cleans up after it)."""
from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager

from jupyter_client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager

from conftest import KERNEL_NAME


def launch(connection_file) -> subprocess.Popen:
    """The kernel process, its stderr a text pipe."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    argv = [a.replace("{connection_file}", str(connection_file)) for a in spec.argv]
    return subprocess.Popen(argv, env={**os.environ, **spec.env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=os.path.dirname(connection_file), text=True)


@contextmanager
def standalone_kernel(info: dict, directory):
    """Writes `info` to directory/kernel.json, starts the kernel on it and yields (process, client)."""
    connection_file = directory / "kernel.json"
    connection_file.write_text(json.dumps(info))
    process = launch(connection_file)
    kc = BlockingKernelClient(connection_file=str(connection_file))
    kc.load_connection_file()   # defaults signature_scheme to hmac-sha256, as the kernel does
    kc.start_channels()
    try:
        yield process, kc
    finally:
        kc.stop_channels()
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
