"""The REST API for the registry (``/api/v1/``)."""
