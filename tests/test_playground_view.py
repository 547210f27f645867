"""End to end: the playground's network view in headless Chromium (issue 25).

Unit maps and their count, edges whose widths change while training, hover to
enlarge, the confusion matrix, live changes that keep the counter going, the
pace controls and the lecture's strip, classroom mode, the L2 effect, and no
console errors anywhere. The screenshot of the view goes to
``test-artifacts/playground-network.png`` (docs/images/playground-network.png is a copy).
"""

import time
from pathlib import Path

import pytest

from nnlearn.playground.data import toy_sample
from nnlearn.playground.settings import validate

from playground_helpers import app_of, server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SEVEN = "x1,x2,x1sq,x2sq,x1x2,sin_x1,sin_x2"
APP = "window.nnlearnPlayground"
WIDTHS = "[...document.querySelectorAll('[data-edge]')].map(e => e.getAttribute('stroke-width'))"
REGIONS = "document.getElementById('regions').toDataURL()"
ITERATION = "+document.getElementById('iteration').textContent"

pytestmark = pytest.mark.slow


def _open(browser, url, query, route=None, **options):
    """A page at ``url + query`` once it has drawn a frame; its console errors collect
    in ``page.problems``. ``route(ws)``, if given, stands between the page and the server."""
    page = browser.new_page(viewport={"width": 1280, "height": 960}, **options)
    if route is not None:
        page.route_web_socket("**/ws", route)
    page.problems = []
    page.on("pageerror", lambda err: page.problems.append(str(err)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.goto(url + query)
    page.wait_for_function(f"{APP}.framesDrawn > 0 && {APP}.frame.units")
    return page


def _iteration(page) -> int:
    return int(page.text_content("#iteration"))


def _set(page, selector, value, setting=True):
    """Type ``value`` into a field; for a setting, wait until the server has taken it (an
    earlier reply must not overwrite the field before its own change is sent)."""
    page.fill(selector, str(value))
    page.dispatch_event(selector, "change")
    if setting:
        page.wait_for_function(f"String({APP}.settings['{selector[1:]}']) === '{value}'")


def test_every_unit_has_a_map_and_every_weight_a_line_that_follows_it(server, browser):  # noqa: F811
    _, url = server
    page = _open(browser, url, f"?data=spirals&hidden=8,8,8&features={SEVEN}&iterations=100000")
    assert page.locator("#features input:checked").count() == 7
    # 7 inputs, three hidden layers of 8, 2 outputs: one map each, numbered as the issue says
    assert page.locator("[data-layer][data-unit]").count() == 7 + 3 * 8 + 2
    for layer, count in enumerate([7, 8, 8, 8, 2]):
        units = page.eval_on_selector_all(f"[data-layer='{layer}'][data-unit]",
                                          "els => els.map(e => +e.dataset.unit)")
        assert units == list(range(count))
    # one line per weight between drawn units: 7*8 + 8*8 + 8*8 + 8*2
    assert page.locator("svg [data-edge]").count() == 56 + 64 + 64 + 16
    before = page.evaluate(WIDTHS)
    page.click("#start")
    page.wait_for_function(f"{APP}.frame.iteration > 300")
    after = page.evaluate(WIDTHS)
    assert sum(a != b for a, b in zip(before, after)) > 50  # the widths follow |w|

    # hover on a weight: its value
    page.dispatch_event("[data-edge='2:3:4']", "mouseenter", {"clientX": 300, "clientY": 400})
    assert page.is_visible("#tooltip") and "w = " in page.text_content("#tooltip")
    page.dispatch_event("[data-edge='2:3:4']", "mouseleave")
    assert not page.is_visible("#tooltip")

    # hover on a map: #regions shows that unit while training goes on, and goes back on leave
    page.hover("[data-layer='2'][data-unit='5']")
    page.wait_for_function("document.getElementById('regions').dataset.showing === '2:5'")
    assert page.text_content("#regions-title") == "Layer 2, unit 6"
    enlarged = page.evaluate(REGIONS)
    page.hover("#iteration")
    page.wait_for_function("document.getElementById('regions').dataset.showing === 'regions'")
    assert page.evaluate(REGIONS) != enlarged

    # the confusion matrix of the test split: k x k counts, class names in <th>, no totals
    page.wait_for_function("parseFloat(document.getElementById('test-acc').textContent) > 0.8",
                           timeout=60_000)
    table = page.locator("[data-testid=confusion]")
    assert table.locator("td").count() == 4
    assert table.locator("thead th").all_text_contents() == ["", "0", "1"]
    assert table.locator("tbody th").all_text_contents() == ["0", "1"]
    counts = [int(v) for v in table.locator("td").all_text_contents()]
    test_size = page.evaluate(f"{APP}.data.points.test.length")
    assert sum(counts) == test_size == 100
    assert "total" not in table.inner_text().lower()
    diagonal = counts[0] + counts[3]
    assert diagonal > 80  # the counts are the test accuracy's
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground-network.png"), full_page=True)
    page.click("#start")  # pause
    assert page.problems == []
    page.close()


def test_a_wide_layer_is_drawn_a_window_at_a_time_without_dropping_units(server, browser):  # noqa: F811,E501
    _, url = server
    page = _open(browser, url, "?hidden=40")
    assert page.locator("[data-layer='1'][data-unit]").count() == 16
    assert page.text_content("[data-layer-column='1'] .fold-label") == "1\u201316 of 40"
    page.click("[data-layer-column='1'] .fold-next")
    page.wait_for_function("document.querySelector(\"[data-layer='1'][data-unit='16']\")")
    assert page.text_content("[data-layer-column='1'] .fold-label") == "17\u201332 of 40"
    page.click("[data-layer-column='1'] .fold-next")
    page.wait_for_function("document.querySelector(\"[data-layer='1'][data-unit='39']\")")
    assert page.locator("[data-edge='2:39:1']").count() == 1  # its weights too
    assert page.problems == []
    page.close()


def test_live_changes_keep_the_run_and_its_counter(server, browser):  # noqa: F811
    _, url = server
    page = _open(browser, url, "?hidden=8&iterations=1000000&optimizer=sgd")
    run = page.evaluate(f"{APP}.run")
    page.click("#start")
    page.wait_for_function(f"{APP}.frame.iteration > 200")
    for selector, value in (("#lr", 0.02), ("#regularization_rate", 0.001), ("#batch_size", 25)):
        seen = _iteration(page)
        _set(page, selector, value)
        page.wait_for_function(f"{APP}.frame.iteration > {seen + 100}")
    page.select_option("#regularization", "l2")
    page.wait_for_function(f"{APP}.settings.regularization === 'l2'")
    assert page.evaluate(f"{APP}.frame.lr") == 0.02
    # noise, the fourth: a new sample of the points, drawn while the same run counts on.
    # (A reply to an earlier message once put the old noise back into the slider, and the
    # next message sent it again: the old points came back.)
    sample, _ = validate({"noise": 0.3})
    expected = toy_sample(sample).points()["train"][:5]
    assert page.evaluate(f"{APP}.data.points.train.slice(0, 5)") != expected
    seen = _iteration(page)
    _set(page, "#noise", 0.3)
    page.wait_for_function(f"e => JSON.stringify({APP}.data.points.train.slice(0, 5)) === "
                           f"JSON.stringify(e)", arg=expected, timeout=60_000)
    page.wait_for_function(f"{ITERATION} > {seen + 100}",
                           timeout=60_000)
    assert page.evaluate(f"{APP}.data.points.train.slice(0, 5)") == expected  # still the new
    assert page.input_value("#noise") == "0.3" and "noise=0.3" in page.url, page.url
    assert page.evaluate(f"{APP}.run") == run  # never restarted: the same run, counting on
    assert "regularization=l2" in page.url and "batch_size=25" in page.url, page.url
    page.click("#start")
    assert page.problems == []
    page.close()


def _wait(page, condition, timeout=60.0):
    """Wait for ``condition()`` (a test-side one); playwright handles its events meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(20)


def _change(page, selector, value):
    """A user's change of a control, without moving the focus (no change event on blur)."""
    page.eval_on_selector(selector, "(el, v) => { el.value = v; "
                          "el.dispatchEvent(new Event('change')); }", str(value))


def test_a_late_reply_never_puts_an_old_value_back(server, browser):  # noqa: F811
    """The reply to a settings message may arrive after the page has sent the next one:
    here the reply to an lr change comes after the noise change. Its (old) noise must
    not go back into the slider, or the next message sends it again and the old points
    come back: the noise change seemed lost. Replies are held back to make it certain."""
    _, url = server
    held, hold, to_page = [], [False], []

    def route(ws):
        to_server = ws.connect_to_server()

        def from_server(message):
            if hold[0] and '"type": "settings"' in str(message)[:40]:
                held.append(message)
            else:
                ws.send(message)
        to_server.on_message(from_server)
        to_page.append(ws.send)

    page = _open(browser, url, "?hidden=8&iterations=1000000&optimizer=sgd", route=route)
    page.click("#start")
    page.wait_for_function(f"{APP}.frame.iteration > 50")
    hold[0] = True
    _change(page, "#lr", 0.02)
    _wait(page, lambda: len(held) == 1)
    _change(page, "#noise", 0.3)
    _wait(page, lambda: len(held) == 2)
    to_page[0](held[0])  # the lr reply, with the old noise, after the noise was sent
    received = page.evaluate(f"{APP}.framesReceived")
    page.wait_for_function(f"{APP}.framesReceived > {received + 1}")  # it came before them
    assert page.input_value("#noise") == "0.3"
    _change(page, "#regularization_rate", 0.001)  # the next message: noise as the slider says
    hold[0] = False
    to_page[0](held[1])
    page.wait_for_function(f"{APP}.settings.regularization_rate === 0.001")
    sample, _ = validate({"noise": 0.3})
    assert page.evaluate(f"{APP}.settings.noise") == 0.3
    assert page.evaluate(f"{APP}.settings.lr") == 0.02
    assert page.evaluate(f"{APP}.data.points.train.slice(0, 5)") == \
        toy_sample(sample).points()["train"][:5]
    seen = _iteration(page)
    page.wait_for_function(f"{ITERATION} > {seen + 100}",
                           timeout=60_000)
    assert page.problems == []
    page.close()


def test_the_torch_backend_trains_live_in_the_page(server, browser):  # noqa: F811
    """backend=torch: the page trains the twin through the protocol, and live changes of
    the rate and the regularisation reach it while the same run counts on."""
    pytest.importorskip("torch", reason="backend=torch needs PyTorch (CI has it)")
    srv, url = server
    page = _open(browser, url, "?backend=torch&hidden=8&iterations=1000000&optimizer=sgd")
    assert page.input_value("#backend") == "torch" and "backend=torch" in page.url
    assert "using numpy" not in page.text_content("#messages")
    run = page.evaluate(f"{APP}.run")
    runner = next(s.runner for s in app_of(srv).state.sessions.values()
                  if s.runner is not None and s.runner.id == run)
    assert type(runner.backend.backend).__name__ == "TorchBackend"
    page.click("#start")
    page.wait_for_function(f"{ITERATION} > 100", timeout=60_000)
    for selector, value in (("#lr", 0.02), ("#regularization_rate", 0.001)):
        seen = _iteration(page)
        _set(page, selector, value)
        page.wait_for_function(f"{ITERATION} > {seen + 100}", timeout=60_000)
    page.select_option("#regularization", "l1")
    page.wait_for_function(f"{APP}.settings.regularization === 'l1'")
    seen = _iteration(page)
    page.wait_for_function(f"{ITERATION} > {seen + 100}", timeout=60_000)
    assert page.evaluate(f"{APP}.frame.lr") == 0.02 and page.evaluate(f"{APP}.run") == run
    assert runner.backend.backend.l1 == 0.001  # the twin took it (Backend.set_penalty)
    page.click("#start")
    assert page.problems == []
    page.close()


def _maps(page, layer) -> int:
    return page.locator(f"[data-layer='{layer}'][data-unit]").count()


def test_a_resnet_is_width_and_depth_in_the_page_and_its_address(server, browser):  # noqa: F811
    """The lecture's preset "ResNet vs plain": a ResNet of the settings table's width 16 and
    depth 5 (an input map and five blocks: six hidden layers), in its controls and its
    address; + adds a block; mlp is the preset's six plain layers of 16."""
    _, url = server
    page = _open(browser, url, "?preset=resnet")
    page.wait_for_function(f"{APP}.settings.architecture === 'resnet' && "
                           f"{APP}.settings.depth === 5 && {APP}.frame.units.layers.length === 8")
    assert page.input_value("#width") == "16" and page.input_value("#depth") == "5"
    assert page.is_visible("#width") and page.is_visible("#depth")
    assert "width=16" in page.url and "depth=5" in page.url and "hidden=" not in page.url
    assert page.locator("#layers .layer").count() == 6 == int(page.text_content("#layer-count"))
    assert page.locator("#layers .width").count() == 0  # a block's width is the width
    assert [_maps(page, layer) for layer in range(8)] == [2] + [16] * 6 + [2]
    page.click("#add-layer")
    page.wait_for_function(f"{APP}.settings.depth === 6 && {APP}.frame.units.layers.length === 9")
    assert "depth=6" in page.url
    _set(page, "#width", 8)
    page.wait_for_function("document.querySelectorAll(\"[data-layer='1'][data-unit]\").length "
                           "=== 8")
    assert "width=8" in page.url and page.evaluate(f"{APP}.settings.activation.length") == 7
    page.select_option("#architecture", "mlp")
    page.wait_for_function(f"{APP}.settings.architecture === 'mlp' && "
                           f"{APP}.frame.units.layers.length === 8")
    assert page.evaluate(f"{APP}.settings.hidden") == [16] * 6
    assert page.locator("#layers .width").count() == 6 and not page.is_visible("#width")
    assert "width=" not in page.url and "depth=" not in page.url
    assert page.problems == []
    page.close()


def test_pace_stop_at_timeline_and_log_axis(server, browser):  # noqa: F811
    _, url = server
    page = _open(browser, url, "?hidden=8&iterations=100000")
    page.select_option("#steps_per_frame", "1")
    _set(page, "#stop_at", 40, setting=False)
    page.click("#start")
    page.wait_for_function(f"{APP}.frame.state === 'paused'", timeout=20_000)
    assert _iteration(page) == 40  # one step per frame, then it stopped where asked
    assert "stopped at iteration 40" in page.text_content("#messages")
    recorded = page.evaluate(f"{APP}.recorded.map(f => f.iteration)")
    assert len(recorded) >= 30  # a frame for (nearly) every step: watchable, replayable
    page.fill("#timeline", "0")
    page.dispatch_event("#timeline", "input")
    assert page.text_content("#timeline-label") == "replay: iteration 0"
    page.click("#timeline-live")
    assert page.text_content("#timeline-label") == "live"
    linear = page.evaluate("document.getElementById('curves').toDataURL()")
    page.check("#log-iterations")
    assert page.evaluate("document.getElementById('curves').toDataURL()") != linear
    assert page.problems == []
    page.close()


def test_the_lecture_rings_preset_draws_the_lecture_figure(server, browser):  # noqa: F811
    _, url = server
    page = _open(browser, url, "?preset=lecture-rings")
    page.wait_for_function(f"{APP}.settings.hidden[0] === 100")
    assert "iterations 50, 150, 250, 500, 1000 and 3000" in page.text_content("#preset-note")
    assert "preset=lecture-rings" in page.url and "hidden=100" in page.url
    page.click("#start")
    page.wait_for_function("document.querySelectorAll('#strip figure').length === 6",
                           timeout=90_000)
    shots = page.eval_on_selector_all("#strip figure", "fs => fs.map(f => +f.dataset.iteration)")
    assert shots == [50, 150, 250, 500, 1000, 3000]
    assert page.problems == []
    page.close()


def test_classroom_mode_shows_only_play_pause_and_reset(server, browser):  # noqa: F811
    _, url = server
    page = _open(browser, url, "?classroom=1&hidden=8,8")
    controls = page.eval_on_selector_all(
        "input, select, button, textarea",
        "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")
    assert sorted(controls) == ["reset", "start"]
    assert page.locator("[data-layer][data-unit]").count() == 2 + 8 + 8 + 2
    assert page.is_visible("#regions") and page.is_visible("#curves")
    assert page.is_visible("[data-testid=confusion]")
    page.click("#start")
    page.wait_for_function(f"{APP}.frame.iteration > 0")
    assert "classroom=1" in page.url
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground-classroom.png"))
    assert page.problems == []
    page.close()


def _weight_norm_at(browser, url, regularization) -> float:
    page = _open(browser, url, f"?data=spirals&hidden=16,16&optimizer=adam&lr=0.01&seed=3"
                               f"&iterations=100000&regularization={regularization}"
                               f"&regularization_rate=0.03")
    _set(page, "#stop_at", 3000, setting=False)
    page.click("#start")
    page.wait_for_function(f"{APP}.frame.state === 'paused' && {APP}.frame.iteration === 3000",
                           timeout=60_000)
    norm = float(page.text_content("#weight-norm"))
    assert page.problems == []
    page.close()
    return norm


def test_l2_visibly_shrinks_the_weights(server, browser):  # noqa: F811
    """Spirals, the same seed, 3000 steps (about 5 s): the weight norm the page shows is
    smaller with regularization=l2 at rate 0.03 than with none."""
    _, url = server
    plain = _weight_norm_at(browser, url, "none")
    l2 = _weight_norm_at(browser, url, "l2")
    assert l2 < 0.8 * plain, (l2, plain)


def test_a_capped_rate_and_a_diverged_run_say_so(server, browser):  # noqa: F811
    _, url = server
    page = _open(browser, url, "?optimizer=sgd&lr=50&hidden=8")
    assert "lr: 50 is above the limit, 10; using 10" in page.text_content("#messages")
    page.click("#start")
    page.wait_for_function("/diverged|stopped learning/.test("
                           "document.getElementById('messages').textContent)", timeout=30_000)
    assert "lr: 50 is above the limit" in page.text_content("#messages")  # still there
    assert page.problems == []
    page.close()
