// akswin designer: the editor, and what the server's analysis says about its text.
// No framework, no build step; every request goes to this server with the run's token.
"use strict";

const token = document.querySelector('meta[name="akswin-token"]').content;
const $ = (id) => document.getElementById(id);
let timer = null;
let generation = 0;

async function api(path, body) {
  const init = { headers: { "X-Akswin-Token": token } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  if (!r.ok) throw new Error(`${r.status}: ${(await r.text()).trim()}`);
  return r.json();
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// akswin counts columns in characters (Unicode scalar values); a textarea counts UTF-16 units.
function offsetOf(text, line, col) {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  const chars = Array.from(lines[line - 1] || "");
  return offset + chars.slice(0, Math.max(col - 1, 0)).join("").length;
}

function reveal(span) {
  const area = $("spec");
  const start = offsetOf(area.value, span.line, span.col);
  const end = span.endLine === span.line
    ? offsetOf(area.value, span.endLine, span.endCol)
    : start;
  area.focus();
  area.setSelectionRange(start, Math.max(end, start));
  // scroll the line into view
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
  area.scrollTop = Math.max(0, (span.line - 5) * lineHeight);
}

function showFindings(a) {
  const list = $("findings");
  list.replaceChildren();
  const c = a.counts;
  $("counts").textContent = `(${c.errors} errors, ${c.warnings} warnings, ${c.infos} infos)`;
  for (const f of a.findings) {
    const where = f.span ? `${f.span.line}:${f.span.col}` : f.pointer || "";
    const b = el("button", { type: "button" },
      el("span", { class: "where" }, where), " ",
      el("span", { class: "code" }, f.code), " ",
      f.message,
      f.help ? el("span", { class: "help" }, "help: " + f.help) : "");
    if (f.span) b.addEventListener("click", () => reveal(f.span));
    list.append(el("li", { class: f.severity }, b));
  }
}

function showTopology(svgText) {
  const box = $("topology");
  box.replaceChildren();
  if (!svgText) return;
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  if (doc.querySelector("parsererror")) return;
  box.append(document.importNode(doc.documentElement, true));
}

function table(head, rows) {
  return el("table", {},
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, String(c ?? "")))))));
}

function details(title, value) {
  return el("details", {}, el("summary", {}, title), el("pre", {}, JSON.stringify(value, null, 2)));
}

function showPlan(a) {
  const box = $("plan");
  box.replaceChildren();
  if (!a.loaded) return;
  const rows = [];
  for (const v of (a.network && a.network.vnets) || []) {
    for (const s of v.subnets || []) {
      const d = s.demand || {};
      const h = s.headroom || {};
      rows.push([v.name, s.key, s.prefix || "not placed", s.usable,
        `${d.atMin ?? ""} / ${d.atMax ?? ""} / ${d.atMaxSurge ?? ""}`,
        h.atMaxSurge ?? ""]);
    }
  }
  box.append(el("h3", {}, "Subnets"), table(["network", "subnet", "prefix", "usable", "addresses needed (min / max / max + surge)", "headroom at max + surge"], rows));
  if (a.cost && a.cost.totalMonthly !== undefined) {
    box.append(el("p", {}, `Monthly cost: ${Number(a.cost.totalMonthly).toFixed(2)} ${a.cost.currency || ""}`));
  }
  box.append(details("Cost", a.cost), details("Scale-out", a.scaleOut),
    details("Upgrade calendar", a.upgradeCalendar), details("Hot spare", a.hotSpare));
}

async function analyse() {
  const mine = ++generation;
  $("status").textContent = "checking…";
  try {
    const a = await api("/api/analyse", { text: $("spec").value });
    if (mine !== generation) return; // a newer edit is on its way
    showFindings(a);
    showTopology(a.topologySvg);
    showPlan(a);
    $("status").textContent = a.counts.errors ? "errors: render is refused" : "checked";
  } catch (e) {
    if (mine === generation) $("status").textContent = `not checked: ${e.message}`;
  }
}

function cursor() {
  const area = $("spec");
  const before = area.value.slice(0, area.selectionStart).split("\n");
  $("cursor").textContent = `${before.length}:${Array.from(before[before.length - 1]).length + 1}`;
}

async function save() {
  try {
    await api("/api/save", { text: $("spec").value });
    $("status").textContent = "saved";
  } catch (e) {
    $("status").textContent = `not saved: ${e.message}`;
  }
}

async function download() {
  $("status").textContent = "rendering…";
  try {
    const r = await fetch("/api/render", {
      method: "POST",
      headers: { "X-Akswin-Token": token, "Content-Type": "application/json" },
      body: JSON.stringify({ text: $("spec").value }),
    });
    if (!r.ok) throw new Error((await r.text()).trim());
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: "akswin-render.zip" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $("status").textContent = "rendered: akswin-render.zip";
  } catch (e) {
    $("status").textContent = `not rendered: ${e.message}`;
  }
}

async function start() {
  $("download").addEventListener("click", download);
  try {
    const s = await api("/api/spec");
    $("file").textContent = s.name;
    $("spec").value = s.text;
    if (s.writable) {
      $("save").hidden = false;
      $("save").addEventListener("click", save);
    }
    const area = $("spec");
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(analyse, 400);
    });
    area.addEventListener("keyup", cursor);
    area.addEventListener("click", cursor);
    document.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "s" && s.writable) {
        e.preventDefault();
        save();
      }
    });
    analyse();
  } catch (e) {
    $("status").textContent = `cannot load the spec: ${e.message}`;
  }
}

start();
