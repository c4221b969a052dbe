"""Chapter 06 in a session without root, as Binder and most laptops give it: the kernel runs as `nobody`.

Every cell that needs root (the sandboxes: namespaces, cgroups, podman) must say so in one line and show the run
recorded in notebooks/results instead; the chapter must still run top to bottom with no error. The kernel is the
installed one (its jar is self-contained), started through `setpriv` with a HOME of its own; the notebook and its
recorded results are copied where `nobody` can read them.
"""
import json
import os
import pwd
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from conftest import KERNEL_NAME, require_kernelspec
from test_notebooks import problems

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "notebooks" / "06-virtualization.ipynb"


def chown_tree(path: Path, uid: int, gid: int) -> None:
    for dirpath, _, files in os.walk(path):
        os.chown(dirpath, uid, gid)
        for name in files:
            os.chown(os.path.join(dirpath, name), uid, gid)


@pytest.mark.timeout(900)
def test_virtualization_chapter_runs_without_root_and_shows_the_recorded_runs():
    if os.geteuid() != 0:
        pytest.skip("needs root to start the kernel as nobody (this session has no root: it is the case under test)")
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is not installed")
    require_kernelspec()
    nobody = pwd.getpwnam("nobody")
    installed = Path(KernelSpecManager().get_kernel_spec(KERNEL_NAME).resource_dir)
    work = Path(tempfile.mkdtemp(prefix="serverlab-nonroot-", dir="/tmp"))
    try:
        os.chmod(work, 0o755)
        jar = work / "serverlab-kernel.jar"
        shutil.copy(installed / "serverlab-kernel.jar", jar)
        shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.html"))
        (work / "home").mkdir()
        chown_tree(work, nobody.pw_uid, nobody.pw_gid)

        java = json.loads((installed / "kernel.json").read_text())["argv"][0]
        specs = work / "kernels" / "serverlab-nobody"
        specs.mkdir(parents=True)
        # jupyter_client writes the connection file 0600 for root: a copy is handed to nobody, then the kernel starts as nobody
        handed = work / "home" / "connection.json"
        launch = (f'install -o {nobody.pw_uid} -m 600 "$1" {handed} && exec setpriv --reuid={nobody.pw_uid} --regid={nobody.pw_gid} '
                  f'--clear-groups -- {java} -Dfile.encoding=UTF-8 --enable-native-access=ALL-UNNAMED -jar {jar} {handed}')
        (specs / "kernel.json").write_text(json.dumps({
            "argv": ["sh", "-c", launch, "launch", "{connection_file}"],
            "display_name": "ServerLab (Java) as nobody", "language": "java", "interrupt_mode": "message"}))
        km = KernelManager(kernel_name="serverlab-nobody", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(work / "kernels")]))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_", "XDG_"))}
        env.update(HOME=str(work / "home"), SERVERLAB_QUICK="1", XDG_RUNTIME_DIR=str(work / "home"))

        nb = nbformat.read(work / "notebooks" / CHAPTER.name, as_version=4)
        client = NotebookClient(nb, km=km, timeout=600, startup_timeout=120, allow_errors=True,
                                resources={"metadata": {"path": str(work / "notebooks")}})
        client.execute(env=env)
        found = problems(nb)
        assert not found, "\n".join(found)
        text = "\n".join(out.get("text", "") + json.dumps(out.get("data", {}).get("text/plain", ""))
                         for cell in nb.cells for out in cell.get("outputs", []))
        assert "root" in text and "recorded" in text.lower(), "no cell said it needs root and showed the recorded run"
        print(f"[notebook] {CHAPTER.name} as nobody: ran clean, sandbox cells showed the recorded runs")
    finally:
        shutil.rmtree(work, ignore_errors=True)
