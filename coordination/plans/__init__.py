"""Individual plans, stafettlogg plans, coordinators and child coordinators (domain.md §6).

``selectors`` holds the reads (through the access policy), ``services`` the writes, ``versions``
the history, ``grants`` the per-plan extra rights (django-guardian), ``child_coordinator`` who
may hold the child coordinator role and its end at 18.
"""
