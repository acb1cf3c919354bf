"""A lookup whose parameter is the caller's input as it is, so a compiled statement binds it.

``istartswith`` turns "Ol" into the pattern "Ol%" while compiling: a parameter derived from the
input, which ``cases.statements`` cannot bind again. ``istartswith_pattern`` writes the same SQL
(``UPPER(col::text) LIKE UPPER(%s)`` on PostgreSQL) with the pattern ``like_prefix`` made.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import CharField
from django.db.models.lookups import IStartsWith, PatternLookup


class IStartsWithPattern(IStartsWith):
    """``istartswith`` with a ready LIKE pattern (registered under its own name below; its
    ``lookup_name`` stays ``istartswith``, which picks the database's operator and casts)."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        return super(PatternLookup, self).process_rhs(compiler, connection)


CharField.register_lookup(IStartsWithPattern, lookup_name="istartswith_pattern")


def like_prefix(text: str) -> str:
    """The LIKE pattern of "starts with ``text``", its wildcards escaped as Django escapes them."""
    return f"{connection.ops.prep_for_like_query(text)}%"
