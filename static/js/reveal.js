// "Show the access key" buttons (templates/reporting/status_lookup.html): a toggle that turns
// the password box it controls into a plain text box and back. Without JavaScript the button
// stays hidden and the box works as a password box.
document.querySelectorAll("[data-reveal]").forEach((button) => {
  const input = document.getElementById(button.getAttribute("aria-controls"));
  if (!input) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", String(shown));
  });
});
