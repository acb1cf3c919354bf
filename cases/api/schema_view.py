"""The API schema's view: drf-spectacular's, rendering a schema the process keeps once per
format. (Apart from ``cases.api.schema``, which drf-spectacular's views import through the
settings.)"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from drf_spectacular import renderers, views

from cases.api.schema import SchemaGenerator


class _KeptRendering:
    """A schema renderer that renders a kept schema (``SchemaGenerator.kept``) once per format
    and keeps the bytes: rendering the YAML took longer than serving a caseload page, for each
    anonymous request. Any other schema is rendered anew, and so is a media type with
    parameters (``application/json; indent=2``): those are the caller's to choose, and keeping
    a copy for each would let anyone fill the memory."""

    media_type: str
    _rendered: dict[tuple[int, type], bytes] = {}
    _lock = threading.Lock()

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        fresh = super().render  # type: ignore[misc]
        plain = accepted_media_type in (None, self.media_type)
        if not plain or (renderer_context or {}).get("indent") is not None:
            return fresh(data, accepted_media_type, renderer_context)
        if not SchemaGenerator.kept(data):
            return fresh(data, accepted_media_type, renderer_context)
        # A kept schema lives as long as the process, so its id names no other object.
        key = (id(data), type(self))
        with self._lock:
            if key not in self._rendered:
                self._rendered[key] = fresh(data, accepted_media_type, renderer_context)
            return self._rendered[key]


class YamlRenderer(_KeptRendering, renderers.OpenApiYamlRenderer):
    pass


class YamlRenderer2(_KeptRendering, renderers.OpenApiYamlRenderer2):
    pass


class JsonRenderer(_KeptRendering, renderers.OpenApiJsonRenderer):
    pass


class JsonRenderer2(_KeptRendering, renderers.OpenApiJsonRenderer2):
    pass


class SchemaView(views.SpectacularAPIView):
    """drf-spectacular's schema view (YAML by default, JSON by ``?format=json`` or the Accept
    header), rendering a kept schema once per format."""

    renderer_classes = [YamlRenderer, YamlRenderer2, JsonRenderer, JsonRenderer2]
