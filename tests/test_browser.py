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

from conftest import BUILT_HTML

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


def glued_renderings(value, spec: str) -> list[str]:
    """How ``{glue:text}`name:spec``` shows ``value`` (numbers.json holds tuples as lists, and
    NumPy scalars as their text, e.g. ``np.float64(0.5)``)."""
    if spec:
        if isinstance(value, str) and (scalar := re.fullmatch(r"np\.\w+\((.+)\)", value)):
            value = ast.literal_eval(scalar.group(1))
        try:
            return [format(value, spec)]
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
    (on a Korean page too: the source is the English one, whose roles the translation keeps)."""
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
            shown = glued_renderings(numbers[key]["value"], spec)
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
    .map(img => ({src: img.getAttribute("src").split("/").pop().slice(0, 16),
                  natural: img.naturalWidth / img.naturalHeight,
                  shown: img.getBoundingClientRect().width / img.getBoundingClientRect().height}))"""


@pytest.fixture(scope="module")
def screens(browser, site_url, visits, root) -> dict[int, dict[str, list]]:
    """Every page at each width: a screenshot of its top saved for review, and the shape of
    every image as the reader sees it (width -> page -> [{src, natural, shown}])."""
    screenshots = root / "_static" / "screenshots"
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)
    shapes: dict[int, dict[str, list]] = {width: {} for width in (*SCREEN_WIDTHS, TABLET_WIDTH)}
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
            shapes[width][name] = page.evaluate(IMAGE_SHAPES)
            if width == max(SCREEN_WIDTHS):
                page.set_viewport_size({"width": TABLET_WIDTH, "height": 1024})
                shapes[TABLET_WIDTH][name] = page.evaluate(IMAGE_SHAPES)
                page.set_viewport_size(size)
        context.close()
    return shapes


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
    for width, pages in screens.items():
        for name, images in pages.items():
            for image in images:
                if abs(image["shown"] / image["natural"] - 1) > 0.02:
                    problems.setdefault(f"{name} at {width} px", []).append(
                        f"{image['src']}: {image['shown'] / image['natural']:.0%} of its shape")
    assert sum(len(images) for images in screens[390].values()) >= 30
    fail_if_any(problems, "figures drawn out of shape:")


CONTRAST = """(form) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const text = lum(rgb(getComputedStyle(form.querySelector(".conv-calculator-result")).color));
  const back = lum(rgb(getComputedStyle(form).backgroundColor));
  return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_calculator_opens_on_a_case_that_fits_and_reads_in_both_colour_modes(browser, site_url, scheme):
    context = new_context(browser, site_url, color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + "book/output_size.html")
    page.wait_for_load_state("networkidle")
    page.evaluate(f"() => document.documentElement.dataset.theme = '{scheme}'")
    result = page.locator(".conv-calculator-result")
    assert result.text_content().startswith("output size:"), result.text_content()
    assert "is-problem" not in (result.get_attribute("class") or "")
    form = page.locator(".conv-calculator-form")
    styled = form.evaluate("f => getComputedStyle(f).borderTopStyle + ' '"
                           " + getComputedStyle(f).backgroundColor")
    assert styled.startswith("solid") and "rgba(0, 0, 0, 0)" not in styled, "the form is not styled"
    assert form.evaluate(CONTRAST) >= 4.5, "the result's text is hard to read"
    page.get_by_label("stride (스트라이드)").fill("3")  # 7, 3, stride 3: does not fit
    assert "does not fit" in result.text_content()
    assert "is-problem" in result.get_attribute("class")
    assert form.evaluate(CONTRAST) >= 4.5, f"the problem text is hard to read in {scheme} mode"
    context.close()
