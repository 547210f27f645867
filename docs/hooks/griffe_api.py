"""A griffe extension (``mkdocs.yml``: mkdocstrings' ``extensions``): the API pages
show what a user gets, not how the source spells it.

- **True defaults.** A default written as an expression (``hidden=_D["hidden"]``:
  the settings table is the one place a default lives) is shown as its value,
  read from the imported function's signature (``hidden=(100,)``).
- **Public bases only.** A class lists among its bases only those a user can
  import: scikit-learn's, and nnlearn's exported ones (in a package's
  ``__all__``); the private mixins it is built from are left out.
- **Methods of private mixins.** A public method that a class takes from one of
  nnlearn's private mixins (``NeuralNetClassifier.save`` from ``ModelFiles``) is
  shown as the class's own, with its docstring.
- **Inherited public methods.** A class that inherits scikit-learn's public
  methods (``score``, ``get_params``, ``set_params``) gets them as members,
  with scikit-learn's own docstrings, read by inspection of ``sklearn.base``
  (mkdocstrings' ``inherited_members`` alone does not reach into a package that
  is not loaded). Sphinx roles in them (``:ref:`text <target>```) become text.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import re

import griffe

ROLE = re.compile(r":(?:ref|term|class|func|meth|attr|mod):`(?:([^`<]*?)\s*<[^`>]*>|~?([^`]*))`")
#: sklearn's classes whose public methods a subclass inherits
SKLEARN = "sklearn.base"


def _runtime(path: str):
    """The object at a dotted ``path`` (module, then attributes); None when not importable."""
    try:
        return pkgutil.resolve_name(path)
    except (ImportError, AttributeError, ValueError):
        return None


def _is_literal(text: str) -> bool:
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def _true_defaults(func: griffe.Function) -> None:
    written = [p for p in func.parameters
               if p.default is not None and not _is_literal(str(p.default))
               and ("[" in str(p.default) or str(p.default).startswith("_"))]
    if not written:
        return
    target = _runtime(func.path)
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return
    for parameter in written:
        value = signature.parameters.get(parameter.name)
        if value is not None and value.default is not inspect.Parameter.empty:
            parameter.default = repr(value.default)


@functools.cache
def _exported() -> frozenset[str]:
    """The canonical paths of what nnlearn's packages export (their ``__all__``)."""
    import pkgutil

    import nnlearn

    found = set()
    for info in [None, *pkgutil.iter_modules(nnlearn.__path__)]:
        name = "nnlearn" if info is None else f"nnlearn.{info.name}"
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for export in getattr(module, "__all__", ()):
            obj = getattr(module, export, None)
            if inspect.isclass(obj):
                found.add(f"{obj.__module__}.{obj.__qualname__}")
    return frozenset(found)


def _public_bases(cls: griffe.Class) -> None:
    def public(base) -> bool:
        path = getattr(base, "canonical_path", str(base))
        return not path.startswith("nnlearn.") or path in _exported()

    cls.bases = [base for base in cls.bases if public(base)]


@functools.cache
def _sklearn() -> griffe.Module:
    return griffe.inspect(SKLEARN, docstring_parser="numpy")


def _from_mixins(cls: griffe.Class, runtime: type) -> None:
    """Public methods a class takes from nnlearn's private mixins, shown as its own:
    the mixin is left out of the bases, so its methods would be lost with it."""
    for name in dir(runtime):
        if name.startswith("_") or name in cls.members:
            continue
        owner = next((c for c in runtime.__mro__ if name in vars(c)), None)
        path = f"{owner.__module__}.{owner.__qualname__}" if owner else ""
        if not path.startswith("nnlearn.") or path in _exported():
            continue
        source = cls.modules_collection.get_member(f"{path}.{name}")
        if not isinstance(source, griffe.Function):
            continue
        # a copy, numbered after the class's own lines: the page lists members in
        # source order, and the mixin's lines come from another file
        method = griffe.Function(name, parameters=source.parameters, returns=source.returns,
                                 decorators=source.decorators,
                                 lineno=(cls.endlineno or 0) + (source.lineno or 0),
                                 endlineno=(cls.endlineno or 0) + (source.endlineno or 0))
        method.labels |= source.labels
        if source.docstring is not None:
            method.docstring = griffe.Docstring(source.docstring.value, parser="numpy",
                                                parent=method)
        cls.set_member(name, method)


def _inherited(cls: griffe.Class) -> None:
    runtime = _runtime(cls.path)
    if inspect.isclass(runtime) and cls.path.startswith("nnlearn."):
        _from_mixins(cls, runtime)
    if not inspect.isclass(runtime) or not any(
            c.__module__ == SKLEARN for c in runtime.__mro__):
        return
    for name in dir(runtime):
        if name.startswith("_") or name in cls.members:
            continue
        owner = next((c for c in runtime.__mro__ if name in vars(c)), None)
        if owner is None or owner.__module__ != SKLEARN:
            continue
        source = _sklearn().get_member(f"{owner.__qualname__}.{name}")
        if not isinstance(source, griffe.Function):
            continue
        method = griffe.Function(name, parameters=source.parameters, returns=source.returns,
                                 docstring=None)
        if source.docstring is not None:
            text = ROLE.sub(lambda m: m.group(1) or m.group(2), source.docstring.value)
            method.docstring = griffe.Docstring(text, parser="numpy", parent=method)
        method.labels |= {"inherited"}
        cls.set_member(name, method)


class PublicAPI(griffe.Extension):
    """True defaults, public bases, scikit-learn's inherited methods (see the module)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        if pkg.name != "nnlearn":
            return
        self._walk(pkg, seen=set())

    def _walk(self, obj, seen: set) -> None:
        for member in list(obj.members.values()):
            if member.is_alias or id(member) in seen:
                continue
            seen.add(id(member))
            if isinstance(member, griffe.Function):
                _true_defaults(member)
            elif isinstance(member, griffe.Class):
                _public_bases(member)
                _inherited(member)
                self._walk(member, seen)
            elif isinstance(member, griffe.Module):
                self._walk(member, seen)
