"""The OpenAPI schema's view of the API: every operation documents the one error shape
(``cases.api.errors``) for each error status it can answer with, in one place rather than in
every view's ``extend_schema``."""

from __future__ import annotations

import threading
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular import generators, openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication

from cases.api.base import StrictSerializer
from cases.api.pagination import PageNumberPagination

_FIELD_ERROR = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    "required": ["code", "message"],
}


@extend_schema_field(
    {
        "type": "object",
        "description": _(
            "Feil per felt: en liste med feil (code, message); for et nestet objekt et objekt "
            "av samme form, for en liste av objekter en liste av slike objekter."
        ),
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [_FIELD_ERROR, {"type": "object"}]}},
                {"type": "object"},
            ]
        },
    }
)
class FieldErrorsField(serializers.DictField):
    pass


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("For maskiner, f.eks. «invalid», «not_found»."))
    message = serializers.CharField(help_text=_("For mennesker, på forespørselens språk."))
    # DRF's metaclass takes declared fields off the class, so this does not hide ``.fields``.
    fields = FieldErrorsField(required=False)  # type: ignore[assignment]
    current_version = serializers.IntegerField(
        required=False, help_text=_("Ved 409: versjonen som gjelder nå.")
    )


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers with: ``{"error": {"code", "message", "fields"?,
    "current_version"?}}`` (``cases.api.errors.error_body``)."""

    error = ErrorBodySerializer()


ERROR_DESCRIPTIONS = {
    "400": _("Ugyldige opplysninger, eller en regel sier nei."),
    "401": _("Ikke innlogget, eller ugyldig token."),
    "403": _("Ingen tilgang."),
    "404": _("Ikke funnet."),
    "409": _("Noen andre har endret dette i mellomtiden."),
    "415": _("Innholdet har en medietype APIet ikke leser."),
    "429": _("For mange forsøk."),
}

_PAGE_PARAMETERS = {
    PageNumberPagination.page_query_param,
    PageNumberPagination.page_size_query_param,
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers each operation can give."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self.error_codes(operation):
            # A view's own description of the code stays; the body is the one error shape.
            responses[code] = {**self._error_response(code), **responses.get(code, {})}
        return operation

    def _map_serializer(
        self, serializer: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(force_instance(serializer), StrictSerializer):
            schema["additionalProperties"] = False  # unknown fields answer 400
        return schema

    def error_codes(self, operation: dict[str, Any]) -> list[str]:
        """The error statuses the operation can answer with, from what it takes and who may
        call it."""
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p.get("in") == "query"}
        in_path = any(p.get("in") == "path" for p in parameters)
        writes = self.method not in permissions.SAFE_METHODS
        authenticators = self.view.get_authenticators()
        needs_permission = not all(
            isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()
        )
        session = any(isinstance(a, SessionAuthentication) for a in authenticators)
        codes = []
        # Bodies and filters are validated; services refuse what their rules forbid.
        if writes or query - _PAGE_PARAMETERS:
            codes.append("400")
        # No credentials or a wrong token: 401 with a challenge (``WWW-Authenticate``).
        if authenticators:
            codes.append("401")
        # A caller without the role the operation needs (views check roles in their code, the
        # access log for one), or a session write without its CSRF token.
        if needs_permission or (writes and session):
            codes.append("403")
        # An unknown (or unreachable) record named in the path, the body or a filter, or a
        # page past the end.
        if in_path or writes or query:
            codes.append("404")
        # Edits carry the version they read (optimistic concurrency).
        if writes and self._takes_version():
            codes.append("409")
        # A body in a media type no parser reads (or a malformed multipart body).
        if "requestBody" in operation:
            codes.append("415")
        # Throttled, or (the token endpoint) locked out after repeated failed log-ins.
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _takes_version(self) -> bool:
        serializer = force_instance(self.get_request_serializer())
        return isinstance(serializer, serializers.Serializer) and "version" in serializer.fields

    def _error_response(self, code: str) -> dict[str, Any]:
        error = self.resolve_serializer(ErrorSerializer, "response")
        response: dict[str, Any] = {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": error.ref}},
        }
        if code == "401":
            # DRF answers 401 only with a challenge; without one it answers 403.
            response["headers"] = {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "required": True,
                    "description": _("Hvordan logge inn (f.eks. «Token»)."),
                }
            }
        return response


class SchemaGenerator(generators.SchemaGenerator):
    """drf-spectacular's generator, remembering the schema it made for the whole URL conf.

    The served schema is public (``SERVE_PUBLIC``): the same for every caller, made from the
    code alone, so it differs only by language and API version. Making it takes most of a
    second of CPU, so each process makes it once per language and version and keeps it; a
    deploy starts new processes. A schema of chosen patterns, or for a caller's permissions,
    is made each time."""

    _made: dict[tuple[Any, ...], dict[str, Any]] = {}
    _lock = threading.Lock()

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        if not public or self.urlconf is not None or self.patterns is not None:
            return super().get_schema(request=request, public=public)
        key = (
            translation.get_language(),
            self.api_version or getattr(request, "version", None),
            request is None,  # drf-spectacular's mock requests start from the caller's
        )
        with self._lock:
            if key not in self._made:
                self._made[key] = super().get_schema(request=request, public=public)
            return self._made[key]

    @classmethod
    def kept(cls, schema: Any) -> bool:
        """Whether ``schema`` is one the process keeps (and so never changes)."""
        return any(schema is made for made in list(cls._made.values()))
