"""Deadline rules' source links as URIs: the seeded lovdata link held an unescaped «§»."""

from typing import Any

from django.db import migrations
from django.utils.encoding import iri_to_uri


def percent_encode_source_urls(apps: Any, schema_editor: Any) -> None:
    DeadlineRule = apps.get_model("coordination", "DeadlineRule")
    for rule in DeadlineRule.objects.exclude(source_url=""):
        uri = iri_to_uri(rule.source_url)
        if uri != rule.source_url:
            rule.source_url = uri
            rule.save(update_fields=["source_url"])


class Migration(migrations.Migration):
    dependencies = [("coordination", "0005_claims_index_without_status")]

    operations = [migrations.RunPython(percent_encode_source_urls, migrations.RunPython.noop)]
