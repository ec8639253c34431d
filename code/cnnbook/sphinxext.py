"""Sphinx extension for the book build: no stale pages, and every glued number in one file.

1. Execution cache per code version. jupyter-cache keys a notebook on its cells alone, so an
   edit to ``cnnbook`` would leave old outputs on the pages. We point myst-nb's cache at a
   folder named by the package digest and mark every page outdated when the digest changes.
2. Training cache inside the build folder (``_build/cnnbook-cache``) unless the reader set
   ``CNNBOOK_CACHE_DIR``; a fresh clone therefore trains at build time.
3. ``_static/numbers.json``: every value glued on any page, ``{"name": {"value", "page"}}``,
   so tools can check a build and compare two builds.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

from cnnbook.fingerprint import package_digest

CACHE_PREFIX = "cnnbook-"
NUMBERS_FILE = "numbers.json"


def _set_up_caches(app, config) -> None:
    build_dir = Path(app.outdir).resolve().parent
    os.environ.setdefault("CNNBOOK_CACHE_DIR", str(build_dir / "cnnbook-cache"))
    digest = package_digest()[:16]
    app.cnnbook_digest = digest
    base = Path(config.nb_execution_cache_path or build_dir / ".jupyter_cache").resolve()
    if base.name.startswith(CACHE_PREFIX):  # already ours (e.g. a second config-inited)
        base = base.parent
    current = base / f"{CACHE_PREFIX}{digest}"
    if base.is_dir():  # outputs of older package versions can never be used again
        for old in base.glob(f"{CACHE_PREFIX}*"):
            if old != current:
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(current)


def _all_outdated_when_code_changed(app, env, added, changed, removed):
    """Re-read every page when the package changed since the last build."""
    if getattr(env, "cnnbook_digest", None) == app.cnnbook_digest:
        return []
    env.cnnbook_digest = app.cnnbook_digest
    return sorted(env.found_docs - set(added) - set(removed))


def glued_values(app) -> dict[str, dict]:
    """Every glued value of the build, parsed from its text form where it is a literal."""
    from myst_nb.sphinx_ import NbMetadataCollector

    output_folder = Path(app.env.mystnb_config.output_folder)
    numbers = {}
    for docname in sorted(app.env.all_docs):
        if not NbMetadataCollector.get_doc_data(app.env)[docname].get("glue"):
            continue
        glue_file = output_folder.joinpath(*(docname + ".glue.json").split("/"))
        for name, output in json.loads(glue_file.read_text(encoding="utf8")).items():
            text = output.get("data", {}).get("text/plain", "")
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                value = text
            numbers[name] = {"value": value, "page": docname}
    return numbers


def _write_numbers(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    numbers = glued_values(app)
    (static / NUMBERS_FILE).write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")


def setup(app):
    app.connect("config-inited", _set_up_caches)
    app.connect("env-get-outdated", _all_outdated_when_code_changed)
    app.connect("build-finished", _write_numbers)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
