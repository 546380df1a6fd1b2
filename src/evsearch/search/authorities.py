"""Authority names as users write them: the variants a query may use, and the index's spelling of one.

The one place an authority name is resolved for filtering and query
understanding; a fuller register (vocab/) plugs in behind ``resolve_authority``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    """The index's spelling of the authority a user typed ("leeds city council" -> "Leeds").

    An unknown name is kept as typed (it then finds nothing, and the plan's note
    says the index holds no reports for it)."""
    wanted = " ".join(str(text).split())
    canonical: dict[str, str] = {}
    for name in known:
        canonical.setdefault(name.lower(), name)
        for variant in authority_variants(name):
            canonical.setdefault(variant.lower(), name)
    return canonical.get(wanted.lower(), wanted)
