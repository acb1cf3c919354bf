"""Choice labels in the active language, looked up once per language and value.

``get_FOO_display`` flattens the field's choices and translates the label on every call, which
a timeline page of a hundred entries would do hundreds of times per request.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import models
from django.utils import translation


@lru_cache(maxsize=4096)
def _label(model: type[models.Model], field_name: str, value: Any, language: str | None) -> Any:
    field = model._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(value, value))  # type: ignore[union-attr]


def display_value(model: type[models.Model], field_name: str, value: Any) -> Any:
    """The label of ``value`` in the model's field ``field_name``, in the active language: what
    ``get_<field_name>_display()`` gives on an instance holding ``value``."""
    return _label(model, field_name, value, translation.get_language())
