// The time left in a competition attempt (templates/quizzes/question.html), counted down
// each second from what the server said when it sent the page, so the phone's own clock does
// not matter. Only a display: the server decides when time is up. Without JavaScript the
// page says the time left when it was sent and the time to answer by.
document.querySelectorAll("[data-seconds-left]").forEach((clock) => {
  const left = Number(clock.dataset.secondsLeft);
  const shown = clock.querySelector("[data-countdown]");
  if (!shown || !Number.isFinite(left)) return;
  const began = performance.now();
  const tick = () => {
    const remaining = Math.max(0, Math.round(left - (performance.now() - began) / 1000));
    const minutes = Math.floor(remaining / 60);
    const seconds = String(remaining % 60).padStart(2, "0");
    shown.textContent = remaining > 0 ? `${minutes}:${seconds}` : clock.dataset.ended;
    shown.hidden = false;
    if (remaining > 0) setTimeout(tick, 1000);
  };
  tick();
});
