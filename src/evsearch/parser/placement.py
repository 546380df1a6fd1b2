"""Duplicate groups: records of one report that state the same point, found once at index time.

Reports say many things twice: a "What needs to improve" bullet or a summary
line is developed by a numbered paragraph further on, and a paragraph may be
printed twice (a repeated page). Search shows one hit per point, so the
indexer marks the records that belong together and the store keeps the mark
(``Paragraph.duplicate_group``: the ``seq`` of the group's first record;
every member carries it, a record stating a point no other states has None).

Two rules, both within one report and one part:

* exact: the same text once case, punctuation and spacing are folded;
* near: an unnumbered record (bullet, recommendation, summary line) whose
  content words, weighted by how rare they are in the report, are mostly
  (``NEAR_SHARE``) found in one numbered paragraph: the one that develops it.
  Rare words carry the decision ("foster", "return interviews"); words every
  paragraph uses ("children", "social work") count for little.

The paragraph an unnumbered record sits inside (``Paragraph.within``) is set
by the splitter, which sees it directly (paragraphs.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from evsearch.models.words import terms
from evsearch.records import Paragraph

NEAR_SHARE = 0.7  # weighted share of a record's content words that its developing paragraph must hold
MIN_TERMS = 4  # a record this short ("Summary", "Good") states no point worth grouping
# ... and the shared words must weigh at least this much (about two words found in one paragraph
# out of a hundred), so a short line of common words ("the quality of plans") groups with nothing.
MIN_SHARED_WEIGHT = 8.0

_FOLD = re.compile(r"[^a-z0-9]+")


def _folded(text: str) -> str:
    return _FOLD.sub(" ", text.lower()).strip()


class _Groups:
    """Union-find over record positions; a group is named by its first record's seq."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _candidates(own: set[str], weight: dict[str, float], total: float, holding: dict[str, list[int]]) -> list[int]:
    """Numbered paragraphs that could hold NEAR_SHARE of ``own``: a paragraph missing all of the
    heaviest words that make up more than the rest (1 - NEAR_SHARE) cannot, so it is never scored."""
    heavy: list[str] = []
    weighed = 0.0
    for w in sorted(own, key=lambda w: (-weight[w], w)):
        heavy.append(w)
        weighed += weight[w]
        if weighed > (1 - NEAR_SHARE) * total:
            break
    return sorted({j for w in heavy for j in holding.get(w, ())})


def group_duplicates(paragraphs: Sequence[Paragraph]) -> None:
    """Set ``duplicate_group`` on every record of one report, in place (rules in the module docstring)."""
    groups = _Groups(len(paragraphs))
    first_with_text: dict[tuple[str | None, str], int] = {}
    for i, paragraph in enumerate(paragraphs):
        key = (paragraph.part, _folded(paragraph.text))
        if key[1]:
            groups.join(first_with_text.setdefault(key, i), i)

    words = [set(terms(p.text)) for p in paragraphs]
    seen_in = Counter(w for ws in words for w in ws)
    weight = {w: math.log(1 + len(paragraphs) / n) for w, n in seen_in.items()}
    holding: dict[str, list[int]] = {}  # word -> numbered paragraphs holding it
    for j, paragraph in enumerate(paragraphs):
        if paragraph.number is not None:
            for w in words[j]:
                holding.setdefault(w, []).append(j)
    for i, paragraph in enumerate(paragraphs):
        own = words[i]
        if paragraph.number is not None or len(own) < MIN_TERMS:
            continue
        total = math.fsum(weight[w] for w in own)  # fsum: exact, so ties do not hang on set order
        best, best_share = None, NEAR_SHARE
        for j in _candidates(own, weight, total, holding):
            if paragraphs[j].part != paragraph.part or paragraphs[j].number == paragraph.within:
                continue  # a record inside a paragraph is already cited with it
            shared = math.fsum(weight[w] for w in own & words[j])
            share = shared / total
            if shared >= MIN_SHARED_WEIGHT and share >= best_share and (best is None or share > best_share):
                best, best_share = j, share
        if best is not None:
            groups.join(best, i)

    sizes = Counter(groups.find(i) for i in range(len(paragraphs)))
    for i, paragraph in enumerate(paragraphs):
        root = groups.find(i)
        paragraph.duplicate_group = paragraphs[root].seq if sizes[root] > 1 else None
