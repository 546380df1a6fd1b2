// The report reader: judgements, a section index, and every paragraph with an anchor
// (#p-<printed number> for numbered paragraphs, #s-<seq> for every record) that search results link to.
"use strict";

const slug = (text) => String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

function sectionKey(p) { return `${p.part || ""}|${p.section || ""}`; }

function markTarget() {
  for (const node of document.querySelectorAll(".para.target")) node.classList.remove("target");
  const id = decodeURIComponent(location.hash.slice(1));
  const node = id && document.getElementById(id);
  if (!node) return;
  const para = node.closest(".para");
  if (para) para.classList.add("target");
  node.scrollIntoView({ block: "center" });
}

async function render() {
  const base = location.pathname.replace(/\/+$/, "");
  const [report, paragraphs] = await Promise.all([getJSON(base), getJSON(`${base}/paragraphs`)]);
  document.title = `${report.local_authority || report.report_id}: evsearch`;
  document.getElementById("title").textContent = report.title ? `${report.local_authority || ""} · ${report.title}` : report.report_id;
  const dates = [report.inspection_start && `inspected ${report.inspection_start} to ${report.inspection_end || "?"}`,
    report.published && `published ${report.published}`, `framework ${report.framework}`].filter(Boolean).join("; ");
  const meta = document.getElementById("meta");
  meta.append(dates);
  if (report.local_authority) meta.append(" · ", el("a", { href: `/authorities/${slug(report.local_authority)}` }, `all ${report.local_authority} reports`));
  meta.append(" · ", el("a", { href: `${base}/source`, id: "source" }, "source file"));

  const sections = new Map();
  for (const p of paragraphs) {
    const key = sectionKey(p);
    if (!sections.has(key)) sections.set(key, { part: p.part, section: p.section, grade: p.grade, label: p.grade_label, id: `sec-${sections.size + 1}`, paras: [] });
    sections.get(key).paras.push(p);
  }
  const sectionOf = (part, title) => [...sections.values()].find((s) => s.section === title && (s.part || null) === (part || null))
    || [...sections.values()].find((s) => s.section === title);

  const tbody = document.querySelector("#judgements tbody");
  for (const j of report.judgements || []) {
    const target = j.section && sectionOf(j.part, j.section);
    const name = [j.part, j.title].filter(Boolean).join(": ");
    tbody.append(el("tr", { "data-family": j.family || "" },
      el("td", {}, target ? el("a", { href: `#${target.id}` }, name) : name),
      el("td", {}, j.family || ""), el("td", {}, gradeBadge(j))));
  }

  const toc = document.getElementById("toc");
  const article = document.getElementById("body");
  const usedNumbers = new Set();
  for (const s of sections.values()) {
    const heading = [s.part, s.section].filter(Boolean).join(": ") || "Opening pages";
    toc.append(el("li", {}, el("a", { href: `#${s.id}` }, heading)));
    const box = el("section", { class: "reader-section", id: s.id },
      el("h3", {}, heading, s.grade != null ? " " : "", s.grade != null ? gradeBadge({ grade: s.grade, grade_label: s.label }) : ""));
    for (const p of s.paras) {
      const numbered = p.number != null && !usedNumbers.has(p.number);
      if (numbered) usedNumbers.add(p.number);
      const node = el("p", { class: `para kind-${p.kind}`, id: numbered ? `p-${p.number}` : `s-${p.seq}`, "data-seq": String(p.seq) });
      if (numbered) node.append(el("span", { id: `s-${p.seq}` }));
      if (p.number != null) node.append(el("a", { class: "num", href: `#${numbered ? `p-${p.number}` : `s-${p.seq}`}` }, `${p.number}.`));
      node.append(p.text);
      // The page of the indexed file the paragraph is printed on: a citation can be checked there.
      // Its label comes from CSS (pages.css), so the paragraph's own text stays exactly the report's.
      if (p.page != null) node.append(el("a", { class: "page", href: `${base}/source#page=${p.page}`, "data-page": String(p.page),
        "aria-label": `page ${p.page} of the source file` }));
      box.append(node);
    }
    article.append(box);
  }
  setStatus(`${paragraphs.length} paragraphs in ${sections.size} sections.`);
  window.addEventListener("hashchange", markTarget);
  markTarget();
  document.body.dataset.ready = "1";
}

render().catch((err) => { setStatus(`Could not load this report: ${err.message}`, true); document.body.dataset.ready = "error"; });
