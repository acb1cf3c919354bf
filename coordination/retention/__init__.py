"""Retention: how long each kind of record about a youth is kept, and the nightly run that
deletes what is due (docs/retention.md).

``rules`` holds the rules as data (what each deletes, from when, for how long, on which
source); ``purge`` finds what is due and deletes it in batches, recording counts only
(``coordination.models.RetentionDeletion``)."""
