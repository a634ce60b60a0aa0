// The review page: what htmx does not do by itself.
// - A refused action (400/403/409) still replaces the workspace, so its message is shown where the button was.
// - A canned response goes into the comment box with one click, at the cursor.
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    const status = event.detail.xhr.status;
    if ([400, 403, 409].includes(status) && event.detail.target && event.detail.target.id === "workspace") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.canned-response");
    if (!button) return;
    const box = document.getElementById("comment-body");
    if (!box) return;
    const text = button.dataset.body || "";
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const glue = before && !before.endsWith("\n") ? "\n\n" : "";
    box.value = before + glue + text + box.value.slice(end);
    box.focus();
    const caret = (before + glue + text).length;
    box.setSelectionRange(caret, caret);
  });
})();
