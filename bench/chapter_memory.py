"""Peak memory of each chapter: the kernel plus every child JVM, server and tool a chapter starts.

Runs each notebook top to bottom with nbclient (quick mode unless --full) and samples, every 0.2 s,
the proportional set size (PSS, /proc/PID/smaps_rollup) summed over the kernel's whole process tree;
PSS counts shared pages once across the tree, so the sum is what the tree costs the machine (RSS where
smaps_rollup is unreadable). Binder gives a session 2 GB: a chapter fits when its peak is below that.

  bench/chapter-memory                      every chapter, quick mode
  bench/chapter-memory 00-welcome 03        chapters whose file name starts with these prefixes
  bench/chapter-memory --json peaks.json    also write the figures (tests/deploy reads them)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
BINDER_LIMIT_MB = 2048
SAMPLE_S = 0.2


def pss_bytes(proc: psutil.Process) -> int:
    try:
        with open(f"/proc/{proc.pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return proc.memory_info().rss
    except psutil.Error:
        return 0


def tree_pss(root_pid: int) -> tuple[int, int]:
    """(PSS of the process tree under root_pid, number of processes in it)."""
    try:
        root = psutil.Process(root_pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0, 0
    return sum(pss_bytes(p) for p in procs), len(procs)


class PeakSampler(threading.Thread):
    """Samples the tree under the client's kernel until stopped; keeps the peak."""

    def __init__(self, client: NotebookClient):
        super().__init__(daemon=True)
        self.client = client
        self.peak_bytes = 0
        self.peak_processes = 0
        self.stopped = threading.Event()

    def kernel_pid(self) -> int | None:
        km = getattr(self.client, "km", None)
        provisioner = getattr(km, "provisioner", None) if km is not None else None
        return getattr(provisioner, "pid", None)

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_S):
            pid = self.kernel_pid()
            if pid is None:
                continue
            total, count = tree_pss(pid)
            if total > self.peak_bytes:
                self.peak_bytes, self.peak_processes = total, count


def run_chapter(path: Path, kernel: str, cell_timeout: int) -> dict:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel, timeout=cell_timeout, startup_timeout=120,
                            allow_errors=False, resources={"metadata": {"path": str(path.parent)}})
    sampler = PeakSampler(client)
    sampler.start()
    start = time.monotonic()
    error = None
    try:
        client.execute()
    except CellExecutionError:  # the cell's error output says what failed
        error = next((f"cell {i}: {o.get('ename')}: {o.get('evalue')}"[:300] for i, c in enumerate(nb.cells)
                      for o in c.get("outputs", []) if o.get("output_type") == "error"), "a cell failed")
    except Exception as e:  # a dead or unstartable kernel: report it, measure the others
        error = f"{type(e).__name__}: {e}"[:300]
    finally:
        sampler.stopped.set()
        sampler.join()
    return {"chapter": path.stem, "seconds": round(time.monotonic() - start, 1),
            "peak_mb": round(sampler.peak_bytes / 2**20), "processes_at_peak": sampler.peak_processes,
            "error": error}


def chapters(prefixes: list[str]) -> list[Path]:
    every = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not prefixes:
        return every
    chosen = [p for p in every if any(p.stem.startswith(x) for x in prefixes)]
    if not chosen:
        sys.exit(f"error: no notebook matches {prefixes} (have {[p.stem for p in every]})")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="file-name prefixes (default: every chapter)")
    parser.add_argument("--kernel", default="serverlab", help="kernelspec name (default serverlab)")
    parser.add_argument("--full", action="store_true", help="full mode instead of SERVERLAB_QUICK=1")
    parser.add_argument("--cell-timeout", type=int, default=600)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if not args.full:
        os.environ["SERVERLAB_QUICK"] = "1"
    results = []
    print(f"{'chapter':<22} {'time':>7} {'peak PSS':>9} {'procs':>5}  fits {BINDER_LIMIT_MB} MB", flush=True)
    for path in chapters(args.chapters):
        r = run_chapter(path, args.kernel, args.cell_timeout)
        results.append(r)
        fits = "yes" if r["peak_mb"] < BINDER_LIMIT_MB else "NO"
        print(f"{r['chapter']:<22} {r['seconds']:>6.0f}s {r['peak_mb']:>6} MB {r['processes_at_peak']:>5}  {fits}"
              + (f"  FAILED: {r['error']}" if r["error"] else ""), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if all(r["error"] is None and r["peak_mb"] < BINDER_LIMIT_MB for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
