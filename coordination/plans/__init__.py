"""Individual plans, stafettlogg plans, coordinators and child coordinators (domain.md §6).

``selectors`` holds the reads (through the access policy), ``services`` the writes, ``versions``
the history, ``grants`` the per-plan extra rights (django-guardian).
"""
