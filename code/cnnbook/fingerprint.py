"""Digests of the code behind a result, so caches can tell exactly when a result is stale.

Two caches use them, each at its own boundary:

- a trained model is keyed by :func:`code_digest` of its builder and of the training code:
  the source of those functions and of every function, class and constant of ``cnnbook``
  they use, followed call by call (a figure or a quoted fact that the builder never reads
  does not count);
- an executed page is keyed by :func:`modules_digest` of the ``cnnbook`` modules its cells
  import, followed import by import (:func:`imported_modules`), plus the installed versions.

Kept free of TensorFlow so the Sphinx build can import it cheaply.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import hashlib
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "cnnbook"
PACKAGE_DIR = Path(__file__).resolve().parent


def files_digest(paths: Iterable[Path]) -> str:
    """sha256 over each file's path (within the package) and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p).resolve() for p in paths):
        name = path.relative_to(PACKAGE_DIR).as_posix() if path.is_relative_to(PACKAGE_DIR) else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# ---- code digests: a function and everything of cnnbook it uses --------------------------------


def _ours(value) -> bool:
    """Defined in cnnbook (a function, class or module of the package)."""
    name = getattr(value, "__module__", None) if not isinstance(value, types.ModuleType) else value.__name__
    return isinstance(name, str) and (name == PACKAGE or name.startswith(PACKAGE + "."))


def _constant_text(value) -> str | None:
    """A stable text for a plain data value (numbers, strings, containers of them), else None."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        parts = [_constant_text(v) for v in value]
        return None if None in parts else f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, (set, frozenset)):
        parts = [_constant_text(v) for v in value]
        return None if None in parts else f"{type(value).__name__}({', '.join(sorted(parts))})"
    if isinstance(value, dict):
        parts = [(_constant_text(k), _constant_text(v)) for k, v in value.items()]
        if any(None in pair for pair in parts):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in parts) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        text = repr(value)
        return None if " at 0x" in text else text
    return None


def _unwrapped(value):
    while hasattr(value, "__wrapped__"):
        value = value.__wrapped__
    return value


def _names_used(source: str) -> list[list[str]]:
    """Every dotted name the code reads (``a``, ``a.b.c``), annotations and decorators left out."""
    tree = ast.parse(textwrap.dedent(source))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in node.decorator_list:
                skipped.update(id(n) for n in ast.walk(part))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            skipped.update(id(n) for n in ast.walk(node.returns))
        if isinstance(node, ast.arg) and node.annotation is not None:
            skipped.update(id(n) for n in ast.walk(node.annotation))
        if isinstance(node, ast.AnnAssign):
            skipped.update(id(n) for n in ast.walk(node.annotation))
    chains = []
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            chains.append([node.id, *reversed(parts)])
    return chains


def _meaning(source: str) -> str:
    """The code's syntax tree without its docstrings: what it does, not how it is laid out.

    Comments, line breaks and docstrings decide no result, so rewrapping a builder to fit a
    page, or rewording its docstring, retrains nothing; a changed name, number or call does.
    """
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _uses(value) -> tuple[str, list]:
    """(text that decides the value's behaviour, the cnnbook values it uses)."""
    value = _unwrapped(value)
    source = inspect.getsource(value)
    namespace = (value.__globals__ if isinstance(value, types.FunctionType)
                 else vars(sys.modules[value.__module__]))
    used = []
    for chain in _names_used(source):
        head, *rest = chain
        if head not in namespace or (head in vars(builtins) and namespace.get(head) is vars(builtins)[head]):
            continue
        found, label = namespace[head], f"{value.__module__}:{head}"
        for attr in rest:  # follow cnnbook.x.y as long as it stays in a module of ours
            if not (isinstance(found, types.ModuleType) and _ours(found) and hasattr(found, attr)):
                break
            found, label = getattr(found, attr), f"{found.__name__}:{attr}"
        used.append((label, found))
    return source, used


def code_digest(*objects) -> str:
    """sha256 over the code of ``objects`` (functions or classes of cnnbook) and of everything of
    cnnbook they use, transitively: functions and classes by their syntax tree (:func:`_meaning`),
    constants by value.

    Names are resolved in each function's own module, through attribute chains (``geometry.f``).
    What lies outside cnnbook (Keras, NumPy) is left to the installed versions, which every
    cache key holds beside this digest.
    """
    texts: dict[str, str] = {}
    pending = [(f"{o.__module__}:{o.__qualname__}", o) for o in objects]
    while pending:
        label, value = pending.pop()
        if label in texts:
            continue
        value = _unwrapped(value)
        if isinstance(value, (types.FunctionType, type)) and _ours(value):
            source, used = _uses(value)
            texts[label] = _meaning(source)
            pending.extend(used)
        elif isinstance(value, types.ModuleType) or callable(value) and not _ours(value):
            continue  # a module as a whole, or someone else's function: decided by the versions
        elif isinstance(value, dict) and any(callable(v) for v in value.values()):
            texts[label] = repr(sorted(map(str, value)))  # a table of functions: keys, then each one
            pending.extend((f"{label}[{k}]", v) for k, v in value.items())
        else:
            text = _constant_text(value)
            if text is not None:
                texts[label] = text
    digest = hashlib.sha256()
    for label in sorted(texts):
        digest.update(label.encode() + b"\0" + texts[label].encode() + b"\0")
    return digest.hexdigest()


# ---- page digests: the modules a page imports, and what those import ---------------------------


def module_file(name: str) -> Path | None:
    """The file of module ``name`` (``cnnbook.x.y``) in this package, or None if there is none."""
    if not (name == PACKAGE or name.startswith(PACKAGE + ".")):
        return None
    base = PACKAGE_DIR.joinpath(*name.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports_in(source: str, package: str = "") -> set[str]:
    """The cnnbook modules that ``import`` statements in ``source`` name (anywhere in the code),
    with ``from a import b`` counting ``a.b`` when b is a module."""
    found = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell that is not plain Python: read its import lines alone
        lines = [line.strip() for line in source.splitlines()
                 if line.lstrip().startswith(("import ", "from "))]
        tree = ast.parse("\n".join(line for line in lines if _parses(line)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package that holds the module
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if module_file(name) is not None}


def _parses(line: str) -> bool:
    try:
        ast.parse(line)
    except SyntaxError:
        return False
    return True


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imported_modules(source: str) -> set[str]:
    """Every cnnbook module that running ``source`` can import, followed import by import.

    Importing ``a.b`` runs ``a/__init__.py`` too. The network registry (:mod:`cnnbook.nets`)
    imports a builder's module only when a model is asked for by key, so those modules count
    where a key is named: a registered key written in ``source``, or a run of
    :mod:`cnnbook.runs` (``runs.CNN``) named in ``source`` or in a module it imports.
    """
    modules = _import_closure(_imports_in(source))
    keys = _model_keys(source, modules)
    if keys:
        from cnnbook.nets import registered_keys

        known = registered_keys()
        modules |= _import_closure({f"{PACKAGE}.nets.{known[key]}" for key in keys})
    return modules


def _import_closure(names: Iterable[str]) -> set[str]:
    pending, seen = list(names), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_file(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        pending.extend(_imports_in(path.read_text(encoding="utf8"), package))
        pending.extend(_parents(name))
    return seen


_RUN_NAME = re.compile(r"\bruns\.([A-Z][A-Z0-9_]*)\b|from cnnbook\.runs import ([\w, ]+)")


def _model_keys(source: str, modules: set[str]) -> set[str]:
    """The registered model keys that ``source`` names, directly or through the runs it uses."""
    from cnnbook.nets import registered_keys

    known = registered_keys()
    try:
        strings = {node.value for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    except SyntaxError:
        strings = set(re.findall(r"[\"']([a-z0-9_]+)[\"']", source))
    keys = strings & set(known)
    texts = [source] + [module_file(name).read_text(encoding="utf8") for name in modules]
    runs = set()
    for text in texts:
        for attribute, imported in _RUN_NAME.findall(text):
            runs.update([attribute] if attribute else [n.strip() for n in imported.split(",")])
    return keys | _run_keys(runs, set(known))


def _run_keys(names: set[str], known: set[str]) -> set[str]:
    """The model keys of the named runs in cnnbook/runs.py (read from source, through the names
    a run refers to, e.g. ``HEADLINE = {"cnn": CNN, ...}``)."""
    path = module_file(f"{PACKAGE}.runs")
    if path is None:
        return set()
    values = {}
    for node in ast.parse(path.read_text(encoding="utf8")).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
    keys, pending, seen = set(), [n for n in names if n in values], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(values[name]):
            if isinstance(node, ast.Constant) and node.value in known:
                keys.add(node.value)
            elif isinstance(node, ast.Name) and node.id in values:
                pending.append(node.id)
    return keys


_CODE_CELL = re.compile(r"^(`{3,}|~{3,})\{code-cell\}[^\n]*\n(.*?)^\1\s*$", re.S | re.M)


def page_code(text: str) -> str:
    """The code of a MyST notebook's code cells; cell options (a ``---`` block or ``:key:``
    lines) and IPython magics left out."""
    cells = []
    for match in _CODE_CELL.finditer(text):
        lines = match.group(2).splitlines()
        if lines and lines[0].strip() == "---":  # a YAML block of options
            end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
            lines = lines[end + 1 :]
        cells.append("\n".join(line for line in lines if not line.startswith((":", "%", "!"))))
    return "\n".join(cells)


def modules_digest(names: Iterable[str]) -> str:
    """Digest of the files of the named cnnbook modules."""
    return files_digest(module_file(name) for name in set(names))


#: Installed distributions whose upgrade can change what a page shows (numbers, figures, tables).
OUTPUT_DISTRIBUTIONS = ("tensorflow-cpu", "tensorflow", "keras", "numpy", "matplotlib", "pandas",
                        "myst-nb", "jupyter-book")


def installed_versions() -> dict[str, str]:
    """Python's and each installed output-deciding distribution's version ("-" when absent)."""
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in OUTPUT_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return versions


def versions_digest() -> str:
    """Digest of the installed versions that decide what a page shows."""
    digest = hashlib.sha256()
    for name, version in sorted(installed_versions().items()):
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def page_digest(page_text: str, versions: str | None = None) -> str:
    """What an executed page depends on: the cnnbook modules its code imports, and the versions."""
    modules = imported_modules(page_code(page_text))
    digest = hashlib.sha256((versions or versions_digest()).encode())
    digest.update(modules_digest(modules).encode())
    return digest.hexdigest()
