"""What a search read from its query, in one shape every face shows: JSON ``understood``, the CLI's
"read from your query" line and the page's chips.

WHY: query understanding filters silently otherwise ("why was leadership judged
inadequate" filters to grade 4 while the page's grade control says "any"). Each
filter is one entry a face can show and let the user remove: its field (the
parameter that sets it, search/filters.py), its values, a phrase, where it came
from (the query or an option) and what happened to it (applied, relaxed to fill
the page, or not applied).
"""

from __future__ import annotations

from typing import Any

from evsearch.search.plan import Plan, phrase


def understood(planned: Plan) -> dict[str, Any]:
    """``{"filters": [{"field", "values", "text", "source", "state"}], "relaxed", "topic", "ranking_text", "summary"}``."""
    parsed = planned.parsed
    if parsed is None:
        return nothing_read(planned.text)
    filters = []
    for name, values in parsed.filters.items():
        state = "relaxed" if name in planned.relaxed else "applied" if name in planned.applied else "not applied"
        filters.append({
            "field": name, "values": list(values), "text": phrase(parsed, name),
            "source": parsed.source.get(name, "option"), "state": state,
        })  # fmt: skip
    topic = {"themes": list(parsed.themes), "sections": list(parsed.sections)}
    return {
        "filters": filters,
        "relaxed": list(planned.relaxed),
        "ignored": list(parsed.ignored),
        "topic": topic,
        "ranking_text": planned.text,
        "summary": summary(filters, topic, planned.relaxed),
    }


def nothing_read(ranking_text: str) -> dict[str, Any]:
    """The shape for a search that read nothing from a query (judgement evidence)."""
    return {"filters": [], "relaxed": [], "ignored": [], "topic": {"themes": [], "sections": []},
            "ranking_text": ranking_text, "summary": ""}  # fmt: skip


def summary(filters: list[dict[str, Any]], topic: dict[str, list[str]], relaxed: list[str]) -> str:
    """One line: "read from your query: from Bradford, in 2018 or 2022, topic help and protection; relaxed: none"."""
    read = [f["text"] for f in filters if f["source"] == "query" and f["state"] != "relaxed"]
    about = topic["sections"] or topic["themes"]
    if about:
        read.append("topic " + ", ".join(about))
    gave_way = [f["text"] for f in filters if f["state"] == "relaxed"]
    return f"read from your query: {', '.join(read) or 'nothing'}; relaxed: {', '.join(gave_way) or 'none'}"


# The summary of a search that read nothing and relaxed nothing: a face may leave the line out.
NOTHING_READ = summary([], {"themes": [], "sections": []}, [])
