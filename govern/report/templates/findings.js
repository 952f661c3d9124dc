
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("findings-data").textContent);
  var columns = {
    pii: ["row", "line", "field", "role", "type", "mask", "fingerprint", "action", "baseline"],
    leakage: ["row", "line", "field", "golden_set", "golden", "method", "methods", "score"]
  };
  var PAGE = 50;
  function cell(f, key) {
    var v = f[key];
    if (v === undefined || v === null) { return ""; }
    if (key === "fingerprint") { return String(v).slice(12, 28); }
    if (Array.isArray(v)) { return v.join(","); }
    return String(v);
  }
  function setup(name) {
    var controls = document.querySelector('.controls[data-table="' + name + '"]');
    var table = document.getElementById(name + "-table");
    if (!controls || !table) { return; }
    var body = table.querySelector("tbody");
    var input = controls.querySelector("input");
    var select = controls.querySelector("select");
    var label = controls.querySelector(".page");
    var rows = data[name] || [];
    var state = {page: 0, shown: rows};
    function draw() {
      var pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var frag = document.createDocumentFragment();
      state.shown.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (f) {
        var tr = document.createElement("tr");
        columns[name].forEach(function (key) {
          var td = document.createElement("td");
          td.textContent = cell(f, key);
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      });
      body.replaceChildren(frag);
      label.textContent = "page " + (state.page + 1) + " of " + pages + " · " + state.shown.length + " finding(s)";
    }
    function filter() {
      var q = input.value.toLowerCase();
      var t = select.value;
      state.shown = rows.filter(function (f) {
        if (t && f.type !== t && f.method !== t) { return false; }
        if (!q) { return true; }
        return columns[name].some(function (key) { return cell(f, key).toLowerCase().indexOf(q) >= 0; });
      });
      state.page = 0;
      draw();
    }
    input.addEventListener("input", filter);
    select.addEventListener("change", filter);
    controls.querySelectorAll("button").forEach(function (b) {
      b.addEventListener("click", function () { state.page += Number(b.dataset.step); draw(); });
    });
    draw();
  }
  setup("pii");
  setup("leakage");
}());
