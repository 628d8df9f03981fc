// The treemap of the slim-lambda HTML report (slim_lambda/report/html_treemap.py writes the
// panels it draws into). Inlined into the page, so the page fetches nothing.
// Input: the JSON in the element #slim-data, one entry per report section:
//   {index, title, total, colors: {package: colour}, views: {package: tree, directory: tree}}
// where a tree node is {name, kind, bytes, files, package, children}.
// The page's hash picks the view and zooms in: #view=directory&zoom=scipy/optimize
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var GREY = "#9aa3ad", HEAD = 18, PAD = 2, CHAR = 6.4, MAX_DEPTH = 4;
  var all = JSON.parse(document.getElementById("slim-data").textContent);

  function fmt(n) {
    var kib = Math.abs(n) < 1048576;
    var v = n / (kib ? 1024 : 1048576);
    return v.toLocaleString("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1}) +
      (kib ? " KiB" : " MiB");
  }
  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function mix(c, t, to) {
    return c.map(function (v) { return Math.round(v + (to - v) * t); });
  }
  function css(c) { return "rgb(" + c.join(",") + ")"; }
  function dark(c) { return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] < 140; }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  // a package's boxes are named by their own paths (numpy.libs), not under the package's name
  function join(parent, parentPath, child) {
    return parent.kind === "package" || !parentPath ? child.name : parentPath + "/" + child.name;
  }
  function fit(text, width) {
    var room = Math.floor((width - 8) / CHAR);
    if (room < 3) return "";
    return text.length <= room ? text : text.slice(0, room - 1) + "\u2026";
  }

  // squarified treemap (Bruls, Huizing, van Wijk): rows that keep boxes close to square
  function worst(row, side) {
    var s = 0, mx = 0, mn = Infinity;
    row.forEach(function (r) { s += r.a; mx = Math.max(mx, r.a); mn = Math.min(mn, r.a); });
    return Math.max(side * side * mx / (s * s), (s * s) / (side * side * mn));
  }
  function place(row, box, out) {
    var s = row.reduce(function (t, r) { return t + r.a; }, 0);
    if (box.w >= box.h) {
      var w = s / box.h, y = box.y;
      row.forEach(function (r) { var h = r.a / w; out.push({n: r.n, x: box.x, y: y, w: w, h: h});
        y += h; });
      return {x: box.x + w, y: box.y, w: box.w - w, h: box.h};
    }
    var h2 = s / box.w, x = box.x;
    row.forEach(function (r) { var w2 = r.a / h2; out.push({n: r.n, x: x, y: box.y, w: w2, h: h2});
      x += w2; });
    return {x: box.x, y: box.y + h2, w: box.w, h: box.h - h2};
  }
  function squarify(nodes, x, y, w, h) {
    var items = nodes.filter(function (n) { return n.bytes > 0; });
    var total = items.reduce(function (t, n) { return t + n.bytes; }, 0);
    var out = [];
    if (total <= 0 || w <= 0 || h <= 0) return out;
    items = items.map(function (n) { return {n: n, a: n.bytes * w * h / total}; })
      .sort(function (p, q) { return q.a - p.a; });
    var box = {x: x, y: y, w: w, h: h}, row = [], i = 0;
    while (i < items.length) {
      var side = Math.min(box.w, box.h), next = row.concat([items[i]]);
      if (!row.length || worst(next, side) <= worst(row, side)) { row = next; i++; }
      else { box = place(row, box, out); row = []; }
    }
    if (row.length) place(row, box, out);
    return out;
  }

  function Treemap(data) {
    this.data = data;
    this.host = document.getElementById("treemap-" + data.index);
    this.info = document.getElementById("info-" + data.index);
    this.crumbs = document.getElementById("crumbs-" + data.index);
    this.view = "package";
    this.stack = [{node: data.views.package, path: ""}];
    var self = this;
    var section = document.getElementById("report-" + data.index);
    Array.prototype.forEach.call(section.querySelectorAll(".views button"), function (b) {
      b.addEventListener("click", function () { self.show(b.getAttribute("data-view")); });
    });
  }
  Treemap.prototype.show = function (view) {
    this.view = view;
    this.stack = [{node: this.data.views[view], path: ""}];
    var section = document.getElementById("report-" + this.data.index);
    Array.prototype.forEach.call(section.querySelectorAll(".views button"), function (b) {
      b.classList.toggle("on", b.getAttribute("data-view") === view);
    });
    this.draw();
  };
  Treemap.prototype.color = function (node, depth) {
    var base = rgb((node.package && this.data.colors[node.package]) || GREY);
    var t = Math.min(0.16 * Math.max(depth - 1, 0), 0.64);
    var leaf = mix(base, t, 255), head = mix(mix(base, t * 0.8, 255), 0.12, 0);
    return (node.children || []).length ? head : leaf;
  };
  Treemap.prototype.describe = function (node, path) {
    var total = this.data.total || 1;
    var parts = [path || this.data.title, fmt(node.bytes) + " (" +
      (100 * node.bytes / total).toFixed(1) + "% of the bundle)"];
    if (node.files) parts.push(node.files.toLocaleString("en-US") +
      (node.files === 1 ? " file" : " files"));
    if (node.package) parts.push("package " + node.package);
    return parts.join(" \u2014 ");
  };
  Treemap.prototype.zoom = function (node, path) {
    var top = this.stack[this.stack.length - 1];
    if (node === top.node) return;
    this.stack.push({node: node, path: path});
    this.draw();
  };
  Treemap.prototype.node = function (parent, node, x, y, w, h, depth, path, up) {
    var self = this, fill = this.color(node, depth), ink = dark(fill) ? "#fff" : "#1d232b";
    var kids = node.children || [];
    var g = el("g", {"class": "tm-node", "data-name": node.name, "data-path": path,
                     "data-kind": node.kind || "", "data-bytes": node.bytes}, parent);
    if (node.package) g.setAttribute("data-package", node.package);
    var rect = el("rect", {"class": "tm-rect", x: x.toFixed(2), y: y.toFixed(2),
                           width: Math.max(w, 0).toFixed(2), height: Math.max(h, 0).toFixed(2),
                           fill: css(fill)}, g);
    el("title", {}, rect).textContent = this.describe(node, path);
    var target = kids.length ? {node: node, path: path} : up;
    if (target) {
      g.classList.add("zoom");
      rect.addEventListener("click", function (ev) {
        ev.stopPropagation();
        self.zoom(target.node, target.path);
      });
    }
    rect.addEventListener("mouseenter", function () {
      self.info.textContent = self.describe(node, path);
    });
    var nest = kids.length && w >= 60 && h >= HEAD + 24 && depth < MAX_DEPTH;
    if (nest) {
      var label = fit(node.name + "  " + fmt(node.bytes), w);
      if (label) el("text", {"class": "tm-head-label", x: (x + 5).toFixed(2),
                             y: (y + 13).toFixed(2), fill: ink},
                    g).textContent = label;
      squarify(kids, x + PAD, y + HEAD, w - 2 * PAD, h - HEAD - PAD).forEach(function (b) {
        self.node(g, b.n, b.x, b.y, b.w, b.h, depth + 1, join(node, path, b.n),
                  {node: node, path: path});
      });
      return;
    }
    if (w < 30 || h < 14) return;
    var name = fit(node.name, w);
    if (name) el("text", {"class": "tm-label", x: (x + 4).toFixed(2), y: (y + 13).toFixed(2),
                          fill: ink}, g).textContent = name;
    if (name && h >= 28) el("text", {"class": "tm-label", x: (x + 4).toFixed(2),
                                     y: (y + 26).toFixed(2), fill: ink, "fill-opacity": 0.75},
                            g).textContent = fit(fmt(node.bytes), w);
  };
  Treemap.prototype.draw = function () {
    var self = this;
    var width = Math.max(320, Math.round(this.host.clientWidth || 960));
    var height = Math.round(Math.min(640, Math.max(360, width * 0.52)));
    this.host.textContent = "";
    var svg = el("svg", {xmlns: NS, viewBox: "0 0 " + width + " " + height, width: width,
                         height: height, role: "img",
                         "aria-label": "treemap of " + this.data.title}, this.host);
    var top = this.stack[this.stack.length - 1];
    var kids = top.node.children || [];
    if (kids.length) {
      squarify(kids, 0, 0, width, height).forEach(function (b) {
        self.node(svg, b.n, b.x, b.y, b.w, b.h, 1, join(top.node, top.path, b.n), null);
      });
    } else {
      this.node(svg, top.node, 0, 0, width, height, 1, top.path || top.node.name, null);
    }
    this.crumbs.textContent = "";
    this.stack.forEach(function (s, i) {
      var last = i === self.stack.length - 1;
      var a = document.createElement(last ? "span" : "a");
      a.textContent = i === 0 ? (self.data.title + "  " + fmt(s.node.bytes))
        : (s.path.split("/").pop() + "  " + fmt(s.node.bytes));
      if (!last) a.addEventListener("click", function () {
        self.stack = self.stack.slice(0, i + 1);
        self.draw();
      });
      if (i) self.crumbs.appendChild(document.createTextNode("  \u203a  "));
      self.crumbs.appendChild(a);
    });
  };

  // the node at ``path`` in the current view, and the chain of nodes down to it
  Treemap.prototype.find = function (path) {
    var found = null;
    (function walk(node, nodePath, chain) {
      (node.children || []).forEach(function (child) {
        var p = join(node, nodePath, child);
        if (found) return;
        if (p === path && (child.children || []).length) found = chain.concat([{node: child,
                                                                                path: p}]);
        else walk(child, p, chain.concat([{node: child, path: p}]));
      });
    })(this.stack[0].node, "", []);
    return found;
  };

  var maps = all.map(function (d) { return new Treemap(d); });
  // report.html#view=directory&zoom=scipy/optimize opens the treemaps there
  var hash = decodeURIComponent(window.location.hash.slice(1));
  var wanted = /(?:^|&)view=(package|directory)/.exec(hash);
  var zoomTo = /(?:^|&)zoom=([^&]+)/.exec(hash);
  maps.forEach(function (m) {
    if (wanted && m.data.views[wanted[1]] !== m.data.views.package) m.show(wanted[1]);
    var chain = zoomTo && m.find(zoomTo[1]);
    if (chain) m.stack = m.stack.concat(chain);
    m.draw();
  });
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { maps.forEach(function (m) { m.draw(); }); }, 150);
  });
})();
