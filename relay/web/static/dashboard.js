"use strict";
// The hub's dashboard: labels, the points grouped by municipality (sortable, filterable,
// silent ones stand out), the bulletin list, session and live refresh. The region map and
// receipts are in dashboard-region.js, compose in dashboard-compose.js.
// Every word comes from /web/dashboard-ui.json (relay/web/dashboard_labels.py).

window.NRDash = (() => {
  const { el, setText, api } = NR;
  const lang = new URLSearchParams(location.search).get("lang") || "nl";
  const state = { view: null, fetchedAt: 0, sortKey: "point_id", sortDir: 1, meta: null, ui: {}, open: new Set() };

  /** A label with its {placeholders} filled (the result is inserted as text only). */
  function t(key, values) {
    let s = key in state.ui ? state.ui[key] : key;
    for (const [k, v] of Object.entries(values || {})) s = s.split(`{${k}}`).join(String(v));
    return s;
  }
  const word = (prefix, value) => (`${prefix}.${value}` in state.ui ? state.ui[`${prefix}.${value}`] : value);

  function applyLabels() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll("[data-l]")) node.textContent = t(node.dataset.l);
    for (const node of document.querySelectorAll("[data-l-placeholder]")) node.placeholder = t(node.dataset.lPlaceholder);
    for (const a of document.querySelectorAll("#lang-switch a")) {
      if (a.dataset.lang === lang) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    }
  }

  function elapsed() { return (performance.now() - state.fetchedAt) / 1000; }

  function ago(seconds) {
    if (seconds === null || seconds === undefined) return t("never");
    if (seconds < 120) return t("ago_s", { n: Math.round(seconds) });
    if (seconds < 7200) return t("ago_min", { n: Math.round(seconds / 60) });
    return t("ago_h", { n: (seconds / 3600).toFixed(1) });
  }

  // --- points, grouped by municipality ----------------------------------------------------

  function sortValue(p, key) {
    const v = p[key];
    if (Array.isArray(v)) return v.join(",");
    return v === null || v === undefined ? -Infinity : v;
  }

  function matches(p, filter) {
    if (!filter) return true;
    // Both the shown words and the codes match ("brandstof" and "fuel").
    return [p.name, p.municipality, p.open, word("open", p.open), p.power, word("power", p.power), p.text,
      ...p.needs, ...p.needs.map((n) => word("need", n)), String(p.point_id)].join(" ").toLowerCase().includes(filter);
  }

  function pointRow(p) {
    const kind = NRRegion.classify(p);
    const row = el("tr", { class: `${p.silent ? "silent" : ""} k-${kind}`, "data-point": p.point_id, tabindex: 0 },
      el("td", null, el("span", { class: `dot k-${kind}`, title: t(`state.${kind}`) }), " ", String(p.point_id)),
      el("td", null, el("bdi", null, p.name), p.text ? el("div", { class: "state", dir: "auto" }, p.text) : null),
      el("td", { class: "heard" }, p.heard_s_ago === null ? t("never_heard") : ago(p.heard_s_ago + elapsed()),
        p.silent ? [" ", el("span", { class: "badge silent" }, t("silent"))] : null),
      el("td", null, p.open === "unknown" ? "" : word("open", p.open)),
      el("td", null, p.power === "unknown" ? "" : word("power", p.power)),
      el("td", null, p.battery_pct === null ? "" : `${p.battery_pct}%`),
      el("td", null, p.visitors === null ? "" : String(p.visitors)),
      el("td", null, p.needs.map((n) => word("need", n)).join(", ")),
      el("td", null, `${p.holds}/${p.active}`));
    row.addEventListener("click", () => NRRegion.select(p.point_id));
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") NRRegion.select(p.point_id); });
    return row;
  }

  function groupBody(name, rows, all) {
    const key = name || "";
    const expanded = state.open.has(key) || state.view.points.length <= 40;
    const silent = all.filter((p) => p.silent).length;
    const missing = all.filter((p) => !p.silent && p.holds < p.active).length;
    const toggle = el("button", { type: "button", class: "group-toggle", "aria-expanded": String(expanded) },
      t("group_summary", { name: name || t("no_municipality"), n: all.length, silent, missing }));
    toggle.addEventListener("click", () => {
      if (state.open.has(key)) state.open.delete(key); else state.open.add(key);
      if (state.view.points.length <= 40) state.open.add(key); // small regions stay open
      renderPoints();
    });
    return el("tbody", { class: "group", "data-municipality": key },
      el("tr", { class: "group-head" }, el("th", { colspan: 9 }, toggle)),
      expanded ? rows.map(pointRow) : null);
  }

  function renderPoints() {
    const view = state.view;
    const filter = document.getElementById("filter").value.trim().toLowerCase();
    const onlySilent = document.getElementById("only-silent").checked;
    const rows = view.points.filter((p) => (!onlySilent || p.silent) && matches(p, filter) && NRRegion.visible(p));
    const { sortKey, sortDir } = state;
    rows.sort((a, b) => {
      const x = sortValue(a, sortKey);
      const y = sortValue(b, sortKey);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir || a.point_id - b.point_id;
    });
    const groups = [...new Set(rows.map((p) => p.municipality))].sort((a, b) => (a || "\uffff").localeCompare(b || "\uffff"));
    const table = document.getElementById("points");
    for (const old of table.querySelectorAll("tbody")) old.remove();
    table.append(...groups.map((g) => groupBody(g, rows.filter((p) => p.municipality === g),
      view.points.filter((p) => p.municipality === g))));
    for (const th of document.querySelectorAll("#points th[data-key]")) {
      if (th.dataset.key === sortKey) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    const silent = view.points.filter((p) => p.silent).length;
    setText("points-count", t("points_count", { shown: rows.length, total: view.points.length, silent }));
  }

  // --- bulletins --------------------------------------------------------------------------

  function renderBulletins() {
    const list = document.getElementById("bulletin-list");
    const loggedIn = Boolean(NR.session.user);
    list.replaceChildren(...state.view.bulletins.map((b) => {
      const actions = [];
      if (loggedIn && b.state === "active" && b.type !== "cancel") {
        const update = el("button", { type: "button", class: "update" }, t("update"));
        update.addEventListener("click", () => NRCompose.prefill(b, "update"));
        const cancel = el("button", { type: "button", class: "cancel" }, t("cancel"));
        cancel.addEventListener("click", () => NRCompose.prefill(b, "cancel"));
        actions.push(" ", update, " ", cancel);
      }
      const shown = word("bstate", b.state);
      const stateText = b.state === "active" ? t("b.active") : b.by_seq ? t("b.by", { state: shown, seq: b.by_seq }) : shown;
      const mark = b.status !== "actual" ? el("span", { class: "badge exercise-mark" }, t(`mark.${b.status}`))
        : NRExercise.current() ? el("span", { class: "badge real-mark" }, t("mark.real")) : null;
      return el("li", { "data-seq": b.seq, "data-state": b.state, "data-status": b.status },
        mark, mark ? " " : null,
        el("strong", null, `#${b.seq} `), el("bdi", null, b.headline || b.body.slice(0, 80)),
        el("div", { class: "state" },
          t("b.line", { type: word("type", b.type), urgency: word("urgency", b.urgency), severity: word("severity", b.severity), issued: b.issued }),
          b.expires ? t("b.expires", { expires: b.expires }) : "", ` — ${stateText}`, b.broadcast ? "" : t("b.queued")),
        actions);
    }));
  }

  // --- session, refresh, start ------------------------------------------------------------

  function renderSession() {
    const user = NR.session.user;
    document.getElementById("login").hidden = Boolean(user);
    document.getElementById("compose").hidden = !user;
    document.getElementById("logout").hidden = !user;
    setText("user", user || "");
  }

  function render() {
    const view = state.view;
    setText("node-name", view.node.name);
    document.title = t("page_title", { name: view.node.name });
    const q = view.queue;
    setText("queue", t("queue_line", { link: q.link, frames: q.frames, pct: q.airtime_used_pct, preset: view.preset }));
    renderClock();
    NRRegion.render();
    NRExercise.render();
    NRExercise.markHelp();
    renderPoints();
    renderBulletins();
    renderSession();
    if (!document.body.dataset.ready) performance.mark("screen-rendered");
    document.body.dataset.ready = "1";
  }

  function renderClock() {
    const c = state.view && state.view.clock;
    if (!c || c.hub_unix === null) return;
    setText("clock", NR.hubClock(c.hub_unix + elapsed(), c.utc_offset_s));
  }

  async function refresh() {
    state.view = await api("/web/dashboard.json");
    state.fetchedAt = performance.now();
    render();
  }

  function setupPoints() {
    for (const th of document.querySelectorAll("#points th[data-key]")) {
      th.querySelector("button").addEventListener("click", () => {
        const key = th.dataset.key;
        state.sortDir = state.sortKey === key ? -state.sortDir : 1;
        state.sortKey = key;
        if (state.view) renderPoints();
      });
    }
    document.getElementById("filter").addEventListener("input", () => state.view && renderPoints());
    document.getElementById("only-silent").addEventListener("change", () => state.view && renderPoints());
  }

  function setupSession() {
    const login = document.getElementById("login");
    login.addEventListener("submit", async (event) => {
      event.preventDefault();
      setText("login-error", "");
      try {
        await NR.login(login.elements.user.value, login.elements.password.value);
        login.reset();
        if (state.view) render(); else renderSession();
        NRDashHelp.refresh(true).catch(() => {});
      } catch (err) {
        setText("login-error", err.message);
      }
    });
    document.getElementById("logout").addEventListener("click", async () => {
      await NR.logout();
      if (state.view) render(); else renderSession();
      NRDashHelp.refresh(true).catch(() => {});
    });
  }

  async function start() {
    // Everything the first picture needs is asked for at once (labels, session, the view):
    // at 150 points on a busy hub, one request after another cost most of the first render.
    const viewing = api("/web/dashboard.json").then((view) => ({ view, at: performance.now() }), () => null);
    const [meta] = await Promise.all([api(`/web/dashboard-ui.json?lang=${encodeURIComponent(lang)}`), NR.loadSession()]);
    state.meta = meta;
    state.ui = meta.ui;
    applyLabels();
    setupPoints();
    setupSession();
    NRRegion.setup();
    NRCompose.setup();
    NRExercise.setup();
    const first = await viewing;
    if (first) {
      state.view = first.view;
      state.fetchedAt = first.at;
      render();
    }
    await Promise.all([
      NRCompose.loadTemplates().catch(() => {}),
      NRDashHelp.start(state.meta).catch(() => {}),
      first ? null : refresh().catch(() => {}),
    ]);
    NR.live(
      () => Promise.all([refresh().catch(() => {}), NRDashHelp.refresh().catch(() => {})]),
      (up) => { document.getElementById("offline").hidden = up; },
    );
    setInterval(() => { if (state.view) { renderClock(); renderPoints(); } }, 15000);
  }

  start();
  return { state, t, word, ago, elapsed, refresh, render, renderPoints };
})();
