// lso-sim HTML report: draws the sequence diagram as SVG and steps through it.
// Everything it needs is in the JSON block with id "lso-data"; it loads nothing else.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lso-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var LANE = 150, LEFT = 90, HEAD = 70, ROW = 26, TOP = HEAD + 24;
  var records = data.records;
  var lanes = {};
  data.participants.forEach(function (p, i) { lanes[p.id] = LEFT + i * LANE; });
  var width = LEFT * 2 + (data.participants.length - 1) * LANE;
  var height = TOP + records.length * ROW + 20;

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  var svg = el("svg", { id: "sequence", width: width, height: height, viewBox: "0 0 " + width + " " + height });
  var defs = el("defs", {}, svg);
  var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7,
                              markerHeight: 7, orient: "auto-start-reverse" }, defs);
  el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#444" }, marker);

  data.groups.forEach(function (g) {
    var xs = g.members.map(function (m) { return lanes[m]; });
    var x0 = Math.min.apply(null, xs) - LANE / 2 + 6, x1 = Math.max.apply(null, xs) + LANE / 2 - 6;
    el("rect", { "class": "domain", x: x0, y: 2, width: x1 - x0, height: height - 4, rx: 6 }, svg);
    el("text", { "class": "domain-label", x: x0 + 6, y: 14 }, svg, g.label);
  });
  data.participants.forEach(function (p) {
    var x = lanes[p.id];
    el("line", { "class": "lane", x1: x, y1: HEAD, x2: x, y2: height - 6 }, svg);
    var head = el("g", { "class": "head" }, svg);
    el("rect", { x: x - LANE / 2 + 12, y: 22, width: LANE - 24, height: 40, rx: 4 }, head);
    el("text", { x: x, y: 39, "text-anchor": "middle" }, head, p.id);
    el("text", { x: x, y: 54, "text-anchor": "middle", fill: "#5b6475" }, head, p.role);
  });

  var rows = records.map(function (r, i) {
    var y = TOP + i * ROW;
    var classes = ["row", r.kind];
    if (r.lost) { classes.push("lost"); }
    if (r.alert) { classes.push("alert"); }
    if (r.setup) { classes.push("setup"); }
    if (r.concurrent) { classes.push("concurrent"); }
    var g = el("g", { "class": classes.join(" "), "data-index": i, "data-seq": r.seq }, svg);
    el("rect", { "class": "hit", x: 2, y: y - ROW / 2 - 4, width: width - 4, height: ROW }, g);
    var xs = lanes[r.src], xd = lanes[r.dst] === undefined ? xs : lanes[r.dst];
    if (r.arrow && xs !== xd) {
      var end = r.lost ? xs + (xd - xs) * 0.7 : xd;
      var line = el("line", { x1: xs, y1: y, x2: end, y2: y }, g);
      if (r.lost) {
        el("path", { "class": "cross", d: "M " + (end - 5) + " " + (y - 5) + " l 10 10 m 0 -10 l -10 10" }, g);
      } else {
        line.setAttribute("marker-end", "url(#arrow)");
      }
      el("text", { x: (xs + end) / 2, y: y - 4, "text-anchor": "middle" }, g, r.label);
    } else {
      var x0 = Math.min(xs, xd) - 60, w = Math.abs(xd - xs) + 120;
      el("rect", { "class": "note", x: x0, y: y - 10, width: w, height: 16, rx: 3 }, g);
      el("text", { x: x0 + w / 2, y: y + 2, "text-anchor": "middle" }, g, r.label);
    }
    g.addEventListener("click", function () { select(i); });
    return g;
  });
  document.getElementById("diagram").appendChild(svg);

  var current = -1, selected = -1, timer = null;
  var position = document.getElementById("position");
  var detail = document.getElementById("detail");
  var payload = document.getElementById("payload");

  function select(i) {
    if (selected >= 0) { rows[selected].classList.remove("selected"); }
    selected = i;
    rows[i].classList.add("selected");
    var r = records[i];
    detail.innerHTML = "";
    var head = document.createElement("div");
    head.className = "step";
    head.textContent = "Thread " + r.thread + ", step " + r.step + (r.explanation ? ": " + r.explanation : "");
    var line = document.createElement("div");
    line.textContent = "#" + r.seq + " at " + r.time.toFixed(3) + " s, " + r.kind + " " + r.src +
      (r.dst !== r.src ? " -> " + r.dst : "") + ", " + (r.irp || "local") + " " + r.operation +
      (r.status !== null ? " (" + r.status + ")" : "") + (r.lost ? ", LOST" : "") + ", instance " + r.instance;
    var sentence = document.createElement("div");
    sentence.className = "sentence";
    sentence.textContent = r.sentence;
    detail.appendChild(head);
    detail.appendChild(sentence);
    [["setup", r.setup], ["concurrent", r.concurrent]].forEach(function (note) {
      if (!note[1]) { return; }
      var tag = document.createElement("div");
      tag.className = "tag " + note[0];
      tag.textContent = note[1];
      detail.appendChild(tag);
    });
    detail.appendChild(line);
    payload.textContent = JSON.stringify(r.payload, null, 2);
  }

  function show(i) {
    current = Math.max(-1, Math.min(records.length - 1, i));
    rows.forEach(function (g, k) {
      g.classList.toggle("future", k > current);
      g.classList.toggle("current", k === current);
    });
    position.textContent = "step " + (current + 1) + " of " + records.length;
    if (current >= 0) {
      select(current);
      rows[current].scrollIntoView({ block: "nearest" });
    }
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "Play";
  }

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
    if (e.key === "ArrowRight" || e.key === "n") { stop(); show(current + 1); }
    if (e.key === "ArrowLeft" || e.key === "p") { stop(); show(current - 1); }
  });
  show(records.length - 1);
  document.body.setAttribute("data-ready", "true");
})();
