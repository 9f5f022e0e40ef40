/* Workbench behaviour: keyboard submit, drafts that survive a reload, small pickers.
   Everything here is an enhancement; every form also works without JavaScript. */
(function () {
  "use strict";

  // Ctrl+Enter (⌘+Enter) submits the form the focus is in, through its default button.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey)) return;
    var form = ev.target && ev.target.form ? ev.target.form : (ev.target.closest && ev.target.closest("form"));
    if (!form) form = document.querySelector("form[data-ctrl-enter]");
    if (!form) return;
    ev.preventDefault();
    var button = form.querySelector("[data-default-submit]") || form.querySelector("button[type=submit], input[type=submit]");
    if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit();
  });

  // Drafts: forms marked data-draft="key" keep their text in localStorage until the server
  // says the submission succeeded (data-draft-clear on the form).
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && !el.hasAttribute("data-no-draft") &&
        ["hidden", "submit", "button", "file", "password"].indexOf(el.type) === -1;
    });
  }
  function saveDraft(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) data[el.name + "=" + el.value] = true; }
      else if (el.multiple) { data[el.name] = Array.prototype.map.call(el.selectedOptions, function (o) { return o.value; }); }
      else data[el.name] = el.value;
    });
    form.querySelectorAll("input[type=hidden][data-draft-keep]").forEach(function (el) { data[el.name] = el.value; });
    try { localStorage.setItem("draft:" + form.dataset.draft, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }
  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem("draft:" + form.dataset.draft); } catch (e) { return; }
    if (!raw) return;
    var data; try { data = JSON.parse(raw); } catch (e) { return; }
    var restored = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (data[el.name + "=" + el.value] !== undefined) { el.checked = true; restored = true; }
        else if (el.type === "checkbox" && Object.keys(data).length) el.checked = false;
      } else if (el.type === "hidden" && el.hasAttribute("data-draft-keep") && data[el.name] !== undefined) {
        el.value = data[el.name]; restored = true;
        el.dispatchEvent(new Event("draft-restored", { bubbles: true }));
      } else if (data[el.name] !== undefined && !el.value && el.type !== "hidden") {
        if (el.multiple && Array.isArray(data[el.name])) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = data[el.name].indexOf(o.value) !== -1; });
        } else el.value = data[el.name];
        if (data[el.name]) restored = true;
      }
    });
    if (restored) {
      var note = form.querySelector("[data-draft-note]");
      if (note) note.hidden = false;
    }
  }
  function initDrafts(root) {
    (root || document).querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form.dataset.draftReady) return;
      form.dataset.draftReady = "1";
      if (form.hasAttribute("data-draft-clear")) {
        try { localStorage.removeItem("draft:" + form.dataset.draft); } catch (e) { /* ignore */ }
      } else if (!form.hasAttribute("data-draft-bound")) {
        restoreDraft(form);
      }
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      var discard = form.querySelector("[data-draft-discard]");
      if (discard) discard.addEventListener("click", function () {
        try { localStorage.removeItem("draft:" + form.dataset.draft); } catch (e) { /* ignore */ }
        location.reload();
      });
    });
  }

  // Category picker: a result button sets the hidden code and shows the chosen path.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-pick-category]");
    if (!btn) return;
    ev.preventDefault();
    var form = btn.closest("form") || document;
    var input = form.querySelector("input[name=category]");
    if (!input) return;
    input.value = btn.dataset.pickCategory;
    var chosen = form.querySelector("[data-category-chosen]");
    if (chosen) chosen.textContent = btn.dataset.label || btn.textContent;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var search = form.querySelector("[data-category-search]");
    if (search) { search.value = ""; }
    var results = form.querySelector("#category-results");
    if (results) results.innerHTML = "";
    var next = form.querySelector("[data-after-category]");
    if (next) next.focus();
  });
  document.addEventListener("draft-restored", function (ev) {
    if (ev.target.name !== "category") return;
    var chosen = document.querySelector("[data-category-chosen]");
    if (chosen && ev.target.dataset.labelUrl && ev.target.value && window.htmx) {
      window.htmx.ajax("GET", ev.target.dataset.labelUrl + "?code=" + encodeURIComponent(ev.target.value),
        { target: chosen, swap: "innerHTML" });
    }
  });

  // "Select all" checkboxes for bulk actions.
  document.addEventListener("change", function (ev) {
    var all = ev.target.closest && ev.target.closest("[data-check-all]");
    if (!all) return;
    document.querySelectorAll("input[type=checkbox][name='" + all.dataset.checkAll + "']").forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // A select marked data-autosubmit submits its form on change (the language switch).
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-autosubmit]") && ev.target.form) ev.target.form.submit();
  });

  // A button marked data-hide-on-click disappears once used (the phone number reveal).
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-hide-on-click]");
    if (button) button.hidden = true;
  });

  // Confirmation for destructive buttons.
  document.addEventListener("submit", function (ev) {
    var submitter = ev.submitter;
    var message = (submitter && submitter.dataset.confirm) || ev.target.dataset.confirm;
    if (message && !window.confirm(message)) ev.preventDefault();
  });

  // Enter in the category search picks from the results instead of submitting the call.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || ev.ctrlKey || ev.metaKey || !ev.target.matches || !ev.target.matches("[data-category-search]")) return;
    ev.preventDefault();
    var first = document.querySelector("#category-results [data-pick-category]");
    if (first) first.focus();
  });

  // A link to #act-<action> opens that action's form and puts the cursor in it.
  function openFromHash() {
    if (!location.hash || location.hash.indexOf("#act-") !== 0) return;
    var box = document.getElementById(location.hash.slice(1));
    if (!box || box.tagName !== "DETAILS") return;
    box.open = true;
    var field = box.querySelector("textarea, input:not([type=hidden]), select");
    if (field) field.focus();
  }
  window.addEventListener("hashchange", openFromHash);

  document.addEventListener("DOMContentLoaded", function () { initDrafts(document); openFromHash(); });
  document.addEventListener("htmx:afterSwap", function (ev) { initDrafts(ev.target); });
})();
