// The national page: per judgement family, a stacked bar of reports per grade for each year.
"use strict";

// One year axis for every family (all years in the summary), so the charts line up.
function distributionSpec(box, rows, years) {
  return {
    width: "container", height: 180,
    data: { values: rows },
    mark: { type: "bar" },
    encoding: {
      x: { field: "year", type: "ordinal", title: "year", scale: { domain: years }, axis: yearAxis(box, years.length) },
      y: { field: "count", type: "quantitative", title: "reports", stack: "zero", axis: { format: "d", tickMinStep: 1 } },
      color: { field: "grade_label", type: "nominal", title: "grade", legend: narrowLegend(box),
        scale: { domain: ["outstanding", "good", "requires improvement", "inadequate"], range: [1, 2, 3, 4].map((g) => GRADE_COLOURS[g]) } },
      order: { field: "grade", type: "quantitative" },
      tooltip: [{ field: "year" }, { field: "grade_label", title: "grade" }, { field: "count" }],
    },
  };
}

function altTable(label, rows) {
  return el("details", { class: "alt-text" }, el("summary", {}, `${label}: counts as a table`),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "year"), el("th", {}, "grade"), el("th", {}, "reports"))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, el("td", {}, r.year), el("td", {}, `${r.grade} ${r.grade_label}`), el("td", {}, r.count))))));
}

async function render() {
  const query = new URLSearchParams(location.search);
  for (const name of ["family", "framework"]) if (query.get(name)) document.getElementById(name).value = query.get(name);
  const body = await getJSON(`/grades/summary?${query}`);
  document.getElementById("csv").href = `/grades?format=csv&${query}`;
  const families = new Map(body.families.map((f) => [f.family, { label: f.label, rows: [] }]));
  for (const row of body.counts) families.get(row.family).rows.push(row);
  const select = document.getElementById("family");
  if (select.options.length === 1) {
    for (const [name, f] of families) select.append(el("option", { value: name }, f.label));
    if (query.get("family")) select.value = query.get("family");
  }
  const charts = document.getElementById("charts");
  const allYears = [...new Set(body.counts.map((r) => r.year))].sort();
  for (const [name, family] of families) {
    const years = [...new Set(family.rows.map((r) => r.year))];
    const words = years.map((y) => `${y}: ` + family.rows.filter((r) => r.year === y).map((r) => `${r.count} ${r.grade_label}`).join(", ")).join("; ");
    const box = el("div", { class: "family-chart", "data-family": name, "data-bars": String(family.rows.length) });
    charts.append(el("figure", {}, el("figcaption", {}, family.label), box, altTable(family.label, family.rows)));
    await drawChart(box, distributionSpec(box, family.rows, allYears), `${family.label}, reports per grade by year. ${words}.`);
  }
  setStatus(`${body.reports} report${body.reports === 1 ? "" : "s"}; ${families.size} judgement famil${families.size === 1 ? "y" : "ies"}.`);
  const list = document.getElementById("authorities");
  for (const la of await getJSON("/authorities")) {
    const overall = la.latest.overall || la.latest.help_and_protection;
    list.append(el("li", {}, el("a", { href: la.url }, la.local_authority), ` (${la.reports}) `, overall ? gradeBadge(overall) : ""));
  }
  document.body.dataset.ready = "1";
}

for (const name of ["family", "framework"]) {
  document.getElementById(name).addEventListener("change", () => {
    const form = new URLSearchParams();
    for (const n of ["family", "framework"]) if (document.getElementById(n).value) form.set(n, document.getElementById(n).value);
    location.search = form.toString();
  });
}
render().catch((err) => { setStatus(`Could not load the summary: ${err.message}`, true); document.body.dataset.ready = "error"; });
