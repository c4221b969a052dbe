"""The class-data archive the installer trains: a kernel's first session maps its classes from it.

`install` runs a training kernel driven through its own sockets (kernel info, cells, a table, a chart,
completion, shutdown), and the JVM writes what it loaded into the archive: AppCDS on JDK 21-24, the AOT
cache on JDK 25. A kernel started from the kernelspec then takes the wire (ZeroMQ, messages, JSON), the
kernel and JShell with javac from the archive instead of reading and verifying them from the jar.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from conftest import KERNEL_NAME, START_TIMEOUT

ARCHIVE_OPTION = re.compile(r"-XX:(?:AOTCache|SharedArchiveFile)=(.+)")
GROUPS = {  # class name prefix -> what it stands for on the road to the first cell
    "zmq.": "ZeroMQ",
    "io.github.spencerpark.jupyter.messages.": "Jupyter messages",
    "com.google.gson.": "JSON",
    "serverlab.kernel.": "the kernel",
    "jdk.jshell.": "JShell",
    "com.sun.tools.javac.": "javac",
}


def kernelspec():
    return KernelSpecManager().get_kernel_spec(KERNEL_NAME)


def test_the_installed_kernelspec_maps_a_trained_archive():
    argv = kernelspec().argv
    archives = [m.group(1) for m in map(ARCHIVE_OPTION.fullmatch, argv) if m]
    assert len(archives) == 1, argv
    archive = Path(archives[0])
    assert archive.is_file() and archive.stat().st_size > 10 * 2**20, f"{archive}: no archive from the training run"


def test_a_first_session_loads_the_wire_the_kernel_and_javac_from_the_archive(tmp_path):
    spec = kernelspec()
    log = tmp_path / "classes.log"
    logged = tmp_path / "kernels" / "serverlab-classes"
    logged.mkdir(parents=True)
    argv = list(spec.argv)
    argv.insert(1, f"-Xlog:class+load=info:file={log}")
    (logged / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "classes", "language": "java",
                                                    "interrupt_mode": spec.interrupt_mode, "env": spec.env}))
    km = KernelManager(kernel_name="serverlab-classes",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]))
    km.start_kernel()
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=START_TIMEOUT)
        reply = kc.execute_interactive("1 + 1", timeout=START_TIMEOUT)
        assert reply["content"]["status"] == "ok", reply
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=False)

    loaded = {prefix: [0, 0] for prefix in GROUPS}   # [from the archive, in all]
    for line in log.read_text().splitlines():
        found = re.search(r"\] (\S+) source: (.*)$", line)
        if not found:
            continue
        for prefix, counts in loaded.items():
            if found.group(1).startswith(prefix):
                counts[1] += 1
                counts[0] += "shared objects file" in found.group(2)
    for prefix, (shared, total) in loaded.items():
        assert total > 0, f"no {GROUPS[prefix]} class loaded at all ({prefix}*)"
        assert shared >= 0.9 * total, f"{GROUPS[prefix]}: {shared} of {total} classes from the archive (want >= 90 %)"
