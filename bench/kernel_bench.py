"""Kernel latency benchmark: ServerLab kernel vs ipykernel, side by side.

Measures over the real wire protocol (jupyter_client, ZMQ):
  cold start       KernelManager.start_kernel() -> first kernel_info_reply   (median of 5 starts)
  first cell       the same starts -> reply to a `1+1` sent right after kernel_info (JShell still starting);
                   the kernels' starts alternate, so the machine's load changes hit them alike
  round trip       execute_request "1+1" -> execute_reply                      (median, p95 of 100)
  eval time        the kernel's own `%time 1+1` wall time, one after each round trip (median of 100)
  completion       complete_request -> complete_reply                           (median of 50)
  RSS              resident memory of the kernel process tree after warm-up, at the end, and 12 s later (MB)
Round trips and eval times are measured in two phases of a fresh kernel, each 100 pairs of cells:
  "JIT warming"   cells 11-210: the JVM is still compiling javac (on 2 cores the compiler threads
                  compete with the kernel's own threads, which shows as transport time);
  "steady"        cells 211-410: what a kernel settles to.
Targets (ServerLab): round trip median <= 25 ms in both phases; <= eval + 5 ms when steady;
cold start <= 1 s; first cell <= 0.6 s. `--trips 0` measures the starts only.
SERVERLAB_TRACE=1 in the kernel's environment logs where its first cell's time went (serverlab.kernel.StartTrace).
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

import psutil
import zmq
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

SNIPPETS = {  # per language: (trivial expression, completion code)
    "java": ("1+1", '"abc".toUpp'),
    "python": ("1+1", '"abc".upp'),
}
IDLE_S = 12
UNITS_MS = {"ns": 1e-6, "µs": 1e-3, "\u03bcs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}


class Client:
    def __init__(self, km: KernelManager):
        self.km = km
        self.kc = km.client()
        self.kc.start_channels()
        self.poller = zmq.Poller()
        self.iopub = self.kc.iopub_channel
        self.shell = self.kc.shell_channel
        self.poller.register(self.iopub.socket, zmq.POLLIN)
        self.poller.register(self.shell.socket, zmq.POLLIN)

    def wait(self, msg_id: str, timeout: float, want_idle: bool, resend=None):
        """Block until the shell reply for msg_id (and its idle status, if asked). Returns (reply_time, reply, iopub msgs)."""
        deadline = time.monotonic() + timeout
        reply = reply_at = None
        idle = not want_idle
        msgs = []
        next_resend = time.monotonic() + 2.0
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no reply within {timeout}s")
            events = dict(self.poller.poll(int(min(left, 0.5) * 1000) + 1))
            now = time.monotonic()
            if self.shell.socket in events:
                while self.shell.msg_ready():
                    m = self.shell.get_msg(timeout=0)
                    if reply is None and (m["parent_header"].get("msg_id") == msg_id or resend is not None):
                        reply, reply_at = m, now
            if self.iopub.socket in events:
                while self.iopub.msg_ready():
                    m = self.iopub.get_msg(timeout=0)
                    if m["parent_header"].get("msg_id") == msg_id:
                        msgs.append(m)
                        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                            idle = True
            if resend is not None and reply is None and now > next_resend:
                resend()
                next_resend = now + 2.0
        return reply_at, reply, msgs

    def execute(self, code: str, timeout: float = 60):
        t0 = time.monotonic()
        msg_id = self.kc.execute(code)
        t1, reply, msgs = self.wait(msg_id, timeout, want_idle=True)
        return t1 - t0, reply, msgs

    def complete(self, code: str, timeout: float = 30):
        t0 = time.monotonic()
        msg_id = self.kc.complete(code, len(code))
        t1, reply, _ = self.wait(msg_id, timeout, want_idle=False)
        return t1 - t0, reply

    def close(self):
        self.kc.stop_channels()


def rss_mb(pid: int) -> float:
    p = psutil.Process(pid)
    return sum(q.memory_info().rss for q in [p] + p.children(recursive=True)) / 2**20


def cold_start(name: str, expr: str) -> tuple[float, float]:
    """(start -> kernel_info_reply, start -> reply to the first `expr` cell sent right after it)."""
    km = KernelManager(kernel_name=name)
    t0 = time.monotonic()
    km.start_kernel(stderr=subprocess.DEVNULL)
    c = Client(km)
    try:
        msg_id = c.kc.kernel_info()
        t1, _, _ = c.wait(msg_id, 120, want_idle=False, resend=c.kc.kernel_info)
        t2, _, _ = c.wait(c.kc.execute(expr), 120, want_idle=False)
        return t1 - t0, t2 - t0
    finally:
        c.close()
        km.shutdown_kernel(now=False)


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def parse_wall_ms(text: str) -> float | None:
    m = re.search(r"wall time:?\s*([\d.]+)\s*(ns|µs|\u03bcs|us|ms|s)\b", text, re.I)
    return float(m.group(1)) * UNITS_MS[m.group(2)] if m else None


def snippets(name: str) -> tuple[str, str]:
    return SNIPPETS.get(KernelSpecManager().get_kernel_spec(name).language.lower(), SNIPPETS["java"])


def measure_starts(names: list[str], starts: int) -> dict:
    """Cold starts of every kernel, alternating, so that a change in the machine's load hits all alike."""
    print(f"  cold starts x{starts}, alternating {', '.join(names)} ...", file=sys.stderr, flush=True)
    results = {n: {"display": KernelSpecManager().get_kernel_spec(n).display_name, "cold": [], "first_cell": []}
               for n in names}
    for _ in range(starts):
        for n in names:
            info, first = cold_start(n, snippets(n)[0])
            results[n]["cold"].append(info)
            results[n]["first_cell"].append(first)
    return results


def measure(name: str, r: dict, trips: int, completions: int) -> dict:
    """Round trips, eval times, completion and memory of one running kernel, added to its start-up figures r."""
    expr, comp = snippets(name)
    km = KernelManager(kernel_name=name)
    km.start_kernel(stderr=subprocess.DEVNULL)
    c = Client(km)
    try:
        c.kc.wait_for_ready(timeout=120)  # also makes sure IOPub is subscribed
        print(f"  [{name}] 10 warm-up cells, 2 x {trips} round trips each followed by %time, {completions} completions ...",
              file=sys.stderr, flush=True)
        for _ in range(10):
            dt, reply, _ = c.execute(expr)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{expr!r} failed on {name}: {reply['content']}")
        r["rss"] = rss_mb(km.provisioner.pid)
        # Round trips and the kernel's own eval time alternate, so both see the same JIT state.
        for phase in ("warming", "steady"):
            trips_ms, walls = [], []
            for _ in range(trips):
                trips_ms.append(c.execute(expr)[0])
                if "eval_note" in r:
                    continue
                _, reply, msgs = c.execute(f"%time {expr}")
                text = "".join(m["content"].get("text", "") for m in msgs if m["msg_type"] == "stream")
                text += "".join(str(m["content"].get("data", {}).get("text/plain", "")) for m in msgs
                                if m["msg_type"] in ("execute_result", "display_data"))
                w = parse_wall_ms(text)
                if w is None:
                    r["eval_note"] = f"%time output not understood: {text[:120]!r} (status {reply['content']['status']})"
                else:
                    walls.append(w)
            r["trip_" + phase], r["eval_" + phase] = trips_ms, walls
        for _ in range(5):
            c.complete(comp)
        r["complete"] = [c.complete(comp)[0] for _ in range(completions)]
        r["rss_end"] = rss_mb(km.provisioner.pid)
        time.sleep(IDLE_S)  # the JVM gives heap back when idle (G1 periodic collection every 5 s)
        r["rss_idle"] = rss_mb(km.provisioner.pid)
    finally:
        c.close()
        km.shutdown_kernel(now=False)
    return r


def ms(v):
    return f"{v * 1000:.1f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default="serverlab", help="kernelspec under test (default: serverlab)")
    ap.add_argument("--reference", default="python3", help="reference kernelspec (default: python3 = ipykernel); '' to skip")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--trips", type=int, default=100, help="round trips per phase; 0: the starts only")
    ap.add_argument("--completions", type=int, default=50)
    ap.add_argument("--check", action="store_true", help="exit 1 when a ServerLab target is missed")
    a = ap.parse_args()

    names = [a.kernel] + ([a.reference] if a.reference else [])
    results: dict = {n: None for n in names}
    t_all = time.monotonic()
    installed = []
    for n in names:
        try:
            KernelSpecManager().get_kernel_spec(n)
            installed.append(n)
        except NoSuchKernel:
            print(f"kernelspec {n!r} is not installed (for serverlab: ./lab --install-only)", file=sys.stderr)
    try:
        results.update(measure_starts(installed, a.starts))
    except Exception as e:
        print(f"cold starts failed: {type(e).__name__}: {e}", file=sys.stderr)
    for n in installed:
        if results[n] is None or a.trips == 0:
            continue
        try:
            measure(n, results[n], a.trips, a.completions)
        except Exception as e:  # report and go on with the other kernel
            print(f"{n}: benchmark failed: {type(e).__name__}: {e}", file=sys.stderr)
            results[n] = None

    def med(key):
        return lambda r: ms(statistics.median(r[key]))

    def eval_med(key):
        return lambda r: f"{statistics.median(r[key]):.3g} ms" if r.get(key) else "n/a"

    rows = [
        ("cold start -> kernel_info_reply (median of %d)" % a.starts, lambda r: ms(statistics.median(r["cold"]))),
        ("cold start -> first 1+1 answered (median of %d)" % a.starts, lambda r: ms(statistics.median(r["first_cell"]))),
        ("  first cell, fastest start", lambda r: ms(min(r["first_cell"]))),
        ("JIT warming (cells 11-%d):" % (10 + 2 * a.trips), lambda r: ""),
        ("  execute 1+1 round trip, median", med("trip_warming")),
        ("  execute 1+1 round trip, p95", lambda r: ms(pct(r["trip_warming"], 0.95))),
        ("  kernel's own eval time (%time 1+1), median", eval_med("eval_warming")),
        ("steady (cells %d-%d):" % (11 + 2 * a.trips, 10 + 4 * a.trips), lambda r: ""),
        ("  execute 1+1 round trip, median", med("trip_steady")),
        ("  execute 1+1 round trip, p95", lambda r: ms(pct(r["trip_steady"], 0.95))),
        ("  kernel's own eval time (%time 1+1), median", eval_med("eval_steady")),
        ("completion, median of %d" % a.completions, lambda r: ms(statistics.median(r["complete"]))),
        ("kernel RSS after warm-up (10 cells)", lambda r: f"{r['rss']:.0f} MB"),
        ("kernel RSS at the end (%d cells)" % (10 + 4 * a.trips), lambda r: f"{r['rss_end']:.0f} MB"),
        ("kernel RSS %d s after the last cell" % IDLE_S, lambda r: f"{r['rss_idle']:.0f} MB"),
    ]
    if not a.trips:
        rows = rows[:3]
    width = max(len(x[0]) for x in rows) + 2
    header = "".join(f"{(results[n] or {}).get('display', n)[:22]:>24}" for n in names)
    print(f"\n{'metric':<{width}}{header}")
    print("-" * (width + 24 * len(names)))
    for label, fmt in rows:
        cells = []
        for n in names:
            r = results[n]
            try:
                cells.append(fmt(r) if r else "not run")
            except (KeyError, statistics.StatisticsError):
                cells.append("n/a")
        print(f"{label:<{width}}" + "".join(f"{c:>24}" for c in cells))
    for n in names:
        if results[n] and results[n].get("eval_note"):
            print(f"note ({n}): {results[n]['eval_note']}")

    r = results.get(a.kernel)
    missed = []
    print(f"\ntargets for {a.kernel}:")
    if not r:
        print("  not measured (kernel not installed or failed)")
        missed.append("not measured")
    else:
        cold = statistics.median(r["cold"])
        checks = []
        if a.trips:   # round trips measured
            for phase in ("warming", "steady"):
                trip = statistics.median(r["trip_" + phase]) * 1000
                checks.append((f"round trip median ({phase}) {trip:.1f} ms <= 25 ms", trip <= 25))
            if r.get("eval_steady"):
                ev = statistics.median(r["eval_steady"])
                checks.append((f"round trip median (steady) {trip:.1f} ms <= eval {ev:.1f} ms + 5 ms", trip <= ev + 5))
            else:
                checks.append(("round trip <= eval + 5 ms: eval time not available (%time)", False))
        checks.append((f"cold start median {cold:.2f} s <= 1 s", cold <= 1.0))
        first = statistics.median(r["first_cell"])
        checks.append((f"first cell answered, median {first:.2f} s <= 0.6 s after the start", first <= 0.6))
        reference = results.get(a.reference) if a.reference else None
        if reference:
            print(f"  (first cell: {first / statistics.median(reference['first_cell']):.1f}x {a.reference}'s, "
                  f"measured alternately in this run)")
        if r.get("eval_warming"):
            gap = statistics.median(r["trip_warming"]) * 1000 - statistics.median(r["eval_warming"])
            print(f"  (while the JIT is warming, the round trip is {gap:.1f} ms above eval; not a target)")
        for text, ok in checks:
            print(f"  [{'PASS' if ok else 'MISS'}] {text}")
            if not ok:
                missed.append(text)
    load = psutil.getloadavg()[0]
    print(f"\n(total {time.monotonic() - t_all:.0f} s; load average {load:.2f} on {psutil.cpu_count()} CPUs — "
          f"a shared machine inflates every number)")
    return 1 if (a.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
