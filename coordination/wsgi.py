"""WSGI entry point (gunicorn coordination.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from coordination.runtime import settle_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
application = get_wsgi_application()
settle_garbage_collector()
