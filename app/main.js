// Lectern's Mini App: the learner's dashboard, the lecturer's class dashboards and deck editor.
// Data comes from /app/api/* (Authorization: tma <initData>); charts are drawn with uPlot (bundled)
// and, for the calendar and the student × week grid, as plain SVG/HTML. Every text from the API is
// set as textContent (never parsed as HTML).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { applyTheme, webApp } from "./telegram.js";

const started = performance.now();
let firstChart = false;
const state = { wa: null, me: null, tab: "me" };

// ---- small DOM helpers ----------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const main = () => document.getElementById("main");
const pct = (ok, of) => (of > 0 ? `${Math.round((100 * ok) / of)}%` : "—");
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const css = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
  m.scrollTop = 0;
}

function message(text, kind = "info") {
  return h("p", { class: `note ${kind}`, "data-testid": kind === "error" ? "error" : "note" }, text);
}

// ---- the API --------------------------------------------------------------------------------

async function api(path, options = {}) {
  const res = await fetch(new URL(`api/${path}`, location.href), {
    ...options,
    headers: { authorization: `tma ${state.wa.initData}`, ...(options.body ? { "content-type": "application/json" } : {}) },
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    json = { ok: false, error: `the server answered ${res.status}` };
  }
  return { status: res.status, json };
}

// ---- charts ---------------------------------------------------------------------------------

function chartMarked() {
  if (firstChart) return;
  firstChart = true;
  // Milliseconds since the navigation started (performance.now()'s origin), and since this script ran.
  document.documentElement.dataset.firstChartMs = String(Math.round(performance.now()));
  document.documentElement.dataset.firstChartScriptMs = String(Math.round(performance.now() - started));
}

function plotWidth(el) {
  return Math.max(240, Math.floor((el.clientWidth || main().clientWidth || 360) - 4));
}

const dayMs = 86_400_000;
const isoToSec = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;

function axes(xValues, xSplits) {
  const text = css("--tg-theme-hint-color", "#888");
  const grid = css("--grid-color", "rgba(128,128,128,0.2)");
  return [
    { stroke: text, grid: { show: false }, ticks: { stroke: grid }, ...(xValues ? { values: xValues } : {}), ...(xSplits ? { splits: () => xSplits } : {}) },
    { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, size: 36 },
  ];
}

/** One series plotted in `el` (the theme's button colour, no legend or cursor), marked drawn for the tests. */
function plot(el, xs, ys, opts, scales, axesOpts, series) {
  const u = new uPlot(
    { width: plotWidth(el), height: opts.height || 150, legend: { show: false }, cursor: { show: false }, scales, axes: axesOpts, series: [{}, { label: opts.label, ...series }] },
    [xs, ys],
    el,
  );
  chartMarked();
  return u;
}

function barChart(el, xs, ys, opts) {
  const color = css("--tg-theme-button-color", "#2481cc");
  const pad = opts.time ? dayMs / 2000 : 0.5;
  return plot(el, xs, ys, opts,
    { x: { time: !!opts.time, range: (_u, min, max) => [min - pad, max + pad] }, y: { range: (_u, _min, max) => [0, Math.max(opts.minMax || 1, max)] } },
    axes(opts.xValues, opts.time ? undefined : xs),
    { fill: color, stroke: color, paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } });
}

function lineChart(el, xs, ys, opts) {
  const color = css("--tg-theme-button-color", "#2481cc");
  return plot(el, xs, ys, opts, { x: { time: true }, y: { range: [0, 100] } }, axes(),
    { stroke: color, width: 2, points: { show: true, size: 6, fill: color }, spanGaps: false });
}

/** A year of days as a calendar (weeks as columns, Monday on top), darker = more cards reviewed. */
function heatmap(data) {
  const byDate = new Map(data.days.map((d) => [d.date, d.reviewed + d.quiz]));
  const start = Date.parse(`${data.from}T00:00:00Z`), end = Date.parse(`${data.to}T00:00:00Z`);
  const firstWeekday = (new Date(start).getUTCDay() + 6) % 7; // Monday = 0
  const counts = [...byDate.values()].filter((n) => n > 0).sort((a, b) => a - b);
  const q = (f) => counts[Math.min(counts.length - 1, Math.floor(f * counts.length))] || 1;
  const steps = [q(0.25), q(0.5), q(0.75)];
  const level = (n) => (n <= 0 ? 0 : n <= steps[0] ? 1 : n <= steps[1] ? 2 : n <= steps[2] ? 3 : 4);
  const cell = 6, gap = 1;
  const days = Math.round((end - start) / dayMs) + 1;
  const weeks = Math.ceil((days + firstWeekday) / 7);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${weeks * (cell + gap)} ${7 * (cell + gap)}`);
  svg.setAttribute("class", "heatmap");
  svg.setAttribute("data-testid", "heatmap");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Cards reviewed per day from ${data.from} to ${data.to}`);
  let active = 0;
  for (let i = 0; i < days; i++) {
    const date = new Date(start + i * dayMs).toISOString().slice(0, 10);
    const n = byDate.get(date) || 0;
    if (n > 0) active++;
    const k = i + firstWeekday;
    const r = document.createElementNS(ns, "rect");
    r.setAttribute("x", String(Math.floor(k / 7) * (cell + gap)));
    r.setAttribute("y", String((k % 7) * (cell + gap)));
    r.setAttribute("width", String(cell));
    r.setAttribute("height", String(cell));
    r.setAttribute("rx", "1");
    r.setAttribute("class", `l${level(n)}`);
    const t = document.createElementNS(ns, "title");
    t.textContent = `${date}: ${plural(n, "card")}`;
    r.append(t);
    svg.append(r);
  }
  chartMarked();
  return h("div", { class: "heat-wrap" }, svg, h("p", { class: "hint" }, `${plural(active, "active day")} · less `, legend(), " more"));
}

function legend() {
  return h("span", { class: "legend" }, ...[0, 1, 2, 3, 4].map((l) => h("i", { class: `l${l}` })));
}

function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

function chartBox(testid) {
  return h("div", { class: "chart", "data-testid": testid });
}

// ---- the learner ----------------------------------------------------------------------------

function renderMe(me) {
  const t = me.today;
  const kpis = h(
    "div",
    { class: "kpis" },
    h("div", { class: "kpi", "data-testid": "kpi-reviewed" }, h("b", {}, String(t.reviewed)), h("span", {}, "cards today")),
    h("div", { class: "kpi" }, h("b", {}, `${me.streak.days}${me.streak.days >= 3 ? " 🔥" : ""}`), h("span", {}, me.streak.days === 1 ? "day streak" : "days streak")),
    h("div", { class: "kpi" }, h("b", {}, t.quizAnswered ? `${t.quizCorrect}/${t.quizAnswered}` : "—"), h("span", {}, "quiz today")),
    h("div", { class: "kpi" }, h("b", {}, pct(me.retention.month.ok, me.retention.month.of)), h("span", {}, "kept, 30 d")),
  );
  const forecastEl = chartBox("forecast-chart");
  const retentionEl = chartBox("retention-chart");
  const decks = me.decks.length
    ? h(
        "ul",
        { class: "decks" },
        me.decks.map((d) =>
          h(
            "li",
            {},
            h("div", { class: "row" }, h("span", { class: "title" }, d.title), h("span", { class: "hint" }, `${d.seen}/${d.total} seen`)),
            h("div", { class: "bar" }, h("i", { style: `width:${d.total ? (100 * d.seen) / d.total : 0}%` }), h("i", { class: "mature", style: `width:${d.total ? (100 * d.mature) / d.total : 0}%` })),
            h("p", { class: "hint" }, `new ${d.new} · learning ${d.learning} · young ${d.young} · mature ${d.mature}${d.suspended ? ` · suspended ${d.suspended}` : ""}`),
          ),
        ),
      )
    : message("No decks yet — pick one with /decks in the chat.");
  const leeches = me.leeches.length
    ? h("ol", { class: "leeches" }, me.leeches.map((l) => h("li", {}, h("span", {}, l.front), h("span", { class: "hint" }, ` — ${l.deck}, ${plural(l.lapses, "lapse")}`))))
    : h("p", { class: "hint" }, "No leeches: no card failed 8 times.");
  show(
    h("h1", {}, "Your progress"),
    kpis,
    section("A year of reviews", heatmap(me.heatmap)),
    section("Due in the next 30 days", forecastEl),
    section(
      "Retention per week",
      h("p", { class: "hint" }, me.retention.weeks.some((w) => w.all.of > 0) ? "Share of reviews not graded Again." : "Share of reviews not graded Again — none yet: reviews start the day after a card's first grade."),
      retentionEl,
    ),
    section("Decks", decks),
    section("Leeches", leeches),
  );
  const fx = me.forecast.map((f) => isoToSec(f.date));
  barChart(forecastEl, fx, me.forecast.map((f) => f.count), { time: true, label: "due" });
  const weeks = me.retention.weeks;
  lineChart(retentionEl, weeks.map((w) => isoToSec(w.to)), weeks.map((w) => (w.all.of ? Math.round((100 * w.all.ok) / w.all.of) : null)), { label: "retention %" });
}

// ---- the lecturer: classes ------------------------------------------------------------------

async function renderClasses() {
  show(message("Loading your classes…"));
  const r = await api("classes");
  if (r.status !== 200) return show(message(r.json.error || "Could not load your classes.", "error"));
  const list = r.json.classes;
  if (!list.length) return show(h("h1", {}, "Your classes"), message("No classes yet — create one with /newclass in the chat."));
  show(
    h("h1", {}, "Your classes"),
    h(
      "ul",
      { class: "list" },
      list.map((c) => h("li", {}, h("button", { class: "link", "data-testid": "class-link", onclick: () => renderClass(c.code) }, c.name, c.closed ? " (closed)" : ""))),
    ),
  );
}

async function renderClass(code) {
  show(message("Loading the class…"));
  const r = await api(`classes/${encodeURIComponent(code)}`);
  if (r.status !== 200) return show(message(r.json.error || "Could not load the class.", "error"));
  const { class: cls, dashboard: d } = r.json;
  const back = h("button", { class: "back", onclick: renderClasses }, "‹ Classes");
  if (!d) return show(back, h("h1", {}, cls.name), message(r.json.note || "No figures yet."));
  const when = new Date(d.at);
  const maxCell = Math.max(1, ...d.students.flatMap((s) => s.weeks));
  const weekHead = Array.from({ length: d.weeks }, (_, k) => d.weeks - 1 - k).map((k) => (k === 0 ? "now" : `−${k}w`));
  const grid = d.students.length
    ? h(
        "div",
        { class: "grid-wrap" },
        h(
          "table",
          { class: "grid", "data-testid": "activity-grid" },
          h("thead", {}, h("tr", {}, h("th", {}, "Student"), weekHead.map((w) => h("th", {}, w)))),
          h(
            "tbody",
            {},
            d.students.map((s) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, s.name),
                [...s.weeks].reverse().map((n) => h("td", { style: `--a:${n ? 0.18 + (0.82 * n) / maxCell : 0}`, title: plural(n, "card") }, n ? String(n) : "")),
              ),
            ),
          ),
        ),
        h("p", { class: "hint" }, "Cards of the class's decks last reviewed in each week."),
      )
    : message("No students yet — share the class's join link.");
  const table = d.students.length
    ? h(
        "table",
        { class: "students", "data-testid": "students" },
        h("thead", {}, h("tr", {}, h("th", {}, "Student"), h("th", {}, "7 d"), h("th", {}, "due"), h("th", {}, "Good/Easy"), h("th", {}, "last active"))),
        h(
          "tbody",
          {},
          d.students.map((s) =>
            h(
              "tr",
              { class: s.due > 20 || !s.lastActive ? "behind" : "" },
              h("th", { scope: "row" }, s.name),
              h("td", {}, String(s.reviews7)),
              h("td", {}, String(s.due)),
              h("td", {}, pct(s.good30, s.graded30)),
              h("td", {}, s.lastActive ? s.lastActive.slice(5) : "—"),
            ),
          ),
        ),
      )
    : null;
  const hardEl = chartBox("hardest-chart");
  const hardest = d.hardest.length
    ? [hardEl, h("ol", { class: "hardest" }, d.hardest.map((c) => h("li", {}, h("span", {}, c.front), h("span", { class: "hint" }, ` — ${c.lapses} of ${c.reviews} reviews failed`))))]
    : [h("p", { class: "hint" }, "Not enough reviews yet (a card needs 3).")];
  const decks = d.decks.length
    ? h(
        "ul",
        { class: "decks" },
        d.decks.map((k) => {
          const share = d.students.length && k.cards ? k.seen / (k.cards * d.students.length) : 0;
          return h(
            "li",
            {},
            h("div", { class: "row" }, h("span", { class: "title" }, k.title), h("span", { class: "hint" }, `${Math.round(100 * share)}% seen`)),
            h("div", { class: "bar" }, h("i", { style: `width:${100 * share}%` })),
            h("p", { class: "hint" }, `${k.started} of ${plural(d.students.length, "student")} started · ${plural(k.cards, "card")}`),
          );
        }),
      )
    : h("p", { class: "hint" }, "No decks pushed yet — /push <deck> <class> in the chat.");
  show(
    back,
    h("h1", {}, cls.name),
    h("p", { class: "hint" }, `${plural(d.students.length, "student")} · figures of ${when.toISOString().slice(0, 16).replace("T", " ")} UTC${d.complete ? "" : " (incomplete)"} · /classstats refreshes them`),
    section("Activity per week", grid),
    section("Students", table || message("No students yet.")),
    section("Hardest cards", ...hardest),
    section("Decks", decks),
  );
  if (d.hardest.length) {
    barChart(hardEl, d.hardest.map((_, i) => i + 1), d.hardest.map((c) => Math.round((100 * c.lapses) / Math.max(1, c.reviews))), {
      label: "% failed",
      minMax: 100,
      height: 140,
      xValues: (_u, vals) => vals.map((v) => `#${v}`),
    });
  }
}

// ---- the lecturer: deck editor --------------------------------------------------------------

async function renderDecks() {
  show(message("Loading your decks…"));
  const r = await api("decks");
  if (r.status !== 200) return show(message(r.json.error || "Could not load your decks.", "error"));
  const list = r.json.decks;
  if (!list.length) return show(h("h1", {}, "Your decks"), message("No decks yet — send a deck file in the chat to upload one."));
  show(
    h("h1", {}, "Your decks"),
    h("ul", { class: "list" }, list.map((d) => h("li", {}, h("button", { class: "link", "data-testid": "deck-link", onclick: () => editDeck(d.id) }, d.title), h("span", { class: "hint" }, ` ${plural(d.cards, "card")}`)))),
  );
}

const newCardId = () => `card-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

async function editDeck(id) {
  show(message("Loading the deck…"));
  const r = await api(`decks/${encodeURIComponent(id)}`);
  if (r.status !== 200) return show(message(r.json.error || "Could not load the deck.", "error"));
  const deck = r.json.deck;
  let dirty = false;
  const status = h("div", { class: "status", "data-testid": "save-status", "aria-live": "polite" });
  const list = h("ol", { class: "cards" });
  const saveBtn = h("button", { class: "primary", "data-testid": "save-deck", onclick: save }, "Save deck");

  function redraw() {
    list.replaceChildren(
      ...deck.cards.map((c, i) =>
        h(
          "li",
          { "data-testid": "card-row" },
          h("div", { class: "front" }, c.front),
          h("div", { class: "hint" }, c.back),
          h("div", { class: "actions" }, h("button", { "data-testid": "edit-card", onclick: () => form(i) }, "Edit"), h("button", { class: "danger", onclick: () => remove(i) }, "Delete")),
        ),
      ),
    );
    saveBtn.disabled = !dirty;
  }

  function remove(i) {
    deck.cards.splice(i, 1);
    dirty = true;
    status.replaceChildren(message(`Card deleted — save the deck to keep the change.`));
    redraw();
  }

  function form(i) {
    const card = i === undefined ? { id: newCardId(), front: "", back: "" } : deck.cards[i];
    const field = (name, label, value, rows) =>
      h("label", {}, label, h("textarea", { name, rows: String(rows), "data-testid": `field-${name}`, maxlength: name === "quote" ? "1500" : "1000" }, value || ""));
    const f = h(
      "form",
      { class: "editor", "data-testid": "card-form" },
      h("h2", {}, i === undefined ? "New card" : "Edit card"),
      field("front", "Front (question; cloze: {{c1::answer}})", card.front, 3),
      field("back", "Back (answer)", card.back, 2),
      field("distractors", "Wrong options for quizzes, one per line (none, or 3 to 11)", (card.distractors || []).join("\n"), 3),
      field("quote", "Quote from the source (optional)", card.quote, 3),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-testid": "save-card" }, "Done"), h("button", { type: "button", onclick: () => editorView() }, "Cancel")),
    );
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData(f);
      const next = { ...card, front: String(data.get("front")).trim(), back: String(data.get("back")).trim() };
      const distractors = String(data.get("distractors")).split("\n").map((s) => s.trim()).filter(Boolean);
      if (distractors.length) next.distractors = distractors;
      else delete next.distractors;
      const quote = String(data.get("quote")).trim();
      if (quote) next.quote = quote;
      else delete next.quote;
      if (i === undefined) deck.cards.push(next);
      else deck.cards[i] = next;
      dirty = true;
      editorView();
      status.replaceChildren(message("Card changed — save the deck to publish it to your learners."));
    });
    show(f);
    f.querySelector("textarea").focus();
  }

  async function save() {
    saveBtn.disabled = true;
    status.replaceChildren(message("Saving…"));
    const r = await api(`decks/${encodeURIComponent(deck.id)}`, { method: "PUT", body: JSON.stringify(deck) });
    if (r.status === 200 || r.status === 201) {
      dirty = false;
      status.replaceChildren(message(`Saved: ${plural(r.json.deck.cards, "card")}; learners keep their progress on ${plural(r.json.kept_progress_cards, "unchanged card")}.`, "ok"));
      state.wa.HapticFeedback?.notificationOccurred?.("success");
    } else {
      const problems = r.json.problems || [{ message: r.json.error || `the server answered ${r.status}` }];
      status.replaceChildren(
        message("Not saved — fix these and save again:", "error"),
        h("ul", { class: "problems" }, problems.slice(0, 20).map((p) => h("li", {}, p.where ? `${p.where}: ` : "", p.message))),
      );
      saveBtn.disabled = false;
    }
  }

  function editorView() {
    show(
      h("button", { class: "back", onclick: renderDecks }, "‹ Decks"),
      h("h1", {}, deck.title),
      h("p", { class: "hint" }, `${plural(deck.cards.length, "card")} · id ${deck.id}`),
      h("div", { class: "actions sticky" }, saveBtn, h("button", { "data-testid": "add-card", onclick: () => form(undefined) }, "Add card")),
      status,
      list,
    );
    redraw();
  }
  editorView();
}

// ---- start ----------------------------------------------------------------------------------

function tabs() {
  const items = [["me", "My progress"]];
  if (state.me && state.me.user.lecturer) items.push(["classes", "Classes"], ["decks", "Decks"]);
  const nav = document.getElementById("tabs");
  nav.replaceChildren(
    ...items.map(([id, label]) =>
      h("button", { role: "tab", "aria-selected": String(state.tab === id), "data-testid": `tab-${id}`, onclick: () => go(id) }, label),
    ),
  );
  nav.hidden = items.length < 2;
}

function go(tab, arg) {
  state.tab = tab;
  tabs();
  if (tab === "me") renderMe(state.me);
  else if (tab === "classes") (arg ? renderClass(arg) : renderClasses());
  else if (tab === "decks") (arg ? editDeck(arg) : renderDecks());
}

async function start() {
  let wa = null;
  try {
    wa = await webApp();
  } catch (err) {
    console.warn(String(err));
  }
  applyTheme(wa);
  if (!wa || !wa.initData) {
    show(h("h1", {}, "Lectern"), message("Open this page from the Lectern bot in Telegram: /stats → 📈 Open dashboard, or the menu button."));
    return;
  }
  state.wa = wa;
  wa.ready();
  wa.expand();
  wa.onEvent?.("themeChanged", () => applyTheme(wa));
  const r = await api("me");
  if (r.status !== 200) return show(message(r.json.error || "Could not load your dashboard.", "error"));
  state.me = r.json;
  const params = new URLSearchParams(location.search);
  const cls = params.get("class");
  const view = params.get("view");
  if (cls && /^[A-Za-z0-9_-]{12}$/.test(cls) && state.me.user.lecturer) go("classes", cls);
  else if (view === "decks" && state.me.user.lecturer) go("decks");
  else go("me");
}

start().catch((err) => {
  console.error(err);
  show(message(`Something went wrong: ${err && err.message ? err.message : err}`, "error"));
});
