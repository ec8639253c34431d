/*
 * Output-size calculator for convolution and pooling, run in the reader's browser, and a live
 * drawing of what it computes: the N x N input with its zero padding, the filter (or pooling
 * window) at one position, the centre of every position, and the output grid beside it.
 *
 * Two pure functions hold the arithmetic, with the same rules as cnnbook.geometry:
 *   convOutputSize(n, f, stride, padding)   as geometry.output_size
 *   axisPositions(n, f, stride, padding)    as geometry.axis_positions (zeros before and after,
 *                                           first and last position, count, overhang, unused)
 * tests/test_calculator.py runs them with Node on thousands of cases generated from the Python
 * and checks that both agree. The rest of the file builds the widget inside every element with
 * the class "conv-calculator" (data-n, data-f, data-stride, data-padding: the case it opens on;
 * data-mode="pool": a pooling window instead of a filter), in English or, on a page whose
 * <html lang> is Korean, in Korean. conv_calculator.css styles it in the theme's colours.
 * Nothing is loaded from anywhere: no library, no server.
 */
(function () {
  "use strict";

  var LIMIT = 1e9; // keeps the integer arithmetic below exact in JavaScript numbers
  var MAX_DRAWN = 40; // cells per side beyond which the drawing would be unreadable

  // The value as a whole number >= minimum, or an error (the rules of geometry._whole).
  function whole(name, raw, minimum) {
    var text;
    if (typeof raw === "number") {
      if (!Number.isInteger(raw)) return { error: name + " must be a whole number, got " + raw, reason: "notwhole", got: String(raw) };
      text = String(raw);
    } else if (typeof raw === "string") {
      text = raw.trim();
    } else {
      return { error: name + " must be a whole number", reason: "notwhole", got: String(raw) };
    }
    if (text === "") return { error: "enter " + name, reason: "empty" };
    var kind = minimum === 1 ? "positive" : "zero or more";
    if (/^-\d+$/.test(text)) {
      return { error: name + " must be " + kind + ", got " + text, reason: kind, got: text };
    }
    if (!/^\d+$/.test(text)) return { error: name + " must be a whole number, got '" + text + "'", reason: "notwhole", got: text };
    var value = Number(text);
    if (value > LIMIT) return { error: name + " is too large for this calculator", reason: "toolarge" };
    if (value < minimum) {
      return { error: name + " must be " + kind + ", got " + value, reason: kind, got: String(value) };
    }
    return { value: value };
  }

  // numerator/denominator rounded half up to two decimals, exactly as geometry.two_decimals.
  function twoDecimals(numerator, denominator) {
    var hundredths = Math.floor((200 * numerator + denominator) / (2 * denominator));
    var cents = hundredths % 100;
    return Math.floor(hundredths / 100) + "." + (cents < 10 ? "0" : "") + cents;
  }

  function invalid(message, reason, details) {
    var result = { status: "invalid", size: null, message: message, reason: reason };
    for (var key in details || {}) result[key] = details[key];
    return result;
  }

  // The four arguments checked: {N, F, S, mode ("valid", "same" or null), P (or null)} or an
  // invalid result.
  function parse(n, f, stride, padding) {
    var checked = [["N", n, 1], ["F", f, 1], ["stride", stride, 1]].map(function (field) {
      var w = whole(field[0], field[1], 1);
      if (w.error) w.field = field[0];
      return w;
    });
    for (var i = 0; i < checked.length; i++) {
      if (checked[i].error) return { invalid: invalid(checked[i].error, checked[i].reason, { field: checked[i].field, got: checked[i].got }) };
    }
    var args = { N: checked[0].value, F: checked[1].value, S: checked[2].value, mode: null, P: null };
    var mode = typeof padding === "string" ? padding.trim().toLowerCase() : null;
    if (mode === "same" || mode === "valid") {
      args.mode = mode;
      return args;
    }
    if (mode !== null && !/^-?\d+$/.test(mode)) {
      return { invalid: invalid("unknown padding '" + padding + "': give a number of zeros, 'valid' or 'same'", "padding", { got: String(padding) }) };
    }
    var P = whole("padding", padding, 0);
    if (P.error) return { invalid: invalid(P.error, P.reason, { field: "padding", got: P.got }) };
    args.P = P.value;
    return args;
  }

  // ceil(N / S) and the zeros 'same' adds before and after, as geometry.same_sides.
  function sameSides(N, F, S) {
    var total = Math.max((Math.ceil(N / S) - 1) * S + F - N, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }

  /*
   * The output size along one dimension for an input of n, a filter (or pool window) of f,
   * a stride and a padding: a number of zeros on each side, or 'valid' / 'same' (any case).
   * Arguments may be numbers or the strings a reader typed. Returns
   *   {status: "ok", size, formula, message}
   *   {status: "nofit", size: null, value: "2.33", valid: 2 or null, same: 3, overhang, formula, message}
   *   {status: "invalid", size: null, reason, message}
   */
  function convOutputSize(n, f, stride, padding) {
    var a = parse(n, f, stride, padding);
    if (a.invalid) return a.invalid;
    var N = a.N, F = a.F, S = a.S;
    var same = Math.ceil(N / S);
    var valid = F <= N ? Math.floor((N - F) / S) + 1 : null;
    var formula;

    if (a.mode === "same") {
      formula = "'same': ceil(N / stride) = ceil(" + N + " / " + S + ") = " + same;
      return { status: "ok", size: same, formula: formula, message: formula };
    }
    if (a.mode === "valid") {
      if (valid === null) {
        return invalid("filter larger than input: F = " + F + " > N = " + N + ", so 'valid' has no position",
          "larger", { F: F, N: N });
      }
      formula = "'valid': floor((N - F) / stride) + 1 = floor((" + N + " - " + F + ") / " + S + ") + 1 = " + valid;
      return { status: "ok", size: valid, formula: formula, message: formula };
    }
    var P = a.P;
    var total = N + 2 * P;
    if (F > total) {
      return invalid("filter larger than padded input: F = " + F + " > N + 2P = " + total,
        "larger-padded", { F: F, total: total });
    }
    formula = "(" + N + " - " + F + " + 2\u00d7" + P + ") / " + S + " + 1";
    var steps = Math.floor((total - F) / S);
    if ((total - F) % S !== 0) {
      var value = twoDecimals(total - F + S, S);
      var overhang = (steps + 1) * S + F - total;
      return {
        status: "nofit", size: null, value: value, valid: valid, same: same, overhang: overhang,
        formula: formula + " = " + value,
        message: "does not fit: " + formula + " = " + value + " is not a whole number; the filter's next " +
          "position would stick out " + overhang + " past the edge. " +
          (valid === null
            ? "'valid' has no position at all (the filter is larger than the input)"
            : "'valid' (no zeros) drops the incomplete last position: " + valid) +
          "; 'same' adds the zeros it needs: " + same + ".",
      };
    }
    formula = formula + " = " + (steps + 1);
    return { status: "ok", size: steps + 1, formula: formula, message: formula };
  }

  /*
   * Where the windows land along one dimension, as geometry.axis_positions: positions count
   * input cells from the input's first one (a window starting in the zeros before it starts
   * below 0). Returns {status: "ok", padBefore, padAfter, first, last, count, fits, overhang,
   * unused} or the invalid result of convOutputSize. A case that does not fit is described:
   * fits false, count the windows that fit, overhang how far past the edge the next would reach.
   */
  function axisPositions(n, f, stride, padding) {
    var a = parse(n, f, stride, padding);
    if (a.invalid) return a.invalid;
    var N = a.N, F = a.F, S = a.S, before, after;
    if (a.mode === "same") {
      var sides = sameSides(N, F, S);
      before = sides[0]; after = sides[1];
    } else if (a.mode === "valid") {
      if (F > N) return convOutputSize(n, f, stride, padding);
      before = after = 0;
    } else {
      before = after = a.P;
    }
    var total = N + before + after;
    if (F > total) return convOutputSize(n, f, stride, padding);
    var steps = Math.floor((total - F) / S);
    var fits = (total - F) % S === 0 || a.mode !== null;
    var last = -before + steps * S;
    return {
      status: "ok", padBefore: before, padAfter: after, first: -before, last: last,
      count: steps + 1, fits: fits, overhang: fits ? 0 : (steps + 1) * S + F - total,
      unused: N + after - (last + F),
    };
  }

  // ---- the words, in each edition ---------------------------------------------------------

  var WORDS = {
    en: {
      fields: {
        conv: ["N (input size)", "F (filter size, 필터)", "stride (스트라이드)",
          "padding (패딩): zeros, 'valid' or 'same'"],
        pool: ["N (input size)", "F (window size, pool_size)", "stride (스트라이드)",
          "padding (패딩): zeros, 'valid' or 'same'"],
      },
      filter: { conv: "filter", pool: "window" },
      Filter: { conv: "Filter", pool: "Window" },
      previous: "Previous", next: "Next",
      position: function (w) { return w + " position"; },
      rowCol: function (r, c) { return "row " + r + ", column " + c; },
      of: function (k, total) { return k + " of " + total; },
      outputSize: "output size: ",
      invalidInput: "invalid input: ",
      invalid: function (r, w) { return r.message.replace(/filter/g, w); },
      nofit: function (r, w) { return r.message.replace(/filter/g, w); },
      input: function (N) { return "input " + N + " \u00d7 " + N; },
      padding: function (a, mode, padded) {
        if (mode === "same") {
          return "'same' pads " + a.padBefore + " before (top, left) and " + a.padAfter +
            " after (bottom, right): " + padded + " \u00d7 " + padded;
        }
        if (mode === "valid") return "'valid': no padding";
        if (!a.padBefore) return "no padding";
        return a.padBefore + (a.padBefore === 1 ? " zero" : " zeros") + " on each side: " + padded + " \u00d7 " + padded;
      },
      output: function (k) { return "output " + k + " \u00d7 " + k; },
      outputNofit: function (value, k) { return "output: " + value + " is not a size (" + k + " \u00d7 " + k + " fit)"; },
      legend: { input: "input", zeros: "zero padding", beyond: "beyond the edge", unused: "never covered",
        centre: "centre of a position", current: "this position's output" },
      tooLarge: "Too large to draw (more than " + MAX_DRAWN + " cells a side); the output size above is computed all the same.",
      edges: { right: "right", bottom: "bottom" },
      describeFit: function (o) {
        return o.Filter + " at " + o.rowCol + " of " + o.k + " \u00d7 " + o.k + " positions" +
          (o.fits ? "" : " that fit") + ". It covers rows " + o.rows + " and columns " + o.cols + " of the " +
          o.padded + " \u00d7 " + o.padded + " input" + (o.zeros ? " with its zero padding" : "") +
          " and gives output cell " + o.rowCol + ".";
      },
      describeNofit: function (o) {
        var beyond = o.beyond.map(function (b) { return b[1] + (b[1] === 1 ? " cell" : " cells") + " past the " + b[0] + " edge"; });
        return o.Filter + " at " + o.rowCol + ": the " + o.filter + " does not fit. It would need " +
          beyond.join(" and ") + ". Only " + o.k + " \u00d7 " + o.k + " positions fit: " + o.formula +
          " is not a whole number.";
      },
    },
    ko: {
      fields: {
        conv: ["N (입력 크기)", "F (필터 크기)", "스트라이드",
          "패딩: 0의 개수, 'valid' 또는 'same'"],
        pool: ["N (입력 크기)", "F (윈도우 크기, pool_size)", "스트라이드",
          "패딩: 0의 개수, 'valid' 또는 'same'"],
      },
      filter: { conv: "필터", pool: "윈도우" },
      Filter: { conv: "필터", pool: "윈도우" },
      previous: "이전", next: "다음",
      position: function (w) { return w + " 위치"; },
      rowCol: function (r, c) { return r + "행 " + c + "열"; },
      of: function (k, total) { return total + "개 중 " + k + "번째"; },
      outputSize: "출력 크기: ",
      invalidInput: "입력이 올바르지 않습니다: ",
      invalid: function (r, w) {
        var name = { N: "N", F: "F", stride: "스트라이드", padding: "패딩" }[r.field];
        var got = r.got === undefined ? "" : " (입력: " + r.got + ")";
        switch (r.reason) {
          case "empty": return name + " 값을 입력하세요";
          case "positive": return name + " 값은 양수여야 합니다" + got;
          case "zero or more": return name + " 값은 0 이상이어야 합니다" + got;
          case "notwhole": return name + " 값은 정수여야 합니다" + got;
          case "toolarge": return name + " 값이 이 계산기에는 너무 큽니다";
          case "padding": return "알 수 없는 패딩 '" + r.got + "': 0의 개수, 'valid' 또는 'same'을 입력하세요";
          case "larger": return w + "가 입력보다 큽니다: F = " + r.F + " > N = " + r.N +
            ". 'valid' 패딩으로는 놓을 수 있는 위치가 없습니다";
          case "larger-padded": return w + "가 패딩한 입력보다 큽니다: F = " + r.F + " > N + 2P = " + r.total;
          default: return r.message;
        }
      },
      nofit: function (r, w) {
        return w + "가 맞지 않습니다: " + r.formula + ", 정수가 아닙니다. " +
          w + "의 다음 위치는 가장자리 밖으로 " + r.overhang + "칸 벗어납니다. " +
          (r.valid === null
            ? "'valid' 패딩으로는 놓을 수 있는 위치가 전혀 없습니다(" + w + "가 입력보다 큼). "
            : "'valid' 패딩(0을 붙이지 않음)은 맞지 않는 마지막 위치를 버립니다: 출력 크기 " + r.valid + ". ") +
          "'same' 패딩은 필요한 만큼 0을 붙입니다: 출력 크기 " + r.same + ".";
      },
      input: function (N) { return "입력 " + N + " \u00d7 " + N; },
      padding: function (a, mode, padded) {
        if (mode === "same") {
          return "'same' 패딩: 앞(위\u00b7왼쪽) " + a.padBefore + "칸, 뒤(아래\u00b7오른쪽) " +
            a.padAfter + "칸, " + padded + " \u00d7 " + padded;
        }
        if (mode === "valid") return "'valid': 패딩 없음";
        if (!a.padBefore) return "패딩 없음";
        return "패딩: 양쪽에 " + a.padBefore + "칸씩, " + padded + " \u00d7 " + padded;
      },
      output: function (k) { return "출력 " + k + " \u00d7 " + k; },
      outputNofit: function (value, k) {
        return "출력: " + value + ", 크기가 될 수 없습니다 (맞는 위치 " + k + " \u00d7 " + k + ")";
      },
      legend: { input: "입력", zeros: "제로 패딩", beyond: "가장자리 밖",
        unused: "덮이지 않는 칸", centre: "각 위치의 중심", current: "이 위치의 출력" },
      tooLarge: "그리기에는 너무 큽니다(한 변이 " + MAX_DRAWN +
        "칸 초과). 위의 출력 크기는 그대로 계산됩니다.",
      edges: { right: "오른쪽", bottom: "아래쪽" },
      describeFit: function (o) {
        return o.Filter + "가 " + (o.fits ? "" : "맞는 ") + o.k + " \u00d7 " + o.k + " 위치 중 " +
          o.rowCol + "에 있습니다. " + (o.zeros ? "패딩을 포함한 " : "") +
          o.padded + " \u00d7 " + o.padded + " 입력의 " + o.rows + "행, " + o.cols +
          "열을 덮고 출력의 " + o.rowCol + " 값을 만듭니다.";
      },
      describeNofit: function (o) {
        var beyond = o.beyond.map(function (b) { return b[0] + " 가장자리 밖으로 " + b[1] + "칸"; });
        return o.rowCol + "에서는 " + o.filter + "가 맞지 않습니다: " + beyond.join(", ") +
          "이 더 필요합니다. 맞는 위치는 " + o.k + " \u00d7 " + o.k + "개뿐입니다(" + o.formula +
          ", 정수가 아님).";
      },
    },
  };

  /*
   * What the picture shows for one case and one position index (row-major over the positions,
   * those that fit and, where the filter does not fit, one more per axis that sticks out):
   * the numbers the drawing and the description are made of. Pure, so Node can test it.
   */
  function scene(n, f, stride, padding, index) {
    var r = convOutputSize(n, f, stride, padding);
    var axis = axisPositions(n, f, stride, padding);
    if (axis.status !== "ok") return { status: "invalid", result: r };
    var a = parse(n, f, stride, padding);
    var steps = axis.count + (axis.fits ? 0 : 1);
    var total = steps * steps;
    index = Math.max(0, Math.min(total - 1, index === undefined ? defaultIndex(axis) : index));
    var starts = [];
    for (var k = 0; k < steps; k++) starts.push(axis.first + k * a.S);
    var padded = a.N + axis.padBefore + axis.padAfter;
    return {
      status: r.status, result: r, axis: axis, N: a.N, F: a.F, S: a.S, mode: a.mode,
      padded: padded, extent: padded + axis.overhang, steps: steps, total: total, index: index,
      row: Math.floor(index / steps), col: index % steps, starts: starts,
      drawable: padded + axis.overhang <= MAX_DRAWN && steps <= MAX_DRAWN,
      scale: Math.max(1, MIN_DRAWN / (padded + axis.overhang)),
    };
  }

  // Where the widget opens: the first position, or, where the filter does not fit, the one
  // in the first row that sticks out past the right edge.
  function defaultIndex(axis) {
    return axis.fits ? 0 : axis.count;
  }

  // The words for screen readers (and the test): where the filter is and what it gives.
  function describe(s, lang, mode) {
    var t = WORDS[lang], filter = t.filter[mode], Filter = t.Filter[mode];
    var rowCol = t.rowCol(s.row + 1, s.col + 1);
    var limit = s.axis.count; // positions at this index or beyond stick out
    if (s.row < limit && s.col < limit) {
      var span = function (start) {
        return (start + s.axis.padBefore + 1) + "\u2013" + (start + s.axis.padBefore + s.F);
      };
      return t.describeFit({
        Filter: Filter, rowCol: rowCol, k: s.axis.count, fits: s.axis.fits, padded: s.padded,
        zeros: s.axis.padBefore + s.axis.padAfter > 0, rows: span(s.starts[s.row]), cols: span(s.starts[s.col]),
      });
    }
    var beyond = [];
    if (s.col >= limit) beyond.push([t.edges.right, s.axis.overhang]);
    if (s.row >= limit) beyond.push([t.edges.bottom, s.axis.overhang]);
    return t.describeNofit({ Filter: Filter, filter: filter, rowCol: rowCol, k: s.axis.count,
      beyond: beyond, formula: s.result.formula });
  }

  // ---- the widget -------------------------------------------------------------------------

  var SVG = "http://www.w3.org/2000/svg";
  var CELL = 10; // one cell in the drawing's own units
  var MIN_DRAWN = 9; // a smaller input is drawn with larger cells, as wide as this many
  var instances = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    for (var key in attrs || {}) node.setAttribute(key, String(attrs[key]));
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function rect(x, y, w, h, cls, extra) {
    var attrs = { x: x * CELL, y: y * CELL, width: w * CELL, height: h * CELL, "class": cls };
    for (var key in extra || {}) attrs[key] = extra[key];
    return svgEl("rect", attrs);
  }

  // A hatch pattern (beyond the edge) with an id of its own in this widget.
  function hatch(id) {
    var defs = svgEl("defs");
    var pattern = svgEl("pattern", { id: id, width: 3, height: 3, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" });
    pattern.appendChild(svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 3, "class": "ccalc-hatch-line" }));
    defs.appendChild(pattern);
    return defs;
  }

  // The padded input, the centres of all positions, the filter at the current one.
  function drawInput(s, id, labelId) {
    var a = s.axis, extent = s.extent, off = a.padBefore; // cell (i, j) of the input at (i + off)
    var svg = svgEl("svg", { viewBox: "-2 -2 " + (extent * CELL + 4) + " " + (extent * CELL + 4),
      role: "img", "aria-labelledby": labelId, "class": "ccalc-grid ccalc-input",
      "data-padded": s.padded, "data-pad-before": a.padBefore, "data-pad-after": a.padAfter });
    svg.style.width = "calc(" + extent * s.scale + " * var(--ccalc-cell))";
    svg.appendChild(hatch(id + "-hatch"));
    var lastEnd = a.last + s.F; // first cell (input coordinates) no fitting window covers
    for (var i = 0; i < s.padded; i++) {
      for (var j = 0; j < s.padded; j++) {
        var r = i - off, c = j - off;
        var zero = r < 0 || c < 0 || r >= s.N || c >= s.N;
        var unused = !zero && (r >= lastEnd || c >= lastEnd);
        svg.appendChild(rect(j, i, 1, 1, zero ? "ccalc-zero" : unused ? "ccalc-unused" : "ccalc-cell"));
        if (zero && s.padded <= 16) {
          var t = svgEl("text", { x: (j + 0.5) * CELL, y: (i + 0.5) * CELL, "class": "ccalc-zero-text" });
          t.textContent = "0";
          svg.appendChild(t);
        }
      }
    }
    // the input's own border, over the zeros
    svg.appendChild(rect(off, off, s.N, s.N, "ccalc-input-edge"));
    // the centre of every position (those that stick out hollow)
    var half = s.F / 2;
    for (var pr = 0; pr < s.steps; pr++) {
      for (var pc = 0; pc < s.steps; pc++) {
        var fits = pr < a.count && pc < a.count;
        svg.appendChild(svgEl("circle", {
          cx: (s.starts[pc] + off + half) * CELL, cy: (s.starts[pr] + off + half) * CELL,
          r: CELL * (s.steps > 20 ? 0.14 : 0.2),
          "class": "ccalc-dot" + (fits ? "" : " ccalc-dot-off"),
          "data-start": s.starts[pr] + "," + s.starts[pc], "data-fits": fits,
        }));
      }
    }
    // the cells the current position needs beyond the edge
    var top = s.starts[s.row], left = s.starts[s.col];
    var edge = s.N + a.padAfter; // first cell (input coordinates) past the padded input
    for (var fi = 0; fi < s.F; fi++) {
      for (var fj = 0; fj < s.F; fj++) {
        if (top + fi >= edge || left + fj >= edge) {
          svg.appendChild(rect(left + fj + off, top + fi + off, 1, 1, "ccalc-beyond",
            { fill: "url(#" + id + "-hatch)" }));
        }
      }
    }
    var filter = rect(left + off, top + off, s.F, s.F,
      "ccalc-filter" + (s.row < a.count && s.col < a.count ? "" : " ccalc-filter-off"),
      { "data-start": top + "," + left });
    svg.appendChild(filter);
    return svg;
  }

  // The output grid: a cell per position that fits, the would-be row and column dashed.
  function drawOutput(s, id, labelId, choose) {
    var a = s.axis;
    var svg = svgEl("svg", { viewBox: "-2 -2 " + (s.steps * CELL + 4) + " " + (s.steps * CELL + 4),
      role: "img", "aria-labelledby": labelId, "class": "ccalc-grid ccalc-output",
      "data-size": a.fits ? a.count : s.result.value });
    svg.style.width = "calc(" + s.steps * s.scale + " * var(--ccalc-cell))";
    svg.appendChild(hatch(id + "-ohatch"));
    for (var i = 0; i < s.steps; i++) {
      for (var j = 0; j < s.steps; j++) {
        var fits = i < a.count && j < a.count;
        var current = i === s.row && j === s.col;
        var cell = rect(j, i, 1, 1, (fits ? "ccalc-out" : "ccalc-out-off") + (current ? " ccalc-current" : ""),
          fits ? { "data-cell": i + "," + j } : { "data-cell": i + "," + j, fill: "url(#" + id + "-ohatch)" });
        cell.addEventListener("click", choose.bind(null, i * s.steps + j));
        svg.appendChild(cell);
      }
    }
    return svg;
  }

  function legendItem(cls, text) {
    var item = el("li");
    item.appendChild(el("span", { "class": "ccalc-swatch " + cls, "aria-hidden": "true" }));
    item.appendChild(document.createTextNode(text));
    return item;
  }

  function mount(container) {
    if (container.getAttribute("data-mounted")) return;
    container.setAttribute("data-mounted", "true");
    var id = "ccalc" + ++instances;
    var lang = /^ko\b/.test((document.documentElement && document.documentElement.lang) || "") ? "ko" : "en";
    var mode = container.getAttribute("data-mode") === "pool" ? "pool" : "conv";
    var t = WORDS[lang];
    var form = el("form", { "class": "conv-calculator-form", lang: lang });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var defaults = ["7", "3", mode === "pool" ? "2" : "1", mode === "pool" ? "valid" : "0"];
    var keys = ["n", "f", "stride", "padding"];
    var inputs = {};
    var fields = el("div", { "class": "ccalc-fields" });
    keys.forEach(function (key, i) {
      var label = el("label");
      label.appendChild(document.createTextNode(t.fields[mode][i] + " "));
      var input = el("input", { type: "text", size: "6", "aria-label": t.fields[mode][i],
        autocomplete: "off", spellcheck: "false", "data-field": key });
      input.value = container.getAttribute("data-" + key) || defaults[i];
      label.appendChild(input);
      fields.appendChild(label);
      inputs[key] = input;
    });
    form.appendChild(fields);
    var result = el("p", { "class": "conv-calculator-result", "aria-live": "polite" });
    form.appendChild(result);

    // the stepper: Previous, a slider over every position, Next, and where the filter is
    var stepper = el("div", { "class": "ccalc-stepper" });
    var previous = el("button", { type: "button", "class": "ccalc-previous" }, t.previous);
    var slider = el("input", { type: "range", min: "1", max: "1", step: "1", value: "1",
      "class": "ccalc-slider", "aria-label": t.position(t.Filter[mode]) });
    var next = el("button", { type: "button", "class": "ccalc-next" }, t.next);
    var counter = el("span", { "class": "ccalc-counter" });
    [previous, slider, next, counter].forEach(function (node) { stepper.appendChild(node); });
    form.appendChild(stepper);

    var figure = el("div", { "class": "conv-calculator-figure" });
    form.appendChild(figure);
    var description = el("p", { "class": "ccalc-description", "aria-live": "polite", id: id + "-description" });
    form.appendChild(description);

    var state = { index: undefined, key: "" };

    function render() {
      var values = keys.map(function (key) { return inputs[key].value; });
      var key = values.join("|");
      if (key !== state.key) { state.key = key; state.index = undefined; } // a new case: its default
      var s = scene(values[0], values[1], values[2], values[3], state.index);
      var r = s.result;
      var said = r.status === "ok"
        ? t.outputSize + r.size + "   \u2014 " + r.formula
        : r.status === "nofit" ? t.nofit(r, t.filter[mode]) : t.invalidInput + t.invalid(r, t.filter[mode]);
      if (result.textContent !== said) result.textContent = said; // stepping: not announced again
      result.className = "conv-calculator-result" + (r.status === "ok" ? "" : " is-problem");
      clear(figure);
      container.setAttribute("data-status", s.status);
      if (s.status === "invalid") {
        stepper.hidden = true;
        description.textContent = "";
        return;
      }
      state.index = s.index;
      stepper.hidden = false;
      slider.max = String(s.total);
      slider.value = String(s.index + 1);
      var where = t.rowCol(s.row + 1, s.col + 1);
      slider.setAttribute("aria-valuetext", where);
      counter.textContent = t.of(s.index + 1, s.total) + ": " + where;
      description.textContent = describe(s, lang, mode);
      if (!s.drawable) {
        figure.appendChild(el("p", { "class": "ccalc-too-large" }, t.tooLarge));
        return;
      }
      var a = s.axis;
      var panels = el("div", { "class": "ccalc-panels" });
      var left = el("div", { "class": "ccalc-panel" });
      var inCaption = el("p", { "class": "ccalc-caption", id: id + "-in" },
        t.input(s.N) + "; " + t.padding(a, s.mode, s.padded));
      left.appendChild(drawInput(s, id, id + "-in"));
      left.appendChild(inCaption);
      var right = el("div", { "class": "ccalc-panel" });
      var outCaption = el("p", { "class": "ccalc-caption", id: id + "-out" },
        a.fits ? t.output(a.count) : t.outputNofit(r.value, a.count));
      right.appendChild(drawOutput(s, id, id + "-out", choose));
      right.appendChild(outCaption);
      panels.appendChild(left);
      panels.appendChild(right);
      figure.appendChild(panels);
      var legend = el("ul", { "class": "ccalc-legend" });
      legend.appendChild(legendItem("ccalc-swatch-cell", t.legend.input));
      if (a.padBefore + a.padAfter) legend.appendChild(legendItem("ccalc-swatch-zero", t.legend.zeros));
      legend.appendChild(legendItem("ccalc-swatch-filter", t.filter[mode]));
      legend.appendChild(legendItem("ccalc-swatch-dot", t.legend.centre));
      legend.appendChild(legendItem("ccalc-swatch-current", t.legend.current));
      if (!a.fits) legend.appendChild(legendItem("ccalc-swatch-beyond", t.legend.beyond));
      if (a.unused > 0) legend.appendChild(legendItem("ccalc-swatch-unused", t.legend.unused));
      figure.appendChild(legend);
    }

    function choose(index) {
      state.index = index;
      render();
    }

    function step(by) {
      var total = Number(slider.max);
      choose(((state.index || 0) + by + total) % total);
    }

    previous.addEventListener("click", function () { step(-1); });
    next.addEventListener("click", function () { step(1); });
    slider.addEventListener("input", function (event) {
      if (event) event.stopPropagation();
      choose(Number(slider.value) - 1);
    });
    fields.addEventListener("input", render);
    container.appendChild(form);
    render();
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
    module.exports = {
      convOutputSize: convOutputSize, axisPositions: axisPositions, twoDecimals: twoDecimals,
      scene: scene, describe: describe, WORDS: WORDS, MAX_DRAWN: MAX_DRAWN,
    };
  }
})();
