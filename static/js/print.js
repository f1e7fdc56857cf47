// Shows and wires the "print" buttons; without JavaScript they stay hidden and the page
// says to use the browser's own print command.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
