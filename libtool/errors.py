"""Errors a user can act on: one line of text, shown without a traceback."""


class LibtoolError(Exception):
    """Base for errors the CLI prints as one line and exits non-zero for."""


class UsageError(LibtoolError):
    """Bad arguments: a path that does not exist, an unknown field, a bad query."""


class DatabaseError(LibtoolError):
    """The library database cannot be opened or migrated."""
