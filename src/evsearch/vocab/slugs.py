"""Slugs: the one way a title or a path becomes an id or a URL word."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: "Children's services - 19 May" -> "childrens-services-19-may"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['`]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
