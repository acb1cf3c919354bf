"""How a value of the copy reads in the PDF: dates and times in Europe/Oslo, codes as their
labels in the active language, yes and no in words. The JSON keeps the values themselves."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.labels import display_value
from consent.categories import Category

EMPTY = "–"

Cell = Callable[[Any], str]


def plain(value: Any) -> str:
    """Any value in words: empty as a dash, a moment in Oslo time, a list joined."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return str(value)


def label(model: type[models.Model], field_name: str) -> Cell:
    """A code of ``model.field_name`` as its label."""

    def cell(value: Any) -> str:
        return plain(display_value(model, field_name, value) if value not in (None, "") else None)

    return cell


def choice(choices: type[models.Choices]) -> Cell:
    """A code of a choices class as its label (unknown codes as they are)."""
    labels = dict(choices.choices)

    def cell(value: Any) -> str:
        return plain(labels.get(value, value))

    return cell


def categories(value: Any) -> str:
    """One category or a list of them, by label."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return plain([Category(v).label if v in Category.values else v for v in values if v])


def short(value: Any) -> str:
    """An id by its first eight characters: enough to find a row the copy refers to."""
    return str(value)[:8] if value not in (None, "") else EMPTY
