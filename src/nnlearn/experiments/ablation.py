"""The shift ablation: which choices move shifted accuracy toward the lecture's 87% and 62%?

The lecture does not say how its network was trained. For each network of the
capacity experiment (10 and 32 hidden units, its recipe chosen on validation,
every seed), one choice is changed at a time and the network is trained again
on all training images (``train``), or the same networks are tested
differently (``test``):

- input scaling: standardized; raw 0-255 (with ``W_1`` initialised for inputs
  of that scale, He / 255: with He's own scale every rate tried left the
  network at chance, a broken run and no hypothesis);
- the optimiser: SGD against Adam;
- few epochs;
- the width: 5 units (beside 10), and the capacity experiment's other width;
- the book's recipe, as one hypothesis with its own rate: 784-64-10, Adam 0.01,
  batches of 480, 20 epochs;
- the fill of the vacated pixels (rolled around, not zero-filled): kept only
  where some test image tells them apart, which MNIST's zero borders do not;
- the direction of the shift, which the lecture does not state either.

Every trained variant chooses its own learning rate on validation data
(seed 0, the capacity search's split), at its own epochs: the capacity
search's validation curves serve the variants that change only the optimiser
or the epochs (its rates are constant, so epoch ``e`` of its curve is an
``e``-epoch run); the others train one search run per rate. A variant whose
task comes out equal to the chosen recipe's cannot differ and is dropped, with
the reason. ``explain`` turns a width's table into the explanation of that
width's shift measurement: its own numbers only. What the four explanations
share (what the variants are, how the fills differ, when a variant counts) is
``shared``, which the report prints once. A variant counts as an account of
the lecture's number only while its clean accuracy stays within 1 point of the
lecture's for that width or of our own network's (a broken network is no
account of it).
"""

from __future__ import annotations

from dataclasses import replace

from .base import DIRECTIONS, Scope, mean_sd
from .search import LR_GRID, RAW_LR_GRID, choose_lr, lr_tasks
from .shifted import accuracy, fills_differ, network_of
from .verdicts import points, verdict

FEW_EPOCHS = 2
#: Narrower networks trained beside each width (the other capacity width is reused).
NARROWER = {10: (5,), 32: ()}
#: The book's recipe, a hypothesis with its own stated rate (not searched).
BOOK = {"hidden": (64,), "optimizer": "adam", "lr": 0.01, "batch_size": 480, "epochs": 20}
BOOK_LABEL, BOOK_DETAIL = "the book's recipe", "784-64-10, Adam 0.01, batch 480, 20 epochs"
#: How the raw variant's first layer starts (He's scale assumes inputs of unit scale).
RAW_DETAIL = "$W_1$ initialised at He / 255"
CLEAN_LECTURE = {10: 0.93, 32: 0.97}  # the lecture's test accuracy of each width
CLEAN_MARGIN = 0.01
CHOICES = [
    {"what": "one choice changed at a time, from the capacity experiment's chosen recipe",
     "why": "so that a change in shifted accuracy has one cause"},
    {"what": "each trained variant's learning rate chosen on validation (seed 0) from "
             "LR_GRID (RAW_LR_GRID for raw inputs), at its own epochs",
     "why": "a variant trained at another variant's rate may be a broken run, not a hypothesis"},
    {"what": f"raw 0-255 inputs with {RAW_DETAIL}",
     "why": "He's initialisation assumes inputs of unit scale; at 255 times that every rate "
            "tried stayed at chance (see the deviations)"},
    {"what": "the book's recipe at its own rate (Adam 0.01), not searched",
     "why": "it is a stated recipe, tried as the book gives it"},
    {"what": "a variant is sound while its clean accuracy is within 1 point of the lecture's "
             "for the width or of ours",
     "why": "a network that no longer classifies well is no account of the lecture's network"},
]


def variants(width: int, selected: dict, widths) -> list[dict]:
    """The ablation's rows for the ``width``-unit network: a key, a label, and ``train``
    (Task changes; ``grid``: the rates to choose from; ``curves``: read the capacity
    search's curves), ``test`` (fill ``mode``, shift ``direction``) or ``reuse``, and
    ``detail`` where the label needs one (the tables' "how" column)."""
    e, opt = selected["epochs"], selected["optimizer"]
    rows: list[dict] = [
        {"key": "base", "label": f"as chosen ({selected['label']}, {e} epochs, [0, 1])",
         "train": {}},
        {"key": "standardize", "label": "standardized inputs",
         "train": {"input_scaling": "standardize"}, "grid": LR_GRID[opt]},
        {"key": "raw", "label": "raw 0-255 inputs", "detail": RAW_DETAIL,
         "train": {"input_scaling": "raw", "first_layer_gain": 1 / 255},
         "grid": RAW_LR_GRID[opt]},
        *({"key": o, "label": f"{o.upper() if o == 'sgd' else 'Adam'}, {e} epochs",
           "train": {"optimizer": o}, "grid": LR_GRID[o], "curves": True} for o in LR_GRID),
        {"key": "few_epochs", "label": f"{FEW_EPOCHS} epochs", "train": {"epochs": FEW_EPOCHS},
         "grid": LR_GRID[opt], "curves": True},
        *({"key": f"width{w}", "label": f"{w} hidden units", "train": {"hidden": (w,)},
           "grid": LR_GRID[opt]} for w in NARROWER.get(width, ())),
        *({"key": f"width{w}", "label": f"{w} hidden units", "reuse": w}
          for w in widths if w != width),
        {"key": "book", "label": BOOK_LABEL, "detail": BOOK_DETAIL, "train": dict(BOOK)},
        {"key": "roll", "label": "rolled, not zero-filled", "test": {"mode": "roll"}},
    ]
    rows += [{"key": d, "label": f"shifted {d}", "test": {"direction": d}}
             for d in DIRECTIONS if d != "right"]
    return rows


def recipe(scope: Scope) -> dict:
    return {"base": "the capacity experiment's networks (10 and 32 hidden units), their "
                    "chosen recipes, every seed",
            "one_change_at_a_time": ["input scaling: standardized, raw 0-255 (W_1 at He/255)",
                                     "optimiser: SGD, Adam", f"epochs: {FEW_EPOCHS}",
                                     "width: 5 (beside 10), the other capacity width",
                                     f"{BOOK_LABEL}: {BOOK_DETAIL}",
                                     "fill: roll instead of zero (where it differs)",
                                     "direction: left, down, up, down-right"],
            "learning_rate": {"grid": {k: list(v) for k, v in LR_GRID.items()},
                              "raw_grid": {k: list(v) for k, v in RAW_LR_GRID.items()},
                              "chosen_on": "validation, seed 0, at the variant's epochs"},
            "measured": "clean, 1-pixel and 2-pixel test accuracy (right, zero fill)",
            "sound_if": f"clean accuracy within {100 * CLEAN_MARGIN:.0f} point of the "
                        f"lecture's for the width or of the base network's"}


def _curves(search: dict, optimizer: str) -> dict:
    return {t["lr"]: t["validation_curve"] for t in search["tried"]
            if t["optimizer"] == optimizer}


def train_variants(scope: Scope, runner, capacity, widths) -> dict:
    """Choose every trained variant's rate, then train it with every seed: per width,
    ``{"rows", "choices", "runs", "base"}``."""
    seeds: list = scope.seed_list
    out: dict[int, dict] = {}
    searches: list = []
    for h in widths:
        base = {s: capacity.arrays["tasks"][(h, s)] for s in seeds}
        search = capacity.recipe[f"hidden{h}"]
        rows = variants(h, search["selected"], widths)
        out[h] = {"rows": rows, "base": base, "choices": {}}
        for r in rows:
            if "grid" in r and not r.get("curves"):
                searches.append((h, r["key"], lr_tasks(replace(base[0], **r["train"]), r["grid"],
                                                       search["validation"]["held_out"])))
    outs = runner.map([t for *_, ts in searches for t in ts])
    done: dict = {}
    for h, key, ts in searches:
        done[(h, key)] = {t.lr: [float(v) for v in o["history"]["val_accuracy"]]
                          for t, o in zip(ts, outs[:len(ts)])}
        outs = outs[len(ts):]
    finals = []
    for h in widths:
        w = out[h]
        selected = capacity.recipe[f"hidden{h}"]
        for r in w["rows"]:
            if "train" not in r:
                continue
            change = dict(r["train"])
            if "grid" in r:
                optimizer = change.get("optimizer", selected["selected"]["optimizer"])
                epochs = change.get("epochs", selected["selected"]["epochs"])
                curves = (_curves(selected, optimizer) if r.get("curves")
                          else done[(h, r["key"])])
                w["choices"][r["key"]] = choose_lr(curves, epochs)
                change["lr"] = w["choices"][r["key"]]["lr"]
            r["tasks"] = [replace(w["base"][s], **change) for s in seeds]
            finals += r["tasks"]
    runs = dict(zip(finals, runner.map(finals)))
    for h in widths:
        out[h]["runs"] = runs
    return out


def measure(scope: Scope, runner, capacity, data, widths) -> dict:
    """Train and test every variant of every width over the seeds: the JSON-ready tables,
    ``{"hidden10": {"seeds", "variants", "dropped", "learning_rates"}, ...}``."""
    seeds = scope.seed_list
    trained = train_variants(scope, runner, capacity, widths)
    differ = {p: fills_differ(data, p) for p in (1, 2)}
    tables = {}
    for h in widths:
        w = trained[h]
        table: list = []
        dropped: list = []
        for r in w["rows"]:
            if r["key"] != "base" and "train" in r and r["tasks"] == list(w["base"].values()):
                dropped.append({"key": r["key"], "label": r["label"],
                                "why": "its task, rate chosen on validation included, is the "
                                       "chosen recipe's: it cannot differ"})
                continue
            if r["key"] == "roll" and not any(differ.values()):
                dropped.append({"key": "roll", "label": r["label"],
                                "why": f"rolled and zero-filled shifts give the same image for "
                                       f"every test image at 1 and 2 pixels ({differ[1]} and "
                                       f"{differ[2]} of {len(data.y_test)} differ): the border "
                                       f"strips are zero, so the fill cannot matter"})
                continue
            if "reuse" in r:
                nets = [network_of(capacity.arrays["runs"][(r["reuse"], s)]) for s in seeds]
            else:
                tasks = r["tasks"] if "train" in r else list(w["base"].values())
                nets = [network_of(w["runs"][t]) for t in tasks]
            test = r.get("test", {})
            how = ("the capacity experiment's networks" if r["key"] == "base" else
                   "trained again" if "train" in r else
                   "the same networks, tested differently" if test else
                   "the capacity experiment's networks")
            row = {"key": r["key"], "label": r["label"],
                   "how": f"{how}: {r['detail']}" if "detail" in r else how,
                   "lr": w["choices"].get(r["key"], {}).get("lr", r.get("train", {}).get(
                       "lr", w["base"][seeds[0]].lr if r["key"] == "base" else None))}
            for name, pixels in (("clean", 0), ("shift1", 1), ("shift2", 2)):
                row[name] = mean_sd(accuracy(net, data, pixels, **test) for net in nets)
            if "train" in r:
                row["diverged"] = sum(w["runs"][t]["diverged"] is not None for t in r["tasks"])
            table.append(row)
        tables[f"hidden{h}"] = {"width": h, "seeds": seeds, "variants": table, "dropped": dropped,
                                "learning_rates": w["choices"],
                                "fills_differ": {str(p): n for p, n in differ.items()},
                                "test_images": len(data.y_test)}
    return tables


def sound(row: dict, width: int, base_clean: float) -> bool:
    """The variant's network still works: its clean accuracy is the lecture's or ours."""
    clean = row["clean"]["mean"]
    return min(abs(clean - CLEAN_LECTURE.get(width, base_clean)),
               abs(clean - base_clean)) <= CLEAN_MARGIN


def explain(m: dict, table: dict, pixels: int, lecture: float) -> str:
    """The explanation of the shift measurement ``m`` (one width), from that width's
    own ablation ``table``: its numbers, each unsound variant with its clean accuracy,
    and which sound variant comes closest. What the variants are and when one is
    sound is ``shared``, said once for every explanation."""
    key, h = f"shift{pixels}", table["width"]
    rows = [r for r in table["variants"] if r["key"] != "base"]
    base = next(r for r in table["variants"] if r["key"] == "base")
    clean = base["clean"]["mean"]
    listed = "; ".join(f"{r['label']} {points(r[key]['mean'])}"
                       + ("" if sound(r, h, clean) else f" (clean {points(r['clean']['mean'])})")
                       for r in rows)
    text = (f"Ours {points(m['ours'])} against the lecture's {points(lecture)}. The {h}-unit "
            f"network's ablation at {pixels} pixel{'s' if pixels > 1 else ''}: {listed}. ")
    kept = [r for r in rows if sound(r, h, clean)]
    if not kept:
        return text + "Every variant breaks the network; nothing here explains the difference."
    best = min(kept, key=lambda r: abs(r[key]["mean"] - lecture))
    reach = verdict("whole_percent", best[key]["per_seed"], lecture) != "differs"
    closest = (f"Of the sound variants, {best['label']} comes closest "
               f"({points(best[key]['mean'])})")
    if reach:
        return text + (f"{closest}, and its 95% interval reaches the lecture's: that choice, "
                       f"which the lecture does not state, can account for the difference.")
    if abs(best[key]["mean"] - lecture) < abs(base[key]["mean"] - lecture):
        return text + (f"{closest} but does not reach {points(lecture)}: no single choice "
                       f"measured here explains the difference.")
    return text + ("No sound variant moves the number toward the lecture's; nothing measured "
                   "here explains the difference.")


def shared(tables: dict) -> str:
    """What the explanations of the shift measurements share, said once (the report
    prints it before them): what the ablation changes, how often the two fills
    differ, and when a variant is sound."""
    first = next(iter(tables.values()))
    differ, n = first["fills_differ"], first["test_images"]
    fill = (f"rolled around rather than zero-filled (the two differ on {differ['1']} and "
            f"{differ['2']} of the {n} test images at 1 and 2 pixels)"
            if any(differ.values()) else
            "rolled around rather than zero-filled (dropped: no test image tells them apart)")
    widths = " and ".join(f"{points(CLEAN_LECTURE[t['width']])} for {t['width']} units"
                          for t in tables.values() if t["width"] in CLEAN_LECTURE)
    return (f"Each shift measurement is read against its own network's ablation (the tables "
            f"of the shift section, {len(first['seeds'])} seeds each): one choice changed at "
            f"a time from the chosen recipe, each trained variant at its own rate chosen on "
            f"validation. The choices: the input scaling (standardized; raw 0-255, with "
            f"{RAW_DETAIL}), the optimiser, {FEW_EPOCHS} epochs, the width, {BOOK_LABEL} "
            f"({BOOK_DETAIL}), the vacated pixels {fill}, and the direction of the shift. "
            f"A variant is sound while its clean accuracy stays within "
            f"{100 * CLEAN_MARGIN:.0f} point of the lecture's for its width"
            + (f" ({widths})" if widths else "") +
            " or of ours; an unsound one, listed with its clean accuracy, no longer classifies "
            "as the lecture's network does and accounts for nothing.")


def closest(tables: dict, lecture: float, pixels: int = 2) -> dict:
    """Which hypothesis of any width's ablation comes closest to the lecture's number, and
    whether that explains it: a sound variant whose interval reaches the number does."""
    key, found = f"shift{pixels}", []
    for table in tables.values():
        base = next(r for r in table["variants"] if r["key"] == "base")
        for r in table["variants"]:
            if r["key"] == "base":  # the measurement itself, no hypothesis
                continue
            found.append({"width": table["width"], "key": r["key"], "label": r["label"],
                          "ours": r[key]["mean"], "clean": r["clean"]["mean"],
                          "shift1": r["shift1"]["mean"],
                          "sound": sound(r, table["width"], base["clean"]["mean"]),
                          "verdict": verdict("whole_percent", r[key]["per_seed"], lecture)})
    near = min(found, key=lambda f: abs(f["ours"] - lecture))
    sound_ones = [f for f in found if f["sound"]]
    near_sound = min(sound_ones, key=lambda f: abs(f["ours"] - lecture)) if sound_ones else None
    explained = [f for f in sound_ones if f["verdict"] != "differs"]

    def say(f):
        return (f"{f['label']} ({f['width']} hidden units): {points(f['ours'])} at {pixels} px, "
                f"{points(f['shift1'])} at 1 px, {points(f['clean'])} clean")

    text = f"Closest to {points(lecture)} of all hypotheses: {say(near)}" + (
        "." if near["sound"] else ", a network that no longer classifies as the lecture's does.")
    if near_sound and near_sound is not near:
        text += f" Closest of the sound ones: {say(near_sound)}."
    text += (f" Explained by {explained[0]['label']} ({explained[0]['width']} hidden units): "
             f"its 95% interval reaches {points(lecture)}." if explained else
             f" The {points(lecture)} is still unexplained: no sound hypothesis reaches it.")
    return {"closest": near, "closest_sound": near_sound, "explained": bool(explained),
            "statement": text}
