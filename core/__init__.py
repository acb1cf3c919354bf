"""The shared plumbing below every app: domain errors and the audit trail.

The lowest layer (coordination → cases → consent → core): it imports nothing from the apps above
it. The audit trail's subject is a model named in settings (``AUDIT_SUBJECT_MODEL``), the way
``AUTH_USER_MODEL`` is.
"""
