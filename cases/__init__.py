"""The records each service holds about youths, and the one gate every read goes through."""
