"""Tables for people: how a value is shown changes, never the value itself."""

from __future__ import annotations

import pandas as pd
import pytest

from cnnbook import runs, tables
from cnnbook.training import Recipe, Result


def test_a_recipe_is_one_row_per_setting():
    table = tables.recipe_table(runs.CNN)
    assert list(table.columns) == ["value"]
    assert table.index.name is None, "no header row of its own for the settings"
    header = table.to_html().split("<tbody>")[0]
    assert header.count("<tr") == 1 and "<th>setting</th>" in header and "<th>value</th>" in header
    assert table.loc["model", "value"] == "cnn"
    assert table.loc["epochs", "value"] == str(runs.CNN.epochs)
    assert table.loc["learning_rate", "value"] == "0.001", "not cut off, no trailing zeros"
    assert table.loc["watch_test", "value"] == "yes"
    assert table.loc["train_size", "value"] == "all"
    assert len(table) == len(Recipe.__dataclass_fields__)


def test_several_recipes_side_by_side():
    table = tables.recipe_table(runs.RESNET_RUNS)
    assert list(table.columns) == list(runs.RESNET_RUNS)
    sizes = {f"{recipe.train_size:,}" for recipe in runs.RESNET_RUNS.values()}
    assert set(table.loc["train_size"]) == sizes
    assert all("," in size for size in sizes if len(size) > 3), "thousands separators"


def test_only_recipes_make_a_recipe_table():
    with pytest.raises(TypeError):
        tables.recipe_table({"a": {"epochs": 5}})


def test_readable_puts_the_index_name_in_the_one_header_row():
    frame = pd.DataFrame({"layer": ["dense", "out"], "parameters": [262272, 5130]}).set_index("layer")
    html = tables.readable(frame).to_html()
    assert html.count("<tr>") == 1 + len(frame), "one header row, then the rows"
    assert "262,272" in html and "5,130" in html
    assert frame.index.name == "layer", "the caller's frame is left alone"


def test_readable_hides_a_default_index_and_applies_formats():
    frame = pd.DataFrame({"name": ["a", "b"], "share": [0.5, 0.125]})
    html = tables.readable(frame, {"share": "{:.1%}"}).to_html()
    assert "50.0%" in html and "12.5%" in html
    assert "row_heading" not in html, "0, 1 say nothing: hidden"


def test_a_training_log_reads_as_the_prose_quotes_it():
    result = Result(recipe=runs.CNN, key="k", model=None, test_loss=0.1, test_accuracy=0.99,
                    seconds_per_epoch=[12.3456, 11.01],
                    history={"loss": [0.21234, 0.1], "accuracy": [0.9220, 0.95],
                             "test_accuracy": [0.97, 0.98]})
    html = tables.log_table(result).to_html()
    for shown in ("92.20%", "95.00%", "97.00%", "12.3", "11.0", "0.2123"):
        assert shown in html, shown
    assert "12.3456" not in html and "0.9220" not in html
    assert html.count("<tr>") == 1 + 2
