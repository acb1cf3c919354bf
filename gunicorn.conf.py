"""gunicorn's settings for Samordna (the Dockerfile and docker-compose.yml name this file; gunicorn
also reads it by default from the folder it starts in). Binding, workers and where the access log
goes stay on the command line."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from cases.logfilters import RedactIdentityNumbers


class RedactingLogger(Logger):
    """gunicorn's logger with the app log's redaction on its own two logs: an access line carries
    the query string and the Referer, an error line the request's URI, and either may hold an
    identity number. The filter sits on the loggers, so every handler they get passes it."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactIdentityNumbers) for f in log.filters):
                log.addFilter(RedactIdentityNumbers())


logger_class = RedactingLogger
