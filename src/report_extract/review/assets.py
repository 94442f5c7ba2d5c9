"""The site's whole CSS and JavaScript, hand-written and small (nothing fetched).

JS has the crop's margins as __PAD_X__/__PAD_Y__: the builder puts report_page's in, so a
crop drawn in the browser is the one drawn in Python."""

CSS = """
body{font:14px/1.45 "Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:1.2em 2em;color:#222}
nav{margin-bottom:.6em}nav a{margin-right:.3em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px}
th{background:#f3f3f3;font-weight:normal}.scroll{overflow-x:auto}
table.printed td.v{text-align:right;min-width:2.5em}
table.printed th.vertical{writing-mode:vertical-rl;letter-spacing:.2em}
table.printed th.block{text-align:left;background:#e8eef7}
td.absent{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f2f2f2 4px,#f2f2f2 8px)}
td.fail{background:#fdd;outline:2px solid #c00;outline-offset:-2px}
td.unc{background:#fff3c4}td.null{color:#888}td.bad{color:#b00;font-weight:bold}
td.v a{color:inherit;text-decoration:none;border-bottom:1px dotted #777}
td.v a:hover,td.v a.on{background:#ffe96b}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:0 1em}dd{margin:0}
.note{color:#775}.ok{color:#070}.error{color:#b00}
ol.failed li{margin-bottom:1em}.terms{display:flex;flex-wrap:wrap;gap:8px}
figure.term{margin:0;border:1px solid #ddd;padding:4px}figcaption{font-size:12px}
.crop{display:inline-block;position:relative;background-repeat:no-repeat;
  border:1px solid #999;background-color:#fff}
.crop .box{position:absolute;border:2px solid #e00;box-sizing:border-box;
  background:rgba(255,230,0,.18)}
#crop-panel{position:fixed;right:12px;bottom:12px;max-width:min(640px,90vw);
  background:#fff;border:1px solid #888;box-shadow:0 2px 12px rgba(0,0,0,.3);padding:8px;z-index:9}
#crop-panel .crop{max-width:100%}
#crop-panel button{float:right}
form.filters{margin:.5em 0}form.filters input[type=search]{width:22em}
table.sortable th{cursor:pointer}table.sortable th.asc:after{content:" ▲"}
table.sortable th.desc:after{content:" ▼"}
figure.chart{margin:.5em 0}svg .axis{stroke:#555}svg .band{fill:#1f77b4;opacity:.18}
table.matrix td{text-align:right}
"""

JS = r"""
(function () {
  "use strict";
  function crop(a) {
    var b = a.dataset.b.split(",").map(Number), o = a.dataset.o.split(",").map(Number);
    var s = o[2], padX = __PAD_X__, padY = __PAD_Y__;
    var el = document.createElement("span");
    el.className = "crop";
    el.style.width = Math.round((b[2] - b[0] + 2 * padX) * s) + "px";
    el.style.height = Math.round((b[3] - b[1] + 2 * padY) * s) + "px";
    el.style.backgroundImage = "url('" + a.getAttribute("href") + "')";
    el.style.backgroundPosition = (-(b[0] - padX - o[0]) * s).toFixed(1) + "px " +
      (-(b[1] - padY - o[1]) * s).toFixed(1) + "px";
    var box = document.createElement("span");
    box.className = "box";
    box.style.left = (padX * s).toFixed(1) + "px";
    box.style.top = (padY * s).toFixed(1) + "px";
    box.style.width = ((b[2] - b[0]) * s).toFixed(1) + "px";
    box.style.height = ((b[3] - b[1]) * s).toFixed(1) + "px";
    el.appendChild(box);
    return el;
  }
  function showCrop(a) {
    var panel = document.getElementById("crop-panel");
    panel.textContent = "";
    var close = document.createElement("button");
    close.textContent = "×";
    close.onclick = function () { panel.hidden = true; };
    var text = document.createElement("p");
    text.textContent = "page " + a.dataset.p + " · box " + a.dataset.b + " · " + a.title;
    panel.appendChild(close);
    panel.appendChild(crop(a));
    panel.appendChild(text);
    panel.hidden = false;
    var on = document.querySelector("td.v a.on");
    if (on) { on.classList.remove("on"); }
    a.classList.add("on");
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("td.v a[data-b]") : null;
    if (a) { e.preventDefault(); showCrop(a); }
  });
  var table = document.getElementById("reports");
  if (!table) { return; }
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter"), status = document.getElementById("status");
  var flagged = document.getElementById("flagged"), shown = document.getElementById("shown");
  function apply() {
    var q = filter.value.trim().toLowerCase(), st = status.value, n = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) &&
        (!st || r.dataset.status === st) && (!flagged.checked || r.dataset.flagged === "1");
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }
  [filter, status, flagged].forEach(function (el) { el.addEventListener("input", apply); });
  flagged.addEventListener("change", apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("asc"), num = th.dataset.type === "num";
      Array.prototype.forEach.call(th.parentNode.cells, function (c) {
        c.classList.remove("asc", "desc");
      });
      th.classList.add(asc ? "asc" : "desc");
      rows.sort(function (a, b) {
        var x = a.cells[i].textContent, y = b.cells[i].textContent;
        var d = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh");
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
"""
