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

  // The sticky top bar's real height as --header-h (CSS: scroll-padding-top), so a jump to a
  // section lands below the bar however many rows it wraps to. Set through the CSSOM, which the
  // Content-Security-Policy allows (no style attribute is written).
  function measureHeader() {
    var bar = document.querySelector(".topbar");
    if (!bar || getComputedStyle(bar).position !== "sticky") return;
    document.documentElement.style.setProperty("--header-h", bar.getBoundingClientRect().height + "px");
  }
  measureHeader();
  document.addEventListener("DOMContentLoaded", measureHeader);
  window.addEventListener("resize", measureHeader);

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

/* The dispatch unit picker ([data-unit-picker]): type to search (htmx fills the list), ↑↓ to
   move, Enter to make the unit the lead (a co-handler once a lead is chosen), Shift+Enter to
   make it the lead instead, the buttons for the mouse; picked units are chips with their own
   hidden inputs (lead_unit, co_units) and a × to remove them, Backspace in the empty search
   removes the last. Picking a suggested unit as lead also takes its co-handlers and reason. */
(function () {
  "use strict";

  function options(picker) { return Array.prototype.slice.call(picker.querySelectorAll("[data-picker-list] [role=option]")); }
  function active(picker) { return picker.querySelector("[data-picker-list] [role=option].is-active"); }
  function input(picker) { return picker.querySelector("[data-picker-input]"); }

  function setActive(picker, option) {
    options(picker).forEach(function (o) { o.classList.remove("is-active"); o.setAttribute("aria-selected", "false"); });
    var search = input(picker);
    if (!option) { search.removeAttribute("aria-activedescendant"); return; }
    if (!option.id) option.id = picker.querySelector("[data-picker-list]").id + "-" + option.dataset.unit;
    option.classList.add("is-active");
    option.setAttribute("aria-selected", "true");
    search.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
  }

  function chip(picker, role, id, name) {
    var span = document.createElement("span");
    span.className = "chip chip-unit" + (role === "lead" ? " chip-lead" : "");
    span.dataset.chip = role;
    span.dataset.unit = id;
    var label = document.createElement("span");
    label.className = "chip-role";
    label.textContent = role === "lead" ? picker.dataset.leadLabel : picker.dataset.coLabel;
    span.appendChild(label);
    span.appendChild(document.createTextNode(" " + name));
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = role === "lead" ? "lead_unit" : "co_units";
    hidden.value = id;
    span.appendChild(hidden);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.dataset.remove = "";
    remove.setAttribute("aria-label", picker.dataset.removeLabel + " " + name);
    remove.textContent = "×";
    span.appendChild(remove);
    return span;
  }

  function refresh(picker) {
    var picked = picker.querySelector("[data-picked]");
    var chosen = {};
    picked.querySelectorAll("[data-chip]").forEach(function (c) { chosen[c.dataset.unit] = c.dataset.chip; });
    var empty = picked.querySelector("[data-picked-empty]");
    if (empty) empty.hidden = Object.keys(chosen).length > 0;
    options(picker).forEach(function (o) {
      o.classList.toggle("is-picked", !!chosen[o.dataset.unit]);
      var lead = o.querySelector("[data-pick=lead]");
      var co = o.querySelector("[data-pick=co]");
      if (lead) lead.disabled = chosen[o.dataset.unit] === "lead";
      if (co) co.disabled = !!chosen[o.dataset.unit];
    });
  }

  function remember(picker, explanation, suggested) {
    var form = picker.closest("form");
    if (!form) return;
    var why = form.querySelector("input[name=explanation]");
    var which = form.querySelector("input[name=suggested_lead]");
    if (why) why.value = explanation || "";
    if (which) which.value = suggested || "";
  }

  function pick(picker, option, role) {
    var picked = picker.querySelector("[data-picked]");
    var id = option.dataset.unit, name = option.dataset.name;
    var existing = picked.querySelector("[data-chip][data-unit='" + id + "']");
    if (role === "lead" || picker.hasAttribute("data-single")) {
      var old = picked.querySelector("[data-chip=lead]");
      if (old) old.remove();
      if (existing) existing.remove();
      var lead = chip(picker, "lead", id, name);
      picked.insertBefore(lead, picked.firstChild);
      remember(picker, option.dataset.explanation, option.dataset.explanation ? id : "");
      if (option.dataset.co && !picker.hasAttribute("data-single")) {
        var co = []; try { co = JSON.parse(option.dataset.co); } catch (e) { co = []; }
        co.forEach(function (u) {
          if (!picked.querySelector("[data-chip][data-unit='" + u.id + "']")) picked.insertBefore(chip(picker, "co", String(u.id), u.name), picked.querySelector("[data-picked-empty]"));
        });
      }
    } else if (!existing) {
      picked.insertBefore(chip(picker, "co", id, name), picked.querySelector("[data-picked-empty]"));
    }
    refresh(picker);
    var search = input(picker);
    search.focus();
  }

  document.addEventListener("keydown", function (ev) {
    var search = ev.target;
    if (!search.matches || !search.matches("[data-picker-input]")) return;
    var picker = search.closest("[data-unit-picker]");
    var list = options(picker), current = active(picker), index = list.indexOf(current);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!list.length) return;
      index = ev.key === "ArrowDown" ? Math.min(list.length - 1, index + 1) : Math.max(0, index - 1);
      setActive(picker, list[index]);
    } else if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) {
      ev.preventDefault();  // Enter picks; Ctrl+Enter still submits the form
      var option = current || list[0];
      if (!option) return;
      var hasLead = !!picker.querySelector("[data-picked] [data-chip=lead]");
      pick(picker, option, ev.shiftKey || !hasLead ? "lead" : "co");
    } else if (ev.key === "Escape") {
      search.value = "";
      setActive(picker, null);
    } else if (ev.key === "Backspace" && !search.value) {
      var chips = picker.querySelectorAll("[data-picked] [data-chip]");
      if (chips.length) { chips[chips.length - 1].remove(); refresh(picker); }
    }
  });

  document.addEventListener("click", function (ev) {
    var target = ev.target.closest && ev.target.closest("[data-unit-picker] [data-pick], [data-unit-picker] [data-remove]");
    if (!target) {
      var row = ev.target.closest && ev.target.closest("[data-unit-picker] [role=option]");
      if (row && !(ev.target.closest("a"))) setActive(row.closest("[data-unit-picker]"), row);
      return;
    }
    var picker = target.closest("[data-unit-picker]");
    ev.preventDefault();
    if (target.hasAttribute("data-remove")) {
      var removed = target.closest("[data-chip]");
      if (removed.dataset.chip === "lead") remember(picker, "", "");
      removed.remove();
      refresh(picker);
      input(picker).focus();
      return;
    }
    pick(picker, target.closest("[role=option]"), target.dataset.pick);
  });

  function init(root) {
    (root || document).querySelectorAll("[data-unit-picker]").forEach(function (picker) {
      // The chips' inputs count only with this script; without it the <noscript> selects do.
      picker.querySelectorAll("[data-picker-value]").forEach(function (el) { el.disabled = false; });
      refresh(picker);
      var first = options(picker)[0];
      if (first && !active(picker)) setActive(picker, first);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var picker = ev.target.closest && ev.target.closest("[data-unit-picker]");
    if (picker) { refresh(picker); setActive(picker, options(picker)[0] || null); }
  });
})();
