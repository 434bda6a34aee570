"use strict";
// The region on the hub's dashboard: a map drawn offline from the points' coordinates
// (SVG, no tiles, nothing from the internet), each point coloured by its state, the relay
// sites, a detail panel, filters by municipality and state, and receipts per bulletin
// ("148/150 ontvangen, 131 opgehangen" with the points still missing it). The full
// matrix (one column per point) is drawn only when asked for: at 150 points it is big.

window.NRRegion = (() => {
  const { el, setText } = NR;
  const SVG = "http://www.w3.org/2000/svg";
  const KINDS = ["silent", "missing", "closed", "limited", "open", "unknown"];
  const W = 1000;
  const H = 700;
  const MARGIN = 30;
  const filters = { municipality: "", kinds: new Set(KINDS) };
  let selected = null;
  const t = (key, values) => NRDash.t(key, values);

  /** What matters most first: not heard, then not holding every bulletin, then open state. */
  function classify(p) {
    if (p.silent) return "silent";
    if (p.holds < p.active) return "missing";
    return ["open", "limited", "closed"].includes(p.open) ? p.open : "unknown";
  }

  function visible(p) {
    return (!filters.municipality || p.municipality === filters.municipality) && filters.kinds.has(classify(p));
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  /** Equirectangular, longitude shrunk by cos(latitude): true enough for one region. */
  function projection(places) {
    const lats = places.map((p) => p.lat);
    const lons = places.map((p) => p.lon);
    const [lat0, lat1, lon0, lon1] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
    const k = Math.cos(((lat0 + lat1) / 2) * Math.PI / 180);
    const spanX = Math.max((lon1 - lon0) * k, 1e-4);
    const spanY = Math.max(lat1 - lat0, 1e-4);
    const scale = Math.min((W - 2 * MARGIN) / spanX, (H - 2 * MARGIN) / spanY);
    const offX = (W - spanX * scale) / 2;
    const offY = (H - spanY * scale) / 2;
    return (lat, lon) => [offX + (lon - lon0) * k * scale, H - offY - (lat - lat0) * scale];
  }

  function pointMark(p, at) {
    const kind = classify(p);
    const [x, y] = at(p.lat, p.lon);
    const mark = svg("circle", {
      cx: x.toFixed(1), cy: y.toFixed(1), r: kind === "silent" ? 11 : 9,
      class: `pt k-${kind}${visible(p) ? "" : " dim"}${selected === p.point_id ? " selected" : ""}`,
      "data-point": p.point_id, "data-kind": kind, tabindex: 0, role: "button",
      "aria-label": `${p.name}: ${t(`state.${kind}`)}`,
    }, svg("title", null, `${p.name} (${p.municipality || "–"}): ${t(`state.${kind}`)}`));
    mark.addEventListener("click", () => select(p.point_id));
    mark.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(p.point_id); } });
    return mark;
  }

  function relayMark(r, at) {
    const [x, y] = at(r.lat, r.lon);
    const d = `M${x.toFixed(1)},${(y - 12).toFixed(1)} l10,18 h-20 z`;
    return svg("path", { d, class: "relay" }, svg("title", null, `${t("relay_site")}: ${r.name}`));
  }

  function renderMap() {
    const view = NRDash.state.view;
    const placed = view.points.filter((p) => p.lat !== null && p.lon !== null);
    const map = document.getElementById("map");
    map.setAttribute("aria-label", t("map_label"));
    if (!placed.length && !view.relays.length) {
      map.replaceChildren();
      map.toggleAttribute("hidden", true); // an <svg> has no .hidden property
      setText("map-note", t("no_coords"));
      return;
    }
    map.toggleAttribute("hidden", false);
    const at = projection([...placed, ...view.relays]);
    map.replaceChildren(
      svg("g", { class: "relays" }, view.relays.map((r) => relayMark(r, at))),
      svg("g", { class: "points" }, placed.map((p) => pointMark(p, at))));
    const unplaced = view.points.length - placed.length;
    setText("map-note", unplaced ? `${unplaced} × ${t("no_coords")}` : "");
  }

  function renderFilters() {
    const view = NRDash.state.view;
    const select = document.getElementById("municipality");
    const names = [...new Set(view.points.map((p) => p.municipality).filter(Boolean))].sort((a, b) => a.localeCompare(b));
    const wanted = ["", ...names].join("\n");
    if (select.dataset.names !== wanted) {
      select.dataset.names = wanted;
      select.replaceChildren(el("option", { value: "" }, t("all_municipalities")),
        ...names.map((n) => el("option", { value: n }, n)));
      select.value = names.includes(filters.municipality) ? filters.municipality : "";
    }
    const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
    for (const p of view.points) counts[classify(p)] += 1;
    for (const k of KINDS) setText(`count-${k}`, String(counts[k]));
  }

  function field(label, value) {
    return value === null || value === undefined || value === "" ? null : el("div", null, el("span", { class: "state" }, `${label}: `), value);
  }

  function renderDetail() {
    const box = document.getElementById("point-detail");
    const view = NRDash.state.view;
    const p = view.points.find((x) => x.point_id === selected);
    if (!p) { box.replaceChildren(el("p", { class: "state" }, t("detail_none"))); return; }
    const kind = classify(p);
    const column = view.matrix.points.findIndex((c) => c.point_id === p.point_id);
    const missing = column < 0 ? [] : view.matrix.rows.filter((r) => r.cells[column] === "-").map((r) => `#${r.seq}`);
    const close = el("button", { type: "button", class: "detail-close" }, t("detail_close"));
    close.addEventListener("click", () => select(null));
    const known = (prefix, value) => (value === "unknown" ? null : NRDash.word(prefix, value));
    // replaceChildren() would show a null as the text "null": only real nodes go in.
    box.replaceChildren(...[
      el("h3", null, el("bdi", null, p.name), " ", el("span", { class: "state" }, `#${p.point_id}`)),
      el("p", null, el("span", { class: `badge k-${kind}` }, t(`state.${kind}`))),
      field(t("municipality"), p.municipality),
      field(t("col.heard_s_ago"), p.heard_s_ago === null ? t("never_heard") : NRDash.ago(p.heard_s_ago + NRDash.elapsed())),
      field(t("col.open"), known("open", p.open)),
      field(t("col.power"), known("power", p.power)),
      field(t("col.battery_pct"), p.battery_pct === null ? null : `${p.battery_pct}%`),
      field(t("col.visitors"), p.visitors === null ? null : String(p.visitors)),
      field(t("col.needs"), p.needs.map((n) => NRDash.word("need", n)).join(", ")),
      p.text ? el("p", { dir: "auto" }, p.text) : null,
      el("p", null, t("detail_holds", { holds: p.holds, active: p.active })),
      missing.length ? el("p", { class: "error detail-missing" }, t("detail_missing", { list: missing.join(", ") })) : null,
      p.lat !== null ? el("p", { class: "state" }, t("detail_coords", { lat: p.lat.toFixed(4), lon: p.lon.toFixed(4) })) : null,
      close].filter(Boolean));
  }

  function missingList(row, m) {
    const out = [];
    for (let i = 0; i < row.cells.length; i += 1) {
      if (row.cells[i] !== "-") continue;
      const p = m.points[i];
      const b = el("button", { type: "button", class: "linkish", "data-point": p.point_id }, p.name);
      b.addEventListener("click", () => select(p.point_id));
      out.push(el("li", null, b));
    }
    return out;
  }

  function renderReceipts() {
    const m = NRDash.state.view.matrix;
    const list = document.getElementById("receipts");
    if (!m.rows.length) { list.replaceChildren(el("li", { class: "state" }, t("no_active"))); return; }
    const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.seq));
    list.replaceChildren(...m.rows.map((r) => {
      const missing = r.cells.length - r.received;
      const share = r.cells.length ? r.received / r.cells.length : 1;
      return el("li", { "data-seq": r.seq, class: missing ? "incomplete" : "complete" },
        el("strong", null, `#${r.seq} `), el("bdi", null, r.headline), " ",
        el("span", { class: "receipt-line" }, t("receipt_line", { received: r.received, total: r.cells.length, displayed: r.displayed })),
        el("span", { class: "bar", "aria-hidden": "true" }, el("span", { style: null, class: "fill", "data-share": share.toFixed(3) })),
        missing
          ? el("details", { "data-seq": r.seq, open: open.has(String(r.seq)) },
            el("summary", null, t("missing_list", { n: missing })), el("ul", { class: "missing" }, missingList(r, m)))
          : el("div", { class: "state" }, t("all_received")));
    }));
    // CSP forbids inline styles in markup; setting a property from script is allowed.
    for (const fill of list.querySelectorAll(".fill")) fill.style.width = `${Number(fill.dataset.share) * 100}%`;
  }

  const MARK = { d: "✓✓", r: "✓", "-": "✗" };
  const CELL = { d: "displayed", r: "received", "-": "missing" };

  function renderMatrix() {
    if (!document.getElementById("matrix-box").open) return;
    const m = NRDash.state.view.matrix;
    const table = document.getElementById("matrix");
    if (!m.rows.length) { table.replaceChildren(el("tbody", null, el("tr", null, el("td", null, t("no_active"))))); return; }
    const n = m.points.length;
    const head = el("thead", null, el("tr", null, el("th", null, t("bulletin")),
      m.points.map((p) => el("th", { scope: "col", title: `#${p.point_id}` }, el("bdi", null, p.name))),
      el("th", { class: "total" }, t("received")), el("th", { class: "total" }, t("displayed"))));
    const body = el("tbody", null, m.rows.map((r) => el("tr", { "data-seq": r.seq },
      el("th", { scope: "row" }, `#${r.seq} `, el("bdi", null, r.headline)),
      [...r.cells].map((c, i) => el("td", { class: `cell ${CELL[c]}`, title: `${m.points[i].name}: ${t(`cell.${CELL[c]}`)}`, "data-state": CELL[c] }, MARK[c])),
      el("td", { class: "total received-total" }, `${r.received}/${n}`),
      el("td", { class: "total displayed-total" }, `${r.displayed}/${n}`))));
    const foot = el("tfoot", null, el("tr", null, el("th", { scope: "row" }, t("per_point")),
      m.points.map((p, i) => {
        const got = m.rows.filter((r) => r.cells[i] !== "-").length;
        const shown = m.rows.filter((r) => r.cells[i] === "d").length;
        return el("td", { class: "total" }, `${got}/${m.rows.length} · ${shown}`);
      }), el("td"), el("td")));
    table.replaceChildren(head, body, foot);
  }

  function render() {
    renderFilters();
    renderMap();
    renderDetail();
    renderReceipts();
    renderMatrix();
  }

  function select(pointId) {
    selected = pointId;
    if (!NRDash.state.view) return;
    renderMap();
    renderDetail();
    if (pointId !== null) document.getElementById("region").scrollIntoView({ block: "nearest" });
  }

  function refilter() {
    if (!NRDash.state.view) return;
    renderMap();
    NRDash.renderPoints();
  }

  function setup() {
    const box = document.getElementById("state-filters");
    box.replaceChildren(el("span", null, t("show_states")), ...KINDS.map((k) => {
      const input = el("input", { type: "checkbox", value: k, checked: true, "data-kind": k });
      input.addEventListener("change", () => {
        if (input.checked) filters.kinds.add(k); else filters.kinds.delete(k);
        refilter();
      });
      return el("label", { class: "kind" }, input, " ", el("span", { class: `dot k-${k}` }), " ", t(`state.${k}`),
        " (", el("span", { id: `count-${k}` }, "0"), ")");
    }));
    document.getElementById("municipality").addEventListener("change", (e) => {
      filters.municipality = e.target.value;
      refilter();
    });
    document.getElementById("matrix-box").addEventListener("toggle", renderMatrix);
  }

  return { classify, visible, render, setup, select };
})();
