"""Errors the audit reports to a person rather than as a traceback."""


class AuditError(Exception):
    """An error whose message is a complete, one-line explanation for the DPO.

    The command line prints ``str(error)`` and exits with status 2, so the
    message must name the file (and sheet, column, value where known).
    """


class InputError(AuditError):
    """An input file is missing, unreadable, unsafe or lacks a required sheet or column."""


class ReferenceDataError(AuditError):
    """A bundled data file (policy model, reference list, settings) is malformed."""
