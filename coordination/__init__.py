"""The Samordna project: settings, URLs, the Celery app, and cross-service coordination."""

from coordination.celery import app as celery_app

__all__ = ["celery_app"]
