// "Copy citation" buttons: shown only where the clipboard can be written; the citation is
// also the article's visible heading, so nothing is lost without JavaScript.
if (navigator.clipboard) {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = button.dataset.copied || "✓";
        // Screen readers hear the confirmation through the status region beside the button.
        const status = button.nextElementSibling;
        if (status) status.textContent = `${button.dataset.copied}: ${button.dataset.copy}`;
      } catch {
        button.textContent = label;
      }
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  });
}
