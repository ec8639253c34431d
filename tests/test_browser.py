"""The built book as a reader meets it: every page opened in a real browser (headless Chromium).

One visit per page records what a reader would hit: script errors, images that do not load,
error output, glued numbers that did not reach the page, accessibility violations (axe-core).
Separate visits check the search page, the dark-mode switch and save screenshots into
``_static/screenshots`` of each edition. Pages are discovered from the built site, never listed.
Every check runs on each edition: the English one (``_build/html``) and the Korean one
(``_build/html/ko``), served together as they are published.

Needs Debian's ``chromium`` (/usr/bin/chromium, or set CNNBOOK_CHROMIUM) and the npm packages of
``tests/browser/package.json`` (``make browser-deps``). Without them the tests skip on a
reader's machine and fail under CI (env CI set), so CI can never pass by skipping them.
The pages load everything from the book itself, MathJax included (``_static/mathjax``, copied
from the npm copy at build), so every request off the local server is refused and reported:
the checks run as a reader without the internet would read.
"""

from __future__ import annotations

import ast
import functools
import http.server
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cnnbook.korean import unit_renderings
from cnnbook.translated_outputs import read_catalogue, translate_text
from conftest import BUILT_HTML, REPO

pytestmark = [pytest.mark.browser, pytest.mark.built_book]

CHROMIUM = Path(os.environ.get("CNNBOOK_CHROMIUM", "/usr/bin/chromium"))
NODE_MODULES = Path(__file__).resolve().parent / "browser" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
MATHJAX = NODE_MODULES / "mathjax"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # no calls home on a machine without the internet
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Each edition of the book: its folder in the site (the Korean one inside the English one).
EDITIONS = {"en": "", "ko": "ko/"}
SERIOUS = {"serious", "critical"}
#: Text that must never reach a reader: tracebacks, build debris, unrendered markup.
BAD_TEXT = {
    "a traceback": re.compile(r"Traceback \(most recent call last\)"),
    "an unrendered glue role": re.compile(r"\{glue(:\w+)?\}"),
    "an unrendered role or directive": re.compile(r"\{(cite|ref|numref|doc|eq|finding)(:\w+)?\}`"),
    "an ANSI escape": re.compile("\x1b\\["),
    "a Keras progress bar": re.compile(r"\d+/\d+ \[=+"),
    "TensorFlow start-up chatter": re.compile(r"oneDNN custom operations|absl::InitializeLog"),
}
#: Elements that mean an error reached the page (cell stderr, tracebacks, docutils errors, math).
BAD_ELEMENTS = ".output.stderr, .output.traceback, .output.error, .system-message, .problematic, mjx-merror"
GLUE_ROLE = re.compile(r"\{glue(?::text|:any)?\}`([^`]+)`")


REDIRECT = re.compile(r'<meta http-equiv="refresh"', re.IGNORECASE)


def site_pages(root: Path = BUILT_HTML) -> list[str]:
    """Every HTML page of the edition at ``root``, as paths relative to it, but redirects
    (index.html sends the reader on to the first chapter; tests/test_links.py checks where)
    and the pages of the other editions inside it."""
    skip = {"_static", "_sources", "_images"} | {folder.strip("/") for folder in EDITIONS.values()}
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if path.relative_to(root).parts[0] not in skip
        and not REDIRECT.search(path.read_text(encoding="utf8")[:2000])
    )


def browser_missing() -> list[str]:
    """What the browser checks need and this machine lacks, each with its remedy."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (install Debian's chromium: apt-get install chromium)")
    for need in (AXE, MATHJAX / "es5" / "tex-mml-chtml.js"):
        if not need.exists():
            missing.append(f"{need} (run `make browser-deps`, which runs npm ci in tests/browser)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -r requirements.txt)")
    return missing


# --- the site, served ----------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reports what matters
        pass


@pytest.fixture(scope="module")
def server_url():
    """The whole site, both editions, served from one local address."""
    for folder in EDITIONS.values():
        index = BUILT_HTML / folder / "index.html"
        assert index.is_file(), f"no {index}: build the book first (make book)"
    handler = functools.partial(_QuietHandler, directory=str(BUILT_HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=list(EDITIONS))
def edition(request) -> str:
    """The language of the edition under test."""
    return request.param


@pytest.fixture(scope="module")
def root(edition) -> Path:
    """The edition's folder in the built site."""
    return BUILT_HTML / EDITIONS[edition]


@pytest.fixture(scope="module")
def site_url(server_url, edition) -> str:
    """The address of the edition's root (the network cut-off allows the whole local site)."""
    return server_url + EDITIONS[edition]


@pytest.fixture(scope="module")
def browser():
    missing = browser_missing()
    if missing:
        message = "the browser checks need: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run these checks; .ci/run installs them)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """What a reader's browser met on one page."""

    page: str
    url: str = ""
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    refused: list[str] = field(default_factory=list)  # requests that left the site
    failed: list[str] = field(default_factory=list)  # local requests that failed or gave >= 400
    broken_images: list[str] = field(default_factory=list)
    image_count: int = 0
    text: str = ""  # textContent of the whole document: hidden dropdowns included
    bad_elements: list[str] = field(default_factory=list)
    math_count: int = 0
    overflow_px: int = 0  # how far the page scrolls sideways at this width (0: it does not)
    wide_code: list[str] = field(default_factory=list)  # code blocks that scroll sideways
    axe: list[dict] = field(default_factory=list)  # serious and critical violations


def new_context(browser, site_url: str, **options):
    """A browser context with the network cut off: every host but the local server is refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **options)
    context.refused = []
    server = re.match(r"https?://[^/]+/", site_url).group(0)

    def route(request_route):
        context.refused.append(request_route.request.url)
        return request_route.abort()

    context.route(lambda url: not url.startswith(server), route)
    return context


WAIT_FOR_PAGE = """async () => {
    for (const img of document.images) img.loading = "eager";
    await Promise.all([...document.images].map(img => img.complete ? null :
        new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
}"""

PAGE_FACTS = """(bad) => ({
    images: document.images.length,
    broken: [...document.images].filter(img => !(img.naturalWidth > 0)).map(img => img.getAttribute("src")),
    text: document.documentElement.textContent,
    bad: [...document.querySelectorAll(bad)].map(el => el.outerHTML.slice(0, 200)),
    math: document.querySelectorAll("mjx-container").length,
})"""

RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def visits(browser, site_url, root) -> dict[str, Visit]:
    context = new_context(browser, site_url)
    page = context.new_page()
    current: list[Visit] = []

    page.on("console", lambda m: m.type == "error" and current[-1].errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: current[-1].errors.append(f"uncaught: {e}"))

    def on_response(response):
        if response.url.startswith(site_url) and response.status >= 400:
            current[-1].failed.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.on("requestfailed", lambda r: r.url.startswith(site_url) and current[-1].failed.append(
        f"{r.failure} {r.url}"))
    found = {}
    for name in site_pages(root):
        visit = Visit(name)
        current.append(visit)
        context.refused.clear()
        page.goto(site_url + name, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(WAIT_FOR_PAGE)
        facts = page.evaluate(PAGE_FACTS, BAD_ELEMENTS)
        visit.url = page.url
        visit.image_count, visit.broken_images = facts["images"], facts["broken"]
        visit.text, visit.bad_elements, visit.math_count = facts["text"], facts["bad"], facts["math"]
        visit.overflow_px = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        visit.wide_code = page.evaluate(WIDE_CODE)
        page.add_script_tag(path=str(AXE))
        visit.axe = [v for v in page.evaluate(RUN_AXE) if v["impact"] in SERIOUS]
        visit.refused = list(context.refused)
        found[name] = visit
    context.close()
    return found


def fail_if_any(problems: dict[str, list], title: str) -> None:
    """Fail with one line per page that has problems (no giant assertion introspection)."""
    lines = [f"{page}: {items}" for page, items in sorted(problems.items()) if items]
    if lines:
        pytest.fail(title + "\n" + "\n".join(lines), pytrace=False)


# --- every page -----------------------------------------------------------------------------


def test_every_page_was_visited(visits):
    chapters = [name for name in visits if name.startswith("book/")]
    assert len(chapters) >= 10, f"only {len(chapters)} chapter pages under book/: {chapters}"
    for name in ("search.html", "genindex.html"):
        assert name in visits, f"{name} missing from the built site"


def test_no_console_errors_or_uncaught_exceptions(visits):
    fail_if_any({name: visit.errors for name, visit in visits.items()}, "script errors a reader would hit:")


def test_no_failed_requests_and_no_unknown_hosts(visits):
    fail_if_any({name: visit.failed for name, visit in visits.items()}, "requests to the site that failed:")
    fail_if_any(
        {name: visit.refused for name, visit in visits.items()},
        "pages load from other hosts, so they do not read offline:",
    )


def test_every_image_loads(visits):
    fail_if_any({name: visit.broken_images for name, visit in visits.items()}, "images with no pixels:")
    assert sum(visit.image_count for visit in visits.values()) >= 10, "the book shows almost no figures"


def test_no_error_output_or_debris(visits):
    problems = {}
    for name, visit in visits.items():
        found = [f"{what}: {match.group(0)!r}" for what, pattern in BAD_TEXT.items()
                 if (match := pattern.search(visit.text))]
        problems[name] = found + visit.bad_elements
    fail_if_any(problems, "error output on the pages:")


def test_math_is_typeset_offline(visits, root):
    """Every page with a formula shows it typeset, with the network cut off (MathJax is local)."""
    with_formulas = {name for name in visits
                     if 'class="math' in (root / name).read_text(encoding="utf8")}
    assert with_formulas, "no page has a formula: has the math markup changed?"
    untypeset = sorted(name for name in with_formulas if not visits[name].math_count)
    assert not untypeset, f"formulas not typeset (is MathJax loading from _static/mathjax?): {untypeset}"


def test_no_serious_accessibility_violations(visits):
    fail_if_any({name: visit.axe for name, visit in visits.items()}, "axe-core, serious or critical:")


# --- the glued numbers ----------------------------------------------------------------------


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def glued_renderings(value, spec: str, korean: bool = False) -> list[str]:
    """How ``{glue:text}`name:spec``` shows ``value`` (numbers.json holds tuples as lists, and
    NumPy scalars as their text, e.g. ``np.float64(0.5)``); on a Korean page a count may also be
    in 만/억 (``spec|eN`` in the Korean message, cnnbook.korean)."""
    if spec:
        if isinstance(value, str) and (scalar := re.fullmatch(r"np\.\w+\((.+)\)", value)):
            value = ast.literal_eval(scalar.group(1))
        try:
            shown = format(value, spec)
            return [shown] + (unit_renderings(shown) if korean else [])
        except (TypeError, ValueError) as error:
            return [f"<{value!r} cannot take the format {spec!r}: {error}>"]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [repr(tuple(value)), repr(value)]
    return [repr(value)]


@pytest.fixture(scope="module")
def numbers(root) -> dict:
    path = root / "_static" / "numbers.json"
    assert path.is_file(), f"{path} is missing: build the book first (make book)"
    return json.loads(path.read_text())


def test_glued_numbers_reach_their_pages(visits, numbers, root):
    """Each ``{glue:text}`` of a page's source shows its value, in the format the source asks
    (on a Korean page too: the source is the English one, whose roles the translation keeps;
    glued words such as "6 and 10" as locales/ko/LC_MESSAGES/outputs.po translates them)."""
    outputs = read_catalogue(REPO / "locales" / "ko" / "LC_MESSAGES" / "outputs.po")
    missing, checked = {}, 0
    for name, visit in visits.items():
        source = root / "_sources" / Path(name).with_suffix(".md")
        if not source.is_file():
            continue
        text = _normal(visit.text)
        for match in GLUE_ROLE.finditer(source.read_text(encoding="utf8")):
            key, _, spec = match.group(1).rpartition("::")[2].partition(":")
            if key not in numbers:
                missing.setdefault(name, []).append(f"{key} (not in numbers.json)")
                continue
            checked += 1
            shown = glued_renderings(numbers[key]["value"], spec, korean=root.name == "ko")
            if root.name == "ko":
                page = Path(name).stem
                shown += [word for s in shown if (word := translate_text(s, outputs, page))]
            if not any(_normal(s) in text for s in shown):
                missing.setdefault(name, []).append(f"{key}:{spec} = {shown[0]!r}")
    fail_if_any(missing, "glued values not shown on their pages:")
    assert checked >= 100, f"only {checked} glued values found in the sources"


def test_every_glued_value_belongs_to_a_built_page(visits, numbers):
    orphans = sorted({entry["page"] for entry in numbers.values()} - {Path(n).with_suffix("").as_posix()
                                                                      for n in visits})
    assert not orphans, f"numbers.json names pages that were not built: {orphans}"


# --- search, dark mode, screenshots ---------------------------------------------------------


#: What the search page must find in each edition; Korean words also where a particle follows
#: them on the pages (합성곱을, 풀링은: cnnbook.editions.SearchKorean).
SEARCHES = {"en": ["stride"], "ko": ["stride", "합성곱", "풀링"]}


def search(browser, site_url: str, word: str) -> tuple[list[str], str]:
    """The search page's hits for ``word`` (their URLs) and its summary text."""
    from urllib.parse import quote

    context = new_context(browser, site_url)
    page = context.new_page()
    page.goto(site_url + "search.html?q=" + quote(word))
    page.wait_for_function(  # "Search finished" in English; in Korean the summary names the count
        "() => document.querySelector('#search-results .search-summary')?.textContent.trim()",
        timeout=30_000,
    )
    hits = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
    summary = page.text_content("#search-results")
    context.close()
    return hits, summary


def test_search_finds_the_book_s_words(browser, site_url, edition):
    for word in SEARCHES[edition]:
        hits, summary = search(browser, site_url, word)
        assert hits, f"search for {word!r} found nothing: {summary[:300]}"
        chapters = {url for url in hits if f"/{EDITIONS[edition]}book/" in url}
        assert len(chapters) >= 3, f"{word!r} found in only {len(chapters)} chapters: {hits}"


def test_dark_mode_switch(browser, site_url):
    context = new_context(browser, site_url, color_scheme="light")
    page = context.new_page()
    page.goto(site_url + "index.html")
    page.wait_for_load_state("networkidle")
    theme = "html => html.dataset.theme"
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.eval_on_selector("html", theme) == "light"
    light_background = page.evaluate(background)
    button = page.locator(".theme-switch-button:visible").first
    for _ in range(3):  # the switch cycles through light, dark and the system's setting
        button.click()
        if page.eval_on_selector("html", theme) == "dark":
            break
    assert page.eval_on_selector("html", theme) == "dark", "the switch never reached dark mode"
    assert page.evaluate(background) != light_background, "dark mode did not change the page colours"
    page.goto(site_url + "search.html")  # the choice is kept from page to page
    assert page.eval_on_selector("html", theme) == "dark"
    context.close()


#: The code a page shows (cells and included source, not outputs) that scrolls sideways.
WIDE_CODE = """() => [...document.querySelectorAll("article div.highlight pre")]
  .filter((pre) => !pre.closest(".cell_output") && pre.scrollWidth > pre.clientWidth + 1)
  .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""))"""


def test_no_code_scrolls_sideways_at_1280_pixels(visits):
    fail_if_any({name: visit.wide_code for name, visit in visits.items()},
                "code blocks wider than the text column (their longest line):")


def test_no_page_scrolls_sideways_at_1280_pixels(visits):
    fail_if_any({name: [f"{visit.overflow_px} px too wide"] if visit.overflow_px > 0 else []
                 for name, visit in visits.items()}, "pages wider than a 1280-pixel window:")


#: A 390-pixel phone and a 1280-pixel desktop window.
SCREEN_WIDTHS = (1280, 390)
#: A tablet's width, measured too (by resizing the 1280-pixel window, no second visit).
TABLET_WIDTH = 768

IMAGE_SHAPES = """() => [...document.querySelectorAll("article img")]
    .filter(img => img.naturalWidth > 0 && img.getBoundingClientRect().width > 0)
    .map(img => ({src: (img.currentSrc || img.src).split("/").pop(),
                  picture: !!img.closest("picture.cnnbook-figure"),
                  natural: img.naturalWidth / img.naturalHeight,
                  shown: img.getBoundingClientRect().width / img.getBoundingClientRect().height}))"""


#: Every table of an article and every text output, as the reader's window lays them out: a
#: table fits its box, or its box scrolls sideways (overflow-x auto or scroll) and shows the cue
#: that it does (book.css fades its right edge while there is more to the right); a text output
#: (a printed line, a repr, a message) wraps within its box. Also: how far the page scrolls
#: sideways, and which buttons of the article's header a reader sees.
LAYOUT = """() => {
  const scroller = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const cue = (el) => { const style = getComputedStyle(el);
    return [style.maskImage, style.webkitMaskImage].some((mask) => mask && mask !== "none"); };
  const tables = [];
  for (const table of document.querySelectorAll("article table")) {
    if (!table.getClientRects().length) continue;  // in a closed dropdown
    const article = table.closest("article").getBoundingClientRect();
    const name = table.innerText.trim().split(/\\s+/).slice(0, 4).join(" ");
    let box = table.parentElement;
    while (box.tagName !== "ARTICLE" && !scroller(box)) box = box.parentElement;
    if (box.tagName === "ARTICLE") {  // no box of its own: it must fit the article
      const right = table.getBoundingClientRect().right;
      tables.push({name, fits: right <= article.right + 1, scrolls: false, cue: false,
                   width: Math.round(table.getBoundingClientRect().width), box: 0});
      continue;
    }
    const left = box.scrollLeft;
    box.scrollLeft = 0;  // the cue is read where a reader arrives: at the table's start
    const inside = box.getBoundingClientRect().right <= article.right + 1;
    tables.push({name, fits: inside && box.scrollWidth <= box.clientWidth + 1,
                 scrolls: inside && box.scrollWidth > box.clientWidth + 1, cue: cue(box),
                 width: Math.round(table.getBoundingClientRect().width), box: box.clientWidth});
    box.scrollLeft = left;
  }
  const outputs = [...document.querySelectorAll("article .cell_output pre")]
    .filter((pre) => pre.getClientRects().length && (pre.scrollWidth > pre.clientWidth + 1 ||
      pre.getBoundingClientRect().right > pre.parentElement.getBoundingClientRect().right + 1))
    .map((pre) => `${pre.scrollWidth} px in ${pre.clientWidth}: ${pre.textContent.slice(0, 40)}`);
  const buttons = [...document.querySelectorAll(".bd-header-article .article-header-buttons > *, " +
      ".bd-header-article .cnnbook-edition")]
    .filter((el) => el.getClientRects().length)
    .map((el) => el.matches(".cnnbook-edition") ? "edition" : el.matches(".secondary-toggle") ?
         "contents" : (el.className.match(/([a-z]+)(-switch)?-button/) || [, el.className])[1]);
  return {tables, outputs, buttons,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


@dataclass
class Screens:
    """What every page shows at each width (1280, 390 and, by resizing, 768 pixels)."""

    shapes: dict[int, dict[str, list]]  # width -> page -> [{src, natural, shown}] of its images
    layout: dict[int, dict[str, dict]]  # width -> page -> LAYOUT's facts


@pytest.fixture(scope="module")
def screens(browser, site_url, visits, root) -> Screens:
    """Every page at each width, in one visit per width: a screenshot of its top saved for
    review, the shape of every image as the reader sees it, and how its tables and text outputs
    are laid out (LAYOUT)."""
    screenshots = root / "_static" / "screenshots"
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)
    widths = (*SCREEN_WIDTHS, TABLET_WIDTH)
    found = Screens({width: {} for width in widths}, {width: {} for width in widths})
    for width in SCREEN_WIDTHS:
        context = new_context(browser, site_url)
        page = context.new_page()
        size = {"width": width, "height": 900 if width > 600 else 844}
        page.set_viewport_size(size)
        for name in visits:
            page.goto(site_url + name, wait_until="load")
            page.wait_for_load_state("networkidle")
            page.evaluate(WAIT_FOR_PAGE)
            shot = screenshots / f"{name.removesuffix('.html').replace('/', '-')}-{width}.png"
            page.screenshot(path=shot)
            found.shapes[width][name] = page.evaluate(IMAGE_SHAPES)
            found.layout[width][name] = page.evaluate(LAYOUT)
            if width == max(SCREEN_WIDTHS):
                page.set_viewport_size({"width": TABLET_WIDTH, "height": 1024})
                found.shapes[TABLET_WIDTH][name] = page.evaluate(IMAGE_SHAPES)
                found.layout[TABLET_WIDTH][name] = page.evaluate(LAYOUT)
                page.set_viewport_size(size)
        context.close()
    return found


def test_screenshots_of_every_page(screens, visits, root):
    """A screenshot of the top of every page at each width, for review (not compared)."""
    shots = sorted((root / "_static" / "screenshots").glob("*.png"))
    assert len(shots) == len(SCREEN_WIDTHS) * len(visits)
    for shot in shots:
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, f"{shot.name} looks empty"


def test_every_figure_keeps_its_shape_at_every_width(screens):
    """A figure squeezed on a phone (its width shrunk, its height kept) misdraws every curve:
    the shown shape must be the image's own, within a pixel's rounding, at 390, 768 and 1280."""
    problems = {}
    for width, pages in screens.shapes.items():
        for name, images in pages.items():
            for image in images:
                if abs(image["shown"] / image["natural"] - 1) > 0.02:
                    problems.setdefault(f"{name} at {width} px", []).append(
                        f"{image['src']}: {image['shown'] / image['natural']:.0%} of its shape")
    assert sum(len(images) for images in screens.shapes[390].values()) >= 30
    fail_if_any(problems, "figures drawn out of shape:")


def test_a_phone_shows_every_figure_drawn_for_its_width(screens):
    """At 390 pixels each figure of a page is its narrow variant (cnnbook.figure_variants),
    whose text a phone shows at 8 points or more; at 768 and 1280, the wide one."""
    problems = {}
    for width, pages in screens.shapes.items():
        for name, images in pages.items():
            for image in images:
                if not image["picture"]:
                    continue
                narrow = image["src"].endswith("-narrow.png")
                if narrow != (width < 576):
                    problems.setdefault(f"{name} at {width} px", []).append(image["src"][:16])
    assert sum(image["picture"] for images in screens.shapes[390].values() for image in images) >= 30
    fail_if_any(problems, "figures drawn for another width:")


def test_tables_fit_or_scroll_with_a_cue_and_outputs_wrap(screens):
    """At 1280, 768 and 390 pixels nothing is clipped: every table fits its box, or the box
    scrolls sideways and shows the cue that it does; no text output runs past its box (it
    wraps); the page itself never scrolls sideways."""
    problems = {}
    for width, pages in screens.layout.items():
        for name, layout in pages.items():
            found = problems.setdefault(f"{name} at {width} px", [])
            for table in layout["tables"]:
                if not (table["fits"] or table["scrolls"]):
                    found.append(f"table '{table['name']}' ({table['width']} px) clipped")
                elif table["scrolls"] and not table["cue"]:
                    found.append(f"table '{table['name']}' ({table['width']} px in "
                                 f"{table['box']}) scrolls without a cue")
                elif table["fits"] and table["cue"]:
                    found.append(f"table '{table['name']}' fits but shows the scrolling cue")
            found += [f"output wider than its box: {output}" for output in layout["outputs"]]
            if layout["overflow"] > 0:
                found.append(f"the page scrolls sideways by {layout['overflow']} px")
    tables = [t for pages in screens.layout.values() for page in pages.values() for t in page["tables"]]
    assert sum(t["scrolls"] for t in tables) and sum(t["fits"] for t in tables) > 100, \
        "the book's tables were not measured"
    fail_if_any(problems, "tables clipped or scrolling unannounced, outputs past their box:")


#: The article header's buttons (cnnbook's name for each) a reader sees at every width; those a
#: phone adds (the desktop's search field is in the sidebar); those only a larger screen shows.
HEADER_BUTTONS = {"download", "theme", "edition"}
PHONE_BUTTONS = {"search"}
DESKTOP_ONLY_BUTTONS = {"launch", "source", "fullscreen"}


def test_a_phone_shows_only_the_header_buttons_it_uses(screens):
    """On a phone the article header keeps download (the page, the book's PDF), the colour
    mode, search and the other edition; launching in Colab, the repository and full-screen mode
    are left to larger screens, which show them all."""
    problems = {}
    for width, pages in screens.layout.items():
        for name, layout in pages.items():
            if not name.startswith("book/"):
                continue
            shown, phone = set(layout["buttons"]), width <= 600
            # (launching: only the pages with a notebook)
            want = HEADER_BUTTONS | (PHONE_BUTTONS if phone else DESKTOP_ONLY_BUTTONS - {"launch"})
            unwanted = DESKTOP_ONLY_BUTTONS & shown if phone else set()
            problems[f"{name} at {width} px"] = sorted(
                [f"missing {b}" for b in want - shown] + [f"shown {b}" for b in unwanted])
    fail_if_any(problems, "article header buttons:")


CONTRAST = """(form) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const text = lum(rgb(getComputedStyle(form.querySelector(".conv-calculator-result")).color));
  const back = lum(rgb(getComputedStyle(form).backgroundColor));
  return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05);
}"""


#: What the calculator says, in each edition: its label for the stride, an output size, a case
#: that does not fit.
CALCULATOR_WORDS = {
    "en": {"output": "output size: ", "nofit": "does not fit"},
    "ko": {"output": "출력 크기: ", "nofit": "필터가 맞지 않습니다"},
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_calculator_opens_on_a_case_that_fits_and_reads_in_both_colour_modes(
        browser, site_url, edition, scheme):
    words = CALCULATOR_WORDS[edition]
    context = new_context(browser, site_url, color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + "book/output_size.html")
    page.wait_for_load_state("networkidle")
    page.evaluate(f"() => document.documentElement.dataset.theme = '{scheme}'")
    result = page.locator(".conv-calculator-result")
    assert result.text_content().startswith(words["output"]), result.text_content()
    assert "is-problem" not in (result.get_attribute("class") or "")
    form = page.locator(".conv-calculator-form")
    styled = form.evaluate("f => getComputedStyle(f).borderTopStyle + ' '"
                           " + getComputedStyle(f).backgroundColor")
    assert styled.startswith("solid") and "rgba(0, 0, 0, 0)" not in styled, "the form is not styled"
    assert form.evaluate(CONTRAST) >= 4.5, "the result's text is hard to read"
    form.locator('input[data-field="stride"]').fill("3")  # 7, 3, stride 3: does not fit
    assert words["nofit"] in result.text_content()
    assert "is-problem" in result.get_attribute("class")
    assert form.evaluate(CONTRAST) >= 4.5, f"the problem text is hard to read in {scheme} mode"
    context.close()


# --- the calculator's drawing ------------------------------------------------------------

#: One cell of the drawing in the SVG's own units (conv_calculator.js, CELL).
CELL = 10
#: What the drawing shows, read back from the page.
READ_DRAWING = """(form) => {
  const input = form.querySelector("svg.ccalc-input"), output = form.querySelector("svg.ccalc-output");
  const filter = form.querySelector(".ccalc-filter"), slider = form.querySelector(".ccalc-slider");
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right, r.width, r.height]; };
  return {
    status: form.parentElement.dataset.status,
    result: form.querySelector(".conv-calculator-result").textContent,
    description: form.querySelector(".ccalc-description").textContent,
    live: form.querySelector(".ccalc-description").getAttribute("aria-live"),
    stepper: !form.querySelector(".ccalc-stepper").hidden,
    slider: [Number(slider.value), Number(slider.max)],
    pad: input && [Number(input.dataset.padBefore), Number(input.dataset.padAfter)],
    dots: [...form.querySelectorAll(".ccalc-dot")].map((d) => [d.dataset.start, d.dataset.fits === "true",
      Number(d.getAttribute("cx")), Number(d.getAttribute("cy"))]),
    filter: filter && [filter.dataset.start, Number(filter.getAttribute("x")),
      Number(filter.getAttribute("y")), Number(filter.getAttribute("width"))],
    beyond: form.querySelectorAll(".ccalc-beyond").length,
    size: output && output.dataset.size,
    outputs: form.querySelectorAll(".ccalc-out").length,
    outputsOff: form.querySelectorAll(".ccalc-out-off").length,
    current: form.querySelector(".ccalc-current") && form.querySelector(".ccalc-current").dataset.cell,
    boxes: input && [box(form), box(input), box(output)],
    overflow: form.scrollWidth - form.clientWidth,
    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


def calculator_page(browser, site_url, width: int, name: str = "book/output_size.html", **options):
    context = new_context(browser, site_url, **options)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
    page.goto(site_url + name)
    page.wait_for_load_state("networkidle")
    return context, page


def set_case(form, case: tuple) -> dict:
    """Type the case into the calculator as a reader would; what it draws then."""
    for key, value in zip(("n", "f", "stride", "padding"), case):
        form.locator(f'input[data-field="{key}"]').fill(str(value))
    return form.evaluate(READ_DRAWING)


def expected_drawing(case: tuple) -> dict | None:
    """What cnnbook.geometry says the calculator must draw for the case (None: refused)."""
    from cnnbook import geometry

    try:
        axis = geometry.axis_positions(*case)
    except ValueError:
        return None
    n, f, stride, _ = case
    steps = axis.count + (0 if axis.fits else 1)
    starts = [axis.first + k * stride for k in range(steps)]
    dots = [[f"{row},{col}", i < axis.count and j < axis.count,
             (col + axis.pad_before + f / 2) * CELL, (row + axis.pad_before + f / 2) * CELL]
            for i, row in enumerate(starts) for j, col in enumerate(starts)]
    if axis.fits:
        size, opened = str(axis.count), (starts[0], starts[0])   # the first position
    else:
        size = geometry.two_decimals(n + 2 * axis.pad_before - f + stride, stride)
        opened = (starts[0], starts[-1])                         # the one past the right edge
    return {"axis": axis, "steps": steps, "dots": dots, "size": size, "opened": opened,
            "beyond": 0 if axis.fits else f * min(f, axis.overhang)}


def check_drawing(case: tuple, shown: dict, words: dict, width: int) -> list[str]:
    """The differences between what the calculator drew and what geometry computes."""
    expected = expected_drawing(case)
    if expected is None:
        return [] if shown["status"] == "invalid" and not shown["stepper"] and not shown["dots"] else [
            f"{case}: refused by geometry, drawn anyway: {shown['status']}"]
    axis, problems = expected["axis"], []

    def want(what, got, should):
        if got != should:
            problems.append(f"{case} {what}: drawn {got!r}, geometry {should!r}")

    want("zeros before and after", shown["pad"], [axis.pad_before, axis.pad_after])
    wrong = [(got, should) for got, should in zip(shown["dots"], expected["dots"]) if got != should]
    want("positions (dots): how many", len(shown["dots"]), len(expected["dots"]))
    want("positions (dots): the first that differs", wrong[:1], [])
    want("output size", shown["size"], expected["size"])
    want("output cells", (shown["outputs"], shown["outputsOff"]),
         (axis.count ** 2, expected["steps"] ** 2 - axis.count ** 2))
    want("positions to step through", shown["slider"][1], expected["steps"] ** 2)
    top, left = expected["opened"]
    want("filter", shown["filter"], [f"{top},{left}", (left + axis.pad_before) * CELL,
                                     (top + axis.pad_before) * CELL, case[1] * CELL])
    want("cells past the edge", shown["beyond"], expected["beyond"])
    if axis.fits:
        want("result", shown["result"].startswith(words["output"] + expected["size"]), True)
    else:
        want("result", words["nofit"] in shown["result"] and expected["size"] in shown["result"], True)
    want("aria-live description", bool(shown["description"]) and shown["live"] == "polite", True)
    form, drawing, output = shown["boxes"]
    if shown["overflow"] > 0 or shown["pageOverflow"] > 0 or max(drawing[1], output[1]) > width:
        problems.append(f"{case}: wider than the {width}-pixel window: {shown['boxes']}")
    if min(drawing[2], drawing[3], output[2], output[3]) < 20:
        problems.append(f"{case}: a drawing of almost nothing: {shown['boxes']}")
    return problems


#: The lecture's four cases: stride 1, stride 2, stride 3 (does not fit) and padding 1.
LECTURE_CASES = [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 3, 0), (7, 3, 1, 1)]


def random_calculator_cases(count: int = 50) -> list[tuple]:
    import random

    rng = random.Random(21)
    return [(n := rng.randint(1, 14), rng.randint(1, min(n + 2, 7)), rng.randint(1, 4),
             rng.choice([0, 1, 2, "valid", "same"])) for _ in range(count)]


@pytest.mark.parametrize("width", SCREEN_WIDTHS)
def test_the_calculator_draws_what_geometry_computes(browser, site_url, edition, width):
    """The lecture's cases and random ones: the positions drawn, the zeros on each side, the
    output size and grid, and the filter where it opens, as cnnbook.geometry has them; the drawing
    inside the window at 1280 and at 390 pixels."""
    context, page = calculator_page(browser, site_url, width)
    form = page.locator(".conv-calculator-form")
    cases = LECTURE_CASES + random_calculator_cases()
    assert sum(expected_drawing(case) is not None and not expected_drawing(case)["axis"].fits
               for case in cases) >= 5, "the random cases hardly test a filter that does not fit"
    problems = []
    for case in cases:
        problems += check_drawing(case, set_case(form, case), CALCULATOR_WORDS[edition], width)
    context.close()
    assert not problems, "\n".join(problems[:20])


def test_the_calculator_is_operated_by_keyboard(browser, site_url, edition):
    """The slider's keys and the buttons move the filter; the live region says where it is."""
    position = {"en": "row {}, column {}", "ko": "{}행 {}열"}[edition]
    context, page = calculator_page(browser, site_url, 390)
    form = page.locator(".conv-calculator-form")
    set_case(form, (7, 3, 1, 0))
    form.locator(".ccalc-slider").focus()
    page.keyboard.press("End")
    shown = form.evaluate(READ_DRAWING)
    assert shown["slider"] == [25, 25] and shown["filter"][0] == "4,4" and shown["current"] == "4,4"
    assert position.format(5, 5) in shown["description"]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert form.evaluate(READ_DRAWING)["filter"][0] == "0,1"
    page.keyboard.press("Tab")                                   # to Next
    page.keyboard.press("Enter")
    shown = form.evaluate(READ_DRAWING)
    assert shown["filter"][0] == "0,2" and position.format(1, 3) in shown["description"]
    page.keyboard.press("Shift+Tab")                             # back to the slider
    page.keyboard.press("Shift+Tab")                             # to Previous
    page.keyboard.press("Space")
    assert form.evaluate(READ_DRAWING)["filter"][0] == "0,1"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["book/output_size.html", "book/pooling.html"])
def test_the_calculator_passes_axe_where_the_filter_does_not_fit(browser, site_url, name, scheme):
    context, page = calculator_page(browser, site_url, 390, name, color_scheme=scheme)
    page.evaluate(f"() => document.documentElement.dataset.theme = '{scheme}'")
    form = page.locator(".conv-calculator-form")
    assert form.count() == 1, f"no calculator on {name}"
    set_case(form, (7, 3, 3, 0))
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run({include: [[".conv-calculator"]]},
        {resultTypes: ["violations"]})).violations.map((v) => ({id: v.id, impact: v.impact,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))""")
    context.close()
    serious = [v for v in found if v["impact"] in SERIOUS]
    assert not serious, f"axe-core on the calculator ({scheme}): {serious}"


def test_the_pooling_chapter_draws_its_windows(browser, site_url, edition):
    """The pooling chapter's calculator: a 2x2 window at stride 2 on a 4x4 map, called a window."""
    from cnnbook import geometry

    context, page = calculator_page(browser, site_url, 390, "book/pooling.html")
    form = page.locator(".conv-calculator-form")
    shown = form.evaluate(READ_DRAWING)
    assert shown["size"] == str(geometry.output_size(4, 2, 2, "valid"))
    assert shown["outputs"] == geometry.output_size(4, 2, 2, "valid") ** 2
    assert shown["filter"][0] == "0,0" and shown["pad"] == [0, 0]
    label = form.locator('input[data-field="f"]').get_attribute("aria-label")
    assert label == {"en": "F (window size, pool_size)", "ko": "F (윈도우 크기, pool_size)"}[edition]
    assert shown["description"].startswith({"en": "Window", "ko": "윈도우"}[edition])
    context.close()


@pytest.mark.parametrize("name", ["book/output_size.html", "book/pooling.html"])
def test_without_scripts_the_calculator_points_to_the_figures(browser, site_url, edition, name):
    """Scripts off: no empty box, one line in the page's language linking figures of the page."""
    context, page = calculator_page(browser, site_url, 390, name, java_script_enabled=False)
    line = page.locator(".conv-calculator-noscript")
    assert line.count() == 1 and line.is_visible()
    shown = line.inner_text()
    assert ("JavaScript" in shown) == (edition == "en") and ("자바스크립트" in shown) == (edition == "ko")
    targets = line.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert targets and all(page.locator(target).count() == 1 for target in targets), targets
    assert page.locator(".conv-calculator-form").count() == 0
    context.close()
