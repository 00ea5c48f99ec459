"""One exception type for rule violations; entry points turn it into a 400/409 or a form message."""

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A business rule said no. `code` is a stable snake_case string; `message` is for the user."""

    status_code = 400

    def __init__(self, code: str, message: str | Promise, fields: dict | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}


class ConflictError(ApplicationError):
    """The object changed under us: an illegal transition or a lost race (HTTP 409)."""

    status_code = 409


class NotFoundError(ApplicationError):
    """The object does not exist in the actor's scope (HTTP 404; no hint that it exists elsewhere)."""

    status_code = 404
