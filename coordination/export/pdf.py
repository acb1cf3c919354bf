"""HTML drawn as a PDF by WeasyPrint, with a fetcher that refuses every URL: a document needs
nothing from outside, and a template that asked for something fails rather than reaching the
network or a file.

Imported where a PDF is asked for, not with the URL configuration: WeasyPrint takes over a
second and about 30 MB to import, which the web workers, the Celery worker (whose digests
reverse URLs) and the management commands would otherwise each pay for a PDF they never draw.
"""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher


class NoFetching(URLFetcher):
    """A WeasyPrint fetcher that fetches nothing: not the network, not a file."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise FatalURLFetchingError(f"the copy fetches nothing ({url.split(':', 1)[0]}: refused)")


def draw(html: str) -> bytes:
    """The PDF of ``html``."""
    pdf = HTML(string=html, url_fetcher=NoFetching()).write_pdf()
    assert pdf is not None  # with no target, WeasyPrint returns the document
    return pdf
