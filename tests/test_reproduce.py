"""``nnlearn reproduce``: the files, the schema, the claims, Dask, and the report in a browser.

The runs use ``--quick`` on scikit-learn's embedded 8x8 digits (nothing to
download, seconds), and MNIST where the machine has it.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from markupsafe import escape

from browser_helpers import watched_page
from nnlearn.experiments.base import measures
from nnlearn.report import load_schema, maths
from nnlearn.report.build import KEY_FIGURES

from data_helpers import need_data

PNG = b"\x89PNG\r\n\x1a\n"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ALL = "backprop,gradients,depth,loss,rings,capacity,shift,hidden,data-size,augment,twin"


def reproduce(*args, env=None):
    r = subprocess.run([sys.executable, "-m", "nnlearn", "reproduce", *args],
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick")
    r = reproduce("--quick", "--data", "digits", "--seeds", "2", "--only", ALL, "--jobs", "1",
                  "--threads", "1", "--out", str(out))
    return out, r


def test_quick_writes_every_file_and_a_progress_line_per_experiment(quick):
    out, r = quick
    results = json.loads((out / "results.json").read_text())
    jsonschema.validate(results, load_schema())
    assert (out / "report.html").stat().st_size > 10_000 and (out / "report.md").stat().st_size
    expected = {"lecture_figure1", "rings_data", "rings_network", "rings_decision_regions",
                "rings_loss", "capacity_search", "shift_curves", "shift_confusion",
                "shift_ablation", "hidden_units", "data_size_panels", "augment_panels",
                "augment_shift_curves", "depth_grad_norms", "depth_accuracy", "gradient_blowup",
                "twin_curves"}
    figures = set(results["figures"])
    assert {f"{n}.png" for n in expected} <= figures
    for name in figures:
        data = (out / name).read_bytes()
        assert data[:8] == PNG and len(data) > 5_000, name
    names = list(results["experiments"])
    assert names == ALL.split(",")
    assert results["experiments"]["hidden"]["rare_pixel_share"] >= 0  # a measure, by its path
    for e in results["experiments"].values():
        assert f"{e['title']}: done in" in r.stderr
    assert r.stderr.count(": done in") + r.stderr.count(": skipped") == len(names)
    assert "statements reproduced" in r.stdout


def test_claims_and_checks_apart_with_the_rule_and_the_recipes(quick):
    out, r = quick
    results = json.loads((out / "results.json").read_text())
    claims, checks = results["claims"], results["checks"]
    assert len(claims) == 9 and len(checks) >= 25  # the lecture's 9 statements, once each
    for c in claims:
        assert c["verdict"] in ("reproduced", "consistent", "differs", "no verdict")
        assert c["quote"] and c["rule"] and c["why"] and c["rests_on"]
        assert c["command"].startswith(f"nnlearn reproduce --data digits --claim {c['id']} ")
        for m in c["measurements"]:
            assert len(m["per_seed"]) == 2 and {"network", "optimizer", "init_scale",
                                                "width"} <= set(m)
            if c["unit"] == "fraction":
                assert 0 <= m["ours"] <= 1
            assert (m["explanation"] is None) == (m["verdict"] in ("reproduced", "no verdict"))
        # off MNIST the lecture's numbers get no verdict; its qualitative statements do
        assert (c["verdict"] == "no verdict") == (c["unit"] == "fraction")
    # the twin, the gradient checks, log-sum-exp and the rings are checks, never claims
    assert not {c["experiment"] for c in claims} & {"twin", "backprop", "loss", "rings"}
    assert {c["experiment"] for c in checks} >= {"twin", "backprop", "loss", "rings",
                                                 "capacity"}
    assert results["summary"]["statements"] == results["summary"]["claims"] == len(claims)
    assert results["summary"]["no_verdict"] == 4
    assert f"of {len(claims)} statements reproduced" in r.stdout
    for name in ("capacity", "depth", "data-size", "augment", "rings", "shift", "hidden"):
        assert results["recipes"][name]
    assert results["recipes"]["capacity"]["hidden10"]["selected_on"] == "validation"
    assert results["seeds"] == [0, 1]
    assert results["software"]["numpy"] and results["machine"]["cpu_count"]
    md = (out / "report.md").read_text()
    assert "| # | verdict | the lecture | we measured |" in md
    assert "![hidden_units](hidden_units.png)" in md
    assert "![hidden_units_adam](hidden_units_adam.png)" in md
    assert results["rule"]["sentence"] in md and "## Our checks" in md
    assert "Recipe:" in md and "mean against the sum" in md
    html = (out / "report.html").read_text()
    assert escape(results["rule"]["sentence"]) in html and 'id="checks-table"' in html


def test_the_report_prints_the_deviations_the_choices_and_the_provenance(quick):
    out, _ = quick
    results = json.loads((out / "results.json").read_text())
    md = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    deviations = results["deviations"]
    assert deviations and {d["experiment"] for d in deviations} <= set(results["experiments"])
    for d in deviations:
        assert set(d) >= {"what", "from", "to", "why"}
        assert d["why"].replace("|", "\\|") in md and maths.html(d["what"]) in html
    assert "## Choices fixed in advance, and those revised after a look" in md
    assert 'id="deviations-table"' in html
    for e in results["experiments"].values():
        for choice in e["choices"]:
            assert choice["what"] in md and choice["why"]
    p = results["provenance"]
    # run from this checkout: its commit, whether its tree is dirty, the packages
    assert p["commit"] is None or len(p["commit"]) == 40
    assert p["dirty"] in (True, False, None) and p["packages"]["numpy"]
    assert p["datasets"] == {"digits": {}}  # embedded in scikit-learn: no file to hash
    assert f"commit: `{p['commit']}`" in md and 'id="provenance-list"' in html
    assert "D_{L-1} W_L^T" in md  # the erratum, in the Theorem 1 section and the row


def test_the_html_needs_nothing_from_outside(quick):
    out, _ = quick
    html = (out / "report.html").read_text()
    assert 'src="http' not in html and "<script" not in html and 'href="http' not in html
    # every figure once in its section, the key figures again in the summary
    figures = json.loads((out / "results.json").read_text())["figures"]
    key = [f for f in KEY_FIGURES if f"{f}.png" in figures]
    assert len(key) == len(KEY_FIGURES)
    assert html.count('src="data:image/png;base64,') == len(figures) + len(key)
    # an icon of its own, empty: a browser asks for no /favicon.ico
    assert '<link rel="icon" href="data:,">' in html


def _h2(markdown: str) -> list[str]:
    return re.findall(r"^## (.+)$", markdown, re.M)


def test_the_report_opens_on_its_summary_then_the_audit(quick):
    """One screen first: the statements with their verdicts, the counts, the key figures;
    then the audit. The verdict is the second column of every table of both reports."""
    out, _ = quick
    results = json.loads((out / "results.json").read_text())
    md = (out / "report.md").read_text()
    assert _h2(md)[:2] == ["Summary", "The lecture's statements, measured"]
    summary = md.split("## Summary", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in summary.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == len(results["claims"])
    for row, claim in zip(rows, results["claims"]):
        assert row.split(" | ")[1] == f"**{claim['verdict']}**"
    s = results["summary"]
    assert (f"{s['statements']} statements of the lecture" in summary
            and f"{s['reproduced']} reproduced" in summary
            and f"Our own {s['checks']} checks: {s['checks_failed']} failed" in summary)
    for name in KEY_FIGURES:
        assert f"![{name}]({name}.png)" in summary
    assert "recipe chosen on validation" not in summary  # the audit's, not the summary's
    # the run's details moved to the provenance: the summary is the first thing read
    assert md.index("## Summary") < 400 and "Command: `nnlearn reproduce" in md.split(
        "## Provenance")[1]
    headers = [line for line in md.splitlines() if line.startswith("| ") and
               "verdict" in line.split(" | ") and not line.startswith("| ---")]
    assert len(headers) >= 5
    assert all(h.split(" | ")[1] == "verdict" for h in headers), headers
    html = (out / "report.html").read_text()
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", html)[0] == "Summary"
    for table in re.findall(r"<thead><tr>(.*?)</tr></thead>", html):
        names = re.findall(r"<th>([^<]*)</th>", table)
        assert "verdict" not in names or names.index("verdict") == 1, names
    assert html.count('<tr><td class="num"><a href="#claim-') == len(results["claims"])


#: a formula as the texts wrote it before: ASCII that the reports now typeset
ASCII_FORMULA = re.compile(r"dL/dz|W_\d\^T|D_k <=|\|mean - lecture\||t\(0\.975|sqrt\(n\)|e\^z /")


def test_formulas_are_tex_in_the_md_and_mathml_in_the_html(quick):
    """The report's own texts (the descriptions, the erratum, the explanations, the rule)
    write formulas in TeX; report.md keeps it (GitHub and the site typeset it), report.html
    has MathML made when it was written. No formula holds a "|", which would split a
    Markdown table's cell."""
    out, _ = quick
    md = (out / "report.md").read_text()
    text = re.sub(r"^- \w+: .*$", "", md, flags=re.M)  # the recipes are data, as recorded
    text = maths.FORMULA.sub("", text)
    assert not ASCII_FORMULA.search(text), ASCII_FORMULA.search(text)
    formulas = maths.FORMULA.findall(md)
    assert len(formulas) > 20
    for tex in set(formulas):
        assert "|" not in tex, tex
        maths.mathml(tex)  # every command one latex2mathml knows
    for written in (r"\frac{\partial \mathcal{L}}{\partial z_1}", r"D_{L-1} W_L^T",
                    r"\text{mean} \pm t_{0.975,\,n-1}", r"\lvert \text{mean} - \text{lecture}"):
        assert written in md, written
    html = (out / "report.html").read_text()
    shown = re.sub(r"<pre>.*?</pre>", "", html, flags=re.S)  # the raw numbers, as JSON
    assert shown.count("<math ") >= len(formulas) - 5
    assert not maths.FORMULA.search(re.sub(r"<[^>]+>", "", shown))
    assert "\\partial" not in shown and "\\lvert" not in shown


def test_the_shared_part_of_the_explanations_is_said_once(quick):
    """What the shift measurements' explanations share is printed once: before them when
    one is explained (as on MNIST), else in the shift section; each keeps its numbers."""
    from nnlearn.report.build import render

    out, _ = quick
    results = json.loads((out / "results.json").read_text())
    shared = results["experiments"]["shift"]["shared_explanation"]
    assert shared and "rolled around rather than zero-filled" in shared
    md = (out / "report.md").read_text()
    section = md.index(". Shifted test images, and a shift ablation\n")
    assert md.count(shared) == 1 and md.index(shared) > section  # no shift measurement explained
    # as on MNIST: the shift measurements differ, each explained by its own numbers
    own = {}
    for c in results["claims"]:
        if c["experiment"] == "shift":
            for m in c["measurements"]:
                m["verdict"] = "differs"
                m["explanation"] = own[(c["id"], m["width"])] = (
                    f"Ours for {c['id']} at width {m['width']}: {m['ours']:.4f}.")
    pages = render(results, {name: [] for name in results["experiments"]})
    why = pages["md"].split("### Why the measurements that are not reproduced differ")[1]
    why = why.split("\n## ")[0]
    assert pages["md"].count(shared) == 1 and why.index(shared) < min(
        why.index(t) for t in own.values())
    assert pages["html"].count(str(maths.html(shared))) == 1
    assert all(t in pages["html"] for t in own.values())


def test_what_holds_for_the_whole_run_is_said_once_not_on_every_row(quick):
    """Off MNIST (and with --quick) every claim's row in results.json notes it, and every
    explanation opens with it; the report says it once, at the top and before the
    explanations, and its rows keep only their own notes."""
    from nnlearn.experiments.base import Scope, other_data, scope_notes
    from nnlearn.report.build import render

    out, _ = quick
    results = json.loads((out / "results.json").read_text())
    scope = Scope(data=results["data"], quick=results["quick"])
    run_notes, opening = scope_notes(scope), other_data(scope)
    assert len(run_notes) == 2 and opening  # digits, --quick
    assert all(all(n in c["note"] for n in run_notes) for c in results["claims"])
    ms = [m for c in results["claims"] for m in c["measurements"]]
    for i, m in enumerate(ms[:3]):
        m["verdict"], m["explanation"] = "differs", f"{opening}Its own reason number {i}."
    ms[0]["note"] = "; ".join([*run_notes, "its own note"])
    pages = render(results, {name: [] for name in results["experiments"]})
    for kind, text in pages.items():
        assert text.count(str(maths.html(opening.strip())) if kind == "html"
                          else opening.strip()) == 1, kind
        assert all(f"Its own reason number {i}." in text for i in range(3)), kind
        assert "its own note" in text and not any(n in text for n in run_notes), kind
    assert "not comparable" in pages["md"].split("## Summary")[0]  # said at the top


def test_a_missing_data_set_says_how_to_get_it_and_runs_the_rings(tmp_path):
    r = reproduce("--quick", "--data-dir", str(tmp_path / "empty"), "--only", "rings,shift",
                  "--seeds", "1", "--out", str(tmp_path / "out"))
    assert "mnist" in r.stderr and "skipped" in r.stderr
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    jsonschema.validate(results, load_schema())
    skipped = {name: e["skipped"] for name, e in results["experiments"].items()}
    assert skipped["rings"] is None and skipped["shift"]
    assert results["notes"] and "mnist" in results["notes"][0]


def test_bad_options_end_in_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nnlearn", "reproduce", "--only", "nope",
                        "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode != 0 and r.stderr.count("\n") == 1 and "unknown experiment" in r.stderr


@pytest.mark.slow
def test_mnist_quick_has_the_lecture_claim_ids(tmp_path, data_env):
    need_data("mnist")
    reproduce("--quick", "--only", "shift", "--seeds", "1", "--threads", "1",
              "--out", str(tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(results, load_schema())
    ids = {c["id"]: c for c in results["claims"]}
    assert set(ids) == {"mnist_hidden10_test_acc", "mnist_hidden32_test_acc",
                        "mnist_shift1_acc", "mnist_shift2_acc"}
    for c in ids.values():
        assert c["lecture"] in (0.93, 0.97, 0.87, 0.62) and c["quote"]
        for m in c["measurements"]:
            assert 0.1 < m["ours"] <= 1 and m["per_seed"]
            assert m["verdict"] in ("reproduced", "consistent", "differs")
    p = results["provenance"]["datasets"]["mnist"]
    assert set(p) == {"train_images", "train_labels", "test_images", "test_labels"}
    assert all(len(f["sha256"]) == 64 for f in p.values())


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_numbers(tmp_path):
    distributed = pytest.importorskip("distributed")
    only = "capacity,shift,depth"
    serial = tmp_path / "serial"
    reproduce("--quick", "--data", "digits", "--seeds", "2", "--only", only, "--threads", "1",
              "--out", str(serial))
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            client.run(lambda: sys.path.insert(0, src))  # the workers import this source
            dask = tmp_path / "dask"
            reproduce("--quick", "--data", "digits", "--seeds", "2", "--only", only,
                      "--dask-scheduler", cluster.scheduler_address, "--out", str(dask),
                      env=env)
            assert len(client.scheduler_info()["workers"]) == 2
    a, b = (json.loads((p / "results.json").read_text()) for p in (serial, dask))
    assert b["runner"]["dask_scheduler"] and not a["runner"]["dask_scheduler"]
    assert [(c["id"], c["per_seed"]) for c in a["claims"]] == \
        [(c["id"], c["per_seed"]) for c in b["claims"]]
    # every number but the wall-clock times: accuracies, gradient norms, confusion counts
    assert [_without_times(measures(e)) for e in a["experiments"].values()] == \
        [_without_times(measures(e)) for e in b["experiments"].values()]


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not k.startswith("seconds")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_the_report_opens_in_chromium_with_its_claims_and_figures(quick, browser):
    """Served over HTTP at 1280 px: no console error and no failed request (not even a
    favicon), the verdict of every table in sight, nothing wider than the window, the
    formulas drawn (a subscript below its base)."""
    from test_docs_site import _serve

    out, _ = quick
    results = json.loads((out / "results.json").read_text())
    page, errors = watched_page(browser, 1280)
    with _serve(out) as base:
        page.goto(f"{base}/report.html", wait_until="load")
        page.wait_for_timeout(300)  # a favicon is asked for after the load
        rows = page.locator("#claims-table tbody tr")
        assert rows.count() == len(results["claims"])
        assert page.locator("#checks-table tbody tr").count() == len(results["checks"])
        assert page.locator("#summary-table").is_visible()
        images = page.locator("img")
        assert images.count() == len(results["figures"]) + len(KEY_FIGURES)
        widths = page.eval_on_selector_all(
            "img", "els => els.map(e => e.complete ? e.naturalWidth : 0)")
        assert all(w > 100 for w in widths), widths
        seen = page.evaluate("""() => ({
            scroll: document.documentElement.scrollWidth, width: window.innerWidth,
            summary: document.querySelector('h2').getBoundingClientRect().top,
            tables: Array.from(document.querySelectorAll('table')).filter(t =>
                Array.from(t.querySelectorAll('th')).some(h => h.textContent.trim() === 'verdict'))
              .map(t => { const ths = Array.from(t.querySelectorAll('thead th'));
                const at = ths.findIndex(h => h.textContent.trim() === 'verdict');
                return {at: at, right: Math.max(...Array.from(t.querySelectorAll('tr'))
                    .map(r => r.children[at].getBoundingClientRect().right))}; }),
            sub: Array.from(document.querySelectorAll('msub')).every(s =>
                s.children[1].getBoundingClientRect().bottom >
                s.children[0].getBoundingClientRect().bottom),
            maths: document.querySelectorAll('math').length})""")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "reproduce-report.png"), full_page=True)
    page.close()
    assert errors == []
    assert seen["scroll"] <= seen["width"] and seen["summary"] < 900
    assert len(seen["tables"]) >= 5
    for table in seen["tables"]:
        assert table["at"] == 1 and table["right"] <= seen["width"], table
    assert seen["maths"] > 20 and seen["sub"]


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c",
                    "user.name=t", *args], check=True, capture_output=True)


def test_a_dirty_tree_may_not_write_a_report_into_the_repository(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from nnlearn.cli import cli
    from nnlearn.report import provenance

    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.txt").write_text("committed")
    _git(repo, "add", "a.txt")
    _git(repo, "commit", "-qm", "one")
    monkeypatch.setattr(provenance, "source_root", lambda: repo)
    out = repo / "docs" / "out"
    assert provenance.refuse_dirty(out, False) is None  # a clean tree
    (out).mkdir(parents=True)
    (out / "old.json").write_text("{}")  # the report's own folder does not count
    assert provenance.refuse_dirty(out, False) is None
    (repo / "a.txt").write_text("changed")
    why = provenance.refuse_dirty(out, False)
    assert "uncommitted changes (a.txt)" in why and "--allow-dirty" in why
    assert provenance.refuse_dirty(out, True) is None
    assert provenance.refuse_dirty(tmp_path / "elsewhere", False) is None  # not to be committed
    r = CliRunner().invoke(cli, ["reproduce", "--only", "loss", "--out", str(out)])
    assert r.exit_code != 0 and "--allow-dirty" in r.output
    assert not (out / "results.json").exists()
    r = CliRunner().invoke(cli, ["reproduce", "--only", "loss", "--allow-dirty", "--out",
                                 str(out)])
    assert r.exit_code == 0, r.output
    p = json.loads((out / "results.json").read_text())["provenance"]
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    assert p["commit"] == head and p["dirty"] is True and p["allow_dirty"] is True
    assert p["changed"] == ["a.txt"]
    assert "with uncommitted changes" in (out / "report.md").read_text()


def test_an_unknown_claim_is_one_line_that_lists_the_ids(tmp_path):
    r = subprocess.run([sys.executable, "-m", "nnlearn", "reproduce", "--claim", "mnist_nope",
                        "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode != 0 and r.stderr.count("\n") == 1
    assert "unknown claim 'mnist_nope'" in r.stderr
    assert "mnist_shift2_acc" in r.stderr and "mnist_gradient_vanishing" in r.stderr
    r = subprocess.run([sys.executable, "-m", "nnlearn", "reproduce", "--claim",
                        "mnist_shift2_acc", "--only", "shift", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "not both" in r.stderr


def test_claim_reruns_only_what_the_statement_needs(tmp_path):
    r = reproduce("--quick", "--data", "digits", "--seeds", "2", "--claim", "digits_shift2_acc",
                  "--threads", "1", "--out", str(tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    assert list(results["experiments"]) == ["capacity", "shift"]
    assert "digits_shift2_acc: no verdict" in r.stdout


@pytest.mark.slow
def test_mnist_claim_shift2_quick_runs_alone(tmp_path, data_env):
    need_data("mnist")
    r = reproduce("--quick", "--claim", "mnist_shift2_acc", "--seeds", "2", "--threads", "1",
                  "--out", str(tmp_path))
    results = json.loads((tmp_path / "results.json").read_text())
    assert list(results["experiments"]) == ["capacity", "shift"]
    row = next(c for c in results["claims"] if c["id"] == "mnist_shift2_acc")
    assert f"mnist_shift2_acc: {row['verdict']}" in r.stdout


def test_a_new_report_builds_into_the_site_strictly(quick, tmp_path, browser):
    """A report written now (its own summary, the verdict second, TeX) in a site made with
    the documentation's theme, extensions and report hooks: the strict build passes, the
    page has one summary, typeset formulas and every verdict in sight at 1280 px, and
    neither it nor the standalone report fails a request or logs an error."""
    import shutil

    import yaml
    from test_docs_site import ROOT, _mkdocs, _serve

    out, _ = quick
    docs = tmp_path / "docs"
    shutil.copytree(out, docs / "reproduce")
    shutil.copytree(ROOT / "docs" / "stylesheets", docs / "stylesheets")
    (docs / "index.md").write_text("# Reports\n\n[The report](reproduce/report.md)\n")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    small = {key: config[key] for key in ("site_name", "strict", "use_directory_urls",
                                          "exclude_docs", "theme", "extra_css", "validation",
                                          "markdown_extensions")}
    small.update(docs_dir="docs", plugins=["search"],
                 hooks=[str(ROOT / "docs" / "hooks" / f"{name}.py")
                        for name in ("site", "mathml", "report_layout")],
                 nav=[{"Home": "index.md"}, {"Report": "reproduce/report.md"}])
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small))
    site = tmp_path / "site"
    result = _mkdocs(tmp_path / "mkdocs.yml", site, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
    page = (site / "reproduce" / "report.html").read_text("utf-8")
    assert re.findall(r'<h2 id="([^"]+)"', page).count("summary") == 1  # its own, alone
    assert page.count("<math ") > 20 and 'class="arithmatex"' not in page
    assert "\\lvert" not in re.sub(r"<[^>]+>", "", page)
    standalone = (site / "reproduce" / "report-standalone.html").read_text("utf-8")
    assert standalone.count('rel="icon"') == 1
    view, errors = watched_page(browser, 1280)
    with _serve(site) as base:
        view.goto(f"{base}/reproduce/report.html", wait_until="load")
        tables = view.evaluate("""() => Array.from(document.querySelectorAll(
                '.nnlearn-report table')).map(table => {
            const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
            const head = Array.from(table.querySelectorAll('th')).map(t => t.textContent.trim());
            const rows = Array.from(table.querySelectorAll('tbody tr'));
            return {head: head, right: Math.max(...rows.map(r =>
                        r.children[1].getBoundingClientRect().right)),
                    limit: Math.min(wrap.getBoundingClientRect().right, window.innerWidth)};
        })""")
        view.goto(f"{base}/reproduce/report-standalone.html", wait_until="load")
        view.wait_for_timeout(300)
    view.close()
    assert errors == []
    assert len(tables) >= 5
    for table in tables:
        assert table["head"][1] == "verdict" and table["right"] <= table["limit"], table
