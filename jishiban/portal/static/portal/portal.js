// The citizens' submit form: idempotency key, category search and suggestions, address → county/town.
// No inline code anywhere (the Content-Security-Policy forbids it); everything hangs on data- attributes.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var t;
    return function () { var a = arguments; clearTimeout(t); t = setTimeout(function () { fn.apply(null, a); }, ms); };
  }

  function getJSON(url, params) {
    var q = new URLSearchParams(params).toString();
    return fetch(url + "?" + q, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "pick";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function setupOnce() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        var b = form.querySelector("[data-once]");
        if (b) { setTimeout(function () { b.disabled = true; b.textContent = b.textContent + "…"; }, 0); }
      });
    });
  }

  function setupSubmit(form) {
    var key = form.querySelector("[data-idempotency-key]");
    if (key && !key.value) { key.value = newKey(); }

    var hidden = form.querySelector("input[name=category]");
    var chosen = form.querySelector("[data-category-chosen]");
    var results = form.querySelector("[data-category-results]");
    var sugg = form.querySelector("[data-category-suggestions]");
    function choose(item) {
      hidden.value = item.code;
      chosen.textContent = "已选：" + item.path;
      results.textContent = "";
    }
    form.querySelector("[data-category-search]").addEventListener("input", debounce(function (e) {
      var q = e.target.value.trim();
      results.textContent = "";
      if (!q) { return; }
      getJSON(form.dataset.categories, { q: q }).then(function (data) {
        results.textContent = "";
        if (!data || !data.results.length) {
          var li = document.createElement("li");
          li.textContent = "没有找到，换个说法试试，或不选";
          results.appendChild(li);
          return;
        }
        data.results.forEach(function (item) {
          var li = document.createElement("li");
          li.appendChild(button(item.path, function () { choose(item); }));
          results.appendChild(li);
        });
      });
    }, 250));

    var content = form.querySelector("textarea[name=content]");
    content.addEventListener("input", debounce(function () {
      getJSON(form.dataset.suggest, { text: content.value }).then(function (data) {
        sugg.textContent = "";
        if (!data || !data.results.length) { return; }
        var p = document.createElement("p");
        p.textContent = "根据您的描述，可能是：";
        sugg.appendChild(p);
        data.results.forEach(function (item) { sugg.appendChild(button(item.path, function () { choose(item); })); });
      });
    }, 600));

    var county = form.querySelector("select[name=county]");
    var town = form.querySelector("select[name=town]");
    var hint = form.querySelector("[data-locate-hint]");
    function fillTowns(list, selected) {
      town.textContent = "";
      var none = document.createElement("option");
      none.value = "";
      none.textContent = "不确定";
      town.appendChild(none);
      (list || []).forEach(function (t) {
        var o = document.createElement("option");
        o.value = t.code;
        o.textContent = t.name;
        if (t.code === selected) { o.selected = true; }
        town.appendChild(o);
      });
    }
    county.addEventListener("change", function () {
      hint.textContent = "";
      getJSON(form.dataset.towns, { county: county.value }).then(function (data) { fillTowns(data ? data.towns : [], ""); });
    });
    form.querySelector("input[name=address]").addEventListener("input", debounce(function (e) {
      getJSON(form.dataset.locate, { address: e.target.value }).then(function (data) {
        if (!data || !data.county) { return; }
        county.value = data.county.code;
        fillTowns(data.towns, data.town ? data.town.code : "");
        hint.textContent = "根据地址推测为 " + data.county.name + (data.town ? " " + data.town.name : "") + "，请确认或修改。";
      });
    }, 500));

    var anonymous = form.querySelector("input[name=anonymous]");
    var identity = form.querySelector("[data-identity]");
    var allowed = (form.dataset.anonymousTypes || "").split(",");
    var confidential = form.querySelector("input[name=confidential]");
    function typeNow() { var r = form.querySelector("input[name=appeal_type]:checked"); return r ? r.value : ""; }
    function refresh() {
      var canHide = allowed.indexOf(typeNow()) >= 0;
      anonymous.disabled = !canHide;
      if (!canHide) { anonymous.checked = false; }
      identity.hidden = anonymous.checked;
      if (typeNow() === "report") { confidential.checked = true; }
      confidential.disabled = typeNow() === "report";
    }
    anonymous.addEventListener("change", refresh);
    form.querySelectorAll("input[name=appeal_type]").forEach(function (r) { r.addEventListener("change", refresh); });
    refresh();
    // A disabled box is not posted; the server makes 举报 confidential whatever is posted.
    form.addEventListener("submit", function () { confidential.disabled = false; anonymous.disabled = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupOnce();
    var form = document.querySelector("form.submit-form");
    if (form) { setupSubmit(form); }
    var box = document.querySelector(".error-box");
    if (box) { box.focus(); }
  });
})();
