"""The API's JSON parser: DRF's, refusing bodies nested deeper than any of our requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request body of ours nests deeper than a few levels (a plan's goals with their measures).
MAX_DEPTH = 32


def _too_deep() -> ParseError:
    return ParseError(
        _("JSON-innholdet er nestet for dypt (mer enn %(limit)s nivåer).") % {"limit": MAX_DEPTH}
    )


def depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` levels deep. Walks with a
    stack of its own, so a deep value cannot exhaust Python's."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """A body nested past Python's recursion limit makes the decoder raise RecursionError (a
    500 in DRF's parser); any body deeper than ``MAX_DEPTH`` answers 400 instead."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if depth_exceeds(data, MAX_DEPTH):
            raise _too_deep()
        return data
