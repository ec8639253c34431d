"""The in-page calculator (book/_static/conv_calculator.js) agrees with cnnbook.geometry.

Node runs the widget's pure functions on a table of cases generated here from geometry.py; every
answer must match: the size, or "does not fit" with the same alternatives, or "invalid input"
(convOutputSize against geometry.output_size), and where the windows land, the zeros before and
after included (axisPositions against geometry.axis_positions). The widget itself is run on a
small stand-in page, in both editions. Node is required: without it the JavaScript would go
untested, so the test fails instead.
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
const calculator = require(process.argv[1]);
const run = calculator[process.argv[2] || "convOutputSize"];
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map((c) => run(...c))));
"""


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    assert found, (
        "node (Node.js) is not on PATH: it is needed to test book/_static/conv_calculator.js. "
        "Install Node.js 18 or later (CI and the build machines have v20)."
    )
    return found


def run_calculator(node: str, cases: list[tuple], function: str = "convOutputSize") -> list[dict]:
    """The JavaScript's answer for each case, each argument given as the text a reader types."""
    typed = [[value if isinstance(value, str) else str(value) for value in case] for case in cases]
    done = subprocess.run([node, "-e", RUNNER, str(SCRIPT), function], input=json.dumps(typed),
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
    assert "axisPositions" in done.stdout and "scene" in done.stdout


# ---- where the windows land: axisPositions against geometry.axis_positions -----------------

AXIS_FIELDS = {"padBefore": "pad_before", "padAfter": "pad_after", "first": "first", "last": "last",
               "count": "count", "fits": "fits", "overhang": "overhang", "unused": "unused"}


def assert_positions_agree(cases: list[tuple], answers: list[dict]) -> None:
    for case, js in zip(cases, answers):
        try:
            axis = geometry.axis_positions(*case)
        except (TypeError, ValueError):
            assert js["status"] == "invalid" and js["message"], (case, js)
            continue
        assert js["status"] == "ok", (case, js)
        assert {key: js[key] for key in AXIS_FIELDS} == {
            key: getattr(axis, name) for key, name in AXIS_FIELDS.items()}, case


def test_the_lectures_positions(node):
    """The lecture's four cases, and Keras's two ways out of the third, drawn where Python puts them."""
    cases = [(7, 3, 1, 0), (7, 3, 2, 0), (7, 3, 3, 0), (7, 3, 1, 1), (7, 3, 3, "valid"), (7, 3, 3, "same"),
             (7, 2, 2, "same"), (4, 2, 2, "valid")]
    answers = run_calculator(node, cases, "axisPositions")
    assert [(a["count"], a["fits"]) for a in answers[:4]] == [(5, True), (3, True), (2, False), (7, True)]
    assert answers[2]["overhang"] == 2 and answers[2]["last"] == 3       # the third would start at 6
    assert (answers[3]["first"], answers[3]["last"]) == (-1, 5)          # one zero before the input
    assert (answers[6]["padBefore"], answers[6]["padAfter"]) == (0, 1)   # 'same': the extra zero after
    assert_positions_agree(cases, answers)


def test_every_small_case_is_drawn_where_geometry_puts_it(node):
    cases = grid_cases()
    assert_positions_agree(cases, run_calculator(node, cases, "axisPositions"))


def test_random_larger_cases_are_drawn_where_geometry_puts_them(node):
    cases = random_cases() + INVALID_CASES
    assert_positions_agree(cases, run_calculator(node, cases, "axisPositions"))


# ---- the widget on a stand-in page, in both editions -------------------------------------

FAKE_PAGE = """
function element(tag) {
  return {tag, children: [], style: {}, attrs: {}, listeners: {}, hidden: false, value: "", className: "",
          get firstChild() { return this.children[0] || null; },
          get textContent() { return this.text !== undefined ? this.text
                                     : this.children.map((c) => c.textContent).join(""); },
          set textContent(value) { this.children = []; this.text = String(value); },
          appendChild(child) { this.children.push(child); return child; },
          removeChild(child) { this.children.splice(this.children.indexOf(child), 1); return child; },
          setAttribute(key, value) { this.attrs[key] = String(value); },
          getAttribute(key) { return key in this.attrs ? this.attrs[key] : null; },
          addEventListener(type, f) { (this.listeners[type] = this.listeners[type] || []).push(f); },
          fire(type) { (this.listeners[type] || []).forEach((f) => f({stopPropagation() {}})); },
          find(test) { const out = [];
                       const walk = (n) => { if (test(n)) out.push(n); (n.children || []).forEach(walk); };
                       walk(this); return out; },
          cls(name) { return this.find((n) => (n.attrs && (n.attrs.class || "").split(" ").includes(name))
                                              || (n.className || "").split(" ").includes(name)); }};
}
const [lang, mode, data] = JSON.parse(process.argv[2]);
const container = element("div");
Object.assign(container.attrs, data);
if (mode) container.attrs["data-mode"] = mode;
global.document = {readyState: "complete", documentElement: {lang}, createElement: element,
                   createElementNS: (ns, tag) => element(tag),
                   createTextNode: (text) => ({textContent: text}),
                   querySelectorAll: (selector) => (selector === ".conv-calculator" ? [container] : []),
                   addEventListener() {}};
require(process.argv[1]);
const form = container.children[0];
const result = form.cls("conv-calculator-result")[0];
const inputs = ["n", "f", "stride", "padding"]
  .map((key) => form.find((n) => n.attrs && n.attrs["data-field"] === key)[0]);
const fields = form.cls("ccalc-fields")[0];
const slider = form.cls("ccalc-slider")[0];
const [previous, next] = [form.cls("ccalc-previous")[0], form.cls("ccalc-next")[0]];
const look = () => ({
  result: result.textContent, problem: result.className.includes("is-problem"),
  description: form.cls("ccalc-description")[0].textContent,
  stepperHidden: form.cls("ccalc-stepper")[0].hidden, slider: [slider.value, slider.max],
  filter: (form.cls("ccalc-filter")[0] || {attrs: {}}).attrs["data-start"],
  beyond: form.cls("ccalc-beyond").length, dots: form.cls("ccalc-dot").length,
  off: form.cls("ccalc-dot-off").length, outputs: form.cls("ccalc-out").length,
  current: (form.cls("ccalc-current")[0] || {attrs: {}}).attrs["data-cell"],
  captions: form.cls("ccalc-caption").map((c) => c.textContent),
  figure: form.cls("conv-calculator-figure")[0].textContent});
const type = (values) => {
  values.forEach((v, i) => { if (v !== null) inputs[i].value = v; });
  fields.fire("input");
};
const shown = {labels: form.find((n) => n.tag === "label").map((l) => l.children[0].textContent.trim()),
               buttons: [previous.textContent, next.textContent], values: inputs.map((i) => i.value),
               steps: []};
shown.steps.push(look());                                   // the case it opens on
type([null, null, "1", "0"]); shown.steps.push(look());     // stride 1
next.fire("click"); shown.steps.push(look());               // the second position
previous.fire("click"); previous.fire("click"); shown.steps.push(look());   // wraps to the last
type([null, null, "2", "same"]); shown.steps.push(look());
type([null, null, "2", "1"]); slider.value = "5"; slider.fire("input"); shown.steps.push(look());
type(["x", null, null, null]); shown.steps.push(look());
type(["60", "3", "1", "0"]); shown.steps.push(look());    // too large to draw, computed all the same
process.stdout.write(JSON.stringify(shown));
"""


def widget(node: str, lang: str, mode: str | None, data: dict) -> dict:
    done = subprocess.run([node, "-e", FAKE_PAGE, str(SCRIPT), json.dumps([lang, mode, data])],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


LECTURE_NO_FIT = {"data-n": "7", "data-f": "3", "data-stride": "3", "data-padding": "0"}


def test_the_widget_on_a_page(node):
    """Built in its container from the data-* values, drawn, stepped through, following the typing."""
    shown = widget(node, "en", None, LECTURE_NO_FIT)
    assert shown["values"] == ["7", "3", "3", "0"]
    assert shown["buttons"] == ["Previous", "Next"]
    nofit, stride_one, second, last, same_two, padded, bad, large = shown["steps"]
    # stride 3 does not fit: it opens on the position that sticks out past the right edge
    assert "does not fit" in nofit["result"] and "2.33" in nofit["result"] and nofit["problem"]
    assert nofit["slider"] == ["3", "9"] and nofit["filter"] == "0,6"
    assert nofit["beyond"] == 3 * 2                        # rows 1-3 of the two columns past the edge
    assert nofit["dots"] == 9 and nofit["off"] == 9 - 4    # 2 x 2 fit, the rest stick out
    assert nofit["outputs"] == 4 and nofit["current"] == "0,2"
    assert "row 1, column 3" in nofit["description"] and "2 cells past the right edge" in nofit["description"]
    assert nofit["captions"] == ["input 7 \u00d7 7; no padding",
                                 "output: 2.33 is not a size (2 \u00d7 2 fit)"]
    # stride 1: a new case opens on its first position; Next and Previous step, and wrap around
    assert stride_one["result"].startswith(f"output size: {geometry.output_size(7, 3, 1)} ")
    assert stride_one["slider"] == ["1", "25"] and stride_one["filter"] == "0,0" and stride_one["off"] == 0
    assert second["filter"] == "0,1" and second["current"] == "0,1"
    assert "row 1, column 2" in second["description"]
    assert last["slider"] == ["25", "25"] and last["filter"] == "4,4"
    assert same_two["result"].startswith(f"output size: {geometry.output_size(7, 3, 2, 'same')} ")
    pads = "'same' pads 1 before (top, left) and 1 after (bottom, right): 9 \u00d7 9"
    assert pads in same_two["captions"][0]
    # padding 1 at stride 2: the slider's fifth position is row 2, column 1, starting in the zeros
    assert padded["slider"] == ["5", "16"] and padded["filter"] == "1,-1" and padded["current"] == "1,0"
    assert bad["result"].startswith("invalid input: N must be a whole number")
    assert bad["stepperHidden"] and bad["dots"] == 0 and bad["description"] == ""
    assert large["result"].startswith(f"output size: {geometry.output_size(60, 3)} ")
    assert large["dots"] == 0 and not large["stepperHidden"]
    assert large["figure"].startswith("Too large to draw")


def test_the_widget_speaks_korean_on_a_korean_page(node):
    shown = widget(node, "ko", None, LECTURE_NO_FIT)
    assert shown["labels"][:3] == ["N (입력 크기)", "F (필터 크기)", "스트라이드"]
    assert shown["buttons"] == ["이전", "다음"]
    nofit, stride_one, second, *_, bad, large = shown["steps"]
    assert nofit["result"].startswith("필터가 맞지 않습니다") and "2.33" in nofit["result"]
    assert "1행 3열에서는 필터가 맞지 않습니다" in nofit["description"]
    assert "오른쪽 가장자리 밖으로 2칸" in nofit["description"]
    assert nofit["captions"][0] == "입력 7 \u00d7 7; 패딩 없음"
    assert stride_one["result"].startswith(f"출력 크기: {geometry.output_size(7, 3, 1)} ")
    assert "1행 2열" in second["description"]
    assert bad["result"].startswith("입력이 올바르지 않습니다: N 값은 정수여야 합니다")
    assert large["dots"] == 0 and large["figure"].startswith("그리기에는 너무 큽니다")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_widget_draws_pooling_windows(node, lang):
    shown = widget(node, lang, "pool",
                   {"data-n": "4", "data-f": "2", "data-stride": "2", "data-padding": "valid"})
    opened = shown["steps"][0]
    assert shown["values"] == ["4", "2", "2", "valid"]
    assert opened["outputs"] == geometry.output_size(4, 2, 2, "valid") ** 2 and opened["slider"] == ["1", "4"]
    words = {"en": ("F (window size, pool_size)", "Window at row 1, column 1"),
             "ko": ("F (윈도우 크기, pool_size)", "윈도우가 2 \u00d7 2 위치 중 1행 1열에 있습니다")}[lang]
    assert shown["labels"][1] == words[0] and opened["description"].startswith(words[1])
