"""End to end: the playground page in headless Chromium, driven by playwright.

Skips, saying why, without playwright or Debian's chromium; with
``NNLEARN_REQUIRE_BROWSER=1`` (as in CI) it fails instead. The screenshot goes
to ``test-artifacts/playground-trained.png`` (and ``-rebuilt.png``).
"""

from pathlib import Path

import pytest

from playground_helpers import server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REGIONS = "document.getElementById('regions').toDataURL()"


@pytest.mark.slow
def test_rings_are_learnt_live_in_the_browser(server, browser):  # noqa: F811
    _, url = server
    page = browser.new_page(viewport={"width": 1280, "height": 960})
    problems = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(url + "?data=moons&hidden=24")
    page.wait_for_function("window.nnlearnPlayground.framesDrawn > 0")
    assert page.input_value("#data") == "moons"  # settings come from the URL

    page.select_option("#data", "rings")
    page.wait_for_function("window.nnlearnPlayground.data && "
                           "window.nnlearnPlayground.data.name === 'rings' && "
                           "window.nnlearnPlayground.frame.iteration === 0")
    assert "data=" not in page.url and "hidden=24" in page.url  # rings is the default
    before = page.evaluate(REGIONS)

    page.click("#start")
    page.wait_for_function("parseFloat(document.getElementById('test-acc').textContent) > 0.95",
                           timeout=90_000)
    assert page.text_content("#start") == "Pause"
    assert int(page.text_content("#iteration")) > 0
    assert page.evaluate(REGIONS) != before  # the heat map changed
    assert page.locator("[data-layer='1'][data-unit]").count() == 16  # a window of 24 units
    assert page.evaluate("window.nnlearnPlayground.frame.grad_norms.length") == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground-trained.png"), full_page=True)

    width = page.locator("#layers .width").first
    width.fill("7")
    width.dispatch_event("change")
    page.wait_for_function("document.getElementById('network-summary').textContent"
                           ".startsWith('2 \u2192 7 \u2192 2')")
    page.wait_for_function(
        "document.querySelectorAll(\"[data-layer='1'][data-unit]\").length === 7")
    assert "hidden=7" in page.url
    page.wait_for_function("window.nnlearnPlayground.frame.iteration > 0")  # keeps training

    page.screenshot(path=str(ARTIFACTS / "playground-rebuilt.png"), full_page=True)
    assert (ARTIFACTS / "playground-trained.png").stat().st_size > 10_000
    assert problems == []
    page.close()


@pytest.mark.slow
def test_refused_values_are_shown_on_the_page(server, browser):  # noqa: F811
    _, url = server
    page = browser.new_page()
    page.goto(url + "?points=999999&optimizer=rmsprop")
    page.wait_for_function("window.nnlearnPlayground.framesDrawn > 0")
    messages = page.text_content("#messages")
    assert "points: 999,999 is above the limit, 5,000" in messages
    assert "unknown value 'rmsprop'" in messages
    assert page.input_value("#points") == "5000"
    page.close()


@pytest.mark.slow
def test_exports_download_with_their_names_and_a_busy_server_says_so(server, browser,  # noqa: F811
                                                                     monkeypatch):
    from playground_helpers import app_of
    srv, url = server
    page = browser.new_page(accept_downloads=True)
    page.goto(url + "?data=spirals&hidden=8")
    page.wait_for_function("window.nnlearnPlayground.framesDrawn > 0")
    with page.expect_download() as download:
        page.click("#export-model")
    assert download.value.suggested_filename == "nnlearn-spirals.npz"
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    monkeypatch.setattr(app_of(srv).state.exports, "places", 0)  # every place taken
    page.click("#export-png")
    page.wait_for_function("document.getElementById('messages').textContent"
                           ".includes('the server is busy')")
    page.close()
