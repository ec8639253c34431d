"""Findings: a sentence about a run is checked by the run (cnnbook.findings, findings_page).

The unit tests check the comparison and its margin; the small books check the build: a finding
that holds is listed on the Findings page with its sentence, and a finding inverted, a check
deleted or a sentence that states no declared finding each fail the strict build.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from cnnbook import findings
from test_build import STRICT, build, make_book


def test_a_finding_that_holds_has_a_positive_margin():
    found = findings.evaluate("x_faster", "the new net is faster", 12.0, ">", 4.0, fmt="{:.1f}x")
    assert found.holds and found.margin == 8.0 and found.relative_margin == 2.0
    assert found.comparison == "12.0x > 4.0x" and found.margin_text == "8.0x (200%)"
    lower = findings.evaluate("x_lower", "the deep net errs less", 0.0134, "<", 0.0299, fmt="{:.2%}")
    assert lower.holds and lower.margin == pytest.approx(0.0165)
    assert lower.margin_text == "1.65%"  # percentage points say it; no share of a share
    far = findings.evaluate("x_far", "s", 8.8, ">", 1e-4, fmt="{:.1f}")
    assert far.margin_text == "8.8 (87,999\u00d7)"


@pytest.mark.parametrize("left, relation, right", [
    (20, "<", 20), (21, "<=", 20), (20, ">", 20), (19, ">=", 20), (19, "==", 20)])
def test_a_contradicted_finding_stops_the_build_with_its_numbers(left, relation, right):
    with pytest.raises(findings.FindingFailed, match=rf"x_best.*best before the last.*{left} [<>=]+ {right}"):
        findings.check("x_best", "the cost is best before the last epoch", left, relation, right,
                       fmt="{:d}")
    assert not findings.evaluate("x", "s", left, relation, right).holds


@pytest.mark.parametrize("bad", [
    dict(name="Not a name"), dict(relation="=>"), dict(statement=" "), dict(left=float("nan")),
    dict(left=True), dict(right="3"),
])
def test_a_malformed_finding_is_refused(bad):
    arguments = dict(name="x", statement="s", left=1, relation="<", right=2) | bad
    with pytest.raises((ValueError, TypeError)):
        findings.evaluate(**arguments)


CHECKED = """from cnnbook import findings
from myst_nb import glue
glue("deep_error", 0.0134, display=False)
findings.check("page_deep_better", "the deep net errs less", 0.0134, "{relation}", 0.0299,
               fmt="{{:.2%}}")"""
STATED = ("\nThe deep net errs less: {glue:text}`deep_error:.2%`{finding}`page_deep_better`. "
          "Another sentence follows.\n")
FINDINGS_PAGE = "\n```{findings-table}\n```\n"


def _book(folder, relation="<", stated=STATED, checked=True):
    cell = CHECKED.format(relation=relation) if checked else "print('nothing checked')"
    book = make_book(folder, cell, findings="print('the findings page')")
    page = book / "page.md"
    page.write_text(page.read_text() + stated)
    (book / "findings.md").write_text((book / "findings.md").read_text() + FINDINGS_PAGE)
    return book


def _with_findings_page_setting(book):
    import yaml

    config = yaml.safe_load((book / "_config.yml").read_text())
    config["sphinx"]["config"]["cnnbook_findings_page"] = "findings"
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    return book


@pytest.mark.slow
def test_the_findings_page_lists_each_finding_with_its_sentence(tmp_path):
    book = _with_findings_page_setting(_book(tmp_path))
    done = build(book, *STRICT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    html = (book / "_build" / "html" / "findings.html").read_text()
    assert 'id="finding-page_deep_better"' in html
    assert "The deep net errs less: 1.34%." in html and "Another sentence" not in html
    assert "1.34% &lt; 2.99%" in html and "<p>1.65%</p>" in html
    assert "checked 1 findings stated on 1 pages; 1 of them hold" in html
    page = (book / "_build" / "html" / "page.html").read_text()
    assert 'href="findings.html#finding-page_deep_better"' in page and 'id="stated-page_deep_better"' in page
    numbers = json.loads((book / "_build" / "html" / "_static" / "numbers.json").read_text())
    assert numbers["findings_total"]["value"] == numbers["findings_holding"]["value"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("broken", ["inverted", "check deleted", "sentence deleted"])
def test_a_broken_finding_fails_the_strict_build(tmp_path, broken):
    book = _with_findings_page_setting(_book(
        tmp_path, relation=">" if broken == "inverted" else "<",
        checked=broken != "check deleted",
        stated="\nNo sentence here.\n" if broken == "sentence deleted" else STATED))
    done = build(book, *STRICT)
    assert done.returncode != 0
    expected = {"inverted": "does not hold on this run", "check deleted": "no cell declares it",
                "sentence deleted": "no sentence states it"}[broken]
    assert expected in done.stdout + done.stderr


# ---- the book's own findings -------------------------------------------------------------------

from conftest import BUILT_HTML, REPO  # noqa: E402

ROLE = re.compile(r"\{finding\}`([^`]+)`")
CHECK = re.compile(r"findings\.check\(\s*[\"']([a-z0-9_]+)[\"']")
PAGES = sorted((REPO / "book").glob("*.md"))


def test_every_stated_finding_is_checked_and_every_check_is_stated():
    """Deleting either half of a finding is caught before any build (the build fails too, see
    the small books above). A finding is declared once, on the page of its run, and stated
    there; another page (a summary) may state it again."""
    problems, declared, stated = [], {}, {}
    for page in PAGES:
        text = page.read_text(encoding="utf8")
        for name in CHECK.findall(text):
            if name in declared:
                problems.append(f"{name} declared on {declared[name]} and {page.stem}")
            declared[name] = page.stem
        for name in ROLE.findall(text):
            stated.setdefault(name, set()).add(page.stem)
    problems += [f"{sorted(pages)} state {name} but no cell checks it"
                 for name, pages in stated.items() if name not in declared]
    problems += [f"{page}: checks {name} but does not state it"
                 for name, page in declared.items() if page not in stated.get(name, ())]
    assert not problems, problems
    assert len(declared) >= 40 and len(set(declared.values())) >= 12


@pytest.mark.built_book
def test_the_build_counts_its_findings_and_records_its_cpu():
    numbers = json.loads((BUILT_HTML / "_static" / "numbers.json").read_text())
    total, holding = numbers["findings_total"]["value"], numbers["findings_holding"]["value"]
    assert total >= 40 and holding == total and numbers["findings_pages"]["value"] >= 12
    declared = {name for page in PAGES for name in CHECK.findall(page.read_text(encoding="utf8"))}
    assert total == len(declared)
    assert isinstance(numbers["build_cpu_isa"]["value"], str) and numbers["build_cpu_isa"]["value"]
    assert numbers["build_threads"]["value"] >= 1


@pytest.mark.built_book
@pytest.mark.parametrize("edition", ["", "ko/"])
def test_the_findings_page_links_every_finding_to_its_sentence(edition):
    html = (BUILT_HTML / edition / "book" / "findings.html").read_text(encoding="utf8")
    rows = re.findall(r'<tr[^>]*id="finding-([a-z0-9_]+)"[^>]*>(.*?)</tr>', html, re.DOTALL)
    declared = {name for page in PAGES for name in CHECK.findall(page.read_text(encoding="utf8"))}
    assert {name for name, _ in rows} == declared
    for name, row in rows:
        target = re.search(r'href="([a-z_]+\.html)#(stated-[a-z0-9_-]+)"', row)
        assert target, f"{name}: no link to the sentence that states it"
        page = (BUILT_HTML / edition / "book" / target.group(1)).read_text(encoding="utf8")
        assert f'id="{target.group(2)}"' in page, name
        sentence = re.sub(r"<[^>]+>", "", row.split("<td")[1])
        assert len(sentence.split()) >= 3, f"{name}: the row shows no sentence: {sentence!r}"


#: Three findings of the book, on pages that run quickly from the build's trained models: each
#: inverted in a copy of its page must stop that page's execution.
INVERTED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
INVERTED_FINDINGS = [("softmax", "softmax_curves_close"), ("cnn_intro", "cnn_intro_reversed_filter_silent"),
                     ("lenet", "lenet_best_epoch_early")]


def _inverted_cells(page: str, name: str) -> list:
    """The page's code cells up to the one that checks ``name``, its relation inverted."""
    import ast

    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook((REPO / "book" / f"{page}.md").read_text(encoding="utf8"))
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for i, cell in enumerate(cells):
        if not re.search(rf"findings\.check\(\s*[\"']{name}[\"']", cell.source):
            continue
        tree = ast.parse(cell.source)
        for call in ast.walk(tree):
            if (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "check"
                    and isinstance(call.args[0], ast.Constant) and call.args[0].value == name):
                relation = call.args[3]
                lines = cell.source.split("\n")
                line = lines[relation.lineno - 1]
                flipped = repr(INVERTED[relation.value])
                lines[relation.lineno - 1] = (line[: relation.col_offset] + flipped
                                              + line[relation.end_col_offset:])
                cell.source = "\n".join(lines)
                return cells[: i + 1]
    raise AssertionError(f"no findings.check({name!r}, ...) with a literal relation on {page}")


@pytest.mark.built_book
@pytest.mark.slow
@pytest.mark.parametrize("page, name", INVERTED_FINDINGS)
def test_an_inverted_finding_of_the_book_stops_its_page(page, name, tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.v4.new_notebook(cells=_inverted_cells(page, name))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    os.environ.setdefault("CNNBOOK_CACHE_DIR", str(REPO / "_build" / "cnnbook-cache"))
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "book")}})
    with pytest.raises(CellExecutionError, match=rf"FindingFailed.*{name}"):
        client.execute()
