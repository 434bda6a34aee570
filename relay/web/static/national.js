"use strict";
// The national dashboard: the regions on an offline map and in a table, national
// bulletins with their reach, a drill-down into one region. Polls /api/national (the
// national node has no event stream: its data changes at most once per summary).

const NAT = (() => {
  const { el, fill, api } = NR;
  const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "nl";
  const POLL_MS = 5000;
  let ui = {};
  let map = { regions: [] };
  let drilled = null;

  const t = (key) => (key in ui ? ui[key] : key);

  function applyLabels() {
    document.documentElement.lang = lang;
    for (const node of document.querySelectorAll("[data-l]")) node.textContent = t(node.dataset.l);
    for (const a of document.querySelectorAll("#lang-switch a")) {
      if (a.dataset.lang === lang) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    }
  }

  function ago(seconds) {
    if (seconds === null || seconds === undefined) return t("never");
    const s = Math.max(0, seconds);
    return s < 120 ? t("ago_s").replace("{seconds}", s) : t("ago_min").replace("{minutes}", Math.floor(s / 60));
  }

  /** ok: most points open; bad: most closed or silent; none: no points heard. */
  function health(counts) {
    if (!counts || counts.total === 0) return "none";
    if (counts.closed + counts.silent > counts.total / 2) return "bad";
    if (counts.open >= counts.total / 2) return "ok";
    return "warn";
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawMap(view) {
    const box = document.getElementById("nl-map");
    box.setAttribute("viewBox", map.viewbox);
    box.replaceChildren(svg("polygon", { class: "land", points: map.outline }));
    const byName = Object.fromEntries(view.regions.map((r) => [r.region, r]));
    for (const m of map.regions) {
      const r = byName[m.region];
      const counts = r ? r.points : null;
      const g = svg("g", {
        class: `marker ${health(counts)}${drilled === m.region ? " selected" : ""}`,
        "data-region": m.region, tabindex: 0, role: "button",
      });
      g.append(svg("title", {}, `${m.label} (${m.city})`));
      g.append(svg("circle", { cx: m.x, cy: m.y, r: 8 }));
      const summary = counts ? ` ${counts.open}/${counts.total}` : "";
      g.append(svg("text", { x: m.x + 11, y: m.y + 4 }, m.label + summary));
      g.addEventListener("click", () => drill(m.region));
      g.addEventListener("keydown", (e) => { if (e.key === "Enter") drill(m.region); });
      box.append(g);
    }
    const unplaced = document.getElementById("unplaced");
    unplaced.hidden = map.unplaced.length === 0;
    unplaced.textContent = `${t("unplaced")}: ${map.unplaced.join(", ")}`;
  }

  function needs(list) {
    if (!list.length) return t("no_needs");
    return list.map((n) => `${t(`need.${n.need}`)} (${n.points})`).join(", ");
  }

  function bulletinLine(b) {
    const reach = t("reach").replace("{held}", b.held).replace("{points}", b.points);
    return el("li", null, el("bdi", { text: b.headline || b.body }), ` #${b.seq} — ${reach}`);
  }

  function drawRegions(view) {
    const body = document.querySelector("#regions tbody");
    body.replaceChildren(...view.regions.map((r) => {
      const row = el("tr", { class: "region-row", "data-region": r.region, tabindex: 0 },
        el("td", null, el("bdi", { text: r.region })),
        el("td", { text: ago(r.hub_heard_s_ago) }),
        ...["open", "limited", "closed", "silent", "total"].map((k) => el("td", { class: `n-${k}`, text: r.points[k] })),
        el("td", { text: needs(r.top_needs) }),
        el("td", null, el("ul", { class: "reach-list" }, r.bulletins.map(bulletinLine))));
      row.addEventListener("click", () => drill(r.region));
      return row;
    }));
  }

  function drawNational(view) {
    const list = document.getElementById("national");
    if (!view.national_bulletins.length) {
      list.replaceChildren(el("li", { text: t("no_national") }));
      return;
    }
    list.replaceChildren(...view.national_bulletins.slice().reverse().map((b) => {
      const relayed = t("relayed").replace("{relayed}", b.regions_relayed.length).replace("{total}", b.regions_total);
      const reach = Object.entries(b.reach).map(([region, r]) => el("li", { "data-region": region },
        el("bdi", { text: region }), `: ${t("reach").replace("{held}", r.held).replace("{points}", r.points)}`));
      return el("li", { class: "national-bulletin", "data-seq": b.seq },
        el("strong", null, el("bdi", { text: b.headline || b.body })),
        ` #${b.seq} · ${t(`urgency.${b.urgency}`)} · ${t(`severity.${b.severity}`)} · ${b.issued}`,
        el("div", { class: "relayed", text: relayed }),
        el("details", { open: true }, el("summary", { text: t("reach_region") }), el("ul", { class: "reach-list" }, reach)));
    }));
  }

  async function drill(name) {
    drilled = name;
    const view = await api(`/api/national/region/${encodeURIComponent(name)}`);
    const section = document.getElementById("drill");
    document.getElementById("h-drill").replaceChildren(fill(t("points_of"), { region: name }));
    document.querySelector("#points tbody").replaceChildren(...view.points.map((p) => el("tr", { "data-point": p.point_id },
      el("td", null, el("bdi", { text: p.name || `#${p.point_id}` })),
      el("td", { class: `state-${p.open}`, text: t(p.open) }),
      el("td", { text: p.reported }),
      el("td", { text: t(`power.${p.power}`) }),
      el("td", { text: p.battery_pct === null ? "–" : `${p.battery_pct} %` }),
      el("td", { text: p.visitors }),
      el("td", { text: p.needs.map((n) => t(`need.${n}`)).join(", ") }),
      el("td", null, el("bdi", { text: p.text || "" })))));
    section.hidden = false;
    for (const g of document.querySelectorAll("#nl-map .marker")) g.classList.toggle("selected", g.dataset.region === name);
  }

  async function refresh() {
    try {
      const [view, state] = await Promise.all([api("/api/national"), api("/api/state")]);
      document.getElementById("offline").hidden = true;
      document.getElementById("link").textContent = `${state.link} (${state.broker})`;
      document.getElementById("updated").textContent = new Date().toLocaleTimeString(lang === "en" ? "en-GB" : "nl-NL");
      drawMap(view);
      drawRegions(view);
      drawNational(view);
      if (drilled !== null && !document.getElementById("drill").hidden) await drill(drilled);
      document.body.dataset.loaded = "true";
    } catch (e) {
      document.getElementById("offline").hidden = false;
    }
  }

  async function start() {
    const meta = await api(`/web/national-ui.json?lang=${lang}`);
    ui = meta.labels;
    map = meta.map;
    applyLabels();
    document.getElementById("drill-close").addEventListener("click", () => {
      drilled = null;
      document.getElementById("drill").hidden = true;
    });
    await NATC.start(t, refresh);
    await refresh();
    setInterval(refresh, POLL_MS);
  }

  return { start };
})();

document.addEventListener("DOMContentLoaded", () => { NAT.start(); });
