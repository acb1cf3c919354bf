"""Plumbing shared by every API in the project: serializers, request validation, and the
lookups and access-log writes the views of ``cases`` share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField, get_attribute
from rest_framework.request import Request

from cases import access
from cases.middleware import viewer_of
from cases.models import Service

User = get_user_model()


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses fields it does not know, instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, Any] = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {
                name: [serializers.ErrorDetail(str(_("Ukjent felt.")), code="unknown_field")]
                for name in sorted(set(data) - writable)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Report unknown fields together with the other field errors, in one answer.
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StaffField(serializers.SlugRelatedField):
    """A staff member, named by username (database ids stay out of the API)."""

    default_error_messages = {
        "does_not_exist": _("Fant ingen ansatt med brukernavnet «{value}»."),
        "invalid": _("Ugyldig brukernavn."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        super().__init__(slug_field=User.USERNAME_FIELD, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:  # PostgreSQL refuses NUL in text
            self.fail("invalid")
        return super().to_internal_value(data)


# A serializer of rows to show, which may be dicts of values (a list's ``values()`` rows,
# ``cases.refs``) or objects: DRF's output field by field, with a dict's values read by key. DRF
# reads every value through ``get_attribute`` (an abstract ``Mapping`` check and a callable
# check per value), which for a list of rows cost more than reading them from the database; a
# value it would not find (a dotted source, ``*``, a missing key) is read as DRF reads it.
# (A comment, not a docstring: the API schema would give it as the description of every
# serializer below without one of its own.)
class RowSerializer(serializers.Serializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        if type(instance) is not dict:
            return super().to_representation(instance)
        row: dict[str, Any] = {}
        for name, field, key in self._keys:
            if key is not None and key in instance:
                value = instance[key]
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            row[name] = None if value is None else field.to_representation(value)
        return row

    @cached_property
    def _keys(self) -> list[tuple[str, serializers.Field, str | None]]:
        """The fields shown, by name, each with the key that holds its value in a dict row
        (None where its source is not one key)."""
        return [
            (
                str(field.field_name),
                field,
                field.source_attrs[0] if len(field.source_attrs) == 1 else None,
            )
            for field in self._readable_fields
        ]


class StaffRefSerializer(RowSerializer):
    """A staff member as others see them: the username, and the full name where there is one
    (first and last name, as ``User.get_full_name`` joins them). It reads a user, or a row's
    values of one (``username``, ``first_name``, ``last_name``: a caseload row's responsible),
    the way DRF reads any field: by key or by attribute.

    Where the row's user may be the youth or a guardian on *Min side* (a comment, a digital
    answer), ``on_min_side`` tells such rows (a test of the row the field is read from), and
    the field is null for them: the row says who by role (``by_youth``, ``agreed_how``,
    ``giver``), and a *Min side* user's username is no one's business (a local account's is
    whatever it was given)."""

    username = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def __init__(
        self, *args: Any, on_min_side: Callable[[Any], bool] | None = None, **kwargs: Any
    ) -> None:
        if on_min_side is not None:
            kwargs["allow_null"] = True
        super().__init__(*args, **kwargs)
        self.on_min_side = on_min_side

    def get_attribute(self, instance: Any) -> Any:
        if self.on_min_side is not None and self.on_min_side(instance):
            return None
        return super().get_attribute(instance)

    def get_name(self, staff: Any) -> str:
        first, last, username = (
            get_attribute(staff, [key]) for key in ("first_name", "last_name", "username")
        )
        return f"{first} {last}".strip() or username


# Public ids are UUIDs; routes match only that shape (anything else is a 404, not a 400).
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validate request data or query parameters (400 with field errors) and return them."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def log_youth_read(request: Request, purpose: str, youth: Any, items: Any = ()) -> None:
    access.log_youth_read(viewer_of(request), purpose, youth, items)


def log_answer(
    request: Request, purpose: str, youth_id: Any, items: Any = (), *, through: Any = ()
) -> None:
    """What a write's answer shows of a youth, logged as a read of it before the answer exists:
    the items, seen through the services ``through`` (the write's own service, where it has
    one)."""
    access.log_reads(
        viewer_of(request),
        purpose,
        [access.Read(youth_id=youth_id, following_service_ids=list(through), items=list(items))],
    )


def active_service(pk: Any) -> Any:
    """An active service by id (``None`` stays ``None``); unknown or inactive is a 404."""
    if pk is None:
        return None
    try:
        return Service.objects.get(pk=pk, is_active=True)
    except Service.DoesNotExist:
        raise Http404 from None
