"use strict";
// Compose on the hub's dashboard: free text or a template, preview and cost, then send
// exactly what was previewed; Update and Cancel prefill the form from a bulletin.
// Urgency, severity and certainty start empty: an operator must never send a level they
// did not choose. A template's suggested levels are shown, and taken over only on a click.

window.NRCompose = (() => {
  const { el, setText, api } = NR;
  const state = { previewed: null, templates: [] };
  const form = () => document.getElementById("compose");
  const t = (key, values) => NRDash.t(key, values);

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
      status: v("status"),
      expires_in_min: v("expires_in_min"),
      target: { points: v("target.points"), groups: v("target.groups") },
    };
  }

  function templateParams() {
    const out = {};
    for (const input of document.querySelectorAll("#template-params input")) out[input.dataset.param] = input.value;
    return out;
  }

  function chosenTemplate() {
    return state.templates.find((x) => x.name === form().elements["template.name"].value);
  }

  /** The template's parameters, and its suggested levels as a hint with a button. */
  function showTemplateParams() {
    const chosen = chosenTemplate();
    const box = document.getElementById("template-params");
    const hint = document.getElementById("template-suggests");
    if (!chosen) { box.replaceChildren(); hint.replaceChildren(); return; }
    box.replaceChildren(...chosen.params.map((p) => el("label", null,
      `${p.name} (${p.type}) `,
      el("input", { name: `tp.${p.name}`, "data-param": p.name, placeholder: p.help, title: p.help }))));
    const apply = el("button", { type: "button", id: "template-apply" }, t("template_apply"));
    apply.addEventListener("click", () => {
      const f = form().elements;
      f.urgency.value = chosen.urgency; f.severity.value = chosen.severity; f.certainty.value = chosen.certainty;
      formChanged();
    });
    hint.replaceChildren(t("template_suggests", {
      urgency: NRDash.word("urgency", chosen.urgency),
      severity: NRDash.word("severity", chosen.severity),
      certainty: NRDash.word("certainty", chosen.certainty),
    }), " ", apply);
  }

  async function loadTemplates() {
    const response = await fetch("/web/templates.json", { credentials: "same-origin" });
    if (!response.ok) return;
    state.templates = await response.json();
    const select = form().elements["template.name"];
    select.replaceChildren(...state.templates.map((x) => el("option", { value: x.name }, x.name)));
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

  function fillTexts(f, b, type) {
    const byLang = Object.fromEntries(b.texts.map((x) => [x.lang, x]));
    if (type === "cancel") {
      const w = NRDash.state.meta.withdrawn;
      for (const code of ["nl", "en"]) {
        f[`${code}.headline`].value = w[code].headline;
        f[`${code}.body`].value = w[code].body.replace("{seq}", String(b.seq));
      }
      return;
    }
    for (const code of ["nl", "en"]) {
      if (byLang[code]) { f[`${code}.headline`].value = byLang[code].headline; f[`${code}.body`].value = byLang[code].body; }
    }
    const other = b.texts.find((x) => x.lang !== "nl" && x.lang !== "en");
    if (other) { f["x.lang"].value = other.lang; f["x.headline"].value = other.headline; f["x.body"].value = other.body; }
    if (b.template) {
      form().querySelector("input[name=mode][value=template]").checked = true;
      const found = state.templates.find((x) => x.code === b.template.code);
      if (found) { f["template.name"].value = found.name; showTemplateParams(); }
    }
  }

  /** Update/Cancel: the operator chose this bulletin, so its levels carry over. */
  function prefill(b, type) {
    const f = form().elements;
    form().reset();
    f.type.value = type;
    f.references.value = String(b.seq);
    fillTexts(f, b, type);
    f.urgency.value = b.urgency; f.severity.value = b.severity; f.certainty.value = b.certainty;
    // An update of an exercise stays one; during an exercise a real one must be chosen again.
    f.status.value = b.status === "actual" ? "" : b.status;
    NRExercise.render();
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
      el("p", { class: "cost" }, t("cost", {
        size: c.size, frames: c.frames, airtime: c.airtime_ms, preset: c.preset, position: c.position, wait: Math.round(c.wait_s),
      })),
      ...p.renders.map((r) => el("div", { class: "render", "data-lang": r.lang },
        el("strong", null, r.name),
        r.shown_lang !== r.lang ? el("span", { class: "state" }, t("no_text_in", { name: r.name, shown: r.shown_name })) : null,
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
      setText("compose-result", t("queued", {
        seq: r.seq, priority: r.priority, size: r.size, frames: r.frames, airtime: r.airtime_ms, preset: r.preset, position: r.position,
      }));
      clear();
      await NRDash.refresh();
    } catch (err) {
      setText("compose-error", err.message);
      document.getElementById("send-button").disabled = false;
    }
  }

  function clear() {
    form().reset();
    showTemplateParams();
    formChanged();
    document.getElementById("preview").hidden = true;
  }

  function setup() {
    form().addEventListener("input", formChanged);
    form().addEventListener("change", formChanged);
    form().addEventListener("submit", send);
    document.getElementById("preview-button").addEventListener("click", preview);
    document.getElementById("clear-button").addEventListener("click", clear);
  }

  return { setup, loadTemplates, prefill };
})();
