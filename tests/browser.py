"""Headless Chromium for the page tests and bench/viz_bench.py: Debian's chromium + chromedriver
driven by Selenium, offline.

Selenium gets the driver and browser paths, so Selenium Manager never runs (it would download
drivers). Chromium starts with a fresh profile and everything that talks to the network off,
and the tab's network is switched off over the DevTools protocol before a page is opened.
Where Chromium is missing the tests skip saying what to install; in CI they fail instead, since
.ci/run installs it.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INSTALL = "apt-get install chromium chromium-driver (Debian), and pip install -e '.[test]' for selenium"

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--window-size=1400,900",
)


def find_chromium() -> tuple[Optional[str], Optional[str], str]:
    """(chromium path, chromedriver path, what is missing) from $PATH or Debian's places."""
    browser = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("KG_CHROMEDRIVER") or shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return browser, driver, "the selenium package is not installed"
    if not browser:
        return browser, driver, "chromium is not installed"
    if not driver:
        return browser, driver, "chromedriver is not installed"
    return browser, driver, ""


def skip_without_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, or a skip (a failure in CI) that says what to install."""
    browser, driver, missing = find_chromium()
    if missing:
        message = f"browser tests need headless Chromium: {missing}; {INSTALL}"
        if IN_CI:
            pytest.fail(f"{message} (CI must run the browser tests)", pytrace=False)
        pytest.skip(message)
    return browser, driver  # type: ignore[return-value]


def start_chromium(browser: str, driver: str, profile: Optional[Path] = None) -> Any:
    """A Selenium driver for headless Chromium with a fresh profile and the network off."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile or tempfile.mkdtemp(prefix='kg-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    return chrome


def open_page(chrome: Any, path: Path, timeout: float = 30.0) -> float:
    """Open a page from disk and wait until kg viz says it is drawn; returns the seconds waited."""
    chrome.get_log("browser"), chrome.get_log("performance")  # forget what earlier pages logged
    start = time.perf_counter()
    chrome.get(path.resolve().as_uri())
    while not chrome.execute_script("return !!(window.kgViz && window.kgViz.ready)"):
        if time.perf_counter() - start > timeout:
            raise AssertionError(f"{path} was not ready after {timeout} s; console: {chrome.get_log('browser')}")
        time.sleep(0.02)
    return time.perf_counter() - start


def requested_urls(chrome: Any) -> list[str]:
    """Every URL the tab asked for since the last call (from the DevTools performance log)."""
    import json

    urls = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
