"""Domain errors: the only exceptions the core raises on purpose.

Each carries the HTTP status and CLI exit code it maps to, so the faces
(CLI, HTTP, MCP) translate them in one place and never show a traceback.
"""

from __future__ import annotations


class EvsearchError(Exception):
    """Base of every error the core raises for a user to read."""

    status_code: int = 400
    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict:
        body = {"error": type(self).__name__, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        return body

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(EvsearchError):
    """The caller's input is malformed (bad query, bad option value)."""

    status_code = 400
    exit_code = 2


class UnknownGradeError(InputError):
    """A grade word or number that no grade scale knows."""


class UnknownParameterError(InputError):
    """A parameter the endpoint or command does not take (a misspelt filter must not be ignored)."""

    status_code = 422


class NotFoundError(EvsearchError):
    """A report, paragraph or judgement id that the index does not hold."""

    status_code = 404
    exit_code = 1


class ReportReadError(EvsearchError):
    """A file could not be read as a report (corrupt, encrypted, empty, not a report)."""

    status_code = 422
    exit_code = 1

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelNotFoundError(EvsearchError):
    """The embedding model could not be loaded without the network."""

    status_code = 500
    exit_code = 3


class IndexNotFoundError(EvsearchError):
    """No index exists at the given directory."""

    status_code = 503
    exit_code = 3


class IndexMismatchError(EvsearchError):
    """The index was built with another model or schema version."""

    status_code = 409
    exit_code = 3


class IndexBusyError(EvsearchError):
    """Another process is writing the index."""

    status_code = 409
    exit_code = 3


class AuthError(EvsearchError):
    """Writes need the API key."""

    status_code = 401
    exit_code = 2


class PayloadTooLargeError(EvsearchError):
    """An upload over the configured size limit."""

    status_code = 413
    exit_code = 2


class WritesDisabledError(EvsearchError):
    """A write (POST /reports) on a server started without an API key."""

    status_code = 403
    exit_code = 2


class UnsupportedMediaError(InputError):
    """An upload that is not a .pdf or .txt report (by extension or content)."""

    status_code = 415


class IndexCorruptError(EvsearchError):
    """The index files exist but cannot be read (damaged, truncated, not an evsearch index)."""

    status_code = 500
    exit_code = 3


class ModelIntegrityError(ModelNotFoundError):
    """Model weights on disk do not match their known checksum (damaged or altered install)."""


class TooManyRequestsError(EvsearchError):
    """A client that sent too many wrong API keys must wait before trying again."""

    status_code = 429
    exit_code = 2

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
