"""Errors a user can act on: one line of text, shown without a traceback."""


class LibtoolError(Exception):
    """Base for errors the CLI prints as one line and exits non-zero for."""


class UsageError(LibtoolError):
    """Bad arguments: a path that does not exist, an unknown field, a bad query."""


class FileError(LibtoolError):
    """One file could not be read, written or moved; ``kind`` is a short machine-readable
    reason (``corrupt``, ``changed-on-disk``, ``symlink``...) and ``message`` says it all."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class DatabaseError(LibtoolError):
    """The library database cannot be opened or migrated."""
