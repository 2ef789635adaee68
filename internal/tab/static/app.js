// The dashboard tab's page: signs in (Teams SSO, or the local mode's chosen person), then draws the dashboard, the
// register with its filters and pages, a person's page, from the JSON API under /tab/api/, and the organisation's
// management model (for everyone, also a person with no role in the register). Every text comes from the API in the
// person's language; data is written with textContent only.
"use strict";

(function () {
  const mode = document.body.dataset.mode;
  const params = new URLSearchParams(location.search);
  let locale = params.get("locale") || "";
  let texts = {};
  let me = null;
  let cursor = null;
  let shown = 0;
  let startError = null; // why the dashboard could not be shown (a person with no role): the handbook still can

  const $ = (id) => document.getElementById(id);
  const t = (key, vars) => {
    let s = texts[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  };
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  };

  // The bearer token: Teams SSO, fetched for each call (the SDK caches it and renews it before it expires).
  async function authHeaders() {
    if (mode === "local") {
      const as = params.get("as") || ($("as") && $("as").value) || "";
      return { "X-Valtuus-As": as };
    }
    const token = await microsoftTeams.authentication.getAuthToken();
    return { Authorization: "Bearer " + token };
  }

  // call fetches an API path; a refusal is thrown as an error with the API's code and message.
  async function call(path, query) {
    const q = new URLSearchParams(query || {});
    if (locale) q.set("locale", locale);
    const res = await fetch("/tab/api/" + path + (q.toString() ? "?" + q : ""), { headers: await authHeaders() });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      const err = new Error(body.message || res.statusText);
      err.code = body.error || String(res.status);
      throw err;
    }
    return res;
  }

  async function api(path, query) {
    return (await call(path, query)).json();
  }

  function fail(err) {
    const s = $("status");
    s.hidden = false;
    s.className = "error";
    s.dataset.code = err.code || "error";
    s.textContent = err.message || t("tab.error.internal");
    $("dashboard").hidden = true;
    $("person").hidden = true;
    $("handbook").hidden = true;
  }

  function table(id, head, rows, numeric) {
    const tbl = $(id);
    tbl.replaceChildren();
    const tr = el("tr");
    head.forEach((h, i) => tr.append(el("th", { scope: "col", class: numeric && numeric.includes(i) ? "num" : "", text: h })));
    tbl.append(el("thead", null, tr));
    const body = el("tbody");
    if (rows.length === 0) {
      body.append(el("tr", null, el("td", { colspan: String(head.length), class: "muted", text: t("tab.person.none") })));
    }
    for (const r of rows) {
      const row = el("tr");
      r.forEach((c, i) => {
        const td = el("td", { class: numeric && numeric.includes(i) ? "num" : "" });
        td.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
        row.append(td);
      });
      body.append(row);
    }
    tbl.append(body);
  }

  const stateLabel = (s) => t("tab.state." + (s === "active" ? "active" : s));
  const personLink = (id, name) => el("a", { href: "#person/" + encodeURIComponent(id), text: name || id });
  const until = (m) => (m.open_ended ? t("tab.open_ended") : m.valid_until);

  function options(select, list, any) {
    select.replaceChildren(el("option", { value: "", text: any }));
    for (const o of list) select.append(el("option", { value: o.value, text: o.label }));
  }

  function setTexts() {
    document.documentElement.lang = me.lang;
    document.title = t("tab.title");
    $("title").textContent = t("tab.title");
    $("scope").textContent = (me.person.name ? me.person.name + " · " : "") + t(me.role === "main_user" ? "tab.scope.all" : "tab.scope.team");
    for (const [id, key] of [["h-counts", "tab.counts.heading"], ["h-chart", "tab.chart.heading"],
      ["h-departments", "tab.department.heading"], ["h-agencies", "tab.agency.heading"], ["h-tasks", "tab.tasks.heading"],
      ["h-register", "tab.register.heading"], ["l-q", "tab.filter.name"], ["l-department", "tab.filter.department"],
      ["l-agency", "tab.filter.agency"], ["l-theme", "tab.filter.theme"], ["l-state", "tab.filter.state"],
      ["l-ending", "tab.filter.ending_before"], ["apply", "tab.filter.apply"], ["clear", "tab.filter.clear"],
      ["more", "tab.register.more"], ["back", "tab.person.back"], ["h-p-mandates", "tab.person.mandates"],
      ["h-p-requests", "tab.person.requests"], ["h-p-history", "tab.person.history"],
      ["handbook-link", "tab.handbook.link"], ["handbook-back", "tab.handbook.back"], ["handbook-heading", "tab.handbook.link"]]) {
      $(id).textContent = t(key);
    }
    $("handbook-frame").title = t("tab.handbook.frame");
    const any = t("tab.filter.any");
    options($("f-department"), me.departments.map((d) => ({ value: d, label: d })), any);
    options($("f-agency"), me.agencies, any);
    options($("f-theme"), me.themes, any);
    options($("f-state"), ["active", "upcoming", "expired", "revoked"].map((s) => ({ value: s, label: stateLabel(s) })), any);
  }

  // The chart: one bar per month, drawn as SVG, with the same figures in a table for screen readers.
  function chart(months) {
    const fig = $("chart");
    fig.replaceChildren();
    const max = Math.max(1, ...months.map((m) => m.n));
    const w = 720, h = 220, pad = 28, bw = (w - pad * 2) / months.length;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "chart-title");
    svg.setAttribute("data-bars", String(months.length));
    const title = document.createElementNS(ns, "title");
    title.id = "chart-title";
    title.textContent = t("tab.chart.heading") + ": " + months.map((m) => `${m.month} ${m.n}`).join(", ");
    svg.append(title);
    months.forEach((m, i) => {
      const bh = Math.round(((h - pad * 2) * m.n) / max);
      const x = pad + i * bw + 4, y = h - pad - bh;
      const r = document.createElementNS(ns, "rect");
      Object.entries({ x, y, width: bw - 8, height: bh, fill: "#1d4f91", class: "bar" }).forEach(([k, v]) => r.setAttribute(k, v));
      svg.append(r);
      const n = document.createElementNS(ns, "text");
      Object.entries({ x: x + (bw - 8) / 2, y: y - 4, "text-anchor": "middle", "font-size": "12", fill: "#242424" }).forEach(([k, v]) => n.setAttribute(k, v));
      n.textContent = String(m.n);
      svg.append(n);
      const l = document.createElementNS(ns, "text");
      Object.entries({ x: x + (bw - 8) / 2, y: h - 8, "text-anchor": "middle", "font-size": "12", fill: "#242424" }).forEach(([k, v]) => l.setAttribute(k, v));
      l.textContent = m.month.slice(5) + "/" + m.month.slice(2, 4);
      svg.append(l);
    });
    fig.append(svg);
    const total = months.reduce((a, m) => a + m.n, 0);
    fig.append(el("figcaption", { text: total ? t("tab.chart.caption") : t("tab.chart.none") }));
    const data = el("table", { class: "sr-only" });
    data.append(el("caption", { text: t("tab.chart.heading") }));
    for (const m of months) data.append(el("tr", null, el("th", { scope: "row", text: m.month }), el("td", { text: String(m.n) })));
    fig.append(data);
  }

  async function loadSummary() {
    const s = await api("summary");
    const c = s.counts;
    const counts = $("counts");
    counts.replaceChildren();
    for (const [key, n] of [["tab.state.active", c.active], ["tab.state.ending90", c.ending_within_90],
      ["tab.state.upcoming", c.upcoming], ["tab.state.expired", c.expired], ["tab.state.revoked", c.revoked]]) {
      counts.append(el("li", null, el("span", { class: "n", text: String(n) }), el("span", { text: t(key) })));
    }
    chart(s.months);
    table("departments", [t("tab.col.department"), t("tab.col.count")], s.departments.map((d) => [d.key || "–", d.n]), [1]);
    table("agencies", [t("tab.col.agency"), t("tab.col.count")], s.agencies.map((a) => [a.label, a.n]), [1]);
    table("tasks", [t("tab.col.what"), t("tab.col.person"), t("tab.col.theme"), t("tab.tasks.age")],
      s.tasks.map((k) => [t("tab.task." + k.kind), personLink(k.person_id, k.person_name), k.theme || "",
        t("tab.days", { n: k.age_days })]), [3]);
  }

  function filterQuery() {
    const q = {};
    for (const [k, v] of new FormData($("filters"))) if (v) q[k] = v;
    return q;
  }

  async function loadRegister(more) {
    const q = filterQuery();
    if (more && cursor) {
      q.after_name = cursor.name;
      q.after_id = String(cursor.id);
    }
    const page = await api("register", q);
    const rows = page.items.map((m) => [personLink(m.holder_id, m.holder_name), m.department, m.theme, m.agency,
      m.valid_from, until(m), stateLabel(m.state)]);
    const head = [t("tab.col.person"), t("tab.col.department"), t("tab.col.theme"), t("tab.col.agency"),
      t("tab.col.from"), t("tab.col.until"), t("tab.col.state")];
    if (!more) {
      shown = 0;
      table("register", head, rows);
      if (rows.length === 0) $("register").querySelector("tbody td").textContent = t("tab.register.none");
    } else {
      const body = $("register").querySelector("tbody");
      for (const r of rows) {
        const tr = el("tr");
        for (const c of r) tr.append(el("td", null, c instanceof Node ? c : document.createTextNode(String(c))));
        body.append(tr);
      }
    }
    shown += page.items.length;
    $("shown").textContent = t("tab.register.shown", { n: shown });
    cursor = page.next || null;
    $("more").hidden = !cursor;
  }

  async function showPerson(id) {
    const p = await api("person/" + encodeURIComponent(id));
    $("dashboard").hidden = true;
    $("person").hidden = false;
    $("person-name").textContent = p.person.name || p.person.id;
    $("person-info").textContent = [p.person.job_title, p.person.department].filter(Boolean).join(" · ");
    table("p-mandates", [t("tab.col.theme"), t("tab.col.agency"), t("tab.col.from"), t("tab.col.until"), t("tab.col.state")],
      p.mandates.map((m) => [m.theme, m.agency, m.valid_from, until(m), stateLabel(m.state)]));
    table("p-requests", [t("tab.col.request"), t("tab.col.theme"), t("tab.col.filed"), t("tab.col.state")],
      p.requests.map((r) => [r.ref, (r.themes || []).join(", "), r.filed, t("tab.request." + r.state)]));
    table("p-history", [t("tab.col.when"), t("tab.col.who"), t("tab.col.what")],
      p.history.map((e) => [e.at, e.who, e.what]));
    $("person-name").setAttribute("tabindex", "-1");
    $("person-name").focus();
  }

  // The management model: fetched with the token, shown in a sandboxed frame (no script runs in it). Its links
  // to other sites open in a new window; its table of contents moves within the frame.
  async function showHandbook() {
    $("dashboard").hidden = true;
    $("person").hidden = true;
    $("status").hidden = true;
    $("handbook").hidden = false;
    const frame = $("handbook-frame");
    if (!frame.srcdoc) {
      const doc = new DOMParser().parseFromString(await (await call("handbook")).text(), "text/html");
      for (const a of doc.querySelectorAll("a[href]")) {
        const href = a.getAttribute("href");
        if (href.startsWith("#")) {
          a.setAttribute("href", "about:srcdoc" + href);
        } else {
          a.target = "_blank";
          a.rel = "noopener noreferrer";
        }
      }
      frame.srcdoc = "<!DOCTYPE html>\n" + doc.documentElement.outerHTML;
    }
    $("handbook-heading").focus();
  }

  async function route() {
    const fromHandbook = !$("handbook").hidden;
    try {
      const m = location.hash.match(/^#person\/(.+)$/);
      if (location.hash === "#handbook") {
        await showHandbook();
      } else if (startError) {
        fail(startError);
      } else if (m) {
        $("handbook").hidden = true;
        await showPerson(decodeURIComponent(m[1]));
      } else {
        $("handbook").hidden = true;
        $("person").hidden = true;
        $("status").hidden = true;
        $("dashboard").hidden = false;
      }
      if (fromHandbook && $("handbook").hidden) $("handbook-link").focus();
    } catch (err) {
      fail(err);
    }
  }

  async function start() {
    try {
      if (mode === "teams") {
        await microsoftTeams.app.initialize();
        const ctx = await microsoftTeams.app.getContext();
        locale = locale || (ctx.app && ctx.app.locale) || "";
      }
      if (mode === "local" && params.get("as") && $("as")) $("as").value = params.get("as");
      window.addEventListener("hashchange", route);
      try {
        me = await api("me");
      } catch (err) {
        if (err.code !== "no_role") throw err;
        startError = err; // no dashboard for them, but the management model is everyone's
        await route();
        document.body.dataset.ready = "true";
        return;
      }
      texts = me.texts;
      setTexts();
      $("status").hidden = true;
      await loadSummary();
      await loadRegister(false);
      $("filters").addEventListener("submit", (e) => {
        e.preventDefault();
        loadRegister(false).catch(fail);
      });
      $("filters").addEventListener("reset", () => setTimeout(() => loadRegister(false).catch(fail), 0));
      $("more").addEventListener("click", () => loadRegister(true).catch(fail));
      await route();
      document.body.dataset.ready = "true";
    } catch (err) {
      fail(err);
      document.body.dataset.ready = "error";
    }
  }

  start();
})();
