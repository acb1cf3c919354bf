"""One JSON shape for every error the API returns.

    {"error": {"code": "invalid", "message": "...", "fields": {"national_id": [
        {"code": "checksum", "message": "..."}]}}}

Messages are translated into the request's language (nb by default, en on request). Domain
errors (``ApplicationError``), Django's ``ValidationError``, ``Http404`` and ``PermissionDenied``
all map here, so no view formats an error itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, ConflictError


def _details(detail: Any) -> Any:
    """Turn DRF's ErrorDetail tree into plain {code, message} items."""
    if isinstance(detail, dict):
        return {key: _details(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_details(item) for item in detail]
    return {"code": getattr(detail, "code", "invalid"), "message": str(detail)}


def error_body(code: str, message: str, fields: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return {"error": body}


def _application_error(exc: ApplicationError) -> Response:
    fields = {name: [{"code": exc.code, "message": str(msg)}] for name, msg in exc.fields.items()}
    extra: dict[str, Any] = {}
    if isinstance(exc, ConflictError):
        extra["current_version"] = exc.current_version
    return Response(error_body(exc.code, str(exc.message), fields, **extra), status=exc.status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return _application_error(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _details(detail if isinstance(detail, dict) else {"non_field_errors": detail})
        response.data = error_body("invalid", _("Opplysningene er ikke gyldige."), fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    response.data = error_body(str(code), str(exc.detail))
    return response
