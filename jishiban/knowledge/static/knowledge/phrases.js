/* Stock phrases (常用语): a click inserts the phrase into its field at the cursor. */
(function () {
  "use strict";
  if (window.jishibanPhrases) return;  // the partial may appear more than once on a page
  window.jishibanPhrases = true;
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-phrase]");
    if (!button) return;
    var field = document.querySelector(button.dataset.phraseTarget);
    if (!field) return;
    var text = button.dataset.phrase;
    var start = field.selectionStart, end = field.selectionEnd;
    if (typeof start === "number" && document.activeElement === field) {
      field.value = field.value.slice(0, start) + text + field.value.slice(end);
    } else {
      field.value = field.value ? field.value + text : text;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
})();
