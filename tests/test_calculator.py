"""The in-page calculator (book/_static/conv_calculator.js) agrees with cnnbook.geometry.

Node runs the widget's pure function on a table of cases generated here from geometry.py; every
answer must match: the size, or "does not fit" with the same alternatives, or "invalid input".
Node is required: without it the JavaScript would go untested, so the test fails instead.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess

import pytest

from cnnbook import geometry
from conftest import REPO

SCRIPT = REPO / "book" / "_static" / "conv_calculator.js"
RUNNER = """
const {convOutputSize} = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map((c) => convOutputSize(...c))));
"""


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    assert found, (
        "node (Node.js) is not on PATH: it is needed to test book/_static/conv_calculator.js. "
        "Install Node.js 18 or later (CI and the build machines have v20)."
    )
    return found


def run_calculator(node: str, cases: list[tuple]) -> list[dict]:
    """The JavaScript's answer for each case, each argument given as the text a reader types."""
    typed = [[value if isinstance(value, str) else str(value) for value in case] for case in cases]
    done = subprocess.run([node, "-e", RUNNER, str(SCRIPT)], input=json.dumps(typed),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    assert len(answers) == len(cases)
    return answers


def python_answer(case: tuple) -> dict:
    try:
        return {"status": "ok", "size": geometry.output_size(*case)}
    except geometry.DoesNotFit as error:
        return {"status": "nofit", "error": error}
    except (TypeError, ValueError) as error:
        return {"status": "invalid", "error": error}


def grid_cases() -> list[tuple]:
    """Every small case: fitting and not, explicit and named paddings, filters larger than inputs."""
    paddings = [0, 1, 2, 3, "valid", "same", "VALID", "Same"]
    return list(itertools.product(range(1, 13), range(1, 8), range(1, 5), paddings))


def random_cases(count: int = 3000) -> list[tuple]:
    rng = random.Random(20260101)
    cases = []
    for _ in range(count):
        n = rng.choice([rng.randint(1, 40), rng.randint(1, 10**6)])
        f = rng.randint(1, min(n + 5, 12)) if rng.random() < 0.7 else rng.randint(1, 10**6)
        padding = rng.choice([rng.randint(0, 6), rng.randint(0, 10**5), "valid", "same"])
        cases.append((n, f, rng.randint(1, 9), padding))
    return cases


BAD_VALUES = [0, -1, -7, 2.5, 7.0, True, False, None]
INVALID_CASES = (
    [(value, 3, 1, 0) for value in BAD_VALUES]
    + [(7, value, 1, 0) for value in BAD_VALUES]
    + [(7, 3, value, 0) for value in BAD_VALUES]
    + [(7, 3, 1, value) for value in (-1, -3, 1.5, 1.0, True, None, "full", "causal", "", "samee")]
    + [(3, 4, 1, 0), (1, 4, 1, 1), (7, 30, 2, 10), (3, 5, 1, "valid"), (2, 7, 3, "VALID")]
)


def assert_agree(cases: list[tuple], answers: list[dict]) -> None:
    for case, js in zip(cases, answers):
        expected = python_answer(case)
        assert js["status"] == expected["status"], (case, js, expected)
        if expected["status"] == "ok":
            assert js["size"] == expected["size"], (case, js)
            assert str(expected["size"]) in js["message"]
        elif expected["status"] == "nofit":
            error = expected["error"]
            assert (js["valid"], js["same"]) == (error.valid, error.same), (case, js)
            assert js["value"] in str(error), (case, js["value"], str(error))
            assert abs(float(js["value"]) - error.value) <= 0.005 + 1e-9   # rounded half up
            assert "does not fit" in js["message"] and js["value"] in js["message"]
        else:
            assert js["size"] is None and js["message"], (case, js)


def test_the_lectures_examples(node):
    cases = [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 3, 0), (7, 3, 1, 1), (32, 5, 1, 0), (32, 5, 1, 1),
             (7, 3, 3, "valid"), (7, 3, 3, "same")]
    answers = run_calculator(node, cases)
    assert [a["size"] for a in answers] == [5, 3, None, 7, 28, 30, 2, 3]
    nofit = answers[2]
    assert nofit["status"] == "nofit" and nofit["value"] == "2.33"
    assert "'valid'" in nofit["message"] and "'same'" in nofit["message"]
    assert_agree(cases, answers)


def test_every_small_case_agrees_with_geometry(node):
    cases = grid_cases()
    statuses = {python_answer(case)["status"] for case in cases}
    assert statuses == {"ok", "nofit", "invalid"}        # the table covers every outcome
    assert_agree(cases, run_calculator(node, cases))


def test_random_larger_cases_agree_with_geometry(node):
    cases = random_cases()
    assert_agree(cases, run_calculator(node, cases))


def test_invalid_input_is_refused_as_in_python(node):
    for case in INVALID_CASES:
        assert python_answer(case)["status"] == "invalid", case
    assert_agree(INVALID_CASES, run_calculator(node, INVALID_CASES))


def test_what_only_a_typing_reader_sends(node):
    """Spaces around a number, an empty field, words: the widget's own input handling."""
    cases = [(" 7 ", "3", " 1", " 1 "), ("", "3", "1", "0"), ("seven", "3", "1", "0"),
             ("7", "3", "1", " same "), ("1e3", "3", "1", "0"), ("7", "3", "1", "+1")]
    answers = run_calculator(node, cases)
    assert [a["status"] for a in answers] == ["ok", "invalid", "invalid", "ok", "invalid", "invalid"]
    assert answers[0]["size"] == 7 and answers[3]["size"] == 7
    assert answers[1]["message"] == "enter N"


def test_two_decimals_match(node):
    pairs = [(7, 3), (1, 8), (5, 8), (3, 2), (10, 5), (1, 3), (2, 3), (999, 1000), (123457, 7)]
    script = (
        "const {twoDecimals} = require(process.argv[1]);"
        f"process.stdout.write(JSON.stringify({json.dumps(pairs)}.map(([a, b]) => twoDecimals(a, b))));"
    )
    done = subprocess.run([node, "-e", script, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [geometry.two_decimals(a, b) for a, b in pairs]


def test_the_script_loads_without_a_page(node):
    """In Node there is no document: the module must export its function and touch no DOM."""
    script = "const m = require(process.argv[1]); console.log(Object.keys(m).sort())"
    done = subprocess.run([node, "-e", script, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "convOutputSize" in done.stdout and "twoDecimals" in done.stdout


FAKE_PAGE = """
function element(tag) {
  return {tag, children: [], style: {}, attrs: {}, listeners: {}, textContent: "", value: "",
          appendChild(child) { this.children.push(child); return child; },
          setAttribute(key, value) { this.attrs[key] = String(value); },
          getAttribute(key) { return key in this.attrs ? this.attrs[key] : null; },
          addEventListener(type, f) { (this.listeners[type] = this.listeners[type] || []).push(f); }};
}
const container = element("div");
Object.assign(container.attrs, {"data-n": "7", "data-f": "3", "data-stride": "3", "data-padding": "0"});
global.document = {readyState: "complete", createElement: element, createTextNode: (text) => ({text}),
                   querySelectorAll: (selector) => (selector === ".conv-calculator" ? [container] : []),
                   addEventListener() {}};
require(process.argv[1]);
const form = container.children[0];
const result = form.children.find((child) => child.tag === "p");
const inputs = form.children.filter((c) => c.tag === "label")
  .map((label) => label.children.find((c) => c.tag === "input"));
const shown = [inputs.map((input) => input.value), result.textContent];
inputs[2].value = "1";                                  // the reader types stride 1
form.listeners.input.forEach((f) => f());
shown.push(result.textContent);
inputs[3].value = "same";
inputs[2].value = "2";
form.listeners.input.forEach((f) => f());
shown.push(result.textContent);
inputs[0].value = "x";
form.listeners.input.forEach((f) => f());
shown.push(result.textContent);
process.stdout.write(JSON.stringify(shown));
"""


def test_the_widget_on_a_page(node):
    """The form is built in the container, starts from its data-* values and follows the typing."""
    done = subprocess.run([node, "-e", FAKE_PAGE, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    values, first, stride_one, same_two, bad = json.loads(done.stdout)
    assert values == ["7", "3", "3", "0"]
    assert "does not fit" in first and "2.33" in first
    assert stride_one.startswith(f"output size: {geometry.output_size(7, 3, 1)} ")
    assert same_two.startswith(f"output size: {geometry.output_size(7, 3, 2, 'same')} ")
    assert bad.startswith("invalid input: N must be a whole number")
