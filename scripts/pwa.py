#!/usr/bin/env python3
"""Chapter 07's progressive web app in headless Chromium: the plain page against the same page with a service
worker. Each is loaded N times online, then once offline; for every load, the requests that reached the server
(its own count, GET /file-counts), the load time, and whether the app worked.

    .venv/bin/python scripts/pwa.py [--loads 5]

Needs the built kernel jar (./lab --install-only, or ./mvnw -pl kernel -am package), JDK >= 21 ($JAVA_HOME, else
java on PATH), Debian's chromium (/usr/bin/chromium, or $SERVERLAB_CHROMIUM) and Python Playwright; it never
downloads a browser. Writes 07-cloud-tiers.pwa.csv into the recorded results (Recorded's directory:
$SERVERLAB_RESULTS, else notebooks/results), which the chapter shows. tests/browser/test_pwa.py checks the same
measurement.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JAR = Path(os.environ.get("SERVERLAB_JAR", REPO / "kernel" / "target" / "serverlab-kernel.jar"))
CHROMIUM = os.environ.get("SERVERLAB_CHROMIUM", "/usr/bin/chromium")
# as in tests/browser/conftest.py (shared/MACHINE-NOTES.md)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SERVICE_WORKER = "sw.js"
COLUMNS = ["variant", "load", "network", "server_requests", "asset_requests", "load_ms", "works"]
START_TIMEOUT = 60.0


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


@contextlib.contextmanager
def pwa_servers(jar: Path = JAR, preexec_fn=None):
    """Starts labs' PwaSite (both variants, each on its own port); yields {"plain": url, "service-worker": url}.
    The Java process serves until its stdin closes; it is stopped by PID on exit."""
    if not jar.is_file():
        raise FileNotFoundError(f"{jar} is missing: build it with ./lab --install-only (or ./mvnw -pl kernel -am package)")
    process = subprocess.Popen([java(), "-cp", str(jar), "serverlab.labs.cluster.PwaSite"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, preexec_fn=preexec_fn)
    try:
        lines = []  # read in a thread: a bounded wait, whatever the pipe's buffering
        reader = threading.Thread(target=lambda: lines.extend(process.stdout.readline() for _ in range(2)), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if len(lines) < 2 or not all(lines):
            raise RuntimeError(f"PwaSite did not print its URLs within {START_TIMEOUT:.0f} s (exit code {process.poll()};"
                               f" it needs JDK >= 21: set JAVA_HOME, now {java()})")
        yield dict(line.split() for line in lines)
    finally:
        process.stdin.close()  # PwaSite closes its servers and deletes its files
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def file_counts(page_url: str) -> dict[str, int]:
    """The server's own count of /file answers per file name."""
    with urllib.request.urlopen(page_url.replace("file?name=index.html", "file-counts"), timeout=10) as response:
        return json.load(response)


def measure(browser, variant: str, url: str, loads: int) -> list[dict]:
    """Loads the app ``loads`` times in one fresh browser context, then once offline; one row per load."""
    context = browser.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()
    rows = []
    try:
        for load in range(1, loads + 1):
            before = file_counts(url)
            page.goto(url, wait_until="load")
            if variant == "service-worker" and load == 1:
                page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed: files cached
            page.wait_for_load_state("networkidle")
            after = file_counts(url)
            reached = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
            rows.append(row(variant, load, "online", reached, page))
        context.set_offline(True)
        try:
            page.goto(url, wait_until="load")
            rows.append(row(variant, loads + 1, "offline", {}, page))
        except Exception:  # noqa: BLE001 - Playwright's Error: the browser could not load the page at all
            rows.append({"variant": variant, "load": loads + 1, "network": "offline", "server_requests": 0,
                         "asset_requests": 0, "load_ms": "", "works": "no"})
    finally:
        context.close()
    return rows


def row(variant: str, load: int, network: str, reached: dict[str, int], page) -> dict:
    works = page.evaluate("document.getElementById('status')?.dataset.state === 'ready'"
                          " && getComputedStyle(document.body).maxWidth !== 'none'")  # app.js ran, app.css applied
    load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].duration")
    return {"variant": variant, "load": load, "network": network, "server_requests": sum(reached.values()),
            "asset_requests": sum(n for name, n in reached.items() if name != SERVICE_WORKER),
            "load_ms": round(load_ms, 1), "works": "yes" if works else "no"}


def results_file() -> Path:
    directory = Path(os.environ.get("SERVERLAB_RESULTS") or REPO / "notebooks" / "results")
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "07-cloud-tiers.pwa.csv"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="online loads per variant (default 5)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with pwa_servers() as urls, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            rows = [r for variant, url in urls.items() for r in measure(browser, variant, url, args.loads)]
        finally:
            browser.close()
    out = results_file()
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    for r in rows:
        print(",".join(str(r[c]) for c in COLUMNS))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
