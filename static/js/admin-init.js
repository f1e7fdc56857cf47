// Starts the admin widgets that Wagtail would start with inline scripts, which the admin's
// Content-Security-Policy refuses (docs/security.md). The widget templates overridden in
// templates/wagtailadmin/ leave a hidden marker naming the starter, the input and its options;
// markers added later (a new inline form, a block, a dialog's content) start when they appear.
(() => {
  // Only Wagtail's own starters: a marker cannot name any other function.
  const STARTERS = ["initDateChooser", "initTimeChooser", "initDateTimeChooser"];

  const start = (marker) => {
    const name = marker.dataset.portalInit;
    marker.removeAttribute("data-portal-init");
    const starter = STARTERS.includes(name) ? window[name] : undefined;
    if (typeof starter !== "function") return;
    starter(marker.dataset.portalTarget, JSON.parse(marker.dataset.portalOptions || "{}"));
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
