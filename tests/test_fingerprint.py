"""The caches' boundaries: what an edit to the package retrains, and which pages it re-executes.

The model tests edit a copy of the package and ask a fresh Python process for every model's
code digest (the part of the training cache key that comes from code), so they test exactly
what a rebuild after that edit would see. The page tests read the book's own chapters.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnnbook import fingerprint

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "code" / "cnnbook"
DIGESTS = ("import json; from cnnbook import nets, training; "
           "print(json.dumps({k: training.model_code_digest(k) for k in nets.registered_keys()}))")


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(PACKAGE, root / "cnnbook", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _edit(root: Path, module: str, old: str, new: str) -> None:
    path = root / "cnnbook" / module
    text = path.read_text()
    assert old in text, f"{old!r} is not in {module} any more: update this test"
    path.write_text(text.replace(old, new, 1))


def _digests(*roots: Path) -> list[dict[str, str]]:
    """Every model's code digest in each copy, computed by processes running side by side."""
    processes = [subprocess.Popen([sys.executable, "-c", DIGESTS], stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(root)}) for root in roots]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes)
    return [json.loads(output) for output in outputs]


#: Each kind of edit: (module, text, replacement), applied to a copy of the package.
EDITS = {
    "figures": [
        ("figures/resnet.py", "def block_diagram():", "def block_diagram():  # edited"),
        ("figures/theme.py", 'GRID = "0.75"', 'GRID = "0.7"'),
        ("figures/boxes.py", '"""Milliseconds per image', '"""Edited: milliseconds per image'),
    ],
    "fact text": [("facts.py", "every C3 filter reads every S2 map", "each C3 filter reads all S2 maps")],
    "lenet5": [("nets/classic.py", 'layers.Dense(84, activation=act',
                'layers.Dense(86, activation=act')],
    "layout": [
        ("nets/classic.py", '"""LeNet-5 on MNIST:', '"""Reworded. LeNet-5 on MNIST:'),
        ("nets/classic.py", 'layers.Dense(84, activation=act, name="F6"),',
         'layers.Dense(  # a comment, and the call split over lines\n'
         '                84, activation=act, name="F6"\n            ),'),
    ],
    "residual helper": [("nets/residual.py", "kernel_initializer=init, use_bias=not batch_norm",
                         "kernel_initializer=init, use_bias=False")],
    "dropout fact": [("facts.py", "ALEXNET_DROPOUT = 0.5", "ALEXNET_DROPOUT = 0.4")],
    "training step": [("training.py", "dataset.batch(batch_size).prefetch(2)",
                       "dataset.batch(batch_size).prefetch(3)")],
}


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """The model digests of the package as it is, and of copies with one kind of edit each."""
    tmp = tmp_path_factory.mktemp("edits")
    roots = {"original": _copy(tmp, "original")}
    for kind, edits in EDITS.items():
        roots[kind] = _copy(tmp, kind.replace(" ", "_"))
        for module, old, new in edits:
            _edit(roots[kind], module, old, new)
    return dict(zip(roots, _digests(*roots.values())))


def _retrained(edited, edit: str) -> set[str]:
    return {key for key, digest in edited[edit].items() if digest != edited["original"][key]}


def test_the_digests_are_those_of_this_process(edited):
    from cnnbook import nets, training

    assert edited["original"] == {key: training.model_code_digest(key) for key in nets.registered_keys()}


def test_a_figure_edit_retrains_nothing(edited):
    assert _retrained(edited, "figures") == set()


def test_editing_the_text_of_a_quoted_fact_retrains_nothing(edited):
    assert _retrained(edited, "fact text") == set()


def test_an_edit_to_a_builder_retrains_that_model_only(edited):
    assert _retrained(edited, "lenet5") == {"lenet5"}


def test_a_docstring_comment_or_layout_edit_retrains_nothing(edited):
    """Rewrapping a builder to fit a page, or rewording its docstring, decides no result."""
    assert _retrained(edited, "layout") == set()


def test_an_edit_to_a_helper_retrains_the_models_that_call_it(edited):
    with_norm = {f"bn_{kind}_{depth}" for kind in ("plain", "residual") for depth in ("shallow", "deep")}
    assert _retrained(edited, "residual helper") == {"plain_deep", "residual_deep", "plain_shallow",
                                                     *with_norm}


def test_a_fact_a_builder_reads_retrains_its_models(edited):
    assert _retrained(edited, "dropout fact") == {"alexnet_small", "alexnet_small_tanh"}


def test_an_edit_to_the_training_steps_retrains_every_model(edited):
    assert _retrained(edited, "training step") == set(edited["original"])


# ---- code digests, in this process -------------------------------------------------------------


def test_code_digest_is_stable_and_follows_constants():
    from cnnbook.nets import lecture

    first = fingerprint.code_digest(lecture.lecture_cnn)
    assert first == fingerprint.code_digest(lecture.lecture_cnn)
    assert first != fingerprint.code_digest(lecture.lecture_mlp)


def test_constant_texts_are_stable():
    text = fingerprint._constant_text
    assert text(frozenset({"b", "a"})) == text(frozenset({"a", "b"}))
    assert fingerprint._constant_text({"x": (1, 2.5)}) == "{'x': tuple(1, 2.5)}"
    assert fingerprint._constant_text(object()) is None


# ---- pages: which cnnbook modules a page depends on ----------------------------------------------


def _page_modules(name: str) -> set[str]:
    text = (REPO / "book" / f"{name}.md").read_text(encoding="utf8")
    return fingerprint.imported_modules(fingerprint.page_code(text))


def test_a_page_depends_on_what_it_imports_and_what_that_imports():
    output_size = _page_modules("output_size")
    assert {"cnnbook.geometry", "cnnbook.figures.diagrams", "cnnbook.figures.theme"} <= output_size
    assert "cnnbook.data" not in output_size and "cnnbook.training" not in output_size
    assert "cnnbook.geometry" not in _page_modules("data")


def test_a_page_that_trains_depends_on_the_builders_of_its_runs_only():
    softmax = _page_modules("softmax")
    assert {"cnnbook.training", "cnnbook.runs", "cnnbook.nets", "cnnbook.nets.lecture"} <= softmax
    assert not {"cnnbook.nets.residual", "cnnbook.nets.rcnn", "cnnbook.figures.diagrams"} & softmax
    assert "cnnbook.nets.residual" in _page_modules("resnet")
    assert "cnnbook.nets.rcnn" in _page_modules("rcnn")


def test_run_names_lead_to_their_model_keys():
    known = {"softmax", "mlp", "cnn", "lenet5"}
    assert fingerprint._run_keys({"HEADLINE"}, known) == {"softmax", "mlp", "cnn"}
    assert fingerprint._run_keys({"SEED"}, {"cnn"}) == set()


def test_page_code_leaves_out_cell_options_and_markdown():
    text = ("# Title\n\nimport geometry in prose\n\n```{code-cell} ipython3\n---\n"
            "tags: [hide-input]\nmystnb:\n  figure:\n    caption: x\n---\n"
            "from cnnbook import geometry\n%matplotlib inline\n```\n")
    assert fingerprint.page_code(text).strip() == "from cnnbook import geometry"
    assert fingerprint.imported_modules(fingerprint.page_code(text)) >= {"cnnbook", "cnnbook.geometry"}


def test_a_geometry_edit_changes_the_digest_of_the_pages_that_use_it(tmp_path, monkeypatch):
    root = _copy(tmp_path, "pkg")
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", root / "cnnbook")
    pages = {name: (REPO / "book" / f"{name}.md").read_text(encoding="utf8")
             for name in ("output_size", "conv_by_hand", "data", "intro")}
    before = {name: fingerprint.page_digest(text, "versions") for name, text in pages.items()}
    _edit(root, "geometry.py", '"""numerator/denominator rounded', '"""Edited: numerator/denominator rounded')
    after = {name: fingerprint.page_digest(text, "versions") for name, text in pages.items()}
    changed = {name for name in pages if before[name] != after[name]}
    assert changed == {"output_size", "conv_by_hand"}
    assert fingerprint.page_digest(pages["data"], "other versions") != after["data"], "versions count"
