/* File inputs in the page's language (core.forms.FilePicker): a 选择文件 button and the chosen
   file names instead of the browser's own "Choose Files / No file chosen". Without this script
   the browser's input stays as it is and works the same. */
(function () {
  "use strict";

  function show(picker) {
    var input = picker.querySelector("input[type=file]");
    var names = picker.querySelector("[data-file-names]");
    names.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { names.textContent = names.dataset.empty; return; }
    files.forEach(function (file) {
      var item = document.createElement("span");
      item.className = "file-picker-name";
      item.textContent = file.name;
      names.appendChild(item);
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-file-picker]:not(.is-enhanced)").forEach(function (picker) {
      picker.classList.add("is-enhanced");
      picker.querySelectorAll("[hidden]").forEach(function (el) { el.hidden = false; });
      picker.querySelector("input[type=file]").addEventListener("change", function () { show(picker); });
      show(picker);  // files kept by the browser after going back
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { enhance(ev.target); });
  // A form reset empties the input without a change event.
  document.addEventListener("reset", function (ev) {
    setTimeout(function () { ev.target.querySelectorAll(".file-picker.is-enhanced").forEach(show); }, 0);
  });
})();
