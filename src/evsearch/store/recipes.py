"""Embedding-text recipes: what text of a paragraph goes into its vector.

The recipe is part of the index format (recorded in the manifest): vectors
made from 'section+text' are not comparable with ones made from 'text', so
changing it means a rebuild. The lead picks the default by nDCG.
"""

from __future__ import annotations

from typing import Callable

from evsearch.errors import InputError
from evsearch.records import Paragraph


def _text(p: Paragraph) -> str:
    return p.text


def _section_text(p: Paragraph) -> str:
    return f"{p.section}\n{p.text}" if p.section else p.text


def _path_text(p: Paragraph) -> str:
    heads = [h for h in ([p.part] if p.part else []) + list(p.section_path or ([p.section] if p.section else []))]
    deduped = [h for i, h in enumerate(heads) if h and h not in heads[:i]]
    return f"{' > '.join(deduped)}\n{p.text}" if deduped else p.text


RECIPES: dict[str, Callable[[Paragraph], str]] = {
    "text": _text,
    "section+text": _section_text,
    "path+text": _path_text,
}
DEFAULT_RECIPE = "section+text"


def resolve(name: str | None) -> str:
    name = (name or DEFAULT_RECIPE).strip()
    if name not in RECIPES:
        raise InputError(f"embedding_text={name!r} is not a recipe; choose one of {', '.join(RECIPES)}")
    return name


def embedding_text(recipe: str, paragraph: Paragraph) -> str:
    return RECIPES[recipe](paragraph)
