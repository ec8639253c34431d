"""Network builders, one module per family, and the registry that finds them by key.

Every module of this package holds builders only: functions that return a fresh, uncompiled
Keras model (the training module compiles it by a recipe). A builder becomes trainable by a
recipe when it is decorated with ``@register("key")``; nothing else needs to list it.

:func:`registered_keys` reads the keys from the modules' source without importing them, so
a :class:`~cnnbook.training.Recipe` can refuse an unknown model cheaply, and :func:`builder`
imports only the module that defines the key asked for.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REGISTRY: dict[str, Callable] = {}


def register(key: str) -> Callable:
    """Decorator: make a builder trainable by a recipe under ``key`` (plain text, for cache keys)."""

    def add(function: Callable) -> Callable:
        known = _REGISTRY.get(key)
        if known is not None and known.__qualname__ != function.__qualname__:
            raise ValueError(f"model key {key!r} is taken by {known.__module__}.{known.__qualname__}")
        _REGISTRY[key] = function
        return function

    return add


def _decorated_keys(tree: ast.Module) -> list[str]:
    """The keys of ``@register("key")`` (or ``@nets.register("key")``) decorators in a module."""
    keys = []
    for node in tree.body:
        for decorator in getattr(node, "decorator_list", []):
            if not (isinstance(decorator, ast.Call) and decorator.args):
                continue
            name = decorator.func.attr if isinstance(decorator.func, ast.Attribute) else getattr(
                decorator.func, "id", None)
            if name == "register" and isinstance(decorator.args[0], ast.Constant):
                keys.append(decorator.args[0].value)
    return keys


@functools.lru_cache(maxsize=1)
def registered_keys() -> dict[str, str]:
    """Every registered key and the module that defines it, read from source (nothing imported)."""
    found: dict[str, str] = {}
    for module in pkgutil.iter_modules([str(PACKAGE_DIR)]):
        tree = ast.parse((PACKAGE_DIR / f"{module.name}.py").read_text(encoding="utf8"))
        for key in _decorated_keys(tree):
            if key in found:
                raise ValueError(f"model key {key!r} is registered in both {found[key]} and {module.name}")
            found[key] = module.name
    return dict(sorted(found.items()))


def check_key(name: str) -> str:
    """``name`` if a builder is registered under it, else a ValueError that lists the keys."""
    known = registered_keys()
    if name not in known:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(known)}")
    return name


def builder(name: str) -> Callable:
    """The builder registered under ``name``, importing only the module that defines it."""
    importlib.import_module(f"{__name__}.{registered_keys()[check_key(name)]}")
    return _REGISTRY[name]


def builders() -> dict[str, Callable]:
    """Every registered builder by key (imports every module of the package)."""
    return {name: builder(name) for name in registered_keys()}


def build(name: str):
    """Build a model by its registered key, with a clear error for an unknown key."""
    return builder(name)()
