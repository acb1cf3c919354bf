"""API of ``coordination``: deadlines, deadline rules, reminder choices and compliance reports."""
