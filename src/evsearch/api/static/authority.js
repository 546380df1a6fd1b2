// The authority page: a grade timeline per judgement family, then its reports with their grades.
"use strict";

// One x range for every family of the authority (all its reports), so the charts line up.
function timelineSpec(box, points, years) {
  return {
    width: "container", height: 140,
    data: { values: points },
    encoding: {
      x: { field: "date", type: "temporal", title: "inspection",
        scale: { domain: [`${Math.min(...years) - 1}-07-01`, `${Math.max(...years)}-07-01`] },
        axis: yearAxis(box, Math.max(...years) - Math.min(...years) + 1, { format: "%Y", tickCount: { interval: "year", step: 1 } }) },
      y: { field: "grade", type: "quantitative", title: "grade", scale: { domain: [1, 4], reverse: true, zero: false },
        axis: { values: [1, 2, 3, 4], labelExpr: "['', 'outstanding', 'good', 'RI / adequate', 'inadequate'][datum.value]" } },
    },
    layer: [
      { mark: { type: "line", color: "#999" } },
      { mark: { type: "point", filled: true, size: 140, opacity: 1 }, encoding: {
        color: { field: "grade", type: "ordinal", scale: { domain: [1, 2, 3, 4], range: [1, 2, 3, 4].map((g) => GRADE_COLOURS[g]) }, legend: null },
        tooltip: [{ field: "date", type: "temporal", format: "%d %B %Y" }, { field: "label", title: "grade" }, { field: "title", title: "judgement" }] } },
    ],
  };
}

function altTable(family, points) {
  const rows = points.map((p) => el("tr", {}, el("td", {}, p.date), el("td", {}, p.title), el("td", {}, `${p.grade} ${p.label}`)));
  return el("details", { class: "alt-text" }, el("summary", {}, `${family.label}: grades as a table`),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "inspection"), el("th", {}, "judgement"), el("th", {}, "grade"))),
      el("tbody", {}, ...rows)));
}

async function render() {
  const body = await getJSON(location.pathname);
  document.title = `${body.local_authority}: evsearch`;
  document.getElementById("la-name").textContent = body.local_authority;
  document.getElementById("csv").href = `/grades?format=csv&la=${encodeURIComponent(body.slug)}`;
  const charts = document.getElementById("charts");
  const allYears = body.reports.map((r) => Number(String(r.inspection_end || r.inspection_start || r.published).slice(0, 4)));
  for (const family of body.families) {
    const points = body.reports.filter((r) => r.grades[family.family] && r.grades[family.family].grade != null).map((r) => {
      const cell = r.grades[family.family];
      return { date: r.inspection_end || r.inspection_start || r.published, grade: cell.grade, label: cell.grade_label, title: cell.title, report: r.report_id };
    });
    if (!points.length) continue;
    const words = points.map((p) => `${(p.date || "").slice(0, 4)} ${p.label}`).join(", ");
    const description = `${family.label} grades for ${body.local_authority} over time: ${words}.`;
    const box = el("div", { class: "family-chart", "data-family": family.family, "data-points": String(points.length) });
    const figure = el("figure", {}, el("figcaption", {}, family.label), box, altTable(family, points));
    charts.append(figure);
    await drawChart(box, timelineSpec(box, points, allYears), description);
  }
  const list = document.getElementById("reports");
  for (const r of body.reports) {
    const grades = el("ul", { class: "family-grades" }, ...body.families.filter((f) => r.grades[f.family]).map(
      (f) => el("li", {}, `${f.label}: `, gradeBadge(r.grades[f.family]))));
    list.append(el("li", { class: "report", "data-report": r.report_id },
      el("a", { href: r.url }, `${r.inspection_end || r.published || ""} · ${r.title || r.report_id}`),
      ` (${r.framework})`, grades));
  }
  setStatus(`${body.reports.length} report${body.reports.length === 1 ? "" : "s"}.`);
  document.body.dataset.ready = "1";
}

render().catch((err) => { setStatus(`Could not load this authority: ${err.message}`, true); document.body.dataset.ready = "error"; });
