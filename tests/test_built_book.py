"""The built HTML: the headline numbers are there and meet the targets; no page shows an error.

Run after `make book` (`make test` builds first). These tests read _build/html.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import BUILT_HTML, REPO

pytestmark = pytest.mark.built_book
#: Pages that are not chapters, so they end without a summary and exercises.
BACK_MATTER = {"intro", "glossary", "findings", "references", "status", "contributing"}


def toc_pages() -> list[str]:
    """Every page of _toc.yml, in order (the book's own list, so a new chapter is checked too)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return [name.split("/")[-1] for name in files]


CHAPTERS = toc_pages()


def test_the_toc_lists_the_foundation_chapters():
    assert {"data", "softmax", "mlp", "cnn_intro", "output_size", "pooling", "cnn_mnist"} <= set(CHAPTERS)


@pytest.fixture(scope="module")
def numbers():
    path = BUILT_HTML / "_static" / "numbers.json"
    assert path.is_file(), f"{path} is missing: build the book first (make book)"
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def pages():
    found = {name: BUILT_HTML / "book" / f"{name}.html" for name in CHAPTERS}
    missing = [str(p) for p in found.values() if not p.is_file()]
    assert not missing, f"pages missing, build the book first (make book): {missing}"
    return {name: path.read_text(encoding="utf8") for name, path in found.items()}


def test_headline_numbers(numbers):
    assert numbers["mlp_params"] == {"value": 3_432_970, "page": "book/mlp"}
    assert numbers["cnn_params"] == {"value": 356_234, "page": "book/cnn_mnist"}
    assert numbers["mlp_test_accuracy"]["value"] >= 0.98
    assert numbers["cnn_test_accuracy"]["value"] >= 0.99
    assert 0.90 <= numbers["softmax_test_accuracy"]["value"] < numbers["mlp_test_accuracy"]["value"]
    for name in ("softmax_test_accuracy", "mlp_test_accuracy", "cnn_test_accuracy"):
        assert 0 <= numbers[name]["value"] <= 1, "accuracies are fractions"


def test_the_rcnn_family_numbers(numbers):
    """Issue 12's glue: the three detectors' mAP, the RPN's recall, the measured speed-up."""
    for name in ("fast_rcnn_map", "faster_rcnn_map", "rpn_recall", "fast_rcnn_map_07", "faster_rcnn_map_07"):
        assert numbers[name]["page"] == "book/rcnn"
        assert 0 <= numbers[name]["value"] <= 1
    assert numbers["rcnn_many"]["value"] == 2000
    # a timing on a shared machine: held to a third of what the multiply-adds predict, not to a
    # fixed number (the page's finding rcnn_many_speedup_vs_macs says the same)
    predicted = numbers["rcnn_macs_predicted"]["value"]
    assert numbers["rcnn_many_speedup"]["value"] >= predicted / 3, "Fast R-CNN at 2,000 boxes"
    assert numbers["fast_rcnn_map"]["value"] >= 0.8 and numbers["rpn_recall"]["value"] >= 0.8


def test_glued_accuracies_appear_on_their_pages(numbers, pages):
    for name in ("mlp_test_accuracy", "cnn_test_accuracy", "softmax_test_accuracy"):
        entry = numbers[name]
        text = f"{entry['value']:.2%}"
        assert text in pages[entry["page"].split("/")[-1]], f"{name} = {text} not on its page"


BEYOND_NUMBERS = ("beyond_fast_seconds", "beyond_fast_test_accuracy", "beyond_fast_speedup",
                  "beyond_best_single_test_accuracy", "beyond_ensemble_test_accuracy",
                  "beyond_training_seconds_total")


def test_beyond_99_numbers(numbers):
    """Part III's headline numbers are glued, and are what they claim to be."""
    missing = [name for name in BEYOND_NUMBERS if name not in numbers]
    assert not missing, f"not glued: {missing}"
    value = {name: numbers[name]["value"] for name in BEYOND_NUMBERS}
    for name in ("beyond_fast_test_accuracy", "beyond_best_single_test_accuracy",
                 "beyond_ensemble_test_accuracy"):
        assert 0.99 <= value[name] <= 1, name
    assert value["beyond_fast_speedup"] > 1, "the quick recipe must be quicker than the lecture's"
    assert 0 < value["beyond_fast_seconds"] < value["beyond_training_seconds_total"]
    assert numbers["beyond_fast_seconds"]["page"] == "book/how_fast_how_far"


def test_every_glued_number_is_in_the_file(numbers):
    assert len(numbers) >= 40
    assert all(set(entry) == {"value", "page"} for entry in numbers.values())


def test_no_page_shows_an_error_or_chatter(pages):
    for name, html in pages.items():
        # TensorFlow's start-up notices ("oneDNN custom operations are on"), not the name oneDNN:
        # the pages name it where they say which kernels a build ran (cnnbook.machine)
        for bad in ("Traceback (most recent call last)", "absl::InitializeLog", "oneDNN custom operations",
                    "oneDNN supports", "DT_INT64",
                    'class="output stderr"', 'class="output traceback"', "progbar"):
            assert bad not in html, f"{name}: {bad!r}"
        assert not re.search(r"\d+/\d+ \[=+", html), f"{name}: progress bar debris"


def test_every_chapter_has_a_summary_and_exercises(pages):
    for name, html in pages.items():
        if name in BACK_MATTER:
            continue
        assert 'id="exercises"' in html and ("id=\"summary\"" in html or name == "summary"), name


def test_case_study_errors_are_glued_on_their_pages(numbers):
    """LeNet-5's test error and ResNet's four training errors with batch normalisation (issue
    12): present, on their chapters, and fractions. Their targets are reported, not asserted."""
    names = {"lenet_test_error": "book/lenet"}
    for kind in ("plain", "residual"):
        for depth in ("shallow", "deep"):
            names[f"resnet_bn_{kind}_{depth}_train_error"] = "book/resnet"
    for name, page in names.items():
        assert numbers[name]["page"] == page, name
        assert 0 <= numbers[name]["value"] < 1, f"{name} is an error rate, a fraction"
