"""Consents, legal bases and the access log.

A reusable app: it knows nothing of ``cases`` or ``coordination`` and builds on ``core`` (errors,
the audit trail). The models it points at are named in settings (``CONSENT_SUBJECT_MODEL``,
``CONSENT_PARTY_MODEL``), the way ``AUTH_USER_MODEL`` is, in its models and its migrations alike.
Which legal bases exist is the project's data, seeded by the project.
"""
