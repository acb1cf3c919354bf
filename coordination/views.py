"""Project-level views: the health check (the pages are in ``coordination.pages``)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from coordination.reminders import delivery


def health(request: HttpRequest) -> JsonResponse:
    """Liveness, database reachability and reminder delivery, for load balancers and monitoring.

    The database down is an error (503). A due reminder older than
    ``REMINDER_HEALTH_MAX_AGE_SECONDS`` makes the status "degraded" (200: the web still works, but
    the worker, beat, broker or SMTP needs attention).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "unavailable"
    if database != "ok":
        return JsonResponse({"status": "error", "database": database}, status=503)
    age = delivery.oldest_unsent_age()
    late = age is not None and age > settings.REMINDER_HEALTH_MAX_AGE_SECONDS
    return JsonResponse(
        {
            "status": "degraded" if late else "ok",
            "database": database,
            "reminders": {
                "oldest_unsent_due_seconds": round(age) if age is not None else None,
                "status": "late" if late else "ok",
            },
        }
    )
