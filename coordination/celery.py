"""The Celery application. Tasks are discovered in every installed app's ``tasks`` module."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
# Celery's Django fix-up runs Django's system checks when a worker starts; they load the URL
# conf and with it the whole web stack (DRF, the OpenAPI generator, their test helpers): about
# 25 MB in each of the worker's processes, for code a worker never runs (issue 7: worker RSS).
# The checks run where the web stack runs: `manage.py migrate` / `check`, the test suite.
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

app = Celery("samordna")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
