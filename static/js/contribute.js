// The contribution form: what htmx does not do by itself.
// - Messages about a field that is still empty stay hidden until the person has been in that field (or tried to
//   submit), so a new form does not open covered in red; the list on the right always shows everything.
// - After an example is added, moved or removed, the focus goes to the control that makes sense next.
// - Saving problems (logged out, server unreachable) are said out loud, and leaving with unsaved text warns.
(function () {
  "use strict";
  const editor = document.getElementById("editor");
  const form = document.getElementById("contribution-form");
  if (!editor || !form) return;

  const touched = new Set();
  let version = 0;
  let savedVersion = 0;
  let submitting = false;

  function fieldOf(element) {
    return element.closest(".field, .consent-field");
  }

  function touch(event) {
    const target = event.target;
    if (!target.id || !(target.form === form)) return;
    touched.add(target.id);
    const field = fieldOf(target);
    if (field) field.classList.add("touched");
  }

  function restoreTouched() {
    touched.forEach(function (id) {
      const element = document.getElementById(id);
      const field = element && fieldOf(element);
      if (field) field.classList.add("touched");
    });
  }

  function localTimes(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (element) {
      const when = new Date(element.getAttribute("datetime"));
      if (!isNaN(when)) {
        element.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        element.title = when.toLocaleString();
      }
    });
  }

  function isSave(detail) {
    const path = (detail.pathInfo && detail.pathInfo.requestPath) || "";
    return /\/(autosave|rows)\/$/.test(path);
  }

  editor.addEventListener("input", function (event) {
    touch(event);
    if (event.target.form === form) version += 1;
  });
  editor.addEventListener("focusout", touch);

  // Enter in a one-line field would submit the whole page; the form saves by itself.
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input[type=text], input[type=url], input[type=search]")) {
      event.preventDefault();
    }
  });

  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && version > savedVersion) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (isSave(event.detail)) event.detail.xhr.labwebVersion = version;
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    const detail = event.detail;
    if (isSave(detail) && detail.successful) {
      savedVersion = Math.max(savedVersion, detail.xhr.labwebVersion || 0);
    }
    const path = (detail.pathInfo && detail.pathInfo.requestPath) || "";
    // An uploaded document changes the draft's document fields on the server: show them as stored.
    if (/\/documents\/upload$/.test(path) && detail.successful && document.getElementById("document-fields")) {
      htmx.trigger("#document-fields", "refresh");
    }
  });

  function saveFailed(event) {
    if (!isSave(event.detail)) return;
    const xhr = event.detail.xhr;
    const alert = document.getElementById("save-alert");
    const status = document.getElementById("save-status");
    if (status) status.textContent = "Not saved";
    if (alert) {
      alert.textContent = xhr && xhr.status === 401 && xhr.responseText ? xhr.responseText
        : "Not saved: the server could not be reached. What you typed is still here and is saved at your next change.";
    }
  }
  document.body.addEventListener("htmx:responseError", saveFailed);
  document.body.addEventListener("htmx:sendError", saveFailed);

  document.body.addEventListener("htmx:afterSettle", function (event) {
    restoreTouched();
    localTimes(document);
    const seeds = document.querySelector("#seeds[data-focus]");
    if (seeds) {
      const next = document.getElementById(seeds.dataset.focus);
      seeds.removeAttribute("data-focus");
      if (next) next.focus();
    }
    if (event.detail.elt && event.detail.elt.id === "document-fields") {
      editor.dispatchEvent(new Event("change"));
    }
  });

  // A link in the "what still blocks" list puts the cursor in the field, not only the page at it.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("#blockers a[href^='#']");
    if (!link) return;
    const target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    event.preventDefault();
    const closed = target.closest("details:not([open])");
    if (closed) closed.open = true;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    const field = fieldOf(target);
    if (field) field.classList.add("touched");
  });

  localTimes(document);
})();
