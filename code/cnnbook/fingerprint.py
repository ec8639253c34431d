"""Digests of source files, so caches can tell when the code behind a result has changed.

Kept free of TensorFlow so the Sphinx build can import it cheaply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def files_digest(paths: Iterable[Path]) -> str:
    """sha256 over each file's name and bytes, in sorted order (renames count as changes)."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def package_digest() -> str:
    """Digest of every Python file in the cnnbook package."""
    return files_digest(PACKAGE_DIR.rglob("*.py"))


def modules_digest(*names: str) -> str:
    """Digest of the named modules of the package (e.g. ``"models"``)."""
    return files_digest(PACKAGE_DIR / f"{name}.py" for name in names)


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


def build_digest() -> str:
    """The package's digest plus the installed versions: executed pages are valid for exactly this."""
    digest = hashlib.sha256(package_digest().encode())
    for name, version in sorted(installed_versions().items()):
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()
