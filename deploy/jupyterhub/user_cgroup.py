"""One user's cgroup, serverlab-hub/<user>, in the memory and cpu controllers (cgroup v1 or v2)."""
import os
import signal
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "serverlab-hub"
CPU_PERIOD_US = 100_000


def cgroup_v2() -> bool:
    return (CGROUP_ROOT / "cgroup.controllers").exists()


class UserCgroup:

    def __init__(self, user: str):
        if cgroup_v2():
            self.dirs = [CGROUP_ROOT / PARENT / user]
        else:
            self.dirs = [CGROUP_ROOT / controller / PARENT / user for controller in ("memory", "cpu")]

    def create(self, mem_bytes: int | None, cpus: float | None) -> None:
        quota = int(cpus * CPU_PERIOD_US) if cpus else None
        if cgroup_v2():
            parent = CGROUP_ROOT / PARENT
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+memory +cpu")
            (d,) = self.dirs
            d.mkdir(exist_ok=True)
            (d / "memory.max").write_text(str(mem_bytes or "max"))
            (d / "cpu.max").write_text(f"{quota or 'max'} {CPU_PERIOD_US}")
        else:
            memory, cpu = self.dirs
            memory.mkdir(parents=True, exist_ok=True)
            cpu.mkdir(parents=True, exist_ok=True)
            (memory / "memory.limit_in_bytes").write_text(str(mem_bytes or -1))
            (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(str(quota or -1))

    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def pids(self) -> set[int]:
        return {int(p) for f in self.procs_files() if os.path.exists(f) for p in Path(f).read_text().split()}

    def kill_all(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def remove(self) -> None:
        for d in self.dirs:
            if d.exists():
                d.rmdir()
