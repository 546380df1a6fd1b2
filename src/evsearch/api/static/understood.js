// What the server read from the query, shown as removable chips, with the filter controls set to match.
// "why was leadership judged inadequate in Northmoor" filters to Northmoor: the chip says so, the authority
// control shows Northmoor, and removing the chip searches again with ignore=la (the words then rank as words).
// The chips are drawn from the response's `understood` block (search/understood.py), the one shape the CLI
// line and MCP's structured content carry too; the page rebuilds nothing.
// Text from the server enters the page as text nodes only (el() from common.js).
"use strict";

// The response field holding the query understanding (docs/api.md "What was read from the query").
const UNDERSTOOD_FIELD = "understood";
const CONTROLLED = ["grade", "la", "year"]; // filters with a one-value <select> on the page
const ignored = new Set(); // fields the user removed as chips: sent as ignore=FIELD until the query changes

function understoodOf(body) {
  const u = body[UNDERSTOOD_FIELD] || {};
  return {
    filters: u.filters || [], ignored: u.ignored || [], summary: u.summary || "",
    topic: [...((u.topic || {}).sections || []), ...((u.topic || {}).themes || [])],
  };
}

// The filters read from the query's words (a filter the user chose shows in its control, not as a chip).
function chipsOf(understood) { return understood.filters.filter((f) => f.source === "query"); }

// A control the page set from the query (not chosen by the user): not sent back as an explicit filter,
// so the request stays what the user typed and the chip keeps saying where the filter came from.
function fromQuery(select) { return select.dataset.fromQuery === "1"; }

function userChose(select) { delete select.dataset.fromQuery; }

// Each control shows the filter applied from the query (one value); a relaxed filter does not filter, so its
// control says "any" and its chip says "relaxed".
function setControls(understood) {
  const applied = new Map(chipsOf(understood)
    .filter((f) => f.state === "applied" && f.values.length === 1)
    .map((f) => [f.field, String(f.values[0])]));
  for (const field of CONTROLLED) {
    const select = document.getElementById(field);
    const value = applied.get(field);
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

const STATE_NOTE = { relaxed: " (relaxed)", "not applied": " (not applied)" };

function chip(filter, rerun) {
  const remove = el("button", { type: "button", class: "chip-remove", "aria-label": `Remove ${filter.text}` }, "×");
  remove.addEventListener("click", () => removeChip(filter.field, rerun));
  const cls = filter.state === "applied" ? "chip" : `chip ${filter.state.replace(" ", "-")}`;
  return el("span", { class: cls, "data-field": filter.field, "data-state": filter.state, "data-values": filter.values.join(",") },
    filter.text, STATE_NOTE[filter.state] || "", remove);
}

// A field the user removed: a chip to read it from the query again.
function ignoredChip(field, rerun) {
  const restore = el("button", { type: "button", class: "chip-remove", "aria-label": `Read ${field} from the query again` }, "↺");
  restore.addEventListener("click", () => { ignored.delete(field); rerun(); });
  return el("span", { class: "chip ignored", "data-field": field }, `${field} not read`, restore);
}

// Render the chips under the search box; ``rerun()`` searches again after a chip is removed or restored.
function showUnderstood(body, rerun) {
  const box = document.getElementById("understood");
  const understood = understoodOf(body);
  const chips = chipsOf(understood);
  setControls(understood);
  box.replaceChildren();
  box.title = understood.summary;
  box.hidden = !chips.length && !understood.ignored.length && !understood.topic.length;
  if (box.hidden) return;
  box.append(el("span", { class: "chips-title" }, "Read from your query:"));
  for (const filter of chips) box.append(chip(filter, rerun));
  for (const field of understood.ignored) box.append(ignoredChip(field, rerun));
  if (understood.topic.length) box.append(el("span", { class: "chips-topic" }, `topic: ${understood.topic.join(", ")}`));
  if (chips.some((f) => f.state === "relaxed")) {
    box.append(el("span", { class: "chips-note" }, "relaxed: too few paragraphs matched it, so others follow"));
  }
}

// Removing a chip: the field is not read from the query (ignore=FIELD); the query box keeps what the user typed.
function removeChip(field, rerun) {
  const select = document.getElementById(field);
  if (select && fromQuery(select)) { select.value = ""; userChose(select); }
  ignored.add(field);
  rerun();
}

function ignoreParams(params) {
  for (const field of ignored) params.append("ignore", field);
}
