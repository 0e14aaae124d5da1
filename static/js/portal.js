/* The portal's few behaviours, for touch and under a strict CSP (no inline script, no eval):
   - header menus (<details class="menu">): one open at a time, closed by a tap outside or Escape;
   - toasts: this page's messages, and those an htmx action sends in HX-Trigger {"toast": [...]};
   - busy buttons: a form or htmx action in flight disables its button and shows a spinner;
   - confirmations in the page's own dialog: data-confirm="…" on a form;
   - undo: data-undo="…" on a form holds the submission for 10 seconds behind an Undo button.
   Every page works without it: menus are <details>, forms submit, messages are in the markup. */
(function () {
  "use strict";

  var UNDO_SECONDS = 10;
  var TOAST_SECONDS = 6;

  // --- menus ---------------------------------------------------------------------------------------------
  function menus() { return document.querySelectorAll("details.menu[open]"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.classList.contains("menu") || !opened.open) return;
    menus().forEach(function (other) { if (other !== opened) other.open = false; });
  }, true);
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) { if (!menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") menus().forEach(function (menu) { menu.open = false; });
  });

  // --- toasts --------------------------------------------------------------------------------------------
  function toastBox() { return document.getElementById("toasts"); }

  function dismissLater(toast, seconds) {
    if (toast.classList.contains("toast-error")) return; // an error stays until it is read and closed
    window.setTimeout(function () { toast.remove(); }, seconds * 1000);
  }

  function showToast(level, text, extra) {
    var box = toastBox();
    if (!box) return null;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "info");
    toast.setAttribute("data-testid", "toast");
    var words = document.createElement("span");
    words.textContent = text;
    toast.appendChild(words);
    if (extra) toast.appendChild(extra);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", box.getAttribute("data-close-label") || "Close");
    close.textContent = "×";
    toast.appendChild(close);
    box.appendChild(toast);
    return toast;
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest(".toast-close");
    if (close) close.closest(".toast").remove();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(function (toast) { dismissLater(toast, TOAST_SECONDS); });
  });

  // htmx fires HX-Trigger's events on the element that made the request; they bubble up to here.
  document.body.addEventListener("toast", function (event) {
    var items = (event.detail && event.detail.value) || [];
    items.forEach(function (item) {
      var toast = showToast(item.level, item.text);
      if (toast) dismissLater(toast, TOAST_SECONDS);
    });
  });

  // --- busy buttons --------------------------------------------------------------------------------------
  function markBusy(button) {
    if (!button) return;
    button.classList.add("is-busy");
    button.setAttribute("aria-busy", "true");
    // After the submission has read the button's name and value: a disabled button would not send them.
    window.setTimeout(function () { button.disabled = true; }, 0);
  }
  function clearBusy(button) {
    if (!button) return;
    button.classList.remove("is-busy");
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var button = elt && elt.tagName === "FORM" ? (event.detail.requestConfig && event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.submitter) || elt.querySelector("button[type=submit], button:not([type])") : (elt && elt.tagName === "BUTTON" ? elt : null);
    if (button && !elt.hasAttribute("data-quiet")) {
      elt.__portalBusy = button;
      markBusy(button);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.__portalBusy) { clearBusy(elt.__portalBusy); elt.__portalBusy = null; }
  });

  // --- confirmations and undo ----------------------------------------------------------------------------
  function ask(text, onYes) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { onYes(); return; }
    document.getElementById("confirm-text").textContent = text;
    dialog.returnValue = "";
    dialog.addEventListener("close", function handler() {
      dialog.removeEventListener("close", handler);
      if (dialog.returnValue === "confirm") onYes();
    });
    dialog.showModal();
  }

  function sendNow(form, submitter) {
    form.__portalCleared = true;
    if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined);
    else form.submit();
  }

  function holdWithUndo(form, submitter) {
    var template = document.getElementById("undo-template");
    var undo = template ? template.content.firstElementChild.cloneNode(true) : document.createElement("button");
    var seconds = UNDO_SECONDS;
    var counter = document.createElement("span");
    counter.className = "toast-countdown";
    counter.textContent = " (" + seconds + ")";
    undo.appendChild(counter);
    var toast = showToast("success", form.getAttribute("data-undo"), undo);
    var row = form.closest("[data-undo-row]");
    if (row) row.classList.add("is-pending");
    var sent = false;
    function send() {
      if (sent) return;
      sent = true;
      window.clearInterval(timer);
      window.removeEventListener("pagehide", leaving);
      if (toast) toast.remove();
      sendNow(form, submitter);
    }
    function leaving() {
      // Leaving within the 10 seconds still records the action: the browser sends it as the page goes.
      if (sent) return;
      sent = true;
      var data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      navigator.sendBeacon(form.getAttribute("action") || window.location.href, data);
    }
    var timer = window.setInterval(function () {
      seconds -= 1;
      counter.textContent = " (" + seconds + ")";
      if (seconds <= 0) send();
    }, 1000);
    window.addEventListener("pagehide", leaving);
    undo.addEventListener("click", function () {
      sent = true;
      window.clearInterval(timer);
      window.removeEventListener("pagehide", leaving);
      if (toast) toast.remove();
      if (row) row.classList.remove("is-pending");
      clearBusy(submitter);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method === "dialog") return;
    var submitter = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (form.__portalCleared) {
      form.__portalCleared = false;
    } else if (form.hasAttribute("data-confirm")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(form.getAttribute("data-confirm"), function () {
        if (form.hasAttribute("data-undo")) holdWithUndo(form, submitter); else sendNow(form, submitter);
      });
      return;
    } else if (form.hasAttribute("data-undo")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      markBusy(submitter);
      holdWithUndo(form, submitter);
      return;
    }
    if (!form.hasAttribute("hx-post") && !form.hasAttribute("hx-get")) {
      if (form.__portalSubmitting) { event.preventDefault(); return; } // a double tap sends once
      form.__portalSubmitting = true;
      markBusy(submitter);
      window.addEventListener("pageshow", function () { form.__portalSubmitting = false; clearBusy(submitter); }, { once: true });
    }
  }, true);
})();
