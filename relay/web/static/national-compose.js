"use strict";
// Login and compose on the national dashboard. Urgency, severity and certainty start
// empty: the operator chooses them every time (the server refuses a bulletin without).

const NATC = (() => {
  const { el, api } = NR;
  const LEVELS = {
    urgency: ["immediate", "expected", "future", "past"],
    severity: ["extreme", "severe", "moderate", "minor"],
    certainty: ["observed", "likely", "possible", "unlikely"],
  };
  let t = (k) => k;
  let afterSend = async () => {};

  function show() {
    const user = NR.session.user;
    document.getElementById("login-form").hidden = Boolean(user);
    document.getElementById("compose-form").hidden = !user;
    document.getElementById("logout").hidden = !user;
    document.getElementById("user").textContent = user || "";
  }

  function fillLevels() {
    for (const [name, values] of Object.entries(LEVELS)) {
      const select = document.getElementById(name);
      select.replaceChildren(el("option", { value: "", text: t("choose") }),
        ...values.map((v) => el("option", { value: v, text: t(`${name}.${v}`) })));
      select.value = "";
    }
    for (const code of ["nl", "en"]) document.getElementById(`legend-${code}`).textContent = t("lang_block").replace("{lang}", code.toUpperCase());
  }

  function form() {
    const texts = ["nl", "en"].map((lang) => ({
      lang,
      headline: document.getElementById(`headline-${lang}`).value,
      body: document.getElementById(`body-${lang}`).value,
    }));
    const data = { texts };
    for (const name of Object.keys(LEVELS)) data[name] = document.getElementById(name).value;
    return data;
  }

  async function send(event) {
    event.preventDefault();
    const out = document.getElementById("compose-result");
    try {
      const result = await api("/api/national/compose", { body: form() });
      out.className = "ok";
      out.textContent = t("sent").replace("{seq}", result.seq);
      document.getElementById("compose-form").reset();
      fillLevels();
      await afterSend();
    } catch (e) {
      out.className = "error";
      const field = e.data && e.data.field ? ` (${e.data.field})` : "";
      out.textContent = t("send_failed").replace("{error}", e.message + field);
    }
  }

  async function logIn(event) {
    event.preventDefault();
    const err = document.getElementById("login-error");
    try {
      await NR.login(document.getElementById("login-user").value, document.getElementById("login-password").value);
      err.textContent = "";
      document.getElementById("login-password").value = "";
    } catch (e) {
      err.textContent = t("login_failed").replace("{error}", e.message);
    }
    show();
  }

  async function start(words, onSent) {
    t = words;
    afterSend = onSent;
    fillLevels();
    document.getElementById("login-form").addEventListener("submit", logIn);
    document.getElementById("compose-form").addEventListener("submit", send);
    document.getElementById("logout").addEventListener("click", async () => { await NR.logout(); show(); });
    await NR.loadSession();
    show();
  }

  return { start };
})();
