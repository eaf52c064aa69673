"""Errors that the command line turns into one clear line and an exit status."""


class PqcheckError(Exception):
    """Base class: the message is meant for the person running pqcheck."""

    exit_code = 1


class BadInput(PqcheckError):
    """The user gave something pqcheck cannot use (a file, a date, a name): exit status 2."""

    exit_code = 2


class UpstreamError(PqcheckError):
    """An upstream API failed, or kept failing after retries: exit status 1."""

    exit_code = 1

    def __init__(self, message: str, status: int | None = None, last_status: int | None = None):
        super().__init__(message)
        self.status = status  # an answer retrying cannot change (404, 410, 422...)
        self.last_status = last_status  # the last answer's status when retries of a 429 or 5xx ran out


class DatabaseBusy(PqcheckError):
    """Another process held the database's write lock for longer than pqcheck waits: exit status 2."""

    exit_code = 2


class OcrUnavailable(PqcheckError):
    """OCR was asked for but Tesseract (or pytesseract) is not installed: exit status 2."""

    exit_code = 2


class RunLocked(PqcheckError):
    """Another ``pqcheck run`` is keeping the same database current: exit status 2."""

    exit_code = 2
