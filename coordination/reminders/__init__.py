"""Reminders: ``planning`` decides which reminder rows a deadline calls for (stages, recipients,
send times); ``delivery`` claims the due rows and sends one digest per recipient."""
