"""Figures that explain themselves, checked through matplotlib's objects (not pixels)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from nnlearn import plots
from nnlearn.engine import mlp
from nnlearn.run import RunConfig, run, write_outputs
from nnlearn.training import History


def _history(n_epochs, validation=True, iterations_per_epoch=0):
    h = History()
    rng = np.random.default_rng(0)
    it = 0
    for e in range(1, n_epochs + 1):
        for _ in range(iterations_per_epoch):
            it += 1
            h.record_iteration(it, e, float(rng.uniform(0.1, 1)), float(rng.uniform()), 0.1)
        row = dict(epoch=e, iteration=it or e, train_loss=1.0 / e, train_accuracy=1 - 0.5 / e,
                   lr=0.1, time=0.0)
        if validation:
            row.update(val_loss=1.1 / e, val_accuracy=1 - 0.6 / e)
        h.record_epoch(**row)
    return h


def _legend_texts(legend):
    return [t.get_text() for t in legend.get_texts()]


def test_one_epoch_is_visible_as_markers():
    fig = plots.learning_curves(_history(1), title="t")
    for ax in fig.axes:
        lines = ax.get_lines()
        assert len(lines) == 2
        for line in lines:
            assert len(line.get_xdata()) == 1
            assert line.get_marker() not in (None, "", "None", " ")  # a point, not a 0-length line
        assert ax.get_xscale() == "linear"
        lo, hi = ax.get_xlim()
        assert lo < 1 < hi


def test_validation_is_called_validation_and_axes_are_labelled():
    fig = plots.learning_curves(_history(5), title="rings: 2-layer, gd")
    loss_ax, acc_ax = fig.axes
    for ax in (loss_ax, acc_ax):
        assert _legend_texts(ax.get_legend()) == ["train", "validation"]
        assert ax.get_xlabel() == "epoch"
    assert "loss" in loss_ax.get_ylabel() and acc_ax.get_ylabel() == "accuracy"
    assert fig._suptitle.get_text() == "rings: 2-layer, gd"
    no_val = plots.learning_curves(_history(5, validation=False))
    assert _legend_texts(no_val.axes[0].get_legend()) == ["train"]


def test_long_runs_get_a_log_x_axis_and_no_markers():
    fig = plots.learning_curves(_history(3000, validation=False))
    for ax in fig.axes:
        assert ax.get_xscale() == "log"
        assert "log" in ax.get_xlabel()
        assert ax.get_lines()[0].get_marker() in ("None", "", None)
    # the caller may choose
    assert plots.learning_curves(_history(3000), xscale="linear").axes[0].get_xscale() == "linear"
    assert plots.learning_curves(_history(10), xscale="log").axes[1].get_xscale() == "log"


def test_iteration_curves_draw_every_batch_and_the_validation_points():
    h = _history(3, iterations_per_epoch=4)
    fig = plots.iteration_curves(h, title="per iteration")
    loss_ax = fig.axes[0]
    batch, val = loss_ax.get_lines()
    np.testing.assert_array_equal(batch.get_xdata(), np.arange(1, 13))
    np.testing.assert_array_equal(batch.get_ydata(), h.iterations["loss"])
    np.testing.assert_array_equal(val.get_xdata(), [4, 8, 12])  # each epoch's last iteration
    assert _legend_texts(loss_ax.get_legend()) == ["train (each batch)",
                                                   "validation (end of epoch)"]
    assert loss_ax.get_xlabel() == "iteration"
    with pytest.raises(ValueError, match="record_iterations"):
        plots.iteration_curves(_history(3))


def _two_d_net(k=3):
    return mlp(2, [4], k, seed=0)


def test_decision_regions_legend_names_classes_points_and_axes():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(30, 2)), np.arange(30) % 3
    fig = plots.decision_regions({10: _two_d_net(), 20: _two_d_net()}, X, y,
                                 classes=np.array(["setosa", "versicolor", "virginica"]),
                                 feature_names=["petal length", "petal width"], points="test",
                                 title="iris")
    (legend,) = fig.legends
    assert _legend_texts(legend) == ["setosa", "versicolor", "virginica", "decision boundary",
                                     "test points (30)"]
    drawn = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert len(drawn) == 2
    for ax in drawn:
        assert ax.get_xlabel() == "petal length" and ax.get_ylabel() == "petal width"
    assert [ax.get_title() for ax in drawn] == ["Iteration 10", "Iteration 20"]
    assert drawn[0].get_aspect() == "auto"  # named columns, each in its own units


def test_decision_regions_keep_unnamed_alike_coordinates_to_scale():
    X, y = np.random.default_rng(3).normal(size=(20, 2)), np.arange(20) % 2
    fig = plots.decision_regions({5: _two_d_net(2)}, X, y)
    assert fig.axes[0].get_aspect() == 1.0
    stretched = plots.decision_regions({5: _two_d_net(2)}, X * [1, 10], y)
    assert stretched.axes[0].get_aspect() == "auto"


def test_decision_regions_defaults_and_bad_arguments():
    X, y = np.random.default_rng(2).normal(size=(20, 2)), np.arange(20) % 2
    fig = plots.decision_regions({5: _two_d_net(2)}, X, y)
    assert _legend_texts(fig.legends[0]) == ["0", "1", "decision boundary",
                                             "training points (20)"]
    assert fig.axes[0].get_xlabel() == "feature 1"
    labels = np.array([np.int64(3), np.int64(7)])  # printed as 3, not np.int64(3)
    fig = plots.decision_regions({5: _two_d_net(2)}, X, y, classes=labels)
    assert _legend_texts(fig.legends[0])[:2] == ["3", "7"]
    with pytest.raises(ValueError, match="2 feature names"):
        plots.decision_regions({5: _two_d_net(2)}, X, y, feature_names=["a"])
    with pytest.raises(ValueError, match="points must be"):
        plots.decision_regions({5: _two_d_net(2)}, X, y, points="train")
    with pytest.raises(ValueError, match="3 class labels for 2"):
        plots.decision_regions({5: _two_d_net(2)}, X, y, n_classes=2, classes=["a", "b", "c"])


@pytest.fixture
def saved_figures(monkeypatch):
    """The figures ``write_outputs`` saves, by file name, kept open for inspection."""
    figures = {}

    def keep(fig, path, dpi=120):
        figures[path.name] = fig

    monkeypatch.setattr(plots, "save_figure", keep)
    return figures


def test_pipeline_figures_name_the_columns_the_model_and_the_optimiser(tmp_path, saved_figures):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    species = np.where(X[:, 0] + X[:, 1] > 0, "virginica", "setosa")
    csv = tmp_path / "flowers.csv"
    csv.write_text("sepal_width,petal_len,species\n"
                   + "".join(f"{a:.4f},{b:.4f},{s}\n" for (a, b), s in zip(X, species)))
    cfg = RunConfig(data=str(csv), hidden=(5,), optimizer="adam", lr=0.01, batch_size=32,
                    epochs=2, record_iterations=True, progress=False)
    paths = write_outputs(run(cfg), tmp_path / "out")
    assert paths["iterations"].name == "iterations.png"
    assert set(saved_figures) == {"decision_regions.png", "learning_curves.png",
                                  "iterations.png"}
    regions = saved_figures["decision_regions.png"]
    assert regions.axes[0].get_xlabel() == "sepal_width"
    assert regions.axes[0].get_ylabel() == "petal_len"
    texts = _legend_texts(regions.legends[0])
    assert texts[:2] == ["setosa", "virginica"] and texts[-1].startswith("training points")
    for fig in saved_figures.values():
        title = fig._suptitle.get_text()
        assert "flowers.csv" in title and "2-layer, 5 hidden units" in title
        assert "adam" in title and "lr 0.01" in title and "batch 32" in title
    # 96 training rows (a fifth of 120 held out) in batches of 32: 3 steps an epoch, 2 epochs
    assert len(saved_figures["iterations.png"].axes[0].get_lines()[0].get_xdata()) == 6


# -- the network drawn as the lecture's Figure 1 ----------------------------------------------
def _edges(fig, k):
    (ax,) = [a for a in fig.axes if a.collections and a.get_label() != "<colorbar>"]
    (coll,) = [c for c in ax.collections if c.get_gid() == f"W_{k}"]
    return ax, coll


def _nodes(ax, k):
    (coll,) = [c for c in ax.collections if c.get_gid() == f"f_{k}"]
    return coll.get_offsets()


def test_network_diagram_draws_figure_1_nodes_and_edges():
    from nnlearn.plots.network import LECTURE_FIGURE_1, NODE_COLOURS
    fig = plots.network_diagram()
    assert LECTURE_FIGURE_1 == (6, 2, 6, 4, 1)
    ax, _ = _edges(fig, 1)
    for k, n in enumerate(LECTURE_FIGURE_1):
        assert len(_nodes(ax, k)) == n
    n = LECTURE_FIGURE_1
    for k in range(1, 5):  # one edge per entry of W_k: n_k * n_{k-1}
        assert len(_edges(fig, k)[1].get_segments()) == n[k] * n[k - 1]
    colours = {k: tuple(c for c in ax.collections if c.get_gid() == f"f_{k}")[0]
               .get_facecolor()[0][:3] for k in range(5)}
    from matplotlib.colors import to_rgb
    assert np.allclose(colours[0], to_rgb(NODE_COLOURS["input"]))
    assert np.allclose(colours[2], to_rgb(NODE_COLOURS["hidden"]))
    assert np.allclose(colours[4], to_rgb(NODE_COLOURS["output"]))
    texts = [t.get_text() for t in ax.texts]
    assert texts[0].startswith("input") and texts[-1].startswith("output")
    assert len(fig.axes) == 1  # widths alone: no weights, no colour bar


def test_network_diagram_takes_colour_and_width_from_the_weights():
    net = mlp(3, [4], 2, seed=0)
    W = net.layers[0].W
    W[...] = 0.0
    W[1, 2] = 2.0    # edge from input node 2 to hidden unit 1: strongest, positive
    W[3, 0] = -1.0   # input 0 -> hidden 3: negative, half as wide
    fig = plots.network_diagram(net)
    ax, coll = _edges(fig, 1)
    inputs, hidden = _nodes(ax, 0), _nodes(ax, 1)
    segments = coll.get_segments()
    widths = coll.get_linewidths()
    colours = coll.get_colors()

    def edge(i, j):  # the segment from input j to hidden i
        (idx,) = [s for s, seg in enumerate(segments)
                  if np.allclose(seg[0], inputs[j]) and np.allclose(seg[1], hidden[i])]
        return idx

    strong, negative, zero = edge(1, 2), edge(3, 0), edge(0, 0)
    assert widths[strong] > widths[negative] > widths[zero]
    assert colours[strong][0] > colours[strong][2]      # red: positive
    assert colours[negative][2] > colours[negative][0]  # blue: negative
    assert len(fig.axes) == 2 and "weight" in fig.axes[1].get_ylabel()  # the colour bar
    plain = plots.network_diagram(net, weights=False)
    assert len(set(map(tuple, _edges(plain, 1)[1].get_colors()))) == 1


def test_network_diagram_refuses_what_it_cannot_draw():
    from nnlearn.engine import resnet
    with pytest.raises(ValueError, match=r"too large to draw.*784"):
        plots.network_diagram(mlp(784, [32], 10))
    with pytest.raises(ValueError, match="too large to draw"):
        plots.network_diagram((100, 100, 10))  # 10000 weights
    with pytest.raises(ValueError, match="Residual"):
        plots.network_diagram(resnet(4, 4, 2, 2))
    with pytest.raises(ValueError, match="positive integers"):
        plots.network_diagram((6, 0, 2))
    with pytest.raises(ValueError, match="positive integers"):
        plots.network_diagram((6,))
    with pytest.raises(TypeError, match="Network or a sequence"):
        plots.network_diagram("6,2,1")
    with pytest.raises(ValueError, match="needs a Network"):
        plots.network_diagram((2, 3, 2), weights=True)
    # the largest allowed still draws: the rings network of the lecture (2, 100, 2)
    fig = plots.network_diagram(mlp(2, [100], 2))
    assert len(_edges(fig, 1)[1].get_segments()) == 200


def test_network_diagram_skips_dropout_layers():
    net = mlp(4, [5, 3], 2, dropout=0.5, seed=1)
    fig = plots.network_diagram(net)
    ax, _ = _edges(fig, 1)
    assert [len(_nodes(ax, k)) for k in range(4)] == [4, 5, 3, 2]
    assert ax.get_title() == "n = (4, 5, 3, 2)"


@pytest.mark.parametrize("setup, expected", [
    ("", "agg"),                                                        # files only, no display
    ("import os; os.environ['MPLBACKEND'] = 'svg'; ", "svg"),           # e.g. a notebook's inline
    ("import matplotlib; matplotlib.use('pdf'); import matplotlib.pyplot; ", "pdf"),  # caller's
])
def test_plots_keep_a_backend_already_chosen(setup, expected):
    code = f"{setup}import nnlearn.plots, matplotlib; print(matplotlib.get_backend().lower())"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == expected
