"""Chapter 07's progressive web app in Debian's chromium: with its service worker it works offline and the server
sees no request for its files after the first load; the plain page asks the server for every file on every load
and fails offline. The measurement is scripts/pwa.py's, which also records it for the notebook."""
from __future__ import annotations

import importlib.util

import pytest

from .conftest import REPO, _die_with_parent, launch_chromium, require_chromium

LOADS = 3


def load_script():
    spec = importlib.util.spec_from_file_location("pwa", REPO / "scripts" / "pwa.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pwa = load_script()


@pytest.fixture(scope="module")
def urls():
    if not pwa.JAR.is_file():
        pytest.skip(f"{pwa.JAR} is missing: ./lab --install-only (or ./mvnw -pl kernel -am package) builds it")
    with pwa.pwa_servers(preexec_fn=_die_with_parent) as u:
        yield u


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = launch_chromium(pw)
        try:
            yield b
        finally:
            b.close()


def test_service_worker_app_works_offline_and_asks_for_no_file_after_the_first_load(urls, chromium):
    rows = pwa.measure(chromium, "service-worker", urls["service-worker"], LOADS)
    shown = "\n".join(map(str, rows))
    first, *later, offline = rows
    assert first["asset_requests"] >= 5, shown  # the page's own files, then the worker's install copies them
    assert all(r["asset_requests"] == 0 and r["works"] == "yes" for r in later), shown
    assert offline["network"] == "offline" and offline["works"] == "yes", shown


def test_plain_page_asks_for_every_file_each_load_and_fails_offline(urls, chromium):
    rows = pwa.measure(chromium, "plain", urls["plain"], LOADS)
    shown = "\n".join(map(str, rows))
    *online, offline = rows
    assert all(r["asset_requests"] == 5 and r["works"] == "yes" for r in online), shown
    assert offline["network"] == "offline" and offline["works"] == "no", shown
