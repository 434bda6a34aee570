"use strict";
// Help requests on the hub's dashboard (issue 7). A request nobody has acknowledged yet
// turns the panel red and flashing and sounds an alarm made with Web Audio (an
// oscillator: no audio file, nothing from the internet) every few seconds until an
// operator acknowledges it. Browsers allow sound only after a user gesture, so the
// first click or key press on the page arms it, and the panel says when sound is off.
// Personal fields come only to a logged-in operator, and are inserted as text only.

window.NRDashHelp = (() => {
  const { el, fill, setText, api } = NR;
  const BEEP_EVERY_MS = 2500;
  /** The newest closed requests listed (the export has them all). */
  const CLOSED_SHOWN = 50;
  const AudioCtx = window.AudioContext || window.webkitAudioContext;
  /** What the alarm is doing, for people (the panel) and for the browser tests. */
  const alarm = { active: false, supported: typeof AudioCtx === "function", running: false, beeps: 0, oscillators: 0 };
  window.__nrAlarm = alarm;
  const state = { meta: null, requests: [], fetchedAt: 0, shown: "", drafts: {}, errors: {}, operator: "" };
  let audio = null;

  const byId = (id) => document.getElementById(id);

  /** A kind from a newer version comes as "other"; its number is shown, not lost. */
  function typeName(r, ui) {
    const name = ui[`type.${r.type}`] || ui["type.other"];
    return r.type === "other" && r.type_code ? `${name} (${r.type_code})` : name;
  }
  const isNew = (r) => state.meta.steps.indexOf(r.state) < state.meta.steps.indexOf("acknowledged");
  const loggedIn = () => Boolean(NR.session.user);

  // --- sound -----------------------------------------------------------------------------

  function arm() {
    if (!alarm.supported || (audio && audio.state === "running")) return;
    try {
      if (!audio) {
        audio = new AudioCtx();
        audio.addEventListener("statechange", renderSound);
      }
      audio.resume().then(renderSound, renderSound);
    } catch (err) {
      alarm.supported = false;
    }
    renderSound();
  }

  /** Three short tones (high, low, high) on one square-wave oscillator. */
  function beep() {
    if (!audio || audio.state !== "running") return;
    const t = audio.currentTime + 0.02;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "square";
    [880, 660, 880].forEach((f, i) => osc.frequency.setValueAtTime(f, t + i * 0.22));
    gain.gain.setValueAtTime(0.25, t);
    gain.gain.setValueAtTime(0, t + 0.66);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.7);
    alarm.oscillators += 1;
  }

  function renderSound() {
    alarm.running = Boolean(audio && audio.state === "running");
    if (!state.meta) return;
    const ui = state.meta.ui;
    const sound = byId("help-sound");
    sound.className = `sound ${alarm.running ? "on" : "off"}`;
    sound.textContent = !alarm.supported ? ui.sound_none : alarm.running ? ui.sound_on : ui.sound_off;
  }

  function alarmTick() {
    if (!alarm.active) return;
    alarm.beeps += 1;
    beep();
  }

  // --- the panel -------------------------------------------------------------------------

  function elapsed() { return (performance.now() - state.fetchedAt) / 1000; }

  function personal(r, ui) {
    const out = [];
    if (r.details_error) out.push(el("p", { class: "error" }, fill(ui.details_error, { error: r.details_error })));
    if (r.location) out.push(el("p", { class: "where", dir: "auto" }, r.location));
    if (r.text) out.push(el("p", { class: "what", dir: "auto" }, r.text));
    if (r.handler) out.push(el("p", { class: "state" }, fill(ui.handled_by, { name: r.handler })));
    if (r.reply) {
      out.push(el("p", { class: "reply" }, fill(ui.reply_by, { name: r.operator || "–" }), " ",
        el("bdi", { class: "reply-text" }, r.reply)));
    }
    return out;
  }

  function draft(id) {
    if (!state.drafts[id]) state.drafts[id] = { reply: "", operator: state.operator || NR.session.user || "" };
    return state.drafts[id];
  }

  function actions(r, ui) {
    const lim = state.meta.limits;
    const d = draft(r.id);
    const reply = el("input", { class: "reply-input", name: "reply", maxlength: lim.reply, placeholder: ui.reply_hint, "aria-label": ui.reply, dir: "auto", value: d.reply });
    const operator = el("input", { class: "operator-input", name: "operator", maxlength: lim.operator, placeholder: ui.operator, "aria-label": ui.operator, dir: "auto", value: d.operator });
    reply.addEventListener("input", () => { d.reply = reply.value; });
    operator.addEventListener("input", () => { d.operator = operator.value; state.operator = operator.value; });
    const button = (cls, label, body) => {
      const b = el("button", { type: "button", class: cls }, label);
      b.addEventListener("click", () => act(r.id, body(), b));
      return b;
    };
    const withText = (action) => () => ({ action, text: reply.value, operator: operator.value });
    return el("div", { class: "help-actions" },
      isNew(r) ? button("ack", ui.ack, () => ({ action: "ack", operator: operator.value })) : null,
      reply, operator,
      button("send-reply", ui.send_reply, withText("reply")),
      button("close", ui.close, withText("close")),
      state.errors[r.id] ? el("span", { class: "error" }, state.errors[r.id]) : null);
  }

  function row(r, withActions) {
    const ui = state.meta.ui;
    return el("li", { class: `s-${r.state}`, "data-help-id": r.id, "data-state": r.state, "data-age-s": Math.round(r.age_s + elapsed()) },
      el("div", { class: "help-line" },
        el("strong", null, el("bdi", { class: "point" }, r.point)),
        " — ", el("strong", { class: `type u-${r.urgency}` }, typeName(r, ui)),
        " · ", ui[`urgency.${r.urgency}`] || r.urgency,
        " · ", ui.people_n.replace("{n}", String(r.people)),
        " · ", el("span", { class: "age", "data-id": r.id }, NR.age(r.age_s + elapsed(), ui)),
        " ", el("span", { class: "badge state" }, ui[`state.${r.state}`] || r.state),
        " ", el("span", { class: "state" }, r.delivered ? ui.delivered : ui.undelivered)),
      personal(r, ui),
      withActions && loggedIn() ? actions(r, ui) : null);
  }

  /** Re-rendering must not take away what an operator is typing. */
  function keepFocus(render) {
    const active = document.activeElement;
    const item = active && active.closest ? active.closest("#help-panel li[data-help-id]") : null;
    const where = item && active.name ? [item.dataset.helpId, active.name, active.selectionStart, active.selectionEnd] : null;
    render();
    if (!where) return;
    const again = document.querySelector(`#help-panel li[data-help-id="${CSS.escape(where[0])}"] [name="${where[1]}"]`);
    if (again) {
      again.focus();
      if (typeof where[2] === "number") again.setSelectionRange(where[2], where[3]);
    }
  }

  function exportButtons(ui) {
    if (!loggedIn()) {
      // A link, not a direction: the login form is beside or below, depending on the screen.
      const go = el("a", { href: "#login", class: "login-link" }, ui.login_link);
      return [el("span", { class: "state login-hint" }, ui.login_hint, " "), go];
    }
    const button = (format) => {
      const b = el("button", { type: "button", class: `export-${format}` }, format.toUpperCase());
      b.addEventListener("click", () => download(format));
      return b;
    };
    return [el("span", null, ui.export), " ", button("csv"), " ", button("json")];
  }

  function render() {
    const ui = state.meta.ui;
    const open = state.requests.filter((r) => r.state !== "closed");
    const closed = state.requests.filter((r) => r.state === "closed");
    const fresh = open.filter(isNew);
    const panel = byId("help-panel");
    panel.hidden = false;
    panel.classList.toggle("open", open.length > 0);
    panel.classList.toggle("alarm", fresh.length > 0);
    panel.classList.toggle("flash", fresh.length > 0);
    // replaceChildren() turns null into the text "null": pass only real children.
    const heading = fresh.length ? [el("span", { class: "alarm-title" }, ui.alarm), " "] : [];
    byId("h-help").replaceChildren(...heading, ui.open_n.replace("{n}", String(open.length)));
    byId("help-export").replaceChildren(...exportButtons(ui));
    keepFocus(() => {
      byId("help-open").replaceChildren(...open.map((r) => row(r, true)));
    });
    const closedBox = byId("help-closed");
    closedBox.hidden = closed.length === 0;
    closedBox.querySelector("summary").textContent = ui.closed_n.replace("{n}", String(closed.length));
    closedBox.querySelector("ol").replaceChildren(...closed.slice(0, CLOSED_SHOWN).map((r) => row(r, false)));
    renderSound();
    const was = alarm.active;
    alarm.active = fresh.length > 0;
    document.body.dataset.helpAlarm = alarm.active ? "on" : "off";
    if (alarm.active && !was) alarmTick(); // at once, not a few seconds later
  }

  function tick() {
    if (!state.meta) return;
    const ages = Object.fromEntries(state.requests.map((r) => [r.id, r.age_s]));
    for (const span of document.querySelectorAll("#help-panel .age")) {
      if (span.dataset.id in ages) span.textContent = NR.age(ages[span.dataset.id] + elapsed(), state.meta.ui);
    }
  }

  async function refresh(force) {
    if (!state.meta) return; // the labels are not there yet: start() renders
    const requests = await api("/api/help");
    state.requests = requests;
    state.fetchedAt = performance.now();
    // Ages change every second; anything else is a real change worth a re-render.
    const shown = JSON.stringify([loggedIn(), state.errors, requests.map((r) => ({ ...r, age_s: 0 }))]);
    if (force || shown !== state.shown) {
      state.shown = shown;
      render();
    } else {
      tick();
    }
  }

  async function act(id, body, button) {
    button.disabled = true;
    delete state.errors[id];
    try {
      await api(`/api/help/${encodeURIComponent(id)}`, { body });
      if (body.action !== "ack") state.drafts[id].reply = "";
    } catch (err) {
      state.errors[id] = err.message;
    }
    await refresh(true).catch(() => {});
  }

  async function download(format) {
    const headers = NR.session.csrf ? { "X-CSRF-Token": NR.session.csrf } : {};
    const response = await fetch(`/api/help/export?format=${format}`, { headers, credentials: "same-origin", cache: "no-store" });
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
      byId("help-export").append(" ", el("span", { class: "error" }, message));
      return;
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const name = (/filename="?([^";]+)"?/.exec(disposition) || [])[1] || `hulpvragen.${format}`;
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  /** ``meta``: the dashboard's labels (/web/dashboard-ui.json), the one source of words. */
  function start(meta) {
    state.meta = meta;
    // Any click or key on the page arms the sound (a user gesture is required).
    document.addEventListener("pointerdown", arm, true);
    document.addEventListener("keydown", arm, true);
    setInterval(alarmTick, BEEP_EVERY_MS);
    setInterval(tick, 1000);
    return refresh(true);
  }

  return { start, refresh, arm };
})();
