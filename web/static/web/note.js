/* The session-note form: autosave, rows added and removed in place, the body chart.

   Without this script every button is a normal submit and the server does the same work.
   With it:
   - the form is saved as you type (1.5 s after the last change) by posting it to
     data-autosave-url with the version the page last saw; the status line says "Saving…",
     "Saved at 10:32:05" or what went wrong, and a 409 (the note was saved elsewhere) keeps
     everything typed here and offers to save over it or open the saved note;
   - "Add a site" and "Remove site 2" work in place and move focus sensibly;
   - clicking or tapping a region on the body chart adds a mark for it (or focuses its row),
     and the chart follows the list of marks as they change. */
(function () {
  "use strict";
  const form = document.getElementById("note-form");
  if (!form) return;
  const state = form.querySelector("[data-save-state]");
  const versionInput = form.querySelector("[data-version]");
  const url = form.dataset.autosaveUrl;
  let timer = null;
  let saving = false;
  let again = false;
  let blocked = false; // after a version conflict: no more autosaves until the user decides

  function say(text, kind) {
    if (!state) return;
    state.textContent = text;
    state.className = "save-state" + (kind ? " " + kind : "");
  }

  function clearFieldErrors() {
    form.querySelectorAll("[data-autosave-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[data-field].has-error-live").forEach(function (node) {
      node.classList.remove("has-error-live");
    });
  }

  function showFieldErrors(fields) {
    Object.keys(fields || {}).forEach(function (name) {
      const holder = form.querySelector('[data-field="' + CSS.escape(name) + '"]') ||
        document.getElementById("f-" + name);
      if (!holder) return;
      holder.classList.add("has-error-live");
      const p = document.createElement("p");
      p.className = "error";
      p.setAttribute("data-autosave-error", "");
      p.textContent = fields[name].join(" ");
      holder.appendChild(p);
    });
  }

  function conflict(message) {
    blocked = true;
    say(message + " What you typed is still here.", "error");
    if (state.querySelector("button")) return;
    const overwrite = document.createElement("button");
    overwrite.type = "button";
    overwrite.className = "button small";
    overwrite.textContent = "Save this page over it";
    overwrite.addEventListener("click", function () {
      blocked = false;
      save(true);
    });
    const reload = document.createElement("a");
    reload.className = "button small secondary";
    reload.href = window.location.pathname;
    reload.textContent = "Open the saved note instead";
    const box = document.createElement("span");
    box.className = "row";
    box.append(" ", overwrite, " ", reload);
    state.appendChild(box);
  }

  function save(overwrite) {
    if (!url || blocked) return;
    if (saving) { again = true; return; }
    saving = true;
    say("Saving…", "busy");
    const data = new FormData(form);
    data.set("action", "save");
    if (overwrite) data.set("overwrite", "1");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      clearFieldErrors();
      if (result.status === 200) {
        versionInput.value = result.body.version;
        say("Draft saved at " + result.body.saved_at + ".", "saved");
        const copied = document.querySelector("[data-copied]");
        if (copied) copied.remove();
        return;
      }
      const error = result.body.error || {};
      if (result.status === 409 && error.code === "version_conflict") {
        conflict("Not saved: this note was saved from another tab or device.");
        return;
      }
      showFieldErrors(error.fields);
      say("Not saved: " + (error.message || "something went wrong."), "error");
    }).catch(function () {
      say("Not saved: no connection. Keep this page open; it saves when you next type.", "error");
    }).finally(function () {
      saving = false;
      if (again) { again = false; schedule(); }
    });
  }

  function schedule() {
    if (!url || blocked) return;
    window.clearTimeout(timer);
    say("Unsaved changes…", "busy");
    timer = window.setTimeout(function () { save(false); }, 1500);
  }

  form.addEventListener("input", function (event) {
    if (event.target.closest('[data-rows="body_chart"]')) paintChart();
    schedule();
  });
  form.addEventListener("change", function (event) {
    if (event.target.closest('[data-rows="body_chart"]')) paintChart();
    schedule();
  });
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    blocked = true; // the normal submit saves; no autosave racing it
  });

  /* --- rows ------------------------------------------------------------------------------ */

  function renumber(group) {
    const item = group.dataset.item;
    group.querySelectorAll("[data-row-items] > [data-row]").forEach(function (row, n) {
      row.querySelector("[data-row-legend]").textContent = item + " " + (n + 1);
      const name = row.querySelector("[data-row-name]");
      if (name) name.textContent = item.toLowerCase() + " " + (n + 1);
    });
  }

  function nextIndex(group) {
    let highest = -1;
    group.querySelectorAll("[data-row-items] > [data-row]").forEach(function (row) {
      const n = parseInt(row.id.split("-").pop(), 10);
      if (n > highest) highest = n;
    });
    return highest + 1;
  }

  function addRow(group, values) {
    const template = group.querySelector("template[data-row-template]");
    const index = nextIndex(group);
    const html = template.innerHTML.replace(/__i__/g, String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const row = holder.firstElementChild;
    group.querySelector("[data-row-items]").appendChild(row);
    Object.keys(values || {}).forEach(function (name) {
      const input = row.querySelector('[name$="-' + name + '"]');
      if (input) input.value = values[name];
    });
    renumber(group);
    return row;
  }

  form.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      const group = add.closest("[data-rows]");
      const row = addRow(group);
      const first = row.querySelector("input, select, textarea");
      if (first) first.focus();
      schedule();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      const group = remove.closest("[data-rows]");
      const row = remove.closest("[data-row]");
      const rows = Array.from(group.querySelectorAll("[data-row-items] > [data-row]"));
      const position = rows.indexOf(row);
      row.remove();
      renumber(group);
      const left = group.querySelectorAll("[data-row-items] > [data-row]");
      const target = left[Math.min(position, left.length - 1)];
      (target ? target.querySelector("input, select, textarea") : group.querySelector("[data-add-row]")).focus();
      paintChart();
      schedule();
    }
  });

  /* --- body chart ------------------------------------------------------------------------ */

  const chart = document.querySelector("[data-body-chart] svg");
  const markGroup = form.querySelector('[data-rows="body_chart"]');

  function band(row) {
    const symptom = row.querySelector('[name$="-symptom"]').value;
    const nprs = row.querySelector('[name$="-nprs"]').value.trim();
    if (symptom === "cleared") return "cleared";
    if (nprs === "" || isNaN(parseInt(nprs, 10))) return "unscored";
    const n = parseInt(nprs, 10);
    return n <= 3 ? "mild" : n <= 6 ? "moderate" : "severe";
  }

  function paintChart() {
    if (!chart || !markGroup) return;
    chart.querySelectorAll(".region").forEach(function (shape) {
      shape.classList.remove("marked", "band-mild", "band-moderate", "band-severe", "band-cleared", "band-unscored");
    });
    markGroup.querySelectorAll("[data-row-items] > [data-row]").forEach(function (row) {
      const value = row.querySelector("[data-region-select]").value;
      if (!value) return;
      const parts = value.split("/");
      const shape = chart.querySelector('.region[data-view="' + parts[0] + '"][data-region="' + parts[1] + '"]');
      if (shape) shape.classList.add("marked", "band-" + band(row));
    });
  }

  if (chart && markGroup) {
    chart.addEventListener("click", function (event) {
      const shape = event.target.closest(".region");
      if (!shape) return;
      const value = shape.dataset.view + "/" + shape.dataset.region;
      const existing = Array.from(markGroup.querySelectorAll("[data-region-select]")).find(function (s) {
        return s.value === value;
      });
      if (existing) {
        existing.closest("[data-row]").querySelector('[name$="-nprs"]').focus();
        return;
      }
      const empty = Array.from(markGroup.querySelectorAll("[data-region-select]")).find(function (s) {
        return s.value === "";
      });
      let row;
      if (empty) {
        empty.value = value;
        row = empty.closest("[data-row]");
      } else {
        row = addRow(markGroup, { region: value });
      }
      const symptom = row.querySelector('[name$="-symptom"]');
      if (!symptom.value) symptom.value = "ache";
      paintChart();
      row.querySelector('[name$="-nprs"]').focus();
      schedule();
    });
    paintChart();
  }

  /* --- the red-flag screen: only the chosen screen's questions ---------------------------- */

  const screen = form.querySelector('[name="initial_assessment-screen"]');
  function showScreen() {
    form.querySelectorAll("[data-screen]").forEach(function (set) {
      set.hidden = screen.value !== "" && set.dataset.screen !== screen.value;
    });
  }
  if (screen) {
    screen.addEventListener("change", showScreen);
    showScreen();
  }
})();
