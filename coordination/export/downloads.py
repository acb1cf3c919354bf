"""The copy as a file to download: an attachment named by the day only, never cached."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from coordination.export.copy import YouthCopy, as_json, as_pdf, file_name

FORMATS = {"pdf": "application/pdf", "json": "application/json"}


def render(copy: YouthCopy, file_format: str) -> bytes:
    return as_pdf(copy) if file_format == "pdf" else as_json(copy)


def attachment(copy: YouthCopy, file_format: str, body: bytes | None = None) -> HttpResponse:
    """The file as an attachment (``body`` when already rendered)."""
    response = HttpResponse(
        body if body is not None else render(copy, file_format),
        content_type=FORMATS[file_format],
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(copy, file_format)}"'
    patch_cache_control(response, no_store=True, private=True)
    return response
