"""The API reference shows what a user gets (docs/hooks/griffe_api.py), checked on the
objects mkdocstrings renders, without building the site: griffe loads nnlearn with the
site's extension, as ``mkdocs build`` does.

- true defaults (the settings table's values, never ``_D["hidden"]``);
- public bases only, and scikit-learn's inherited ``score``/``get_params``/``set_params``;
- every parameter of the estimator's public methods described.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path


import griffe  # the docs extra, part of the test extra: without it this fails, not skips
from docs_helpers import hook

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _package():
    extensions = griffe.load_extensions(hook("griffe_api").PublicAPI())
    return griffe.load("nnlearn", search_paths=[str(ROOT / "src")], extensions=extensions,
                       docstring_parser="numpy")


def _estimator():
    return _package()["estimator.estimator.NeuralNetClassifier"]


def _described(doc) -> dict[str, str]:
    return {p.name.lstrip("*"): p.description for section in (doc.parsed if doc else [])
            if section.kind.value in ("parameters", "other parameters") for p in section.value}


def test_the_estimator_shows_the_settings_tables_defaults():
    from nnlearn import NeuralNetClassifier

    shown = {p.name: p.default for p in _estimator().members["__init__"].parameters
             if p.name != "self"}
    real = inspect.signature(NeuralNetClassifier).parameters
    assert set(shown) == set(real)
    for name, default in shown.items():
        assert "_D" not in str(default), name
        assert str(default) == repr(real[name].default), name


def test_the_estimator_has_public_bases_and_sklearns_public_methods():
    cls = _estimator()
    assert [str(b) for b in cls.bases] == ["ClassifierMixin", "BaseEstimator"]
    for name in ("score", "get_params", "set_params"):
        method = cls.members[name]
        assert method.is_function and "inherited" in method.labels, name
        assert method.docstring and ":ref:" not in method.docstring.value, name
    assert "deep" in _described(cls.members["get_params"].docstring)


def test_methods_of_the_estimators_private_mixins_are_shown_as_its_own_after_the_rest():
    cls = _estimator()
    for name in ("save", "load"):  # from estimator.persistence.ModelFiles, a private base
        method = cls.members[name]
        assert method.is_function and "path" in _described(method.docstring), name
    assert "classmethod" in cls.members["load"].labels
    order = sorted((m.lineno or 0, n) for n, m in cls.members.items() if m.is_function)
    assert [n for _, n in order][-2:] == ["save", "load"]


def test_every_parameter_of_the_estimators_public_methods_is_described():
    cls = _estimator()
    blank = []
    for name, member in cls.members.items():
        if (name.startswith("_") and name != "__init__") or not member.is_function:
            continue
        described = _described(cls.docstring if name == "__init__" else member.docstring)
        blank += [f"{name}({p.name})" for p in member.parameters
                  if p.name not in ("self", "cls") and not (described.get(p.name) or "").strip()]
    assert blank == []
