"""bench/before-after: the same architecture from two builds of servers.jar, measured side by side in one run.

Each architecture present in both jars is started from each jar (the CLI, one process group each), warmed up until
its JIT is quiet, then measured with wrk on /hello in alternating rounds (before, after, before, after, ...) at each
connection level, so drift on a shared machine hits both builds alike. The best run of each side is compared: the
ratio after/before and whether it is inside the noise seen between rounds of the same build. Standard library only.
Run through bench/before-after (finds the JDK and wrk, builds the current jar).
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile

import servers_bench as bench

# The builds' CLIs differ: the consolidation renamed one architecture and several options.
RENAMED = {"process-per-connection": "process-per-request"}
SKIPPED = {"iterative", "process-per-request", "nginx", "netty", "jetty", "jetty-virtual"}   # not what changed, or too slow
OLD_FLAGS = ["--bind", "127.0.0.1", "--port", "0", "--idle-timeout-ms", str(bench.IDLE_TIMEOUT_MS), "--drain-timeout-ms", "2000"]
NEW_FLAGS = ["--bind-address", "127.0.0.1", "--port", "0", "--idle-timeout", f"{bench.IDLE_TIMEOUT_MS}ms", "--drain-timeout-ms", "2000"]


class Build(bench.Servers):
    """One jar's servers; `flags` are that build's CLI options for a loopback server on a free port."""

    def __init__(self, java, jar, flags, logdir):
        super().__init__(java, jar, logdir)
        self.flags = flags

    def start(self, target):
        name = next((old for old, new in RENAMED.items() if new == target and self.flags is OLD_FLAGS), target)
        cmd = [self.java, "-jar", self.jar, name] + self.flags
        log = open(os.path.join(self.logdir, f"{target}.log"), "w+")
        self.procs[target] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               start_new_session=True), log)


def names(java, jar):
    listed = subprocess.run([java, "-jar", jar, "--list"], capture_output=True, text=True, check=True).stdout.split()
    return [RENAMED.get(n, n) for n in listed]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True, help="the current servers.jar")
    ap.add_argument("--baseline-jar", required=True, help="servers.jar of the build to compare with")
    ap.add_argument("--duration", type=int, default=3, help="seconds per wrk run (default 3)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per build and level (default 3)")
    ap.add_argument("--connections", default="10,100", help="connection levels (default 10,100)")
    ap.add_argument("--targets", help="comma-separated architectures (default: every one in both jars)")
    ap.add_argument("--jit-warmup", type=int, default=20, help="max seconds of JIT warm-up per server (default 20)")
    args = ap.parse_args()
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    levels = [int(c) for c in args.connections.split(",")]
    both = [n for n in names(java, args.jar) if n in names(java, args.baseline_jar) and n not in SKIPPED]
    targets = args.targets.split(",") if args.targets else both
    print(f"bench/before-after: {len(targets)} architectures x {levels} connections x {args.rounds} alternating rounds of "
          f"{args.duration} s per build (wrk -t2 /hello)\n  before: {args.baseline_jar}\n  after:  {args.jar}")
    print(f"load average before: {bench.loadavg()}  ({os.cpu_count()} cores; the machine may be shared)")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    builds = {"before": Build(java, args.baseline_jar, OLD_FLAGS, tempfile.mkdtemp(prefix="serverlab-before-")),
              "after": Build(java, args.jar, NEW_FLAGS, tempfile.mkdtemp(prefix="serverlab-after-"))}
    header = f"{'architecture':<22}{'conns':>6}{'before req/s':>14}{'after req/s':>13}{'after/before':>14}{'noise':>8}  verdict"
    rows = []
    try:
        for target in targets:   # one architecture at a time: two JVMs on 2 cores, not thirty
            ports = {}
            for side, build in builds.items():
                build.start(target)
            for side, build in builds.items():
                ports[side] = build.await_port(target)
                with socket.create_connection(("127.0.0.1", ports[side]), timeout=30) as s:
                    assert bench.http_get(s) == 200, f"{side} {target}: GET /hello is not 200"
                bench.jit_warm_up(ports[side], build.pid(target), args.jit_warmup)
            for c in levels:
                runs = {"before": [], "after": []}
                for _ in range(args.rounds):
                    for side in ("before", "after"):
                        rps = bench.wrk(ports[side], c, args.duration)[0] or 0.0
                        runs[side].append(rps)
                best = {side: max(r) for side, r in runs.items()}
                ratio = best["after"] / best["before"] if best["before"] else float("nan")
                # noise: how far apart the rounds of one build are (the larger of the two builds' spreads)
                noise = max((max(r) - min(r)) / max(r) if max(r) else 0 for r in runs.values())
                verdict = "same within noise" if abs(ratio - 1) <= max(noise, 0.05) else ("faster" if ratio > 1 else "SLOWER")
                rows.append((target, c, best["before"], best["after"], ratio, noise, verdict))
                print(f"{target:<22}{c:>6}{best['before']:>14.0f}{best['after']:>13.0f}{ratio:>14.2f}{noise:>8.2f}  {verdict}", flush=True)
            for build in builds.values():
                build.stop_all()
                build.procs.clear()
    finally:
        for build in builds.values():
            build.stop_all()
    print("\n" + header)
    for target, c, before, after, ratio, noise, verdict in rows:
        print(f"{target:<22}{c:>6}{before:>14.0f}{after:>13.0f}{ratio:>14.2f}{noise:>8.2f}  {verdict}")
    slower = [r for r in rows if r[6] == "SLOWER"]
    print(f"\n{len(rows)} comparisons: {sum(r[6] == 'faster' for r in rows)} faster, "
          f"{sum(r[6] == 'same within noise' for r in rows)} same within noise, {len(slower)} slower beyond noise"
          + ("".join(f"\n  slower: {t} at {c} connections: {ratio:.2f}x (noise {noise:.2f})" for t, c, _, _, ratio, noise, _ in slower)))


if __name__ == "__main__":
    main()
