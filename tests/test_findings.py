"""Findings: a sentence about a run is checked by the run (cnnbook.findings, findings_page).

The unit tests check the comparison and its margin; the small books check the build: a finding
that holds is listed on the Findings page with its sentence, and a finding inverted, a check
deleted or a sentence that states no declared finding each fail the strict build.
"""

from __future__ import annotations

import json

import pytest

from cnnbook import findings
from test_build import STRICT, build, make_book


def test_a_finding_that_holds_has_a_positive_margin():
    found = findings.evaluate("x_faster", "the new net is faster", 12.0, ">", 4.0, fmt="{:.1f}x")
    assert found.holds and found.margin == 8.0 and found.relative_margin == 2.0
    assert found.comparison == "12.0x > 4.0x" and found.margin_text == "8.0x (200%)"
    lower = findings.evaluate("x_lower", "the deep net errs less", 0.0134, "<", 0.0299, fmt="{:.2%}")
    assert lower.holds and lower.margin == pytest.approx(0.0165)
    assert lower.margin_text == "1.65% (55%)"


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
    assert "1.34% &lt; 2.99%" in html and "1.65% (55%)" in html
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
