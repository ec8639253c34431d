/*
 * Output-size calculator for convolution and pooling, run in the reader's browser.
 *
 * convOutputSize() is a pure function with the same rules as cnnbook.geometry.output_size;
 * tests/test_calculator.py runs it with Node on cases generated from the Python and checks
 * that both agree. The rest of the file only wires it to a form inside every element with the
 * class "conv-calculator" on the page; conv_calculator.css styles it in the theme's colours.
 */
(function () {
  "use strict";

  var LIMIT = 1e9; // keeps the integer arithmetic below exact in JavaScript numbers

  // The value as a whole number >= minimum, or an error message (the rules of geometry._whole).
  function whole(name, raw, minimum) {
    var text;
    if (typeof raw === "number") {
      if (!Number.isInteger(raw)) return { error: name + " must be a whole number, got " + raw };
      text = String(raw);
    } else if (typeof raw === "string") {
      text = raw.trim();
    } else {
      return { error: name + " must be a whole number" };
    }
    if (text === "") return { error: "enter " + name };
    if (/^-\d+$/.test(text)) {
      return { error: name + " must be " + (minimum === 1 ? "positive" : "zero or more") + ", got " + text };
    }
    if (!/^\d+$/.test(text)) return { error: name + " must be a whole number, got '" + text + "'" };
    var value = Number(text);
    if (value > LIMIT) return { error: name + " is too large for this calculator" };
    if (value < minimum) {
      return { error: name + " must be " + (minimum === 1 ? "positive" : "zero or more") + ", got " + value };
    }
    return { value: value };
  }

  // numerator/denominator rounded half up to two decimals, exactly as geometry.two_decimals.
  function twoDecimals(numerator, denominator) {
    var hundredths = Math.floor((200 * numerator + denominator) / (2 * denominator));
    var cents = hundredths % 100;
    return Math.floor(hundredths / 100) + "." + (cents < 10 ? "0" : "") + cents;
  }

  function invalid(message) {
    return { status: "invalid", size: null, message: message };
  }

  /*
   * The output size along one dimension for an input of n, a filter (or pool window) of f,
   * a stride and a padding: a number of zeros on each side, or 'valid' / 'same' (any case).
   * Arguments may be numbers or the strings a reader typed. Returns
   *   {status: "ok", size, message}
   *   {status: "nofit", size: null, value: "2.33", valid: 2 or null, same: 3, message}
   *   {status: "invalid", size: null, message}
   */
  function convOutputSize(n, f, stride, padding) {
    var N = whole("N", n, 1);
    if (N.error) return invalid(N.error);
    var F = whole("F", f, 1);
    if (F.error) return invalid(F.error);
    var S = whole("stride", stride, 1);
    if (S.error) return invalid(S.error);
    N = N.value; F = F.value; S = S.value;

    var same = Math.ceil(N / S);
    var valid = F <= N ? Math.floor((N - F) / S) + 1 : null;
    var mode = typeof padding === "string" ? padding.trim().toLowerCase() : null;

    if (mode === "same") {
      return { status: "ok", size: same, message: "'same': ceil(N / stride) = ceil(" + N + " / " + S + ") = " + same };
    }
    if (mode === "valid") {
      if (valid === null) return invalid("filter larger than input: F = " + F + " > N = " + N + ", so 'valid' has no position");
      return {
        status: "ok", size: valid,
        message: "'valid': floor((N - F) / stride) + 1 = floor((" + N + " - " + F + ") / " + S + ") + 1 = " + valid,
      };
    }
    if (mode !== null && !/^-?\d+$/.test(mode)) {
      return invalid("unknown padding '" + padding + "': give a number of zeros, 'valid' or 'same'");
    }
    var P = whole("padding", padding, 0);
    if (P.error) return invalid(P.error);
    P = P.value;

    var total = N + 2 * P;
    if (F > total) {
      return invalid("filter larger than padded input: F = " + F + " > N + 2P = " + total);
    }
    var formula = "(" + N + " - " + F + " + 2\u00d7" + P + ") / " + S + " + 1";
    var steps = Math.floor((total - F) / S);
    if ((total - F) % S !== 0) {
      var value = twoDecimals(total - F + S, S);
      var overhang = (steps + 1) * S + F - total;
      return {
        status: "nofit", size: null, value: value, valid: valid, same: same,
        message: "does not fit: " + formula + " = " + value + " is not a whole number; the filter's next " +
          "position would stick out " + overhang + " past the edge. " +
          (valid === null
            ? "'valid' has no position at all (the filter is larger than the input)"
            : "'valid' (no zeros) drops the incomplete last position: " + valid) +
          "; 'same' adds the zeros it needs: " + same + ".",
      };
    }
    return { status: "ok", size: steps + 1, message: formula + " = " + (steps + 1) };
  }

  // ---- the widget -------------------------------------------------------------------------

  var FIELDS = [
    ["n", "N (input size)", "7"],
    ["f", "F (filter size, 필터)", "3"],
    ["stride", "stride (스트라이드)", "1"],
    ["padding", "padding (패딩): zeros, 'valid' or 'same'", "0"],
  ];

  function mount(container) {
    var form = document.createElement("form");
    form.className = "conv-calculator-form";
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var inputs = {};
    FIELDS.forEach(function (field) {
      var label = document.createElement("label");
      label.appendChild(document.createTextNode(field[1] + " "));
      var input = document.createElement("input");
      input.type = "text";
      input.size = 6;
      input.value = container.getAttribute("data-" + field[0]) || field[2];
      input.setAttribute("aria-label", field[1]);
      label.appendChild(input);
      form.appendChild(label);
      inputs[field[0]] = input;
    });
    var result = document.createElement("p");
    result.className = "conv-calculator-result";
    result.setAttribute("aria-live", "polite");
    form.appendChild(result);

    function update() {
      var r = convOutputSize(inputs.n.value, inputs.f.value, inputs.stride.value, inputs.padding.value);
      result.textContent = r.status === "ok"
        ? "output size: " + r.size + "   \u2014 " + r.message
        : (r.status === "nofit" ? "" : "invalid input: ") + r.message;
      result.className = "conv-calculator-result" + (r.status === "ok" ? "" : " is-problem");
    }
    form.addEventListener("input", update);
    container.appendChild(form);
    update();
  }

  function mountAll() {
    var containers = document.querySelectorAll(".conv-calculator");
    for (var i = 0; i < containers.length; i++) mount(containers[i]);
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
    else mountAll();
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { convOutputSize: convOutputSize, twoDecimals: twoDecimals };
  }
})();
