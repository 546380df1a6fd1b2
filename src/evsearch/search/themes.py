"""The theme taxonomy: what a user means by "health" or "care leavers".

Reports file the same topic under different headings across frameworks
("Being healthy", "The contribution of health agencies ..."), and users type
neither. A theme ties the phrases users type to the section titles that cover
the topic and to a few expansion terms for the keyword query. The taxonomy is
data (data/themes.json) so it can grow without code changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from evsearch.errors import InputError


@dataclass(frozen=True)
class Theme:
    name: str
    phrases: tuple[str, ...]  # what users type, lowercase
    sections: tuple[str, ...]  # lowercase substrings of section titles that cover the theme
    expand: tuple[str, ...] = ()  # extra keyword-query terms

    def covers_section(self, section: str | None) -> bool:
        """True when a paragraph's section title belongs to this theme."""
        if not section or not self.sections:
            return False
        low = section.lower()
        return any(s in low for s in self.sections)


@lru_cache(maxsize=1)
def load_themes() -> tuple[Theme, ...]:
    raw = json.loads(resources.files("evsearch.search").joinpath("data/themes.json").read_text("utf-8"))
    themes = []
    for entry in raw["themes"]:
        name = entry["name"].lower()
        phrases = tuple(dict.fromkeys([name, *(p.lower() for p in entry.get("phrases", ()))]))
        themes.append(
            Theme(
                name=name,
                phrases=phrases,
                sections=tuple(s.lower() for s in entry.get("sections", ())),
                expand=tuple(e.lower() for e in entry.get("expand", ())),
            )
        )
    return tuple(themes)


def theme_names() -> list[str]:
    return [t.name for t in load_themes()]


def get_theme(name: str) -> Theme:
    """The theme called ``name`` (case-insensitive); InputError listing valid names otherwise."""
    key = " ".join(name.lower().split())
    for theme in load_themes():
        if theme.name == key:
            return theme
    for theme in load_themes():  # a phrase of a theme names it too ("camhs" -> mental health)
        if key in theme.phrases:
            return theme
    raise InputError(f"unknown theme {name!r}", hint="valid themes: " + ", ".join(theme_names()))
