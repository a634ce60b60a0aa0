// Picking an excerpt: the text selected in the document reader is copied into the chosen excerpt's context
// field, exactly as written in the document, and the form's autosave is triggered.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-use-selection]");
  if (!button) return;
  const reader = button.closest(".document-reader");
  const source = document.getElementById(button.dataset.source);
  const status = reader.querySelector(".selection-status");
  const selection = window.getSelection();
  const text = selection ? selection.toString() : "";
  if (!text.trim() || !source.contains(selection.anchorNode)) {
    status.textContent = "Select a passage in the document first.";
    return;
  }
  const number = reader.querySelector("#excerpt-target").value;
  const field = document.querySelector(`[name="seed-${number}-context"]`);
  if (!field) {
    status.textContent = `There is no excerpt ${number} in the form yet.`;
    return;
  }
  field.value = text.replace(/\s+$/, "");
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.dispatchEvent(new Event("change", { bubbles: true }));
  status.textContent = `Copied into excerpt ${number}.`;
  field.focus();
});
