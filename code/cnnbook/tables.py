"""Tables for people: the pages' tables as a reader scans them, not as pandas prints them.

A repr such as ``Recipe(model='cnn', epochs=5, ...)`` runs off the side of the page; a raw
DataFrame shows accuracy as 0.9220 where the prose says 92.20%, seconds to four decimals,
262272 without a thousands separator, and an extra header row holding only the index name.
These helpers change how a value is shown, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass

import pandas as pd
from pandas.io.formats.style import Styler

#: Room around each cell's text: without it, neighbouring numbers run together ("325 1").
CELL_PADDING = "padding: 0.25em 0.6em;"
#: How a training log shows its columns, by the end of the column's name.
LOG_FORMATS = {"accuracy": "{:.2%}", "loss": "{:.4f}", "seconds": "{:.1f}"}


def _setting(name: str, value) -> str:
    """One setting as a reader says it: 10,000 not 10000, 0.001 not 0.0010, yes/no for flags."""
    if value is None:
        return "all" if name == "train_size" else "none"  # train_size=None: the whole set
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def recipe_table(recipes) -> pd.DataFrame:
    """A training recipe as a (setting, value) table, one row per setting.

    Readers compare settings down a column; a repr puts them on one line that runs off the
    page. ``recipes`` is one recipe (the column is "value") or a mapping of labels to recipes
    (one column per label, as for runs that differ in one setting).
    """
    runs = recipes if isinstance(recipes, Mapping) else {"value": recipes}
    columns = {}
    for label, recipe in runs.items():
        if not is_dataclass(recipe):
            raise TypeError(f"not a recipe: {recipe!r}")
        columns[label] = {f.name: _setting(f.name, getattr(recipe, f.name)) for f in fields(recipe)}
    # The word sits in the one header row, above the settings (an index name would add a row).
    return pd.DataFrame(columns).rename_axis(columns="setting")


def readable(frame: pd.DataFrame, formats: Mapping[str, str] | str | None = None) -> Styler:
    """``frame`` styled for reading: thousands separators, no header row of its own for the index.

    A named index would get a header row of its own, empty but for the name; the name moves
    into the one header row instead, above the index. A default index (0, 1, 2, ...) says
    nothing and is hidden. ``formats`` (one format string, or one per column) sets decimals
    and percentages. Cells are padded and text is escaped, as in pandas' own HTML.
    """
    named = frame.index.name is not None
    if named:
        frame = frame.rename_axis(index=None, columns=frame.index.name)
    styler = (
        frame.style.format(thousands=",", precision=4, escape="html")
        .format_index(escape="html", axis=0)
        .set_table_attributes('class="dataframe"')  # the theme's look for pandas tables
        .set_table_styles([{"selector": "th, td", "props": CELL_PADDING}])
    )
    if not named and isinstance(frame.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    if formats is not None:
        styler = styler.format(formats)
    return styler


def log_table(result) -> Styler:
    """A training run's log, one row per epoch: accuracy in %, as the prose quotes it;
    costs to four decimals; seconds to one (timings vary more than that between runs)."""
    frame = pd.DataFrame(result.epochs_table).set_index("epoch")
    formats = {
        column: style
        for column in frame.columns
        for ending, style in LOG_FORMATS.items()
        if column.endswith(ending)
    }
    return readable(frame, formats)
