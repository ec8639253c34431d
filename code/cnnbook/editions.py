"""The book's editions in other languages (the Korean edition): what Sphinx's gettext needs more.

Sphinx translates a page by parsing each translated message (``locales/<lang>/LC_MESSAGES``) on
its own and putting the result in place of the English paragraph. Four things then need help:

1. **Glued values in translated text.** myst-nb parses the translated message with the plain
   MyST parser, without the notebook the page was executed from, so ``{glue:text}`key``` found
   no glue data ("No key ... found in glue data for this document") and the value vanished from
   the translated paragraph. :class:`TranslatedPasteText` (and :class:`TranslatedPasteAny` for
   ``{glue}``) turn such a role into a reference to the page's own glue data, which myst-nb's
   cross-document glue (the ``path::key`` form) resolves after the page is read: the value is
   formatted by the same function, with the same format spec, as on the English page.
2. **Korean search.** Sphinx has no Korean search language: words were indexed as written, so
   a particle kept 합성곱을 apart from 합성곱. :class:`SearchKorean` indexes a Korean word also
   without its particle (English words are stemmed as in the English edition).
3. **A link to the other edition** on every page: ``cnnbook_other_editions`` lists each as
   ``[label, language, path from this edition's root to that one's]``; the template
   ``book/_templates/language-switch.html`` shows the links that :func:`_counterparts` computes.
4. **The parts' captions** ("Part I: The baseline"): sphinx-external-toc inserts the toctrees
   of ``_toc.yml`` after Sphinx has translated the page, so the gettext builder extracts their
   captions (into the root page's catalogue) but nothing translated them. A transform after
   the insertion does (:class:`TranslatedTocCaptions`).

``python -m cnnbook.editions ko`` (``make book``, after the English edition) builds the Korean
edition from the same sources into ``_build/html/ko``: Jupyter Book's configuration, Sphinx's
``language`` set, and the caches of ``_build`` shared (``cnnbook_build_dir``), so that every
page takes its outputs from the execution cache the English build filled: nothing runs again.
It reads every page afresh (no environment of its own that could lag behind a page the English
build re-executed). ``python -m cnnbook.editions gettext DIR`` extracts the English messages
(``DIR/<page>.pot``) without executing anything.
"""

from __future__ import annotations

import gettext
import re
import shutil
import sys
import time
from pathlib import Path

from myst_nb.ext.glue.roles import PasteRoleAny, PasteTextRole
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.locale import translators
from sphinx.search.en import SearchEnglish
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import CatalogRepository, docname_to_domain


def _own_page(role) -> str | None:
    """The page being read, as a ``path::`` prefix, when ``role`` runs in a translated message
    (a document without the notebook: no ``nb_renderer``), else None."""
    document = role.document
    env = getattr(document.settings, "env", None)
    if env is None or "nb_renderer" in document or "::" in role.text:
        return None
    return "/" + Path(env.doc2path(env.docname, False)).as_posix()


class TranslatedPasteText(PasteTextRole):
    """``{glue:text}`key:spec``` that also works in a translated message (see 1. above)."""

    def run(self):
        page = _own_page(self)
        if page is not None:
            # myst-nb splits the spec off at the last ':', so a reference needs one ("s": as is)
            self.text = f"{page}::{self.text}" + ("" if ":" in self.text else ":s")
        return super().run()


class TranslatedPasteAny(PasteRoleAny):
    """``{glue}`key``` that also works in a translated message (see 1. above)."""

    def run(self):
        page = _own_page(self)
        if page is not None:
            self.text = f"{page}::{self.text}"
        return super().run()


#: Korean particles (조사) and the copula, longest first: 합성곱을, 풀링에서, 특징 맵이다 ...
PARTICLES = tuple(sorted(
    "이다 입니다 이며 이고 에서는 에서 에게 으로는 으로 로는 로 까지 부터 보다 처럼 마다 만큼 "
    "과 와 을 를 은 는 이 가 의 에 도 만".split(), key=len, reverse=True))
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def without_particle(word: str) -> str | None:
    """``word`` without a trailing particle, when a Korean word of two syllables or more remains
    (합성곱을 -> 합성곱, 풀링에서 -> 풀링; 깊이, 값 stay as they are: None)."""
    for particle in PARTICLES:
        stem = word[: -len(particle)]
        if word.endswith(particle) and len(stem) >= 2 and _HANGUL.fullmatch(stem[-1]):
            return stem
    return None


class SearchKorean(SearchEnglish):
    """Korean words as written and without their particle; other words as in English."""

    lang = "ko"
    language_name = "Korean"

    def split(self, input: str) -> list[str]:
        words = super().split(input)
        return words + [stem for word in words if (stem := without_particle(word))]


class TranslatedTocCaptions(SphinxTransform):
    """Translate the captions of the toctrees sphinx-external-toc inserted (see 4. above)."""

    default_priority = 101  # after sphinx_external_toc's InsertToctrees (100)

    def apply(self, **kwargs) -> None:
        toctrees = [node for node in self.document.findall(addnodes.toctree) if node.get("rawcaption")]
        if not toctrees or not self.config.language:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        folders = [str(Path(self.env.srcdir, folder)) for folder in self.config.locale_dirs]
        catalog, found = init_locale(folders, self.config.language, domain)
        if not found:
            return
        for node in toctrees:
            caption = node["rawcaption"]
            if (translated := catalog.gettext(caption)) != caption:
                node.apply_translated_message(caption, translated)


def _theme_catalogue(app) -> None:
    """The theme's buttons in the edition's language: ``locales/<lang>/LC_MESSAGES/booktheme.po``
    first, then sphinx-book-theme's own translation (whose Korean lacks some buttons, and
    gives "By" as a particle and "Fullscreen mode" without its space)."""
    language = app.config.language
    if not language or language.startswith("en"):
        return
    # Sphinx compiles only its own catalogue this early (the pages' later, too late here)
    repo = CatalogRepository(app.srcdir, app.config.locale_dirs, language, "utf-8")
    for catalogue in repo.catalogs:
        if catalogue.domain == "booktheme":
            if catalogue.is_outdated():
                catalogue.write_mo(language)
            with open(catalogue.mo_path, "rb") as stream:
                ours = gettext.GNUTranslations(stream)
            ours.add_fallback(translators["general", "booktheme"])
            translators["general", "booktheme"] = ours


def _counterparts(app, pagename, templatename, context, doctree) -> None:
    """``cnnbook_counterparts``: (label, language, url) of this page in each other edition."""
    up = "../" * pagename.count("/")
    context["cnnbook_counterparts"] = [
        (label, language, f"{up}{root}{pagename}.html")
        for label, language, root in app.config.cnnbook_other_editions
    ]


def setup(app):
    app.setup_extension("myst_nb")
    app.add_role_to_domain("glue", "text", TranslatedPasteText(), override=True)
    app.add_role_to_domain("glue", "any", TranslatedPasteAny(), override=True)
    app.add_role_to_domain("glue", "", TranslatedPasteAny(), override=True)
    app.add_role("glue", TranslatedPasteAny(), override=True)
    app.add_search_language(SearchKorean)
    app.add_transform(TranslatedTocCaptions)
    app.setup_extension("cnnbook.glossary_order")  # a translated glossary in its headwords' order
    app.setup_extension("cnnbook.korean")  # particles chosen from the value, counts in 만/억
    app.setup_extension("cnnbook.translated_outputs")  # captions, alt texts and tables of outputs
    app.add_config_value("cnnbook_other_editions", [], "html")
    app.connect("html-page-context", _counterparts)
    app.connect("builder-inited", _theme_catalogue)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


#: Per language: the other editions' links, the book's title and authors, and what the theme
#: and myst-nb say in that language (the rest of the theme: locales/<lang>/LC_MESSAGES/sphinx.po
#: and booktheme.po).
EDITIONS = {
    "ko": {
        "cnnbook_other_editions": [["English", "en", "../"]],
        "html_theme_options": {"search_bar_text": "이 책에서 검색..."},
        "html_title": "합성곱 신경망: 실행하며 배우는 강의 교재",
        "author": "cnnbook 저자들",
        "nb_code_prompt_show": "코드 보기",  # the book hides only cells' input (hide-input)
        "nb_code_prompt_hide": "코드 숨기기",
    },
}


def sphinx_build(root: Path, outdir: Path, builder: str, overrides: dict, **options) -> int:
    """Jupyter Book's build of the book at ``root`` (as ``jupyter-book build`` configures it),
    with Sphinx configuration ``overrides``; options go to Jupyter Book's ``build_sphinx``."""
    from jupyter_book.sphinx import build_sphinx

    root = root.resolve()
    result = build_sphinx(
        str(root), str(outdir), noconfig=True, path_config=str(root / "_config.yml"),
        confoverrides={"external_toc_path": (root / "_toc.yml").as_posix(),
                       "latex_individualpages": False, **overrides},
        builder=builder, **options)
    return result if isinstance(result, int) else 1


def build_edition(language: str, root: Path) -> int:
    """Build the edition in ``language`` into ``_build/html/<language>`` (strict, as make book)."""
    start = time.perf_counter()
    build_dir = root.resolve() / "_build"
    staging = build_dir / language  # this edition's doctrees and outputs, outside the site
    overrides = {"language": language, "nitpicky": True, "cnnbook_build_dir": str(build_dir),
                 "nb_execution_cache_path": str(build_dir / ".jupyter_cache"), **EDITIONS[language]}
    status = sphinx_build(root, staging / "html", "html", overrides, doctreedir=str(staging / ".doctrees"),
                          freshenv=True, warningiserror=True, keep_going=True)
    published = build_dir / "html" / language
    shutil.rmtree(published, ignore_errors=True)  # never a stale edition beside a new one
    if status == 0:
        (staging / "html").rename(published)
    print(f"== the {language} edition built in {time.perf_counter() - start:.0f} s, into {published}"
          if status == 0 else f"== the {language} edition failed (status {status})")
    return status


def extract_messages(root: Path, outdir: Path) -> int:
    """The English messages of every page, ``outdir/<page>.pot``, nothing executed; with the
    captions and alt texts of the figures that cells draw (cnnbook.translated_outputs)."""
    from cnnbook.translated_outputs import add_figure_messages

    status = sphinx_build(root, outdir, "gettext", {"nb_execution_mode": "off"},
                          doctreedir=str(Path(outdir) / ".doctrees"), freshenv=True, really_quiet=True)
    if status == 0:
        add_figure_messages(root, Path(outdir))
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["gettext"]:
        sys.exit(extract_messages(Path.cwd(), Path(sys.argv[2])))
    sys.exit(build_edition(sys.argv[1], Path.cwd()))
