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
    // A tap on the map (map.js) has set the county; its towns, with the one the point lies in.
    form.addEventListener("map-place", function (e) { hint.textContent = ""; fillTowns(e.detail.towns, e.detail.town); });
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

    form.querySelectorAll("[data-use-address]").forEach(function (b) {
      b.addEventListener("click", function () {
        form.querySelector("input[name=address]").value = b.dataset.useAddress;
        if (b.dataset.county) {
          county.value = b.dataset.county;
          getJSON(form.dataset.towns, { county: county.value }).then(function (data) {
            fillTowns(data ? data.towns : [], b.dataset.town || "");
          });
        }
        hint.textContent = "已填入常用地址“" + b.textContent + "”，请确认。";
      });
    });

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

  // The form's proof of work (see portal/challenge.py): a counter whose SHA-256 with the seed
  // starts with `bits` zero bits, found while the citizen types. Without scripts the sum on the
  // form is the challenge instead.
  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      var b = bytes[i];
      while (!(b & 0x80)) { n += 1; b <<= 1; }
      return n;
    }
    return n;
  }

  // SHA-256 of an ASCII string, synchronously (WebCrypto's digest is a round trip per call,
  // far too slow for thousands of tries on a phone). Returns the 32 bytes.
  var K = [];
  (function () {
    var n = 2, found = 0;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) | 0; }
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) { if (n % d === 0) { prime = false; break; } }
      if (prime) { K[found++] = frac(Math.pow(n, 1 / 3)); }
      n++;
    }
  })();
  var H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  function sha256(text) {
    var bytes = [], i, j;
    for (i = 0; i < text.length; i++) { bytes.push(text.charCodeAt(i) & 0xff); }
    var bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) { bytes.push(0); }
    for (i = 7; i >= 0; i--) { bytes.push(i > 3 ? 0 : (bitLen >>> (i * 8)) & 0xff); }
    var h = H0.slice(), w = new Array(64);
    for (var off = 0; off < bytes.length; off += 64) {
      for (i = 0; i < 16; i++) {
        j = off + i * 4;
        w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
      }
      for (i = 16; i < 64; i++) {
        var a0 = w[i - 15], a1 = w[i - 2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = [];
    for (i = 0; i < 8; i++) { out.push((h[i] >>> 24) & 0xff, (h[i] >>> 16) & 0xff, (h[i] >>> 8) & 0xff, h[i] & 0xff); }
    return out;
  }

  // Tries in slices, yielding between them, so typing and the page's other requests stay smooth.
  function solve(token, bits) {
    return new Promise(function (resolve) {
      var counter = 0;
      function slice() {
        for (var end = counter + 2000; counter < end; counter++) {
          if (zeroBits(sha256(token + ":" + counter)) >= bits) { resolve(String(counter)); return; }
        }
        setTimeout(slice, 0);
      }
      setTimeout(slice, 0);
    });
  }

  function setupChallenge(form) {
    var token = form.querySelector("[data-challenge]");
    if (!token) { return; }
    var bits = parseInt(token.dataset.bits || "0", 10);
    if (!bits) { return; }
    var pow = form.querySelector("[data-pow]");
    var question = form.querySelector("[data-challenge-question]");
    var status = form.querySelector("[data-challenge-status]");
    question.hidden = true;
    var waiting = false;
    var done = solve(token.dataset.seed, bits).then(function (solution) {
      pow.value = solution;
      if (waiting) { status.textContent = ""; form.requestSubmit(); }
    }).catch(function () { question.hidden = false; });
    form.addEventListener("submit", function (e) {
      if (pow.value || !question.hidden) { return; }
      e.preventDefault();
      e.stopImmediatePropagation();
      waiting = true;
      status.textContent = "正在进行安全验证，请稍候…";
      return done;
    }, true);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.submit-form");
    if (form) { setupChallenge(form); }
    setupOnce();
    if (form) { setupSubmit(form); }
    var box = document.querySelector(".error-box");
    if (box) { box.focus(); }
  });
})();
