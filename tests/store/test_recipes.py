"""Embedding-text recipes: what goes into a vector, and that the index really embeds it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evsearch.errors import InputError
from evsearch.records import Paragraph
from evsearch.store import Index
from evsearch.store.recipes import embedding_text, resolve
from store_helpers import make_report, write_reports

P = Paragraph("r", 0, 1, "paragraph", "Plans are reviewed on time.", part="Part two", section="Care plans",
              section_path=["Children in care", "Care plans"])  # fmt: skip


def test_recipes() -> None:
    assert embedding_text("text", P) == "Plans are reviewed on time."
    assert embedding_text("section+text", P) == "Care plans\nPlans are reviewed on time."
    assert embedding_text("path+text", P) == "Part two > Children in care > Care plans\nPlans are reviewed on time."
    bare = Paragraph("r", 1, None, "text", "Loose text.")
    assert {embedding_text(name, bare) for name in ("text", "section+text", "path+text")} == {"Loose text."}
    assert resolve(None) == "section+text"
    with pytest.raises(InputError, match="title\\+text"):
        resolve("title+text")


@pytest.mark.parametrize("recipe", ["text", "path+text"])
def test_index_embeds_the_recipe_text(tmp_path: Path, embedder, recipe: str) -> None:
    parsed = make_report("eastvale-2023")
    write_reports(tmp_path / "idx", [parsed], embedder, recipe=recipe)
    with Index.open(tmp_path / "idx") as index:
        assert index.manifest["embedding_text"] == recipe
        ids = index.ids_where(report_ids=["eastvale-2023"])
        expected = embedder.encode([embedding_text(recipe, p) for p in parsed.paragraphs])
        assert np.allclose(index.vectors(ids), expected, atol=1e-5)
