// Inbox and ticket pages: live countdowns, times in the agent's own zone, folded quotes.
// Progressive enhancement: without it the server-rendered text stands (as of page load).
(function () {
  "use strict";

  function span(seconds) {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const secs = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    // Seconds always show: an agent should see at a glance that the clock is live.
    if (days > 0) return `${days}d ${hours}h ${pad(minutes)}m ${pad(secs)}s`;
    if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(secs)}s`;
    return `${minutes}m ${pad(secs)}s`;
  }

  // One timer for the whole page that looks the elements up on every tick, so countdowns
  // swapped in by htmx (filters, pages, a reclassified clock) need no setup of their own.
  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-countdown-to]")) {
      const target = Date.parse(el.dataset.countdownTo);
      if (Number.isNaN(target)) continue;
      const left = Math.round((target - now) / 1000);
      el.textContent = left >= 0 ? `${span(left)} left` : `overdue by ${span(-left)}`;
      el.classList.toggle("is-overdue", left < 0);
    }
  }

  // en-US for the names ("Tue", "Dec", "EST"); the order is the server's own "|date" format,
  // so the agent's line reads like the client's line above it.
  const partsFormat = new Intl.DateTimeFormat("en-US", {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  });

  function formatLocal(when, short) {
    const p = {};
    for (const part of partsFormat.formatToParts(when)) p[part.type] = part.value;
    const day = short ? `${p.weekday} ${p.day} ${p.month}` : `${p.weekday} ${p.day} ${p.month} ${p.year}`;
    return `${day}, ${p.hour}:${p.minute} ${p.timeZoneName}`;
  }

  // Agents have no stored time zone; their browser knows it.
  function localTimes(root) {
    for (const el of root.querySelectorAll("time[data-local-time]")) {
      const when = new Date(el.getAttribute("datetime"));
      if (Number.isNaN(when.getTime())) continue;
      el.textContent = formatLocal(when, el.dataset.localTime === "short");
    }
  }

  // Sanitized mail HTML marks its quoted history with class="quoted" (mail/sanitize.py);
  // fold each outermost one the way plain-text quotes are folded on the server.
  function foldQuotes(root) {
    for (const quote of root.querySelectorAll(".message-html .quoted")) {
      if (quote.parentElement.closest(".quoted, details.quoted-history")) continue;
      const details = document.createElement("details");
      details.className = "quoted-history";
      const summary = document.createElement("summary");
      summary.textContent = "Quoted history";
      details.append(summary);
      quote.replaceWith(details);
      details.append(quote);
    }
  }

  function enhance(root) {
    localTimes(root);
    foldQuotes(root);
    tick();
  }

  document.addEventListener("DOMContentLoaded", () => {
    enhance(document);
    setInterval(tick, 1000);
  });
  document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));
})();
