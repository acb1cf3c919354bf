"""Deadlines: the rules that say which deadlines a youth's facts call for (``rules``, seeded
with their sources from ``seeded``), the ledger that derives them and plans their reminders
(``ledger``, run for changed youths by ``middleware`` and the worker, nightly for all), the
reads the API, pages and admin share (``selectors``) and the youth-guarantee figures
(``compliance``)."""
