/* The incoming call popped up on the call desk: fill the caller's number once per call and let
   the form's own helpers (caller history, duplicates) react to it. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (!ev.target || ev.target.id !== "cti-pop") return;
    var call = ev.target.querySelector("[data-call]");
    var form = document.getElementById("intake-form");
    if (!call || !form || form.dataset.ctiFilled === call.dataset.call) return;
    form.dataset.ctiFilled = call.dataset.call;
    var phone = form.querySelector("[name=citizen_phone]");
    if (phone && call.dataset.callCaller) {
      phone.value = call.dataset.callCaller;
      phone.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var content = form.querySelector("[name=content]");
    if (content) content.focus();
  });
})();
