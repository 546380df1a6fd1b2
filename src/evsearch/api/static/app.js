// evsearch search page: plain JS over the JSON API, no build step.
// All text from the server goes into the page through textContent / text
// nodes, never innerHTML, so report text and queries cannot inject markup.
"use strict";

const PAGE = 10;
const $ = (id) => document.getElementById(id);
const reports = new Map(); // report_id -> metadata, for citations
let lastQuery = null;
let offset = 0;

// el, getJSON and setStatus come from common.js, shared with the other pages.

function addOptions(select, items) {
  for (const { value, label } of items) select.append(el("option", { value }, label));
}

function reportYear(meta) {
  for (const key of ["inspection_start", "inspection_end", "published", "year"]) {
    if (meta && meta[key]) return String(meta[key]).slice(0, 4);
  }
  return "";
}

function reportLabel(reportId) {
  const meta = reports.get(reportId) || {};
  if (meta.local_authority) return `${meta.local_authority} ${reportYear(meta)} report`.replace("  ", " ");
  return meta.title || reportId;
}

function gradeText(hit) {
  if (hit.grade == null && !hit.grade_label) return "";
  if (hit.grade == null) return hit.grade_label;
  return hit.grade_label ? `grade ${hit.grade} ${hit.grade_label}` : `grade ${hit.grade}`;
}

// Character ranges to <mark>: highlights may be sentences (strings), [start, end] pairs or {start, end}/{text}.
function markRanges(text, highlights) {
  const ranges = [];
  for (const h of highlights || []) {
    let s = null, e = null;
    if (typeof h === "string") {
      s = text.indexOf(h); e = s + h.length;
    } else if (Array.isArray(h) && h.length === 2) {
      [s, e] = h;
    } else if (h && typeof h === "object") {
      if (Number.isInteger(h.start) && Number.isInteger(h.end)) { s = h.start; e = h.end; }
      else if (typeof h.text === "string") { s = text.indexOf(h.text); e = s + h.text.length; }
    }
    if (Number.isInteger(s) && s >= 0 && e > s && e <= text.length) ranges.push([s, e]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function highlighted(text, highlights) {
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const [s, e] of markRanges(text, highlights)) {
    frag.append(document.createTextNode(text.slice(at, s)), el("mark", {}, text.slice(s, e)));
    at = e;
  }
  frag.append(document.createTextNode(text.slice(at)));
  return frag;
}

function contextHash(hit) {
  return `#/reports/${encodeURIComponent(hit.report_id)}/paragraphs/${hit.number}`;
}

// The report reader's anchor for a hit: #p-<number> for numbered paragraphs, #s-<seq> otherwise.
function readerHref(hit) {
  const anchor = hit.number != null ? `p-${hit.number}` : `s-${hit.seq}`;
  return `/reports/${encodeURIComponent(hit.report_id)}#${anchor}`;
}

// The hits on the page as CSV (RFC 4180 quoting), built from the same JSON the list shows.
const CSV_COLUMNS = ["rank", "citation", "report_id", "local_authority", "year", "number", "part", "section", "grade", "grade_label", "score", "text"];
let shownHits = [];

// A cell starting with one of these would run as a spreadsheet formula (OWASP "CSV injection"): it gets a
// leading quote. The same set as search/grades.py FORMULA_STARTS (a test keeps the two equal).
const FORMULA_STARTS = "=+-@\t\r";

function csvCell(v) {
  let s = v == null ? "" : String(v);
  if (s && FORMULA_STARTS.includes(s[0])) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function resultsCsv() {
  const lines = [CSV_COLUMNS.join(",")];
  shownHits.forEach((hit, i) => lines.push(CSV_COLUMNS.map((c) => csvCell(c === "rank" ? i + 1 : hit[c])).join(",")));
  return lines.join("\r\n") + "\r\n";
}

function downloadCsv() {
  const link = el("a", { href: URL.createObjectURL(new Blob([resultsCsv()], { type: "text/csv" })), download: "evsearch-results.csv" });
  document.body.append(link);
  link.click();
  link.remove();
}

function renderHit(hit) {
  const place = hit.number != null ? `paragraph ${hit.number}` : `passage ${hit.seq}`;
  const details = [hit.part, hit.section, gradeText(hit)].filter(Boolean).join(", ");
  const citeText = hit.citation || `${reportLabel(hit.report_id)}, ${place}${details ? ` (${details})` : ""}`;
  const cite = el("p", { class: "citation" });
  if (hit.number != null) cite.append(el("a", { href: contextHash(hit), class: "context-link" }, citeText));
  else cite.append(citeText);
  const badge = hit.grade != null ? el("span", { class: `grade grade-${hit.grade}` }, hit.grade_label || `grade ${hit.grade}`) : "";
  const reader = el("a", { href: readerHref(hit), class: "reader-link" }, "read in report");
  return el("li", { class: "hit", "data-report": hit.report_id, "data-grade": hit.grade ?? "" },
    el("div", { class: "hit-head" }, cite, badge, reader), el("p", { class: "text" }, highlighted(hit.text || "", hit.highlights)));
}

// Counts over the whole ranked pool (GET /search facets=...): each value is a link that applies it as a filter.
const FACETS = { grade: "Grade", la: "Local authority", year: "Year", framework: "Framework" };

function renderFacets(facets) {
  const box = $("facets");
  box.replaceChildren();
  $("facets-box").hidden = !facets;
  for (const [name, title] of Object.entries(FACETS)) {
    const counts = (facets || {})[name] || [];
    if (!counts.length) continue;
    const items = counts.map((c) => {
      const filter = name in { grade: 1, la: 1, year: 1 } && c.value != null && $(name);
      const label = `${c.label} (${c.count})`;
      const item = el("li", { "data-value": c.value ?? "", "data-count": String(c.count) });
      if (filter) {
        const link = el("a", { href: "#" }, label);
        link.addEventListener("click", (ev) => { ev.preventDefault(); $(name).value = String(c.value); userChose($(name)); search(false); });
        item.append(link);
      } else item.append(label);
      return item;
    });
    box.append(el("div", { class: "facet", "data-facet": name }, el("strong", {}, title), el("ul", {}, ...items)));
  }
}

const CHOSEN = ["grade", "theme", "la", "year", "group_by"]; // controls whose value is sent when the user set it

function params() {
  const p = new URLSearchParams({ q: $("q").value.trim(), k: PAGE, offset });
  for (const name of CHOSEN) if ($(name).value && !fromQuery($(name))) p.set(name, $(name).value);
  ignoreParams(p);
  return p;
}

// How many matched, as honestly as the response knows it: exact, "about N" (an estimate), or only what is shown.
function countText(body, shown) {
  const plural = (n) => `${n} result${n === 1 ? "" : "s"}`;
  if (body.total == null) return `the first ${plural(shown)}`;
  const total = body.total_is_estimate ? `about ${plural(body.total)}` : plural(body.total);
  return shown < body.total ? `${total}, ${shown} shown,` : total;
}

function groupTitle(body, group) {
  const name = body.group_by === "grade" ? `grade ${group.value} ${group.label}` : group.label;
  const count = group.total_is_estimate ? `about ${group.total}` : `${group.total}`;
  return `${name}: ${count} matching`;
}

function renderGroups(body) {
  for (const group of body.groups) {
    const hits = el("ol", { class: "group-hits" }, ...group.hits.map(renderHit));
    $("results").append(el("li", { class: "group", "data-group": String(group.value) }, el("h2", {}, groupTitle(body, group)), hits));
    shownHits.push(...group.hits);
  }
}

async function search(append) {
  const q = $("q").value.trim();
  if (!q) { setStatus("Type what you are looking for."); return; }
  if (!append) offset = 0;
  const p = params();
  history.replaceState(null, "", `/?${p}`);
  setStatus("Searching…");
  try {
    const body = await getJSON(`/search?${p}&facets=${Object.keys(FACETS).join(",")}`);
    lastQuery = body;
    if (!append) { $("results").replaceChildren(); shownHits = []; }
    $("results").start = 1;
    if (body.groups) renderGroups(body);
    for (const hit of body.hits) $("results").append(renderHit(hit));
    shownHits.push(...body.hits);
    if (!append) { renderFacets(body.facets); showUnderstood(body, () => search(false)); }
    $("export").hidden = shownHits.length === 0;
    const notes = (body.notes || []).map(String).join(" ");
    const shown = $("results").querySelectorAll(".hit").length;
    const what = `for “${body.query}”.`;
    $("status").dataset.total = body.total == null ? "" : String(body.total);
    setStatus(shown ? `${countText(body, shown)} ${what} ${notes}` : `No results ${what} ${notes}`);
    const exhausted = body.total != null && !body.total_is_estimate && shown >= body.total;
    $("more").hidden = Boolean(body.groups) || body.hits.length < PAGE || exhausted;
  } catch (err) {
    setStatus(`Search failed: ${err.message}`, true);
  }
  document.body.dataset.searches = String(Number(document.body.dataset.searches || 0) + 1);
}

async function showContext() {
  const m = location.hash.match(/^#\/reports\/([^/]+)\/paragraphs\/(\d+)$/);
  const box = $("context");
  if (!m) { box.hidden = true; box.replaceChildren(); return; }
  const reportId = decodeURIComponent(m[1]);
  const n = Number(m[2]);
  box.hidden = false;
  box.replaceChildren(el("p", {}, "Loading…"));
  const fetchPara = (num) => getJSON(`/reports/${encodeURIComponent(reportId)}/paragraphs/${num}`).catch(() => null);
  const [prev, focus, next] = await Promise.all([n > 0 ? fetchPara(n - 1) : null, fetchPara(n), fetchPara(n + 1)]);
  if (!focus) { box.replaceChildren(el("p", { class: "error" }, `Paragraph ${n} of ${reportId} not found.`)); return; }
  const close = el("a", { href: "#", class: "close" }, "close");
  const section = [focus.part, focus.section, gradeText(focus)].filter(Boolean).join(", ");
  box.replaceChildren(
    el("h2", {}, `${reportLabel(reportId)}, paragraph ${n}`),
    el("p", { class: "section" }, section, " · ", close));
  for (const [para, cls] of [[prev, "neighbour"], [focus, "focus"], [next, "neighbour"]]) {
    if (para) box.append(el("p", { class: cls, id: `p-${para.number}` }, `${para.number}. ${para.text}`));
  }
  box.scrollIntoView({ block: "start" });
}

async function loadFilters() {
  try {
    const health = await getJSON("/healthz");
    const vocab = health.vocab || {};
    addOptions($("grade"), (vocab.grades || []).map((g) => ({ value: String(g.grade), label: `${g.grade} ${g.label}` })));
    addOptions($("theme"), (vocab.themes || []).map((t) => ({ value: t, label: t })));
    // the fields group_by takes, from the server's filter table (search/filters.py GROUP_BY)
    addOptions($("group_by"), (vocab.group_by || []).map((f) => ({ value: f, label: f === "la" ? "local authority" : f })));
  } catch (err) { setStatus(`Could not load filters: ${err.message}`, true); }
  try {
    const list = await getJSON("/reports");
    for (const r of list) reports.set(r.report_id, r);
    const las = [...new Set(list.map((r) => r.local_authority).filter(Boolean))].sort();
    addOptions($("la"), las.map((la) => ({ value: la, label: la })));
    const years = [...new Set(list.map(reportYear).filter(Boolean))].sort().reverse();
    addOptions($("year"), years.map((y) => ({ value: y, label: y })));
  } catch (err) { setStatus(`Could not load reports: ${err.message}`, true); }
}

async function init() {
  await loadFilters();
  const initial = new URLSearchParams(location.search);
  for (const name of ["q", ...CHOSEN]) if (initial.get(name)) $(name).value = initial.get(name);
  for (const field of initial.getAll("ignore")) ignored.add(field);
  // A new query is read afresh: the chips removed from the last one do not carry over.
  $("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); ignored.clear(); search(false); });
  for (const name of CHOSEN) {
    $(name).addEventListener("change", () => { userChose($(name)); if ($("q").value.trim()) search(false); });
  }
  $("facets-box").open = window.matchMedia("(min-width: 700px)").matches; // small screens: results first
  $("csv").addEventListener("click", downloadCsv);
  $("more").addEventListener("click", () => { offset += PAGE; search(true); });
  window.addEventListener("hashchange", showContext);
  document.body.dataset.ready = "1";
  if ($("q").value.trim()) await search(false);
  await showContext();
}

init();
