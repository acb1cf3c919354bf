"""Consents, legal bases and the trail of who did and saw what.

A reusable app: it knows nothing of ``cases``. The models it points at are named in settings
(``CONSENT_SUBJECT_MODEL``, ``CONSENT_PARTY_MODEL``), the way ``AUTH_USER_MODEL`` is.
"""
