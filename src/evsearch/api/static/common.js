// Shared by the authority, national and reader pages: DOM building, JSON fetches, grade colours.
// Text from the server always enters the page as text nodes (never innerHTML).
"use strict";

const GRADE_LABELS = { 1: "outstanding", 2: "good", 3: "requires improvement / adequate", 4: "inadequate" };
const GRADE_COLOURS = { 1: "#1a7f37", 2: "#2f6fb0", 3: "#c98a00", 4: "#b42318" };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === "" || c == null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => ({ error: "BadResponse", message: res.statusText }));
  if (!res.ok) throw new Error(body.message || body.error || res.statusText);
  return body;
}

function gradeBadge(cell) {
  if (!cell || cell.grade == null) return el("span", { class: "grade" }, "not graded");
  return el("span", { class: `grade grade-${cell.grade}` }, cell.grade_label || `grade ${cell.grade}`);
}

function setStatus(text, isError) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

// Draw a Vega-Lite spec as SVG (so marks are DOM elements a screen reader and a test can find).
async function drawChart(container, spec, description) {
  spec.description = description;
  spec.$schema = "https://vega.github.io/schema/vega-lite/v6.json";
  await vegaEmbed(container, spec, { renderer: "svg", actions: false });
  const svg = container.querySelector("svg");
  if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", description); }
}

// Year labels that stay readable on a phone: upright when each year has room for "2024", else turned to
// read bottom-up so every year keeps its label; Vega drops any label that would still overlap another.
function yearAxis(box, years, extra) {
  const roomy = box.clientWidth / Math.max(years, 1) >= 40;
  return { ...extra, labelAngle: roomy ? 0 : -90, labelAlign: roomy ? "center" : "right", labelBaseline: "middle",
    labelOverlap: "greedy", labelFontSize: 11 };
}

// On a phone a legend beside the chart takes half its width: put it underneath instead.
function narrowLegend(box) {
  return box.clientWidth < 500 ? { orient: "bottom", direction: "horizontal", columns: 2 } : {};
}
