"""Slugs: the one way a title or a path becomes an id or a URL word."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: "Children's services - 19 May" -> "childrens-services-19-may"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['`]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def close_names(wanted: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The names most like ``wanted`` ("leds" -> ["Leeds"]), compared as slugs so case, spaces and
    punctuation do not count; a name containing ``wanted`` comes first. The one suggestion rule for
    every "did you mean" (authorities, report ids), so every face suggests the same names.
    """
    from difflib import get_close_matches

    by_slug: dict[str, str] = {}
    for name in names:
        by_slug.setdefault(slugify(name), name)
    key = slugify(wanted)
    if not key:
        return []
    containing = [name for slug, name in sorted(by_slug.items()) if key in slug]
    similar = [by_slug[slug] for slug in get_close_matches(key, list(by_slug), n=n, cutoff=0.6)]
    return list(dict.fromkeys(containing + similar))[:n]
