// Starts the admin widgets that Wagtail would start with inline scripts, which the admin's
// Content-Security-Policy refuses (docs/security.md). The widget templates overridden in
// templates/wagtailadmin/ leave a hidden marker naming the starter, the input and its options;
// markers added later (a new inline form, a block, a dialog's content) start when they appear.
(() => {
  // Only Wagtail's own starters: a marker cannot name any other function.
  const STARTERS = ["initDateChooser", "initTimeChooser", "initDateTimeChooser"];

  // The picker opens 100 ms after its field gains focus and does not cancel that when focus
  // leaves sooner, so a keyboard user tabbing past the field found it open over the next fields,
  // where Escape did nothing. It now opens only while its field has focus, and Escape closes it.
  const openOnlyWithFocus = (time, input) => document.activeElement === input[0];
  const closeOnEscape = (event) => {
    if (event.key !== "Escape" || !window.jQuery) return;
    const picker = window.jQuery(event.target).data("xdsoft_datetimepicker");
    if (!picker?.is(":visible")) return;
    picker.trigger("close.xdsoft");
    // Escape closes the innermost thing open; the admin's own Escape (which on a phone moves
    // focus to the menu button) would take the person away from the date half typed.
    event.stopPropagation();
  };

  const start = (marker) => {
    const name = marker.dataset.portalInit;
    marker.removeAttribute("data-portal-init");
    const starter = STARTERS.includes(name) ? window[name] : undefined;
    if (typeof starter !== "function") return;
    const options = JSON.parse(marker.dataset.portalOptions || "{}");
    starter(marker.dataset.portalTarget, { ...options, onShow: openOnlyWithFocus });
    document.getElementById(marker.dataset.portalTarget)?.addEventListener("keydown", closeOnEscape);
  };

  const startWithin = (root) => {
    if (root.matches?.("[data-portal-init]")) start(root);
    root.querySelectorAll?.("[data-portal-init]").forEach(start);
  };

  const run = () => {
    startWithin(document);
    new MutationObserver((changes) => {
      changes.forEach((change) => change.addedNodes.forEach(startWithin));
    }).observe(document.body, { childList: true, subtree: true });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
