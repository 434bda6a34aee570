"use strict";
// Help requests on the support point's kiosk, for logged-in staff only: the form that
// asks the control room for help, and this point's open requests with their progress.
// kiosk.js loads this file only after a staff login, so the public kiosk carries none
// of it and never asks for help data. Everything a person wrote (location, text, names,
// the operator's reply) is inserted as text only.

window.NRKioskHelp = (() => {
  const { el, fill, setText, api } = NR;
  /** A closed request stays in the list this long, so staff see the ending. */
  const CLOSED_LINGER_S = 600;
  const state = { active: false, lang: null, meta: null, requests: [], fetchedAt: 0, formOpen: false };

  const byId = (id) => document.getElementById(id);

  /** A kind from a newer version comes as "other"; its number is shown, not lost. */
  function typeName(r, ui) {
    const name = ui[`type.${r.type}`] || ui["type.other"];
    return r.type === "other" && r.type_code ? `${name} (${r.type_code})` : name;
  }

  async function meta(lang) {
    if (!state.meta || state.lang !== lang) {
      state.meta = await api(`/web/help-ui.json?lang=${encodeURIComponent(lang)}`);
      state.lang = lang;
    }
    return state.meta;
  }

  function elapsed() { return (performance.now() - state.fetchedAt) / 1000; }

  /** Seconds since a request was closed, by the server's own clock (no device clock). */
  function closedFor(r) { return r.created_at + r.age_s - (r.closed_at || r.updated_at) + elapsed(); }

  function shown(r) { return r.state !== "closed" || closedFor(r) < CLOSED_LINGER_S; }

  // --- the list --------------------------------------------------------------------------

  function steps(r, m) {
    const at = m.steps.indexOf(r.state);
    return el("ol", { class: "steps" }, m.steps.map((s, i) => el("li", {
      "data-step": s,
      class: i < at ? "done" : i === at ? "now" : null,
      "aria-current": i === at ? "step" : null,
    }, m.ui[`state.${s}`] || s)));
  }

  function personal(r, ui) {
    if (r.erased) return [el("p", { class: "muted" }, ui.erased)];
    const out = [];
    if (r.details_error) out.push(el("p", { class: "error" }, fill(ui.details_error, { error: r.details_error })));
    if (r.location) out.push(el("p", { class: "where", dir: "auto" }, r.location));
    if (r.text) out.push(el("p", { class: "what", dir: "auto" }, r.text));
    if (r.handler) out.push(el("p", { class: "muted" }, fill(ui.handled_by, { name: r.handler })));
    return out;
  }

  function item(r, m) {
    const ui = m.ui;
    return el("li", { class: `help-item s-${r.state}`, "data-help-id": r.id, "data-state": r.state },
      el("div", { class: "help-line" },
        el("strong", { class: `u-${r.urgency}` }, typeName(r, ui)),
        " · ", ui[`urgency.${r.urgency}`] || r.urgency,
        " · ", ui.people_n.replace("{n}", String(r.people)),
        " · ", el("span", { class: "age", "data-age": r.age_s }, NR.age(r.age_s, ui))),
      personal(r, ui),
      steps(r, m),
      r.reply ? el("p", { class: "reply" }, fill(ui.reply_by, { name: r.operator || "–" }), " ",
        el("bdi", { class: "reply-text" }, r.reply)) : null);
  }

  function renderList() {
    const m = state.meta;
    const rows = state.requests.filter(shown);
    state.shownCount = rows.length;
    byId("help-list").replaceChildren(...(rows.length
      ? rows.map((r) => item(r, m))
      : [el("li", { class: "muted none-open" }, m.ui.none_open)]));
  }

  function tick() {
    if (!state.active || !state.meta) return;
    if (state.requests.filter(shown).length !== state.shownCount) renderList();
    for (const span of document.querySelectorAll("#help-list .age")) {
      span.textContent = NR.age(Number(span.dataset.age) + elapsed(), state.meta.ui);
    }
  }

  // --- the form --------------------------------------------------------------------------

  function chips(name, values, chosen, m) {
    return el("fieldset", { class: `chips ${name}` }, el("legend", null, m.ui[name]),
      values.map((v) => el("label", { class: "chip" },
        el("input", { type: "radio", name, value: v, checked: v === chosen }),
        el("span", null, m.ui[`${name}.${v}`] || v))));
  }

  function field(label, control, extra) {
    return el("label", { class: "field" }, el("span", null, label), control, extra);
  }

  function buildForm(m) {
    const ui = m.ui;
    const lim = m.limits;
    const people = el("input", { name: "people", type: "number", min: 1, max: lim.people, value: 1, required: true, inputmode: "numeric" });
    const stepper = (sign, label) => {
      const b = el("button", { type: "button", class: "stepper", "aria-label": label }, sign > 0 ? "+" : "−");
      b.addEventListener("click", () => { people.value = String(Math.max(1, (Number(people.value) || 1) + sign)); });
      return b;
    };
    const text = el("textarea", { name: "text", rows: 2, maxlength: lim.text, dir: "auto" });
    const left = el("small", { class: "muted left" });
    const count = () => { left.textContent = ui.chars_left.replace("{n}", String(lim.text - text.value.length)); };
    text.addEventListener("input", count);
    count();
    const form = byId("help-form");
    form.replaceChildren(
      el("h2", null, ui.form_title),
      chips("type", m.types, "medical", m),
      chips("urgency", m.urgencies, "urgent", m),
      el("div", { class: "row" },
        field(ui.people, el("span", { class: "people" }, stepper(-1, ui.less), people, stepper(1, ui.more))),
        field(ui.handler, el("input", { name: "handler", maxlength: lim.handler, value: NR.session.user || "", dir: "auto", autocomplete: "off" }))),
      field(ui.location, el("input", { name: "location", maxlength: lim.location, dir: "auto", autocomplete: "off", class: "wide" })),
      field(ui.text, text, left),
      el("div", { class: "row" },
        el("button", { type: "submit", class: "send-help" }, ui.send),
        el("button", { type: "button", class: "cancel-help" }, ui.cancel)),
      el("p", { id: "help-error", class: "error", role: "alert" }));
    form.querySelector(".cancel-help").addEventListener("click", () => showForm(false));
  }

  function showForm(open) {
    state.formOpen = open;
    byId("help-form").hidden = !open;
    byId("help-ask").setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("help-open", open);
    if (open) {
      buildForm(state.meta);
      setText("help-result", "");
      byId("help-form").scrollIntoView({ block: "start" });
    }
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.target;
    const f = form.elements;
    const chosen = (name) => (form.querySelector(`input[name=${name}]:checked`) || {}).value;
    const body = {
      type: chosen("type"),
      urgency: chosen("urgency"),
      people: Number(f.people.value),
      location: f.location.value,
      text: f.text.value,
      handler: f.handler.value,
    };
    const button = form.querySelector(".send-help");
    button.disabled = true;
    setText("help-error", "");
    try {
      const r = await api("/api/help", { body });
      showForm(false);
      const result = byId("help-result");
      result.className = "notice";
      result.textContent = state.meta.ui.sent_ok
        .replace("{id}", r.id).replace("{size}", String(r.size)).replace("{frames}", String(r.frames));
      await refresh(state.lang);
    } catch (err) {
      setText("help-error", err.message);
    } finally {
      button.disabled = false;
    }
  }

  // --- life cycle (driven by kiosk.js) ----------------------------------------------------

  function render() {
    const ui = state.meta.ui;
    setText("help-title", ui.title);
    setText("help-ask", ui.ask);
    byId("help").hidden = false;
    renderList();
  }

  async function refresh(lang) {
    if (!state.active) return;
    const m = await meta(lang);
    const requests = await api("/api/help");
    if (!state.active) return; // logged out while this was under way
    const relabel = byId("help-title").textContent !== m.ui.title;
    state.requests = requests;
    state.fetchedAt = performance.now();
    render();
    if (relabel && state.formOpen) buildForm(m);
  }

  let wired = false;
  async function start(lang) {
    state.active = true;
    if (!wired) {
      wired = true;
      await new Promise((resolve) => {
        const link = el("link", { rel: "stylesheet", href: "/static/help.css" });
        link.addEventListener("load", resolve);
        link.addEventListener("error", resolve); // unstyled beats absent
        document.head.append(link);
      });
      byId("help-ask").addEventListener("click", () => showForm(!state.formOpen));
      byId("help-form").addEventListener("submit", submit);
      setInterval(tick, 5000);
    }
    await refresh(lang);
  }

  /** After a logout: nothing of it stays on the screen or in memory. */
  function stop() {
    state.active = false;
    state.requests = [];
    showForm(false);
    byId("help").hidden = true;
    byId("help-list").replaceChildren();
    byId("help-form").replaceChildren();
    setText("help-result", "");
  }

  return { start, stop, refresh };
})();
