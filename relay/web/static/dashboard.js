"use strict";
// The hub's dashboard: points (sortable, filterable, silent ones stand out), the
// receipt matrix, compose with preview and cost, Update and Cancel.

(() => {
  const { el, setText, api } = NR;
  const state = { view: null, fetchedAt: 0, sortKey: "point_id", sortDir: 1, previewed: null, templates: [] };

  function ago(seconds) {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 120) return `${Math.round(seconds)} s ago`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
    return `${(seconds / 3600).toFixed(1)} h ago`;
  }

  // --- points --------------------------------------------------------------------------

  function sortValue(p, key) {
    const v = p[key];
    if (Array.isArray(v)) return v.join(",");
    return v === null || v === undefined ? -Infinity : v;
  }

  function renderPoints() {
    const view = state.view;
    const filter = document.getElementById("filter").value.trim().toLowerCase();
    const onlySilent = document.getElementById("only-silent").checked;
    const elapsed = (performance.now() - state.fetchedAt) / 1000;
    let rows = view.points.filter((p) => !onlySilent || p.silent);
    if (filter) {
      rows = rows.filter((p) => [p.name, p.open, p.power, p.text, ...p.needs, String(p.point_id)]
        .join(" ").toLowerCase().includes(filter));
    }
    const { sortKey, sortDir } = state;
    rows.sort((a, b) => {
      const x = sortValue(a, sortKey);
      const y = sortValue(b, sortKey);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir || a.point_id - b.point_id;
    });
    const body = document.querySelector("#points tbody");
    body.replaceChildren(...rows.map((p) => el("tr", { class: p.silent ? "silent" : null, "data-point": p.point_id },
      el("td", null, String(p.point_id)),
      el("td", null, el("bdi", null, p.name), p.text ? el("div", { class: "state", dir: "auto" }, p.text) : null),
      el("td", { class: "heard" }, ago(p.heard_s_ago + elapsed), p.silent ? [" ", el("span", { class: "badge silent" }, "silent")] : null),
      el("td", null, p.open),
      el("td", null, p.power),
      el("td", null, p.battery_pct === null ? "" : `${p.battery_pct}%`),
      el("td", null, p.visitors === null ? "" : String(p.visitors)),
      el("td", null, p.needs.join(", ")),
      el("td", null, `${p.holds}/${p.active}`))));
    for (const th of document.querySelectorAll("#points th")) {
      if (th.dataset.key === sortKey) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    const silent = view.points.filter((p) => p.silent).length;
    setText("points-count", `${rows.length} of ${view.points.length} shown, ${silent} silent`);
  }

  // --- receipt matrix ------------------------------------------------------------------

  const MARK = { displayed: "✓✓", received: "✓", missing: "✗" };

  function renderMatrix() {
    const m = state.view.matrix;
    const table = document.getElementById("matrix");
    if (!m.rows.length) {
      table.replaceChildren(el("tbody", null, el("tr", null, el("td", null, "No active bulletins."))));
      return;
    }
    const n = m.points.length;
    const head = el("thead", null, el("tr", null,
      el("th", null, "Bulletin"),
      m.points.map((p) => el("th", { scope: "col", title: `point ${p.point_id}` }, el("bdi", null, p.name))),
      el("th", { class: "total" }, "Received"),
      el("th", { class: "total" }, "Displayed")));
    const body = el("tbody", null, m.rows.map((r) => el("tr", { "data-seq": r.seq },
      el("th", { scope: "row" }, `#${r.seq} `, el("bdi", null, r.headline)),
      r.cells.map((c, i) => el("td", { class: `cell ${c}`, title: `${m.points[i].name}: ${c}`, "data-state": c }, MARK[c])),
      el("td", { class: "total received-total" }, `${r.received}/${n}`),
      el("td", { class: "total displayed-total" }, `${r.displayed}/${n}`))));
    const foot = el("tfoot", null, el("tr", null,
      el("th", { scope: "row" }, "Per point (received / displayed)"),
      m.points.map((p) => el("td", { class: "total" }, `${p.received}/${m.bulletins} · ${p.displayed}`)),
      el("td"), el("td")));
    table.replaceChildren(head, body, foot);
  }

  // --- bulletins ------------------------------------------------------------------------

  function renderBulletins() {
    const list = document.getElementById("bulletin-list");
    const loggedIn = Boolean(NR.session.user);
    list.replaceChildren(...state.view.bulletins.map((b) => {
      const actions = [];
      if (loggedIn && b.state === "active" && b.type !== "cancel") {
        const update = el("button", { type: "button", class: "update" }, "Update");
        update.addEventListener("click", () => prefill(b, "update"));
        const cancel = el("button", { type: "button", class: "cancel" }, "Cancel");
        cancel.addEventListener("click", () => prefill(b, "cancel"));
        actions.push(" ", update, " ", cancel);
      }
      const stateText = b.state === "active" ? "active" : b.by_seq ? `${b.state} by #${b.by_seq}` : b.state;
      return el("li", { "data-seq": b.seq },
        el("strong", null, `#${b.seq} `), el("bdi", null, b.headline || b.body.slice(0, 80)),
        el("div", { class: "state" },
          `${b.type}, ${b.urgency}/${b.severity}, issued ${b.issued}`,
          b.expires ? `, expires ${b.expires}` : "", ` — ${stateText}`, b.broadcast ? "" : " (queued)"),
        actions);
    }));
  }

  // --- compose --------------------------------------------------------------------------

  function form() { return document.getElementById("compose"); }

  function readForm() {
    const f = form().elements;
    const v = (name) => f[name].value;
    const texts = [
      { lang: "nl", headline: v("nl.headline"), body: v("nl.body") },
      { lang: "en", headline: v("en.headline"), body: v("en.body") },
    ];
    if (v("x.lang").trim()) texts.push({ lang: v("x.lang").trim(), headline: v("x.headline"), body: v("x.body") });
    return {
      type: v("type"),
      references: v("references"),
      mode: form().querySelector("input[name=mode]:checked").value,
      texts,
      template: { name: v("template.name"), params: templateParams() },
      urgency: v("urgency"),
      severity: v("severity"),
      certainty: v("certainty"),
      expires_in_min: v("expires_in_min"),
      target: { points: v("target.points"), groups: v("target.groups") },
    };
  }

  function templateParams() {
    const out = {};
    for (const input of document.querySelectorAll("#template-params input")) {
      out[input.dataset.param] = input.value;
    }
    return out;
  }

  function showTemplateParams() {
    const chosen = state.templates.find((t) => t.name === form().elements["template.name"].value);
    const box = document.getElementById("template-params");
    if (!chosen) { box.replaceChildren(); return; }
    box.replaceChildren(...chosen.params.map((p) => el("label", null,
      `${p.name} (${p.type}) `,
      el("input", { name: `tp.${p.name}`, "data-param": p.name, placeholder: p.help, title: p.help }))));
    const f = form().elements;
    f.urgency.value = chosen.urgency; f.severity.value = chosen.severity; f.certainty.value = chosen.certainty;
  }

  async function loadTemplates() {
    const response = await fetch("/web/templates.json", { credentials: "same-origin" });
    if (!response.ok) return;
    state.templates = await response.json();
    const select = form().elements["template.name"];
    select.replaceChildren(...state.templates.map((t) => el("option", { value: t.name }, t.name)));
    select.addEventListener("change", () => { showTemplateParams(); formChanged(); });
    showTemplateParams();
  }

  function formChanged() {
    state.previewed = null;
    document.getElementById("send-button").disabled = true;
    const template = form().querySelector("input[name=mode]:checked").value === "template";
    document.getElementById("template").hidden = !template;
    document.getElementById("texts").hidden = template;
  }

  function prefill(b, type) {
    const f = form().elements;
    form().reset();
    f.type.value = type;
    f.references.value = String(b.seq);
    const byLang = Object.fromEntries(b.texts.map((t) => [t.lang, t]));
    if (type === "cancel") {
      f["nl.headline"].value = "Ingetrokken";
      f["nl.body"].value = `Bericht ${b.seq} is ingetrokken.`;
      f["en.headline"].value = "Withdrawn";
      f["en.body"].value = `Bulletin ${b.seq} has been withdrawn.`;
    } else {
      for (const lang of ["nl", "en"]) {
        if (byLang[lang]) { f[`${lang}.headline`].value = byLang[lang].headline; f[`${lang}.body`].value = byLang[lang].body; }
      }
      const other = b.texts.find((t) => t.lang !== "nl" && t.lang !== "en");
      if (other) { f["x.lang"].value = other.lang; f["x.headline"].value = other.headline; f["x.body"].value = other.body; }
      if (b.template) {
        form().querySelector("input[name=mode][value=template]").checked = true;
        const t = state.templates.find((x) => x.code === b.template.code);
        if (t) { f["template.name"].value = t.name; showTemplateParams(); }
      }
    }
    f.urgency.value = b.urgency; f.severity.value = b.severity; f.certainty.value = b.certainty;
    f.expires_in_min.value = String(b.expires_in_min);
    f["target.points"].value = b.target.points.join(", ");
    f["target.groups"].value = b.target.groups.join(", ");
    formChanged();
    setText("compose-result", "");
    f["nl.headline"].focus();
  }

  function renderPreview(p) {
    const box = document.getElementById("preview");
    const c = p.cost;
    box.replaceChildren(
      el("p", { class: "cost" },
        `${c.size} bytes, ${c.frames} frame${c.frames === 1 ? "" : "s"}, ${c.airtime_ms} ms on air at ${c.preset}; `
        + `queue position ${c.position}, on air in about ${Math.round(c.wait_s)} s`),
      ...p.renders.map((r) => el("div", { class: "render", "data-lang": r.lang },
        el("strong", null, r.name),
        r.shown_lang !== r.lang ? el("span", { class: "state" }, ` (no ${r.name} text: shows ${r.shown_name})`) : null,
        el("div", { dir: "auto", lang: r.shown_lang }, el("strong", null, r.headline)),
        el("div", { dir: "auto", lang: r.shown_lang, class: "body" }, r.body))));
    box.hidden = false;
  }

  async function preview() {
    setText("compose-error", "");
    setText("compose-result", "");
    const data = readForm();
    try {
      const p = await api("/web/compose/preview", { body: data });
      renderPreview(p);
      state.previewed = JSON.stringify(data);
      document.getElementById("send-button").disabled = false;
    } catch (err) {
      document.getElementById("preview").hidden = true;
      setText("compose-error", err.message);
    }
  }

  async function send(event) {
    event.preventDefault();
    const data = readForm();
    if (state.previewed !== JSON.stringify(data)) { await preview(); return; }
    document.getElementById("send-button").disabled = true;
    try {
      const r = await api("/web/compose/send", { body: data });
      setText("compose-result", `Queued bulletin #${r.seq} (${r.priority}): ${r.size} bytes, ${r.frames} frame(s), `
        + `${r.airtime_ms} ms at ${r.preset}; position ${r.position} in the queue.`);
      form().reset();
      formChanged();
      document.getElementById("preview").hidden = true;
      await refresh();
    } catch (err) {
      setText("compose-error", err.message);
      document.getElementById("send-button").disabled = false;
    }
  }

  // --- session, refresh, start --------------------------------------------------------

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
    document.title = `Hub ${view.node.name}`;
    const q = view.queue;
    setText("queue", `Radio ${q.link}; ${q.frames} frame(s) queued; airtime ${q.airtime_used_pct}% of the hour; preset ${view.preset}`);
    renderClock();
    renderPoints();
    renderMatrix();
    renderBulletins();
    renderSession();
    if (!document.body.dataset.ready) performance.mark("screen-rendered");
    document.body.dataset.ready = "1";
  }

  function renderClock() {
    const c = state.view && state.view.clock;
    if (!c || c.hub_unix === null) return;
    setText("clock", NR.hubClock(c.hub_unix + (performance.now() - state.fetchedAt) / 1000, c.utc_offset_s));
  }

  async function refresh() {
    state.view = await api("/web/dashboard.json");
    state.fetchedAt = performance.now();
    render();
  }

  function setup() {
    for (const th of document.querySelectorAll("#points th")) {
      th.querySelector("button").addEventListener("click", () => {
        const key = th.dataset.key;
        state.sortDir = state.sortKey === key ? -state.sortDir : 1;
        state.sortKey = key;
        if (state.view) renderPoints();
      });
    }
    document.getElementById("filter").addEventListener("input", () => state.view && renderPoints());
    document.getElementById("only-silent").addEventListener("change", () => state.view && renderPoints());
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
    form().addEventListener("input", formChanged);
    form().addEventListener("change", formChanged);
    form().addEventListener("submit", send);
    document.getElementById("preview-button").addEventListener("click", preview);
    document.getElementById("clear-button").addEventListener("click", () => {
      form().reset(); formChanged(); document.getElementById("preview").hidden = true;
    });
  }

  async function start() {
    setup();
    await NR.loadSession();
    await loadTemplates().catch(() => {});
    await Promise.all([refresh().catch(() => {}), NRDashHelp.start().catch(() => {})]);
    NR.live(
      () => Promise.all([refresh().catch(() => {}), NRDashHelp.refresh().catch(() => {})]),
      (up) => { document.getElementById("offline").hidden = up; },
    );
    setInterval(() => { if (state.view) { renderClock(); renderPoints(); } }, 15000);
  }

  start();
})();
