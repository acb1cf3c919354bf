"""ORM queries compiled once per shape and run again with new values (on PostgreSQL).

Django builds and compiles a queryset on every call. For the access policy's timeline query
that took longer than PostgreSQL took to run it (issue 7: 11 ms of a 50 ms request). A
``Statement`` keeps the SQL the ORM wrote, per shape of its inputs, and binds new values to it:
the query is still written once, in the ORM, with the policy's own functions.

How the inputs are found: the query is built and compiled twice, from two sets of stand-in
values. A parameter that is an input's stand-in in both compilations is that input; one that is
the same in both is a constant of the query. Anything else (a value derived from an input, or an
input written into the SQL text) makes the query unfit, and ``Statement`` refuses it with
``UnfitQuery`` rather than run it with a stale value; so does an input the query does not use.
Columns that need converting (JSON) are converted as the ORM converts them.

Inputs are UUIDs, dates, datetimes, strings and ints (each bound as a parameter), tuples and
lists of them (their length is part of the shape), and bools, None and ``Fixed`` values (part of
the shape: a page's bounds are written into the SQL as its LIMIT and OFFSET).
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable

Build = Callable[..., "QuerySet[Any, tuple[Any, ...]]"]

_MARK = 0x5E7_1E1E  # in every stand-in UUID's high bits
_BOUND = (uuid.UUID, datetime.datetime, datetime.date, str, int)
_SHAPED = (bool, type(None))


@dataclass(frozen=True, slots=True)
class Fixed:
    """An input that is part of the query's shape (one compilation per value): a page size."""

    value: Any


@dataclass(frozen=True, slots=True)
class _Input:
    """In a parameter template: the call's input number ``index`` (in ``_leaves`` order)."""

    index: int


@dataclass(frozen=True, slots=True)
class Compiled:
    alias: str
    sql: str
    template: list[Any]  # per parameter: an ``_Input``, or the query's constant
    converters: dict[int, Any]  # by column, as ``SQLCompiler.get_converters`` gives them


class UnfitQuery(Exception):
    """The query uses an input other than as a parameter: it cannot be compiled once."""


def _stand_in(value: Any, set_no: int, index: int) -> Any:
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=(_MARK << 96) | (set_no << 32) | index)
    if isinstance(value, datetime.datetime):
        start = datetime.datetime(1900 + set_no, 1, 1, tzinfo=datetime.UTC)
        return start + datetime.timedelta(seconds=index)
    if isinstance(value, datetime.date):
        return datetime.date(1900 + set_no, 1, 1) + datetime.timedelta(days=index)
    if isinstance(value, int):
        return _MARK << 24 | set_no << 16 | index
    return f"\x1fstand-in {set_no}.{index}\x1f"


def _walk(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """``value`` with every bound leaf replaced by ``leaf(it)`` (in a fixed order)."""
    if isinstance(value, _SHAPED):  # before ints: a bool is an int
        return value
    if isinstance(value, Fixed):
        return value.value
    if isinstance(value, _BOUND):
        return leaf(value)
    if isinstance(value, tuple | list):
        return type(value)(_walk(item, leaf) for item in value)
    raise TypeError(f"a statement's input cannot be a {type(value).__name__}")


def _same(value: Any) -> Any:
    return value


def _shape(value: Any) -> Hashable:
    if isinstance(value, (*_SHAPED, Fixed)):
        return (type(value), value)
    if isinstance(value, _BOUND):
        return ("bound", type(value))
    if isinstance(value, tuple | list):
        return (type(value), tuple(_shape(item) for item in value))
    raise TypeError(f"a statement's input cannot be a {type(value).__name__}")


def _leaves(values: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    for name in sorted(values):
        _walk(values[name], found.append)
    return found


class Statement:
    """A values-list query built by ``build(**inputs)``, compiled once per shape of the inputs.

    ``rows(**inputs)`` gives what ``list(build(**inputs))`` gives. On other databases it is that
    (their parameters are adapted before they reach the cursor, so stand-ins cannot be found).
    """

    max_shapes = 256

    def __init__(self, build: Build) -> None:
        self.build = build
        self._compiled: dict[Hashable, Compiled] = {}
        self._lock = threading.Lock()

    def query(self, **inputs: Any) -> QuerySet[Any, tuple[Any, ...]]:
        """The ORM's query for ``inputs`` (``build`` gets ``Fixed`` values unwrapped)."""
        return self.build(**{name: _walk(value, _same) for name, value in inputs.items()})

    def rows(self, **inputs: Any) -> list[tuple[Any, ...]]:
        shape = tuple((name, _shape(inputs[name])) for name in sorted(inputs))
        compiled = self._compiled.get(shape)
        if compiled is None:
            queryset = self.query(**inputs)
            if connections[queryset.db].vendor != "postgresql":
                return list(queryset)
            compiled = self.compile(inputs)
            with self._lock:  # threads of one worker share the statement
                if len(self._compiled) >= self.max_shapes:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[shape] = compiled
        leaves = _leaves(inputs)
        params = [leaves[p.index] if isinstance(p, _Input) else p for p in compiled.template]
        connection = connections[compiled.alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            return [_converted(row, compiled.converters, connection) for row in rows]
        return rows

    def compile(self, inputs: dict[str, Any]) -> Compiled:
        """The SQL and a parameter template (an input's slot, or a constant)."""
        compiled = [self._compile_with_stand_ins(inputs, set_no) for set_no in (0, 1)]
        (alias, sql, first, slots_a, converters), (_, second_sql, second, slots_b, _) = compiled
        if sql != second_sql or len(first) != len(second):
            raise UnfitQuery(f"{self.build.__name__}: an input is written into the SQL")
        template: list[Any] = []
        for a, b in zip(first, second, strict=True):
            slot = _slot_of(a, slots_a)
            if slot is not None and _slot_of(b, slots_b) == slot:
                template.append(_Input(slot))
            elif slot is None and _slot_of(b, slots_b) is None and a == b:
                template.append(a)
            else:
                raise UnfitQuery(f"{self.build.__name__}: a parameter derives from an input")
        used = {p.index for p in template if isinstance(p, _Input)}
        if used != set(range(len(slots_a))):
            raise UnfitQuery(f"{self.build.__name__}: an input is not a parameter of the query")
        return Compiled(alias, sql, template, converters)

    def _compile_with_stand_ins(
        self, inputs: dict[str, Any], set_no: int
    ) -> tuple[str, str, tuple[Any, ...], dict[Any, int], dict[int, Any]]:
        slots: dict[Any, int] = {}

        def stand_in(value: Any) -> Any:
            made = _stand_in(value, set_no, len(slots))
            slots[made] = len(slots)
            return made

        stand_ins = {name: _walk(inputs[name], stand_in) for name in sorted(inputs)}
        queryset = self.build(**stand_ins)
        if queryset._iterable_class is not ValuesListIterable:
            raise UnfitQuery(f"{self.build.__name__}: build a values_list() query")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        if any(str(made) in sql for made in slots):
            raise UnfitQuery(f"{self.build.__name__}: an input is written into the SQL")
        return queryset.db, sql, tuple(params), slots, converters


def _converted(
    row: tuple[Any, ...], converters: dict[int, Any], connection: Any
) -> tuple[Any, ...]:
    """The row as the ORM's ``apply_converters`` gives it (JSON parsed, for one)."""
    values = list(row)
    for position, (functions, expression) in converters.items():
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return tuple(values)


def _slot_of(param: Any, slots: dict[Any, int]) -> int | None:
    try:
        return slots.get(param)
    except TypeError:  # an unhashable constant (a list for an array column)
        return None
