"""A figure's words per edition and its drawing per screen (cnnbook.figure_text,
cnnbook.figure_variants), on small figures: no built book needed."""

from __future__ import annotations

import io
import json
import pickle
import re
import warnings

import matplotlib
import pytest

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402

from cnnbook import figure_text, figure_variants  # noqa: E402
from cnnbook.figures import theme  # noqa: E402
from conftest import REPO  # noqa: E402

CATALOGUE = REPO / "locales" / "ko" / "LC_MESSAGES" / "figures.po"


@pytest.mark.parametrize("text, expected, values", [
    ("padding 1: 30 x 30 x 6", "padding {0}: {1} x {2} x {3}", ["1", "30", "30", "6"]),
    ("6 filters 5 x 5 x 3, stride 1", "{0} filters {1} x {2} x {3}, stride {4}", ["6", "5", "5", "3", "1"]),
    ("test accuracy 99.18%", "test accuracy {0}", ["99.18%"]),
    ("60,000 images", "{0} images", ["60,000"]),
    ("1,2,3", "{0},{1},{2}", ["1", "2", "3"]),
    ("\u22122 and -0.5", "{0} and {1}", ["\u22122", "-0.5"]),
    ("LeNet-5 (1998)", "LeNet-5 ({0})", ["1998"]),
    ("conv2d_1 output", "conv2d_1 output", []),
    ("loss $\\ell(x)$ at 1e-3", "loss {0} at {1}", ["$\\ell(x)$", "1e-3"]),
    ("(7 - 3)/3 + 1 = 2.33", "({0} - {1})/{2} + {3} = {4}", ["7", "3", "3", "1", "2.33"]),
])
def test_a_text_becomes_a_template_and_its_numbers(text, expected, values):
    assert figure_text.template(text) == (expected, values)
    assert figure_text.fill(expected, values) == text


def test_a_translation_takes_the_numbers_in_its_own_order():
    translate = figure_text.Translator({"{0} of {1} correct": "{1}개 중 {0}개 정답"})
    assert translate("98 of 100 correct") == "100개 중 98개 정답"
    assert translate("7 of 12 correct") == "12개 중 7개 정답"
    assert translate("epoch") == "epoch" and translate.missing == {"epoch"}
    assert translate("MNIST 28 x 28") == "MNIST 28 x 28"  # names and numbers need no translation
    assert translate.missing == {"epoch"}


def test_latin_words_outside_names_and_math():
    assert figure_text.latin_words("ReLU와 CNN, LeNet-5의 $x_i$") == []
    assert figure_text.latin_words("R-CNN 속도 (ms)") == []
    assert figure_text.latin_words("test 정확도") == ["test"]


def _figure():
    fig, (left, right) = plt.subplots(1, 2, figsize=(theme.COLUMN_INCHES, 3))
    left.plot([1, 2, 3], label="training")
    left.plot([3, 2, 1], label="validation")
    left.set(title="accuracy per epoch", xlabel="epoch")
    left.legend()
    right.bar(["plain", "residual"], [1, 2])
    right.set_xticks([0, 1], ["plain net", "residual net"])
    right.text(0, 1.5, "stride 2: output 3 x 3")
    fig.tight_layout()
    return fig


KO = {"training": "학습", "validation": "검증", "accuracy per epoch": "에포크별 정확도",
      "epoch": "에포크", "plain net": "일반 신경망", "residual net": "잔차 신경망",
      "plain": "일반", "residual": "잔차", "stride {0}: output {1} x {2}": "스트라이드 {0}: 출력 {1} x {2}"}


def test_every_string_of_a_figure_is_found_and_translated():
    fig = _figure()
    found = figure_text.templates_of([fig])
    assert set(found) == set(KO) - {"plain", "residual"}  # the fixed tick labels replaced them
    translate = figure_text.Translator(KO)
    figure_text.translate_figure(fig, translate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Hangul in the English font: drawn only to make the ticks
        fig.canvas.draw()
    shown = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
    assert "스트라이드 2: 출력 3 x 3" in shown and "일반 신경망" in shown and "학습" in shown
    assert not [w for text in shown for w in figure_text.latin_words(text)]
    assert not translate.missing


def test_a_narrow_variant_fits_a_phone_with_legible_text():
    data, measured = figure_variants.render(_figure(), narrow=True)
    assert measured["width_inches"] <= figure_variants.NARROW_INCHES + 0.03
    assert measured["phone_pt"] >= figure_variants.PHONE_MIN_TEXT_PT
    assert data.startswith(b"\x89PNG")


def test_a_korean_variant_draws_hangul_without_missing_glyphs(recwarn):
    data, measured = figure_variants.render(_figure(), narrow=False, language="ko",
                                            translate=figure_text.Translator(KO))
    assert "에포크" in measured["texts"]
    assert measured["desktop_pt"] >= theme.MIN_TEXT_PT
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_the_theme_keeps_each_figure_it_saves(tmp_path, monkeypatch):
    """What the book's pages save is kept by theme.watch, named as myst-nb names the image."""
    monkeypatch.setenv(theme.LOG_ENV, str(tmp_path / "figure-text.jsonl"))
    theme.use()
    fig = _figure()  # plt.subplots calls theme.watch (the theme's figure.hooks)
    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="png", dpi=2 * theme.PX_PER_INCH)
    entry = json.loads((tmp_path / "figure-text.jsonl").read_text())
    assert entry["stored"]
    stored = pickle.loads((tmp_path / theme.STORE_FOLDER / f"{entry['png']}.pickle").read_bytes())
    assert figure_text.templates_of([stored]) == figure_text.templates_of([fig])
    plt.close("all")


def test_the_figure_catalogue_is_complete_and_keeps_every_placeholder():
    messages = figure_text.read_catalogue(CATALOGUE)
    assert len(messages) >= 50
    from babel.messages.pofile import read_po

    with open(CATALOGUE, encoding="utf8") as stream:
        catalog = read_po(stream)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated, f"figure texts without a translation: {untranslated}"
    for english, korean in messages.items():
        assert sorted(re.findall(r"\{\d+\}", english)) == sorted(re.findall(r"\{\d+\}", korean)), english
        assert not figure_text.latin_words(figure_text.fill(korean, [""] * 20)), (english, korean)


def test_a_page_shows_each_stored_figure_as_a_picture_of_its_variants(tmp_path):
    """The build's hook on a page of the Korean edition: a stored figure becomes a <picture>
    (narrow on a phone, wide and in Korean elsewhere), a figure never stored is left as it was
    and reported; a second build draws nothing again."""
    from types import SimpleNamespace

    fig = _figure()
    (tmp_path / theme.STORE_FOLDER).mkdir()
    (tmp_path / theme.STORE_FOLDER / f"{'a' * 64}.pickle").write_bytes(pickle.dumps(fig))
    plt.close(fig)
    catalogue = tmp_path / "locales" / "ko" / "LC_MESSAGES" / "figures.po"
    catalogue.parent.mkdir(parents=True)
    entries = (f'msgid "{en}"\nmsgstr "{ko}"\n\n' for en, ko in KO.items())
    catalogue.write_text("".join(entries), encoding="utf8")

    def build():
        app = SimpleNamespace(
            outdir=str(tmp_path / "html" / "ko"), confdir=str(tmp_path),
            builder=SimpleNamespace(format="html"),
            config=SimpleNamespace(cnnbook_build_dir=str(tmp_path), language="ko", locale_dirs=["locales"]))
        body = ('<p>x</p><img alt="curves" src="../_images/' + "a" * 64 + '.png" style="width: 591px;" />'
                '<img alt="old" src="../_images/' + "b" * 64 + '.png" />')
        context = {"body": body}
        figure_variants._pictures(app, "book/page", "page.html", context, None)
        return app, context["body"]

    app, body = build()
    assert body.count("<picture") == 1 and f'src="../_images/{"b" * 64}.png"' in body
    assert f'srcset="../_images/{"a" * 64}-ko-narrow.png 2x"' in body
    assert f'src="../_images/{"a" * 64}-ko.png"' in body and "591px" not in body
    assert (tmp_path / "html" / "ko" / "_images" / f"{'a' * 64}-ko-narrow.png").is_file()
    assert app._cnnbook_unstored == {("book/page", "b" * 64)}
    assert app._cnnbook_variants.rendered == 2 and not app._cnnbook_variants.translate.missing
    log = (tmp_path / figure_variants.VARIANT_LOG).read_text(encoding="utf8")
    entries = [json.loads(line) for line in log.splitlines()]
    assert {e["variant"] for e in entries} == {"wide", "narrow"}
    assert all("에포크" in e["texts"] for e in entries)
    app, again = build()
    assert again == body and app._cnnbook_variants.rendered == 0  # from the render cache


@pytest.mark.parametrize("ci", ["", "1"])
def test_a_figure_left_in_english_fails_ci_and_is_reported_locally(ci, monkeypatch):
    from types import SimpleNamespace

    import sphinx.util.logging

    said = {"warning": [], "info": []}
    fake = SimpleNamespace(warning=said["warning"].append, info=said["info"].append)
    monkeypatch.setattr(sphinx.util.logging, "getLogger", lambda name: fake)
    monkeypatch.setenv("CI", ci)
    variants = SimpleNamespace(language="ko", rendered=0, seconds=0.0,
                               translate=SimpleNamespace(missing={"new words"}))
    app = SimpleNamespace(_cnnbook_variants=variants, _cnnbook_unstored={("book/page", "c" * 64)})
    figure_variants._report(app, None)
    problems = said["warning"] if ci else [m for m in said["info"] if m.startswith("WARNING")]
    assert len(problems) == 2 and "shown in English" in problems[0] and "new words" in problems[1]
    assert not said["warning"] or ci
