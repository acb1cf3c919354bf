"""CSV for reports: rows of cells, UTF-8 with a BOM so spreadsheet programs read æøå."""

from __future__ import annotations

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        rows = data if isinstance(data, list) else [[key, value] for key, value in data.items()]
        for row in rows:
            writer.writerow(row)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
