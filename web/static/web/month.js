/* The month view of the times step (issue 10): arrow keys move between days like a date
   picker (left/right a day, up/down a week, Home/End the week's ends), and only one day is in
   the tab order, so a keyboard user tabs past the month in one step. Past days and days not
   yet open are not links and are skipped. Without JavaScript every day is an ordinary link. */
(function () {
  "use strict";
  const table = document.querySelector("[data-month]");
  if (!table) return;
  const links = Array.from(table.querySelectorAll("a[data-day]"));
  if (!links.length) return;
  const byDay = new Map(links.map((link) => [link.dataset.day, link]));
  const current = table.querySelector('a[aria-current="date"]') || links[0];
  links.forEach((link) => link.setAttribute("tabindex", link === current ? "0" : "-1"));

  function shifted(iso, days) {
    const [y, m, d] = iso.split("-").map(Number);
    const date = new Date(Date.UTC(y, m - 1, d + days));
    return date.toISOString().slice(0, 10);
  }

  function move(from, step, limit) {
    // Walk in `step`s (days) until a day that is a link, at most `limit` steps.
    let iso = from.dataset.day;
    for (let i = 0; i < limit; i += 1) {
      iso = shifted(iso, step);
      const next = byDay.get(iso);
      if (next) return next;
    }
    return null;
  }

  table.addEventListener("keydown", (event) => {
    const link = event.target.closest("a[data-day]");
    if (!link) return;
    const weekday = (new Date(link.dataset.day + "T12:00:00Z").getUTCDay() + 6) % 7; // Monday 0
    let target = null;
    switch (event.key) {
      case "ArrowLeft": target = move(link, -1, 31); break;
      case "ArrowRight": target = move(link, 1, 31); break;
      case "ArrowUp": target = move(link, -7, 5); break;
      case "ArrowDown": target = move(link, 7, 5); break;
      case "Home": target = byDay.get(shifted(link.dataset.day, -weekday)) || move(link, -1, weekday); break;
      case "End": target = byDay.get(shifted(link.dataset.day, 6 - weekday)) || move(link, 1, 6 - weekday); break;
      default: return;
    }
    event.preventDefault();
    if (!target) return;
    link.setAttribute("tabindex", "-1");
    target.setAttribute("tabindex", "0");
    target.focus();
  });
})();
