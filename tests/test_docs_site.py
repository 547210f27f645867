"""The documentation site: it builds strictly from the checkout, and every page works.

The site is built once for this module with ``mkdocs build --strict`` in a
subprocess, from ``mkdocs.yml`` at the root into a temporary folder, as a
reader would build it (the lecture's pages run on MNIST when it is here). Then
headless Chromium opens every page, served from 127.0.0.1: no console error,
every image loaded, every internal link and anchor resolving, no request
leaving the machine. The browser test skips, saying why, without playwright or
Debian's chromium, and fails instead with ``NNLEARN_REQUIRE_BROWSER=1`` (CI).
The build needs the ``docs`` extra, which the ``test`` extra includes: without
it these tests fail rather than skip.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from docs_helpers import MEASURED, hook

from nnlearn.data import sources


ROOT = Path(__file__).resolve().parent.parent
LECTURE = sorted((ROOT / "docs" / "lecture").glob("[0-9][0-9]_*.py"))
FALLBACK_NOTE = "MNIST is not on this machine"


def _mkdocs(config: Path, site: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # a newcomer's build: no thread variable set, the library's thread policy decides
    # (benchmarks/bench_docs_build.py times this same build)
    env = {**{k: v for k, v in os.environ.items()
              if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                           "NNLEARN_LECTURE_QUICK")},
           "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def site(data_env, tmp_path_factory, pytestconfig):
    """The built site's folder, and what the build logged. Its time is measured, not
    asserted (speed belongs to benchmarks/bench_docs_build.py): the run's summary
    prints it, so every CI log says how long a newcomer's build took."""
    out = tmp_path_factory.mktemp("site")
    cpu, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    result = _mkdocs(ROOT / "mkdocs.yml", out)
    wall, after = time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stderr[-6000:]
    cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    pytestconfig.stash.setdefault(MEASURED, []).append(
        f"mkdocs build --strict: {wall:.1f} s wall, {cpu_s:.1f} s CPU "
        f"(load average {os.getloadavg()[0]:.1f}; the bar: 150 s)")
    return out, result.stderr


def _html(site: Path, page: str) -> str:
    return (site / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_site_builds_strictly_with_every_lecture_page_run(site):
    folder, log = site
    assert len(LECTURE) == 12
    mnist_here = sources.locate("mnist") is not None
    for script in LECTURE:
        page = _html(folder, f"lecture/{script.stem}")
        assert f"{script.stem}.py: ran in" in log
        assert re.search(r'<img[^>]+src="figures/' + script.stem + r'-\d+\.png"', page), \
            script.name
        outputs = re.findall(r'<span class="filename">output</span>.*?</pre>', page, re.S)
        assert any(re.search(r"\d", text) for text in outputs), f"{script.name} printed no number"
        calls = re.search(r"\bmnist\(", script.read_text()) is not None  # mnist(n_train=...) too
        assert (FALLBACK_NOTE in page) == (not mnist_here and calls), script.name
        assert (folder / "lecture" / script.name).is_file()  # the script, to download
        assert (folder / "lecture" / f"{script.stem}.ipynb").is_file()  # and the notebook
        assert f'href="{script.stem}.ipynb" download' in page
    images = list(folder.rglob("*.png"))
    assert len(images) >= 15, images
    # the mathematics is MathML made at build: no TeX left, no script to typeset it
    theorem = _html(folder, "lecture/02_backprop")
    assert theorem.count("<math") >= 5 and "\\frac" not in theorem and "mathjax" not in theorem


@pytest.mark.slow
def test_the_own_csv_walk_through_ran_at_build(site):
    """docs/guide/your_own_csv.py (issue 28) ran: its commands and what they printed."""
    folder, log = site
    assert "guide/your_own_csv.py: ran in" in log
    page = _html(folder, "guide/your_own_csv")
    for printed in ("5 missing value(s)", "--missing impute", "one-hot (blue, green, red)",
                    "macro avg", "ignoring column(s) the model does not take",
                    "hold categories not seen in training",
                    "no column named 'income', which the model takes"):
        assert printed in page, printed
    assert (folder / "guide" / "your_own_csv.py").is_file()


@pytest.mark.slow
def test_api_reference_documents_the_estimator_with_partial_fit(site):
    folder, _ = site
    page = _html(folder, "api/estimator")
    for name in ("fit", "partial_fit", "predict_proba", "save", "load", "score", "get_params",
                 "set_params"):
        assert f'id="nnlearn.estimator.NeuralNetClassifier.{name}"' in page, name
    text = re.sub(r"<[^>]+>", "", page)
    assert "_D[" not in text and "hidden=(32,)" in text  # the table's values, not its names
    assert "FitMixin" not in page and "ClassifierMixin" in page  # public bases only
    engine = _html(folder, "api/engine")
    assert 'id="nnlearn.engine.Network.backward"' in engine and "Theorem 1" in engine


@pytest.mark.slow
def test_user_guide_shows_every_command_help_and_includes_the_changing_pages(site):
    folder, _ = site
    cli = _html(folder, "cli")
    for command in ("train", "predict", "evaluate", "reproduce", "playground", "gradcheck",
                    "data list", "data show"):
        assert f"nnlearn {command} --help" in cli, command
    assert "Usage: nnlearn train [OPTIONS]" in cli
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    assert changelog in _html(folder, "changelog")
    assert (folder / "reproduce" / "report.html").is_file()  # the page, from report.md
    assert (folder / "reproduce" / "report-standalone.html").is_file()  # nnlearn's own
    assert (folder / "repo" / "benchmarks" / "results" / "speed.png").is_file()


BAD = '''def f(x):
    """Add one.

    Parameters
    ----------
    x : float
        The number.

    Returns the sum, as free text under Parameters: griffe reads a parameter.
    """
    return x + 1
'''


@pytest.mark.parametrize("malformed", [False, True])
def test_a_malformed_docstring_fails_the_build(malformed, tmp_path):
    """The site's own mkdocstrings settings, on a one-function package: the build fails on
    the malformed docstring and passes on the same function documented properly."""
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    plugin = next(p for p in config["plugins"] if isinstance(p, dict) and "mkdocstrings" in p)
    options = plugin["mkdocstrings"]["handlers"]["python"]
    options["paths"] = ["src"]
    options["options"]["extensions"] = [  # the site's griffe extension, from the checkout
        str(ROOT / e.partition(":")[0]) + ":" + e.partition(":")[2]
        for e in options["options"].get("extensions", [])]
    (tmp_path / "src" / "bad").mkdir(parents=True)
    source = BAD if malformed else BAD.replace(
        "Returns the sum, as free text under Parameters: griffe reads a parameter.",
        "Returns\n    -------\n    float\n        The sum.")
    (tmp_path / "src" / "bad" / "__init__.py").write_text(source)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# API\n\n::: bad.f\n")
    small = {"site_name": "bad", "strict": True, "plugins": [plugin],
             "validation": config["validation"]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small))
    result = _mkdocs(tmp_path / "mkdocs.yml", tmp_path / "site", cwd=tmp_path)
    assert (result.returncode != 0) == malformed, result.stderr[-3000:]
    if malformed:
        assert "does not appear in the function signature" in result.stderr


def test_every_api_option_is_one_mkdocstrings_knows():
    """With pydantic installed, mkdocstrings-python ignores an unknown option where a plain
    install refuses it: a misspelt option must fail here, not on a reader's machine."""
    import dataclasses

    import yaml
    from mkdocstrings_handlers.python import PythonOptions

    known = {f.name for f in dataclasses.fields(PythonOptions)}
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    plugin = next(p for p in config["plugins"] if isinstance(p, dict) and "mkdocstrings" in p)
    used = set(plugin["mkdocstrings"]["handlers"]["python"]["options"])
    for page in (ROOT / "docs" / "api").glob("*.md"):
        for block in re.findall(r"^    options:\n((?:      .*\n)+)", page.read_text("utf-8"),
                                re.M):
            used |= {line.split(":")[0].strip() for line in block.splitlines()
                     if not line.startswith("        ")}
    assert used and used <= known, sorted(used - known)


def _lecture_hook():
    return hook("lecture")


@pytest.mark.slow
def test_lecture_pages_fall_back_to_the_digits_without_mnist(tmp_path, monkeypatch):
    """No MNIST anywhere (nothing is downloaded): each MNIST page says so, and still runs
    on scikit-learn's 8x8 digits, with its figures and numbers."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("NNLEARN_DATA", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(empty))
    if sources.locate("mnist") is not None:
        pytest.skip("MNIST is in a system folder here; the fallback cannot be shown")
    hook = _lecture_hook()
    pages = [p for p in LECTURE if "mnist()" in p.read_text()]
    assert len(pages) >= 6
    for script in pages:
        markdown, figures = hook.run_page(script)
        assert FALLBACK_NOTE in markdown and "8x8 digits" in markdown, script.name
        assert figures and all(png.startswith(b"\x89PNG") for png in figures.values())


def test_a_failing_cell_fails_the_build_naming_page_and_cell(tmp_path):
    from mkdocs.exceptions import PluginError

    script = tmp_path / "99_broken.py"
    script.write_text("# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n"
                      "# %%\nraise ValueError('no')\n")
    with pytest.raises(PluginError, match=r"99_broken.py: cell 3 raised ValueError: no"):
        _lecture_hook().run_page(script)


@pytest.mark.slow
def test_no_stale_number_in_the_built_site(site):
    """The rule of test_docs_numbers.py on every built page's text (the reports and the
    benchmarks, which quote their own runs, apart), and the fields filled in."""
    from test_docs_numbers import OWN_NUMBERS, RESULTS, stale

    folder, _ = site
    for path in sorted(folder.rglob("*.html")):
        name = path.relative_to(folder).as_posix()
        if any(part in name for part in OWN_NUMBERS):
            continue
        text = re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))
        assert "{{" not in text, name
        assert stale(text) == [], name
    lecture = _html(folder, "lecture/index")
    assert ", ".join(map(str, RESULTS["seeds"])) in lecture


# -- the browser ------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(folder: Path):
    """``folder`` on an HTTP server at 127.0.0.1 (Material's search needs one); its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _target(folder: Path, path: str) -> Path:
    """The file a site path is served from: ``/a/b/`` is ``a/b/index.html``."""
    file = folder / unquote(path).lstrip("/")
    return file / "index.html" if path.endswith("/") or file.is_dir() else file


def _visit(browser, folder: Path, base: str) -> tuple[dict[str, list[str]], int]:
    """Open every HTML file of ``folder`` (served at ``base``); the problems found, by kind,
    and the number of images seen."""
    found: dict[str, list[str]] = {"errors": [], "outside": [], "images": [], "links": []}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # a missing file shows up twice: as its response, named here, and as a console error
    # without the name; a page that names no icon would make the browser ask for
    # /favicon.ico, which is not there: every page names one (the reports' own, an empty one)
    page.on("pageerror", lambda err: found["errors"].append(f"{page.url}: {err}"))
    page.on("console", lambda m: found["errors"].append(f"{page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("response", lambda r: found["errors"].append(f"{page.url}: {r.status} for {r.url}")
            if r.status >= 400 else None)
    page.on("request", lambda r: found["outside"].append(r.url)
            if urlparse(r.url).scheme not in ("data", "blob", "about")
            and not r.url.startswith(base) else None)
    ids: dict[str, set] = {}
    links: dict[str, set] = {}
    images = 0
    for name in sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")):
        response = page.goto(f"{base}/{name}", wait_until="load")
        if response is None or not response.ok:
            found["errors"].append(f"{name}: {response and response.status}")
            continue
        found["images"] += [f"{name}: {src}" for src in page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.getAttribute('src'))")]
        images += page.evaluate("document.images.length")
        ids[str(_target(folder, urlparse(page.url).path))] = set(page.evaluate(
            "Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
        for href in page.evaluate("Array.from(document.querySelectorAll('a[href]'))"
                                  ".map(a => a.href)"):
            if href.startswith(base):
                links.setdefault(href, set()).add(name)
    page.close()
    for href, pages in sorted(links.items()):
        url, anchor = urldefrag(href)
        file = _target(folder, urlparse(url).path)
        where = f"{href[len(base):]} (from {', '.join(sorted(pages)[:3])})"
        if not file.is_file():
            found["links"].append(f"{where}: no such file")
        elif anchor and file.suffix == ".html" and unquote(anchor) not in ids.get(str(file), ()):
            found["links"].append(f"{where}: no element with id {anchor!r}")
    return found, images


@pytest.mark.slow
def test_every_page_opens_in_chromium_with_its_images_and_links(site, browser):
    folder, _ = site
    assert len(list(folder.rglob("*.html"))) >= 30
    with _serve(folder) as base:
        found, images = _visit(browser, folder, base)
    assert found == {"errors": [], "outside": [], "images": [], "links": []}
    assert images >= 15


def test_the_browser_check_finds_what_it_looks_for(tmp_path, browser):
    """The check itself, on a two-page site with one of each fault: it can fail."""
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<p id="top"><a href="a/">a</a> <a href="a/#here">anchor</a> <a href="a/#gone">x</a> '
        '<a href="missing/">y</a> <img src="none.png" alt=""></p>')
    (tmp_path / "a" / "index.html").write_text(
        '<p id="here"><a href="../#top">back</a></p><script>console.error("boom")</script>')
    with _serve(tmp_path) as base:
        found, images = _visit(browser, tmp_path, base)
    assert images == 1
    assert found["images"] == ["index.html: none.png"]
    assert sorted(found["links"]) == ["/a/#gone (from index.html): no element with id 'gone'",
                                      "/missing/ (from index.html): no such file"]
    assert any("boom" in e for e in found["errors"])
    assert any("404 for" in e and "none.png" in e for e in found["errors"])
    assert found["outside"] == []


# -- the reader's checks: from disk, at 1280 px and at 390 px, the formulas -------------

def _page(browser, width: int):
    """A page of ``width`` CSS pixels, and the list of the requests it sends off the machine."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).scheme not in ("file", "data", "blob", "about")
            and not urlparse(r.url).hostname == "127.0.0.1" else None)
    return page, outside


@pytest.mark.slow
def test_the_site_opened_from_disk_navigates_and_searches(site, browser):
    """``site/index.html`` opened as a file: every navigation link is a page file (no
    directory listing), a click lands on the page, and search finds pages."""
    folder, _ = site
    page, outside = _page(browser, 1280)
    page.goto((folder / "index.html").as_uri())
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a.md-nav__link[href]'))"
                          ".map(a => a.href)")
    assert len(hrefs) >= 30
    for href in hrefs:
        file = Path(unquote(urlparse(href).path))
        assert href.startswith("file://") and file.is_file() and file.suffix == ".html", href
    page.click("a.md-nav__link[href$='lecture/07_shifts.html']")
    assert page.url.endswith("lecture/07_shifts.html")
    assert "Shifted test images" in page.inner_text("h1")
    for download in ("07_shifts.py", "07_shifts.ipynb"):
        assert page.locator(f"a[href='{download}'][download]").count() == 1, download
    page.click("input.md-search__input", force=True)
    page.keyboard.type("mnist", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=30000)
    assert page.locator(".md-search-result__item").count() >= 3
    page.close()
    assert outside == []


@pytest.mark.slow
def test_the_reports_verdict_is_in_sight_at_1280_px(site, browser):
    """The report page opens on its summary (in the first screen), and in every table
    the verdict column lies inside the page's width; the claims' long quotes are folded."""
    folder, _ = site
    page, outside = _page(browser, 1280)
    with _serve(folder) as base:
        page.goto(f"{base}/reproduce/report.html")
        tables = page.evaluate("""() => Array.from(document.querySelectorAll(
                '.nnlearn-report table')).map(table => {
            const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
            const th = Array.from(table.querySelectorAll('th'))
                .find(t => t.textContent.trim() === 'verdict');
            const rows = Array.from(table.querySelectorAll('tbody tr'));
            return {header: Array.from(table.querySelectorAll('th')).map(t => t.textContent.trim()),
                    right: Math.max(th.getBoundingClientRect().right,
                                    ...rows.map(r => r.children[1].getBoundingClientRect().right)),
                    limit: Math.min(wrap.getBoundingClientRect().right, window.innerWidth),
                    folded: table.querySelectorAll('details:not([open])').length,
                    verdicts: rows.map(r => r.children[1].textContent.trim())};
        })""")
        summary = page.evaluate("""() => { const h = document.querySelector('h2');
            return [h.textContent.trim(), h.getBoundingClientRect().top, window.innerHeight]; }""")
    page.close()
    assert summary[0].startswith("Summary") and summary[1] < summary[2], summary
    assert len(tables) >= 3 and tables[0]["header"][1] == "verdict"
    for table in tables:
        assert table["right"] <= table["limit"], table["header"]
        assert table["verdicts"] and all(table["verdicts"]), table["header"]
    assert set(tables[0]["verdicts"]) <= {"reproduced", "consistent", "differs", "skipped"}
    claims = next(t for t in tables if "the lecture" in t["header"])
    assert claims["folded"] >= len(claims["verdicts"])  # the long quotes, folded
    assert outside == []


NARROW = ["index", "install", "cli", "estimator", "data", "lecture/index", "lecture/02_backprop",
          "lecture/07_shifts", "lecture/11_depth", "api/estimator", "reproduce/report"]


@pytest.mark.slow
def test_no_page_overflows_a_phone_at_390_px(site, browser):
    folder, _ = site
    page, outside = _page(browser, 390)
    wide = {}
    for name in NARROW:
        page.goto((folder / f"{name}.html").as_uri())
        width, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        # a line of Python wraps rather than hiding past the block's edge
        cut = page.evaluate("Array.from(document.querySelectorAll('.language-python pre > code'))"
                            ".filter(c => c.scrollWidth > c.clientWidth + 1).length")
        if cut:
            wide[f"{name}: code"] = cut
        if width > view:
            wide[name] = page.evaluate(
                "Array.from(document.querySelectorAll('body *')).filter(e => "
                "e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3)"
                ".map(e => e.tagName + '.' + e.className)")
    page.close()
    assert wide == {}
    assert outside == []


@pytest.mark.slow
def test_formulas_are_typeset(site, browser):
    """The MathML made at build is drawn by Chromium: a fraction's numerator sits above
    its denominator, a subscript below its base's baseline."""
    folder, _ = site
    page, outside = _page(browser, 1280)
    for name in ("lecture/02_backprop", "lecture/11_depth"):
        page.goto((folder / f"{name}.html").as_uri())
        drawn = page.evaluate("""() => {
            const f = document.querySelector('mfrac');
            const [top, bottom] = f.children;
            const s = document.querySelector('msub');
            const below = bottom.getBoundingClientRect().top + 1;
            return {over: top.getBoundingClientRect().bottom <= below,
                    sub: s.children[1].getBoundingClientRect().bottom >
                         s.children[0].getBoundingClientRect().bottom,
                    maths: document.querySelectorAll('math').length,
                    tex: document.body.innerText.includes('\\\\frac')};
        }""")
        assert drawn == {"over": True, "sub": True, "maths": drawn["maths"], "tex": False}, name
        assert drawn["maths"] >= 3, name
    page.close()
    assert outside == []


@pytest.mark.slow
def test_figures_sit_on_a_light_card_in_dark_mode(site, browser):
    """The reader's dark mode (the system's, which the toggle follows first): the slate
    scheme, and every PNG figure on a white card with a margin; in light mode, none."""
    folder, _ = site
    seen = {}
    for scheme in ("dark", "light"):
        page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page.goto((folder / "lecture" / "06_mnist.html").as_uri())
        seen[scheme] = page.evaluate("""() => ({
            scheme: document.body.getAttribute('data-md-color-scheme'),
            figures: Array.from(document.querySelectorAll('.md-typeset img[src$=".png"]'))
                .map(i => { const s = getComputedStyle(i);
                            return [s.backgroundColor, parseFloat(s.paddingTop)]; })})""")
        page.close()
    dark, light = seen["dark"], seen["light"]
    assert dark["scheme"] == "slate" and light["scheme"] == "default"
    assert dark["figures"] and all(c == "rgb(255, 255, 255)" and p > 0
                                   for c, p in dark["figures"]), dark
    assert all(p == 0 for _, p in light["figures"]), light


def test_a_folded_report_cell_shows_its_words_up_to_a_formula_not_mathml_as_text():
    from nnlearn.report.maths import mathml

    layout = hook("report_layout")
    formula = mathml(r"e^{z_c}/\sum_j e^{z_j}")
    cell = (f"soft-max as written, {formula}, at logits of 1000: overflows to inf and "
            f"the loss is nan, as the lecture warns")
    folded = layout._fold(cell)
    summary = re.search(r"<summary>(.*?)</summary>", folded).group(1)
    assert summary == "soft-max as written, …" and folded.endswith(f"{cell}</details>")
    plain = "a long cell of words only " * 4
    assert re.search(r"<summary>(.*?)</summary>", layout._fold(plain)).group(1).startswith(
        "a long cell of words only a long")
