"""Authority names as users write them: the variants a query may use, and the index's spelling of one.

The one place an authority name is resolved for filtering and query
understanding; the authority register (vocab/authorities.py) answers behind ``resolve_authority``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evsearch.vocab.authorities import parse_la

_AUTHORITY_AFFIXES = re.compile(
    r"^(?:the\s+)?(?:london\s+borough\s+of|royal\s+borough\s+of|metropolitan\s+borough\s+of|"
    r"borough\s+of|city\s+of|county\s+of)\s+|\s+(?:county\s+council|city\s+council|borough\s+council|"
    r"metropolitan\s+borough\s+council|council|county|city)$",
    re.IGNORECASE,
)


def authority_variants(name: str) -> set[str]:
    """Ways a user may write an authority: with and without 'Council', 'City of' ..."""
    base = " ".join(name.split())
    out = {base}
    stripped = _AUTHORITY_AFFIXES.sub("", base).strip()
    if stripped:
        out.add(stripped)
    out |= {v.replace("&", "and") for v in list(out)}
    return {v for v in out if v}


def resolve_authority(text: str, known: Iterable[str]) -> str:
    """The index's spelling of the authority a user typed: any alias, code, URN or slug the register
    knows ("leeds city council", "E08000035", "383" -> "Leeds"), or a name the index holds verbatim
    (an unresolved report's). An unknown name is an InputError naming the closest names."""
    return parse_la(text, known)
