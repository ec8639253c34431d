"""The figures' theme: every figure fits the text column and its text is shown at 10 points or more."""

from __future__ import annotations

import hashlib
import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cnnbook.figures import theme  # noqa: E402  (importing the package applies the theme)


def test_the_theme_is_applied_and_colour_blind_safe():
    assert matplotlib.rcParams["font.size"] >= theme.MIN_TEXT_PT
    for name in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "axes.titlesize"):
        assert matplotlib.rcParams[name] >= theme.MIN_TEXT_PT, name
    colours = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert colours == [c.lower() for c in theme.PALETTE] or colours == list(theme.PALETTE)
    assert min(theme.SMALL, theme.NORMAL, theme.TITLE, theme.LARGE) >= theme.MIN_TEXT_PT


def test_displayed_size():
    # a figure exactly as wide as the column is shown at its natural size: 100 px per inch
    assert theme.displayed_pt(10, theme.COLUMN_INCHES) == pytest.approx(10 * 100 / 96)
    # twice as wide: shrunk to half
    assert theme.displayed_pt(10, 2 * theme.COLUMN_INCHES) == pytest.approx(5 * 100 / 96)
    assert theme.displayed_pt(10, 4, column_px=theme.PHONE_COLUMN_PX) < theme.displayed_pt(10, 4)


def test_a_figure_too_wide_is_fitted_to_the_column():
    fig = plt.figure(figsize=(12, 4))
    assert fig.get_size_inches() == pytest.approx((theme.COLUMN_INCHES, 4 * theme.COLUMN_INCHES / 12))
    narrow = plt.figure(figsize=(3, 2))
    assert narrow.get_size_inches() == pytest.approx((3, 2))
    plt.close("all")


def test_each_saved_png_is_recorded_with_its_smallest_text(tmp_path, monkeypatch):
    log = tmp_path / "figures.jsonl"
    monkeypatch.setenv(theme.LOG_ENV, str(log))
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("a title", fontsize=14)
    ax.text(0.5, 0.5, "small", fontsize=9)
    ax.text(0.5, 0.2, "", fontsize=4)  # empty text is not text
    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="png", dpi=200)
    plt.close(fig)
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    data = buffer.getvalue()
    assert entry["png"] == hashlib.sha256(data).hexdigest()
    assert entry["width_inches"] == pytest.approx(theme.png_width(data) / 200, abs=1e-3)
    assert entry["smallest_pt"] == 9
    assert entry["desktop_pt"] == pytest.approx(theme.displayed_pt(9, entry["width_inches"]), abs=0.01)


def test_png_width_reads_the_header():
    with pytest.raises(ValueError, match="not a PNG"):
        theme.png_width(b"GIF89a....")


def _phone_pt(fig) -> float:
    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="png", dpi=200, bbox_inches="tight")
    plt.close(fig)
    inches = theme.png_width(buffer.getvalue()) / 200
    return theme.displayed_pt(theme.smallest_text(fig), inches, theme.PHONE_COLUMN_PX)


def test_two_panel_plots_read_on_a_phone():
    """Training curves and the ResNet plots stack their two panels, so a 390-pixel phone shows
    their text at 7 points or more (side by side, it would be about 5)."""
    from types import SimpleNamespace

    from cnnbook.figures import curves, resnet

    history = {"loss": [1.0, 0.5], "accuracy": [0.8, 0.9],
               "val_loss": [1.1, 0.6], "val_accuracy": [0.7, 0.85]}
    result = SimpleNamespace(recipe=SimpleNamespace(epochs=2, model="cnn"), history=history)
    by_layer = {"plain": {"c1": 1.0, "c2": 0.1}, "residual": {"c1": 1.0, "c2": 0.9}}
    for fig in (curves.training_curves(result), resnet.compare_training({"a": result, "b": result}),
                resnet.gradient_norm_figure(by_layer, by_layer)):
        assert _phone_pt(fig) >= 7
