"""Domain errors of the retrieval engine.

Every failure a user can cause (a bad corpus file, a missing model, a broken index, a bad
question) is one of these, so that front ends can show a one-line message instead of a
traceback, and so that programming errors are never mistaken for user errors.
"""


class QuotebotError(Exception):
    """Base class: the message is written for the user and fits on one line."""


class CorpusError(QuotebotError):
    """The corpus is missing, empty, or one of its files cannot be used."""


class ModelError(QuotebotError):
    """The embedding model cannot be found, loaded, or does not match its expected hash."""


class IndexFormatError(QuotebotError):
    """An index on disk is missing, corrupted, or does not match what it claims to be."""


class QuestionError(QuotebotError):
    """A question cannot be answered as asked (empty, too long)."""
