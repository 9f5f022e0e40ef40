// The report form: the phone's location, and drafts kept on the phone while offline.
// A draft keeps the event id made here, so sending it again (a lost answer, a second tap on
// "sync") returns the stored event instead of a second one.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var KEY = "jishiban.grid.drafts";
  var status = document.getElementById("draft-status");
  var box = document.getElementById("drafts");
  var list = document.getElementById("draft-list");
  var syncing = false;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function drafts() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function store(items) { window.localStorage.setItem(KEY, JSON.stringify(items)); show(); }
  function say(text) { status.textContent = text; }
  function show() {
    var items = drafts();
    box.hidden = items.length === 0;
    list.textContent = "";
    items.forEach(function (d) {
      var li = document.createElement("li");
      li.textContent = (d.fields.title || "—") + " · " + d.savedAt;
      list.appendChild(li);
    });
  }
  function readPhotos(files) {
    return Promise.all(Array.prototype.map.call(files || [], function (f) {
      return new Promise(function (resolve) {
        var r = new FileReader();
        r.onload = function () { resolve({name: f.name, type: f.type, data: r.result}); };
        r.readAsDataURL(f);
      });
    }));
  }
  function toBlob(p) {
    var bytes = window.atob(p.data.split(",")[1]);
    var arr = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { arr[i] = bytes.charCodeAt(i); }
    return new Blob([arr], {type: p.type});
  }
  function saveDraft() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "file" && el.name !== "csrfmiddlewaretoken" && (el.type !== "radio" || el.checked)) {
        fields[el.name] = el.value;
      }
    });
    var photos = form.querySelector("input[type=file]");
    return readPhotos(photos && photos.files).then(function (ps) {
      var items = drafts().filter(function (d) { return d.fields.id !== fields.id; });
      items.push({fields: fields, photos: ps, savedAt: new Date().toLocaleString("zh-CN")});
      store(items);
      form.reset();
      form.elements.id.value = newId();
      say(form.dataset.saved);
    });
  }
  function send(d) {
    var data = new FormData();
    Object.keys(d.fields).forEach(function (k) { data.append(k, d.fields[k]); });
    (d.photos || []).forEach(function (p) { data.append("photos", toBlob(p), p.name); });
    var token = document.querySelector("meta[name=csrf-token]").content;
    return fetch(form.action || window.location.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": token}
    });
  }
  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    var items = drafts();
    var left = [];
    return items.reduce(function (chain, d) {
      return chain.then(function () {
        return send(d).then(function (r) {
          if (!r.ok) { d.error = r.status; left.push(d); }
        }, function () { left.push(d); });
      });
    }, Promise.resolve()).then(function () {
      store(left);
      syncing = false;
      if (items.length) { say(left.length ? form.dataset.failed : form.dataset.synced); }
    });
  }

  if (!form.elements.id.value) { form.elements.id.value = newId(); }
  form.addEventListener("submit", function (e) {
    if (!navigator.onLine) { e.preventDefault(); saveDraft(); }
  });
  document.getElementById("save-draft").addEventListener("click", function () { saveDraft(); });
  document.getElementById("sync-drafts").addEventListener("click", function () { sync(); });
  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { say(form.dataset.offline); });
  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { say(form.dataset.nolocation); return; }
    say(form.dataset.locating);
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      say(form.dataset.located);
    }, function () { say(form.dataset.nolocation); }, {enableHighAccuracy: true, timeout: 10000});
  });
  show();
  if (!navigator.onLine) { say(form.dataset.offline); } else { sync(); }
})();
