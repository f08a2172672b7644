// lso-sim HTML report: draws the sequence diagram as SVG and steps through it.
// Everything it needs is in the JSON block with id "lso-data"; it loads nothing else.
//
// Layout: participant heads in their own SVG, sticky at the top of the scrolling diagram; one
// SVG group per record, placed by layout() so that phases can fold and waits show as gaps; a
// time axis on the left; the current row's MEF step text beside its arrow; the state machine of
// the resource the current row is about; and a "What comes next?" quiz.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lso-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var AXIS = 100, LANE = 150, LEFT = AXIS + 80, HEAD = 66, ROW = 26, TOP = 18, CAPTION = 380;
  var GAP_FROM = 30;  // seconds: a shorter wait draws no gap
  var records = data.records;
  var lanes = {};
  data.participants.forEach(function (p, i) { lanes[p.id] = LEFT + i * LANE; });
  var width = LEFT + Math.max(0, data.participants.length - 1) * LANE + LANE / 2 + CAPTION;

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function html(name, attrs, parent, text) {
    var node = document.createElement(name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // A duration in words: "0.878 s", "12 min 3 s", "3 h 05 min", "2 d 04 h".
  function duration(seconds) {
    if (seconds < 60) { return seconds.toFixed(seconds < 10 ? 3 : 1) + " s"; }
    var m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
    if (m < 60) { return m + " min " + s + " s"; }
    var h = Math.floor(m / 60);
    if (h < 24) { return h + " h " + String(m % 60).padStart(2, "0") + " min"; }
    return Math.floor(h / 24) + " d " + String(h % 24).padStart(2, "0") + " h";
  }

  // The height of the gap drawn before a row that waited `dt` seconds: grows with log(dt).
  function gapHeight(dt) { return dt < GAP_FROM ? 0 : Math.round(16 + 16 * Math.log10(dt / GAP_FROM)); }

  // ---- participant heads: a sticky SVG of their own ----
  var heads = el("svg", { id: "heads-svg", width: width, height: HEAD + 4 });
  document.getElementById("heads").appendChild(heads);
  var svg = el("svg", { id: "sequence", width: width, height: 100 });
  var defs = el("defs", {}, svg);
  var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7,
                              markerHeight: 7, orient: "auto-start-reverse" }, defs);
  el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#444" }, marker);
  var domainRects = [];
  data.groups.forEach(function (g) {
    var xs = g.members.map(function (m) { return lanes[m]; });
    var x0 = Math.min.apply(null, xs) - LANE / 2 + 6, x1 = Math.max.apply(null, xs) + LANE / 2 - 6;
    el("rect", { "class": "domain", x: x0, y: 2, width: x1 - x0, height: HEAD + 2, rx: 6 }, heads);
    el("text", { "class": "domain-label", x: x0 + 6, y: 14 }, heads, g.label);
    domainRects.push(el("rect", { "class": "domain", x: x0, y: 0, width: x1 - x0, height: 10 }, svg));
  });
  var laneLines = data.participants.map(function (p) {
    var x = lanes[p.id];
    var head = el("g", { "class": "head" }, heads);
    el("rect", { x: x - LANE / 2 + 12, y: 22, width: LANE - 24, height: 40, rx: 4 }, head);
    el("text", { x: x, y: 39, "text-anchor": "middle" }, head, p.id);
    el("text", { x: x, y: 54, "text-anchor": "middle", fill: "#5b6475" }, head, p.role);
    return el("line", { "class": "lane", x1: x, y1: 0, x2: x, y2: 10 }, svg);
  });
  var axisLine = el("line", { "class": "axis-line", x1: AXIS - 6, y1: 0, x2: AXIS - 6, y2: 10 }, svg);
  var gapLayer = el("g", { id: "gaps" }, svg);
  var axis = el("g", { id: "axis" }, svg);
  var foldLayer = el("g", { id: "folds" }, svg);

  // ---- one group per record, drawn at y = 0 and moved by layout() ----
  var rows = records.map(function (r, i) {
    var classes = ["row", r.kind];
    if (r.lost) { classes.push("lost"); }
    if (r.alert) { classes.push("alert"); }
    if (r.setup) { classes.push("setup"); }
    if (r.concurrent) { classes.push("concurrent"); }
    var g = el("g", { "class": classes.join(" "), "data-index": i, "data-seq": r.seq }, svg);
    el("rect", { "class": "hit", x: AXIS, y: -ROW / 2 - 4, width: width - AXIS - 4, height: ROW }, g);
    var xs = lanes[r.src], xd = lanes[r.dst] === undefined ? xs : lanes[r.dst];
    if (r.arrow && xs !== xd) {
      var end = r.lost ? xs + (xd - xs) * 0.7 : xd;
      var line = el("line", { x1: xs, y1: 0, x2: end, y2: 0 }, g);
      if (r.lost) {
        el("path", { "class": "cross", d: "M " + (end - 5) + " -5 l 10 10 m 0 -10 l -10 10" }, g);
      } else {
        line.setAttribute("marker-end", "url(#arrow)");
      }
      el("text", { x: (xs + end) / 2, y: -4, "text-anchor": "middle" }, g, r.label);
    } else {
      var x0 = Math.min(xs, xd) - 60, w = Math.abs(xd - xs) + 120;
      // A long note is cut to its box (the full text shows on hover and in the detail panel).
      var room = Math.max(24, Math.floor(w / 6.2)), short = r.label;
      if (short.length > room) { short = short.slice(0, room - 1) + "…"; }
      el("rect", { "class": "note", x: x0, y: -10, width: w, height: 16, rx: 3 }, g);
      el("text", { x: x0 + w / 2, y: 2, "text-anchor": "middle" }, g, short);
      el("title", {}, g, r.label);
    }
    g.addEventListener("click", function () { select(i); });
    return g;
  });
  var times = records.map(function (r, i) {
    return el("text", { "class": "time", x: AXIS - 10, y: 0, "text-anchor": "end", "data-index": i }, axis,
              duration(r.time));
  });
  // A record whose step number is lower than its instance's previous one runs alongside it: "∥".
  var markers = records.map(function (r, i) {
    if (!r.concurrent) { return null; }
    var mark = el("text", { "class": "concurrent-mark", x: AXIS + 4, y: 0, "data-index": i }, axis, "∥");
    el("title", {}, mark, r.concurrent);
    return mark;
  });
  var captions = records.map(function (r, i) {
    var xs = lanes[r.src], xd = lanes[r.dst] === undefined ? xs : lanes[r.dst];
    var x = Math.max(xs, xd) + (r.arrow && xs !== xd ? 12 : 72);
    var text = "step " + r.step + (r.explanation ? ": " + r.explanation : "");
    return el("text", { "class": "caption", x: x, y: 0, "data-index": i }, svg, text);
  });
  document.getElementById("diagram").appendChild(svg);

  // ---- folding and layout ----
  var foldedInstances = {}, foldedPhases = {};
  function hidden(i) {
    var r = records[i];
    return foldedInstances[r.instance] === true || foldedPhases[r.phase] === true;
  }

  function layout() {
    while (gapLayer.firstChild) { gapLayer.removeChild(gapLayer.firstChild); }
    while (foldLayer.firstChild) { foldLayer.removeChild(foldLayer.firstChild); }
    var y = TOP, previous = null, i = 0;
    while (i < records.length) {
      if (hidden(i)) {
        var start = i;
        while (i < records.length && hidden(i)) {
          rows[i].classList.add("folded");
          times[i].classList.add("folded");
          captions[i].classList.add("folded");
          if (markers[i]) { markers[i].classList.add("folded"); }
          i += 1;
        }
        drawFold(start, i, y + ROW / 2);
        y += ROW;
        continue;
      }
      var dt = previous === null ? 0 : records[i].time - records[previous].time;
      var gap = gapHeight(dt);
      if (gap) {
        var future = i > current ? " future" : "";
        el("rect", { "class": "gap" + future, x: AXIS - 4, y: y - 2, width: width - AXIS, height: gap - 4,
                     "data-index": i }, gapLayer);
        el("text", { "class": "gap-label" + future, x: AXIS - 10, y: y + gap / 2 + 2, "text-anchor": "end",
                     "data-index": i }, gapLayer, "⋯ " + duration(dt) + " later");
        y += gap;
      }
      var mid = y + ROW / 2;
      rows[i].classList.remove("folded");
      times[i].classList.remove("folded");
      captions[i].classList.remove("folded");
      if (markers[i]) { markers[i].classList.remove("folded"); }
      rows[i].setAttribute("transform", "translate(0," + mid + ")");
      times[i].setAttribute("y", mid + 4);
      captions[i].setAttribute("y", mid + 4);
      if (markers[i]) { markers[i].setAttribute("y", mid + 4); }
      previous = i;
      y += ROW;
      i += 1;
    }
    var height = y + 20;
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    domainRects.forEach(function (rect) { rect.setAttribute("height", height); });
    laneLines.concat([axisLine]).forEach(function (line) {
      line.setAttribute("y2", height);
    });
  }

  function drawFold(start, stop, y) {
    var first = records[start];
    var g = el("g", { "class": "fold", "data-first": start, "data-count": stop - start }, foldLayer);
    el("rect", { x: AXIS, y: y - ROW / 2 + 2, width: width - AXIS - 4, height: ROW - 4, rx: 4 }, g);
    el("text", { x: AXIS + 10, y: y + 4 }, g, "▸ " + (stop - start) + " record(s) folded: " + first.instance +
       " step " + first.step + (stop - start > 1 && records[stop - 1].step !== first.step ? "…" +
       records[stop - 1].step : "") + " (click to unfold)");
    g.addEventListener("click", function () {
      for (var k = start; k < stop; k += 1) { unfold(k); }
      refreshPhases();
      layout();
    });
  }

  function unfold(i) {
    delete foldedInstances[records[i].instance];
    delete foldedPhases[records[i].phase];
  }

  // ---- the Phases list: each instance and each run of one step, foldable ----
  var phaseButtons = [];
  var phaseList = document.getElementById("phases");
  data.instances.forEach(function (inst) {
    var box = html("div", { "class": "phase-instance" }, phaseList);
    var b = html("button", { type: "button", "class": "phase", "data-phase": "instance:" + inst.instance }, box,
                 inst.thread + " " + inst.instance + " (" + inst.count + " records" +
                 (inst.setup ? ", set-up" : "") + ")");
    b.addEventListener("click", function () { toggle(foldedInstances, inst.instance); });
    phaseButtons.push([b, function () { return foldedInstances[inst.instance] === true; }]);
    var list = html("div", { "class": "phase-steps" }, box);
    inst.phases.forEach(function (n) {
      var p = data.phases[n];
      var s = html("button", { type: "button", "class": "phase step", "data-phase": "step:" + n,
                               title: p.text || "" }, list, "step " + p.step + " ×" + p.count);
      s.addEventListener("click", function () { toggle(foldedPhases, n); });
      phaseButtons.push([s, function () { return foldedPhases[n] === true; }]);
    });
  });

  function toggle(table, key) {
    if (table[key] === true) { delete table[key]; } else { table[key] = true; }
    refreshPhases();
    layout();
  }

  function refreshPhases() {
    phaseButtons.forEach(function (entry) {
      entry[0].classList.toggle("folded", entry[1]());
      entry[0].setAttribute("aria-pressed", entry[1]() ? "true" : "false");
    });
  }

  // ---- detail, state machine, stepping ----
  var current = -1, selected = -1, timer = null;
  var position = document.getElementById("position");
  var detail = document.getElementById("detail");
  var payload = document.getElementById("payload");
  var machineBox = document.getElementById("machine");

  function select(i) {
    if (selected >= 0) { rows[selected].classList.remove("selected"); }
    selected = i;
    rows[i].classList.add("selected");
    var r = records[i];
    detail.innerHTML = "";
    html("div", { "class": "step" }, detail,
         "Thread " + r.thread + ", step " + r.step + (r.explanation ? ": " + r.explanation : ""));
    html("div", { "class": "sentence" }, detail, r.sentence);
    [["setup", r.setup], ["concurrent", r.concurrent]].forEach(function (note) {
      if (note[1]) { html("div", { "class": "tag " + note[0] }, detail, note[1]); }
    });
    html("div", {}, detail, "#" + r.seq + " at " + r.time.toFixed(3) + " s, " + r.kind + " " + r.src +
      (r.dst !== r.src ? " -> " + r.dst : "") + ", " + (r.irp || "local") + " " + r.operation +
      (r.status !== null ? " (" + r.status + ")" : "") + (r.lost ? ", LOST" : "") + ", instance " + r.instance);
    payload.textContent = JSON.stringify(r.payload, null, 2);
    drawMachine(i);
  }

  // The resource the row at `i` is about: its own, else the last one its instance reported.
  function focus(i) {
    for (var k = i; k >= 0; k -= 1) {
      if (records[k].state && records[k].instance === records[i].instance) { return k; }
    }
    return -1;
  }

  function drawMachine(i) {
    machineBox.innerHTML = "";
    var k = focus(i);
    if (k < 0) { return; }
    var r = records[k];
    var visited = [];
    for (var n = 0; n <= i; n += 1) {
      if (records[n].resource === r.resource && records[n].state && visited.indexOf(records[n].state) < 0) {
        visited.push(records[n].state);
      }
    }
    html("div", { "class": "machine-title" }, machineBox,
         (r.rtype || "resource") + " " + r.resource + ": " + r.state + (k === i ? "" : " (as of #" + r.seq + ")"));
    var m = data.machines[r.rtype];
    if (!m) { return; }
    // Columns by distance from the initial state; states never reached from it come last.
    var depth = {}, queue = [m.initial], columns = [];
    depth[m.initial] = 0;
    while (queue.length) {
      var s = queue.shift();
      (m.transitions[s] || []).forEach(function (t) {
        if (depth[t] === undefined) { depth[t] = depth[s] + 1; queue.push(t); }
      });
    }
    var states = m.states.slice();
    if (states.indexOf(r.state) < 0) { states.push(r.state); }
    var last = 0;
    Object.keys(depth).forEach(function (s) { last = Math.max(last, depth[s]); });
    states.forEach(function (s) {
      var d = depth[s] === undefined ? last + 1 : depth[s];
      (columns[d] = columns[d] || []).push(s);
    });
    var BW = 118, BH = 20, CW = 138, RH = 28, place = {};
    var tall = 0;
    columns.forEach(function (col, c) {
      (col || []).forEach(function (s, j) { place[s] = [8 + c * CW, 8 + j * RH]; tall = Math.max(tall, j); });
    });
    var pic = el("svg", { id: "machine-svg", width: 16 + columns.length * CW, height: 16 + (tall + 1) * RH });
    Object.keys(m.transitions).forEach(function (s) {
      m.transitions[s].forEach(function (t) {
        if (!place[s] || !place[t]) { return; }
        el("line", { "class": "transition", x1: place[s][0] + BW, y1: place[s][1] + BH / 2,
                     x2: place[t][0], y2: place[t][1] + BH / 2 }, pic);
      });
    });
    states.forEach(function (s) {
      var cls = "state" + (s === r.state ? " current" : visited.indexOf(s) >= 0 ? " visited" : "");
      var g = el("g", { "class": cls, "data-state": s }, pic);
      el("rect", { x: place[s][0], y: place[s][1], width: BW, height: BH, rx: 4 }, g);
      el("text", { x: place[s][0] + BW / 2, y: place[s][1] + 14, "text-anchor": "middle" }, g, s);
    });
    machineBox.appendChild(pic);
  }

  function show(i) {
    current = Math.max(-1, Math.min(records.length - 1, i));
    if (current >= 0 && hidden(current)) { unfold(current); refreshPhases(); layout(); }
    rows.forEach(function (g, k) {
      g.classList.toggle("future", k > current);
      g.classList.toggle("current", k === current);
      times[k].classList.toggle("future", k > current);
      captions[k].classList.toggle("current", k === current);
      if (markers[k]) { markers[k].classList.toggle("future", k > current); }
    });
    Array.prototype.forEach.call(gapLayer.childNodes, function (node) {
      node.classList.toggle("future", Number(node.getAttribute("data-index")) > current);
    });
    position.textContent = "step " + (current + 1) + " of " + records.length;
    if (current >= 0) {
      select(current);
      reveal(rows[current]);
    }
  }

  // Scroll the diagram (vertically only) so the row is below the sticky heads and in view.
  var scroller = document.getElementById("diagram"), headBox = document.getElementById("heads");
  function reveal(g) {
    var r = g.getBoundingClientRect(), c = scroller.getBoundingClientRect();
    var top = c.top + headBox.getBoundingClientRect().height;
    if (r.top < top || r.bottom > c.bottom) { scroller.scrollTop += r.top - (top + c.bottom) / 2; }
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "Play";
  }

  // ---- "What comes next?" ----
  var quiz = document.getElementById("quiz"), guessing = false, asked = 0, right = 0;
  var feedback = document.getElementById("guess-feedback"), score = document.getElementById("guess-score");
  function options(id, values) {
    var box = document.getElementById(id);
    values.forEach(function (v) { html("option", { value: v }, box, v); });
  }
  var actorIds = data.participants.map(function (p) { return p.id; });
  options("guess-src", actorIds);
  options("guess-dst", actorIds);
  var irps = [];
  records.forEach(function (r) { var v = r.irp || "local"; if (irps.indexOf(v) < 0) { irps.push(v); } });
  options("guess-irp", irps.sort());

  document.getElementById("guess").addEventListener("click", function () {
    stop();
    guessing = !guessing;
    quiz.hidden = !guessing;
    document.body.classList.toggle("guessing", guessing);
    this.setAttribute("aria-pressed", guessing ? "true" : "false");
    feedback.textContent = "";
  });
  document.getElementById("guess-check").addEventListener("click", function () {
    var next = records[current + 1];
    if (!next) { feedback.textContent = "That was the last record."; return; }
    var said = [document.getElementById("guess-src").value, document.getElementById("guess-dst").value,
                document.getElementById("guess-irp").value];
    var truth = [next.src, next.dst || next.src, next.irp || "local"];
    var ok = said[0] === truth[0] && said[1] === truth[1] && said[2] === truth[2];
    asked += 1;
    if (ok) { right += 1; }
    feedback.className = ok ? "right" : "wrong";
    feedback.textContent = (ok ? "Right: " : "Not quite: it was ") + truth[0] + " -> " + truth[1] + " over " +
      truth[2] + ", " + next.operation + (ok ? "" : " (you said " + said[0] + " -> " + said[1] + " over " +
      said[2] + ")");
    score.textContent = right + " of " + asked + " right";
    show(current + 1);
  });

  document.getElementById("first").addEventListener("click", function () { stop(); show(-1); });
  document.getElementById("prev").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(current + 1); });
  document.getElementById("last").addEventListener("click", function () { stop(); show(records.length - 1); });
  document.getElementById("play").addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (current >= records.length - 1) { show(-1); }
    this.textContent = "Pause";
    timer = setInterval(function () {
      if (current >= records.length - 1) { stop(); return; }
      show(current + 1);
    }, 600);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target && e.target.tagName === "SELECT") { return; }
    if (e.key === "ArrowRight" || e.key === "n") { stop(); show(current + 1); }
    if (e.key === "ArrowLeft" || e.key === "p") { stop(); show(current - 1); }
  });
  layout();
  show(records.length - 1);
  document.body.setAttribute("data-ready", "true");
})();
