/* The reception diary: dialogs, click-to-book, drag-to-move, and live updates.
   Without this script every link and form still works as an ordinary page. */
(function () {
  "use strict";

  // The day sheet's Print button (the sheet prints without the site's header and footer).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  const grid = document.getElementById("diary");
  if (!grid) return;
  grid.classList.add("js");

  const dialog = document.getElementById("diary-dialog");
  const dialogBody = document.getElementById("dialog-body");
  const statusBox = document.getElementById("diary-status");
  const panel = document.getElementById("waitlist-panel");
  const gridStart = Number(grid.dataset.gridStart);
  const step = Number(grid.dataset.step) || 15;
  const back = grid.dataset.back;
  const byTherapist = grid.dataset.by === "therapist";
  let etag = grid.dataset.etag || "";
  let dragging = null;
  let statusTimer = null;
  const known = new Map(); // item id -> html last drawn from the server
  let waitlistHtml = null;

  // --- small helpers ------------------------------------------------------------------------

  function pixelsPerMinute() {
    return parseFloat(getComputedStyle(grid).getPropertyValue("--ppm")) || 1.6;
  }

  function hhmm(minutes) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0");
  }

  function say(message, isError) {
    statusBox.textContent = message;
    statusBox.classList.toggle("error", Boolean(isError));
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { statusBox.textContent = ""; }, 7000);
  }

  function withParams(url, params) {
    const target = new URL(url, window.location.href);
    Object.entries(params).forEach(function ([key, value]) {
      if (value !== undefined && value !== null && value !== "") target.searchParams.set(key, value);
    });
    return target.pathname + target.search;
  }

  function minuteAt(columnBody, clientY, offsetMinutes) {
    const rect = columnBody.getBoundingClientRect();
    const raw = gridStart + (clientY - rect.top) / pixelsPerMinute() - (offsetMinutes || 0);
    return Math.max(gridStart, Math.floor(raw / step) * step);
  }

  // --- dialogs ------------------------------------------------------------------------------

  function showFragment(html) {
    statusBox.textContent = "";
    dialogBody.innerHTML = html;
    if (!dialog.open) dialog.showModal();
    const alert = dialogBody.querySelector("[role=alert]");
    const first = alert || dialogBody.querySelector("input:not([type=hidden]):not([tabindex='-1']), select, textarea");
    if (alert) { alert.setAttribute("tabindex", "-1"); }
    (first || dialogBody.querySelector("h1") || dialog).focus();
    setUpPatientSearch();
  }

  function openDialog(url) {
    fetch(url, { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(showFragment)
      .catch(function () { window.location.href = url; });
  }

  function handleResult(response) {
    const type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") !== -1) {
      return response.json().then(function (data) {
        if (data.ok) {
          if (dialog.open) dialog.close();
          say(data.message, false);
        } else {
          say(data.message, true);
        }
        poll();
      });
    }
    return response.text().then(showFragment);
  }

  function submitWithFetch(form, submitter) {
    const body = new FormData(form, submitter || undefined);
    if (!body.get("back")) body.set("back", back);
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      headers: { "X-Fragment": "1" },
      credentials: "same-origin",
    }).then(handleResult).catch(function () { say("Could not reach the server; please try again.", true); });
  }

  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-dialog]");
    if (opener && !event.defaultPrevented && event.button === 0 && !event.metaKey && !event.ctrlKey) {
      event.preventDefault();
      openDialog(opener.getAttribute("href"));
      return;
    }
    const closer = event.target.closest("[data-close]");
    if (closer && dialog.contains(closer)) {
      event.preventDefault();
      dialog.close();
    }
  });

  dialog.addEventListener("submit", function (event) {
    event.preventDefault();
    submitWithFetch(event.target, event.submitter);
  });

  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    const target = event.target;
    if (target.name === "patient_search") {
      event.preventDefault();
      searchPatients(target, true);
    } else if (target.matches("input:not([type=submit]):not([type=radio])")) {
      const primary = target.form && target.form.querySelector("[data-primary]");
      if (primary) {
        event.preventDefault();
        target.form.requestSubmit(primary);
      }
    }
  });

  panel.addEventListener("submit", function (event) {
    if (!event.target.matches("[data-action]")) return;
    event.preventDefault();
    submitWithFetch(event.target, event.submitter);
  });

  // --- patient search inside the booking and waiting-list dialogs ---------------------------

  let searchTimer = null;

  function searchPatients(input, now) {
    const picker = input.closest("[data-search-url]");
    const results = picker.querySelector("[data-results]");
    const query = input.value.trim();
    clearTimeout(searchTimer);
    if (query.length < 2) return;
    searchTimer = setTimeout(function () {
      fetch(withParams(picker.dataset.searchUrl, { q: query }), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          const checked = results.querySelector("input:checked");
          const keep = checked ? checked.closest("li") : null;
          results.innerHTML = "";
          if (keep) results.appendChild(keep);
          data.patients.forEach(function (patient) {
            if (keep && checked.value === String(patient.id)) return;
            const item = document.createElement("li");
            const label = document.createElement("label");
            const radio = document.createElement("input");
            radio.type = "radio";
            radio.name = "patient";
            radio.value = patient.id;
            const text = document.createElement("span");
            const name = document.createElement("strong");
            name.textContent = patient.name;
            const detail = document.createElement("span");
            detail.className = "small muted";
            detail.textContent = patient.detail;
            text.append(name, document.createElement("br"), detail);
            label.append(radio, " ", text);
            item.appendChild(label);
            results.appendChild(item);
          });
          if (!data.patients.length && !keep) {
            const none = document.createElement("li");
            none.className = "muted small";
            none.textContent = "No patient found. Add them as a new patient below.";
            results.appendChild(none);
          }
        });
    }, now ? 0 : 250);
  }

  function setUpPatientSearch() {
    const input = dialogBody.querySelector("input[name=patient_search]");
    if (input) input.addEventListener("input", function () { searchPatients(input, false); });
  }

  // --- today's day view opens at the current time -------------------------------------------

  const nowLine = grid.querySelector(".now-line");
  const scroller = grid.closest(".diary-scroll");
  if (nowLine && scroller) {
    // An hour above now, so the session under way and the next ones are in view.
    scroller.scrollTop = Math.max(0, nowLine.offsetTop - 60 * pixelsPerMinute());
  }

  // --- a booking's card: on hover and on keyboard focus ------------------------------------
  // CSS shows the card while its booking is hovered or holds focus (so Tab reaches the phone
  // link inside it). Here it is placed beside the booking, within the window, and Escape hides
  // it until the pointer or focus leaves (WCAG 1.4.13: dismissible, hoverable, persistent).

  function placeCard(holder) {
    const card = holder.querySelector(":scope > .card-pop");
    if (!card) return;
    const box = holder.getBoundingClientRect();
    card.classList.add("placed");
    const width = card.offsetWidth;
    const height = card.offsetHeight;
    let left = box.right - 2;
    if (left + width > window.innerWidth - 8) left = Math.max(8, box.left - width + 2);
    let top = Math.min(box.top, window.innerHeight - height - 8);
    card.style.left = left + "px";
    card.style.top = Math.max(8, top) + "px";
  }

  function cardHolder(target) {
    return target && target.closest ? target.closest(".has-card") : null;
  }

  grid.addEventListener("mouseover", function (event) {
    const holder = cardHolder(event.target);
    if (holder && !holder.contains(event.relatedTarget)) placeCard(holder);
  });
  grid.addEventListener("focusin", function (event) {
    const holder = cardHolder(event.target);
    if (holder) placeCard(holder);
  });
  grid.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const holder = cardHolder(event.target);
    if (!holder) return;
    holder.classList.add("card-dismissed");
    // Focus inside the card (its phone link) would be left on a hidden element, and the
    // browser moves it to the page at a moment of its choosing: hand it to the booking itself.
    const card = holder.querySelector(":scope > .card-pop");
    const link = holder.querySelector(".item-link");
    if (card && link && card.contains(document.activeElement)) link.focus();
  });
  grid.addEventListener("focusout", function (event) {
    const holder = cardHolder(event.target);
    if (holder && !holder.contains(event.relatedTarget)) holder.classList.remove("card-dismissed");
  });
  grid.addEventListener("mouseout", function (event) {
    const holder = cardHolder(event.target);
    if (holder && !holder.contains(event.relatedTarget) && !holder.contains(document.activeElement)) {
      holder.classList.remove("card-dismissed");
    }
  });
  if (scroller) scroller.addEventListener("scroll", function () {
    const open = grid.querySelector(".has-card:focus-within, .has-card:hover");
    if (open) placeCard(open);
  }, { passive: true });

  // --- click free time to book --------------------------------------------------------------

  function isOpenAt(body, minute) {
    return Array.prototype.some.call(body.querySelectorAll(".open"), function (open) {
      const from = gridStart + Number(open.dataset.at);
      return minute >= from && minute < from + Number(open.dataset.len);
    });
  }

  grid.addEventListener("click", function (event) {
    if (event.target.closest(".item")) return;
    const body = event.target.closest(".col-body");
    if (!body) return;
    const column = body.closest(".diary-col");
    const minute = minuteAt(body, event.clientY, 0);
    if (!isOpenAt(body, minute)) {
      // Shaded time: say so now rather than after the whole booking form is filled in.
      const who = column.dataset.therapist ? column.dataset.title + " is not working" : "The clinic is closed";
      say(who + " at " + hhmm(minute) + ". Click unshaded time to book.", true);
      return;
    }
    openDialog(withParams(grid.dataset.newUrl, {
      date: column.dataset.day,
      time: hhmm(minute),
      therapist: column.dataset.therapist,
      room: column.dataset.room,
      back: back,
    }));
  });

  // --- drag a booking to move it -------------------------------------------------------------

  let marker = null;

  function showMarker(body, minute, length) {
    if (!marker) {
      marker = document.createElement("div");
      marker.className = "drop-marker";
    }
    if (marker.parentElement !== body) body.appendChild(marker);
    marker.style.top = (minute - gridStart) * pixelsPerMinute() + "px";
    marker.style.height = length * pixelsPerMinute() + "px";
    marker.textContent = hhmm(minute);
  }

  function hideMarker() {
    if (marker && marker.parentElement) marker.parentElement.removeChild(marker);
  }

  grid.addEventListener("dragstart", function (event) {
    const item = event.target.closest(".item.booking[draggable=true]");
    if (!item) return;
    const rect = item.getBoundingClientRect();
    dragging = {
      id: item.dataset.booking,
      minutes: Number(item.dataset.minutes) || step,
      grab: (event.clientY - rect.top) / pixelsPerMinute(),
      element: item,
    };
    item.classList.add("dragging");
    grid.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.booking);
  });

  grid.addEventListener("dragover", function (event) {
    const body = event.target.closest(".col-body");
    if (!dragging || !body) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    showMarker(body, minuteAt(body, event.clientY, dragging.grab), dragging.minutes);
  });

  grid.addEventListener("dragleave", function (event) {
    if (!grid.contains(event.relatedTarget)) hideMarker();
  });

  grid.addEventListener("dragend", function () {
    grid.classList.remove("is-dragging");
    hideMarker();
    if (dragging) dragging.element.classList.remove("dragging");
    dragging = null;
  });

  grid.addEventListener("drop", function (event) {
    const body = event.target.closest(".col-body");
    if (!dragging || !body) return;
    event.preventDefault();
    const column = body.closest(".diary-col");
    const minute = minuteAt(body, event.clientY, dragging.grab);
    const url = grid.dataset.moveUrl.replace("/0/", "/" + dragging.id + "/");
    hideMarker();
    dragging.element.classList.remove("dragging");
    openDialog(withParams(url, {
      date: column.dataset.day,
      time: hhmm(minute),
      therapist: byTherapist ? column.dataset.therapist : "",
      room: byTherapist ? "" : column.dataset.room,
      back: back,
    }));
    dragging = null;
  });

  // --- live updates: ask every few seconds whether anything changed --------------------------

  function redraw(data) {
    const wanted = new Set();
    data.items.forEach(function (item) {
      wanted.add(item.id);
      const body = grid.querySelector('[data-column="' + item.column + '"] .col-body');
      const existing = document.getElementById(item.id);
      if (existing && known.get(item.id) === item.html && existing.parentElement === body) return;
      if (!body) return;
      const holder = document.createElement("template");
      holder.innerHTML = item.html.trim();
      const fresh = holder.content.firstElementChild;
      if (existing) existing.replaceWith(fresh);
      if (!existing || fresh.parentElement !== body) body.appendChild(fresh);
      known.set(item.id, item.html);
    });
    grid.querySelectorAll(".col-body > .item").forEach(function (element) {
      if (!wanted.has(element.id) && !(dragging && dragging.element === element)) {
        element.remove();
        known.delete(element.id);
      }
    });
    if (data.waitlist !== waitlistHtml) {
      panel.innerHTML = data.waitlist;
      waitlistHtml = data.waitlist;
    }
  }

  let polling = false;
  let pollAgain = false; // a change was made while a poll was in flight: ask once more after it

  function poll() {
    if (document.hidden) return;
    if (polling) { pollAgain = true; return; }
    polling = true;
    fetch(grid.dataset.changesUrl, {
      headers: { "If-None-Match": etag, "Accept": "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    })
      .then(function (response) {
        if (response.status === 304 || !response.ok) return null;
        const fresh = response.headers.get("ETag") || "";
        return response.json().then(function (data) {
          // Mid-drag the page is left alone and the old ETag kept, so the next poll redraws.
          if (dragging) return;
          redraw(data);
          etag = fresh;
        });
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .finally(function () {
        polling = false;
        if (pollAgain) { pollAgain = false; poll(); }
      });
  }

  const seconds = Number(grid.dataset.pollSeconds) || 10;
  setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });

  // --- the "show" filter submits itself ------------------------------------------------------

  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    const button = select.form.querySelector("[data-autosubmit-button]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
