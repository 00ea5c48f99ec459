"""Logging filters named in settings.LOGGING."""

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """A 4xx (a 403, a 404, a refused body) is the client's mistake: log its one line, not a traceback.

    Django logs `django.request` and `django.security.*` records with the exception attached; 5xx keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
