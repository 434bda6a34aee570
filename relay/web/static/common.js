"use strict";
// Shared by the kiosk and the dashboard.
// Rule: data from the server is only ever inserted as text (textContent, text nodes,
// setAttribute of fixed attribute names); nothing is ever parsed as HTML.

const NR = (() => {
  /** Build an element; children may be nodes or strings (which become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** "Verified: {hub}, issued {time}" with each value isolated in its own <bdi>,
   *  so a right-to-left or override character in a value cannot reorder the rest. */
  function fill(template, values) {
    const out = document.createDocumentFragment();
    const re = /\{(\w+)\}/g;
    let last = 0;
    let m;
    while ((m = re.exec(template)) !== null) {
      out.append(document.createTextNode(template.slice(last, m.index)));
      out.append(el("bdi", null, m[1] in values ? values[m[1]] : m[0]));
      last = re.lastIndex;
    }
    out.append(document.createTextNode(template.slice(last)));
    return out;
  }

  function setText(id, text) {
    const node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  let session = { user: null };

  async function api(path, options) {
    const opts = options || {};
    const headers = { Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (session.csrf) headers["X-CSRF-Token"] = session.csrf;
    const response = await fetch(path, {
      method: opts.method || (opts.body !== undefined ? "POST" : "GET"),
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const err = new Error((data && data.error) || `HTTP ${response.status}`);
      err.status = response.status;
      err.data = data;
      throw err;
    }
    return data;
  }

  async function loadSession() {
    try { session = await api("/web/session"); } catch (e) { session = { user: null }; }
    return session;
  }

  async function login(user, password) {
    session = await api("/web/login", { body: { user, password } });
    return session;
  }

  async function logout() {
    try { await api("/web/logout", { body: {} }); } finally { session = { user: null }; }
  }

  /** Live updates over server-sent events, reconnecting by itself (daemon restarts,
   *  network hiccups). ``onChange`` runs (debounced) after every event and after every
   *  (re)connection, since events may have been missed while away. */
  function live(onChange, onLink) {
    let source = null;
    let backoff = 1000;
    let timer = null;
    const kick = () => {
      if (timer) return;
      timer = setTimeout(() => { timer = null; onChange(); }, 150);
    };
    const connect = () => {
      source = new EventSource("/api/events");
      source.addEventListener("open", () => { backoff = 1000; onLink(true); kick(); });
      for (const name of ["bulletin", "point", "receipt", "hub", "status", "sent", "link", "help"]) {
        source.addEventListener(name, kick);
      }
      source.addEventListener("error", () => {
        onLink(false);
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. an error page while the daemon restarted): retry.
          source.close();
          setTimeout(connect, backoff);
          backoff = Math.min(backoff * 2, 15000);
        }
      });
    };
    connect();
    // A slow safety net: refresh now and then even if every event got lost.
    setInterval(kick, 60000);
  }

  /** HH:MM of a hub time (Unix seconds) in Amsterdam, given the offset the server sent. */
  function hubClock(hubUnix, offsetS) {
    const d = new Date((hubUnix + offsetS) * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }

  /** Load one of our own scripts once (CSP allows 'self'); resolves when it has run. */
  const loading = {};
  function loadScript(src) {
    if (!loading[src]) {
      loading[src] = new Promise((resolve, reject) => {
        const script = el("script", { src });
        script.addEventListener("load", resolve);
        script.addEventListener("error", () => { delete loading[src]; reject(new Error(`cannot load ${src}`)); });
        document.head.append(script);
      });
    }
    return loading[src];
  }

  /** "3 min ago" in the help labels' words. */
  function age(seconds, ui) {
    const s = Math.max(0, Math.floor(seconds));
    return s < 120 ? ui.age_s.replace("{seconds}", String(s)) : ui.age.replace("{minutes}", String(Math.floor(s / 60)));
  }

  return {
    el, fill, setText, api, loadSession, login, logout, live, hubClock, loadScript, age,
    get session() { return session; },
  };
})();
