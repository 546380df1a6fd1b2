// What the server read from the query, shown as removable chips, with the filter controls set to match.
// "why was leadership judged inadequate" filters to grade 4: the chip says so, the grade control shows 4,
// and removing the chip takes the word out of the query and searches again.
// Text from the server enters the page as text nodes only (el() from common.js).
"use strict";

// The response field holding the query understanding: one name to change when the API renames it.
const UNDERSTOOD_FIELD = "parsed";
const CHIP_FIELDS = ["grade", "la", "year", "theme", "section"];
const CONTROLLED = ["grade", "la", "year", "theme"]; // fields with a <select> on the page

// { read: [{field, value, label, words}], relaxed: [field] } from a search response.
function understoodOf(body) {
  const u = body[UNDERSTOOD_FIELD] || {};
  const source = u.source || {};
  const read = CHIP_FIELDS
    .filter((field) => source[field] === "query" && u[field] != null && u[field] !== "")
    .map((field) => ({ field, value: String(u[field]), label: chipLabel(field, u), words: chipWords(field, u) }));
  return { read, relaxed: (u.relaxed || []).map(String) };
}

function chipLabel(field, u) {
  if (field === "grade") return u.grade_label ? `grade ${u.grade} ${u.grade_label}` : `grade ${u.grade}`;
  if (field === "theme" || field === "section") return `${field}: ${u[field]}`;
  return String(u[field]);
}

// The words of the query that a chip stands for, longest first (what removing it takes out).
function chipWords(field, u) {
  if (field === "grade") return [`grade ${u.grade}`, u.grade_label].filter(Boolean);
  return [String(u[field])];
}

function withoutWords(query, words) {
  for (const w of words) {
    const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
    const pattern = new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}(?=$|[^\\p{L}\\p{N}])`, "iu");
    if (pattern.test(query)) return query.replace(pattern, "$1").replace(/\s{2,}/g, " ").trim();
  }
  return null;
}

// A control the page set from the query (not chosen by the user): not sent back as an explicit filter,
// so the request stays what the user typed and the chip keeps saying where the filter came from.
function fromQuery(select) { return select.dataset.fromQuery === "1"; }

function userChose(select) { delete select.dataset.fromQuery; }

function setControls(understood) {
  const read = new Map(understood.read.map((c) => [c.field, c.value]));
  for (const field of CONTROLLED) {
    const select = document.getElementById(field);
    if (!select) continue;
    const value = read.get(field);
    const offered = value != null && [...select.options].some((o) => o.value === value);
    if (offered && (select.value === "" || fromQuery(select))) {
      select.value = value;
      select.dataset.fromQuery = "1";
    } else if (!offered && fromQuery(select)) {
      select.value = "";
      userChose(select);
    }
  }
}

// Render the chips under the search box; ``rerun()`` searches again after a chip is removed.
function showUnderstood(body, rerun) {
  const box = document.getElementById("understood");
  const understood = understoodOf(body);
  setControls(understood);
  box.replaceChildren();
  box.hidden = !understood.read.length && !understood.relaxed.length;
  if (box.hidden) return;
  box.append(el("span", { class: "chips-title" }, "Read from your query:"));
  for (const chip of understood.read) {
    const remove = el("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${chip.label}` }, "×");
    remove.addEventListener("click", () => removeChip(chip, rerun));
    const relaxed = understood.relaxed.includes(chip.field);
    box.append(el("span", { class: relaxed ? "chip relaxed" : "chip", "data-field": chip.field, "data-value": chip.value },
      chip.label, relaxed ? " (relaxed)" : "", remove));
  }
  for (const field of understood.relaxed.filter((f) => !understood.read.some((c) => c.field === f))) {
    box.append(el("span", { class: "chip relaxed", "data-field": field }, `${field} (relaxed)`));
  }
  if (understood.relaxed.length) {
    box.append(el("span", { class: "chips-note" }, "relaxed: too few paragraphs matched it, so others follow"));
  }
}

function removeChip(chip, rerun) {
  const q = document.getElementById("q");
  const rest = withoutWords(q.value, chip.words);
  const select = document.getElementById(chip.field);
  if (select && fromQuery(select)) { select.value = ""; userChose(select); }
  if (rest === null || !rest) {
    setStatus(`Could not find “${chip.words[chip.words.length - 1]}” in your query: edit the query to drop it.`, true);
    return;
  }
  q.value = rest;
  rerun();
}
