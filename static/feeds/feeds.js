// The feeds page: a Copy button next to each new feed address. Without JavaScript the
// buttons stay hidden and the read-only fields can be selected and copied by hand.
(function () {
  "use strict";

  function copied(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).then(
        function () { return true; },
        function () { return legacyCopy(field); }
      );
    }
    return Promise.resolve(legacyCopy(field));
  }

  function legacyCopy(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector("[data-copy-status]");
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        copied(field).then(function (ok) {
          if (!status) return;
          status.textContent = ok
            ? (button.getAttribute("data-copy-name") || "Address") + " copied."
            : "Copying failed: the address is selected, press Ctrl+C (or \u2318C) to copy it.";
          if (!ok) { field.focus(); field.select(); }
        });
      });
    });
  });
})();
