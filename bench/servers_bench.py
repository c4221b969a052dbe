"""bench/servers: every ServerLab architecture vs nginx (1 and 2 workers) with wrk on /hello.

Run through bench/servers (finds the JDK, builds the jar, checks wrk, raises `ulimit -n`).
Servers run from the CLI (`java -jar servers.jar NAME --port 0`), each in its own process
group, and are stopped by PID (SIGTERM, then SIGKILL to that group) when the run ends, also
on Ctrl-C or an error. Targets are measured round-robin per connection level, so drift on a
shared machine hits them alike. Then the C10K series (`--series idle-selectors` runs only it):
event-loop with `--selector epoll` vs `--selector poll`, 10 active wrk connections while 0, 100,
1,000 and 10,000 idle keep-alive connections are held open by this script. Standard library only.
"""
import argparse
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

REFERENCES = {"nginx", "netty", "jetty", "jetty-virtual"}   # not architectures; nginx is added explicitly
NGINX1, NGINX2 = "nginx-1-worker", "nginx-2-workers"
# How the reference rows are configured (servers/.../reference/*Server.java; README "Measured figures").
# Printed beside the rows, with what /proc shows of each running server.
REFERENCE_CONFIG = {
    NGINX1: "Debian's nginx, 1 worker process, generated config (keep-alive, access log off)",
    NGINX2: "Debian's nginx, 2 worker processes, same config",
    "netty": "Netty 4.2.18: native epoll transport, 1 acceptor loop + 2 event loops (--workers), "
             "adaptive pooled allocator, HttpServerCodec + HttpObjectAggregator, flush per read batch, TCP_NODELAY",
    "jetty": "Jetty 12.0.16: 1 acceptor + 1 selector (Jetty's defaults on 2 cores), QueuedThreadPool of "
             "10 handler threads (--threads) + Jetty's own, blocking handler, Date header on",
}
REFERENCE_TARGETS = [NGINX1, NGINX2, "netty", "jetty"]
QUICK_TARGETS = [NGINX1, NGINX2, "event-loop", "multi-reactor", "nginx-style", "virtual-threads"]
SKIP = {("process-per-request", 1000): "skipped: one JVM per request",
        ("iterative", 1000): "skipped: serializes every connection"}
SHORT = {"process-per-request": 3}    # max seconds per run, and no warm-up (nothing to warm: a JVM per request)
WRK_TIMEOUT = {"process-per-request": "30s"}   # a JVM start per request takes longer than wrk's default 2 s
IDLE_TIMEOUT_MS = 300_000                # so idle connections opened on a slow machine are not timed out meanwhile
REQUEST = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
# The C10K series: one event loop waiting with poll(2) or epoll(7) while idle connections pile up.
SELECTOR_TARGETS = {"event-loop/epoll": ("event-loop", ["--selector", "epoll"]),
                    "event-loop/poll": ("event-loop", ["--selector", "poll"])}
IDLE_LEVELS, QUICK_IDLE_LEVELS = [0, 100, 1000, 10_000], [0, 10_000]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Servers:
    """Starts the targets in parallel from the CLI; stop_all() ends each by its PID."""

    def __init__(self, java, jar, logdir):
        self.java, self.jar, self.logdir, self.procs = java, jar, logdir, {}

    def start(self, target):
        name, flags = SELECTOR_TARGETS.get(target, (target, []))
        if target in (NGINX1, NGINX2):
            name, flags = "nginx", ["--workers", target[6]]
        cmd = [self.java, "-jar", self.jar, name, "--bind-address", "127.0.0.1", "--port", "0",
               "--idle-timeout", f"{IDLE_TIMEOUT_MS}ms", "--drain-timeout-ms", "2000"] + flags
        log = open(os.path.join(self.logdir, target.replace("/", "-") + ".log"), "w+")
        self.procs[target] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               start_new_session=True), log)

    def await_port(self, target, timeout=120):
        proc, log = self.procs[target]
        deadline = time.time() + timeout
        while time.time() < deadline:
            log.seek(0)
            text = log.read()
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
            if m:
                return int(m.group(1))
            if proc.poll() is not None:
                raise RuntimeError(f"{target} exited with {proc.returncode}: {text.strip()[-400:]}")
            time.sleep(0.1)
        raise RuntimeError(f"{target} did not print its address within {timeout} s")

    def pid(self, target):
        return self.procs[target][0].pid

    def stop_all(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)      # a second Ctrl-C must not skip the SIGKILL fallback
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)          # graceful: the CLI drains, nginx gets SIGQUIT
        for proc, log in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)       # its own group: leftovers (workers, CGI children) only
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
            log.close()


def http_get(sock):
    """Sends GET /hello on a connected socket and reads one response; returns the status code."""
    sock.sendall(REQUEST)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the response headers")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    while length and len(body) < int(length.group(1)):
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ", 2)[1])


def to_ms(value):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1e3, "m": 6e4, "h": 3.6e6}[m.group(2)]


def wrk(port, connections, seconds, timeout=None):
    cmd = ["wrk", "-t2", f"-d{seconds}s", f"-c{connections}", "--latency", f"http://127.0.0.1:{port}/hello"]
    cmd[1:1] = ["--timeout", timeout] if timeout else []
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        return None, None, None, "wrk: " + " ".join(out.split())[-80:]
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    done = re.search(r"(\d+) requests in", out)
    notes = ["no response completed"] if done and done.group(1) == "0" else []
    notes += [f"wrk --timeout {timeout}"] if timeout else []
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        c, r, w, t = map(int, errors.groups())
        notes += [f"{t} timeouts"] if t else []
        notes += [f"errors c{c}/r{r}/w{w}"] if c + r + w else []
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    notes += [f"{non2xx.group(1)} non-2xx"] if non2xx else []
    return float(rps.group(1)), to_ms(pct.get("50", "0us")), to_ms(pct.get("99", "0us")), ", ".join(notes)


def group_pids(pid):
    """The processes of a target: the CLI's JVM and its children (workers, nginx), all in its process group."""
    return subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout.split() or [str(pid)]


def cpu_ticks(pid):
    """CPU ticks used so far by a target's threads, in total and by the JIT compiler threads."""
    total = compiler = 0
    for p in group_pids(pid):
        for task in os.listdir(f"/proc/{p}/task") if os.path.isdir(f"/proc/{p}/task") else []:
            try:
                name = open(f"/proc/{p}/task/{task}/comm").read()
                fields = open(f"/proc/{p}/task/{task}/stat").read().rsplit(")", 1)[1].split()
            except OSError:                              # the thread ended meanwhile
                continue
            ticks = int(fields[11]) + int(fields[12])    # utime + stime
            total += ticks
            compiler += ticks if name.startswith(("C1 CompilerThre", "C2 CompilerThre")) else 0
    return total, compiler


def jit_warm_up(port, pid, cap):
    """Loads a JVM target in 1 s runs at 100 connections until, in two runs in a row, its JIT compiler threads
    use under 5% of its CPU (or `cap` seconds pass); returns the seconds spent. Netty's and Jetty's request
    paths are far more code than event-loop's: on a busy 2-core machine C2 compiles them for tens of seconds,
    and a run measured before that measures the compiler (netty at 10 connections: 84 req/s in its first 5 s,
    7,520 in its sixth, CPU per request 3.4 ms -> 31 us). Compiler time, unlike req/s, is not hidden by the
    noise of a shared machine."""
    t0, quiet = time.time(), 0
    while time.time() - t0 < cap and quiet < 2:
        total0, compiler0 = cpu_ticks(pid)
        wrk(port, 100, 1)
        total1, compiler1 = cpu_ticks(pid)
        quiet = quiet + 1 if compiler1 - compiler0 < 0.05 * max(total1 - total0, 1) else 0
    return time.time() - t0


def describe(target, pid):
    """What /proc shows of a reference server: its threads (all processes in its group) and, for netty,
    whether the native epoll library is mapped (the transport really in use, not the one asked for)."""
    pids = group_pids(pid)
    threads = sum(len(os.listdir(f"/proc/{p}/task")) for p in pids if os.path.isdir(f"/proc/{p}/task"))
    seen = f"{len(pids)} process{'es' if len(pids) > 1 else ''}, {threads} threads"
    if target == "netty":
        mapped = "libnetty_transport_native_epoll" in open(f"/proc/{pid}/maps").read()
        seen += ", native epoll library " + ("mapped" if mapped else "NOT mapped (NIO)")
    return seen


def idle_test(port, pid, count, hold=2.0):
    """Opens `count` keep-alive connections (one request each, then idle), checks a fresh request is served and
    the idle ones are still open. Returns (passed, report)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1000), hard))
    server_limit = re.search(r"Max open files\s+(\d+)", open(f"/proc/{pid}/limits").read()).group(1)
    socks, error, t0 = [], "", time.time()
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            socks.append(s)
            if http_get(s) != 200:
                raise ConnectionError("non-200 on an idle connection's first request")
    except OSError as e:
        error = f"; stopped at {len(socks)}: {e}"
    opened = time.time() - t0
    time.sleep(hold)
    try:
        t1 = time.time()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            status = http_get(s)
        probe = f"fresh GET /hello -> {status} in {(time.time() - t1) * 1000:.1f} ms"
    except OSError as e:
        status, probe = None, f"fresh GET /hello failed: {e}"
    still_open = 0
    for s in socks:
        s.setblocking(False)
        try:
            s.recv(1)                                # b"" = closed by the server; data would be unexpected too
        except BlockingIOError:
            still_open += 1                          # nothing to read: still open and idle
        except OSError:
            pass
        s.close()
    status_file = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status_file).group(1)) // 1024 if "VmRSS" in status_file else 0
    threads = re.search(r"Threads:\s+(\d+)", status_file).group(1)
    passed = still_open == count and status == 200
    return passed, (f"{still_open}/{count} still open {hold:.0f} s after opening (opened in {opened:.1f} s{error}); "
                    f"{probe}; server RSS {rss} MB, {threads} threads; fd limit client {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}, "
                    f"server {server_limit}")


def eventpoll_fds(pid):
    """How many epoll instances a process holds: 0 proves a selector really waits with poll(2)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[eventpoll]"
        except OSError:                              # closed meanwhile
            pass
    return count


def open_idle(port, count):
    """`count` connections that say nothing. A request on each would cost the poll server a wait over every
    connection per request (opening 10,000 that way took minutes); instead one request on the last connection:
    the loop accepts in arrival order, so when it answers, every connection is accepted and registered."""
    socks = []
    try:
        for _ in range(count):
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        if socks and http_get(socks[-1]) != 200:
            raise ConnectionError("non-200 on the last idle connection")
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def idle_selector_series(ports, pids, levels, active, seconds, warmup):
    """wrk with `active` connections on event-loop/epoll and event-loop/poll while 0 .. 10,000 idle connections are
    held open, the two selectors alternating at each level so drift hits both alike. poll(2) hands the kernel the
    whole interest set on every wait, so each wake-up costs O(connections); epoll keeps the set in the kernel and
    returns only the ready ones. Returns {(target, idle): req/s}."""
    results = {}
    print(f"\nidle-connection series: wrk -c{active} on /hello, {seconds} s per run after {warmup} s warm-up, "
          f"while N idle keep-alive connections are held open")
    for t in SELECTOR_TARGETS:
        print(f"  {t:<18}epoll instances in the server process: {eventpoll_fds(pids[t])}")
    header = f"{'server':<20}{'idle':>8}{'req/s':>11}{'p50 ms':>9}{'p99 ms':>10}  notes"
    print(header + "\n" + "-" * len(header))
    for i, idle in enumerate(levels):
        for t in list(SELECTOR_TARGETS)[::1 if i % 2 == 0 else -1]:
            try:
                socks = open_idle(ports[t], idle)
            except OSError as e:
                print(f"{t:<20}{idle:>8}{'-':>11}{'-':>9}{'-':>10}  could not open the idle connections: {e}", flush=True)
                continue
            try:
                if warmup:
                    wrk(ports[t], active, warmup)
                rps, p50, p99, note = wrk(ports[t], active, seconds)
            finally:
                for s in socks:
                    s.close()
            results[t, idle] = rps
            lat = f"{p50:>9.2f}{p99:>10.2f}" if rps else f"{'-':>9}{'-':>10}"
            print(f"{t:<20}{idle:>8}{rps or 0:>11.0f}{lat}  {note}", flush=True)
    print(f"\n{'idle':>8}{'epoll req/s':>13}{'poll req/s':>12}{'poll/epoll':>12}")
    for idle in levels:
        epoll, poll = results.get(("event-loop/epoll", idle)), results.get(("event-loop/poll", idle))
        ratio = f"{poll / epoll:.2f}" if epoll and poll else "-"
        print(f"{idle:>8}{epoll or 0:>13.0f}{poll or 0:>12.0f}{ratio:>12}")
    top = max(levels)
    epoll, poll = results.get(("event-loop/epoll", top)), results.get(("event-loop/poll", top))
    print(f"poll/epoll throughput at {top:,} idle connections: " + (f"{poll / epoll:.2f}" if epoll and poll else "n/a"))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="warm-up seconds per target and level (default 1)")
    ap.add_argument("--jit-warmup", type=int,
                    help="cap in seconds on each JVM target's first warm-up, which runs until its JIT compiler is quiet "
                         "(default 60, with --quick 10; 0 = none)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 s, 10 and 100 connections, the targets' servers only")
    ap.add_argument("--targets", help="comma-separated names (architectures, netty, jetty, jetty-virtual, nginx-1-worker, nginx-2-workers)")
    ap.add_argument("--idle", type=int, default=10_000, help="idle connections for virtual-threads (0 = skip)")
    ap.add_argument("--series", choices=["all", "idle-selectors"], default="all",
                    help="idle-selectors: only event-loop with --selector epoll vs poll, wrk -c10 while "
                         f"{IDLE_LEVELS} idle connections are held (with --quick {QUICK_IDLE_LEVELS}); default all")
    args = ap.parse_args()
    selectors_only = args.series == "idle-selectors"
    idle_levels = QUICK_IDLE_LEVELS if args.quick else IDLE_LEVELS
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    duration, levels = (1, [10, 100]) if args.quick else (args.duration, [10, 100, 1000])
    if args.jit_warmup is None:
        args.jit_warmup = 10 if args.quick else 60
    if selectors_only:
        targets = []
    elif args.targets:
        targets = args.targets.split(",")
    elif args.quick:
        targets = QUICK_TARGETS
    else:
        names = subprocess.run([java, "-jar", args.jar, "--list"], capture_output=True, text=True, check=True).stdout.split()
        targets = REFERENCE_TARGETS + [n for n in names if n not in REFERENCES]
    if not os.access("/usr/sbin/nginx", os.X_OK):
        targets = [t for t in targets if t not in (NGINX1, NGINX2)]
    targets.sort(key=lambda t: t not in (NGINX1, NGINX2))   # nginx first in each round: ratios print at once

    runs = [(c, t) for c in levels for t in targets]
    cost = lambda t: min(duration, SHORT[t]) if t in SHORT else args.warmup + duration
    estimate = 20 + sum(cost(t) + 1 for c, t in runs if (t, c) not in SKIP) + (30 if args.idle and "virtual-threads" in targets else 0)
    estimate += len(SELECTOR_TARGETS) * sum(args.warmup + duration + 1 + n // 5000 for n in idle_levels)
    jvms = sum(1 for t in targets if t not in SHORT and t not in (NGINX1, NGINX2)) + len(SELECTOR_TARGETS)
    plan = "the idle-selectors series" if selectors_only else f"{len(targets)} targets x {levels} connections, then the idle-selectors series"
    print(f"bench/servers: {plan}; "
          f"wrk -t2 -d{duration}s --latency, {args.warmup} s warm-up; estimated {estimate // 60} min {estimate % 60} s "
          f"+ JIT warm-up (2-{args.jit_warmup} s for each of {jvms} JVM targets)")
    print(f"load average before: {loadavg()}  ({os.cpu_count()} cores; the machine may be shared)")
    if targets:
        print("process-per-request: runs of at most 3 s, no warm-up, skipped at 1000 connections (one JVM per request); "
              "iterative: skipped at 1000 connections (it serializes every connection)")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally block below stops the servers,
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background (SIGINT ignored)
    servers = Servers(java, args.jar, tempfile.mkdtemp(prefix="serverlab-bench-"))
    results, ports = {}, {}
    try:
        for t in targets + list(SELECTOR_TARGETS):
            servers.start(t)
        for t in targets + list(SELECTOR_TARGETS):
            try:
                ports[t] = servers.await_port(t)
                with socket.create_connection(("127.0.0.1", ports[t]), timeout=30) as s:
                    assert http_get(s) == 200, "GET /hello is not 200"
            except (RuntimeError, OSError, AssertionError) as e:
                print(f"  {t}: failed to start: {e}")
                ports.pop(t, None)
        print(f"servers up; logs in {servers.logdir}")
        for t in targets:
            if t in REFERENCE_CONFIG and t in ports:
                print(f"  {t:<16}{REFERENCE_CONFIG[t]}\n  {'':<16}running: {describe(t, servers.pid(t))}")
        if args.jit_warmup:
            warmed = [(t, jit_warm_up(ports[t], servers.pid(t), args.jit_warmup)) for t in targets + list(SELECTOR_TARGETS)
                      if t in ports and t not in SHORT and t not in (NGINX1, NGINX2)]
            print("JIT warm-up at 100 conns until the compiler threads are quiet: "
                  + ", ".join(f"{t} {s:.0f} s" for t, s in warmed))
        print()
        if targets:
            header = f"{'architecture':<24}{'conns':>6}{'req/s':>11}{'p50 ms':>9}{'p99 ms':>10}{'xnginx1':>9}{'xnginx2':>9}  notes"
            print(header + "\n" + "-" * len(header))
            for c in levels:
                for t in targets:                                  # round-robin: every target once per level
                    note = SKIP.get((t, c)) or ("" if t in ports else "not started")
                    if note:
                        print(f"{t:<24}{c:>6}{'-':>11}{'-':>9}{'-':>10}{'-':>9}{'-':>9}  {note}", flush=True)
                        continue
                    seconds = min(duration, SHORT[t]) if t in SHORT else duration
                    if t not in SHORT and args.warmup:
                        wrk(ports[t], c, args.warmup)
                    rps, p50, p99, note = wrk(ports[t], c, seconds, WRK_TIMEOUT.get(t))
                    results[t, c] = rps
                    if not rps:                                    # wrk failed, or no response completed
                        print(f"{t:<24}{c:>6}{'-':>11}{'-':>9}{'-':>10}{'-':>9}{'-':>9}  {note}", flush=True)
                        continue
                    ratio = lambda ref: f"{rps / results[ref, c]:.2f}" if results.get((ref, c)) else "-"
                    lat = f"{p50:>9.2f}{p99:>10.2f}" if p99 else f"{'-':>9}{'-':>10}"   # none recorded within wrk's timeout
                    print(f"{t:<24}{c:>6}{rps:>11.0f}{lat}{ratio(NGINX1):>9}{ratio(NGINX2):>9}  {note}",
                          flush=True)
            print("wrk counts completed responses only: connections an architecture leaves waiting (iterative serves one at a\n"
                  "time, thread-pool as many as it has threads) show up neither in req/s nor in p99; read those rows with that in mind.")
        idle = None
        if args.idle and "virtual-threads" in ports:
            print(f"\nopening {args.idle} idle keep-alive connections to virtual-threads ...", flush=True)
            idle = idle_test(ports["virtual-threads"], servers.pid("virtual-threads"), args.idle)
        if all(t in ports for t in SELECTOR_TARGETS):
            idle_selector_series(ports, {t: servers.pid(t) for t in SELECTOR_TARGETS}, idle_levels, 10, duration, args.warmup)
    finally:
        servers.stop_all()

    if targets:
        print("\ntargets (ratio of req/s at the same connection count; PASS needs >= 0.80 at every level shown)")
        def check(label, target, ref, at):
            ratios = [(c, (results[target, c] or 0) / results[ref, c]) for c in at   # a failed run counts as 0
                      if (target, c) in results and results.get((ref, c))]
            verdict = ("PASS" if all(r >= 0.8 for _, r in ratios) else "MISS") if ratios else "n/a (not measured)"
            print(f"  {label:<50}" + "".join(f"@{c} {r:.2f}  " for c, r in ratios) + verdict)
        check("event-loop >= 0.8x nginx-1-worker", "event-loop", NGINX1, levels)
        check("multi-reactor >= 0.8x nginx-2-workers", "multi-reactor", NGINX2, levels)
        check("nginx-style >= 0.8x nginx-2-workers", "nginx-style", NGINX2, levels)
        check("virtual-threads >= 0.8x event-loop at 100 conns", "virtual-threads", "event-loop", [100])
        label = f"virtual-threads holds {args.idle:,} idle connections"
        print(f"  {label:<50}" + (f"{'PASS' if idle[0] else 'MISS'}: {idle[1]}" if idle else "n/a (not run)"))
    print(f"\nload average after: {loadavg()}")


if __name__ == "__main__":
    main()
