"""Legal bases' source links as URIs: the seeded lovdata links held an unescaped «§»."""

from typing import Any

from django.db import migrations
from django.utils.encoding import iri_to_uri


def percent_encode_source_urls(apps: Any, schema_editor: Any) -> None:
    LegalBasis = apps.get_model("consent", "LegalBasis")
    for basis in LegalBasis.objects.exclude(source_url=""):
        uri = iri_to_uri(basis.source_url)
        if uri != basis.source_url:
            basis.source_url = uri
            basis.save(update_fields=["source_url"])


class Migration(migrations.Migration):
    dependencies = [("consent", "0005_access_log_references_unlocked")]

    operations = [migrations.RunPython(percent_encode_source_urls, migrations.RunPython.noop)]
