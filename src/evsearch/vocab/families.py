"""Judgement families: one name for "the same judgement" across inspection frameworks.

Each framework prints its judgements under its own titles ("Children looked
after and achieving permanence" in 2013-2017, "The experiences and progress of
children in care" from 2018, the looked-after part's "Overall effectiveness" in
2009-2013), so nothing lines grades up over time until every title is put into a
family. This module is that crosswalk, and the only place it lives: the parse
pipeline calls ``assign_families`` once per report, the store keeps the result,
and the grades views, pages and MCP tools read the stored ``family``.

The rules are ordered patterns over the normalised title (first match wins), so a
title wrapped or spelled slightly differently in a report not yet seen still finds
its family; ``docs/judgements.md`` lists every title printed in the development
corpus with its family, and a test holds that table and these rules together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from evsearch.errors import InputError
from evsearch.vocab.sections import normalize_title
from evsearch.records import Judgement

OTHER = "other"


@dataclass(frozen=True)
class Family:
    name: str  # the value stored and typed by users (--family, ?family=)
    label: str  # how pages and tables headline it
    pattern: str  # regex over normalize_title(title)
    since_2018: bool = False  # True for the families today's framework still grades (pages show these first)


# Order matters: a combined "children in care and care leavers" judgement must meet
# children_in_care before care_leavers; the LSCB line mentions "children" too.
FAMILIES: tuple[Family, ...] = (
    Family("lscb", "Local Safeguarding Children Board", r"safeguarding children'?s? board|\blscb\b"),
    Family("overall", "Overall effectiveness", r"^overall (?:effectiveness|judgement)$", True),
    Family("leadership", "Leadership", r"impact of leaders|^leadership(?:,? management and governance| and management)$", True),
    Family("help_and_protection", "Help and protection", r"need help and protection", True),
    Family("children_in_care", "Children in care", r"children in care|looked after and achieving permanence", True),
    Family("care_leavers", "Care leavers", r"care leavers", True),
    Family("adoption", "Adoption", r"\badoption\b"),
    Family("capacity_for_improvement", "Capacity for improvement", r"^capacity (?:for|to) improve(?:ment)?$"),
    Family("safety", "Staying safe", r"safe and feel safe|^staying safe$"),
    Family("health", "Being healthy", r"^being healthy$|contribution of health agencies"),
    Family("enjoying_and_achieving", "Enjoying and achieving", r"^enjoying and achieving$"),
    Family("positive_contribution", "Positive contribution", r"positive contribution"),
    Family("economic_wellbeing", "Economic well-being", r"economic well-?being"),
    Family("equality_and_diversity", "Equality and diversity", r"^equality and diversity$"),
    Family("quality_of_provision", "Quality of provision", r"^quality of provision$"),
    Family("ambition_and_prioritisation", "Ambition and prioritisation", r"^ambition and prioriti[sz]ation$"),
    Family("performance_management", "Performance management", r"^performance management"),
    Family("partnership_working", "Partnership working", r"^partnership working$"),
    Family("outcomes", "Outcomes for looked after children", r"^outcomes for looked after children"),
)
FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in FAMILIES) + (OTHER,)
_COMPILED = tuple((f.name, re.compile(f.pattern)) for f in FAMILIES)
_BY_NAME = {f.name: f for f in FAMILIES}

# 2009-2013 reports grade "Overall effectiveness" once per part: the safeguarding part's
# is the forerunner of help and protection, the looked-after part's of children in care.
_PART_OVERALL = (
    (re.compile(r"looked after"), "children_in_care"),
    (re.compile(r"safeguarding services"), "help_and_protection"),
)


def family_of(title: str, part: str | None = None) -> str:
    """The family of a judgement printed as ``title`` (under ``part``, for 2009-2013 reports); ``other`` when none fits."""
    norm = normalize_title(title)
    for name, pattern in _COMPILED:
        if pattern.search(norm):
            if name == "overall" and part:
                part_norm = normalize_title(part)
                return next((fam for rule, fam in _PART_OVERALL if rule.search(part_norm)), name)
            return name
    return OTHER


def assign_families(judgements: Iterable[Judgement]) -> None:
    """Set ``family`` on each judgement of one report (the parse pipeline's one call here)."""
    for judgement in judgements:
        judgement.family = family_of(judgement.title, judgement.part)


def family_label(name: str) -> str:
    """The heading for a family name; ``other`` reads as "Other"."""
    family = _BY_NAME.get(name)
    return family.label if family else name.replace("_", " ").capitalize()


def family_names() -> list[str]:
    """Every family a user may ask for, in display order (today's framework first)."""
    current = [f.name for f in FAMILIES if f.since_2018]
    return current + [f.name for f in FAMILIES if not f.since_2018] + [OTHER]


def parse_family(value: str) -> str:
    """A user's family name ("Help and protection", "help_and_protection") checked against the list.

    Raises InputError naming the valid families, so the CLI and HTTP faces can show them.
    """
    name = re.sub(r"[\s-]+", "_", value.strip().lower())
    if name in FAMILY_NAMES:
        return name
    raise InputError(f"unknown judgement family {value!r}", hint="valid families: " + ", ".join(family_names()))
