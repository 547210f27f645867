"""Headless Chromium for the browser tests, one way for all of them.

Debian's ``chromium`` (never ``playwright install``, which downloads a browser)
driven by playwright. Without either the test skips, saying why; with
``NNLEARN_REQUIRE_BROWSER=1`` (as in CI) it fails instead.
"""

import os

import pytest

CHROMIUM = os.environ.get("NNLEARN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


def missing(reason):
    """Skip for ``reason``, or fail where the browser test must run."""
    if os.environ.get("NNLEARN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and NNLEARN_REQUIRE_BROWSER=1 says the browser test must run",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """A launched Chromium (playwright's ``Browser``), closed after the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def watched_page(browser, width: int, height: int = 900):
    """A page of ``width`` CSS pixels, and the list of what went wrong on it: console
    errors, uncaught exceptions and every response with a status of 400 or more."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    return page, errors
