"use strict";
// The support point's kiosk: current bulletins, language switch, stale-hub banner,
// live updates; staff can log in to mark a bulletin as posted / read out.

(() => {
  const { el, fill, setText, api } = NR;
  const params = new URLSearchParams(location.search);
  const state = {
    lang: params.get("lang") || "nl",
    view: null,
    fetchedAt: 0,
    linkUp: true,
    rendered: false,
  };

  function secondsSinceFetch() {
    return (performance.now() - state.fetchedAt) / 1000;
  }

  function renderBanner() {
    const view = state.view;
    if (!view) return;
    const ui = view.ui;
    const hub = view.hub;
    const banner = document.getElementById("stale");
    let text = null;
    if (hub.radio_down) {
      text = ui.no_radio; // the daemon serves the screens while it retries the radio
    } else if (hub.heard_s_ago === null) {
      text = ui.never;
    } else {
      const ago = hub.heard_s_ago + secondsSinceFetch();
      if (ago > hub.stale_after_s) text = ui.stale.replace("{minutes}", String(Math.floor(ago / 60)));
    }
    banner.hidden = text === null;
    if (text !== null) {
      setText("stale-text", text);
      setText("stale-hint", ui.stale_hint);
    }
    const clock = view.clock;
    setText("clock", clock.hub_unix === null ? "–" : NR.hubClock(clock.hub_unix + secondsSinceFetch(), clock.utc_offset_s));
  }

  function renderLangs(view) {
    const nav = document.getElementById("langs");
    nav.replaceChildren(...view.langs.map((l) => {
      const button = el("button", { type: "button", lang: l.code, "aria-pressed": String(l.code === view.lang), "data-lang": l.code }, l.name);
      button.addEventListener("click", () => switchLang(l.code));
      return button;
    }));
  }

  function tags(b, ui) {
    const out = [];
    const sev = ui[`severity.${b.severity}`];
    const urg = ui[`urgency.${b.urgency}`];
    // The severity tag's colour follows the severity only, on every card ("Matig" is
    // always amber); the card's side bar follows the priority class.
    if (sev) out.push(el("span", { class: `tag level sev-${b.severity}` }, sev));
    if (urg) out.push(el("span", { class: "tag" }, urg));
    if (b.type === "update" && b.references.length) {
      out.push(el("span", { class: "tag" }, ui.update_of.replace("{seq}", b.references.join(", "))));
    }
    return out.length ? el("div", { class: "tags" }, out) : null;
  }

  function staffActions(b, ui) {
    if (!NR.session.user || state.view.node.role !== "point") return null;
    if (b.displayed) return el("div", { class: "staff-actions" }, el("span", { class: "posted" }, ui.marked));
    const button = el("button", { type: "button", class: "mark", "data-seq": b.seq }, ui.mark);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api("/api/displayed", { body: { key_id: b.key_id, seq: b.seq } });
        await refresh();
      } catch (err) {
        button.disabled = false;
        button.after(el("span", { class: "error" }, ` ${err.message}`));
      }
    });
    return el("div", { class: "staff-actions" }, button);
  }

  /** The trust mark: who vouches for this bulletin, checked again now (see views.trust_mark). */
  function trustMark(b, ui) {
    const trust = b.trust || { state: "failed", authority: b.sender };
    const icon = { ok: "✔", stale: "⚠", failed: "✖" }[trust.state];
    return el("p", { class: `trust trust-${trust.state}`, "data-trust": trust.state },
      el("span", { class: "trust-icon", "aria-hidden": "true" }, icon), " ",
      fill(ui[`trust.${trust.state}`], { authority: trust.authority }),
      trust.state === "failed" ? el("span", { class: "trust-hint" }, " ", ui["trust.failed_hint"]) : null);
  }

  const exercising = (view) => view.bulletins.some((b) => b.status !== "actual");

  /** OEFENING on every exercise card; while exercises are up, a real one says it is real. */
  function statusMark(b, view) {
    const ui = view.ui;
    if (b.status === "exercise") return el("p", { class: "exercise-card" }, ui.exercise_card);
    if (b.status === "test") return el("p", { class: "exercise-card" }, ui.test_card);
    return exercising(view) ? el("p", { class: "real-card" }, ui.real_card) : null;
  }

  function bulletin(b, view) {
    const ui = view.ui;
    const meta = el("p", { class: "meta" }, fill(ui.verified, { hub: b.sender, time: b.issued }));
    if (b.expires) meta.append(" · ", fill(ui.valid_until, { time: b.expires }));
    const note = b.lang !== view.lang
      ? el("p", { class: "lang-note" }, fill(ui.in_lang, { lang: b.lang_name }))
      : null;
    const trust = b.trust ? b.trust.state : "failed";
    return el("article", { class: `bulletin p-${b.priority} t-${trust} s-${b.status}`, "data-id": b.id, "data-seq": b.seq, "data-status": b.status, lang: b.lang },
      statusMark(b, view),
      trustMark(b, ui),
      tags(b, ui),
      b.headline ? el("h2", { dir: "auto" }, b.headline) : null,
      b.body ? el("p", { class: "body", dir: "auto" }, b.body) : null,
      note,
      meta,
      staffActions(b, ui));
  }

  function render() {
    const view = state.view;
    const ui = view.ui;
    document.documentElement.lang = view.lang;
    document.documentElement.dir = view.dir;
    document.title = `${ui.title} · ${view.node.name}`;
    setText("title", ui.title);
    setText("node-name", view.node.name);
    setText("clock-label", ui.hub_time);
    setText("print", ui.print);
    setText("staff", ui.staff);
    setText("logout", ui.logout);
    setText("l-user", ui.user);
    setText("l-password", ui.password);
    setText("login-button", ui.login);
    setText("offline", ui.offline);
    document.getElementById("print").setAttribute("href", `/print?lang=${encodeURIComponent(view.lang)}`);
    renderLangs(view);
    const banner = document.getElementById("exercise");
    banner.hidden = !exercising(view);
    banner.textContent = ui.exercise_page;
    document.body.classList.toggle("exercising", exercising(view));
    document.getElementById("bulletins").replaceChildren(...view.bulletins.map((b) => bulletin(b, view)));
    const none = document.getElementById("none");
    none.hidden = view.bulletins.length > 0;
    none.textContent = ui.none;
    renderStaff();
    renderBanner();
    if (!state.rendered) {
      state.rendered = true;
      performance.mark("screen-rendered");
    }
    document.body.dataset.ready = "1";
  }

  function renderStaff() {
    const user = NR.session.user;
    const canSetStatus = Boolean(user && state.view && state.view.status);
    document.getElementById("staff").hidden = Boolean(user);
    document.getElementById("logout").hidden = !user;
    document.getElementById("status-button").hidden = !canSetStatus;
    if (!canSetStatus) document.getElementById("status-form").hidden = true;
    setText("user", user || "");
    if (user) document.getElementById("login").hidden = true;
  }

  // --- staff: the point's status (open, power, visitors, needs) ------------------------

  function field(label, control) {
    return el("label", null, el("span", null, label), " ", control);
  }

  function select(name, values, current, ui, prefix) {
    return el("select", { name }, values.map((v) => el("option", { value: v, selected: v === current }, ui[`${prefix}.${v}`] || v)));
  }

  function buildStatusForm() {
    const ui = state.view.ui;
    const st = state.view.status;
    const form = document.getElementById("status-form");
    const needs = el("fieldset", { class: "needs" }, el("legend", null, ui["f.needs"]),
      st.choices.needs.map((n) => el("label", null,
        el("input", { type: "checkbox", name: "needs", value: n, checked: st.needs.includes(n) }), " ", ui[`need.${n}`] || n)));
    form.replaceChildren(
      el("h2", null, ui.status),
      el("div", { class: "row" },
        field(ui["f.open"], select("open", st.choices.open, st.open, ui, "open")),
        field(ui["f.power"], select("power", st.choices.power, st.power, ui, "power")),
        field(ui["f.battery_pct"], el("input", { name: "battery_pct", type: "number", min: 0, max: 100, value: st.battery_pct ?? "" })),
        field(ui["f.visitors"], el("input", { name: "visitors", type: "number", min: 0, value: st.visitors ?? "" }))),
      needs,
      field(ui["f.text"], el("input", { name: "text", maxlength: 120, value: st.text, dir: "auto", class: "wide" })),
      el("div", { class: "row" }, el("button", { type: "submit" }, ui.save), el("span", { id: "status-result", role: "status" })));
  }

  async function saveStatus(event) {
    event.preventDefault();
    const f = event.target.elements;
    const number = (v) => (v === "" ? null : Number(v));
    const body = {
      open: f.open.value,
      power: f.power.value,
      battery_pct: number(f.battery_pct.value),
      visitors: number(f.visitors.value),
      needs: [...event.target.querySelectorAll("input[name=needs]:checked")].map((c) => c.value),
      text: f.text.value,
    };
    try {
      await api("/api/status", { body });
      setText("status-result", state.view.ui.status_saved);
      document.getElementById("status-result").className = "notice";
    } catch (err) {
      setText("status-result", err.message);
      document.getElementById("status-result").className = "error";
    }
  }

  async function refresh() {
    const view = await api(`/web/kiosk.json?lang=${encodeURIComponent(state.lang)}`);
    state.view = view;
    state.fetchedAt = performance.now();
    render();
    await syncHelp();
  }

  // --- staff: help requests (kiosk-help.js, loaded only after a staff login) -----------

  async function syncHelp() {
    const staff = Boolean(NR.session.user && state.view && state.view.node.role === "point");
    if (!staff) {
      if (window.NRKioskHelp) window.NRKioskHelp.stop();
      return;
    }
    try {
      await NR.loadScript("/static/kiosk-help.js");
      await window.NRKioskHelp.start(state.lang);
    } catch (err) {
      // The bulletins stay usable; the help section says what went wrong.
      document.getElementById("help").hidden = false;
      setText("help-result", err.message);
      document.getElementById("help-result").className = "error";
    }
  }

  function switchLang(code) {
    state.lang = code;
    const url = new URL(location.href);
    url.searchParams.set("lang", code);
    history.replaceState(null, "", url);
    refresh().catch(() => {});
  }

  function setupStaff() {
    const form = document.getElementById("login");
    document.getElementById("staff").addEventListener("click", () => {
      form.hidden = !form.hidden;
      if (!form.hidden) form.elements.user.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      setText("login-error", "");
      try {
        await NR.login(form.elements.user.value, form.elements.password.value);
        form.reset();
        await refresh();
      } catch (err) {
        setText("login-error", err.message);
      }
    });
    const statusForm = document.getElementById("status-form");
    statusForm.addEventListener("submit", saveStatus);
    document.getElementById("status-button").addEventListener("click", () => {
      if (statusForm.hidden) buildStatusForm();
      statusForm.hidden = !statusForm.hidden;
    });
    document.getElementById("logout").addEventListener("click", async () => {
      await NR.logout();
      await refresh();
    });
  }

  async function start() {
    setupStaff();
    await Promise.all([NR.loadSession(), refresh().catch(() => {})]);
    if (state.view) { renderStaff(); render(); await syncHelp(); }
    NR.live(
      () => refresh().catch(() => {}),
      (up) => { state.linkUp = up; document.getElementById("offline").hidden = up; },
    );
    setInterval(renderBanner, 5000);
  }

  start();
})();
