"""Query parameters from the one filter table, and the rule that every route refuses a parameter it does not know.

WHY generated: the filters' names, aliases, types and help live once in
search/filters.py; writing them again as FastAPI ``Query`` declarations (or
MCP arguments, or CLI options) is how faces drifted apart. ``filter_params`` is
a FastAPI dependency whose signature is built from ``FIELDS``: each field is a
documented parameter (a list where the field takes several values:
``year=2018&year=2022``), and each alias an accepted, undocumented one.

WHY refuse unknown parameters: ``/search?authority=Leeds`` used to answer 200
with hits from anywhere. ``only_known`` is added to every API route (http.py)
and answers 422 naming the parameter, with the close names and the accepted ones.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import AliasChoices
from pydantic import Field as PydanticField

from evsearch.errors import UnknownParameterError
from evsearch.search.filters import FIELDS, YEAR_MAX, YEAR_MIN, Field

TEXT_MAX = 300


def _annotation(field: Field, name: str, documented: bool, many: bool) -> Any:
    inner: Any = (
        Annotated[int, PydanticField(ge=YEAR_MIN, le=YEAR_MAX)] if field.integer
        else Annotated[str, PydanticField(max_length=TEXT_MAX)]
    )  # fmt: skip
    kind = list[inner] | None if many else inner | None  # type: ignore[valid-type]
    help = field.help + (" Repeat the parameter for several values (ORed)." if many else "")
    query = Query(
        alias=name,
        description=help if documented else f"Same as {field.name}.",
        examples=[field.example] if documented and field.example else None,
        include_in_schema=documented,
    )
    return Annotated[kind, query]


def filter_params(names: Iterable[str] | None = None, *, lists: bool = True) -> Callable[..., dict[str, list]]:
    """A dependency giving a request's filter parameters as {field name: values}, aliases merged.

    ``names``: the fields this endpoint takes (default: all); ``lists=False``: one value each."""
    fields = [FIELDS[n] for n in (names or FIELDS)]
    parameters = [
        inspect.Parameter(f"{field.name}__{i}", inspect.Parameter.KEYWORD_ONLY, default=None,
                          annotation=_annotation(field, name, i == 0, lists and field.many))
        for field in fields
        for i, name in enumerate((field.name, *field.aliases))
    ]  # fmt: skip

    def collect(**given: Any) -> dict[str, list]:
        out: dict[str, list] = {}
        for key, value in given.items():
            if value is None or value == [] or (isinstance(value, str) and not value.strip()):
                continue  # an empty form box means no filter
            out.setdefault(key.split("__")[0], []).extend(value if isinstance(value, list) else [value])
        return out

    collect.__signature__ = inspect.Signature(parameters, return_annotation=dict)  # type: ignore[attr-defined]
    return collect


def tool_arguments(names: Iterable[str]) -> list[inspect.Parameter]:
    """Keyword parameters for an MCP tool taking these filter fields: each under its name, its
    aliases accepted too (pydantic ``validation_alias``), a single value or a list where the field
    takes several."""
    out = []
    for name in names:
        field = FIELDS[name]
        inner: Any = (
            Annotated[int, PydanticField(ge=YEAR_MIN, le=YEAR_MAX)] if field.integer
            else Annotated[str, PydanticField(max_length=TEXT_MAX)]
        )  # fmt: skip
        kind: Any = (list[inner] | inner | None) if field.many else (inner | None)  # type: ignore[valid-type]
        help = field.help + (" One value or a list (ORed)." if field.many else "")
        spec = PydanticField(description=help, validation_alias=AliasChoices(field.name, *field.aliases))
        out.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, spec]))
    return out


def with_tool_arguments(fn: Callable[..., Any], names: Iterable[str]) -> Callable[..., Any]:
    """``fn`` (taking ``**filters``) with a signature naming the filter fields, for the MCP SDK to read."""
    sig = inspect.signature(fn, eval_str=True)  # the SDK reads these annotations as objects
    fixed = [p for p in sig.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    fn.__signature__ = sig.replace(parameters=fixed + tool_arguments(names))  # type: ignore[attr-defined]
    return fn


def query_names(dependant: Any, *, documented: bool = False) -> list[str]:
    """Every query parameter name a route declares, its dependencies' included (FastAPI's ``Dependant``);
    ``documented``: only those /docs shows (not the aliases)."""
    names = [p.alias for p in dependant.query_params if not documented or p.field_info.include_in_schema]
    for sub in dependant.dependencies:
        names += query_names(sub, documented=documented)
    return names


def only_known(allowed: Iterable[str], shown: Iterable[str]) -> Callable[[Request], Any]:
    """A dependency refusing any query parameter not in ``allowed`` (a 422 naming it, the ``shown``
    names in its hint)."""
    known, listed = sorted(set(allowed)), sorted(set(shown))

    async def check(request: Request) -> None:
        for name in request.query_params:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=2)
                hint = (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "") + (
                    f"{request.url.path} takes: {', '.join(listed)}" if listed else f"{request.url.path} takes no parameters"
                )
                raise UnknownParameterError(f"unknown parameter {name!r}", hint=hint)

    return check
